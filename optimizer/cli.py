"""The ``carecap`` command line: one subcommand per job, thin over the library.

Exit codes (README): 0 success; 1 completed with findings; 2 bad input or usage;
3 no solution found within the limits; 130 interrupted (Ctrl-C). Tables and
results go to stdout, messages and logs to stderr; no personal data is ever logged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._arguments import MAX_SEED
from .csvfile import frame_text, rows_text
from .domain import FIRST_DAY, LAST_DAY, Region, shift_length_breaks
from .exceptions import InputError
from .io import read_region, write_region, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd
    from carecap.kernels.evaluate import Evaluation

    from .compile import CompiledRegion

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_NO_SOLUTION = 3
EXIT_INTERRUPTED = 130
"""Ctrl-C: 128 + SIGINT, as a shell reports a command that the signal ended."""

log = logging.getLogger("carecap")

CARECAP_LOGGERS = ("carecap",)
"""Loggers that -v and -vv turn up (every module logs under carecap.*); every
other library stays at WARNING."""

COMMAND_MODULES = (
    "carecap.whatif_cli",
    "carecap.batch_cli",
    "carecap.workbook_cli",
    "carecap.report_cli",
    "carecap.nrp_cli",
)
"""Modules that add their own subcommands: each has ``register(subparsers)``, which
adds its parsers with ``handler`` set (and the handler returns an exit code)."""


def carecap_version() -> str:
    """Returns the installed carecap version."""
    try:
        return version("carecap")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"carecap: error: {message}\n")


def _monday(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD)"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"{text} is outside {FIRST_DAY} to {LAST_DAY}, the dates carecap plans"
        )
    if day.weekday() != 0:
        raise argparse.ArgumentTypeError(
            f"{text} is a {day.strftime('%A')}; the horizon starts on a Monday"
        )
    return day


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= weeks <= 6:
        raise argparse.ArgumentTypeError(f"weeks must be 1 to 6, got {weeks}")
    return weeks


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """argparse type: a random seed, a whole number from 0 to `MAX_SEED`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"a seed is a whole number from 0 to {MAX_SEED}, got {text}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser with every subcommand."""
    from carecap.instances.presets import PRESETS

    parser = _Parser(
        prog="carecap",
        description=(
            "Regional care-capacity optimisation: assign flex-pool staff and "
            "part-timers who want more hours to open ANW shifts."
        ),
        epilog="Exit codes: 0 success, 1 findings, 2 bad input or usage, 3 no solution.",
    )
    parser.add_argument(
        "--version", action="version", version=f"carecap {carecap_version()}"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress to stderr (-vv: also the solver's own log)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    gen = sub.add_parser(
        "generate",
        help="generate a realistic region instance",
        description="Generate a region deterministically from a preset and a seed.",
    )
    gen.add_argument(
        "--preset", required=True, choices=list(PRESETS), help="region size"
    )
    gen.add_argument("--seed", required=True, type=seed_int, help="random seed")
    gen.add_argument("--weeks", type=_weeks, help="horizon length in weeks (1-6)")
    gen.add_argument(
        "--start", type=_monday, help="horizon start, a Monday (YYYY-MM-DD)"
    )
    gen.add_argument(
        "-o", "--output", required=True, type=Path, help="region JSON to write"
    )
    gen.set_defaults(handler=_cmd_generate)

    val = sub.add_parser(
        "validate",
        help="check a region file and print its summary",
        description="Validate a region file: exit 0 when valid, 2 when not.",
    )
    val.add_argument("region", type=Path, help="region JSON file")
    val.add_argument("--json", action="store_true", help="print the summary as JSON")
    val.set_defaults(handler=_cmd_validate)

    sch = sub.add_parser(
        "schema",
        help="print the JSON Schema of the region (or scenario) format",
        description=(
            "Print (or write) the JSON Schema of the region file format, or with "
            "--scenario of the what-if scenario file format."
        ),
    )
    sch.add_argument("-o", "--output", type=Path, help="write the schema to this file")
    sch.add_argument(
        "--scenario",
        action="store_true",
        help="the scenario file format (carecap whatif) instead of the region format",
    )
    sch.set_defaults(handler=_cmd_schema)

    ev = sub.add_parser(
        "evaluate",
        help="check a roster against every hard rule and print its KPIs",
        description=(
            "Evaluate a roster CSV (new assignments to open slots) for a region: "
            "coverage, costs, fairness and every broken hard rule. Exit 0 when clean, "
            "1 when a rule is broken, 2 on bad input."
        ),
    )
    ev.add_argument("region", type=Path, help="region JSON file")
    ev.add_argument(
        "roster", type=Path, help="roster CSV (columns shift_id, staff_id[, type])"
    )
    ev.add_argument(
        "--json", action="store_true", help="print the evaluation as one JSON document"
    )
    ev.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="also write evaluation.json and violations.csv to this directory",
    )
    ev.set_defaults(handler=_cmd_evaluate)

    so = sub.add_parser(
        "solve",
        help="solve the region's open slots with CP-SAT (the main job)",
        description=(
            "Find the best legal roster for the open slots, by priority: least "
            "uncovered care, then least agency cost, flex-pool hours below contract, "
            "extra hours against wishes, fair ANW burden, travel and lending, "
            "preferences and continuity. Writes roster.csv and summary.json (and "
            "moves.csv when re-planning). Exit 0 with a roster, 1 with a roster and "
            "findings (the input's fixed roster breaks a rule), 3 when none was found."
        ),
    )
    so.add_argument(
        "region",
        type=Path,
        nargs="?",
        help="region JSON file (default: the bundled example)",
    )
    so.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        default=Path("."),
        help="directory for roster.csv and summary.json (default: .)",
    )
    so.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds for the whole solve (default 30)",
    )
    so.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        metavar="N",
        help="CP-SAT workers (default 2)",
    )
    so.add_argument(
        "--seed", type=seed_int, default=0, metavar="N", help="random seed (default 0)"
    )
    so.add_argument(
        "--mode",
        choices=["lexicographic", "weighted"],
        default="lexicographic",
        help="objective mode (default lexicographic)",
    )
    so.add_argument(
        "--deterministic",
        action="store_true",
        help="deterministic time limit and interleaved search: same roster every run",
    )
    so.add_argument(
        "--strategy",
        choices=["auto", "monolithic", "by_week"],
        default="auto",
        help="one model, or week by week for large multi-week regions (default auto: "
        "by week from 100,000 eligible pairs)",
    )
    so.add_argument(
        "--gap",
        type=float,
        default=0.0,
        metavar="R",
        help="relative gap at which a level may stop (default 0: prove optimality)",
    )
    so.add_argument(
        "--levels",
        type=_level_list,
        default=(),
        metavar="A,B,...",
        help="priority levels in order (default uncovered,agency,pool_under_contract,"
        "extra_hours,fairness,travel_lending,preferences; 'changes' when re-planning)",
    )
    so.add_argument(
        "--previous",
        type=Path,
        metavar="ROSTER",
        help="re-planning: the previous roster.csv; the result lists what moved",
    )
    so.add_argument(
        "--minimal-change",
        action="store_true",
        help="with --previous: keep as much of it as possible (right after coverage)",
    )
    so.add_argument(
        "--pin",
        type=Path,
        metavar="ROSTER",
        help="a roster CSV of assignments that must be kept (shift_id, staff_id or "
        "type agency)",
    )
    so.add_argument(
        "--report",
        action="store_true",
        help="also write report.html (self-contained) to the output directory",
    )
    so.set_defaults(handler=_cmd_solve)

    an = sub.add_parser(
        "analyze",
        help="open demand against what the candidates can legally give",
        description=(
            "Capacity analysis: per open slot, how many candidates (flex pool and "
            "employees wanting more hours) may legally take it; per ward x day x ANW "
            "class x level, open hours against the candidates' spare hours."
        ),
    )
    an.add_argument("region", type=Path, help="region JSON file")
    an.add_argument(
        "-k",
        type=positive_int,
        default=3,
        metavar="K",
        help="list slots with fewer than K candidates as thin (default 3)",
    )
    an.add_argument(
        "--json", action="store_true", help="print the summary as one JSON document"
    )
    an.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="write slots.csv, groups.csv, thin_slots.csv and summary.json here",
    )
    an.set_defaults(handler=_cmd_analyze)

    ca = sub.add_parser(
        "candidates",
        help="who may legally take an open shift, best first",
        description=(
            "List the candidates who may legally take an open shift, ranked by hours "
            "left to their weekly maximum (most first), travel, ANW shifts already "
            "in their roster, then cost. People of the candidate pool whom the "
            "roster keeps from it are listed apart, with the rule: booked (H1), "
            "rest-blocked (H4-H8), hours-blocked (H9-H11, H16, SUN) and "
            "consent-blocked (CONSENT); people outside the pool who break only "
            "CONSENT form the ask list. Against the base roster, or with --roster "
            "against a solved roster. A shift whose open slots need different "
            "levels or competences gets one list per kind of slot."
        ),
    )
    ca.add_argument("region", type=Path, help="region JSON file")
    ca.add_argument(
        "--shift",
        required=True,
        metavar="SHIFT_ID",
        help="id of a shift with open slots",
    )
    ca.add_argument(
        "--roster",
        type=Path,
        metavar="ROSTER.csv",
        help="the current roster of the open slots (carecap solve's roster.csv); "
        "default: the base roster alone",
    )
    ca.add_argument(
        "--top",
        type=positive_int,
        default=10,
        metavar="K",
        help="show at most K people per list (default 10)",
    )
    ca.add_argument(
        "--explain",
        metavar="STAFF_ID",
        help="say why this person may not take the shift, or that they may",
    )
    ca.add_argument(
        "--json", action="store_true", help="print the result as one JSON document"
    )
    ca.set_defaults(handler=_cmd_candidates)

    si = sub.add_parser(
        "simulate",
        help="Monte-Carlo sickness weeks and flex-pool sizing",
        description=(
            "Sample sickness weeks, refill each greedily from the flex pool and the "
            "part-timers who want more hours, and report mean, P50 and P95 of agency "
            "and uncovered hours for each flex-pool size."
        ),
    )
    si.add_argument("region", type=Path, help="region JSON file")
    si.add_argument(
        "--absence-rate",
        type=_absence,
        default="sector",
        metavar="R",
        help="share of days sick: a number (0.057), 'sector' (VVT 8.5 %%, GHZ 7.5 %%, "
        "GGZ 6.7 %%, hospital 5.6 %%; the default) or 'national' (5.7 %%)",
    )
    si.add_argument(
        "--samples",
        type=positive_int,
        default=1000,
        help="sampled horizons (default 1000)",
    )
    si.add_argument(
        "--pool-sizes",
        type=_sizes,
        metavar="A,B,C",
        help="flex-pool sizes to compare (default: the region's own pool)",
    )
    si.add_argument("--seed", type=seed_int, required=True, help="random seed")
    si.add_argument(
        "--target-p95-uncovered",
        type=float,
        metavar="HOURS",
        help="also report the smallest pool whose P95 uncovered hours are at most this",
    )
    si.add_argument("--workers", type=positive_int, help="threads (default: all cores)")
    si.add_argument("--json", action="store_true", help="print the result as JSON")
    si.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="write simulation.csv and simulation.json here",
    )
    si.set_defaults(handler=_cmd_simulate)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def _level_list(text: str) -> tuple[str, ...]:
    from .cpsat.objective import ALL_LEVELS

    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in ALL_LEVELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{text!r} not understood; use a comma list of {', '.join(ALL_LEVELS)}"
        )
    return names


def _absence(text: str) -> float | str:
    if text in ("sector", "national"):
        return text
    try:
        rate = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a rate; give e.g. 0.057, 'sector' or 'national'"
        ) from None
    if not 0 <= rate < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return rate


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of whole numbers"
        ) from None
    if not sizes or min(sizes) < 0:
        raise argparse.ArgumentTypeError("pool sizes must be whole numbers >= 0")
    return sizes


def _cmd_generate(args: argparse.Namespace) -> int:
    from carecap.instances.generator import generate_region

    started = time.perf_counter()
    region = generate_region(args.preset, args.seed, weeks=args.weeks, start=args.start)
    write_region(region, args.output)
    log.info("generated %s in %.2f s", region.name, time.perf_counter() - started)
    print(f"wrote {args.output}")
    print(region.summary())
    return EXIT_OK


def _warn_length_breaks(source: Path, region: Region) -> None:
    """Prints to stderr each shift that breaks a length rule on its date only (a
    night across the October clock change): it stays uncovered, agency included."""
    for found in shift_length_breaks(region):
        print(f"{source}: warning: {found}", file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    region = read_region(args.region)
    _warn_length_breaks(args.region, region)
    if args.json:
        print(json.dumps(region_facts(region), indent=2))
    else:
        print(f"{args.region}: valid")
        print(region.summary())
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .scenarios import scenario_json_schema

    schema = scenario_json_schema() if args.scenario else Region.model_json_schema()
    text = json.dumps(schema, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    return EXIT_OK


def _compile(path: Path) -> CompiledRegion:
    from .compile import compile_region

    started = time.perf_counter()
    region = read_region(path)
    compiled = compile_region(region)
    log.info("read and compiled the region in %.2f s", time.perf_counter() - started)
    return compiled


def _json_safe(value: Any) -> Any:
    """Returns ``value`` with NaN and infinite floats as None (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # NumPy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _dumps(document: Any) -> str:
    return json.dumps(_json_safe(document), indent=2, allow_nan=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_json_safe(record) for record in frame.to_dict(orient="records")]


def _table(frame: pd.DataFrame, indent: str = "  ") -> str:
    """Returns a DataFrame as aligned text, floats with two decimals."""
    if frame.empty:
        return f"{indent}(none)"
    text = frame.to_string(index=False, float_format=lambda x: f"{x:.2f}")
    return "\n".join(indent + line for line in text.splitlines())


# -- evaluate -----------------------------------------------------------------------

MAX_LISTED_VIOLATIONS = 50
"""Violations listed on the console; the rest are counted (all are in --json, -o)."""


def coverage(compiled: CompiledRegion, evaluation: Evaluation) -> dict[str, Any]:
    """Returns slots and paid hours per slot status and ANW class, as plain data."""
    import numpy as np
    from carecap.kernels.evaluate import ANW_CLASSES, SLOT_STATUSES

    arrays = compiled.arrays
    counts = np.zeros((len(SLOT_STATUSES), len(ANW_CLASSES)), dtype=np.int64)
    np.add.at(
        counts,
        (
            evaluation.slot_status.astype(np.int64),
            arrays.shift_anw[arrays.slot_shift].astype(np.int64),
        ),
        1,
    )
    result: dict[str, Any] = {}
    for status, name in enumerate(SLOT_STATUSES):
        minutes = evaluation.minutes_by_status[status]
        result[name] = {
            "slots": int(counts[status].sum()),
            "hours": float(minutes.sum()) / 60,
            "by_class": {
                anw: {"slots": int(counts[status, c]), "hours": float(minutes[c]) / 60}
                for c, anw in enumerate(ANW_CLASSES)
            },
        }
    return result


def evaluation_document(
    compiled: CompiledRegion, evaluation: Evaluation, roster: Path
) -> dict[str, Any]:
    """Returns the evaluation as a JSON-ready document (ids only, no personal data)."""
    return {
        "region": compiled.region.name,
        "roster": str(roster),
        "clean": evaluation.is_clean(),
        "summary": evaluation.summary(),
        "coverage": coverage(compiled, evaluation),
        "violations": [
            {
                "rule": v.rule,
                "staff_id": v.staff,
                "shifts": list(v.shifts),
                "detail": v.detail,
            }
            for v in evaluation.violations
        ],
    }


def _violations_csv(evaluation: Evaluation) -> str:
    return rows_text(
        ["rule", "staff_id", "shift_ids", "detail"],
        (
            [v.rule, v.staff or "", ";".join(v.shifts), v.detail]
            for v in evaluation.violations
        ),
    )


def _print_evaluation(document: dict[str, Any]) -> None:
    from carecap.kernels.evaluate import ANW_CLASSES

    summary = document["summary"]
    verdict = (
        "clean (no hard rule broken)"
        if document["clean"]
        else f"{summary['violations']} violation(s)"
    )
    print(f"Roster {document['roster']} for region {document['region']!r}: {verdict}")
    print()
    head = f"  {'coverage':<10} {'slots':>6} {'hours':>9}" + "".join(
        f" {name + ' h':>10}" for name in ANW_CLASSES
    )
    print(head)
    for status, row in document["coverage"].items():
        print(
            f"  {status:<10} {row['slots']:>6} {row['hours']:>9.2f}"
            + "".join(f" {row['by_class'][c]['hours']:>10.2f}" for c in ANW_CLASSES)
        )
    print()
    print(
        f"  costs      wage {summary['wage_cost']:.2f}, travel "
        f"{summary['travel_cost']:.2f}, agency {summary['agency_cost']:.2f}, "
        f"total {summary['total_cost']:.2f} EUR"
    )
    print(
        f"  hours      {summary['new_hours']:.2f} h new work, "
        f"{summary['beyond_contract_hours']:.2f} h above contracts (fixed and new work)"
    )

    def figure(key: str) -> str:
        value = summary.get(key)
        return "-" if value is None else f"{value:.2f}"

    print(
        "  fairness   ANW-share Gini: employees "
        f"{figure('fairness_employee_gini')}, flex pool "
        f"{figure('fairness_flex_pool_gini')}, agency {figure('fairness_agency_gini')}; "
        f"part-timers' extra hours Gini {figure('fairness_part_time_extra_gini')}"
    )
    violations = document["violations"]
    if not violations:
        return
    print()
    print(f"Violations ({len(violations)}):")
    rows = [
        (v["rule"], v["staff_id"] or "-", ", ".join(v["shifts"]) or "-", v["detail"])
        for v in violations[:MAX_LISTED_VIOLATIONS]
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    for row in rows:
        print(
            "  "
            + "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=False)
            )
            + "  "
            + row[3]
        )
    rest = len(violations) - len(rows)
    if rest > 0:
        print(f"  ... and {rest} more (all are in --json and -o output)")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from carecap.kernels.evaluate import evaluate_roster

    from .roster import check_run_pair, read_roster

    compiled = _compile(args.region)
    check_run_pair(args.roster)
    slot_assignee = read_roster(compiled, args.roster)
    started = time.perf_counter()
    evaluation = evaluate_roster(compiled, slot_assignee)
    log.info(
        "evaluated %d slot(s) in %.2f s: %d violation(s)",
        len(slot_assignee),
        time.perf_counter() - started,
        len(evaluation.violations),
    )
    document = evaluation_document(compiled, evaluation, args.roster)
    if args.output is not None:
        write_text_atomic(args.output / "evaluation.json", _dumps(document))
        write_text_atomic(args.output / "violations.csv", _violations_csv(evaluation))
    if args.json:
        sys.stdout.write(_dumps(document))
    else:
        _print_evaluation(document)
        if args.output is not None:
            print(
                f"\nwrote {args.output / 'evaluation.json'}, {args.output / 'violations.csv'}"
            )
    return EXIT_OK if evaluation.is_clean() else EXIT_FINDINGS


# -- solve --------------------------------------------------------------------------


def _cmd_solve(args: argparse.Namespace) -> int:
    import numpy as np
    import ortools
    from carecap.instances import EXAMPLE_REGION

    from .compile import compile_region
    from .cpsat.variables import NOT_PINNED
    from .params import SolveParams
    from .roster import (
        UNCOVERED,
        opened_slots,
        read_previous_roster,
        read_roster,
        write_roster,
    )
    from .solve import solve

    try:
        params = SolveParams(
            time_limit=args.time_limit,
            workers=args.workers,
            relative_gap=args.gap,
            mode=args.mode,
            deterministic=args.deterministic,
            log_progress=bool(args.verbose),
            levels=args.levels,
            strategy=args.strategy,
        )
    except (TypeError, ValueError) as error:
        print(f"carecap: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.minimal_change and args.previous is None:
        print("carecap: error: --minimal-change needs --previous", file=sys.stderr)
        return EXIT_BAD_INPUT
    path = args.region if args.region is not None else EXAMPLE_REGION
    compiled = compile_region(read_region(path))
    _warn_length_breaks(path, compiled.region)
    previous, opened, dropped = None, None, []
    if args.previous is not None:
        previous, dropped = read_previous_roster(compiled, args.previous)
        opened = opened_slots(compiled, args.previous)
    pins = None
    if args.pin is not None:
        pinned = read_roster(compiled, args.pin)
        pins = np.where(pinned == UNCOVERED, NOT_PINNED, pinned)
    try:
        result = solve(
            compiled,
            params,
            seed=args.seed,
            previous=previous,
            opened=opened,
            pins=pins,
            minimal_change=args.minimal_change,
        )
    except ValueError as error:
        if pins is None:
            raise
        raise InputError(str(args.pin), str(error).splitlines()) from None
    document = result.summary()
    document.update(
        region=str(path),
        previous_roster_dropped=dropped,
        versions={
            "carecap": carecap_version(),
            "ortools": ortools.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
    )
    if not result.is_feasible():
        # An earlier run's roster must not sit unmarked beside this summary, which
        # says there is none (issue 28): it is renamed, not deleted, since it may be
        # this run's --previous.
        stale = _mark_stale(args.output, ("roster.csv", "moves.csv"))
        write_text_atomic(
            args.output / "summary.json", _dumps({"run_id": None, **document})
        )
        print(
            f"no roster found within the limits ({result.status.value})",
            file=sys.stderr,
        )
        for old, new in stale:
            print(f"an earlier run's {old} is now {new}", file=sys.stderr)
        return EXIT_NO_SOLUTION
    from .ask import ask_list

    asked, ask_total = ask_list(compiled, result.slot_assignee)
    document.update(ask=[entry.to_dict() for entry in asked], ask_total=ask_total)
    written = [args.output / "roster.csv", args.output / "summary.json"]
    # The roster first and the summary last, both with the run id: a run cut in
    # between leaves a pair that report, evaluate and export refuse (issue 28).
    run_id = write_roster(
        compiled, result.slot_assignee, written[0], result.reasons(), run_id=True
    )
    if result.moves is not None:
        written.append(args.output / "moves.csv")
        write_text_atomic(written[-1], _moves_csv(result.moves))
    write_text_atomic(written[1], _dumps({"run_id": run_id, **document}))
    if args.report:
        from .report import write_report

        written.append(write_report(args.output, path))
    print(f"region {compiled.region.name}: {len(result.slot_assignee)} open slot(s)")
    print(result)
    for line in dropped:
        print(f"  previous roster row dropped: {line}")
    _print_ask(asked, ask_total)
    print(f"\nwrote {', '.join(str(p) for p in written)}")
    return EXIT_FINDINGS if result.findings else EXIT_OK


def _mark_stale(folder: Path, names: Sequence[str]) -> list[tuple[str, str]]:
    """Renames ``folder/NAME.csv`` to ``NAME.stale.csv`` where it exists; returns
    the (old, new) names."""
    renamed = []
    for name in names:
        path = folder / name
        if path.is_file():
            target = path.with_suffix(".stale" + path.suffix)
            path.replace(target)
            renamed.append((path.name, target.name))
    return renamed


ASK_SHOWN = 10
"""Ask-list entries printed by ``solve`` (all of them are in summary.json)."""


def _print_ask(asked: Sequence[Any], total: int) -> None:
    """Prints the head of the ask list: people who could help beyond their offer."""
    if not total:
        return
    slots = len({(entry.shift_id, entry.level, entry.now) for entry in asked})
    print(
        f"\nask list: {total} (slot, person) pair(s) could cover agency or uncovered "
        f"slots if the person agrees to more than they offered ({slots} slot(s); "
        "up to 5 per slot in summary.json)"
    )
    for entry in asked[:ASK_SHOWN]:
        print(
            f"  {entry.shift_id} {entry.level} ({entry.now}): {entry.staff_id}"
            f"{f' of {entry.organisation}' if entry.organisation else ''}, "
            f"{entry.extra_hours:g} h above desired in {entry.week}"
        )
    if len(asked) > ASK_SHOWN:
        print(f"  ... {len(asked) - ASK_SHOWN} more in summary.json")


MOVES_COLUMNS = ("shift_id", "level", "before", "after", "change", "reason")
"""Columns of moves.csv: `carecap.solve.Move`'s fields (``after`` is who covers the
slot now, ``reason`` why it stays uncovered)."""


def _moves_csv(moves: Sequence[Any]) -> str:
    return rows_text(
        list(MOVES_COLUMNS),
        ([getattr(m, column) for column in MOVES_COLUMNS] for m in moves),
    )


# -- analyze ------------------------------------------------------------------------

THINNEST_GROUPS = 10
"""Groups shown by ``analyze``."""


def _cmd_analyze(args: argparse.Namespace) -> int:
    from carecap.kernels.eligibility import eligibility

    from .analysis import capacity_analysis, thinnest_groups

    compiled = _compile(args.region)
    started = time.perf_counter()
    graph = eligibility(compiled.arrays)
    report = capacity_analysis(compiled, graph, k=args.k)
    log.info(
        "eligibility and capacity analysis in %.2f s", time.perf_counter() - started
    )
    thinnest = thinnest_groups(report, THINNEST_GROUPS)
    thin_key = f"slots_with_fewer_than_{args.k}_candidates"
    summary = {
        "region": compiled.region.name,
        "k": args.k,
        "totals": report.totals,
        "thinnest_groups": _records(thinnest),
    }
    if args.output is not None:
        for name, frame in (
            ("slots.csv", report.slots),
            ("groups.csv", report.groups),
            ("thin_slots.csv", report.thin_slots),
        ):
            write_text_atomic(args.output / name, frame_text(frame))
        write_text_atomic(args.output / "summary.json", _dumps(summary))
    if args.json:
        sys.stdout.write(_dumps(summary))
        return EXIT_OK
    totals = report.totals
    print(f"Capacity of region {compiled.region.name!r}")
    print()
    width = max(len(key) for key in totals)
    for key, value in totals.items():
        print(f"  {key:<{width}}  {value}")
    print()
    print(
        f"Thinnest {len(thinnest)} ward x day x class x level group(s) "
        "(fewest candidates per open slot):"
    )
    shown = thinnest[
        [
            "ward",
            "date",
            "anw_class",
            "level",
            "open_slots",
            "open_hours",
            "distinct_candidates",
            "candidate_spare_hours",
        ]
    ].rename(
        columns={
            "anw_class": "class",
            "distinct_candidates": "candidates",
            "candidate_spare_hours": "spare_hours",
        }
    )
    print(_table(shown))
    print()
    print(
        f"{totals[thin_key]} of {totals['open_slots']} open slot(s) have fewer than "
        f"{args.k} candidate(s); {totals['slots_without_candidates']} have none."
    )
    if args.output is not None:
        print(
            f"wrote slots.csv, groups.csv, thin_slots.csv and summary.json to {args.output}"
        )
    return EXIT_OK


# -- candidates ---------------------------------------------------------------------


def _shift_slots(
    compiled: CompiledRegion, shift_id: str, source: str
) -> list[list[int]]:
    """Returns the open slots of a shift grouped by kind (level, exact, competence).

    Slots of one kind have the same candidates; groups come in slot order.
    """
    arrays = compiled.arrays
    shift = compiled.shift_index.get(shift_id)
    if shift is None:
        raise InputError(source, [f"--shift: unknown shift {shift_id!r}"])
    kinds: dict[tuple[int, bool, int], list[int]] = {}
    for slot in (arrays.slot_shift == shift).nonzero()[0].tolist():
        key = (
            int(arrays.slot_level[slot]),
            bool(arrays.slot_exact_level[slot]),
            int(arrays.slot_competence[slot]),
        )
        kinds.setdefault(key, []).append(slot)
    if not kinds:
        raise InputError(
            source,
            [
                f"--shift: shift {shift_id!r} has no open slots (the base roster covers it)"
            ],
        )
    return list(kinds.values())


def _slot_label(compiled: CompiledRegion, slot: int) -> str:
    arrays = compiled.arrays
    label = f"N{int(arrays.slot_level[slot])}"
    if arrays.slot_exact_level[slot]:
        label += " exactly"
    bit = int(arrays.slot_competence[slot])
    if bit >= 0:
        label += f" with competence {compiled.competences[bit]!r}"
    return label


BLOCKED_TITLES = {
    "booked": "booked: already work a shift then or that day",
    "rest_blocked": "rest-blocked: too little rest around it",
    "hours_blocked": "hours-blocked: above an hours, nights or Sundays limit",
    "consent_blocked": "consent-blocked: above the hours they offered",
}
"""Console titles of the blocked groups (`carecap.analysis.BLOCKED_GROUPS`)."""


def _roster_slot(slots: list[int], roster: Any) -> int:
    """Returns the slot of a kind to list candidates for: the first one no person
    fills in the roster, else the first."""
    return next((k for k in slots if roster[k] < 0), slots[0])


def _filler_label(compiled: CompiledRegion, who: int) -> str:
    """Returns who fills a slot: a staff id, ``agency`` or ``uncovered``."""
    from .roster import AGENCY

    if who >= 0:
        return compiled.staff_ids[who]
    return "agency" if who == AGENCY else "uncovered"


def _cmd_candidates(args: argparse.Namespace) -> int:
    import numpy as np
    from carecap.kernels.candidates import insertion_violations
    from carecap.kernels.capacity import remaining_week_minutes

    from .analysis import BLOCKED_GROUPS, explain, fixed_anw_shifts, roster_candidates
    from .clock import TZ
    from .roster import UNCOVERED, read_roster

    compiled = _compile(args.region)
    source = str(args.region)
    kinds = _shift_slots(compiled, args.shift, source)
    person = None
    if args.explain is not None:
        person = compiled.staff_index.get(args.explain)
        if person is None:
            raise InputError(source, [f"--explain: unknown staff {args.explain!r}"])
    started = time.perf_counter()
    num_slots = len(compiled.arrays.slot_shift)
    roster = np.full(num_slots, UNCOVERED, dtype=np.int64)
    if args.roster is not None:
        roster = read_roster(compiled, args.roster)
    arrays = compiled.arrays
    remaining = remaining_week_minutes(arrays)
    anw = fixed_anw_shifts(compiled)
    lists = []
    for slots in kinds:
        slot = _roster_slot(slots, roster)
        found = roster_candidates(
            compiled, slot, roster, remaining=remaining, anw_shifts=anw
        )
        now = [_filler_label(compiled, int(roster[k])) for k in slots]
        entry: dict[str, Any] = {
            "slot": slot,
            "requirement": _slot_label(compiled, slot),
            "open_slots": len(slots),
            "covered_by": now,
            "eligible": len(found.ranked),
            "candidates": _records(found.ranked.head(args.top)),
            "blocked_total": {
                name: len(found.blocked[name]) for name in BLOCKED_GROUPS
            },
            "blocked": {
                name: [
                    {
                        **record,
                        "rules": record["rules"].split(", "),
                        "shifts": record["shifts"].split(", ")
                        if record["shifts"]
                        else [],
                    }
                    for record in _records(found.blocked[name].head(args.top))
                ]
                for name in BLOCKED_GROUPS
            },
            "ask_total": len(found.ask),
            "ask": _records(found.ask.head(args.top)),
        }
        if person is not None:
            entry["explain"] = _explain_entry(
                found, person, args.explain, explain(compiled, person, slot)
            )
            if person != found.filler:
                entry["explain"]["roster_violations"] = [
                    {"rule": v.rule, "shifts": list(v.shifts), "detail": v.detail}
                    for v in insertion_violations(compiled, roster, slot, person)
                ]
        lists.append(entry)
    log.info(
        "read the roster and ranked candidates in %.3f s", time.perf_counter() - started
    )

    region = compiled.region
    shift = region.shift_by_id[args.shift]
    cls = region.shift_classes[args.shift]
    document = {
        "shift_id": args.shift,
        "ward": shift.ward,
        "start": cls.start.astimezone(TZ).isoformat(),
        "end": cls.end.astimezone(TZ).isoformat(),
        "anw_class": cls.anw_class.value,
        "roster": None if args.roster is None else str(args.roster),
        "slots": lists,
    }
    if args.json:
        sys.stdout.write(_dumps(document))
        return EXIT_OK
    start, end = cls.start.astimezone(TZ), cls.end.astimezone(TZ)
    print(
        f"Shift {args.shift} (ward {shift.ward}, {start:%a %Y-%m-%d %H:%M}-{end:%H:%M}, "
        f"{cls.anw_class.value})"
    )
    print(
        "Against the base roster alone"
        if args.roster is None
        else f"Against the roster {args.roster}"
    )
    for entry in lists:
        _print_candidates(entry, args)
    return EXIT_OK


def _explain_entry(
    found: Any, person: int, staff_id: str, reasons: list[str]
) -> dict[str, Any]:
    """Returns the --explain verdict of one person for one slot: rank, the list the
    person is in (``candidate``, a `carecap.analysis.BLOCKED_GROUPS` name, ``ask``,
    ``fills_it_now`` or ``not_a_candidate``) and the base-roster reasons."""
    ranked = found.ranked.index[found.ranked["staff_id"] == staff_id].tolist()
    group = "candidate" if ranked else "not_a_candidate"
    if person == found.filler:
        group = "fills_it_now"
    for name, frame in (*found.blocked.items(), ("ask", found.ask)):
        if (frame["staff_id"] == staff_id).any():
            group = name
    return {
        "staff_id": staff_id,
        "eligible": bool(ranked),
        "rank": ranked[0] + 1 if ranked else None,
        "group": group,
        "reasons": [] if ranked else reasons,
    }


def _shown(total: int, shown: list[Any]) -> str:
    return f"{total}, showing {len(shown)}" if shown else str(total)


def _print_candidates(entry: dict[str, Any], args: argparse.Namespace) -> None:
    """Prints the lists of one kind of slot (`_cmd_candidates`)."""
    import re
    from collections import Counter

    import pandas as pd

    from .analysis import ASK_COLUMNS, BLOCKED_COLUMNS

    now = Counter(entry["covered_by"])
    print()
    print(
        f"{entry['open_slots']} open slot(s) needing {entry['requirement']} (now "
        + ", ".join(f"{who} {n}" for who, n in sorted(now.items()))
        + f"): {entry['eligible']} eligible, showing {len(entry['candidates'])}"
    )
    print(_table(_candidate_frame(entry["candidates"])))
    for name, title in BLOCKED_TITLES.items():
        people = entry["blocked"][name]
        total = entry["blocked_total"][name]
        print(f"{title} ({_shown(total, people)})")
        if people:
            frame = pd.DataFrame(
                [
                    {
                        **p,
                        "rules": ",".join(p["rules"]),
                        "shifts": ",".join(p["shifts"]),
                    }
                    for p in people
                ],
                columns=BLOCKED_COLUMNS,
            )
            print(_table(frame.drop(columns=["employment", "organisation"])))
    print(
        "ask: outside the candidate pool, could take it if they agreed "
        f"({_shown(entry['ask_total'], entry['ask'])})"
    )
    if entry["ask"]:
        print(_table(pd.DataFrame(entry["ask"], columns=ASK_COLUMNS)))
    if "explain" in entry:
        verdict = entry["explain"]
        staff_id = verdict["staff_id"]
        if verdict["eligible"]:
            print(
                f"  {staff_id} is eligible (rank {verdict['rank']} of "
                f"{entry['eligible']})."
            )
        elif verdict["group"] == "fills_it_now":
            print(f"  {staff_id} fills this slot in the roster.")
        else:
            print(f"  {staff_id} may not take it:")
            for reason in verdict["reasons"]:
                print(f"    - {reason}")
            said = {
                rule
                for reason in verdict["reasons"]
                for rule in re.findall(r"\b(H\d+|SUN|CONSENT)\b", reason)
            }
            for v in verdict.get("roster_violations", []):
                if v["rule"] in said:
                    continue
                shifts = f" ({', '.join(v['shifts'])})" if v["shifts"] else ""
                print(f"    - {v['rule']} with the roster: {v['detail']}{shifts}")
            if verdict["group"] == "ask":
                print(
                    f"  {staff_id} could take it if they agreed (breaks only CONSENT)."
                )


def _candidate_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Returns candidate records as a DataFrame in `CANDIDATE_COLUMNS` order."""
    import pandas as pd

    from .analysis import CANDIDATE_COLUMNS

    return pd.DataFrame(records, columns=CANDIDATE_COLUMNS)


def region_facts(region: Region) -> dict[str, object]:
    """Returns the headline counts of a region as plain data (no personal data)."""
    classes = region.shift_classes
    open_hours: dict[str, float] = {}
    for slot in region.open_slots:
        name = classes[slot.shift].anw_class.value
        open_hours[name] = (
            open_hours.get(name, 0.0) + classes[slot.shift].paid_minutes / 60
        )
    return {
        "name": region.name,
        "format_version": region.format_version,
        "horizon_start": region.horizon.start.isoformat(),
        "weeks": region.horizon.weeks,
        "organisations": len(region.organisations),
        "wards": len(region.wards),
        "staff": len(region.staff),
        "shifts": len(region.shifts),
        "base_roster": len(region.base_roster),
        "open_slots": len(region.open_slots),
        "open_hours_by_class": {k: round(v, 2) for k, v in sorted(open_hours.items())},
    }


# -- simulate -----------------------------------------------------------------------


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import NATIONAL_ABSENCE_RATE, simulate

    region = read_region(args.region)
    absence = {"sector": None, "national": NATIONAL_ABSENCE_RATE}.get(
        args.absence_rate, args.absence_rate
    )
    started = time.perf_counter()
    try:
        result = simulate(
            region,
            samples=args.samples,
            seed=args.seed,
            pool_sizes=args.pool_sizes,
            absence=absence,
            workers=args.workers,
        )
    except ValueError as error:  # e.g. a larger pool in a region without one
        print(f"{args.region}: --pool-sizes: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    log.info("simulated in %.2f s", time.perf_counter() - started)
    frame = result.to_frame()
    recommended = (
        result.smallest_pool(args.target_p95_uncovered)
        if args.target_p95_uncovered is not None
        else None
    )
    document = {
        "region": region.name,
        "samples": result.samples,
        "seed": result.seed,
        "absence": result.absence,
        "outcomes": _records(frame),
        "target_p95_uncovered_hours": args.target_p95_uncovered,
        "smallest_pool_meeting_target": recommended,
    }
    if args.output is not None:
        write_text_atomic(args.output / "simulation.csv", frame_text(frame))
        write_text_atomic(args.output / "simulation.json", _dumps(document))
    if args.json:
        sys.stdout.write(_dumps(document))
        return EXIT_OK
    print(
        f"Sickness simulation of region {region.name!r}: {result.samples} sampled "
        f"horizon(s) per pool size, absence {result.absence}, seed {result.seed}"
    )
    shown = frame[
        [
            "pool_size",
            "open_hours_mean",
            "agency_hours_p50",
            "agency_hours_p95",
            "uncovered_hours_p50",
            "uncovered_hours_p95",
        ]
    ]
    print(_table(shown))
    if args.target_p95_uncovered is not None:
        if recommended is None:
            print(
                f"No pool size tried keeps P95 uncovered hours at or below "
                f"{args.target_p95_uncovered:g}."
            )
        else:
            print(
                f"Smallest pool with P95 uncovered hours <= "
                f"{args.target_p95_uncovered:g}: {recommended}"
            )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns
    -------
    int
        The exit code (see the module docstring).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    # -v and -vv open carecap's own loggers only: at DEBUG on the root, Numba and
    # matplotlib would write megabytes of their internals.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Without -v they follow the root logger (WARNING), as callers' settings say.
    level = (
        logging.DEBUG
        if args.verbose >= 2
        else logging.INFO
        if args.verbose
        else logging.NOTSET
    )
    for name in CARECAP_LOGGERS:
        logging.getLogger(name).setLevel(level)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except InputError as error:
        for line in str(error).splitlines():
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        # An output path that cannot be written is a usage problem, not a bug.
        print(f"carecap: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Ctrl-C ends the whole run (issue 28): results are written only at the end,
        # so none of this run's is there; a pair cut while being written is told
        # apart by its run id.
        print(
            "carecap: interrupted; the run stopped before it finished",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

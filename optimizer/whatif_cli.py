"""``carecap whatif``: the baseline and every scenario of a file, side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``whatif`` subcommand."""
    from .cli import positive_int, seed_int

    parser = subparsers.add_parser(
        "whatif",
        help="compare 'meer uren', flex-pool, absence and agency scenarios",
        description=(
            "Solve the region and every scenario of a scenario file (YAML or JSON) "
            "with the same settings and seed, and compare them: uncovered and agency "
            "hours, agency cost, extra hours offered against those that landed in "
            "open (ANW) shifts, flex-pool utilisation, ANW share per employment type "
            "and the FTE equivalent of the gain (1 FTE = 36 h/week), each as value "
            "and delta to the baseline. Writes whatif.csv, whatif.parquet (with carecap[parquet]) and "
            "whatif.json. Exit 0; 2 on bad input; 3 when a run found no roster."
        ),
    )
    parser.add_argument("region", type=Path, help="region JSON file")
    parser.add_argument("scenarios", type=Path, help="scenario file (YAML or JSON)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        required=True,
        help="directory for whatif.csv, whatif.parquet and whatif.json",
    )
    parser.add_argument(
        "--seed", type=seed_int, default=0, metavar="N", help="random seed (default 0)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds per solve (default 30)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        metavar="N",
        help="CP-SAT workers (default 2)",
    )
    parser.add_argument(
        "--deterministic",
        action="store_true",
        help="deterministic time limit and search: the same table every run",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="screen with the greedy filler instead of CP-SAT (said in the output)",
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        help="run only this scenario (repeatable)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON document"
    )
    parser.set_defaults(handler=_cmd_whatif)


def _cmd_whatif(args: argparse.Namespace) -> int:
    from .cli import EXIT_BAD_INPUT, EXIT_NO_SOLUTION, EXIT_OK, _dumps
    from .exceptions import InputError
    from .io import read_region, write_text_atomic
    from .params import SolveParams
    from .scenarios import read_scenarios
    from .whatif import QUICK_NOTE, console_table, run_whatif, write_table

    try:
        params = SolveParams(
            time_limit=args.time_limit,
            workers=args.workers,
            deterministic=args.deterministic,
        )
    except (TypeError, ValueError) as error:
        print(f"carecap: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    region = read_region(args.region)
    scenario_file = read_scenarios(args.scenarios)
    scenarios = list(scenario_file.scenarios)
    if args.only:
        known = {s.name for s in scenarios}
        unknown = [name for name in args.only if name not in known]
        if unknown:
            raise InputError(
                str(args.scenarios),
                [f"--only: unknown scenario {name!r}" for name in unknown],
            )
        scenarios = [s for s in scenarios if s.name in args.only]
    backend = "greedy" if args.quick else "cpsat"
    result = run_whatif(
        region,
        scenarios,
        params,
        seed=args.seed,
        backend=backend,
        source=str(args.scenarios),
    )
    document = result.to_document()
    document["region_file"] = str(args.region)
    document["scenario_file"] = str(args.scenarios)
    tables = write_table(result.to_frame(), args.output, "whatif")
    write_text_atomic(args.output / "whatif.json", _dumps(document))
    if args.json:
        sys.stdout.write(_dumps(document))
    else:
        print(
            f"What-if for region {result.region!r}: baseline and "
            f"{len(scenarios)} scenario(s), {backend}, seed {result.seed}"
        )
        if result.quick:
            print(f"NOTE: {QUICK_NOTE}")
        print()
        print(console_table(result))
        print()
        print(
            "Values are totals over the horizon; (deltas) are to the baseline; "
            "FTE = 36 h/week."
        )
        for applied in result.applied:
            for report in applied.changes:
                print(f"  {applied.name}: {report.summary}")
            for note in applied.notes:
                print(f"  {applied.name}: note: {note}")
        names = ", ".join(path.name for path in tables)
        print(f"\nwrote {names} and whatif.json to {args.output}")
    solved = all(row["status"] in ("OPTIMAL", "FEASIBLE") for row in result.rows)
    return EXIT_OK if solved else EXIT_NO_SOLUTION

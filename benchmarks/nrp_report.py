"""Curtois & Qu benchmark table: carecap against the published results and the plain
CP-SAT baseline, side by side at equal time and workers.

Usage (from the repository root)::

    .venv/bin/python benchmarks/nrp_report.py --write
    .venv/bin/python benchmarks/nrp_report.py --instances 5,7 --results r.json --write
    .venv/bin/python benchmarks/nrp_report.py --instances 10,11,12,13,15,16 --time-limit 600 --early 60 --no-plain --marker nrp-report-600 --write
    .venv/bin/python benchmarks/nrp_report.py --instances 18,20,21,22,23,24 --marker nrp-report-long --write
    .venv/bin/python benchmarks/nrp_report.py --instances 5,7,8 --seeds 0-7 --marker nrp-report-seeds --write

Each instance is solved once by ``carecap nrp`` (`carecap.nrp.solve_nrp`) with the
time limit (60 s) and once by the plain model (`nrp_plain`); the objective "after
10 s" is the best penalty the 60 s carecap run had found 10 s in. ``--results``
keeps the rows of earlier runs, so instances can be run one call at a time (one
instance at a time keeps the two solvers from sharing the cores). ``--write``
replaces the table between the ``--marker`` comments (``nrp-report`` by default) of
``benchmarks/README.md``.

With ``--seeds`` each instance is solved by carecap once per seed (no plain model),
and the table gives the spread of the final penalties: repeated runs of one
instance differ (CP-SAT's threads and the neighbourhood search race each other),
and on some instances by more than a target's margin.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import ortools

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from carecap.io import write_text_atomic  # noqa: E402
from carecap.nrp import read_nrp, solve_nrp  # noqa: E402
from nrp_plain import solve_plain  # noqa: E402
from readme_section import replace_section  # noqa: E402

CURTOIS = ROOT.parent / "shared" / "benchmarks" / "curtois"
"""The shared benchmark folder (``../shared/benchmarks/curtois``)."""

README = ROOT / "benchmarks" / "README.md"

DEFAULT_INSTANCES = (1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 13, 15, 16)
"""The instances of the issue's targets (up to 56 days); the longer ones (18-24,
84 to 364 days) are left to explicit ``--instances``."""


def best_known() -> dict[str, dict[str, str]]:
    """Returns the rows of ``best_known.csv`` by instance name."""
    with (CURTOIS / "best_known.csv").open(newline="") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


def objective_at(history: list, seconds: float) -> float:
    """Returns the best penalty found within ``seconds`` (inf when none)."""
    found = [value for t, value, _ in history if t <= seconds]
    return min(found) if found else math.inf


def run_instance(
    number: int, time_limit: float, early: float, workers: int, seed: int, plain: bool
) -> dict:
    """Solves one instance with carecap and (optionally) the plain model."""
    name = f"Instance{number}"
    instance = read_nrp(CURTOIS / f"{name}.txt")
    started = time.perf_counter()
    result = solve_nrp(instance, time_limit=time_limit, workers=workers, seed=seed)
    row = {
        "instance": name,
        "days": instance.num_days,
        "employees": instance.num_employees,
        "types": instance.num_shift_types,
        "early_s": early,
        "limit_s": time_limit,
        "early": objective_at(result.history, early),
        "final": result.objective,
        "bound": result.bound,
        "time_to_best_s": round(result.time_to_best, 1),
        "legal": result.is_feasible(),
        "seconds_total": round(time.perf_counter() - started, 1),
        "load": os.getloadavg()[0],
        "seed": seed,
    }
    if plain:
        baseline = solve_plain(
            instance, time_limit=time_limit, workers=workers, seed=seed
        )
        row["plain"] = baseline.objective
        row["plain_bound"] = baseline.bound
    return row


def parse_seeds(text: str) -> list[int]:
    """Returns the seeds of ``"0-7"`` or ``"0,3,5"`` (or a mix)."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def _number(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _machine(workers: int) -> str:
    """Returns the machine line's start: the machine, the versions, the workers."""
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, CPython "
        f"{platform.python_version()}, OR-Tools {ortools.__version__}; {workers} "
        "CP-SAT workers"
    )


def render(rows: list[dict], workers: int, seed: int) -> str:
    """Returns the markdown table (with the machine line) of the result rows."""
    known = best_known()
    loads = [r["load"] for r in rows]
    early = _number(float(rows[0]["early_s"]))
    limit = _number(float(rows[0]["limit_s"]))
    plain = any("plain" in r for r in rows)
    lines = [
        f"{_machine(workers)}, seed {seed}; 1-minute load average {min(loads):.1f}-"
        f"{max(loads):.1f} at the end of the runs. One run per instance"
        + (", carecap then the plain model" if plain else "")
        + f', one instance at a time. "{early} s" is what the {limit} s carecap '
        f"run had found after {early} s.",
        "",
        f"| instance | days x staff x types | carecap {early} s | carecap {limit} s "
        "| bound | best known | published LB | gap to best known |"
        + (f" plain model {limit} s |" if plain else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|" if plain else ""),
    ]
    for row in sorted(rows, key=lambda r: int(r["instance"].removeprefix("Instance"))):
        ref = known.get(row["instance"], {})
        best = float(ref["best_upper_bound"]) if ref.get("best_upper_bound") else None
        gap = (
            f"{(row['final'] - best) / best:.1%}"
            if best and math.isfinite(row["final"])
            else "-"
        )
        lines.append(
            f"| {row['instance'].removeprefix('Instance')} "
            f"| {row['days']} x {row['employees']} x {row['types']} "
            f"| {_number(row['early'])} | {_number(row['final'])} "
            f"| {_number(row['bound'])} | {ref.get('best_upper_bound') or '-'} "
            f"| {ref.get('best_lower_bound') or '-'} | {gap} |"
            + (f" {_number(row.get('plain'))} |" if plain else "")
        )
    return "\n".join(lines)


def render_spread(
    rows: list[dict], workers: int, known: dict[str, dict[str, str]]
) -> str:
    """Returns the markdown table of repeated runs (one row per instance: the
    spread of the final penalties over the seeds, and each run's penalty)."""
    loads = [r["load"] for r in rows]
    limit = _number(float(rows[0]["limit_s"]))
    by_instance: dict[str, list[dict]] = {}
    for row in rows:
        by_instance.setdefault(row["instance"], []).append(row)
    lines = [
        f"{_machine(workers)}, {limit} s per run, one run at a time; 1-minute load "
        f"average {min(loads):.1f}-{max(loads):.1f} at the end of the runs.",
        "",
        "| instance | best known | runs | best | median | worst "
        "| within 2 % | within 5 % | penalty per seed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in sorted(by_instance, key=lambda n: int(n.removeprefix("Instance"))):
        runs = sorted(by_instance[name], key=lambda r: r["seed"])
        finals = np.array([r["final"] for r in runs], dtype=float)
        ref = known.get(name, {}).get("best_upper_bound")
        best = float(ref) if ref else math.nan
        within = [
            f"{int((finals <= best * (1 + share)).sum())} of {len(runs)}"
            if ref
            else "-"
            for share in (0.02, 0.05)
        ]
        per_seed = ", ".join(f"{_number(r['final'])} ({r['seed']})" for r in runs)
        lines.append(
            f"| {name.removeprefix('Instance')} | {ref or '-'} | {len(runs)} "
            f"| {_number(finals.min())} | {_number(float(np.median(finals)))} "
            f"| {_number(finals.max())} | {within[0]} | {within[1]} | {per_seed} |"
        )
    return "\n".join(lines)


def _key(row: dict, seeds: list[int] | None) -> str:
    """Returns a result row's key: one row per instance, or per instance and seed
    in a spread table."""
    return f"{row['instance']}#{row.get('seed', 0)}" if seeds else row["instance"]


def write_readme(table: str, marker: str) -> None:
    """Replaces the text between the ``marker`` comments of benchmarks/README.md."""
    replace_section(README, f"<!-- {marker}:start -->", f"<!-- {marker}:end -->", table)


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark and prints (and with --write, stores) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances",
        default=",".join(map(str, DEFAULT_INSTANCES)),
        help="comma-separated instance numbers",
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--early", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds",
        type=parse_seeds,
        help="repeated carecap runs, one per seed (0-7 or 0,3,5): a spread table",
    )
    parser.add_argument("--no-plain", action="store_true", help="skip the baseline")
    parser.add_argument(
        "--results", type=Path, help="JSON file of rows, kept across calls"
    )
    parser.add_argument("--write", action="store_true", help="update the README")
    parser.add_argument(
        "--marker",
        default="nrp-report",
        help="README markers of the table (nrp-report-600 for the 600 s runs)",
    )
    args = parser.parse_args(argv)
    if not CURTOIS.is_dir():
        print(f"{CURTOIS} is absent; nothing to run", file=sys.stderr)
        return 0
    rows: dict[str, dict] = {}
    if args.results and args.results.exists():
        rows = {_key(r, args.seeds): r for r in json.loads(args.results.read_text())}
    numbers = [int(n) for n in args.instances.split(",") if n]
    runs = [(n, seed) for n in numbers for seed in (args.seeds or [args.seed])]
    for number, seed in runs:
        row = run_instance(
            number,
            args.time_limit,
            args.early,
            args.workers,
            seed,
            not (args.no_plain or args.seeds),
        )
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows[_key(row, args.seeds)] = row
        if args.results:
            # Rows of earlier calls live in this file too: a run stopped during
            # the write must not lose them.
            write_text_atomic(args.results, json.dumps(list(rows.values()), indent=1))
    if args.seeds:
        table = render_spread(list(rows.values()), args.workers, best_known())
    else:
        table = render(list(rows.values()), args.workers, args.seed)
    print(table)
    if args.write:
        write_readme(table, args.marker)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Are the solver's rosters clean under the rule book? Generated regions in awkward weeks.

Usage: ``python benchmarks/rules_report.py [--sizes M,L] [--seeds 1-5]
[--time-limit 60] [--workers 2] [--write]``.

For each preset, generator seed and start week (`WEEKS`: an ordinary week, the autumn
DST switch, King's Day, Ascension, Christmas) it generates the region, solves it,
writes the roster CSV, reads it back, and evaluates what it read, as
``carecap solve`` then ``carecap evaluate`` would: a roster is clean when the
evaluator finds no violation. Cleanliness needs no optimality, so the time limit is
short. Prints a Markdown table (one row per run, then a count per size) and, with
``--write``, replaces the rules section of ``benchmarks/README.md``. The S preset
runs in the default test run (``tests/optimizer/test_rules_clean.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script, this folder comes first on the path, not the repository.
    sys.path.insert(0, str(ROOT))

from readme_section import replace_section  # noqa: E402 (needs the path above)

README = Path(__file__).parent / "README.md"
BEGIN = "<!-- rules-report:start -->"
END = "<!-- rules-report:end -->"

WEEKS = {
    "2026-03-23": "ordinary",
    "2026-10-19": "DST (25 Oct)",
    "2026-04-27": "King's Day",
    "2026-05-11": "Ascension",
    "2026-12-21": "Christmas",
}
"""Start Mondays of the report, with what makes each week awkward."""

SOLVER_SEED = 1


@dataclass(frozen=True)
class RulesRow:
    """One solve: what was run and what the evaluator found on the read-back roster."""

    size: str
    seed: int
    start: str
    status: str
    seconds: float
    filled: int
    agency: int
    uncovered: int
    violations: dict[str, int]


def measure(
    size: str, seed: int, start: str, time_limit: float, workers: int
) -> RulesRow:
    """Generates, solves, writes, reads back and evaluates one region."""
    import numpy as np
    from carecap.compile import compile_region
    from carecap.instances.generator import generate_region
    from carecap.kernels.evaluate import AGENCY, UNCOVERED, evaluate_roster
    from carecap.params import SolveParams
    from carecap.roster import read_roster, write_roster
    from carecap.solve import solve

    region = generate_region(size, seed, start=dt.date.fromisoformat(start))
    compiled = compile_region(region)
    began = time.perf_counter()
    params = SolveParams(time_limit=time_limit, workers=workers)
    result = solve(compiled, params, seed=SOLVER_SEED, check=False)
    seconds = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        write_roster(compiled, result.slot_assignee, path)
        read_back = read_roster(compiled, path)
    evaluation = evaluate_roster(compiled, read_back)
    found = Counter(v.rule for v in evaluation.violations)
    if not np.array_equal(read_back, result.slot_assignee):
        found["read-back differs"] += 1
    return RulesRow(
        size=size,
        seed=seed,
        start=start,
        status=result.status.value,
        seconds=seconds,
        filled=int(np.count_nonzero(read_back >= 0)),
        agency=int(np.count_nonzero(read_back == AGENCY)),
        uncovered=int(np.count_nonzero(read_back == UNCOVERED)),
        violations=dict(sorted(found.items())),
    )


def build_section(rows: list[RulesRow], time_limit: float, workers: int) -> str:
    """Returns the Markdown of the rules section: a summary and one row per run."""
    lines = [
        f"CP-SAT seed {SOLVER_SEED}, {workers} worker(s), time limit {time_limit:g} s; "
        "each roster written to CSV, read back and evaluated.",
        "",
        "| size | runs | clean | violations |",
        "|---|---|---|---|",
    ]
    for size in dict.fromkeys(r.size for r in rows):
        mine = [r for r in rows if r.size == size]
        clean = sum(not r.violations for r in mine)
        total: Counter[str] = Counter()
        for r in mine:
            total.update(r.violations)
        found = ", ".join(f"{k} {v}" for k, v in sorted(total.items())) or "none"
        lines.append(f"| {size} | {len(mine)} | {clean} | {found} |")
    lines += [
        "",
        "| size | seed | week | status | solve | filled / agency / uncovered "
        "| violations |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        found = ", ".join(f"{k} {v}" for k, v in r.violations.items()) or "none"
        lines.append(
            f"| {r.size} | {r.seed} | {r.start} ({WEEKS.get(r.start, '')}) | "
            f"{r.status} | {r.seconds:.1f} s | {r.filled} / {r.agency} / "
            f"{r.uncovered} | {found} |"
        )
    return "\n".join(lines)


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    """Runs the report; ``--write`` puts it into benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="M,L", help="presets, e.g. M,L")
    parser.add_argument("--seeds", default="1-5", help="generator seeds, e.g. 1-5")
    parser.add_argument("--weeks", default=",".join(WEEKS), help="start Mondays")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument(
        "--write", action="store_true", help="update benchmarks/README.md"
    )
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        for seed in _seeds(args.seeds):
            for start in args.weeks.split(","):
                row = measure(size, seed, start, args.time_limit, args.workers)
                print(row, file=sys.stderr, flush=True)
                rows.append(row)
    section = build_section(rows, args.time_limit, args.workers)
    print(section)
    if args.write:
        replace_section(README, BEGIN, END, section)


if __name__ == "__main__":
    main()

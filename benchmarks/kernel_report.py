"""Time the kernels against their NumPy references, and Numba's compile times.

Usage: ``python benchmarks/kernel_report.py [--sizes S,M,L] [--repeats 7] [--write]``.

Each timing is the median of ``--repeats`` calls after one warm-up call (so JIT
compilation is never in it), measured with `time.perf_counter` on seeded generated
regions. Compile times are measured apart, in fresh processes that share an empty
``NUMBA_CACHE_DIR``: the first process compiles every kernel (cold), the second loads
them from that cache. Prints a Markdown table and, with ``--write``, replaces the
kernel section of ``benchmarks/README.md``.

The helpers here (`random_roster`, `absence_rates`, `sick_share`) are shared with the
pytest-benchmark suite (``benchmarks/conftest.py``), so both time the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # The NumPy references live in the test tree (tests/kernels/reference.py).
    sys.path.insert(0, str(ROOT))

from readme_section import replace_section  # noqa: E402 (needs the path above)

README = Path(__file__).parent / "README.md"
BEGIN = "<!-- kernel-report:begin -->"
END = "<!-- kernel-report:end -->"

SEED = 1
"""Seed of every generated region, roster and sickness sample."""

SIZES = ("S", "M", "L")
"""Presets in the report by default (XL: ``--sizes S,M,L,XL``)."""

FILL_SHARE = 0.6
"""Share of the open slots the random roster tries to fill."""

SICK_WEEKS = 10_000
"""Sampled sickness weeks of M (the Monte-Carlo's sample count)."""

TARGET_ELIGIBILITY_SPEEDUP = 20.0
"""Issue 3: eligibility at least this many times faster than the NumPy reference."""

TARGET_ELIGIBILITY_L_SECONDS = 1.0
"""Issue 3: eligibility on L under this many seconds after compilation."""

TARGET_EVALUATION_L_SECONDS = 0.010
"""Issue 3: full evaluation of an L roster under this many seconds."""

TARGET_MONTECARLO_M_SECONDS = 30.0
"""Issue 3: 10,000 Monte-Carlo weeks of M under this many seconds."""


# ---------------------------------------------------------------------------
# Shared helpers (also used by benchmarks/conftest.py)
# ---------------------------------------------------------------------------


def random_roster(
    graph: Any, num_slots: int, share: float = FILL_SHARE, seed: int = SEED
) -> np.ndarray:
    """Returns a roster filling about ``share`` of the slots with random eligible people.

    Each slot is picked with probability ``share``; a picked slot with at least one
    eligible person gets one of them uniformly at random, the others stay uncovered
    (-1). People may be drawn for several slots, so the roster breaks rules (the
    evaluator's violation path is timed too).
    """
    rng = np.random.default_rng(seed)
    counts = np.diff(graph.slot_ptr)
    picked = np.flatnonzero((rng.random(num_slots) < share) & (counts > 0))
    offset = (rng.random(picked.size) * counts[picked]).astype(np.int64)
    roster = np.full(num_slots, -1, dtype=np.int64)
    roster[picked] = graph.staff_idx[graph.slot_ptr[picked] + offset]
    return roster


def absence_rates(compiled: Any) -> np.ndarray:
    """Returns each person's absence rate by employer sector; 0 for agency staff."""
    from carecap.domain import Employment
    from carecap.instances.presets import ABSENCE_RATE

    region = compiled.region
    sector = {org.id: org.sector for org in region.organisations}
    return np.array(
        [
            0.0
            if person.employment is Employment.AGENCY or person.organisation is None
            else ABSENCE_RATE[sector[person.organisation]]
            for person in region.staff
        ]
    )


def sick_share(masks: np.ndarray, num_days: int) -> float:
    """Returns the share of set day bits in ``masks`` (sampled sick person-days)."""
    sick = sum(
        int(np.count_nonzero((masks >> np.uint64(day)) & np.uint64(1)))
        for day in range(num_days)
    )
    return sick / (masks.size * num_days)


def median_seconds(
    fn: Callable[[], Any], repeats: int, warmup: int = 1
) -> tuple[float, Any]:
    """Returns the median seconds of ``repeats`` calls after ``warmup``, and the result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the kernel table."""

    kernel: str
    size: str
    seconds: float | None
    reference_seconds: float | None = None
    pairs_per_second: float | None = None
    target: str = ""


@dataclass
class SizeFacts:
    """What one generated region holds: the work behind its timings."""

    size: str
    staff: int
    candidates: int
    slots: int
    eligible_pairs: int
    conflict_pairs: int
    filled: int
    violations: int


def measure_size(size: str, repeats: int) -> tuple[list[Row], SizeFacts]:
    """Returns the rows of one preset, each kernel checked against its reference."""
    from carecap.compile import compile_region
    from carecap.instances import generate_region
    from carecap.kernels.conflicts import shift_conflicts
    from carecap.kernels.eligibility import default_candidates, eligibility
    from carecap.kernels.evaluate import evaluate_roster

    from tests.kernels import reference

    region = generate_region(size, SEED)
    compile_s, compiled = median_seconds(
        lambda: compile_region(region), repeats=min(repeats, 3)
    )
    arrays = compiled.arrays
    num_slots = len(arrays.slot_shift)
    num_candidates = int(np.count_nonzero(default_candidates(arrays)))

    elig_s, graph = median_seconds(lambda: eligibility(arrays), repeats)
    ref_s, ref = median_seconds(lambda: reference.eligibility(arrays), repeats)
    np.testing.assert_array_equal(graph.slot_ptr, ref[0])
    np.testing.assert_array_equal(graph.staff_idx, ref[1])
    np.testing.assert_allclose(graph.cost, ref[3], rtol=1e-12, atol=1e-12)

    conf_s, pairs = median_seconds(lambda: shift_conflicts(arrays), repeats)
    ref_conf_s, ref_pairs = median_seconds(
        lambda: reference.shift_conflicts(arrays), repeats
    )
    np.testing.assert_array_equal(pairs[0], ref_pairs[0])
    np.testing.assert_array_equal(pairs[1], ref_pairs[1])

    uncovered = np.full(num_slots, -1, dtype=np.int64)
    empty_s, empty = median_seconds(
        lambda: evaluate_roster(compiled, uncovered), repeats
    )
    assert empty.num_uncovered == num_slots and not empty.violations
    roster = random_roster(graph, num_slots)
    filled_s, filled = median_seconds(
        lambda: evaluate_roster(compiled, roster), repeats
    )
    assert filled.num_filled == int(np.count_nonzero(roster >= 0))

    speedup = ref_s / elig_s
    elig_target = f"≥ {TARGET_ELIGIBILITY_SPEEDUP:g}x: {_verdict(speedup >= TARGET_ELIGIBILITY_SPEEDUP)}"
    eval_target = ""
    fill_target = ""
    if size == "L":
        elig_target += (
            f"; < {TARGET_ELIGIBILITY_L_SECONDS:g} s: "
            f"{_verdict(elig_s < TARGET_ELIGIBILITY_L_SECONDS)}"
        )
        limit = TARGET_EVALUATION_L_SECONDS
        eval_target = f"< {limit * 1e3:g} ms: {_verdict(empty_s < limit)}"
        fill_target = f"< {limit * 1e3:g} ms: {_verdict(filled_s < limit)}"
    rows = [
        Row("compile region to arrays", size, compile_s),
        Row(
            "eligibility",
            size,
            elig_s,
            ref_s,
            num_slots * num_candidates / elig_s,
            elig_target,
        ),
        Row("shift conflicts", size, conf_s, ref_conf_s),
        Row("evaluation, all slots uncovered", size, empty_s, target=eval_target),
        Row("evaluation, random 60 % roster", size, filled_s, target=fill_target),
    ]
    facts = SizeFacts(
        size=size,
        staff=len(arrays.staff_level),
        candidates=num_candidates,
        slots=num_slots,
        eligible_pairs=graph.num_pairs,
        conflict_pairs=len(pairs[0]),
        filled=filled.num_filled,
        violations=len(filled.violations),
    )
    return rows, facts


def measure_sickness(repeats: int) -> Row:
    """Returns the row of sampling 10,000 sickness weeks for M's staff."""
    from carecap.compile import compile_region
    from carecap.instances import generate_region
    from carecap.kernels.sickness import sample_sick_days

    compiled = compile_region(generate_region("M", SEED))
    rates = absence_rates(compiled)
    seconds, masks = median_seconds(
        lambda: sample_sick_days(SEED, SICK_WEEKS, rates, 7), min(repeats, 3)
    )
    expected = float(rates.mean())
    assert abs(sick_share(masks, 7) - expected) < 0.1 * expected
    return Row(f"sickness sampling, {SICK_WEEKS:,} weeks", "M", seconds)


def measure_montecarlo() -> float:
    """Returns the seconds of 10,000 sickness weeks of M, each refilled greedily.

    Timed from the region to the result, universe and eligibility included, after a
    short run that compiles the kernels.
    """
    from carecap.instances import generate_region
    from carecap.simulate import simulate

    region = generate_region("M", SEED)
    simulate(region, samples=10, seed=SEED)
    started = time.perf_counter()
    simulate(region, samples=SICK_WEEKS, seed=SEED, workers=2)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------
# Compile times (fresh processes, one shared empty cache directory)
# ---------------------------------------------------------------------------

KERNELS = ("eligibility", "shift conflicts", "evaluation", "capacity", "sickness")
"""Kernels whose first call is timed in a fresh process, in this order."""


def _child() -> None:
    """Prints, as JSON, the first and second call time of each kernel on example S."""
    from carecap.compile import compile_region
    from carecap.instances import EXAMPLE_REGION
    from carecap.io import read_region
    from carecap.kernels.capacity import group_supply, remaining_week_minutes
    from carecap.kernels.conflicts import shift_conflicts
    from carecap.kernels.eligibility import eligibility
    from carecap.kernels.evaluate import evaluate_roster
    from carecap.kernels.sickness import sample_sick_days

    compiled = compile_region(read_region(EXAMPLE_REGION))
    arrays = compiled.arrays
    num_slots = len(arrays.slot_shift)
    state: dict[str, Any] = {}  # the eligibility graph, for the capacity kernel

    def capacity() -> Any:
        remaining = remaining_week_minutes(arrays)
        return group_supply(
            arrays.slot_shift,
            state["graph"].slot_ptr,
            state["graph"].staff_idx,
            arrays.shift_week[arrays.slot_shift],
            remaining,
            len(arrays.shift_start),
        )

    rates = np.full(len(arrays.staff_level), 0.057)
    calls = {
        "eligibility": lambda: eligibility(arrays),
        "shift conflicts": lambda: shift_conflicts(arrays),
        "evaluation": lambda: evaluate_roster(
            compiled, np.full(num_slots, -1, dtype=np.int64)
        ),
        "capacity": capacity,
        "sickness": lambda: sample_sick_days(SEED, 100, rates, 7),
    }
    times = {}
    for name in KERNELS:
        started = time.perf_counter()
        result = calls[name]()
        first = time.perf_counter() - started
        started = time.perf_counter()
        calls[name]()
        times[name] = (first, time.perf_counter() - started)
        if name == "eligibility":
            state["graph"] = result
    print(json.dumps(times))


def compile_times() -> dict[str, dict[str, float]]:
    """Returns per kernel the cold first call, the cached first call and a warm call.

    Runs `_child` twice in fresh interpreters with ``NUMBA_CACHE_DIR`` set to one new
    empty directory: the first run compiles and writes the cache, the second loads it.
    """
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    env["CARECAP_NUMBA_CACHE"] = "1"
    with tempfile.TemporaryDirectory(prefix="carecap-numba-cache-") as cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            process_s = time.perf_counter() - started
            runs.append((json.loads(out.stdout.strip().splitlines()[-1]), process_s))
        num_index = sum(1 for _ in Path(cache_dir).rglob("*.nbi"))
    (cold, cold_process), (cached, cached_process) = runs
    result = {
        name: {
            "cold": cold[name][0],
            "cached": cached[name][0],
            "warm": cached[name][1],
        }
        for name in KERNELS
    }
    result["process"] = {"cold": cold_process, "cached": cached_process, "warm": 0.0}
    result["index_files"] = {"cold": num_index, "cached": 0.0, "warm": 0.0}
    return result


# ---------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.2f} s"


def _rate(value: float | None) -> str:
    if value is None:
        return "-"
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g} {prefix}"
    return f"{value:.3g}"


def build_table(sizes: list[str], repeats: int) -> str:
    """Returns the Markdown of the kernel section."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows: list[Row] = []
    facts: list[SizeFacts] = []
    for size in sizes:
        size_rows, size_facts = measure_size(size, repeats)
        rows.extend(size_rows)
        facts.append(size_facts)
    rows.append(measure_sickness(repeats))
    compile_s = compile_times()
    load = max(load, os.getloadavg()[0]) if hasattr(os, "getloadavg") else load

    # Kernel first, then size, as pytest-benchmark groups them.
    order = {name: k for k, name in enumerate(dict.fromkeys(r.kernel for r in rows))}
    rows.sort(
        key=lambda r: (order[r.kernel], sizes.index(r.size) if r.size in sizes else 0)
    )
    lines = [
        f"Seed {SEED}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"NumPy {np.__version__}, Numba {_numba_version()}; 1-minute load average "
        f"up to {load:.2f} during the run. Median of {repeats} calls after one "
        "warm-up call (compilation excluded); the compile step and the sickness sampling "
        "use at most 3.",
        "",
        "| kernel | size | kernel time | reference time | speed-up | pairs/s | "
        "target (issue 3) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        speedup = (
            "-"
            if r.reference_seconds is None or r.seconds is None
            else f"{r.reference_seconds / r.seconds:.1f}x"
        )
        lines.append(
            f"| {r.kernel} | {r.size} | {_time(r.seconds)} | "
            f"{_time(r.reference_seconds)} | {speedup} | {_rate(r.pairs_per_second)} "
            f"| {r.target} |"
        )
    montecarlo = measure_montecarlo()
    met = montecarlo < TARGET_MONTECARLO_M_SECONDS
    lines.append(
        f"| Monte-Carlo, {SICK_WEEKS:,} weeks refilled greedily (2 threads) | M | "
        f"{_time(montecarlo)} | - | - | - | < {TARGET_MONTECARLO_M_SECONDS:g} s: "
        f"{_verdict(met)} |"
    )
    lines += [
        "",
        "*Pairs/s*: (open slot, candidate) pairs checked per second, i.e. slots x "
        "candidates over the kernel time. The *reference* is the vectorised NumPy "
        "version in `tests/kernels/reference.py`; every timed kernel result is "
        "checked equal to it. The random roster fills each open slot with probability "
        f"{FILL_SHARE:g} with a random eligible person (seed {SEED}), so people get "
        "several slots and the roster breaks rules: it times the violation path too.",
        "",
        "| size | staff | candidates | open slots | eligible pairs | conflict pairs "
        "| random roster: filled, violations |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in facts:
        lines.append(
            f"| {f.size} | {f.staff:,} | {f.candidates:,} | {f.slots:,} | "
            f"{f.eligible_pairs:,} | {f.conflict_pairs:,} | {f.filled:,}, "
            f"{f.violations:,} |"
        )
    lines += [
        "",
        "Numba compilation, measured apart (`compile_times()`): the first call of "
        "each kernel on the bundled example S in a fresh process with "
        "`NUMBA_CACHE_DIR` set to an empty directory (cold: compiles and writes the "
        "cache), then in a second fresh process with the same directory (cached: "
        "loads the compiled code), and that process's second call (warm). "
        f"The cold run wrote {int(compile_s['index_files']['cold'])} cache index files.",
        "",
        "| kernel | cold first call | cached first call | warm call |",
        "|---|---|---|---|",
    ]
    total = {"cold": 0.0, "cached": 0.0, "warm": 0.0}
    for name in KERNELS:
        t = compile_s[name]
        for key in total:
            total[key] += t[key]
        lines.append(
            f"| {name} | {_time(t['cold'])} | {_time(t['cached'])} | {_time(t['warm'])} |"
        )
    lines.append(
        f"| **all five** | **{_time(total['cold'])}** | **{_time(total['cached'])}** "
        f"| **{_time(total['warm'])}** |"
    )
    process = compile_s["process"]
    lines.append(
        f"| whole process (start, imports, example, calls) | {_time(process['cold'])} "
        f"| {_time(process['cached'])} | - |"
    )
    return "\n".join(lines)


def _numba_version() -> str:
    import numba

    return numba.__version__


def main() -> None:
    """Runs the report; ``--write`` puts it into benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES), help="presets, e.g. S,M,L")
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed calls per measurement"
    )
    parser.add_argument(
        "--write", action="store_true", help="update benchmarks/README.md"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child()
        return
    table = build_table(args.sizes.split(","), args.repeats)
    print(table)
    if args.write:
        replace_section(README, BEGIN, END, table)


if __name__ == "__main__":
    main()

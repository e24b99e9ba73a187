"""Solve generated regions with CP-SAT and the greedy filler, against issue 4's targets.

Usage: ``python benchmarks/solve_report.py [--sizes S,M,L] [--time-limit S]
[--workers 2] [--note TEXT] [--write]``.

Each size runs in a fresh interpreter (``--child``), so its peak resident memory
(``ru_maxrss``) belongs to that size alone and includes what NumPy, Numba and OR-Tools
allocate natively, which `tracemalloc` would miss. The child first warms the kernels
up on S (loading them from Numba's cache, or compiling them), then times, on the
generated region of the size: generation, compiling the region to arrays, the
eligibility kernel, the greedy filler and the CP-SAT solve, both through the public
`carecap.solve.solve`. Prints Markdown and, with ``--write``, replaces the solve
section of ``benchmarks/README.md`` (only when every size completed).

The helpers here (`warm_up`, `level_rows`, `first_solution_seconds`,
`compare_with_greedy`, `judge_target`) are shared with the pytest-benchmark suite
``benchmarks/test_solve.py``, so both judge results the same way.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script, this folder comes first on the path, not the repository.
    sys.path.insert(0, str(ROOT))

from kernel_report import median_seconds  # noqa: E402 (needs the path above)
from readme_section import replace_section  # noqa: E402

README = Path(__file__).parent / "README.md"
BEGIN = "<!-- solve-report:start -->"
END = "<!-- solve-report:end -->"

SIZES = ("S", "M", "L")
"""Presets in the report by default (XL: ``--sizes S,M,L,XL``)."""

REGION_SEEDS = {"S": 1, "M": 7, "L": 1, "XL": 1}
"""Generator seed of each preset's benchmark region."""

SOLVER_SEED = 1
"""CP-SAT random seed of every benchmark solve."""

WORKERS = 2
"""CP-SAT workers: the targets are stated for 2 (the development machine's cores)."""

TIME_LIMITS = {"S": 10.0, "M": 60.0, "L": 300.0, "XL": 600.0}
"""Solve time limit per preset in seconds; S, M and L are issue 4's targets."""

WARM_UP_TIME_LIMIT = 1.0
"""Seconds of the CP-SAT warm-up solve on S (it proves S optimal well within this)."""

ELIGIBILITY_REPEATS = 3
"""Timed eligibility calls per size (their median is reported)."""

LOAD_SAMPLE_SECONDS = 5.0
"""Seconds between samples of the load average during the run."""

NEAR_ZERO = 1e-6
"""A level's objective at most this far from 0 gets an absolute gap, not a relative."""

COMPARED_KPIS = ("uncovered_hours", "agency_hours", "agency_cost")
"""Evaluator KPIs of the greedy filler and the solver shown side by side."""

LEXICOGRAPHIC_KPIS = ("uncovered_hours", "agency_cost")
"""KPIs that decide whether the solver beats the greedy filler, in priority order:
the evaluator's counterparts of the first two priority levels."""


@dataclass(frozen=True)
class Target:
    """A target of issue 4 for one preset.

    Attributes
    ----------
    time_limit, workers
        The solve budget the target is stated for.
    max_relative_gap
        Largest gap allowed on each of the first ``num_levels`` levels; None when
        every level must be proven optimal.
    num_levels
        How many levels, from the first, the gap target covers.
    max_build_share
        Largest model build time as a share of the time limit (None: no target).
    """

    time_limit: float
    workers: int
    max_relative_gap: float | None = None
    num_levels: int = 0
    max_build_share: float | None = None

    def describe(self) -> str:
        """Returns the target in words."""
        if self.max_relative_gap is None:
            text = f"every level optimal within {self.time_limit:g} s"
        else:
            text = (
                f"first {self.num_levels} levels within "
                f"{self.max_relative_gap:.0%} of the bound in {self.time_limit:g} s"
            )
        text += f", {self.workers} workers"
        if self.max_build_share is not None:
            text += f"; build ≤ {self.max_build_share:.0%} of the limit"
        return text


TARGETS = {
    "S": Target(TIME_LIMITS["S"], WORKERS),
    "M": Target(TIME_LIMITS["M"], WORKERS, max_relative_gap=0.01, num_levels=2),
    "L": Target(
        TIME_LIMITS["L"],
        WORKERS,
        max_relative_gap=0.03,
        num_levels=2,
        max_build_share=0.15,
    ),
}
"""Issue 4's targets per preset (XL has none yet)."""


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


@dataclass
class LevelRow:
    """One priority level of a solve: value and bound (conditional on the levels
    fixed above it) in ``unit``, CP-SAT status and seconds spent on it."""

    name: str
    unit: str
    status: str
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """Returns the relative gap, or the absolute one where the objective is ~0."""
        if not math.isfinite(self.objective):
            return math.inf
        diff = abs(self.objective - self.bound)
        return diff if self.gap_is_absolute else diff / abs(self.objective)

    @property
    def gap_is_absolute(self) -> bool:
        """Returns whether `gap` is absolute (in ``unit``) rather than relative."""
        return abs(self.objective) <= NEAR_ZERO

    def within(self, max_relative_gap: float) -> bool:
        """Returns whether the level is proven optimal or its gap is small enough."""
        if self.status == "OPTIMAL":
            return True
        limit = NEAR_ZERO if self.gap_is_absolute else max_relative_gap
        return self.gap <= limit


@dataclass
class SolveRow:
    """Everything measured for one preset: the inputs, the phase times, the levels
    of the CP-SAT solve, both rosters' KPIs and the process's peak memory."""

    size: str
    region_seed: int
    solver_seed: int
    time_limit: float
    workers: int
    staff: int
    open_slots: int
    eligible_pairs: int
    generation_seconds: float
    compile_seconds: float
    eligibility_seconds: float
    greedy_seconds: float
    build_seconds: float
    solve_seconds: float
    first_solution_seconds: float | None
    status: str
    violations: int
    peak_rss_before_solve_mib: float
    peak_rss_mib: float
    greedy_kpis: dict[str, float] = field(default_factory=dict)
    solver_kpis: dict[str, float] = field(default_factory=dict)
    levels: list[LevelRow] = field(default_factory=list)

    @property
    def build_share(self) -> float:
        """Returns the model build time as a share of the time limit."""
        return self.build_seconds / self.time_limit

    def to_json(self) -> str:
        """Returns the row as one line of JSON."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SolveRow:
        """Returns the row that `to_json` wrote."""
        data = json.loads(text)
        data["levels"] = [LevelRow(**level) for level in data["levels"]]
        return cls(**data)


def level_rows(result: Any) -> list[LevelRow]:
    """Returns the priority levels of a `Result` (none for the greedy backend)."""
    return [
        LevelRow(lv.name, lv.unit, lv.status, lv.objective, lv.bound, lv.seconds)
        for lv in result.levels
    ]


def first_solution_seconds(result: Any) -> float | None:
    """Returns the seconds from the solve's start to its first roster, if recorded.

    Reads ``result.progress`` (events of seconds, level, objective, bound: either
    records with a ``seconds`` attribute or plain tuples); None where the result has
    no progress record or it is empty.
    """
    progress = getattr(result, "progress", None)
    if not progress:
        return None
    first = progress[0]
    seconds = getattr(first, "seconds", None)
    return float(first[0] if seconds is None else seconds)


def kpis(result: Any) -> dict[str, float]:
    """Returns the `COMPARED_KPIS` of a result's roster, from the evaluator."""
    summary = result.evaluation.summary()
    return {name: float(summary[name]) for name in COMPARED_KPIS}


def compare_with_greedy(
    greedy: dict[str, float], solver: dict[str, float]
) -> tuple[str, str]:
    """Returns whether the solver's roster beats the greedy one, and by how much.

    Compared lexicographically on `LEXICOGRAPHIC_KPIS` (uncovered hours, then agency
    cost), as the priority levels rank them.

    Returns
    -------
    tuple of str
        The verdict (``'yes'``, ``'equal'`` or ``'no'``) and the first deciding
        difference in words.
    """
    for name in LEXICOGRAPHIC_KPIS:
        before, after = greedy[name], solver[name]
        if math.isclose(before, after, rel_tol=1e-9, abs_tol=NEAR_ZERO):
            continue
        change = f"{_kpi_label(name)} {_signed(after - before, name)}"
        if before > NEAR_ZERO:
            change += f" ({(after - before) / before:+.0%})"
        return ("yes" if after < before else "no"), change
    return "equal", "same uncovered hours and agency cost"


def judge_target(
    target: Target | None,
    *,
    time_limit: float,
    workers: int,
    levels: Sequence[LevelRow],
    build_seconds: float,
) -> tuple[bool | None, str]:
    """Returns whether a solve meets its target, and why not.

    Returns
    -------
    tuple
        True (met), False (missed) or None (not judged: no target, other workers,
        or a longer limit than the target's; a miss under a shorter limit is not
        judged either), and the reasons in words.
    """
    if target is None:
        return None, "no target"
    if workers != target.workers or time_limit > target.time_limit:
        return None, f"not judged: run with {workers} workers, {time_limit:g} s"
    reasons = []
    if target.max_relative_gap is None:
        reasons += [f"{lv.name} {lv.status}" for lv in levels if lv.status != "OPTIMAL"]
        if not levels:
            reasons.append("no level solved")
    else:
        first = levels[: target.num_levels]
        if len(first) < target.num_levels:
            reasons.append(f"only {len(first)} level(s) solved")
        reasons += [
            f"{lv.name} gap {_gap(lv)}"
            if math.isfinite(lv.objective)
            else f"{lv.name}: no solution ({lv.status})"
            for lv in first
            if not lv.within(target.max_relative_gap)
        ]
    share = build_seconds / time_limit
    if target.max_build_share is not None and share > target.max_build_share:
        reasons.append(f"build {share:.0%} of the limit")
    if not reasons:
        return True, "met"
    if time_limit < target.time_limit:
        return None, f"not judged at {time_limit:g} s: " + "; ".join(reasons)
    return False, "; ".join(reasons)


# ---------------------------------------------------------------------------
# Measurement (in a fresh process per size)
# ---------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Returns the seconds of one call of ``fn`` and its result."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def peak_rss_mib() -> float:
    """Returns this process's resident-memory high-water mark in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def warm_up(solver_seed: int = SOLVER_SEED) -> None:
    """Runs every kernel and the CP-SAT import once on S, so no timing includes
    Numba compilation or cache loading, or importing OR-Tools."""
    from carecap.compile import compile_region
    from carecap.instances import generate_region
    from carecap.kernels.eligibility import eligibility
    from carecap.params import SolveParams
    from carecap.solve import solve

    compiled = compile_region(generate_region("S", REGION_SEEDS["S"]))
    eligibility(compiled.arrays)
    params = SolveParams(time_limit=WARM_UP_TIME_LIMIT, workers=1)
    for backend in ("greedy", "cpsat"):
        solve(compiled, params, seed=solver_seed, backend=backend)


def measure(
    size: str,
    *,
    region_seed: int | None = None,
    time_limit: float | None = None,
    workers: int = WORKERS,
    solver_seed: int = SOLVER_SEED,
) -> SolveRow:
    """Returns the row of one preset, measured in this process.

    The peak memory is this process's, so call it in a fresh interpreter
    (`measure_in_subprocess`) for a figure that belongs to ``size`` alone.

    Parameters
    ----------
    size
        Preset: S, M, L or XL.
    region_seed, time_limit
        Generator seed and solve limit; `REGION_SEEDS` and `TIME_LIMITS` if omitted.
    workers, solver_seed
        CP-SAT workers and random seed.
    """
    from carecap.compile import compile_region
    from carecap.instances import generate_region
    from carecap.kernels.eligibility import eligibility
    from carecap.params import SolveParams
    from carecap.solve import solve

    region_seed = REGION_SEEDS[size] if region_seed is None else region_seed
    time_limit = TIME_LIMITS[size] if time_limit is None else time_limit
    warm_up(solver_seed)
    generation_s, region = _timed(lambda: generate_region(size, region_seed))
    compile_s, compiled = _timed(lambda: compile_region(region))
    eligibility_s, graph = median_seconds(
        lambda: eligibility(compiled.arrays), ELIGIBILITY_REPEATS
    )
    params = SolveParams(time_limit=time_limit, workers=workers)
    greedy_s, greedy = _timed(
        lambda: solve(compiled, params, seed=solver_seed, backend="greedy")
    )
    rss_before = peak_rss_mib()
    result = solve(compiled, params, seed=solver_seed, backend="cpsat")
    return SolveRow(
        size=size,
        region_seed=region_seed,
        solver_seed=solver_seed,
        time_limit=time_limit,
        workers=workers,
        staff=len(compiled.arrays.staff_level),
        open_slots=len(compiled.arrays.slot_shift),
        eligible_pairs=int(graph.num_pairs),
        generation_seconds=generation_s,
        compile_seconds=compile_s,
        eligibility_seconds=eligibility_s,
        greedy_seconds=greedy_s,
        build_seconds=result.build_time,
        solve_seconds=result.runtime,
        first_solution_seconds=first_solution_seconds(result),
        status=str(result.status.value),
        violations=int(result.evaluation.summary()["violations"]),
        peak_rss_before_solve_mib=rss_before,
        peak_rss_mib=peak_rss_mib(),
        greedy_kpis=kpis(greedy),
        solver_kpis=kpis(result),
        levels=level_rows(result),
    )


def measure_in_subprocess(
    size: str,
    *,
    region_seed: int | None = None,
    time_limit: float | None = None,
    workers: int = WORKERS,
    solver_seed: int = SOLVER_SEED,
    timeout: float | None = None,
) -> SolveRow:
    """Returns the row of one preset, measured by `measure` in a fresh interpreter.

    Parameters
    ----------
    size
        Preset: S, M, L or XL.
    region_seed, time_limit
        Generator seed and solve limit; `REGION_SEEDS` and `TIME_LIMITS` if omitted.
    workers, solver_seed
        CP-SAT workers and random seed.
    timeout
        Seconds after which the child is killed (`subprocess.TimeoutExpired`).

    Raises
    ------
    RuntimeError
        When the child fails; the message holds the end of its stderr.
    """
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        size,
        "--workers",
        str(workers),
        "--solver-seed",
        str(solver_seed),
    ]
    if region_seed is not None:
        command += ["--region-seed", str(region_seed)]
    if time_limit is not None:
        command += ["--time-limit", repr(time_limit)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"measuring {size} failed (exit {done.returncode}):\n{done.stderr[-4000:]}"
        )
    return SolveRow.from_json(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------


def _kpi_label(name: str) -> str:
    return name.replace("_", " ")


def _signed(value: float, kpi: str) -> str:
    if kpi.endswith("_cost"):
        return f"{value:+,.0f} EUR"
    return f"{value:+,.1f} h"


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.2f} s"


def _number(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "-"


def _gap(level: LevelRow) -> str:
    gap = level.gap
    if not math.isfinite(gap):
        return "-"
    if level.gap_is_absolute:
        return f"{gap:,.2f} {level.unit} (abs)"
    return f"{gap:.2%}"


def _level_cell(level: LevelRow | None) -> str:
    if level is None:
        return "-"
    return (
        f"{_number(level.objective)} / {_number(level.bound)} / {_gap(level)} "
        f"({level.status})"
    )


def _verdict(met: bool | None, text: str) -> str:
    if met is None:
        return text
    return "met" if met else f"**missed**: {text}"


def _kpi_cell(row: SolveRow, name: str) -> str:
    before, after = row.greedy_kpis[name], row.solver_kpis[name]
    unit = "EUR" if name.endswith("_cost") else "h"
    return f"{before:,.1f} → {after:,.1f} {unit}"


def target_verdict(row: SolveRow) -> tuple[bool | None, str]:
    """Returns `judge_target` of a row against its preset's target."""
    return judge_target(
        TARGETS.get(row.size),
        time_limit=row.time_limit,
        workers=row.workers,
        levels=row.levels,
        build_seconds=row.build_seconds,
    )


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """Returns k of the least-squares fit ``value ~ size**k`` on log-log axes.

    None with fewer than two points, a non-positive value, or sizes all equal.
    """
    x = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    if len(x) < 2 or np.any(y <= 0) or np.any(x <= 0) or np.ptp(x) == 0:
        return None
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


SCALED_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("open slots", "open_slots", "staff"),
    ("eligible pairs", "eligible_pairs", "staff"),
    ("generation", "generation_seconds", "staff"),
    ("compile to arrays", "compile_seconds", "staff"),
    ("eligibility", "eligibility_seconds", "eligible_pairs"),
    ("greedy filler", "greedy_seconds", "eligible_pairs"),
    ("model build", "build_seconds", "eligible_pairs"),
    ("first solution", "first_solution_seconds", "eligible_pairs"),
    ("peak memory", "peak_rss_mib", "eligible_pairs"),
    ("memory added by the solve", "solve_memory_mib", "eligible_pairs"),
)
"""(label, row figure, size measure) of each fitted growth exponent."""


def _figure(row: SolveRow, name: str) -> float | None:
    if name == "solve_memory_mib":
        return row.peak_rss_mib - row.peak_rss_before_solve_mib
    return getattr(row, name)


def scaling_paragraph(rows: Sequence[SolveRow]) -> str:
    """Returns the paragraph on how each figure grows with the region, fitted from
    the measured rows (least squares on log-log axes)."""
    if len(rows) < 2:
        return "Growth exponents need at least two sizes."
    first, last = rows[0], rows[-1]
    names = "/".join(r.size for r in rows)
    fits = []
    for label, figure, measure_name in SCALED_FIGURES:
        values = [_figure(r, figure) for r in rows]
        if any(v is None for v in values):
            continue
        sizes = [float(getattr(r, measure_name)) for r in rows]
        k = growth_exponent(sizes, values)
        if k is None:
            continue
        text = f"{label} ~ {measure_name.replace('_', ' ')}^{k:.2f}"
        if len(rows) > 2:
            tail = growth_exponent(sizes[-2:], values[-2:])
            if tail is not None:
                text += f" ({rows[-2].size}→{rows[-1].size}: {tail:.2f})"
        fits.append(text)
    rss_base = min(r.peak_rss_before_solve_mib for r in rows)
    return (
        f"**Scaling.** From {first.size} to {last.size} the staff grows "
        f"{last.staff / first.staff:.0f}x ({first.staff:,} → {last.staff:,}), the "
        f"open slots {last.open_slots / first.open_slots:.0f}x and the eligible "
        f"(person, slot) pairs, i.e. the model's assignment variables, "
        f"{last.eligible_pairs / first.eligible_pairs:.0f}x. Growth exponents k of "
        f"figure ~ n^k, least squares on log-log axes over {names} (in brackets the "
        f"slope between the two largest sizes, nearer the large-region behaviour "
        f"since fixed per-call costs weigh on the small ones): "
        + "; ".join(fits)
        + ". "
        f"Peak memory includes a fixed base (interpreter, NumPy, Numba, OR-Tools; "
        f"{rss_base:,.0f} MiB at the smallest size before its solve), so its exponent "
        f"understates the growth of the solve's own memory, fitted apart. Solve time "
        f"is not fitted: a level not proven optimal runs to its share of the time "
        f"limit, so it measures the limit, and the gaps are not power laws."
    )


def build_section(
    rows: Sequence[SolveRow], load_average: float, note: str | None = None
) -> str:
    """Returns the Markdown between the solve-report markers."""
    import ortools

    header = (
        f"Region seeds {', '.join(f'{r.size} {r.region_seed}' for r in rows)}; "
        f"CP-SAT seed {rows[0].solver_seed}, {rows[0].workers} workers; machine: "
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, OR-Tools "
        f"{ortools.__version__}; 1-minute load average up to {load_average:.2f} "
        "during the run. One run per size, each in a fresh process after a warm-up "
        "on S (kernels loaded, OR-Tools imported)."
    )
    lines = [header]
    if note:
        lines += ["", f"**Note:** {note}"]
    lines += [
        "",
        "| size | limit | model build (share of limit) | first solution | "
        f"{_level_name(rows, 0)}: objective / bound / gap | "
        f"{_level_name(rows, 1)}: objective / bound / gap | status | "
        "target (issue 4) | target met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = TARGETS.get(r.size)
        lines.append(
            f"| {r.size} | {r.time_limit:g} s | {_seconds(r.build_seconds)} "
            f"({r.build_share:.1%}) | {_seconds(r.first_solution_seconds)} | "
            f"{_level_cell(r.levels[0] if r.levels else None)} | "
            f"{_level_cell(r.levels[1] if len(r.levels) > 1 else None)} | "
            f"{r.status} | {target.describe() if target else '-'} | "
            f"{_verdict(*target_verdict(r))} |"
        )
    lines += [
        "",
        "*Model build*: `Result.build_time`, from the compiled region to the CP-SAT "
        "model (eligibility, input findings, greedy warm start, variables and "
        "constraints). *First solution*: seconds from the start of the search to its "
        "first roster (`Result.progress`), the model build not included. Values are "
        "in each level's unit; a level's bound is conditional on the levels fixed "
        "above it. The gap is relative, |objective - bound| / |objective|, and "
        f"absolute (in the level's unit) where the objective is within {NEAR_ZERO:g} "
        "of 0. The time limit covers the search of all levels together; the build "
        "comes on top.",
        "",
        "Greedy filler (the baseline) → CP-SAT solver, evaluator KPIs of both rosters "
        "in the same run:",
        "",
        "| size | uncovered hours | agency hours | agency cost | solver beats greedy |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        verdict, change = compare_with_greedy(r.greedy_kpis, r.solver_kpis)
        lines.append(
            f"| {r.size} | {_kpi_cell(r, 'uncovered_hours')} | "
            f"{_kpi_cell(r, 'agency_hours')} | {_kpi_cell(r, 'agency_cost')} | "
            f"{verdict}: {change} |"
        )
    lines += [
        "",
        "*Beats* compares uncovered hours first, then agency cost, as the first two "
        "levels rank them; covering more care with agency staff raises the agency "
        "cost, which is the intended trade.",
        "",
        "| size | staff | open slots | eligible pairs | generation | compile to "
        "arrays | eligibility | greedy filler | search | peak RSS before the solve "
        "| peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size} | {r.staff:,} | {r.open_slots:,} | {r.eligible_pairs:,} | "
            f"{_seconds(r.generation_seconds)} | {_seconds(r.compile_seconds)} | "
            f"{_seconds(r.eligibility_seconds)} | {_seconds(r.greedy_seconds)} | "
            f"{_seconds(r.solve_seconds)} | {r.peak_rss_before_solve_mib:,.0f} MiB | "
            f"{r.peak_rss_mib:,.0f} MiB |"
        )
    lines += [
        "",
        f"*Eligibility*: median of {ELIGIBILITY_REPEATS} kernel calls. *Greedy "
        "filler*: the whole `solve(..., backend='greedy')` call. *Search*: "
        "`Result.runtime`. *Peak RSS*: the child process's `ru_maxrss` (native "
        "NumPy, Numba and OR-Tools memory included), before the CP-SAT solve "
        "(warm-up, generation, compile, eligibility, greedy) and at the end.",
        "",
        "Every priority level (objective / bound in the level's unit, gap, CP-SAT "
        "status, seconds):",
        "",
        "| level | unit | " + " | ".join(r.size for r in rows) + " |",
        "|---|---|" + "---|" * len(rows),
    ]
    for name, unit in dict.fromkeys(
        (lv.name, lv.unit) for r in rows for lv in r.levels
    ):
        cells = []
        for r in rows:
            level = next((lv for lv in r.levels if lv.name == name), None)
            cells.append(
                "-"
                if level is None
                else f"{_number(level.objective)} / {_number(level.bound)}, "
                f"{_gap(level)}, {level.status}, {_seconds(level.seconds)}"
            )
        lines.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    lines += ["", scaling_paragraph(rows)]
    return "\n".join(lines)


def _level_name(rows: Sequence[SolveRow], index: int) -> str:
    names = {r.levels[index].name for r in rows if len(r.levels) > index}
    return "/".join(sorted(names)) if names else f"level {index + 1}"


def _load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan


class LoadSampler:
    """Samples the 1-minute load average in a background thread; `peak` is the
    highest seen. Other people's jobs on a shared machine show up here."""

    def __init__(self, interval: float = LOAD_SAMPLE_SECONDS):
        self.interval = interval
        self.peak = _load_average()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _load_average())

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _load_average())


def write_section(section: str) -> None:
    """Replaces the text between the solve-report markers of benchmarks/README.md."""
    replace_section(README, BEGIN, END, section)


def main() -> None:
    """Runs the report; ``--write`` puts it into benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES), help="presets, e.g. S,M,L")
    parser.add_argument(
        "--time-limit",
        type=float,
        help="solve limit in seconds for every size (default: per size, "
        + ", ".join(f"{k} {v:g}" for k, v in TIME_LIMITS.items())
        + ")",
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="CP-SAT workers")
    parser.add_argument(
        "--solver-seed", type=int, default=SOLVER_SEED, help="CP-SAT random seed"
    )
    parser.add_argument(
        "--region-seed", type=int, help="generator seed (default: per size)"
    )
    parser.add_argument("--note", help="a line on the run's conditions for the README")
    parser.add_argument(
        "--write", action="store_true", help="update benchmarks/README.md"
    )
    parser.add_argument("--child", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        row = measure(
            args.child,
            region_seed=args.region_seed,
            time_limit=args.time_limit,
            workers=args.workers,
            solver_seed=args.solver_seed,
        )
        print(row.to_json())
        return
    rows = []
    with LoadSampler() as load:
        for size in args.sizes.split(","):
            print(f"measuring {size} ...", file=sys.stderr, flush=True)
            rows.append(
                measure_in_subprocess(
                    size,
                    region_seed=args.region_seed,
                    time_limit=args.time_limit,
                    workers=args.workers,
                    solver_seed=args.solver_seed,
                )
            )
    section = build_section(rows, load.peak, args.note)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()

"""Solver speed and quality on generated regions, greedy filler alongside
(pytest-benchmark).

Per preset (S, M, L; XL is marked ``slow``) the suite times the inputs of a solve
(generation, compiling to arrays, eligibility) and then `carecap.solve.solve` with
each backend, greedy and CP-SAT in one ``benchmark.group``, under the preset's time
limit of `solve_report.TIME_LIMITS`. Each solve also checks its result (a clean
roster, every level's bound at most its objective, the solver no worse than the
greedy filler, S proven optimal) and stores the figures of the report in
``extra_info``: levels, gaps, build share, first solution, KPIs and the verdict
against issue 4's target. Peak memory needs a fresh process per size, so only
``benchmarks/solve_report.py`` measures it.
"""

from __future__ import annotations

import math

import pytest
from carecap.compile import compile_region
from carecap.instances import generate_region
from carecap.kernels.eligibility import eligibility
from carecap.params import SolveParams
from carecap.solve import solve
from solve_report import (
    REGION_SEEDS,
    SOLVER_SEED,
    TARGETS,
    TIME_LIMITS,
    WORKERS,
    compare_with_greedy,
    first_solution_seconds,
    judge_target,
    kpis,
    level_rows,
    warm_up,
)

SIZES = ("S", "M", "L", pytest.param("XL", marks=pytest.mark.slow))
"""Presets of the solve benchmarks; XL (4 weeks, ~20k staff) takes many minutes."""

BACKENDS = ("greedy", "cpsat")
"""Backends compared in one group per size: the baseline and the solver."""

STAGE_ROUNDS = {"S": 5, "M": 3, "L": 1, "XL": 1}
"""Rounds of each input stage: calibrated rounds would take minutes on L and XL."""

BOUND_TOLERANCE = 1e-6
"""Slack on ``bound <= objective`` for the rounding of display units."""


@pytest.fixture(scope="module", autouse=True)
def _warm_kernels():
    """Loads (or compiles) the kernels and imports OR-Tools outside the timings."""
    warm_up(SOLVER_SEED)


@pytest.fixture(scope="module", params=SIZES)
def solve_size(request) -> str:
    """The preset of a solve benchmark: S, M, L, and XL (slow)."""
    return request.param


@pytest.fixture(scope="module")
def solve_region(solve_size):
    """The generated region of ``solve_size``, seed `solve_report.REGION_SEEDS`."""
    return generate_region(solve_size, REGION_SEEDS[solve_size])


@pytest.fixture(scope="module")
def solve_compiled(solve_region):
    """The region of ``solve_size`` compiled to kernel arrays."""
    return compile_region(solve_region)


@pytest.fixture(scope="module")
def solve_params(solve_size) -> SolveParams:
    """The preset's time limit on `solve_report.WORKERS` workers."""
    return SolveParams(time_limit=TIME_LIMITS[solve_size], workers=WORKERS)


@pytest.fixture(scope="module")
def greedy_result(solve_compiled, solve_params):
    """The greedy filler's result on ``solve_size``: the solver's baseline."""
    return solve(solve_compiled, solve_params, seed=SOLVER_SEED, backend="greedy")


@pytest.mark.parametrize("stage", ("generate", "compile", "eligibility"))
def test_solve_inputs(benchmark, stage, solve_size, solve_region, solve_compiled):
    """Tests how long each input of a solve takes to build, and that it is usable."""
    benchmark.group = f"solve inputs {solve_size}"
    calls = {
        "generate": (generate_region, (solve_size, REGION_SEEDS[solve_size])),
        "compile": (compile_region, (solve_region,)),
        "eligibility": (eligibility, (solve_compiled.arrays,)),
    }
    fn, args = calls[stage]
    result = benchmark.pedantic(
        fn, args=args, rounds=STAGE_ROUNDS[solve_size], iterations=1
    )
    if stage == "generate":
        assert len(result.staff) == len(solve_region.staff)
    elif stage == "compile":
        assert len(result.arrays.slot_shift) == len(solve_compiled.arrays.slot_shift)
    else:
        benchmark.extra_info["eligible_pairs"] = result.num_pairs
        assert result.num_pairs > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_solve(
    benchmark, backend, solve_size, solve_compiled, solve_params, greedy_result
):
    """Tests how long a solve takes and how good it is against the greedy filler."""
    benchmark.group = f"solve {solve_size}"
    result = benchmark.pedantic(
        solve,
        args=(solve_compiled, solve_params),
        kwargs={"seed": SOLVER_SEED, "backend": backend},
        rounds=1,
        iterations=1,
    )
    levels = level_rows(result)
    info = benchmark.extra_info
    info["build_seconds"] = result.build_time
    info["build_share"] = result.build_time / solve_params.time_limit
    info["first_solution_seconds"] = first_solution_seconds(result)
    info["status"] = result.status.value
    info["kpis"] = kpis(result)
    info["levels"] = [
        {"name": lv.name, "objective": lv.objective, "bound": lv.bound, "gap": lv.gap}
        for lv in levels
    ]
    assert result.is_feasible()
    assert result.evaluation.summary()["violations"] == 0
    if backend == "greedy":
        return

    verdict, change = compare_with_greedy(kpis(greedy_result), kpis(result))
    info["beats_greedy"] = f"{verdict}: {change}"
    met, reasons = judge_target(
        TARGETS.get(solve_size),
        time_limit=solve_params.time_limit,
        workers=solve_params.workers,
        levels=levels,
        build_seconds=result.build_time,
    )
    info["target_met"] = met
    info["target"] = reasons
    assert levels
    for level in levels:
        if math.isfinite(level.objective):
            assert level.bound <= level.objective + BOUND_TOLERANCE, level.name
    # The greedy roster is the solver's warm start, so it can only get better.
    assert verdict != "no", change
    if solve_size == "S":
        assert met, reasons

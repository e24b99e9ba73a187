"""Smoke test of the solver benchmark report (``benchmarks/solve_report.py``).

The full report takes minutes and is not part of the test run; this runs its
measurement on S with a short time limit, in a fresh process as the report does, so
the code path stays alive.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

SMOKE_TIME_LIMIT = 3.0
"""Seconds of the smoke solve: S is proven optimal in well under one."""

SMOKE_TIMEOUT = 300.0
"""Seconds after which the measuring process is killed (cold Numba caches included)."""


@pytest.fixture(scope="module")
def solve_report():
    """The report module, imported from benchmarks/ (not a package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("solve_report")


@pytest.fixture(scope="module")
def row(solve_report):
    """The report's row of S, measured in a fresh process with a short limit."""
    return solve_report.measure_in_subprocess(
        "S", time_limit=SMOKE_TIME_LIMIT, timeout=SMOKE_TIMEOUT
    )


def test_row_is_complete(row, solve_report):
    """Tests that the row of S holds every figure, each finite and in range."""
    assert row.size == "S"
    assert row.time_limit == SMOKE_TIME_LIMIT
    assert row.workers == solve_report.WORKERS
    assert min(row.staff, row.open_slots, row.eligible_pairs) > 0
    for name in (
        "generation_seconds",
        "compile_seconds",
        "eligibility_seconds",
        "greedy_seconds",
        "build_seconds",
        "solve_seconds",
    ):
        value = getattr(row, name)
        assert math.isfinite(value) and value >= 0, name
    first = row.first_solution_seconds
    assert first is None or 0 <= first <= row.solve_seconds
    assert 0 < row.peak_rss_before_solve_mib <= row.peak_rss_mib
    assert set(row.greedy_kpis) == set(solve_report.COMPARED_KPIS)
    assert set(row.solver_kpis) == set(solve_report.COMPARED_KPIS)


def test_row_is_consistent(row, solve_report):
    """Tests that S is solved cleanly, bounds below objectives, better than greedy."""
    assert row.status == "OPTIMAL"
    assert row.violations == 0
    assert len(row.levels) >= 2
    for level in row.levels:
        assert level.status == "OPTIMAL", level.name
        assert level.bound <= level.objective + 1e-6, level.name
        assert level.gap <= 1e-6, level.name
    assert row.solver_kpis["uncovered_hours"] <= row.greedy_kpis["uncovered_hours"]
    verdict, _ = solve_report.compare_with_greedy(row.greedy_kpis, row.solver_kpis)
    assert verdict in ("yes", "equal")
    met, reasons = solve_report.target_verdict(row)
    assert met, reasons


def test_section_renders(row, solve_report):
    """Tests that the README section renders the row, with its scaling paragraph."""
    larger = solve_report.SolveRow.from_json(row.to_json())
    larger.size = "M"
    larger.staff *= 10
    larger.eligible_pairs *= 10
    section = solve_report.build_section([row, larger], load_average=0.0)
    assert "| S |" in section
    assert "target met" in section
    assert "staff^" in section
    assert solve_report.BEGIN not in section

"""Speed of the Numba kernels against their NumPy references (pytest-benchmark).

Each benchmark checks its result too (kernel equals reference, evaluation counts add
up), so with ``--benchmark-disable`` the suite is a quick correctness run at scale.
Kernel and reference of one size share a ``benchmark.group``, so pytest-benchmark
prints their ratio in one table. One warm-up call per benchmark, and the session
fixtures that build the inputs, keep JIT compilation out of the timings; cold compile
times are measured apart by ``benchmarks/kernel_report.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.kernels.conflicts import shift_conflicts
from carecap.kernels.eligibility import eligibility
from carecap.kernels.evaluate import evaluate_roster
from carecap.kernels.sickness import sample_sick_days
from kernel_report import FILL_SHARE, SEED, SICK_WEEKS, absence_rates, sick_share

from tests.kernels import reference

pytestmark = pytest.mark.benchmark(warmup=True, warmup_iterations=1)

IMPLS = ("kernel", "numpy_reference")
"""Implementations compared in one group per size."""

XL_ROUNDS = 3
"""Rounds of each XL benchmark: calibrated rounds would take minutes there."""


def _run(benchmark, size, fn, *args):
    """Benchmarks ``fn(*args)``, in a few fixed rounds on XL; returns its result."""
    if size == "XL":
        return benchmark.pedantic(
            fn, args=args, rounds=XL_ROUNDS, iterations=1, warmup_rounds=1
        )
    return benchmark(fn, *args)


def _assert_graph_equal(got, expected) -> None:
    """Asserts two (slot_ptr, staff_idx, travel_km, cost) tuples are equal."""
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[3], expected[3], rtol=1e-12, atol=1e-12)


def test_compile(benchmark, size, region, compiled):
    """Tests how long compiling a region to arrays takes, and that it is repeatable."""
    benchmark.group = f"compile {size}"
    rounds = {"S": 10, "M": 5, "L": 3, "XL": 1}[size]
    result = benchmark.pedantic(
        compile_region, args=(region,), rounds=rounds, iterations=1
    )
    for name in ("slot_shift", "slot_level", "fixed_ptr", "fixed_shift"):
        np.testing.assert_array_equal(
            getattr(result.arrays, name), getattr(compiled.arrays, name)
        )


@pytest.mark.parametrize("impl", IMPLS)
def test_eligibility(benchmark, impl, size, compiled, graph, reference_graph):
    """Tests the eligibility kernel's speed against the reference, and their equality."""
    benchmark.group = f"eligibility {size}"
    arrays = compiled.arrays
    benchmark.extra_info["slots"] = len(arrays.slot_shift)
    benchmark.extra_info["eligible_pairs"] = graph.num_pairs
    if impl == "kernel":
        result = _run(benchmark, size, eligibility, arrays)
        got = (result.slot_ptr, result.staff_idx, result.travel_km, result.cost)
        _assert_graph_equal(got, reference_graph)
    else:
        got = _run(benchmark, size, reference.eligibility, arrays)
        expected = (graph.slot_ptr, graph.staff_idx, graph.travel_km, graph.cost)
        _assert_graph_equal(got, expected)
    assert graph.num_pairs > 0


@pytest.mark.parametrize("impl", IMPLS)
def test_shift_conflicts(
    benchmark, impl, size, compiled, conflicts, reference_conflicts
):
    """Tests the conflicts kernel's speed against the reference, and their equality."""
    benchmark.group = f"conflicts {size}"
    if impl == "kernel":
        first, second = _run(benchmark, size, shift_conflicts, compiled.arrays)
        expected = reference_conflicts
    else:
        first, second = _run(
            benchmark, size, reference.shift_conflicts, compiled.arrays
        )
        expected = conflicts
    benchmark.extra_info["conflict_pairs"] = len(first)
    np.testing.assert_array_equal(first, expected[0])
    np.testing.assert_array_equal(second, expected[1])
    assert np.all(first < second)


@pytest.mark.parametrize("kind", ("uncovered", f"random{round(FILL_SHARE * 100)}"))
def test_evaluate(benchmark, kind, size, compiled, roster):
    """Tests how long evaluating a whole roster takes, and that its counts add up."""
    benchmark.group = f"evaluate {size}"
    num_slots = len(compiled.arrays.slot_shift)
    uncovered = np.full(num_slots, -1, dtype=np.int64)
    assignee = uncovered if kind == "uncovered" else roster
    evaluation = _run(benchmark, size, evaluate_roster, compiled, assignee)
    benchmark.extra_info["violations"] = len(evaluation.violations)
    filled = int(np.count_nonzero(assignee >= 0))
    assert evaluation.num_filled == filled
    assert evaluation.num_uncovered == num_slots - filled
    if kind == "uncovered":
        # The generated base roster is legal, so leaving every slot open breaks nothing.
        assert evaluation.violations == ()
    else:
        assert filled >= 0.5 * FILL_SHARE * num_slots


def test_sickness_sampling(benchmark, compiled_m):
    """Tests how long 10,000 sickness weeks of M's staff take, and their sick share."""
    benchmark.group = "sickness M"
    rates = absence_rates(compiled_m)
    masks = benchmark.pedantic(
        sample_sick_days,
        args=(SEED, SICK_WEEKS, rates, 7),
        rounds=3,
        iterations=1,
        warmup_rounds=1,
    )
    assert masks.shape == (SICK_WEEKS, len(rates))
    assert not masks[:, rates == 0].any()
    expected = float(rates.mean())
    assert abs(sick_share(masks, 7) - expected) < 0.1 * expected

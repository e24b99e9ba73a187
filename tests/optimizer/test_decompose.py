"""Tests of the week-by-week strategy for large multi-week regions."""

from __future__ import annotations

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.cpsat.decompose import restrict_graph
from carecap.instances.generator import generate_region
from carecap.kernels.eligibility import eligibility
from carecap.params import SolveParams
from carecap.solve import solve


@pytest.fixture(scope="module")
def two_weeks():
    return compile_region(generate_region("S", 2, weeks=2))


def test_restrict_graph_keeps_the_chosen_pairs(two_weeks):
    """Tests that a restricted graph holds exactly the kept pairs, slot by slot."""
    graph = eligibility(two_weeks.arrays)
    keep = np.zeros(graph.num_pairs, dtype=bool)
    keep[::3] = True
    small = restrict_graph(graph, keep)
    assert small.num_slots == graph.num_slots
    assert small.num_pairs == int(keep.sum())
    for slot in range(graph.num_slots):
        lo, hi = graph.slot_ptr[slot], graph.slot_ptr[slot + 1]
        expected = graph.staff_idx[lo:hi][keep[lo:hi]]
        assert small.staff_of(slot).tolist() == expected.tolist()


def test_week_by_week_is_legal_and_beats_greedy(two_weeks):
    """Tests that the week-by-week roster of a two-week region is evaluator-clean (solve
    raises otherwise), reports each week's levels, and is no worse than the greedy
    filler on uncovered and agency hours."""
    params = SolveParams(time_limit=30, workers=2, strategy="by_week")
    result = solve(two_weeks, params, seed=1)
    greedy = solve(two_weeks, seed=1, backend="greedy")
    names = [level.name for level in result.levels]
    assert names[0] == "week1:uncovered" and "week2:agency" in names
    ours, base = result.evaluation, greedy.evaluation
    assert ours.hours(2) <= base.hours(2)  # uncovered
    assert (ours.hours(2), ours.agency_cost) <= (base.hours(2), base.agency_cost)
    assert result.is_feasible()


def test_week_by_week_refuses_replanning(two_weeks):
    """Tests that re-planning asks for the monolithic strategy."""
    params = SolveParams(time_limit=5, strategy="by_week")
    previous = np.full(len(two_weeks.region.open_slots), -1, dtype=np.int64)
    with pytest.raises(ValueError, match="monolithic"):
        solve(two_weeks, params, seed=1, previous=previous)

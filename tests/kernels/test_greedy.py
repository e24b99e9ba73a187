"""Tests of the greedy filler and the Monte-Carlo sickness simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.domain import CarryIn, Employment, PastShift
from carecap.instances import EXAMPLE_REGION, generate_region
from carecap.io import read_region
from carecap.kernels.eligibility import eligibility
from carecap.kernels.evaluate import AGENCY, UNCOVERED, evaluate_roster
from carecap.kernels.greedy import GreedyFiller, greedy_roster
from carecap.simulate import resize_flex_pool, simulate


@pytest.fixture(scope="module")
def example():
    """The bundled example, compiled, with its eligibility graph."""
    compiled = compile_region(read_region(EXAMPLE_REGION))
    return compiled, eligibility(compiled.arrays)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_rosters_are_evaluator_clean(seed):
    """Tests that the greedy's roster breaks no rule on generated regions."""
    compiled = compile_region(generate_region("S", seed))
    roster = greedy_roster(compiled.arrays, eligibility(compiled.arrays))
    evaluation = evaluate_roster(compiled, roster)
    assert evaluation.violations == ()
    assert (roster >= 0).any()


def test_greedy_uses_only_eligible_pairs_and_agency_supply(example):
    """Tests that every filled slot is an eligible pair and agency stays within supply."""
    compiled, graph = example
    arrays = compiled.arrays
    roster = greedy_roster(arrays, graph)
    for slot, person in enumerate(roster):
        if person >= 0:
            assert person in graph.staff_of(slot)
    booked = np.zeros_like(arrays.agency_supply)
    for slot in np.flatnonzero(roster == AGENCY):
        booked[arrays.shift_day[arrays.slot_shift[slot]], arrays.slot_level[slot]] += 1
    assert np.all(booked <= arrays.agency_supply)


def test_nobody_eligible_and_no_supply_stays_uncovered(example):
    """Tests that without candidates and agency supply every slot stays uncovered."""
    compiled, _graph = example
    arrays = compiled.arrays._replace(
        agency_supply=np.zeros_like(compiled.arrays.agency_supply)
    )
    empty = eligibility(
        arrays, candidate_mask=np.zeros(len(arrays.staff_level), dtype=bool)
    )
    assert np.all(greedy_roster(arrays, empty) == UNCOVERED)


def test_inactive_slots_and_sick_candidates_are_skipped(example):
    """Tests that inactive slots stay uncovered and a sick candidate takes nothing."""
    compiled, graph = example
    filler = GreedyFiller(compiled.arrays, graph)
    roster = filler.fill()
    slot = int(np.flatnonzero(roster >= 0)[0])
    person = int(roster[slot])
    active = np.ones(len(roster), dtype=bool)
    active[slot] = False
    assert filler.fill(active=active)[slot] == UNCOVERED
    sick = compiled.arrays.staff_sick_days.copy()
    sick[person] = np.uint64(2**compiled.arrays.num_days - 1)
    assert person not in filler.fill(sick_days=sick)


def test_people_with_an_illegal_fixed_roster_get_nothing():
    """Tests that a person whose fixed roster already breaks a rule gets no new shift."""
    region = read_region(EXAMPLE_REGION)
    compiled = compile_region(region)
    roster = greedy_roster(compiled.arrays, eligibility(compiled.arrays))
    candidates = {region.staff[int(k)].id for k in roster[roster >= 0]}
    first_start = region.horizon.start_instant
    # Three carry-in nights, the last ending Sunday 07:00: a candidate's base-roster
    # shift that starts on Monday comes less than 46 h after the series (H6), so the
    # fixed roster alone is illegal inside the horizon. (Breaks within the carry-in
    # alone are history, not findings.)
    person = next(
        region.staff_by_id[a.staff]
        for a in region.worked_roster
        if a.staff in candidates
        and region.shift_classes[a.shift].start < first_start + dt.timedelta(hours=24)
    )
    nights = tuple(
        PastShift(
            start=first_start - dt.timedelta(days=d, hours=1),
            end=first_start - dt.timedelta(days=d) + dt.timedelta(hours=7),
        )
        for d in range(3, 0, -1)
    )
    broken = region.replace(
        staff=tuple(
            p.model_copy(update={"history": CarryIn(recent_shifts=nights)})
            if p.id == person.id
            else p
            for p in region.staff
        )
    )
    compiled = compile_region(broken)
    filler = GreedyFiller(compiled.arrays, eligibility(compiled.arrays))
    index = compiled.staff_index[person.id]
    assert not filler.person_ok[index]
    assert index not in filler.fill()


def test_resize_flex_pool_shrinks_and_grows():
    """Tests that pools shrink by subset and grow by copies of existing members."""
    region = read_region(EXAMPLE_REGION)
    pool = [p for p in region.staff if p.employment is Employment.FLEX_POOL]
    smaller = resize_flex_pool(region, 2, seed=1)
    larger = resize_flex_pool(region, len(pool) + 3, seed=1)

    def members(r):
        return [p for p in r.staff if p.employment is Employment.FLEX_POOL]

    assert len(members(smaller)) == 2
    assert {p.id for p in members(smaller)} <= {p.id for p in pool}
    grown = members(larger)
    assert len(grown) == len(pool) + 3
    assert len({p.id for p in grown}) == len(grown)
    originals = {p.id: p for p in pool}
    for person in grown[len(pool) :]:
        model = originals[person.id.split("-x")[0]]
        assert (person.level, person.contract_hours, person.inducted_locations) == (
            model.level,
            model.contract_hours,
            model.inducted_locations,
        )
    assert len(
        [p for p in region.staff if p.employment is Employment.FLEX_POOL]
    ) == len(pool)


def test_simulation_is_reproducible_and_thread_independent():
    """Tests that the same seed gives the same result on 1 and 2 threads."""
    region = read_region(EXAMPLE_REGION)
    one = simulate(region, samples=60, seed=5, workers=1)
    two = simulate(region, samples=60, seed=5, workers=2)
    assert one == two
    assert one != simulate(region, samples=60, seed=6, workers=1)


def test_without_sickness_only_vacancies_open():
    """Tests that with zero absence the open hours are exactly the vacancy hours."""
    region = read_region(EXAMPLE_REGION)
    result = simulate(region, samples=5, seed=1, absence=0.0)
    classes = region.shift_classes
    vacancy_hours = sum(
        classes[s.shift].paid_minutes / 60
        for s in region.open_slots
        if s.cause.value == "vacancy"
    )
    assert result.outcomes[0].open_hours_mean == pytest.approx(vacancy_hours)


def test_a_larger_pool_leaves_less_open():
    """Tests that more pool members lower mean agency plus uncovered hours."""
    region = read_region(EXAMPLE_REGION)
    result = simulate(region, samples=100, seed=2, pool_sizes=[0, 8])
    small, large = result.outcomes
    assert large.agency_hours_mean + large.uncovered_hours_mean < (
        small.agency_hours_mean + small.uncovered_hours_mean
    )
    assert small.uncovered_hours_p50 <= small.uncovered_hours_p95
    assert result.smallest_pool(max_p95_uncovered_hours=1e9) == 0

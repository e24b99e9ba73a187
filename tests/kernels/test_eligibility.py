"""Tests of the eligibility and shift-conflict kernels against the NumPy reference."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest
from carecap.anw import AnwClass
from carecap.compile import ANW_CODES, EMPLOYMENT_CODES, RegionArrays, compile_region
from carecap.domain import Employment, Region
from carecap.instances import generate_region
from carecap.instances.generator import haversine_km
from carecap.kernels.conflicts import shift_conflicts
from carecap.kernels.eligibility import (
    AGENCY,
    CHECKS,
    DAY_CLASS,
    EMPLOYEE,
    FLEX_POOL,
    default_candidates,
    eligibility,
    explain_ineligible,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernels import reference

PROBE = "F0002"
"""A flex-pool member of O003 (VVT) in the example, with no base roster of its own."""

EARLY = "O003-L1-W1-0325-E"  # Wed 07:00-15:30 at O003, open N2 slot, day class
LATE = "O003-L1-W1-0325-L"  # Wed 15:00-23:00 at O003, open N3 slot, evening
EXACT = "O001-L1-W1-0324-D"  # Tue 07:30-16:00 at O001 (hospital), exactly N3
SAT_NIGHT = "O003-L1-W1-0328-N"  # Sat 23:00-07:15, open N3 dementia slot
MON_LATE = "O003-L1-W1-0323-L"  # Mon 15:00-23:00, the horizon's first day
MON_NIGHT = "O003-L1-W1-0323-N"  # Mon 23:00-07:15, open N3 dementia slot


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@functools.cache
def _generated(seed: int) -> RegionArrays:
    return compile_region(generate_region("S", seed)).arrays


@pytest.fixture(scope="module")
def example_arrays(example_region) -> RegionArrays:
    """The bundled example, compiled."""
    return compile_region(example_region).arrays


def _assert_matches_reference(
    arrays: RegionArrays, mask: np.ndarray | None = None
) -> None:
    graph = eligibility(arrays, mask)
    slot_ptr, staff_idx, travel_km, cost = reference.eligibility(arrays, mask)
    np.testing.assert_array_equal(graph.slot_ptr, slot_ptr)
    np.testing.assert_array_equal(graph.staff_idx, staff_idx)
    np.testing.assert_allclose(graph.travel_km, travel_km, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(graph.cost, cost, rtol=1e-12, atol=1e-12)
    for name in ("slot_ptr", "staff_idx"):
        assert getattr(graph, name).dtype == np.int64, name
    for name in ("travel_km", "cost"):
        assert getattr(graph, name).dtype == np.float64, name


def _assert_conflicts_match_reference(arrays: RegionArrays) -> None:
    first, second = shift_conflicts(arrays)
    ref_first, ref_second = reference.shift_conflicts(arrays)
    np.testing.assert_array_equal(first, ref_first)
    np.testing.assert_array_equal(second, ref_second)
    assert first.dtype == second.dtype == np.int64


def _probe_region(region: Region, case: dict[str, Any] | None = None) -> Region:
    """Returns the example with the probe made a clean candidate, then ``case`` applied.

    Clean: flex pool, N3 with ``dementia``, inducted everywhere, home unknown, no age
    limit, no unavailability, history, base roster or sickness, 40 h maximum. The case
    may hold ``person`` (field changes), ``roster`` (shift ids the probe works),
    ``sick_days`` (dates), ``templates``/``shifts`` (records to add) and ``rules``.
    """
    case = case or {}
    person = {
        **region.staff_by_id[PROBE].model_dump(),
        "employment": "flex_pool",
        "organisation": "O003",
        "ward": None,
        "level": "N3",
        "competences": ["dementia"],
        "contract_hours": 16,
        "desired_hours": 24,
        "max_hours": 40,
        "age": 30,
        "night_opt_in": False,
        "pregnant": False,
        "irregular_opt_in": False,
        "home": None,
        "max_travel_km": None,
        "inducted_locations": [loc.id for loc in region.locations],
        "unavailability": [],
        "history": {},
        **case.get("person", {}),
    }
    staff = [person if p.id == PROBE else p for p in region.staff]
    roster = [a for a in region.base_roster if a.staff != PROBE]
    roster += [{"staff": PROBE, "shift": shift} for shift in case.get("roster", ())]
    sickness = [e for e in region.sickness if e.staff != PROBE]
    sickness += [
        {"staff": PROBE, "first_day": day, "last_day": day}
        for day in case.get("sick_days", ())
    ]
    changes: dict[str, Any] = {
        "staff": staff,
        "base_roster": roster,
        "sickness": sickness,
    }
    if "templates" in case:
        changes["shift_templates"] = [*region.shift_templates, *case["templates"]]
    if "shifts" in case:
        changes["shifts"] = [*region.shifts, *case["shifts"]]
    if "rules" in case:
        changes["rules"] = {**region.rules.model_dump(), **case["rules"]}
    return region.replace(**changes)


def _pair(region: Region, shift_id: str) -> tuple[RegionArrays, int, int]:
    """Returns the compiled region, the probe's index and the first slot of a shift."""
    compiled = compile_region(region)
    shift = compiled.shift_index[shift_id]
    slots = np.flatnonzero(compiled.arrays.slot_shift == shift)
    assert len(slots), f"shift {shift_id} holds no open slot"
    return compiled.arrays, compiled.staff_index[PROBE], int(slots[0])


def _is_pair(arrays: RegionArrays, staff: int, slot: int, mask=None) -> bool:
    return staff in eligibility(arrays, mask).staff_of(slot)


def _checks_named(reasons: list[str]) -> list[str]:
    return [reason.split(":", 1)[0] for reason in reasons]


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------------------
# Kernel == reference
# ---------------------------------------------------------------------------


def test_codes_match_the_compile_step():
    """Tests that the kernel's employment and ANW codes are those of the compile step."""
    assert EMPLOYMENT_CODES[Employment.EMPLOYEE] == EMPLOYEE
    assert EMPLOYMENT_CODES[Employment.FLEX_POOL] == FLEX_POOL
    assert EMPLOYMENT_CODES[Employment.AGENCY] == AGENCY
    assert ANW_CODES[AnwClass.DAY] == DAY_CLASS


def test_kernel_matches_reference_on_example(example_arrays):
    """Tests that the kernel's graph equals the reference on the bundled example."""
    _assert_matches_reference(example_arrays)
    everyone = np.ones(len(example_arrays.staff_level), dtype=bool)
    _assert_matches_reference(example_arrays, everyone)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(1, 4), data=st.data())
def test_kernel_matches_reference_on_generated_regions(seed, data):
    """Tests that kernel and reference agree on generated S regions and random pools."""
    arrays = _generated(seed)
    num_staff = len(arrays.staff_level)
    bits = data.draw(st.lists(st.booleans(), min_size=num_staff, max_size=num_staff))
    mask = np.array(bits, dtype=bool)
    _assert_matches_reference(arrays, mask)
    _assert_matches_reference(arrays)


def test_graph_is_sorted_and_consistent(example_arrays):
    """Tests that each slot's people are strictly increasing and the counts add up."""
    graph = eligibility(example_arrays)
    assert graph.slot_ptr[0] == 0
    assert graph.num_slots == len(example_arrays.slot_shift)
    assert graph.num_pairs == graph.slot_ptr[-1] == graph.candidates_per_slot.sum()
    for slot in range(graph.num_slots):
        assert np.all(np.diff(graph.staff_of(slot)) > 0)
    assert np.all(graph.travel_km >= 0)
    assert np.all(graph.cost > 0)


def test_empty_pool_and_no_slots(example_arrays):
    """Tests that an empty pool or a region without open slots gives an empty graph."""
    nobody = np.zeros(len(example_arrays.staff_level), dtype=bool)
    graph = eligibility(example_arrays, nobody)
    assert graph.num_pairs == 0
    np.testing.assert_array_equal(graph.slot_ptr, np.zeros(graph.num_slots + 1))
    _assert_matches_reference(example_arrays, nobody)
    no_slots = example_arrays._replace(
        slot_shift=_frozen(np.zeros(0, np.int64)),
        slot_level=_frozen(np.zeros(0, np.int64)),
        slot_competence=_frozen(np.zeros(0, np.int64)),
        slot_exact_level=_frozen(np.zeros(0, bool)),
    )
    graph = eligibility(no_slots)
    assert graph.num_pairs == 0
    np.testing.assert_array_equal(graph.slot_ptr, [0])
    _assert_matches_reference(no_slots)
    assert [len(pairs) for pairs in shift_conflicts(no_slots)] == [0, 0]


def test_default_pool_and_agency(example_arrays):
    """Tests that the default pool is flex pool plus those wanting more, never agency."""
    a = example_arrays
    expected = (a.staff_employment == FLEX_POOL) | (
        (a.staff_employment == EMPLOYEE)
        & (a.staff_desired_minutes > a.staff_contract_minutes)
    )
    np.testing.assert_array_equal(default_candidates(a), expected)
    in_graph = set(eligibility(a).staff_idx.tolist())
    assert in_graph <= set(np.flatnonzero(expected).tolist())
    # CONSENT: a wider mask reaches nobody who did not offer extra shifts.
    everyone = eligibility(a, np.ones(len(a.staff_level), dtype=bool))
    assert not np.any(a.staff_employment[everyone.staff_idx] == AGENCY)
    np.testing.assert_array_equal(everyone.staff_idx, eligibility(a).staff_idx)
    opted_in = a._replace(
        staff_offers_shifts=a.staff_offers_shifts | (a.staff_employment == EMPLOYEE)
    )
    assert eligibility(opted_in).num_pairs > eligibility(a).num_pairs


def test_explain_agrees_with_kernel(example_arrays):
    """Tests that explain_ineligible is empty exactly for the pairs in the graph."""
    a = example_arrays
    everyone = np.ones(len(a.staff_level), dtype=bool)
    for mask in (None, everyone):
        graph = eligibility(a, mask)
        for slot in range(graph.num_slots):
            members = set(graph.staff_of(slot).tolist())
            for staff in range(len(a.staff_level)):
                reasons = explain_ineligible(a, staff, slot, mask)
                assert (not reasons) == (staff in members), (staff, slot, reasons)
                names = _checks_named(reasons)
                assert all(name in CHECKS for name in names), reasons
                order = [CHECKS.index(name) for name in names]
                assert order == sorted(order), reasons


# ---------------------------------------------------------------------------
# Hand-made cases, one per check
# ---------------------------------------------------------------------------


def _night(start: str, end: str) -> dict[str, Any]:
    return {"start": start, "end": end, "unpaid_break_minutes": 0}


MORNING_TEMPLATE = {
    "id": "T-MORNING",
    "name": "morning",
    "start": "06:00",
    "end": "12:00",
    "unpaid_break_minutes": 0,
}
MORNING_SHIFT = {
    "id": "X-0328-M",
    "ward": "O003-L1-W1",
    "date": "2026-03-28",
    "template": "T-MORNING",
    "requirements": [{"level": "N3", "count": 1}],
}

LONG_NIGHT_TEMPLATE = {
    "id": "T-LONG-NIGHT",
    "name": "long night",
    "start": "20:00",
    "end": "07:00",
    "unpaid_break_minutes": 0,
}
LONG_NIGHT_SHIFT = {
    "id": "X-0326-LN",
    "ward": "O003-L1-W1",
    "date": "2026-03-26",
    "template": "T-LONG-NIGHT",
    "requirements": [{"level": "N3", "count": 1}],
}

CASES: dict[str, tuple[dict[str, Any], str, list[str]]] = {
    # An 11 h night where the region allows 11 h nights and shifts, checked against
    # the ATW's 10 h in the arrays: a night that outgrows the limit on its date
    # only, as a night across the October clock change does (this March week has
    # none; a template above the limit on every date is a validation error).
    "shift_length": (
        {
            "templates": [LONG_NIGHT_TEMPLATE],
            "shifts": [LONG_NIGHT_SHIFT],
            "rules": {"max_night_shift_hours": 11, "cao_max_shift_hours": 11},
            "arrays": lambda a: {
                "rules": a.rules._replace(max_night_shift_minutes=600)
            },
        },
        "X-0326-LN",
        ["shift_length"],
    ),
    # name: (changes to the clean probe, open shift, failing checks in order)
    "level": ({"person": {"level": "N1", "competences": []}}, EARLY, ["level"]),
    "exact_level": ({"person": {"level": "N4"}}, EXACT, ["exact_level"]),
    "competence": ({"person": {"competences": []}}, SAT_NIGHT, ["competence"]),
    "induction": ({"person": {"inducted_locations": []}}, EARLY, ["induction"]),
    "unavailability": (
        {
            "person": {
                "unavailability": [
                    {"start": "2026-03-25T10:00", "end": "2026-03-25T12:00"}
                ]
            }
        },
        EARLY,
        ["unavailable"],
    ),
    "sickness": ({"sick_days": ["2026-03-25"]}, EARLY, ["sick"]),
    "travel": (
        {
            "person": {
                "home": {"latitude": 52.5, "longitude": 5.6},
                "max_travel_km": 10.0,
            }
        },
        EARLY,
        ["travel"],
    ),
    "night_exemption": ({"person": {"age": 60}}, SAT_NIGHT, ["night_exemption"]),
    "pregnancy": ({"person": {"pregnant": True}}, LATE, ["irregular"]),
    "overlap": ({"roster": ["O004-L1-W1-0325-E"]}, EARLY, ["overlap", "same_day"]),
    # A fixed 06:00-12:00 on Saturday leaves exactly 11 h before the 23:00 night.
    "same_day": (
        {
            "templates": [MORNING_TEMPLATE],
            "shifts": [MORNING_SHIFT],
            "roster": ["X-0328-M"],
        },
        SAT_NIGHT,
        ["same_day"],
    ),
    # Fixed late Tue until 23:00, open early Wed from 07:00: 8 h rest.
    "rest_after_late": ({"roster": ["O003-L1-W1-0324-L"]}, EARLY, ["rest"]),
    # A carry-in night ending Monday 03:00, then the open late at 15:00: 12 h rest.
    "rest_after_night": (
        {
            "person": {
                "history": {
                    "recent_shifts": [_night("2026-03-22T21:00", "2026-03-23T03:00")]
                }
            }
        },
        MON_LATE,
        ["rest_after_night"],
    ),
    # Three carry-in nights ending Sunday 07:15, then Monday 15:00: 31.75 h rest.
    "rest_after_night_series": (
        {
            "person": {
                "history": {
                    "recent_shifts": [
                        _night("2026-03-19T23:00", "2026-03-20T07:15"),
                        _night("2026-03-20T23:00", "2026-03-21T07:15"),
                        _night("2026-03-21T23:00", "2026-03-22T07:15"),
                    ]
                }
            }
        },
        MON_LATE,
        ["rest_after_night_series"],
    ),
    # 8 h fixed on Monday + 8 h open on Wednesday > a 12 h weekly maximum.
    "week_hours": (
        {
            "person": {"contract_hours": 4, "desired_hours": 8, "max_hours": 12},
            "roster": ["O003-L1-W1-0323-E"],
            "rules": {"hours_above_desired": 12},
        },
        EARLY,
        ["week_hours"],
    ),
    # 8 h fixed on Monday + 8 h open on Wednesday > the 12 h the person offered.
    "consent_hours": (
        {
            "person": {"contract_hours": 4, "desired_hours": 12, "max_hours": 24},
            "roster": ["O003-L1-W1-0323-E"],
        },
        EARLY,
        ["consent_hours"],
    ),
    "week_hours_atw": (
        {"roster": ["O003-L1-W1-0323-E"], "rules": {"max_week_hours": 15}},
        EARLY,
        ["week_hours"],
    ),
    "not_a_candidate": (
        {
            "person": {
                "employment": "employee",
                "ward": "O003-L1-W1",
                "desired_hours": 16,
            }
        },
        EARLY,
        ["candidate"],
    ),
    "agency": (
        {"person": {"employment": "agency", "organisation": None}},
        EARLY,
        ["candidate"],
    ),
}


@pytest.mark.parametrize("target", [EARLY, LATE, EXACT, SAT_NIGHT, MON_LATE, MON_NIGHT])
def test_clean_probe_is_eligible(example_region, target):
    """Tests that the clean probe may take each open shift the hand-made cases use."""
    arrays, staff, slot = _pair(_probe_region(example_region), target)
    assert explain_ineligible(arrays, staff, slot) == []
    assert _is_pair(arrays, staff, slot)


@pytest.mark.parametrize("name", list(CASES))
def test_each_check_excludes(example_region, name):
    """Tests that each hand-made case excludes the pair and explain names the check."""
    case, target, failing = CASES[name]
    arrays, staff, slot = _pair(_probe_region(example_region, case), target)
    if "arrays" in case:
        arrays = arrays._replace(**case["arrays"](arrays))
    assert not _is_pair(arrays, staff, slot)
    assert _checks_named(explain_ineligible(arrays, staff, slot)) == failing
    # A wider pool never reaches past consent (nor agency staff).
    everyone = np.ones(len(arrays.staff_level), dtype=bool)
    assert not _is_pair(arrays, staff, slot, everyone)
    _assert_matches_reference(arrays)


@pytest.mark.parametrize(
    ("person", "target"),
    [
        ({"age": 60, "pregnant": True}, EARLY),  # day shifts stay open to both
        ({"age": 60, "night_opt_in": True}, SAT_NIGHT),
        ({"pregnant": True, "irregular_opt_in": True}, LATE),
    ],
)
def test_exemptions_leave_day_shifts_and_opt_ins(example_region, person, target):
    """Tests that exempt people keep day shifts and that opting in lifts exemptions."""
    arrays, staff, slot = _pair(
        _probe_region(example_region, {"person": person}), target
    )
    assert _is_pair(arrays, staff, slot)
    assert explain_ineligible(arrays, staff, slot) == []


def test_night_series_continued_or_too_short(example_region):
    """Tests that an open night may continue a series and two nights are no series."""
    series_into_horizon = {
        "person": {
            "history": {
                "recent_shifts": [
                    _night("2026-03-20T23:00", "2026-03-21T07:15"),
                    _night("2026-03-21T23:00", "2026-03-22T07:15"),
                    _night("2026-03-22T23:00", "2026-03-23T07:15"),
                ]
            }
        }
    }
    # Monday 23:00 starts 15.75 h after the series ends: it continues the series.
    arrays, staff, slot = _pair(
        _probe_region(example_region, series_into_horizon), MON_NIGHT
    )
    assert _is_pair(arrays, staff, slot)
    assert explain_ineligible(arrays, staff, slot) == []
    two_nights = {
        "person": {
            "history": {
                "recent_shifts": [
                    _night("2026-03-20T23:00", "2026-03-21T07:15"),
                    _night("2026-03-21T23:00", "2026-03-22T07:15"),
                ]
            }
        }
    }
    arrays, staff, slot = _pair(_probe_region(example_region, two_nights), MON_LATE)
    assert _is_pair(arrays, staff, slot)
    _assert_matches_reference(arrays)


def test_travel_and_cost_by_hand(example_region):
    """Tests that a pair's travel km and cost follow the formula worked out by hand."""
    home = {"latitude": 52.05, "longitude": 5.15}
    region = _probe_region(
        example_region, {"person": {"home": home, "max_travel_km": 30.0}}
    )
    arrays, staff, slot = _pair(region, EXACT)
    graph = eligibility(arrays)
    pos = graph.slot_ptr[slot] + list(graph.staff_of(slot)).index(staff)
    location = region.location_by_id["O001-L1"]
    costs = region.costs
    km = (
        haversine_km(52.05, 5.15, location.latitude, location.longitude)
        * costs.detour_factor
    )
    assert math.isclose(graph.travel_km[pos], km, rel_tol=1e-12)
    shift = compile_region(region).shift_index[EXACT]
    paid = region.shift_classes[EXACT].paid_minutes
    assert paid == 480
    wage = costs.hourly_wage[region.staff_by_id[PROBE].level]
    ort = arrays.shift_ort_minutes[shift]
    # The probe works for O003, the shift is O001's: the lending VAT factor applies.
    expected = (paid / 60 + ort / 60) * wage * costs.lending_vat_factor
    expected += 2 * km * costs.travel_cost_per_km
    assert math.isclose(graph.cost[pos], expected, rel_tol=1e-12)
    # Home unknown: no travel check and no travel cost; same organisation: no VAT.
    arrays, staff, slot = _pair(_probe_region(example_region), EARLY)
    graph = eligibility(arrays)
    pos = graph.slot_ptr[slot] + list(graph.staff_of(slot)).index(staff)
    assert graph.travel_km[pos] == 0.0
    early = compile_region(_probe_region(example_region)).shift_index[EARLY]
    expected = (480 / 60 + arrays.shift_ort_minutes[early] / 60) * wage
    assert math.isclose(graph.cost[pos], expected, rel_tol=1e-12)


def test_raises_on_bad_input(example_arrays):
    """Tests that the wrappers reject wrong dtypes and shapes with clear errors."""
    a = example_arrays
    with pytest.raises(TypeError, match="candidate_mask"):
        eligibility(a, np.ones(len(a.staff_level), dtype=np.int64))
    with pytest.raises(ValueError, match="candidate_mask"):
        eligibility(a, np.ones(len(a.staff_level) + 1, dtype=bool))
    with pytest.raises(TypeError, match="shift_start"):
        eligibility(a._replace(shift_start=a.shift_start.astype(np.int32)))
    with pytest.raises(ValueError, match="staff_max_minutes"):
        eligibility(a._replace(staff_max_minutes=a.staff_max_minutes[:-1]))
    busiest = int(np.argmax(np.diff(a.fixed_ptr)))
    lo, hi = a.fixed_ptr[busiest], a.fixed_ptr[busiest + 1]
    reversed_fixed = a.fixed_shift.copy()
    reversed_fixed[lo:hi] = reversed_fixed[lo:hi][::-1]
    with pytest.raises(ValueError, match="not sorted by start"):
        eligibility(a._replace(fixed_shift=_frozen(reversed_fixed)))
    with pytest.raises(TypeError, match="shift_end"):
        shift_conflicts(a._replace(shift_end=a.shift_end.astype(np.float64)))
    with pytest.raises(IndexError):
        explain_ineligible(a, len(a.staff_level), 0)


# ---------------------------------------------------------------------------
# Shift conflicts
# ---------------------------------------------------------------------------


def _conflicting(
    arrays: RegionArrays, index: dict[str, int], one: str, other: str
) -> bool:
    a, b = sorted((index[one], index[other]))
    first, second = shift_conflicts(arrays)
    return bool(np.any((first == a) & (second == b)))


@pytest.fixture(scope="module")
def example_compiled(example_region):
    """The bundled example, compiled, with its id maps."""
    return compile_region(example_region)


@pytest.mark.parametrize(
    ("earlier", "later", "conflict"),
    [
        ("O003-L1-W1-0324-L", "O003-L1-W1-0325-E", True),  # late, early next day: 8 h
        ("O003-L1-W1-0325-E", "O003-L1-W1-0326-L", False),  # early, late next day
        ("O001-L1-W2-0326-N", "O001-L1-W2-0327-N", False),  # night, night next day
        ("O003-L1-W1-0328-N", "O001-L1-W2-0329-D", True),  # night to 07:15, early 07:30
        ("O003-L1-W1-0324-L", "O003-L1-W1-0324-L", False),  # not with itself
        ("O003-L1-W1-0325-E", "O003-L1-W1-0325-L", True),  # same day
    ],
)
def test_conflicts_by_hand(example_compiled, earlier, later, conflict):
    """Tests that hand-picked pairs of open-slot shifts conflict as worked out by hand."""
    index = example_compiled.shift_index
    assert _conflicting(example_compiled.arrays, index, earlier, later) is conflict


def test_conflicts_rest_after_night(example_compiled):
    """Tests that the longer rest after a night applies to the pair's earlier night."""
    # Night Sat 23:00 - Sun 07:15, then Sun 23:15: 16 h apart.
    night, next_night = "O003-L1-W1-0328-N", "O001-L1-W2-0329-N"
    arrays, index = example_compiled.arrays, example_compiled.shift_index
    assert not _conflicting(arrays, index, night, next_night)
    stricter = arrays._replace(
        rules=arrays.rules._replace(rest_after_night_minutes=17 * 60)
    )
    assert _conflicting(stricter, index, night, next_night)
    _assert_conflicts_match_reference(stricter)


def test_conflicts_sorted_unique(example_arrays):
    """Tests that conflicts are unique, sorted pairs a < b of open-slot shifts."""
    first, second = shift_conflicts(example_arrays)
    assert len(first) > 0
    assert np.all(first < second)
    keys = first * len(example_arrays.shift_start) + second
    assert np.all(np.diff(keys) > 0)
    open_shifts = set(example_arrays.slot_shift.tolist())
    assert set(first.tolist()) | set(second.tolist()) <= open_shifts


def test_conflicts_match_reference_on_example(example_arrays):
    """Tests that the conflict kernel equals the reference on the bundled example."""
    _assert_conflicts_match_reference(example_arrays)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(1, 4))
def test_conflicts_match_reference_on_generated_regions(seed):
    """Tests that the conflict kernel equals the reference on generated S regions."""
    _assert_conflicts_match_reference(_generated(seed))

"""Greedy filler: a fast, legal roster of open slots (warm start, baseline, Monte-Carlo).

Slots are taken in a fixed order, scarcest first (fewest eligible people, then
earliest start). Each slot goes to the cheapest eligible person for whom the whole
roster stays legal: the person's fixed shifts, carry-in and the greedy's earlier
assignments plus this one must pass the evaluator's own sequence and hours checks
(`carecap.kernels.evaluate`), so every greedy roster is evaluator-clean by construction.
Flex-pool members cost only their premiums and travel while they are below their
contract hours (they are paid anyway). A slot nobody can take goes to agency if the
day's agency supply of its level lasts, and stays uncovered otherwise; a slot whose
shift breaks a length rule (H2, H3) stays uncovered: the ATW binds agency workers too.

People whose fixed roster already breaks a rule get no new assignments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ._config import JIT_OPTIONS
from .eligibility import length_rule_breaks
from .evaluate import (
    _NUM_COLUMNS,
    AGENCY,
    UNCOVERED,
    _check_consent,
    _check_hours,
    _check_sequence,
    _split,
)

POOL_CODE = 1
"""``staff_employment`` code of flex-pool members (`carecap.compile.EMPLOYMENT_CODES`)."""

MAX_NEW_PER_WEEK = 7
"""No one can take more than one new shift a day."""


@njit(**JIT_OPTIONS)
def _sequence_with(lists, new_slots, new_count, slot_shift, shift_start, person, extra):
    """Returns the person's fixed and new shifts plus ``extra``, sorted by start."""
    first = lists.fixed_ptr[person]
    num_fixed = lists.fixed_ptr[person + 1] - first
    num_new = new_count[person]
    num = num_fixed + num_new + (1 if extra >= 0 else 0)
    seq = np.empty(num, dtype=np.int64)
    for k in range(num_fixed):
        seq[k] = lists.fixed_shift[first + k]
    for k in range(num_new):
        seq[num_fixed + k] = slot_shift[new_slots[person, k]]
    if extra >= 0:
        seq[num - 1] = extra
    for i in range(1, num):
        shift = seq[i]
        j = i - 1
        while j >= 0 and shift_start[seq[j]] > shift_start[shift]:
            seq[j + 1] = seq[j]
            j -= 1
        seq[j + 1] = shift
    return seq


@njit(**JIT_OPTIONS)
def _clean(shifts, staff, lists, rules, num_weeks, person, seq, counting):
    """Returns whether the sorted shifts break none of the sequence, hours and
    consent rules."""
    if _check_sequence(shifts, rules, person, seq, counting, 0) > 0:
        return False
    if _check_hours(shifts, staff, num_weeks, rules, person, seq, counting, 0) > 0:
        return False
    return (
        _check_consent(shifts, staff, lists, num_weeks, person, seq, counting, 0) == 0
    )


@njit(**JIT_OPTIONS)
def _fill(
    shifts,
    slots,
    staff,
    lists,
    places,
    rules,
    slot_ptr,
    staff_idx,
    pair_cost,
    order,
    active,
    sick_days,
    person_ok,
    agency_ok,
):
    """Returns ``slot_assignee`` of a greedy roster of the active slots."""
    num_slots = slots.slot_shift.shape[0]
    num_staff = staff.staff_level.shape[0]
    num_weeks = places.num_weeks
    max_new = MAX_NEW_PER_WEEK * num_weeks
    counting = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    supply = places.agency_supply.copy()
    new_slots = np.empty((num_staff, max_new), dtype=np.int64)
    new_count = np.zeros(num_staff, dtype=np.int64)
    new_minutes = np.zeros(num_staff, dtype=np.int64)
    assignee = np.full(num_slots, UNCOVERED, dtype=np.int64)
    for slot in order:
        if not active[slot]:
            continue
        shift = slots.slot_shift[slot]
        day = shifts.shift_day[shift]
        paid = shifts.shift_paid[shift]
        lo, hi = slot_ptr[slot], slot_ptr[slot + 1]
        cost = np.full(hi - lo, np.inf)
        for k in range(lo, hi):
            person = staff_idx[k]
            if not person_ok[person] or new_count[person] >= max_new:
                continue
            if (sick_days[person] >> np.uint64(day)) & np.uint64(1):
                continue
            price = pair_cost[k]
            room = (
                staff.staff_contract_minutes[person] * num_weeks - new_minutes[person]
            )
            if staff.staff_employment[person] == POOL_CODE and paid <= room:
                # Paid anyway: only the premiums, lending and travel are extra.
                price -= paid / 60.0 * places.wage_per_level[staff.staff_level[person]]
            cost[k - lo] = price
        chosen = -1
        for pos in np.argsort(cost, kind="mergesort"):
            if not np.isfinite(cost[pos]):
                break
            person = staff_idx[lo + pos]
            seq = _sequence_with(
                lists,
                new_slots,
                new_count,
                slots.slot_shift,
                shifts.shift_start,
                person,
                shift,
            )
            if _clean(shifts, staff, lists, rules, num_weeks, person, seq, counting):
                chosen = person
                break
        if chosen >= 0:
            new_slots[chosen, new_count[chosen]] = slot
            new_count[chosen] += 1
            new_minutes[chosen] += paid
            assignee[slot] = chosen
        else:
            level = slots.slot_level[slot]
            if agency_ok[slot] and supply[day, level] > 0:
                supply[day, level] -= 1
                assignee[slot] = AGENCY
    return assignee


@njit(**JIT_OPTIONS)
def _clean_people(shifts, staff, lists, rules, num_weeks):
    """Returns, per person, whether their fixed roster alone breaks no rule."""
    num_staff = staff.staff_level.shape[0]
    ok = np.ones(num_staff, dtype=np.bool_)
    counting = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    no_new = np.empty((num_staff, 0), dtype=np.int64)
    no_count = np.zeros(num_staff, dtype=np.int64)
    empty_slots = np.empty(0, dtype=np.int64)
    for person in range(num_staff):
        seq = _sequence_with(
            lists, no_new, no_count, empty_slots, shifts.shift_start, person, -1
        )
        ok[person] = _clean(
            shifts, staff, lists, rules, num_weeks, person, seq, counting
        )
    return ok


def slot_order(arrays: Any, slot_ptr: np.ndarray) -> np.ndarray:
    """Returns the greedy's slot order: fewest candidates first, then earliest start."""
    candidates = np.diff(slot_ptr)
    starts = arrays.shift_start[arrays.slot_shift]
    return np.lexsort((np.arange(len(candidates)), starts, candidates)).astype(np.int64)


class GreedyFiller:
    """A greedy filler bound to one compiled region and its eligibility graph.

    Building it checks every person's fixed roster once; `fill` can then be called
    many times (the Monte-Carlo calls it once per sampled week) with a different set
    of active slots and sick days, and releases the GIL while it runs.

    Parameters
    ----------
    arrays
        `RegionArrays` of the compiled region.
    graph
        Its `EligibilityGraph` (CSR over slots, with pair costs).
    """

    def __init__(self, arrays: Any, graph: Any):
        self.arrays = arrays
        self.graph = graph
        self.groups = _split(arrays)
        shifts, _, staff, lists, places = self.groups
        self.person_ok = _clean_people(
            shifts, staff, lists, arrays.rules, places.num_weeks
        )
        self.order = slot_order(arrays, graph.slot_ptr)
        self.agency_ok = ~length_rule_breaks(arrays)[arrays.slot_shift]

    def fill(
        self, active: np.ndarray | None = None, sick_days: np.ndarray | None = None
    ) -> np.ndarray:
        """Returns a legal ``slot_assignee``: staff index, `AGENCY` or `UNCOVERED`.

        Parameters
        ----------
        active
            bool per slot: the slots to fill (all when omitted); inactive slots are
            returned as `UNCOVERED`.
        sick_days
            uint64 per person, bit d set when sick on horizon day d; the region's
            own sick days when omitted.
        """
        arrays = self.arrays
        num_slots = arrays.slot_shift.shape[0]
        if active is None:
            active = np.ones(num_slots, dtype=np.bool_)
        if sick_days is None:
            sick_days = arrays.staff_sick_days
        if active.shape != (num_slots,) or active.dtype != np.bool_:
            raise ValueError(f"active must be a bool array of shape ({num_slots},)")
        if sick_days.dtype != np.uint64 or sick_days.shape != arrays.staff_level.shape:
            raise ValueError(
                "sick_days must be a uint64 array with one entry per person"
            )
        shifts, slots, staff, lists, places = self.groups
        return _fill(
            shifts,
            slots,
            staff,
            lists,
            places,
            arrays.rules,
            self.graph.slot_ptr,
            self.graph.staff_idx,
            self.graph.cost,
            self.order,
            active,
            sick_days,
            self.person_ok,
            self.agency_ok,
        )


def greedy_roster(arrays: Any, graph: Any) -> np.ndarray:
    """Returns the greedy roster of all open slots of a compiled region.

    Parameters
    ----------
    arrays
        `RegionArrays` of the compiled region.
    graph
        Its `EligibilityGraph`.

    Returns
    -------
    numpy.ndarray
        int64 ``slot_assignee``: staff index, `AGENCY` (-2) or `UNCOVERED` (-1).
    """
    return GreedyFiller(arrays, graph).fill()

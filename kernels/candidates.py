"""Roster-aware candidates: which rules each person would break by taking one slot.

Given a roster (``slot_assignee``) and one open slot, each person's merged shifts
(fixed work plus their new assignments in the roster) are checked twice by the
evaluator's own per-person rule functions (`carecap.kernels.evaluate._check_person`): as they
are, and with the slot's shift added. The slot's current filler, if any, is taken out
of the roster first. The rules of the records the second check finds and the first
does not are what blocks that person; on a roster that breaks no rule they are
exactly the rules `carecap.kernels.evaluate.evaluate_roster` reports for that person when
they alone are put on the slot. A record is the same in both checks when its rule,
shifts, slot, period and span are (a weekly total already above its limit stays the
same record with a larger value).

One person takes a few microseconds, so a whole region's staff is checked against
one slot in milliseconds, without evaluating the region once per person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from ._config import JIT_OPTIONS
from .eligibility import AGENCY as AGENCY_EMPLOYMENT
from .eligibility import _cost, haversine_km
from .evaluate import (
    _LIMIT,
    _NUM_COLUMNS,
    _RULE,
    _VALUE,
    UNCOVERED,
    CompiledLike,
    Violation,
    _assignments_by_person,
    _check_person,
    _person_shifts,
    _split,
    _violation,
)


@njit(**JIT_OPTIONS)
def _with_slot(shift_start, seq, seq_slots, shift, slot):
    """Returns the person's sorted shifts with ``slot``'s shift inserted.

    The position is the one `carecap.kernels.evaluate._person_shifts` would give it: by start,
    and among equal starts after the fixed shifts and the new ones of lower slots.
    """
    num = seq.shape[0]
    start = shift_start[shift]
    pos = 0
    while pos < num and (
        shift_start[seq[pos]] < start
        or (shift_start[seq[pos]] == start and seq_slots[pos] < slot)
    ):
        pos += 1
    out = np.empty(num + 1, dtype=np.int64)
    out_slots = np.empty(num + 1, dtype=np.int64)
    out[:pos] = seq[:pos]
    out_slots[:pos] = seq_slots[:pos]
    out[pos] = shift
    out_slots[pos] = slot
    out[pos + 1 :] = seq[pos:]
    out_slots[pos + 1 :] = seq_slots[pos:]
    return out, out_slots


@njit(**JIT_OPTIONS)
def _records(shifts, slots, staff, lists, places, rules, person, seq, seq_slots):
    """Returns the violation records of one person's sorted shifts (count, then write)."""
    counting = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    num = _check_person(
        shifts, slots, staff, lists, places, rules, person, seq, seq_slots, counting, 0
    )
    out = np.empty((num, _NUM_COLUMNS), dtype=np.int64)
    if num > 0:
        _check_person(
            shifts, slots, staff, lists, places, rules, person, seq, seq_slots, out, 0
        )
    return out


@njit(**JIT_OPTIONS)
def _same_record(a, b):
    """Returns whether two records name the same violation (all but value and limit)."""
    for column in range(_NUM_COLUMNS):
        if column != _VALUE and column != _LIMIT and a[column] != b[column]:
            return False
    return True


@njit(**JIT_OPTIONS)
def _new_records(
    shifts, slots, staff, lists, places, rules, person, seq, seq_slots, slot
):
    """Returns the records that the person's shifts break with ``slot`` added only."""
    base = _records(shifts, slots, staff, lists, places, rules, person, seq, seq_slots)
    trial, trial_slots = _with_slot(
        shifts.shift_start, seq, seq_slots, slots.slot_shift[slot], slot
    )
    after = _records(
        shifts, slots, staff, lists, places, rules, person, trial, trial_slots
    )
    new = np.ones(after.shape[0], dtype=np.bool_)
    for j in range(after.shape[0]):
        for i in range(base.shape[0]):
            if _same_record(after[j], base[i]):
                new[j] = False
                break
    return after[new]


@njit(**JIT_OPTIONS)
def _slot_verdicts(
    shifts, slots, staff, lists, places, rules, new_ptr, new_slot, slot, checked
):
    """Returns per person the rules that taking ``slot`` breaks, and more.

    Returns ``rules`` (int64 bit mask of `carecap.kernels.evaluate.Rule` codes), ``first``
    (int64 (num_staff, columns): the first new record, rule -1 when none), the paid
    minutes of the person's horizon shifts in the slot's ATW week before taking it,
    travel km to the shift's location (0 where the home is unknown) and the cost of
    the pair, as the eligibility graph prices it. People not ``checked`` get zeros.
    """
    num_staff = staff.staff_level.shape[0]
    shift = slots.slot_shift[slot]
    week = shifts.shift_week[shift]
    location = shifts.shift_location[shift]
    mask = np.zeros(num_staff, dtype=np.int64)
    first = np.full((num_staff, _NUM_COLUMNS), -1, dtype=np.int64)
    week_minutes = np.zeros(num_staff, dtype=np.int64)
    travel_km = np.zeros(num_staff, dtype=np.float64)
    cost = np.zeros(num_staff, dtype=np.float64)
    for person in range(num_staff):
        if not checked[person]:
            continue
        seq, seq_slots = _person_shifts(
            shifts.shift_start, slots.slot_shift, lists, person, new_ptr, new_slot
        )
        for k in range(seq.shape[0]):
            s = seq[k]
            if s < shifts.num_horizon_shifts and shifts.shift_week[s] == week:
                week_minutes[person] += shifts.shift_paid[s]
        found = _new_records(
            shifts, slots, staff, lists, places, rules, person, seq, seq_slots, slot
        )
        if found.shape[0] > 0:
            first[person, :] = found[0, :]
        for j in range(found.shape[0]):
            mask[person] |= np.int64(1) << found[j, _RULE]

        lat, lon = staff.staff_home_lat[person], staff.staff_home_lon[person]
        km = 0.0
        if not (math.isnan(lat) or math.isnan(lon)):
            km = (
                haversine_km(
                    lat,
                    lon,
                    places.location_lat[location],
                    places.location_lon[location],
                )
                * places.detour_factor
            )
        travel_km[person] = km
        cost[person] = _cost(
            shifts.shift_paid[shift],
            shifts.shift_ort_minutes[shift],
            places.wage_per_level[staff.staff_level[person]],
            staff.staff_org[person] != shifts.shift_org[shift],
            places.lending_vat_factor,
            km,
            places.travel_cost_per_km,
        )
    return mask, first, week_minutes, travel_km, cost


@njit(**JIT_OPTIONS)
def _one_person(
    shifts, slots, staff, lists, places, rules, new_ptr, new_slot, person, slot
):
    """Returns the records one person breaks by taking ``slot`` (`_new_records`)."""
    seq, seq_slots = _person_shifts(
        shifts.shift_start, slots.slot_shift, lists, person, new_ptr, new_slot
    )
    return _new_records(
        shifts, slots, staff, lists, places, rules, person, seq, seq_slots, slot
    )


@dataclass(frozen=True, eq=False)
class SlotVerdicts:
    """What taking one open slot would break, per person, given a roster.

    Attributes
    ----------
    slot
        The open slot.
    filler
        Who fills it in the roster (staff index, `UNCOVERED` or `AGENCY`); a person
        is taken out before the others are tried, and is not tried.
    checked
        bool per person: tried (not agency staff, not the filler).
    rules
        int64 per person: bit ``1 << code`` set for every `carecap.kernels.evaluate.Rule`
        the person would break by taking the slot (0: none).
    first
        int64 (num_staff, 9): the first such violation record, in evaluator order
        (rule -1 where none); `violation` gives it with ids.
    week_minutes
        int64 per person: paid minutes of their horizon shifts in the slot's ATW
        week in the roster, before taking the slot.
    travel_km, cost
        float64 per person: road km to the shift's location (0 where the home is
        unknown) and the cost of the person working the shift (wage with ORT and
        lending VAT, plus the return trip), as in the eligibility graph.
    """

    slot: int
    filler: int
    checked: np.ndarray
    rules: np.ndarray
    first: np.ndarray
    week_minutes: np.ndarray
    travel_km: np.ndarray
    cost: np.ndarray
    compiled: Any

    def minutes_above_desired(self, people: np.ndarray) -> np.ndarray:
        """Returns, per person, the paid minutes their week would hold above their
        desired hours with the slot's shift (0 where it stays within them)."""
        arrays = self.compiled.arrays
        paid = int(arrays.shift_paid[int(arrays.slot_shift[self.slot])])
        with_shift = self.week_minutes[people] + paid
        return np.maximum(with_shift - arrays.staff_desired_minutes[people], 0)

    def violation(self, person: int) -> Violation | None:
        """Returns the first violation of the person taking the slot, with ids."""
        record = self.first[person]
        if record[_RULE] < 0:
            return None
        return _violation(self.compiled, record)


def _roster_without(
    arrays: Any, slot_assignee: np.ndarray, slot: int
) -> tuple[np.ndarray, int]:
    """Returns a copy of the roster with ``slot`` uncovered, and its filler there."""
    num_slots = arrays.slot_shift.shape[0]
    if not isinstance(slot_assignee, np.ndarray) or slot_assignee.dtype != np.int64:
        raise TypeError(
            "slot_assignee must be an int64 NumPy array; "
            "use np.asarray(values, dtype=np.int64)"
        )
    if slot_assignee.shape != (num_slots,):
        raise ValueError(
            f"slot_assignee must have shape ({num_slots},), one entry per open slot; "
            f"got {slot_assignee.shape}"
        )
    if not 0 <= slot < num_slots:
        raise IndexError(f"slot index {slot} is outside 0..{num_slots - 1}")
    roster = np.array(slot_assignee, dtype=np.int64, order="C", copy=True)
    filler = int(roster[slot])
    roster[slot] = UNCOVERED
    return roster, filler


def slot_verdicts(
    compiled: CompiledLike,
    slot_assignee: np.ndarray,
    slot: int,
    people: np.ndarray | None = None,
) -> SlotVerdicts:
    """Returns, per person, the rules that taking one open slot of a roster breaks.

    Parameters
    ----------
    compiled
        A compiled region (`carecap.compile.compile_region`).
    slot_assignee
        int64 per open slot: staff index, `UNCOVERED` or `AGENCY` (the roster).
    slot
        The open slot to fill.
    people
        bool per person: try only these (a caller that needs a few people of a large
        region); None tries everyone but agency staff.

    Returns
    -------
    SlotVerdicts

    Raises
    ------
    TypeError, ValueError, IndexError
        When the roster is not an int64 array of one entry per slot, or the slot
        index is out of range.
    """
    arrays = compiled.arrays
    roster, filler = _roster_without(arrays, slot_assignee, slot)
    checked = np.ascontiguousarray(arrays.staff_employment != AGENCY_EMPLOYMENT)
    if people is not None:
        checked &= np.asarray(people, dtype=np.bool_)
    if filler >= 0:
        checked[filler] = False
    shifts, slots, staff, lists, places = _split(arrays)
    new_ptr, new_slot = _assignments_by_person(roster, len(checked))
    mask, first, week_minutes, travel_km, cost = _slot_verdicts(
        shifts,
        slots,
        staff,
        lists,
        places,
        arrays.rules,
        new_ptr,
        new_slot,
        slot,
        checked,
    )
    return SlotVerdicts(
        slot=slot,
        filler=filler,
        checked=checked,
        rules=mask,
        first=first,
        week_minutes=week_minutes,
        travel_km=travel_km,
        cost=cost,
        compiled=compiled,
    )


def insertion_violations(
    compiled: CompiledLike, slot_assignee: np.ndarray, slot: int, person: int
) -> tuple[Violation, ...]:
    """Returns every violation one person adds by taking an open slot of a roster.

    The slot's current filler is taken out first, as in `slot_verdicts`; the
    violations are those whose rules `slot_verdicts` sets for the person.

    Raises
    ------
    TypeError, ValueError, IndexError
        As `slot_verdicts`, and for a person index out of range.
    """
    arrays = compiled.arrays
    roster, _ = _roster_without(arrays, slot_assignee, slot)
    num_staff = arrays.staff_level.shape[0]
    if not 0 <= person < num_staff:
        raise IndexError(f"staff index {person} is outside 0..{num_staff - 1}")
    shifts, slots, staff, lists, places = _split(arrays)
    new_ptr, new_slot = _assignments_by_person(roster, num_staff)
    records = _one_person(
        shifts,
        slots,
        staff,
        lists,
        places,
        arrays.rules,
        new_ptr,
        new_slot,
        person,
        slot,
    )
    return tuple(_violation(compiled, record) for record in records)


__all__ = ["SlotVerdicts", "insertion_violations", "slot_verdicts"]

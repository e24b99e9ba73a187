"""Capacity kernels: how much the candidates can legally still work, and why a slot
stays uncovered.

The capacity analysis compares open demand with what the region's candidates (flex
pool and part-timers who want more hours) can legally give. The per-person part is
here: paid minutes each person may still work per ATW week, given fixed shifts and
the weekly caps (the person's maximum, and 60 h).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from ._config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS
from .eligibility import length_rule_breaks
from .evaluate import (
    _NUM_COLUMNS,
    UNCOVERED,
    _assignments_by_person,
    _person_shifts,
    _split,
)
from .greedy import _clean


@njit(**PARALLEL_JIT_OPTIONS)
def _remaining_week_minutes(
    fixed_ptr,
    fixed_shift,
    shift_week,
    shift_paid,
    num_horizon_shifts,
    week_cap,
    num_weeks,
):
    num_staff = fixed_ptr.shape[0] - 1
    out = np.empty((num_staff, num_weeks), dtype=np.int64)
    for person in prange(num_staff):
        for week in range(num_weeks):
            out[person, week] = week_cap[person]
        for k in range(fixed_ptr[person], fixed_ptr[person + 1]):
            shift = fixed_shift[k]
            # Carry-in shifts lie before the horizon and use no horizon hours.
            if shift < num_horizon_shifts:
                out[person, shift_week[shift]] -= shift_paid[shift]
        for week in range(num_weeks):
            if out[person, week] < 0:
                out[person, week] = 0
    return out


def remaining_week_minutes(arrays) -> np.ndarray:
    """Returns the paid minutes each person may still work in each horizon week.

    The cap is the smallest of the person's weekly maximum (H16), the ATW 60 h (H9)
    and the hours they offered (desired plus the region's allowance, CONSENT), less
    the paid minutes of their fixed shifts in that week; never below zero.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.

    Returns
    -------
    numpy.ndarray
        int64 array of shape (num_staff, num_weeks).
    """
    week_cap = np.minimum(
        np.minimum(arrays.staff_max_minutes, arrays.rules.max_week_minutes),
        arrays.staff_consent_minutes,
    ).astype(np.int64)
    return _remaining_week_minutes(
        arrays.fixed_ptr,
        arrays.fixed_shift,
        arrays.shift_week,
        arrays.shift_paid,
        arrays.num_horizon_shifts,
        week_cap,
        arrays.num_weeks,
    )


@njit(**PARALLEL_JIT_OPTIONS)
def _group_supply(slot_group, slot_ptr, staff_idx, slot_week, remaining, num_groups):
    """Returns per group the distinct candidates and the minutes they can still give."""
    num_staff = remaining.shape[0]
    candidates = np.zeros(num_groups, dtype=np.int64)
    supply = np.zeros(num_groups, dtype=np.int64)
    # Groups are independent; each thread marks people per group in its own buffer.
    order = np.argsort(slot_group, kind="mergesort")
    starts = np.searchsorted(slot_group[order], np.arange(num_groups + 1))
    for group in prange(num_groups):
        seen = np.zeros(num_staff, dtype=np.bool_)
        for pos in range(starts[group], starts[group + 1]):
            slot = order[pos]
            for k in range(slot_ptr[slot], slot_ptr[slot + 1]):
                person = staff_idx[k]
                if not seen[person]:
                    seen[person] = True
                    candidates[group] += 1
                    supply[group] += remaining[person, slot_week[slot]]
    return candidates, supply


def group_supply(
    slot_group: np.ndarray,
    slot_ptr: np.ndarray,
    staff_idx: np.ndarray,
    slot_week: np.ndarray,
    remaining: np.ndarray,
    num_groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Returns, per group of slots, the distinct eligible people and their spare minutes.

    The spare minutes are each distinct candidate's remaining minutes in the week of
    the group's slots: an upper bound on what the group can get, since the same
    person is counted in every group they could serve.

    Parameters
    ----------
    slot_group
        int64 group index of each open slot (e.g. ward x day x ANW class x level).
    slot_ptr, staff_idx
        The eligibility graph in CSR form over slots.
    slot_week
        int64 ATW week of each slot's shift.
    remaining
        Output of `remaining_week_minutes`.
    num_groups
        Number of groups.

    Returns
    -------
    tuple of numpy.ndarray
        int64 candidate counts and int64 spare minutes per group.
    """
    for name, array in (
        ("slot_group", slot_group),
        ("slot_ptr", slot_ptr),
        ("staff_idx", staff_idx),
        ("slot_week", slot_week),
    ):
        if array.dtype != np.int64:
            raise TypeError(
                f"{name} must be int64, got {array.dtype}; use .astype(np.int64)"
            )
    if slot_ptr.shape[0] != slot_group.shape[0] + 1:
        raise ValueError("slot_ptr must have one entry more than slot_group")
    return _group_supply(
        slot_group, slot_ptr, staff_idx, slot_week, remaining, num_groups
    )


# -- why an open slot stays uncovered -------------------------------------------------

REASON_NONE = 0
"""The slot is filled (by a person or agency)."""
REASON_NO_CANDIDATE = 1
"""Nobody is eligible at all (level, competence, availability, induction, travel)."""
REASON_CANDIDATES_HAVE_FINDINGS = 2
"""Every eligible person's fixed roster already breaks a rule (see the findings)."""
REASON_CANDIDATES_BUSY = 3
"""Every eligible person already works at that time or starts a shift that day."""
REASON_BLOCKED_BY_REST_OR_HOURS = 4
"""Eligible people are free at that time, but rest, night or hours rules forbid it."""
REASON_FILLABLE = 5
"""Someone could still legally take it: the roster is not optimal at this slot."""
REASON_BREAKS_WORKING_TIME_RULES = 6
"""The shift's elapsed length breaks H2 or H3 (a DST night that outgrows its template,
a night above the night maximum): nobody may work it, agency staff included."""

UNCOVERED_REASONS = (
    "",
    "no_eligible_person",
    "candidates_have_findings",
    "eligible_people_all_used",
    "blocked_by_rest_or_hours",
    "fillable",
    "shift_breaks_working_time_rules",
)
"""Reason names by code, as written in roster files and summaries."""


@njit(**JIT_OPTIONS)
def _busy_at(shifts, seq, shift):
    """Returns whether a sorted shift sequence overlaps ``shift`` or starts on its day."""
    for other in seq:
        if shifts.shift_day[other] == shifts.shift_day[shift] and other < (
            shifts.num_horizon_shifts
        ):
            return True
        if (
            shifts.shift_start[other] < shifts.shift_end[shift]
            and shifts.shift_start[shift] < shifts.shift_end[other]
        ):
            return True
    return False


@njit(**JIT_OPTIONS)
def _with_shift(shift_start, seq, shift):
    """Returns the sorted sequence with ``shift`` inserted by start."""
    out = np.empty(seq.shape[0] + 1, dtype=np.int64)
    k = 0
    placed = False
    for other in seq:
        if not placed and shift_start[shift] < shift_start[other]:
            out[k] = shift
            k += 1
            placed = True
        out[k] = other
        k += 1
    if not placed:
        out[k] = shift
    return out


@njit(**JIT_OPTIONS)
def _uncovered_reasons(
    shifts,
    slots,
    staff,
    lists,
    rules,
    num_weeks,
    slot_ptr,
    staff_idx,
    assignee,
    ok,
    too_long,
):
    num_slots = slots.slot_shift.shape[0]
    num_staff = staff.staff_level.shape[0]
    new_ptr, new_slot = _assignments_by_person(assignee, num_staff)
    counting = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    reasons = np.zeros(num_slots, dtype=np.int8)
    for slot in range(num_slots):
        if assignee[slot] != UNCOVERED:
            continue
        shift = slots.slot_shift[slot]
        if too_long[shift]:
            reasons[slot] = REASON_BREAKS_WORKING_TIME_RULES
            continue
        day = shifts.shift_day[shift]
        usable = 0
        busy = 0
        blocked = 0
        for k in range(slot_ptr[slot], slot_ptr[slot + 1]):
            person = staff_idx[k]
            if not ok[person]:
                continue
            if (lists.staff_sick_days[person] >> np.uint64(day)) & np.uint64(1):
                continue
            usable += 1
            seq, _ = _person_shifts(
                shifts.shift_start, slots.slot_shift, lists, person, new_ptr, new_slot
            )
            if _busy_at(shifts, seq, shift):
                busy += 1
                continue
            trial = _with_shift(shifts.shift_start, seq, shift)
            if _clean(shifts, staff, lists, rules, num_weeks, person, trial, counting):
                reasons[slot] = REASON_FILLABLE
                break
            blocked += 1
        if reasons[slot] == REASON_FILLABLE:
            continue
        if slot_ptr[slot + 1] == slot_ptr[slot]:
            reasons[slot] = REASON_NO_CANDIDATE
        elif usable == 0:
            reasons[slot] = REASON_CANDIDATES_HAVE_FINDINGS
        elif blocked == 0:
            reasons[slot] = REASON_CANDIDATES_BUSY
        else:
            reasons[slot] = REASON_BLOCKED_BY_REST_OR_HOURS
    return reasons


def uncovered_reasons(
    arrays: Any, graph: Any, slot_assignee: np.ndarray, person_ok: np.ndarray
) -> np.ndarray:
    """Returns why each uncovered slot of a roster stays uncovered.

    A slot whose shift breaks a length rule (H2, H3; see
    `carecap.kernels.eligibility.length_rule_breaks`) can be taken by nobody, agency
    included. Otherwise, for every eligible person of an uncovered slot (skipping
    people with findings, and people sick on the day) the roster is tried with that
    person added: busy when they already work at that time or start a shift that
    day, blocked when a rest, night, hours or consent rule then breaks, fillable when
    nothing breaks.

    Parameters
    ----------
    arrays
        `RegionArrays` of the compiled region.
    graph
        Its `EligibilityGraph`.
    slot_assignee
        int64 per open slot: staff index, AGENCY or UNCOVERED.
    person_ok
        bool per person: may get new assignments (no findings).

    Returns
    -------
    numpy.ndarray
        int8 per slot, a code of `UNCOVERED_REASONS` (0 for slots that are filled).
    """
    slot_assignee = np.ascontiguousarray(slot_assignee, dtype=np.int64)
    person_ok = np.ascontiguousarray(person_ok, dtype=np.bool_)
    if slot_assignee.shape != (graph.num_slots,):
        raise ValueError(f"slot_assignee must have shape ({graph.num_slots},)")
    if person_ok.shape != arrays.staff_level.shape:
        raise ValueError("person_ok must have one entry per person")
    shifts, slots, staff, lists, places = _split(arrays)
    return _uncovered_reasons(
        shifts,
        slots,
        staff,
        lists,
        arrays.rules,
        places.num_weeks,
        graph.slot_ptr,
        graph.staff_idx,
        slot_assignee,
        person_ok,
        length_rule_breaks(arrays),
    )

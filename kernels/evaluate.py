"""Roster evaluator: the independent check of every roster, with its KPIs.

A roster is the region's fixed work (worked base roster and carry-in shifts, in
``fixed_ptr``/``fixed_shift``) plus one new assignment per open slot, given as
``slot_assignee``: a staff index, `UNCOVERED` or `AGENCY`. The kernels merge each
person's fixed and new shifts, sort them by start and check every hard rule from
shift times and local-time fields only; they never read eligibility or conflict
arrays, so they can judge the solver that uses those.

The rule definitions are those of the README glossary and ``tests/reference_rules.py``:

* H1 overlapping shifts, or more than one shift start per local day;
* H2 elapsed time above ``shift_max_minutes`` (the ATW 12 h, or the CAO 10 h at VVT,
  home-care and GHZ organisations); H3 a night above ``max_night_shift_minutes``;
  both for agency bookings too (the ATW binds agency workers), reported against the
  slot without a person;
* H4 rest after a shift, H5 after a night ending after 02:00, H6 after a series of
  ``night_series_length`` or more consecutive nights (each starting less than 24 h
  after the previous one ends);
* H7 a run of shifts on consecutive local start days longer than
  ``max_consecutive_shifts_with_night`` that holds a night;
* H8 in the series reading of ATW art. 5:5: a series is one or more shifts ending
  with a rest of at least ``series_rest_minutes`` (32 h); the period of
  ``weekly_rest_period_minutes`` (7 x 24 h, or 14 x 24 h) from the first moment of
  work of each series holds ``weekly_rest_minutes`` of rest, counting only rests of
  at least ``weekly_rest_block_minutes`` (with 7 x 24 h: one uninterrupted 36 h
  rest); rest after the last known shift counts;
* H9 paid minutes per ATW week, per 4 weeks and per 16 weeks (carry-in weeks
  included); H10 nights ending after 02:00 in 16 weeks; H11 the 16-week hours of
  night workers; H16 the person's weekly maximum;
* H12 a night for a person exempt by age; H18 an ANW shift for a pregnant person;
  SUN worked Sundays in 52 weeks;
* H13 qualification against the slot filled (level, exact level, competence), H14
  induction (agency staff exempt), H15 unavailability windows, which include
  sick leave on the shift's start day, and travel (agency staff exempt), for new
  assignments;
* SUPPLY agency bookings per local day and level above the agency supply;
* CONSENT new shifts for a person who offered none (flex-pool members, employees
  whose desired hours exceed the contract and employees with
  ``extra_shifts_opt_in`` offer them), and an ATW week holding a new shift above the
  hours the person offered (``staff_consent_minutes``: desired hours plus the
  region's ``hours_above_desired``).

Violations that only involve carry-in work are not reported: the history is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Any, NamedTuple, Protocol

import numpy as np
from numba import njit

from ._config import JIT_OPTIONS
from .eligibility import haversine_km

UNCOVERED = -1
"""``slot_assignee`` value of an open slot left empty."""

AGENCY = -2
"""``slot_assignee`` value of an open slot booked from the agency supply."""


class Rule(IntEnum):
    """Integer code of each checked rule; the member name is the rule id.

    H17 (fixed assignments are immutable) holds by construction: a roster only
    fills open slots.
    """

    H1 = 0
    H2 = 1
    H3 = 2
    H4 = 3
    H5 = 4
    H6 = 5
    H7 = 6
    H8 = 7
    H9 = 8
    H10 = 9
    H11 = 10
    H12 = 11
    H13 = 12
    H14 = 13
    H15 = 14
    H16 = 15
    H18 = 16
    SUN = 17
    SUPPLY = 18
    CONSENT = 19


RULE_IDS: tuple[str, ...] = tuple(rule.name for rule in Rule)
"""Rule id of each code, in code order."""

SLOT_FILLED, SLOT_AGENCY, SLOT_UNCOVERED = 0, 1, 2
"""Values of `Evaluation.slot_status`."""

SLOT_STATUSES = ("filled", "agency", "uncovered")
"""Name of each slot status, in code order."""

ANW_CLASSES = ("day", "evening", "night", "weekend", "holiday")
"""Name of each ANW class code (``shift_anw``), in code order."""

FAIRNESS_GROUPS = ("employee", "flex_pool", "agency", "part_time_extra")
"""Fairness groups: ANW share by employment type, then part-timers' extra hours."""

FULL_TIME_MINUTES = 36 * 60
"""Full-time week (36 h, VVT and hospital CAO): employees below it are part-timers."""

TRAVEL_TOLERANCE_KM = 1e-9
"""Rounding slack on the travel limit, as in the reference checker."""

# Columns of the violation records; the wrapper splits them into named arrays.
_RULE, _STAFF, _SHIFT_A, _SHIFT_B, _SLOT, _PERIOD, _SPAN, _VALUE, _LIMIT = range(9)
_NUM_COLUMNS = 9
_FOREVER = 1 << 40  # minutes beyond any horizon
_DAY_MINUTES = 24 * 60
# Codes of `carecap.compile` (EMPLOYMENT_CODES, ANW_CODES), which kernels may not
# import; a test keeps them equal.
_EMPLOYEE, _AGENCY_EMPLOYMENT = 0, 2
_ANW_DAY = 0


# ---------------------------------------------------------------------------
# Kernel inputs: small views of `RegionArrays`
# ---------------------------------------------------------------------------
#
# Numba compiles every function once per argument type, at a cost that grows with
# the number of fields it is handed (about 0.7 s per function for the whole
# `RegionArrays`, numba 0.68). The wrapper therefore passes these small groups of
# the same arrays, under the same names.


class _ShiftTable(NamedTuple):
    """Shift columns: horizon shifts first, then carry-in shifts."""

    num_horizon_shifts: int
    shift_start: np.ndarray
    shift_end: np.ndarray
    shift_paid: np.ndarray
    shift_is_night: np.ndarray
    shift_night_after_0200: np.ndarray
    shift_is_sunday: np.ndarray
    shift_is_weekend: np.ndarray
    shift_anw: np.ndarray
    shift_day: np.ndarray
    shift_week: np.ndarray
    shift_location: np.ndarray
    shift_org: np.ndarray
    shift_ort_minutes: np.ndarray
    shift_max_minutes: np.ndarray


class _SlotTable(NamedTuple):
    """Open-slot columns."""

    slot_shift: np.ndarray
    slot_level: np.ndarray
    slot_competence: np.ndarray
    slot_exact_level: np.ndarray


class _StaffTable(NamedTuple):
    """Per-person columns."""

    staff_level: np.ndarray
    staff_competences: np.ndarray
    staff_employment: np.ndarray
    staff_org: np.ndarray
    staff_contract_minutes: np.ndarray
    staff_max_minutes: np.ndarray
    staff_offers_shifts: np.ndarray
    staff_consent_minutes: np.ndarray
    staff_night_allowed: np.ndarray
    staff_irregular_allowed: np.ndarray
    staff_home_lat: np.ndarray
    staff_home_lon: np.ndarray
    staff_max_travel_km: np.ndarray
    staff_prior_week_minutes: np.ndarray
    staff_prior_week_nights: np.ndarray
    staff_sundays_52w: np.ndarray


class _StaffLists(NamedTuple):
    """Per-person lists in CSR form: fixed shifts, inducted locations, unavailability."""

    fixed_ptr: np.ndarray
    fixed_shift: np.ndarray
    inducted_ptr: np.ndarray
    inducted_location: np.ndarray
    unavailable_ptr: np.ndarray
    unavailable_start: np.ndarray
    unavailable_end: np.ndarray
    staff_sick_days: np.ndarray


class _Places(NamedTuple):
    """Locations, costs, agency supply and the horizon's size."""

    location_lat: np.ndarray
    location_lon: np.ndarray
    wage_per_level: np.ndarray
    agency_factor: float
    agency_vat: float
    lending_vat_factor: float
    travel_cost_per_km: float
    detour_factor: float
    agency_supply: np.ndarray
    num_days: int
    num_weeks: int


def _split(
    arrays: Any,
) -> tuple[_ShiftTable, _SlotTable, _StaffTable, _StaffLists, _Places]:
    """Returns the kernel input groups of a `RegionArrays`."""
    return tuple(
        group(**{name: getattr(arrays, name) for name in group._fields})
        for group in (_ShiftTable, _SlotTable, _StaffTable, _StaffLists, _Places)
    )


# ---------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------


@njit(**JIT_OPTIONS)
def _assignments_by_person(slot_assignee, num_staff):
    """Returns the new assignments as CSR over staff: (ptr, slot), in slot order."""
    ptr = np.zeros(num_staff + 1, dtype=np.int64)
    for slot in range(slot_assignee.shape[0]):
        person = slot_assignee[slot]
        if person >= 0:
            ptr[person + 1] += 1
    for person in range(num_staff):
        ptr[person + 1] += ptr[person]
    fill = ptr[:-1].copy()
    slots = np.empty(ptr[num_staff], dtype=np.int64)
    for slot in range(slot_assignee.shape[0]):
        person = slot_assignee[slot]
        if person >= 0:
            slots[fill[person]] = slot
            fill[person] += 1
    return ptr, slots


@njit(**JIT_OPTIONS)
def _person_shifts(shift_start, slot_shift, lists, person, new_ptr, new_slot):
    """Returns a person's fixed and new shifts sorted by start, and their slots (-1 fixed).

    The sort is stable and fixed shifts come first, so ties keep the order of the
    reference checker (fixed work, then new assignments in slot order).
    """
    first = lists.fixed_ptr[person]
    num_fixed = lists.fixed_ptr[person + 1] - first
    num = num_fixed + new_ptr[person + 1] - new_ptr[person]
    seq = np.empty(num, dtype=np.int64)
    seq_slots = np.full(num, -1, dtype=np.int64)
    for k in range(num_fixed):
        seq[k] = lists.fixed_shift[first + k]
    for k in range(new_ptr[person], new_ptr[person + 1]):
        pos = num_fixed + k - new_ptr[person]
        seq_slots[pos] = new_slot[k]
        seq[pos] = slot_shift[new_slot[k]]
    # Insertion sort: a few dozen shifts per person, already sorted in two runs.
    for i in range(1, num):
        shift, slot = seq[i], seq_slots[i]
        j = i - 1
        while j >= 0 and shift_start[seq[j]] > shift_start[shift]:
            seq[j + 1] = seq[j]
            seq_slots[j + 1] = seq_slots[j]
            j -= 1
        seq[j + 1] = shift
        seq_slots[j + 1] = slot
    return seq, seq_slots


# Inlined: a called function would be compiled once per mix of literal arguments.
@njit(inline="always", **JIT_OPTIONS)
def _emit(
    out, row, rule, staff, a=-1, b=-1, slot=-1, period=-1, span=-1, value=-1, limit=-1
):
    """Writes one violation at ``row`` unless ``out`` is the empty counting buffer.

    ``a`` and ``b`` are shift indices; the other fields are described in `Evaluation`.
    """
    if out.shape[0] > 0:
        out[row, _RULE] = rule
        out[row, _STAFF] = staff
        out[row, _SHIFT_A] = a
        out[row, _SHIFT_B] = b
        out[row, _SLOT] = slot
        out[row, _PERIOD] = period
        out[row, _SPAN] = span
        out[row, _VALUE] = value
        out[row, _LIMIT] = limit
    return row + 1


@njit(**JIT_OPTIONS)
def _period_rest(start, end, horizon, seq, k, period_end, block):
    """Returns the rest in [start of seq[k], period_end): counted, longest, involved.

    ``counted`` sums the rests (clipped to the period) of at least ``block`` minutes,
    ``longest`` is the longest clipped rest, and ``involved`` whether a horizon shift
    starts in the period. Rest after the last shift of ``seq`` runs to the period end.
    """
    num = seq.shape[0]
    counted = 0
    longest = 0
    involved = False
    reach = end[seq[k]]
    for j in range(k, num):
        s = seq[j]
        if start[s] >= period_end:
            break
        involved = involved or s < horizon
        reach = max(reach, end[s])
        if reach >= period_end:
            break
        rest_end = period_end
        if j + 1 < num:
            rest_end = min(start[seq[j + 1]], period_end)
        rest = rest_end - reach
        longest = max(longest, rest)
        if rest >= block:
            counted += rest
    return counted, longest, involved


@njit(**JIT_OPTIONS)
def _check_sequence(shifts, rules, person, seq, out, row):
    """Checks the rules on the sorted shifts of a person (H1-H8); returns the next row."""
    start = shifts.shift_start
    end = shifts.shift_end
    day = shifts.shift_day
    after_0200 = shifts.shift_night_after_0200
    is_night = shifts.shift_is_night
    horizon = shifts.num_horizon_shifts
    num = seq.shape[0]

    # H1: one start per local day.
    k = 0
    while k < num:
        stop = k + 1
        while stop < num and day[seq[stop]] == day[seq[k]]:
            stop += 1
        # Sorted by start: the day's last shift tells whether the horizon is involved.
        if stop - k > 1 and seq[stop - 1] < horizon:
            a, b, starts = seq[k], seq[k + 1], stop - k
            row = _emit(
                out, row, Rule.H1, person, a=a, b=b, period=day[a], value=starts
            )
        k = stop
    # H1: overlap of neighbours in start order.
    for k in range(num - 1):
        a, b = seq[k], seq[k + 1]
        if start[b] < end[a] and b < horizon:
            row = _emit(out, row, Rule.H1, person, a=a, b=b, value=end[a] - start[b])

    # H2, H3: shift length.
    for k in range(num):
        s = seq[k]
        if s >= horizon:
            continue
        elapsed = end[s] - start[s]
        limit = shifts.shift_max_minutes[s]
        if elapsed > limit:
            row = _emit(out, row, Rule.H2, person, a=s, value=elapsed, limit=limit)
        limit = rules.max_night_shift_minutes
        if is_night[s] and elapsed > limit:
            row = _emit(out, row, Rule.H3, person, a=s, value=elapsed, limit=limit)

    # H4-H6: rest after each shift; pairs before the horizon only feed the night run.
    night_run = 0
    for k in range(num - 1):
        a, b = seq[k], seq[k + 1]
        gap = start[b] - end[a]
        rule, limit, series = Rule.H4, rules.min_rest_minutes, -1
        if after_0200[a]:
            night_run += 1
            continuing = after_0200[b] and gap < _DAY_MINUTES
            if not continuing and night_run >= rules.night_series_length:
                rule, limit = Rule.H6, rules.rest_after_night_series_minutes
                series = night_run
            else:
                rule, limit = Rule.H5, rules.rest_after_night_minutes
            if not continuing:
                night_run = 0
        else:
            night_run = 0
        if gap < limit and b < horizon:
            row = _emit(
                out, row, rule, person, a=a, b=b, span=series, value=gap, limit=limit
            )

    # H7: runs of consecutive local start days that hold a night.
    limit = rules.max_consecutive_shifts_with_night
    run = 0
    run_nights = 0
    for k in range(num):
        s = seq[k]
        if k > 0 and day[s] - day[seq[k - 1]] == 1:
            run += 1
            run_nights += is_night[s]
        else:
            run = 1
            run_nights = 1 if is_night[s] else 0
        if run > limit and run_nights > 0 and s < horizon:
            row = _emit(
                out, row, Rule.H7, person, a=s, period=day[s], value=run, limit=limit
            )

    # H8, series reading: the period from the first moment of work of each series
    # (shifts up to a rest of series_rest_minutes) must hold enough rest, counting
    # only rests of at least block minutes; rest after the last known shift counts.
    period = rules.weekly_rest_period_minutes
    need = rules.weekly_rest_minutes
    block = rules.weekly_rest_block_minutes
    reach = -_FOREVER  # latest end among the shifts before seq[k]
    for k in range(num):
        first = seq[k]
        gap = start[first] - reach
        reach = max(reach, end[first])
        if k > 0 and gap < rules.series_rest_minutes:
            continue
        period_end = start[first] + period
        if period_end <= 0:
            continue
        counted, longest, involved = _period_rest(
            start, end, horizon, seq, k, period_end, block
        )
        # A period without horizon work breaks H8 on history alone: not reported.
        if counted < need and involved:
            row = _emit(
                out,
                row,
                Rule.H8,
                person,
                a=first,
                span=period // _DAY_MINUTES,
                value=longest if block == need else counted,
                limit=need,
            )
    return row


@njit(**JIT_OPTIONS)
def _check_hours(shifts, staff, num_weeks, rules, person, seq, out, row):
    """Checks hours, night counts and Sundays (H9-H11, H16, SUN); returns the next row."""
    horizon = shifts.num_horizon_shifts
    prior = staff.staff_prior_week_minutes.shape[1]
    # Carry-in weeks first, oldest first, then the horizon weeks.
    minutes = np.zeros(prior + num_weeks, dtype=np.int64)
    nights = np.zeros(prior + num_weeks, dtype=np.int64)
    for w in range(prior):
        minutes[w] = staff.staff_prior_week_minutes[person, w]
        nights[w] = staff.staff_prior_week_nights[person, w]
    sundays = 0
    for k in range(seq.shape[0]):
        s = seq[k]
        if s >= horizon:
            continue
        week = prior + shifts.shift_week[s]
        minutes[week] += shifts.shift_paid[s]
        nights[week] += shifts.shift_night_after_0200[s]
        sundays += shifts.shift_is_sunday[s]

    for w in range(num_weeks):
        end = prior + w + 1
        minutes_4 = 0
        minutes_16 = 0
        nights_16 = 0
        for back in range(1, min(16, end) + 1):
            minutes_16 += minutes[end - back]
            nights_16 += nights[end - back]
            if back <= 4:
                minutes_4 += minutes[end - back]
        night_worker = nights_16 >= rules.night_worker_threshold_16w
        rule_16, limit_16 = Rule.H9, 16 * rules.max_avg_minutes_16w
        if night_worker:
            rule_16, limit_16 = Rule.H11, 16 * rules.max_avg_minutes_16w_night_workers
        # (rule, weeks in the window, value, limit) of every windowed limit.
        checks = (
            (Rule.H9, 1, minutes[end - 1], rules.max_week_minutes),
            (Rule.H16, 1, minutes[end - 1], staff.staff_max_minutes[person]),
            (Rule.H9, 4, minutes_4, 4 * rules.max_avg_minutes_4w),
            (rule_16, 16, minutes_16, limit_16),
            (Rule.H10, 16, nights_16, rules.max_nights_16w),
        )
        for rule, span, got, cap in checks:
            if got > cap:
                row = _emit(
                    out, row, rule, person, period=w, span=span, value=got, limit=cap
                )

    value = staff.staff_sundays_52w[person] + sundays
    limit = rules.max_sundays_52w
    if value > limit:
        row = _emit(out, row, Rule.SUN, person, span=52, value=value, limit=limit)
    return row


@njit(**JIT_OPTIONS)
def _check_consent(shifts, staff, lists, num_weeks, person, seq, out, row):
    """Checks CONSENT on the sorted shifts of a person; returns the next row.

    New shifts (those not among the person's fixed ones) go only to people who
    offered them, and an ATW week that holds one stays within the hours offered
    (desired plus the region's allowance). A week whose fixed work alone is above
    that is no violation: it just takes no new shift.
    """
    horizon = shifts.num_horizon_shifts
    offered = staff.staff_offers_shifts[person]
    minutes = np.zeros(num_weeks, dtype=np.int64)
    first_new = np.full(num_weeks, -1, dtype=np.int64)
    fixed_first, fixed_stop = lists.fixed_ptr[person], lists.fixed_ptr[person + 1]
    for k in range(seq.shape[0]):
        s = seq[k]
        if s >= horizon:
            continue
        week = shifts.shift_week[s]
        minutes[week] += shifts.shift_paid[s]
        new = True
        for j in range(fixed_first, fixed_stop):
            if lists.fixed_shift[j] == s:
                new = False
                break
        if not new:
            continue
        if not offered:
            row = _emit(out, row, Rule.CONSENT, person, a=s, span=0)
        if first_new[week] < 0:
            first_new[week] = s
    cap = staff.staff_consent_minutes[person]
    for week in range(num_weeks):
        if first_new[week] >= 0 and minutes[week] > cap:
            row = _emit(
                out,
                row,
                Rule.CONSENT,
                person,
                a=first_new[week],
                period=week,
                span=1,
                value=minutes[week],
                limit=cap,
            )
    return row


@njit(**JIT_OPTIONS)
def _check_person_limits(
    shifts, slots, staff, lists, places, person, seq, seq_slots, out, row
):
    """Checks the person's own limits (H12, H18) and new assignments (H13-H15)."""
    horizon = shifts.num_horizon_shifts
    night_allowed = staff.staff_night_allowed[person]
    irregular_allowed = staff.staff_irregular_allowed[person]
    level = staff.staff_level[person]
    competences = staff.staff_competences[person]
    exempt = staff.staff_employment[person] == _AGENCY_EMPLOYMENT
    home_lat = staff.staff_home_lat[person]
    home_lon = staff.staff_home_lon[person]
    max_km = staff.staff_max_travel_km[person]
    check_travel = not exempt and not np.isnan(home_lat) and not np.isinf(max_km)
    for k in range(seq.shape[0]):
        s = seq[k]
        slot = seq_slots[k]
        if s >= horizon:
            continue
        if shifts.shift_is_night[s] and not night_allowed:
            row = _emit(out, row, Rule.H12, person, a=s, slot=slot)
        if shifts.shift_anw[s] != _ANW_DAY and not irregular_allowed:
            row = _emit(out, row, Rule.H18, person, a=s, slot=slot)
        if slot < 0:
            continue

        need = slots.slot_level[slot]
        exact = slots.slot_exact_level[slot]
        bit = slots.slot_competence[slot]
        level_ok = level == need if exact else level >= need
        if not level_ok or (bit >= 0 and (competences >> bit) & 1 == 0):
            row = _emit(
                out, row, Rule.H13, person, a=s, slot=slot, value=level, limit=need
            )

        location = shifts.shift_location[s]
        inducted = exempt
        for j in range(lists.inducted_ptr[person], lists.inducted_ptr[person + 1]):
            inducted = inducted or lists.inducted_location[j] == location
        if not inducted:
            row = _emit(out, row, Rule.H14, person, a=s, slot=slot, value=location)

        first, stop = lists.unavailable_ptr[person], lists.unavailable_ptr[person + 1]
        for j in range(first, stop):
            if (
                lists.unavailable_start[j] < shifts.shift_end[s]
                and shifts.shift_start[s] < lists.unavailable_end[j]
            ):
                row = _emit(out, row, Rule.H15, person, a=s, slot=slot, span=0)
                break
        # Sick leave: no shift that starts on a sick day (as Region.worked_roster).
        sick_bit = (
            lists.staff_sick_days[person] >> np.uint64(shifts.shift_day[s])
        ) & np.uint64(1)
        if sick_bit != 0:
            row = _emit(out, row, Rule.H15, person, a=s, slot=slot, span=2)

        if check_travel:
            lat, lon = places.location_lat[location], places.location_lon[location]
            road_km = haversine_km(home_lat, home_lon, lat, lon) * places.detour_factor
            if road_km > max_km + TRAVEL_TOLERANCE_KM:
                row = _emit(out, row, Rule.H15, person, a=s, slot=slot, span=1)
    return row


@njit(**JIT_OPTIONS)
def _check_person(
    shifts, slots, staff, lists, places, rules, person, seq, seq_slots, out, row
):
    """Checks every per-person rule on the person's sorted shifts; returns the next row.

    The one list of per-person checks: `_person_violations` and the roster-aware
    candidates (`carecap.kernels.candidates`) both call it.
    """
    num_weeks = places.num_weeks
    row = _check_sequence(shifts, rules, person, seq, out, row)
    row = _check_hours(shifts, staff, num_weeks, rules, person, seq, out, row)
    row = _check_person_limits(
        shifts, slots, staff, lists, places, person, seq, seq_slots, out, row
    )
    return _check_consent(shifts, staff, lists, num_weeks, person, seq, out, row)


@njit(**JIT_OPTIONS)
def _person_violations(shifts, slots, staff, lists, places, rules, new_ptr, new_slot):
    """Returns the violation records of every person, in staff order.

    A first pass counts each person's violations and a second writes them at their
    offsets; only people with violations are checked twice. Serial: parfors cannot
    hand the nested `RuleParams` tuple to their threads (numba 0.68), and a person
    takes microseconds.
    """
    num_staff = staff.staff_level.shape[0]
    counts = np.zeros(num_staff, dtype=np.int64)
    offsets = np.zeros(num_staff + 1, dtype=np.int64)
    out = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    for write in (False, True):
        if write:
            for person in range(num_staff):
                offsets[person + 1] = offsets[person] + counts[person]
            out = np.empty((offsets[num_staff], _NUM_COLUMNS), dtype=np.int64)
        for person in range(num_staff):
            if write and counts[person] == 0:
                continue
            seq, seq_slots = _person_shifts(
                shifts.shift_start, slots.slot_shift, lists, person, new_ptr, new_slot
            )
            row = _check_person(
                shifts,
                slots,
                staff,
                lists,
                places,
                rules,
                person,
                seq,
                seq_slots,
                out,
                offsets[person],
            )
            counts[person] = row - offsets[person]
    return out


@njit(**JIT_OPTIONS)
def _supply_violations(shift_day, slots, agency_supply, slot_assignee):
    """Returns SUPPLY records: agency bookings per local day and level above the supply."""
    booked = np.zeros(agency_supply.shape, dtype=np.int64)
    # The booking that first exceeds the supply names the day and level in the record.
    first_over = np.full(agency_supply.shape, -1, dtype=np.int64)
    for slot in range(slot_assignee.shape[0]):
        if slot_assignee[slot] != AGENCY:
            continue
        day = shift_day[slots.slot_shift[slot]]
        level = slots.slot_level[slot]
        booked[day, level] += 1
        over = booked[day, level] > agency_supply[day, level]
        if over and first_over[day, level] < 0:
            first_over[day, level] = slot
    num = 0
    for day in range(agency_supply.shape[0]):
        for level in range(agency_supply.shape[1]):
            num += first_over[day, level] >= 0
    out = np.empty((num, _NUM_COLUMNS), dtype=np.int64)
    row = 0
    for day in range(agency_supply.shape[0]):
        for level in range(agency_supply.shape[1]):
            slot = first_over[day, level]
            if slot >= 0:
                s = slots.slot_shift[slot]
                got, cap = booked[day, level], agency_supply[day, level]
                row = _emit(
                    out,
                    row,
                    Rule.SUPPLY,
                    -1,
                    a=s,
                    slot=slot,
                    period=day,
                    value=got,
                    limit=cap,
                )
    return out


@njit(**JIT_OPTIONS)
def _agency_length_violations(shifts, slots, rules, slot_assignee):
    """Returns H2 and H3 records of agency bookings on shifts too long to work."""
    start = shifts.shift_start
    end = shifts.shift_end
    # Two passes: count the records, then write them.
    out = np.empty((0, _NUM_COLUMNS), dtype=np.int64)
    for _ in range(2):
        row = 0
        for slot in range(slot_assignee.shape[0]):
            if slot_assignee[slot] != AGENCY:
                continue
            s = slots.slot_shift[slot]
            elapsed = end[s] - start[s]
            limit = shifts.shift_max_minutes[s]
            if elapsed > limit:
                row = _emit(
                    out, row, Rule.H2, -1, a=s, slot=slot, value=elapsed, limit=limit
                )
            limit = rules.max_night_shift_minutes
            if shifts.shift_is_night[s] and elapsed > limit:
                row = _emit(
                    out, row, Rule.H3, -1, a=s, slot=slot, value=elapsed, limit=limit
                )
        if out.shape[0] == row:
            break
        out = np.empty((row, _NUM_COLUMNS), dtype=np.int64)
    return out


@njit(**JIT_OPTIONS)
def _person_kpis(shifts, slots, staff, lists, places, new_ptr, new_slot):
    """Returns per person: horizon, new, beyond-contract and ANW paid minutes, and counts.

    Columns of the int64 result: horizon paid minutes (fixed + new), new paid minutes,
    paid minutes beyond the contract over the horizon, ANW paid minutes, ANW shifts,
    night shifts, weekend shifts, longest run of consecutive horizon days worked.
    """
    num_staff = staff.staff_level.shape[0]
    num_days = places.num_days
    horizon = shifts.num_horizon_shifts
    out = np.zeros((num_staff, 8), dtype=np.int64)
    worked = np.zeros(num_days, dtype=np.bool_)
    for person in range(num_staff):
        worked[:] = False
        first = lists.fixed_ptr[person]
        num_fixed = lists.fixed_ptr[person + 1] - first
        num = num_fixed + new_ptr[person + 1] - new_ptr[person]
        for k in range(num):
            if k < num_fixed:
                s = lists.fixed_shift[first + k]
                if s >= horizon:
                    continue
            else:
                s = slots.slot_shift[new_slot[new_ptr[person] + k - num_fixed]]
                out[person, 1] += shifts.shift_paid[s]
            paid = shifts.shift_paid[s]
            out[person, 0] += paid
            if shifts.shift_anw[s] != _ANW_DAY:
                out[person, 3] += paid
                out[person, 4] += 1
            out[person, 5] += shifts.shift_is_night[s]
            out[person, 6] += shifts.shift_is_weekend[s]
            worked[shifts.shift_day[s]] = True
        contract = staff.staff_contract_minutes[person] * places.num_weeks
        out[person, 2] = max(0, out[person, 0] - contract)
        run = 0
        for d in range(num_days):
            run = run + 1 if worked[d] else 0
            out[person, 7] = max(out[person, 7], run)
    return out


@njit(**JIT_OPTIONS)
def _slot_kpis(shifts, slots, staff, places, slot_assignee):
    """Returns slot status, paid minutes by status and ANW class, and slot costs.

    Cost columns (float64 euros): wage of a new assignment, its return-trip travel,
    and the cost of an agency booking; see `Evaluation` for the formulas.
    """
    num_slots = slot_assignee.shape[0]
    status = np.empty(num_slots, dtype=np.int8)
    minutes = np.zeros((3, 5), dtype=np.int64)
    costs = np.zeros((num_slots, 3), dtype=np.float64)
    wage = places.wage_per_level
    agency_rate = places.agency_factor * (1.0 + places.agency_vat)
    for slot in range(num_slots):
        s = slots.slot_shift[slot]
        person = slot_assignee[slot]
        hours = (shifts.shift_paid[s] + shifts.shift_ort_minutes[s]) / 60.0
        if person >= 0:
            status[slot] = SLOT_FILLED
            cost = hours * wage[staff.staff_level[person]]
            agency = staff.staff_employment[person] == _AGENCY_EMPLOYMENT
            if agency:
                cost *= agency_rate
            elif staff.staff_org[person] != shifts.shift_org[s]:
                cost *= places.lending_vat_factor
            costs[slot, 0] = cost
            lat = staff.staff_home_lat[person]
            # The agency rate covers an agency worker's travel.
            if not agency and not np.isnan(lat):
                location = shifts.shift_location[s]
                km = haversine_km(
                    lat,
                    staff.staff_home_lon[person],
                    places.location_lat[location],
                    places.location_lon[location],
                )
                road_km = km * places.detour_factor
                costs[slot, 1] = 2.0 * road_km * places.travel_cost_per_km
        elif person == AGENCY:
            status[slot] = SLOT_AGENCY
            costs[slot, 2] = hours * wage[slots.slot_level[slot]] * agency_rate
        else:
            status[slot] = SLOT_UNCOVERED
        minutes[status[slot], shifts.shift_anw[s]] += shifts.shift_paid[s]
    return status, minutes, costs


@njit(**JIT_OPTIONS)
def _fairness(values, group, num_groups):
    """Returns per group: members, mean, max over mean, and Gini coefficient.

    People with a negative group are left out. Max over mean and Gini are NaN for an
    empty group or a zero mean.
    """
    count = np.zeros(num_groups, dtype=np.int64)
    for k in range(values.shape[0]):
        if group[k] >= 0:
            count[group[k]] += 1
    mean = np.full(num_groups, np.nan)
    max_over_mean = np.full(num_groups, np.nan)
    gini = np.full(num_groups, np.nan)
    for g in range(num_groups):
        if count[g] == 0:
            continue
        members = np.empty(count[g], dtype=np.float64)
        n = 0
        for k in range(values.shape[0]):
            if group[k] == g:
                members[n] = values[k]
                n += 1
        members.sort()
        total = members.sum()
        mean[g] = total / n
        if total <= 0.0:
            continue
        max_over_mean[g] = members[n - 1] / mean[g]
        # Gini from the sorted values: sum_i (2i - n - 1) x_(i) / (n * total), i = 1..n.
        weighted = 0.0
        for i in range(n):
            weighted += (2 * (i + 1) - n - 1) * members[i]
        gini[g] = weighted / (n * total)
    return count, mean, max_over_mean, gini


# ---------------------------------------------------------------------------
# Python side
# ---------------------------------------------------------------------------


class CompiledLike(Protocol):
    """What `evaluate_roster` reads of a compiled region (`carecap.compile.CompiledRegion`).

    ``kernels`` never imports ``optimizer``, so the wrapper names only the
    attributes it uses.
    """

    arrays: Any
    staff_ids: tuple[str, ...]
    shift_ids: tuple[str, ...]
    location_ids: tuple[str, ...]


@dataclass(frozen=True)
class Violation:
    """A broken hard rule, without personal data.

    Attributes
    ----------
    rule
        Rule id: ``'H1'`` ... ``'H18'``, ``'SUN'`` or ``'SUPPLY'``.
    staff
        Person id; None for SUPPLY and for H2/H3 of an agency booking.
    shifts
        Ids of the shifts involved (carry-in shifts as ``carry-in@<minutes>``, minutes
        from the horizon start); empty for rules on weekly totals.
    detail
        Short description of what happened.
    """

    rule: str
    staff: str | None
    shifts: tuple[str, ...]
    detail: str


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every rule violation and the KPIs of one roster.

    Attributes
    ----------
    slot_assignee
        The evaluated roster (a copy).
    slot_status
        int8 per slot: `SLOT_FILLED`, `SLOT_AGENCY` or `SLOT_UNCOVERED`.
    minutes_by_status
        int64 (3, 5): paid minutes of the slots by status (`SLOT_STATUSES`) and ANW
        class of their shift (`ANW_CLASSES`).
    slot_wage_cost, slot_travel_cost, slot_agency_cost
        float64 euros per slot (zero where not applicable). Wage of a new assignment:
        (paid + ORT-weighted minutes) / 60 x hourly wage of the person's level, times
        ``lending_vat_factor`` when the person's employer is not the shift's
        organisation; a named agency worker is paid at the agency rate instead.
        Travel: 2 x haversine km x detour factor x cost per km (none for agency
        workers, and none where the home position is unknown). Agency booking:
        (paid + ORT-weighted minutes) / 60 x wage of the slot level x agency factor
        x (1 + agency VAT).
    staff_horizon_minutes, staff_new_minutes, staff_beyond_contract_minutes
        int64 per person: paid minutes in the horizon (fixed and new), of new
        assignments, and above the contract over the horizon.
    staff_anw_minutes, staff_anw_shifts, staff_night_shifts, staff_weekend_shifts
        int64 per person, horizon shifts (fixed and new).
    staff_longest_run
        int64 per person: longest run of consecutive horizon days with a shift start.
    fairness_count, fairness_mean, fairness_max_over_mean, fairness_gini
        Per `FAIRNESS_GROUPS` entry. The first three groups measure ANW hours per
        worked hour of the people of an employment type who worked in the horizon;
        the last measures the extra (new) hours of part-time employees (contract
        below `FULL_TIME_MINUTES`). NaN where undefined.
    violation_rule, violation_staff, violation_shift_a, violation_shift_b,
    violation_slot, violation_period, violation_span, violation_value, violation_limit
        int64 per violation: `Rule` code, staff index (-1 for SUPPLY and agency
        bookings, whose H2/H3 records name the slot), shift indices
        (-1 none), slot (-1 none), local day (H1 starts, H7, SUPPLY) or horizon week
        (H9-H11, H16; -1 none), span (weeks of the window for H9-H11, H16 and SUN,
        nights of the series for H6, 0 unavailable or 1 travel for H15; -1 none),
        measured value and limit (minutes, counts or level ranks; -1 none).
    violations
        The same violations as records with ids.
    """

    slot_assignee: np.ndarray
    slot_status: np.ndarray
    minutes_by_status: np.ndarray
    slot_wage_cost: np.ndarray
    slot_travel_cost: np.ndarray
    slot_agency_cost: np.ndarray
    staff_horizon_minutes: np.ndarray
    staff_new_minutes: np.ndarray
    staff_beyond_contract_minutes: np.ndarray
    staff_anw_minutes: np.ndarray
    staff_anw_shifts: np.ndarray
    staff_night_shifts: np.ndarray
    staff_weekend_shifts: np.ndarray
    staff_longest_run: np.ndarray
    fairness_count: np.ndarray
    fairness_mean: np.ndarray
    fairness_max_over_mean: np.ndarray
    fairness_gini: np.ndarray
    violation_rule: np.ndarray
    violation_staff: np.ndarray
    violation_shift_a: np.ndarray
    violation_shift_b: np.ndarray
    violation_slot: np.ndarray
    violation_period: np.ndarray
    violation_span: np.ndarray
    violation_value: np.ndarray
    violation_limit: np.ndarray
    compiled: Any = field(repr=False, compare=False)

    @cached_property
    def violations(self) -> tuple[Violation, ...]:
        """Returns the violations as records with ids, built on first use.

        Building a Python record per violation costs more than finding them, so a
        caller that only needs counts (`is_clean`, `summary`) never pays for it.
        """
        records = np.column_stack(
            [getattr(self, name) for name in _VIOLATION_COLUMNS]
        ).reshape(-1, len(_VIOLATION_COLUMNS))
        return tuple(_violation(self.compiled, record) for record in records)

    def is_clean(self) -> bool:
        """Returns whether the roster breaks no hard rule."""
        return self.violation_rule.shape[0] == 0

    @property
    def num_filled(self) -> int:
        """Returns the number of slots filled by named people."""
        return int(np.count_nonzero(self.slot_status == SLOT_FILLED))

    @property
    def num_agency(self) -> int:
        """Returns the number of slots booked from the agency supply."""
        return int(np.count_nonzero(self.slot_status == SLOT_AGENCY))

    @property
    def num_uncovered(self) -> int:
        """Returns the number of slots left uncovered."""
        return int(np.count_nonzero(self.slot_status == SLOT_UNCOVERED))

    @property
    def wage_cost(self) -> float:
        """Returns the wage cost of the new assignments, in euros."""
        return float(self.slot_wage_cost.sum())

    @property
    def travel_cost(self) -> float:
        """Returns the travel cost of the new assignments, in euros."""
        return float(self.slot_travel_cost.sum())

    @property
    def agency_cost(self) -> float:
        """Returns the cost of the agency bookings, in euros."""
        return float(self.slot_agency_cost.sum())

    def hours(self, status: int) -> float:
        """Returns the paid hours of the slots with a status (`SLOT_FILLED` ...)."""
        return float(self.minutes_by_status[status].sum()) / 60

    def summary(self) -> dict[str, Any]:
        """Returns the KPIs as a JSON-ready dict: counts, hours, euros, fairness.

        Hours are paid hours; costs follow `Evaluation`; undefined fairness figures
        (an empty group, nothing to share) are None.
        """
        by_rule: dict[str, int] = {}
        for code in self.violation_rule:
            rule = Rule(int(code)).name
            by_rule[rule] = by_rule.get(rule, 0) + 1
        summary: dict[str, Any] = {
            "violations": int(self.violation_rule.shape[0]),
            "violations_by_rule": by_rule,
            "slots": int(self.slot_status.shape[0]),
            "filled": self.num_filled,
            "agency": self.num_agency,
            "uncovered": self.num_uncovered,
        }
        for status, name in enumerate(SLOT_STATUSES):
            summary[f"{name}_hours"] = self.hours(status)
            anw = self.minutes_by_status[status].sum()
            anw -= self.minutes_by_status[status, _ANW_DAY]
            summary[f"{name}_anw_hours"] = float(anw) / 60
        summary.update(
            wage_cost=self.wage_cost,
            travel_cost=self.travel_cost,
            agency_cost=self.agency_cost,
            total_cost=self.wage_cost + self.travel_cost + self.agency_cost,
            new_hours=float(self.staff_new_minutes.sum()) / 60,
            beyond_contract_hours=float(self.staff_beyond_contract_minutes.sum()) / 60,
        )
        for g, name in enumerate(FAIRNESS_GROUPS):
            summary[f"fairness_{name}_mean"] = _finite(self.fairness_mean[g])
            summary[f"fairness_{name}_max_over_mean"] = _finite(
                self.fairness_max_over_mean[g]
            )
            summary[f"fairness_{name}_gini"] = _finite(self.fairness_gini[g])
        return summary


def _finite(value: float) -> float | None:
    """Returns a float, or None for NaN (strict JSON has no NaN)."""
    return None if math.isnan(value) else float(value)


def evaluate_roster(compiled: CompiledLike, slot_assignee: np.ndarray) -> Evaluation:
    """Checks a roster against every hard rule and computes its KPIs.

    Parameters
    ----------
    compiled
        A compiled region (`carecap.compile.compile_region`).
    slot_assignee
        int64 array with one entry per open slot: the index of the person filling
        it, `UNCOVERED` (-1) or `AGENCY` (-2).

    Returns
    -------
    Evaluation
        Violations and KPIs.

    Raises
    ------
    TypeError
        If ``slot_assignee`` is not an int64 NumPy array.
    ValueError
        If it has the wrong shape or holds an unknown person.
    """
    arrays = getattr(compiled, "arrays", None)
    if arrays is None or not hasattr(compiled, "staff_ids"):
        raise TypeError(
            f"compiled must be a CompiledRegion, got {type(compiled).__name__}; "
            "use carecap.compile.compile_region(region)"
        )
    num_slots = arrays.slot_shift.shape[0]
    num_staff = arrays.staff_level.shape[0]
    if not isinstance(slot_assignee, np.ndarray):
        raise TypeError(
            f"slot_assignee must be a NumPy array, got {type(slot_assignee).__name__}; "
            "use np.asarray(values, dtype=np.int64)"
        )
    if slot_assignee.dtype != np.int64:
        raise TypeError(
            f"slot_assignee must be int64, got {slot_assignee.dtype}; "
            "use .astype(np.int64)"
        )
    if slot_assignee.shape != (num_slots,):
        raise ValueError(
            f"slot_assignee must have shape ({num_slots},), one entry per open slot; "
            f"got {slot_assignee.shape}"
        )
    bad = np.flatnonzero((slot_assignee < AGENCY) | (slot_assignee >= num_staff))
    if bad.size:
        raise ValueError(
            f"slot_assignee[{bad[0]}] = {slot_assignee[bad[0]]} is not a staff index "
            f"(0..{num_staff - 1}), {UNCOVERED} (uncovered) or {AGENCY} (agency)"
        )
    # A private copy: one compiled signature whatever the caller's flags, and the
    # caller may go on changing theirs.
    roster = np.array(slot_assignee, dtype=np.int64, order="C", copy=True)

    shifts, slots, staff, lists, places = _split(arrays)
    new_ptr, new_slot = _assignments_by_person(roster, num_staff)
    person_records = _person_violations(
        shifts, slots, staff, lists, places, arrays.rules, new_ptr, new_slot
    )
    agency_records = _agency_length_violations(shifts, slots, arrays.rules, roster)
    supply_records = _supply_violations(
        shifts.shift_day, slots, places.agency_supply, roster
    )
    records = np.concatenate((person_records, agency_records, supply_records))
    kpis = _person_kpis(shifts, slots, staff, lists, places, new_ptr, new_slot)
    status, minutes, costs = _slot_kpis(shifts, slots, staff, places, roster)

    worked = kpis[:, 0] > 0
    anw_share = np.zeros(num_staff, dtype=np.float64)
    anw_share[worked] = kpis[worked, 3] / kpis[worked, 0]
    by_employment = np.where(worked, arrays.staff_employment, -1).astype(np.int64)
    part_timer = (arrays.staff_employment == _EMPLOYEE) & (
        arrays.staff_contract_minutes < FULL_TIME_MINUTES
    )
    extra_hours = kpis[:, 1] / 60
    fairness = [
        np.concatenate(pair)
        for pair in zip(
            _fairness(anw_share, by_employment, 3),
            _fairness(extra_hours, np.where(part_timer, 0, -1).astype(np.int64), 1),
            strict=True,
        )
    ]

    columns = {
        "slot_assignee": roster,
        "slot_status": status,
        "minutes_by_status": minutes,
        "slot_wage_cost": costs[:, 0],
        "slot_travel_cost": costs[:, 1],
        "slot_agency_cost": costs[:, 2],
        "fairness_count": fairness[0],
        "fairness_mean": fairness[1],
        "fairness_max_over_mean": fairness[2],
        "fairness_gini": fairness[3],
    }
    for k, name in enumerate(_PERSON_KPIS):
        columns[name] = kpis[:, k]
    for k, name in enumerate(_VIOLATION_COLUMNS):
        columns[name] = records[:, k]
    return Evaluation(
        **{name: _frozen(value) for name, value in columns.items()},
        compiled=compiled,
    )


_PERSON_KPIS = (
    "staff_horizon_minutes",
    "staff_new_minutes",
    "staff_beyond_contract_minutes",
    "staff_anw_minutes",
    "staff_anw_shifts",
    "staff_night_shifts",
    "staff_weekend_shifts",
    "staff_longest_run",
)
"""`Evaluation` fields of the columns of `_person_kpis`, in order."""

_VIOLATION_COLUMNS = (
    "violation_rule",
    "violation_staff",
    "violation_shift_a",
    "violation_shift_b",
    "violation_slot",
    "violation_period",
    "violation_span",
    "violation_value",
    "violation_limit",
)
"""`Evaluation` fields of the violation record columns, in order."""


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def _shift_label(compiled: CompiledLike, shift: int) -> str:
    arrays = compiled.arrays
    if shift < arrays.num_horizon_shifts:
        return compiled.shift_ids[shift]
    return f"carry-in@{int(arrays.shift_start[shift])}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h"


def _violation(compiled: CompiledLike, record: np.ndarray) -> Violation:
    """Returns the record of one violation with ids and a short detail.

    Details name rules, hours and counts only: never ages, pregnancy, home
    positions, distances from home or availability (personal data).
    """
    rule = Rule(int(record[_RULE]))
    staff = int(record[_STAFF])
    shifts = tuple(
        _shift_label(compiled, int(s)) for s in record[[_SHIFT_A, _SHIFT_B]] if s >= 0
    )
    period, span = int(record[_PERIOD]), int(record[_SPAN])
    value, limit = int(record[_VALUE]), int(record[_LIMIT])
    if rule is Rule.H1:
        detail = (
            f"{value} shifts start on day {period}"
            if period >= 0
            else f"shifts overlap by {value} min"
        )
    elif rule in (Rule.H2, Rule.H3):
        kind = "night lasts" if rule is Rule.H3 else "shift lasts"
        detail = f"{kind} {_hours(value)}, limit {_hours(limit)}"
        if staff < 0:
            # The ATW binds agency workers too: nobody may work such a shift.
            detail = f"agency booking: {detail}"
    elif rule is Rule.H4:
        detail = f"{_hours(value)} rest, need {_hours(limit)}"
    elif rule is Rule.H5:
        detail = f"{_hours(value)} rest after a night ending after 02:00, need {_hours(limit)}"
    elif rule is Rule.H6:
        detail = f"{_hours(value)} rest after {span} consecutive nights, need {_hours(limit)}"
    elif rule is Rule.H7:
        detail = f"run of {value} consecutive days with a night, limit {limit}"
    elif rule is Rule.H8:
        if span == 7:
            detail = (
                f"longest rest {_hours(value)} in the 7 x 24 h from the start of "
                f"this series of shifts, need {_hours(limit)} uninterrupted"
            )
        else:
            detail = (
                f"{_hours(value)} rest in blocks of at least "
                f"{_hours(compiled.arrays.rules.weekly_rest_block_minutes)} in the "
                f"{span} x 24 h "
                f"from the start of this series of shifts, need {_hours(limit)}"
            )
    elif rule in (Rule.H9, Rule.H11, Rule.H16):
        detail = f"{_hours(value)} in {span} week(s) ending week {period}, limit {_hours(limit)}"
    elif rule is Rule.H10:
        detail = f"{value} nights in 16 weeks ending week {period}, limit {limit}"
    elif rule is Rule.H12:
        detail = "night shift for a person exempt from nights"
    elif rule is Rule.H13:
        detail = f"level N{value} or competences do not meet the slot (N{limit})"
    elif rule is Rule.H14:
        detail = f"not inducted at location {compiled.location_ids[value]}"
    elif rule is Rule.H15:
        detail = (
            "unavailable during the shift",
            "beyond the travel limit",
            "sick on the start day",
        )[span]
    elif rule is Rule.H18:
        detail = "ANW shift for a person exempt from irregular shifts"
    elif rule is Rule.SUN:
        detail = f"{value} Sundays in 52 weeks, limit {limit}"
    elif rule is Rule.CONSENT:
        detail = (
            f"{_hours(value)} in week {period} with a new shift, above the "
            f"{_hours(limit)} the person offered (desired hours plus the allowance)"
            if span == 1
            else "a new shift for a person who offered none (not in the flex pool, "
            "desired hours not above the contract, no extra_shifts_opt_in)"
        )
    else:
        level = int(compiled.arrays.slot_level[record[_SLOT]])
        detail = f"{value} agency bookings of N{level} on day {period}, supply {limit}"
    return Violation(
        rule=rule.name,
        staff=compiled.staff_ids[staff] if staff >= 0 else None,
        shifts=shifts,
        detail=detail,
    )


__all__ = [
    "AGENCY",
    "ANW_CLASSES",
    "FAIRNESS_GROUPS",
    "FULL_TIME_MINUTES",
    "RULE_IDS",
    "SLOT_AGENCY",
    "SLOT_FILLED",
    "SLOT_STATUSES",
    "SLOT_UNCOVERED",
    "UNCOVERED",
    "CompiledLike",
    "Evaluation",
    "Rule",
    "Violation",
    "evaluate_roster",
]

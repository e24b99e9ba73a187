"""Eligibility: which candidate may take which open slot, as a graph over slots.

A person is *eligible* for an open slot iff every check below passes. The checks only
look at the one open slot against the person's own data and fixed shifts (worked base
roster and carry-in history); rules that involve several new assignments (weekly rest,
runs of shifts, hour averages, night counts) are left to the solver and the evaluator.
The checks, in the order `explain_ineligible` reports them (`CHECKS`):

``candidate``
    the person offered extra shifts (CONSENT: flex-pool members, employees who want
    more hours than their contract, employees with ``extra_shifts_opt_in``) and is
    in the ``candidate_mask`` (by default everyone who offered; a mask can narrow the
    pool, never widen it past consent). Agency staff are never candidates: they are
    booked through the agency supply instead.
``level``, ``exact_level``, ``competence`` (H13)
    level rank >= the slot's level (== where the ward forbids over-qualification), and
    the slot's competence held.
``induction`` (H14)
    inducted at the shift's location (the home ward's location always counts).
``unavailable`` (H15)
    no overlap with an unavailability window;
``sick`` (H15)
    not on sick leave on the day the shift starts;
``travel`` (H15)
    road distance home -> location (haversine x detour factor) within the person's
    maximum; no check (and 0 km) when the home is unknown.
``night_exemption`` (H12)
    no night shift for a person exempt from nights by age who did not opt in.
``irregular`` (H18)
    no ANW (evening, night, weekend, holiday) shift for a pregnant person who did not
    opt in.
``overlap``, ``same_day`` (H1)
    no overlap with a fixed shift, and no fixed shift starting on the same local day.
``rest`` (H4)
    at least ``min_rest`` between the open shift and each fixed shift, either way.
``rest_after_night`` (H5)
    at least ``rest_after_night`` after a fixed night ending after 02:00 before the
    open shift, and after the open shift before a fixed shift if the open shift is
    such a night.
``rest_after_night_series`` (H6)
    at least ``rest_after_night_series`` after a fixed series of at least
    ``night_series_length`` consecutive nights, unless the open shift continues the
    series. Nights are those ending after 02:00; in a series each night starts less
    than 24 h after the previous one ends (README glossary). A series is a maximal
    chain of the person's fixed nights, its end the end of its last night; the open
    shift continues it if it is such a night starting less than 24 h after that end.
``week_hours`` (H9, H16)
    the person's fixed paid minutes in the open shift's ATW week plus the shift's paid
    minutes stay within min(person's weekly maximum, the ATW weekly maximum).
``consent_hours`` (CONSENT)
    ... and within the hours the person offered (desired hours plus the region's
    ``hours_above_desired``).

Each eligible pair carries its travel distance and its cost: paid hours and
premium-weighted (ORT) hours at the person's hourly wage, times the lending VAT factor
when the person works for another organisation than the employer, plus the return
trip's travel allowance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit, prange

from ._config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS, threads_for

if TYPE_CHECKING:
    from numpy.typing import NDArray

RegionArrays = Any
"""The arrays argument: an `carecap.compile.RegionArrays` NamedTuple.

Kernels never import `optimizer`, not even for type checking (style rule S1, enforced
by ``tests/test_layering.py``), so the hint stays loose.
"""

EMPLOYEE = 0
"""``staff_employment`` code of an own employee (`carecap.compile.EMPLOYMENT_CODES`)."""

FLEX_POOL = 1
"""``staff_employment`` code of a flex-pool member."""

AGENCY = 2
"""``staff_employment`` code of agency/zzp staff: never candidates."""

DAY_CLASS = 0
"""``shift_anw`` code of a day shift; every other class is irregular (ANW)."""

EARTH_RADIUS_KM = 6371.0
"""Mean earth radius of the haversine distance (as in the generator)."""

NIGHT_SERIES_GAP_MINUTES = 24 * 60
"""Consecutive nights: the next night starts less than this after the previous ends."""

TRAVEL_TOLERANCE_KM = 1e-9
"""Slack on the travel limit, so that rounding in the last digit never excludes."""

CHECKS = (
    "shift_length",
    "candidate",
    "level",
    "exact_level",
    "competence",
    "induction",
    "unavailable",
    "sick",
    "travel",
    "night_exemption",
    "irregular",
    "overlap",
    "same_day",
    "rest",
    "rest_after_night",
    "rest_after_night_series",
    "week_hours",
    "consent_hours",
)
"""Names of the eligibility checks, in the order they are applied and explained."""


# Columns of the per-person fixed-shift table (`_person_tables`).
_F_START, _F_END, _F_DAY, _F_LATE_NIGHT = 0, 1, 2, 3


class EligibilityInputs(NamedTuple):
    """What the eligibility kernel reads: a slice of `RegionArrays`, flattened.

    Numba's parallel loops cannot take a tuple nested in a tuple (``arrays.rules``),
    so the rule parameters are copied to the top level; the region's arrays are
    shared, not copied. The last four fields are per-person tables built by
    `_person_tables`: each person's fixed shifts as contiguous rows (start, end, local
    day, ends-after-02:00 flag) in ``fixed_ptr`` order, so the inner loop reads
    memory in sequence; the fixed paid minutes per person and horizon week; and the
    ends of each person's fixed night series that need the long rest (CSR).
    """

    slot_shift: np.ndarray
    slot_level: np.ndarray
    slot_competence: np.ndarray
    slot_exact_level: np.ndarray
    shift_start: np.ndarray
    shift_end: np.ndarray
    shift_paid: np.ndarray
    shift_is_night: np.ndarray
    shift_night_after_0200: np.ndarray
    shift_anw: np.ndarray
    shift_day: np.ndarray
    shift_week: np.ndarray
    shift_location: np.ndarray
    shift_org: np.ndarray
    shift_ort_minutes: np.ndarray
    shift_max_minutes: np.ndarray
    staff_level: np.ndarray
    staff_competences: np.ndarray
    staff_org: np.ndarray
    staff_max_minutes: np.ndarray
    staff_consent_minutes: np.ndarray
    staff_night_allowed: np.ndarray
    staff_irregular_allowed: np.ndarray
    staff_sick_days: np.ndarray
    staff_home_lat: np.ndarray
    staff_home_lon: np.ndarray
    staff_max_travel_km: np.ndarray
    fixed_ptr: np.ndarray
    unavailable_ptr: np.ndarray
    unavailable_start: np.ndarray
    unavailable_end: np.ndarray
    location_lat: np.ndarray
    location_lon: np.ndarray
    wage_per_level: np.ndarray
    lending_vat_factor: float
    travel_cost_per_km: float
    detour_factor: float
    max_night_shift_minutes: int
    min_rest_minutes: int
    rest_after_night_minutes: int
    rest_after_night_series_minutes: int
    night_series_length: int
    max_week_minutes: int
    fixed_table: np.ndarray  # int64 (num_fixed, 4): start, end, day, late-night flag
    week_minutes: np.ndarray  # int64 (num_staff, num_weeks): fixed paid minutes
    series_ptr: np.ndarray  # int64 CSR over staff
    series_end: np.ndarray  # int64 end of each long-enough fixed night series


_RULE_FIELDS = (
    "max_night_shift_minutes",
    "min_rest_minutes",
    "rest_after_night_minutes",
    "rest_after_night_series_minutes",
    "night_series_length",
    "max_week_minutes",
)
_TABLE_FIELDS = ("fixed_table", "week_minutes", "series_ptr", "series_end")


# ---------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------


@njit(**JIT_OPTIONS)
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Returns the great-circle distance in km between two WGS84 points."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


@njit(**PARALLEL_JIT_OPTIONS)
def _person_tables(
    fixed_ptr,
    fixed_shift,
    shift_start,
    shift_end,
    shift_day,
    shift_week,
    shift_paid,
    shift_night_after_0200,
    num_weeks,
    night_series_length,
):
    """Returns the per-person tables of `EligibilityInputs` (see there).

    Also returns, per person, whether the fixed shifts are out of start order (the
    kernel relies on the order; the wrapper raises).
    """
    num_staff = fixed_ptr.shape[0] - 1
    num_fixed = fixed_shift.shape[0]
    table = np.empty((num_fixed, 4), dtype=np.int64)
    week_minutes = np.zeros((num_staff, num_weeks), dtype=np.int64)
    num_series = np.zeros(num_staff, dtype=np.int64)
    # A person has at most one series end per fixed night: reserve that much.
    series_scratch = np.empty(num_fixed, dtype=np.int64)
    unsorted = np.zeros(num_staff, dtype=np.bool_)
    for person in prange(num_staff):
        run = 0
        run_end = 0
        for k in range(fixed_ptr[person], fixed_ptr[person + 1]):
            shift = fixed_shift[k]
            if (
                k > fixed_ptr[person]
                and shift_start[shift] < shift_start[fixed_shift[k - 1]]
            ):
                unsorted[person] = True
            table[k, _F_START] = shift_start[shift]
            table[k, _F_END] = shift_end[shift]
            table[k, _F_DAY] = shift_day[shift]
            table[k, _F_LATE_NIGHT] = 1 if shift_night_after_0200[shift] else 0
            week = shift_week[shift]
            # Carry-in shifts lie in weeks before the horizon and count in none.
            if 0 <= week < num_weeks:
                week_minutes[person, week] += shift_paid[shift]
            if shift_night_after_0200[shift]:
                if run > 0 and shift_start[shift] - run_end < NIGHT_SERIES_GAP_MINUTES:
                    run += 1
                else:
                    if run >= night_series_length:
                        series_scratch[fixed_ptr[person] + num_series[person]] = run_end
                        num_series[person] += 1
                    run = 1
                run_end = shift_end[shift]
        if run >= night_series_length:
            series_scratch[fixed_ptr[person] + num_series[person]] = run_end
            num_series[person] += 1
    series_ptr = np.zeros(num_staff + 1, dtype=np.int64)
    for person in range(num_staff):
        series_ptr[person + 1] = series_ptr[person] + num_series[person]
    series_end = np.empty(series_ptr[num_staff], dtype=np.int64)
    for person in prange(num_staff):
        for k in range(num_series[person]):
            series_end[series_ptr[person] + k] = series_scratch[fixed_ptr[person] + k]
    return table, week_minutes, series_ptr, series_end, unsorted


@njit(**JIT_OPTIONS)
def _qualified(level, competences, slot_level, slot_competence, exact_level):
    """Returns whether a person's level and competences meet a slot (H13)."""
    if exact_level:
        if level != slot_level:
            return False
    elif level < slot_level:
        return False
    return slot_competence < 0 or ((competences >> slot_competence) & 1) == 1


@njit(**JIT_OPTIONS)
def _overlaps_window(window_start, window_end, lo, hi, start, end):
    """Returns whether [start, end) overlaps one of the windows ``lo:hi``."""
    for k in range(lo, hi):  # noqa: SIM110 (a plain loop compiles best in Numba)
        if window_start[k] < end and start < window_end[k]:
            return True
    return False


@njit(**JIT_OPTIONS)
def _too_soon_after_series(series_end, lo, hi, start, open_is_late_night, series_rest):
    """Returns whether a shift starts too soon after one of the series ``lo:hi`` (H6)."""
    for k in range(lo, hi):
        gap = start - series_end[k]
        # A night starting within 24 h of the series' end continues the series.
        continues = open_is_late_night and gap < NIGHT_SERIES_GAP_MINUTES
        if 0 <= gap < series_rest and not continues:
            return True
    return False


@njit(**JIT_OPTIONS)
def _clashes_with_fixed(
    table, lo, hi, start, end, day, min_rest, night_rest, rest_after_open
):
    """Returns whether a shift clashes with one of the fixed shifts ``lo:hi`` (H1, H4, H5).

    Clashing: overlap, the same local start day, or too little rest either way.
    """
    for k in range(lo, hi):
        fixed_start = table[k, _F_START]
        fixed_end = table[k, _F_END]
        fixed_day = table[k, _F_DAY]
        # Fixed shifts come by start: past the longest rest and the day, none matter.
        if fixed_start >= end + night_rest and fixed_day > day:
            return False
        if fixed_day == day or (fixed_start < end and start < fixed_end):
            return True
        if fixed_end <= start:
            if start - fixed_end < (
                night_rest if table[k, _F_LATE_NIGHT] else min_rest
            ):
                return True
        elif fixed_start - end < rest_after_open:
            return True
    return False


@njit(**JIT_OPTIONS)
def _cost(paid, ort_minutes, wage, other_org, lending_vat_factor, travel_km, per_km):
    """Returns the cost of one pair: wage and ORT, lending VAT, return-trip allowance."""
    cost = paid / 60.0 * wage + ort_minutes / 60.0 * wage
    if other_org:
        cost *= lending_vat_factor
    return cost + 2.0 * travel_km * per_km


@njit(**PARALLEL_JIT_OPTIONS)
def _eligible_pairs(arrays, location_ptr, location_staff):
    """Returns the eligibility CSR over slots, with travel km and cost per pair.

    ``location_ptr``/``location_staff`` list, per location, the candidates inducted
    there in increasing order, so only those are tried and each slot's row comes out
    sorted. The first pass writes each tried pair's travel (-1 when not eligible) to a
    scratch array, one disjoint stretch per slot; the second copies the eligible ones.
    The pair checks are written out in the loop rather than in a helper taking
    ``arrays``: passing the whole tuple to a call costs more than the checks.
    """
    num_slots = arrays.slot_shift.shape[0]
    scratch_ptr = np.zeros(num_slots + 1, dtype=np.int64)
    for slot in range(num_slots):
        location = arrays.shift_location[arrays.slot_shift[slot]]
        tried = location_ptr[location + 1] - location_ptr[location]
        scratch_ptr[slot + 1] = scratch_ptr[slot] + tried
    scratch = np.empty(scratch_ptr[num_slots], dtype=np.float64)
    counts = np.zeros(num_slots, dtype=np.int64)
    min_rest = arrays.min_rest_minutes
    night_rest = max(min_rest, arrays.rest_after_night_minutes)
    series_rest = arrays.rest_after_night_series_minutes
    fixed_ptr = arrays.fixed_ptr
    unavailable_ptr = arrays.unavailable_ptr
    series_ptr = arrays.series_ptr
    for slot in prange(num_slots):
        shift = arrays.slot_shift[slot]
        slot_level = arrays.slot_level[slot]
        slot_competence = arrays.slot_competence[slot]
        exact_level = arrays.slot_exact_level[slot]
        start = arrays.shift_start[shift]
        end = arrays.shift_end[shift]
        day = arrays.shift_day[shift]
        week = arrays.shift_week[shift]
        paid = arrays.shift_paid[shift]
        is_night = arrays.shift_is_night[shift]
        irregular = arrays.shift_anw[shift] != DAY_CLASS
        open_is_late_night = arrays.shift_night_after_0200[shift]
        rest_after_open = night_rest if open_is_late_night else min_rest
        location = arrays.shift_location[shift]
        location_lat = arrays.location_lat[location]
        location_lon = arrays.location_lon[location]
        offset = scratch_ptr[slot] - location_ptr[location]
        found = 0
        # H2/H3 by the shift's own elapsed length (a DST night can outgrow its
        # template): nobody may work it. Every candidate still gets a scratch entry.
        too_long = end - start > arrays.shift_max_minutes[shift] or (
            is_night and end - start > arrays.max_night_shift_minutes
        )
        for j in range(location_ptr[location], location_ptr[location + 1]):
            person = location_staff[j]
            ok = (
                not too_long
                and _qualified(
                    arrays.staff_level[person],
                    arrays.staff_competences[person],
                    slot_level,
                    slot_competence,
                    exact_level,
                )
                and (arrays.staff_night_allowed[person] or not is_night)
                and (arrays.staff_irregular_allowed[person] or not irregular)
                and (arrays.staff_sick_days[person] >> np.uint64(day)) & np.uint64(1)
                == 0
                and arrays.week_minutes[person, week] + paid
                <= min(
                    arrays.staff_max_minutes[person],
                    arrays.max_week_minutes,
                    arrays.staff_consent_minutes[person],
                )
                and not _overlaps_window(
                    arrays.unavailable_start,
                    arrays.unavailable_end,
                    unavailable_ptr[person],
                    unavailable_ptr[person + 1],
                    start,
                    end,
                )
                and not _too_soon_after_series(
                    arrays.series_end,
                    series_ptr[person],
                    series_ptr[person + 1],
                    start,
                    open_is_late_night,
                    series_rest,
                )
                and not _clashes_with_fixed(
                    arrays.fixed_table,
                    fixed_ptr[person],
                    fixed_ptr[person + 1],
                    start,
                    end,
                    day,
                    min_rest,
                    night_rest,
                    rest_after_open,
                )
            )
            km = -1.0
            if ok:
                lat = arrays.staff_home_lat[person]
                lon = arrays.staff_home_lon[person]
                if math.isnan(lat) or math.isnan(lon):
                    km = 0.0
                else:
                    km = (
                        haversine_km(lat, lon, location_lat, location_lon)
                        * arrays.detour_factor
                    )
                    if km > arrays.staff_max_travel_km[person] + TRAVEL_TOLERANCE_KM:
                        km = -1.0
            scratch[offset + j] = km
            if km >= 0.0:
                found += 1
        counts[slot] = found

    slot_ptr = np.zeros(num_slots + 1, dtype=np.int64)
    for slot in range(num_slots):
        slot_ptr[slot + 1] = slot_ptr[slot] + counts[slot]
    num_pairs = slot_ptr[num_slots]
    staff_idx = np.empty(num_pairs, dtype=np.int64)
    travel_km = np.empty(num_pairs, dtype=np.float64)
    cost = np.empty(num_pairs, dtype=np.float64)
    for slot in prange(num_slots):
        shift = arrays.slot_shift[slot]
        paid = arrays.shift_paid[shift]
        ort_minutes = arrays.shift_ort_minutes[shift]
        org = arrays.shift_org[shift]
        location = arrays.shift_location[shift]
        offset = scratch_ptr[slot] - location_ptr[location]
        pos = slot_ptr[slot]
        for j in range(location_ptr[location], location_ptr[location + 1]):
            km = scratch[offset + j]
            if km >= 0.0:
                person = location_staff[j]
                staff_idx[pos] = person
                travel_km[pos] = km
                cost[pos] = _cost(
                    paid,
                    ort_minutes,
                    arrays.wage_per_level[arrays.staff_level[person]],
                    arrays.staff_org[person] != org,
                    arrays.lending_vat_factor,
                    km,
                    arrays.travel_cost_per_km,
                )
                pos += 1
    return slot_ptr, staff_idx, travel_km, cost


def eligibility_inputs(arrays: RegionArrays) -> EligibilityInputs:
    """Returns the kernel inputs for a region's arrays (the arrays are not copied)."""
    values = {
        name: getattr(arrays, name)
        for name in EligibilityInputs._fields
        if name not in _RULE_FIELDS and name not in _TABLE_FIELDS
    }
    for name in ("lending_vat_factor", "travel_cost_per_km", "detour_factor"):
        values[name] = float(values[name])
    for name in _RULE_FIELDS:
        values[name] = int(getattr(arrays.rules, name))
    tables = _person_tables(
        arrays.fixed_ptr,
        arrays.fixed_shift,
        arrays.shift_start,
        arrays.shift_end,
        arrays.shift_day,
        arrays.shift_week,
        arrays.shift_paid,
        arrays.shift_night_after_0200,
        int(arrays.num_weeks),
        int(arrays.rules.night_series_length),
    )
    *tables, unsorted = tables
    if unsorted.any():
        person = int(np.flatnonzero(unsorted)[0])
        raise ValueError(
            f"arrays.fixed_shift of person {person} is not sorted by start; "
            "build the arrays with carecap.compile.compile_region"
        )
    values.update(zip(_TABLE_FIELDS, tables, strict=True))
    return EligibilityInputs(**values)


# ---------------------------------------------------------------------------
# Python side
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityGraph:
    """Who may take which open slot: a CSR graph over slots with per-pair attributes.

    Attributes
    ----------
    slot_ptr
        int64 (num_slots + 1,): the pairs of slot ``k`` are ``slot_ptr[k]:slot_ptr[k+1]``.
    staff_idx
        int64 (num_pairs,): the eligible person of each pair, increasing within a slot.
    travel_km
        float64 (num_pairs,): road distance home -> shift location (0 if home unknown).
    cost
        float64 (num_pairs,): cost of the person working the slot's shift.
    """

    slot_ptr: NDArray[np.int64]
    staff_idx: NDArray[np.int64]
    travel_km: NDArray[np.float64]
    cost: NDArray[np.float64]

    @property
    def num_slots(self) -> int:
        """Returns the number of open slots."""
        return len(self.slot_ptr) - 1

    @property
    def num_pairs(self) -> int:
        """Returns the number of eligible (person, slot) pairs."""
        return len(self.staff_idx)

    @property
    def candidates_per_slot(self) -> NDArray[np.int64]:
        """Returns the number of eligible people of each slot."""
        return np.diff(self.slot_ptr)

    def staff_of(self, slot: int) -> NDArray[np.int64]:
        """Returns the eligible people of one slot, in increasing order."""
        return self.staff_idx[self.slot_ptr[slot] : self.slot_ptr[slot + 1]]


_STAFF_FIELDS = {
    "staff_level": np.int64,
    "staff_competences": np.int64,
    "staff_employment": np.int8,
    "staff_org": np.int64,
    "staff_contract_minutes": np.int64,
    "staff_desired_minutes": np.int64,
    "staff_max_minutes": np.int64,
    "staff_consent_minutes": np.int64,
    "staff_offers_shifts": np.bool_,
    "staff_night_allowed": np.bool_,
    "staff_irregular_allowed": np.bool_,
    "staff_sick_days": np.uint64,
    "staff_home_lat": np.float64,
    "staff_home_lon": np.float64,
    "staff_max_travel_km": np.float64,
}
_SHIFT_FIELDS = {
    "shift_start": np.int64,
    "shift_end": np.int64,
    "shift_paid": np.int64,
    "shift_is_night": np.bool_,
    "shift_night_after_0200": np.bool_,
    "shift_anw": np.int8,
    "shift_day": np.int64,
    "shift_week": np.int64,
    "shift_location": np.int64,
    "shift_org": np.int64,
    "shift_ort_minutes": np.float64,
    "shift_max_minutes": np.int64,
}
_SLOT_FIELDS = {
    "slot_shift": np.int64,
    "slot_level": np.int64,
    "slot_competence": np.int64,
    "slot_exact_level": np.bool_,
}
_CSR_FIELDS = {
    "inducted": ("inducted_location",),
    "fixed": ("fixed_shift",),
    "unavailable": ("unavailable_start", "unavailable_end"),
}


def _check_array(
    arrays: RegionArrays, name: str, dtype: type, length: int | None
) -> None:
    value = getattr(arrays, name)
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"arrays.{name} must be a numpy array, got {type(value).__name__}"
        )
    if value.dtype != dtype:
        raise TypeError(
            f"arrays.{name} must have dtype {np.dtype(dtype)}, got {value.dtype}; "
            "build the arrays with carecap.compile.compile_region"
        )
    if value.ndim != 1:
        raise ValueError(f"arrays.{name} must be 1-D, got shape {value.shape}")
    if length is not None and value.shape[0] != length:
        raise ValueError(
            f"arrays.{name} has length {value.shape[0]}, expected {length}"
        )
    if not value.flags.c_contiguous:
        raise ValueError(
            f"arrays.{name} must be C-contiguous; use np.ascontiguousarray"
        )


def _check_arrays(arrays: RegionArrays) -> None:
    """Raises TypeError/ValueError when an array the kernel reads is malformed."""
    num_staff = len(arrays.staff_level)
    num_shifts = len(arrays.shift_start)
    num_slots = len(arrays.slot_shift)
    for fields, length in (
        (_STAFF_FIELDS, num_staff),
        (_SHIFT_FIELDS, num_shifts),
        (_SLOT_FIELDS, num_slots),
    ):
        for name, dtype in fields.items():
            _check_array(arrays, name, dtype, length)
    for prefix, value_names in _CSR_FIELDS.items():
        _check_array(arrays, f"{prefix}_ptr", np.int64, num_staff + 1)
        ptr = getattr(arrays, f"{prefix}_ptr")
        nnz = int(ptr[-1])
        if ptr[0] != 0 or np.any(np.diff(ptr) < 0):
            raise ValueError(f"arrays.{prefix}_ptr must start at 0 and never decrease")
        for name in value_names:
            _check_array(arrays, name, np.int64, nnz)
    num_locations = len(arrays.location_lat)
    _check_array(arrays, "location_lat", np.float64, None)
    _check_array(arrays, "location_lon", np.float64, num_locations)
    _check_array(arrays, "wage_per_level", np.float64, None)
    if num_slots and (
        arrays.slot_shift.min() < 0 or arrays.slot_shift.max() >= num_shifts
    ):
        raise ValueError("arrays.slot_shift holds an index outside the shift table")
    if num_slots:
        slot_locations = arrays.shift_location[arrays.slot_shift]
        if slot_locations.min() < 0 or slot_locations.max() >= num_locations:
            raise ValueError(
                "a slot's shift has no valid location in arrays.shift_location"
            )
    if len(arrays.inducted_location) and (
        arrays.inducted_location.min() < 0
        or arrays.inducted_location.max() >= num_locations
    ):
        raise ValueError("arrays.inducted_location holds an unknown location index")
    if len(arrays.fixed_shift) and (
        arrays.fixed_shift.min() < 0 or arrays.fixed_shift.max() >= num_shifts
    ):
        raise ValueError("arrays.fixed_shift holds an index outside the shift table")
    if num_slots:
        slot_weeks = arrays.shift_week[arrays.slot_shift]
        if slot_weeks.min() < 0 or slot_weeks.max() >= arrays.num_weeks:
            raise ValueError(
                "a slot's shift lies outside the horizon weeks (shift_week)"
            )
    if num_staff and arrays.staff_level.max() >= len(arrays.wage_per_level):
        raise ValueError("arrays.wage_per_level has no wage for some staff level")


def default_candidates(arrays: RegionArrays) -> NDArray[np.bool_]:
    """Returns the default candidate pool: the people who offered extra shifts.

    Flex-pool members, employees whose desired weekly minutes exceed the contract
    minutes (meer uren werken) and employees with ``extra_shifts_opt_in``
    (``staff_offers_shifts``, the CONSENT rule). Agency staff are never candidates.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.

    Returns
    -------
    numpy.ndarray
        bool (num_staff,).
    """
    return np.asarray(arrays.staff_offers_shifts, dtype=np.bool_).copy()


def _candidate_mask(
    arrays: RegionArrays, candidate_mask: NDArray[np.bool_] | None
) -> np.ndarray:
    num_staff = len(arrays.staff_level)
    if candidate_mask is None:
        candidate_mask = default_candidates(arrays)
    candidate_mask = np.asarray(candidate_mask)
    if candidate_mask.dtype != np.bool_:
        raise TypeError(
            f"candidate_mask must be a bool array, got {candidate_mask.dtype}; "
            "use .astype(bool)"
        )
    if candidate_mask.shape != (num_staff,):
        raise ValueError(
            f"candidate_mask must have shape ({num_staff},) (one entry per person), "
            f"got {candidate_mask.shape}"
        )
    # CONSENT: a wider pool (a what-if, the API) never reaches people who did not
    # offer extra shifts; agency staff are booked through the supply instead.
    return (
        candidate_mask
        & arrays.staff_offers_shifts
        & (arrays.staff_employment != AGENCY)
    )


@njit(**JIT_OPTIONS)
def _candidates_by_location(
    inducted_ptr, inducted_location, candidate_mask, num_locations
):
    """Returns, per location, the candidates inducted there (CSR, staff increasing).

    A counting sort over the people in order; a location listed twice for one person
    counts once.
    """
    num_staff = inducted_ptr.shape[0] - 1
    location_ptr = np.zeros(num_locations + 1, dtype=np.int64)
    last_person = np.full(num_locations, -1, dtype=np.int64)
    for person in range(num_staff):
        if candidate_mask[person]:
            for k in range(inducted_ptr[person], inducted_ptr[person + 1]):
                location = inducted_location[k]
                if last_person[location] != person:
                    last_person[location] = person
                    location_ptr[location + 1] += 1
    for location in range(num_locations):
        location_ptr[location + 1] += location_ptr[location]
    cursor = location_ptr[:num_locations].copy()
    location_staff = np.empty(location_ptr[num_locations], dtype=np.int64)
    last_person[:] = -1
    for person in range(num_staff):
        if candidate_mask[person]:
            for k in range(inducted_ptr[person], inducted_ptr[person + 1]):
                location = inducted_location[k]
                if last_person[location] != person:
                    last_person[location] = person
                    location_staff[cursor[location]] = person
                    cursor[location] += 1
    return location_ptr, location_staff


def eligibility(
    arrays: RegionArrays, candidate_mask: NDArray[np.bool_] | None = None
) -> EligibilityGraph:
    """Returns which candidate may take which open slot (see the module docstring).

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.
    candidate_mask
        bool (num_staff,): the candidate pool. Defaults to `default_candidates`.
        Agency staff are left out whatever the mask says.

    Returns
    -------
    EligibilityGraph
        The CSR graph over open slots, with travel km and cost per pair.

    Raises
    ------
    TypeError, ValueError
        When an array has the wrong dtype, shape or layout, or the mask does.
    """
    _check_arrays(arrays)
    mask = _candidate_mask(arrays, candidate_mask)
    location_ptr, location_staff = _candidates_by_location(
        arrays.inducted_ptr, arrays.inducted_location, mask, len(arrays.location_lat)
    )
    slot_locations = arrays.shift_location[arrays.slot_shift]
    tries = int(np.diff(location_ptr)[slot_locations].sum()) + len(arrays.fixed_shift)
    with threads_for(tries):
        slot_ptr, staff_idx, travel_km, cost = _eligible_pairs(
            eligibility_inputs(arrays), location_ptr, location_staff
        )
    return EligibilityGraph(
        slot_ptr=slot_ptr, staff_idx=staff_idx, travel_km=travel_km, cost=cost
    )


def length_rule_breaks(arrays: RegionArrays) -> NDArray[np.bool_]:
    """Returns, per horizon shift, whether its elapsed length breaks H2 or H3.

    H2: longer than ``shift_max_minutes`` (the ATW 12 h, or the CAO 10 h at VVT,
    home-care and GHZ organisations); H3: a night longer than
    ``max_night_shift_minutes``. The length is the shift's own elapsed time, so a
    night across the October clock change can break a rule its template keeps.
    Nobody may work such a shift, agency staff included (the ATW binds them too):
    the eligibility graph has no pair for it, and the solver books no agency on it.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.

    Returns
    -------
    numpy.ndarray
        bool (num_horizon_shifts,).
    """
    num = arrays.num_horizon_shifts
    elapsed = arrays.shift_end[:num] - arrays.shift_start[:num]
    return (elapsed > arrays.shift_max_minutes[:num]) | (
        arrays.shift_is_night[:num] & (elapsed > arrays.rules.max_night_shift_minutes)
    )


# ---------------------------------------------------------------------------
# Explanation of one pair (plain Python)
# ---------------------------------------------------------------------------


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.2f} h"


def explain_ineligible(
    arrays: RegionArrays,
    staff: int,
    slot: int,
    candidate_mask: NDArray[np.bool_] | None = None,
) -> list[str]:
    """Returns why a person may not take an open slot; empty when eligible.

    Each reason starts with the name of the failing check (`CHECKS`) and a colon, and
    the reasons come in the order of `CHECKS`; a check that fails against several
    fixed shifts gives one reason per fixed shift. Shifts are named by their index in
    the shift table (``#k``); the caller maps indices back to ids.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.
    staff
        Person index.
    slot
        Open-slot index.
    candidate_mask
        As in `eligibility`.

    Returns
    -------
    list of str
        The reasons, empty when the person is eligible.
    """
    num_staff = len(arrays.staff_level)
    num_slots = len(arrays.slot_shift)
    if not 0 <= staff < num_staff:
        raise IndexError(f"staff index {staff} is outside 0..{num_staff - 1}")
    if not 0 <= slot < num_slots:
        raise IndexError(f"slot index {slot} is outside 0..{num_slots - 1}")
    reasons: list[str] = []
    a = arrays
    rules = a.rules
    shift = int(a.slot_shift[slot])
    start, end = int(a.shift_start[shift]), int(a.shift_end[shift])

    if a.staff_employment[staff] == AGENCY:
        reasons.append("candidate: agency staff are booked through the agency supply")
    elif not a.staff_offers_shifts[staff]:
        reasons.append(
            "candidate: offered no extra shifts (not in the flex pool, desired hours "
            "not above the contract, no extra_shifts_opt_in; CONSENT)"
        )
    elif not _candidate_mask(a, candidate_mask)[staff]:
        reasons.append("candidate: not in the candidate pool (left out by the mask)")

    level, needed = int(a.staff_level[staff]), int(a.slot_level[slot])
    if a.slot_exact_level[slot]:
        if level != needed:
            reasons.append(
                f"exact_level: level N{level}, but the ward takes exactly N{needed} (H13)"
            )
    elif level < needed:
        reasons.append(f"level: level N{level} is below the slot's N{needed} (H13)")
    bit = int(a.slot_competence[slot])
    if bit >= 0 and not ((int(a.staff_competences[staff]) >> bit) & 1):
        reasons.append(f"competence: lacks the slot's competence #{bit} (H13)")

    location = int(a.shift_location[shift])
    inducted = a.inducted_location[a.inducted_ptr[staff] : a.inducted_ptr[staff + 1]]
    if location not in set(inducted.tolist()):
        reasons.append(f"induction: not inducted at location #{location} (H14)")

    for k in range(a.unavailable_ptr[staff], a.unavailable_ptr[staff + 1]):
        window_start, window_end = (
            int(a.unavailable_start[k]),
            int(a.unavailable_end[k]),
        )
        if window_start < end and start < window_end:
            reasons.append(
                f"unavailable: absent from minute {window_start} to {window_end}, "
                f"overlapping the shift (H15)"
            )
    if (int(a.staff_sick_days[staff]) >> int(a.shift_day[shift])) & 1:
        reasons.append("sick: on sick leave on the day the shift starts (H15)")

    lat, lon = float(a.staff_home_lat[staff]), float(a.staff_home_lon[staff])
    if not (math.isnan(lat) or math.isnan(lon)):
        km = (
            haversine_km(
                lat,
                lon,
                float(a.location_lat[location]),
                float(a.location_lon[location]),
            )
            * a.detour_factor
        )
        limit = float(a.staff_max_travel_km[staff])
        if km > limit + TRAVEL_TOLERANCE_KM:
            reasons.append(
                f"travel: {km:.1f} km exceeds the person's maximum {limit:.1f} km (H15)"
            )

    elapsed = int(a.shift_end[shift] - a.shift_start[shift])
    if elapsed > a.shift_max_minutes[shift]:
        reasons.insert(
            0,
            f"shift_length: the shift lasts {_hours(elapsed)}, above "
            f"{_hours(int(a.shift_max_minutes[shift]))} (H2)",
        )
    elif a.shift_is_night[shift] and elapsed > rules.max_night_shift_minutes:
        reasons.insert(
            0,
            f"shift_length: the night lasts {_hours(elapsed)}, above "
            f"{_hours(rules.max_night_shift_minutes)} (H3)",
        )
    if a.shift_is_night[shift] and not a.staff_night_allowed[staff]:
        reasons.append(
            "night_exemption: a night shift, and the person is exempt from nights (H12)"
        )
    if a.shift_anw[shift] != DAY_CLASS and not a.staff_irregular_allowed[staff]:
        reasons.append(
            "irregular: an ANW shift, and the person may not work irregular shifts "
            "(pregnancy, H18)"
        )

    fixed = [int(f) for f in a.fixed_shift[a.fixed_ptr[staff] : a.fixed_ptr[staff + 1]]]
    min_rest = rules.min_rest_minutes
    night_rest = max(min_rest, rules.rest_after_night_minutes)
    open_is_late_night = bool(a.shift_night_after_0200[shift])
    for f in fixed:
        if a.shift_start[f] < end and start < a.shift_end[f]:
            reasons.append(f"overlap: overlaps fixed shift #{f} (H1)")
    for f in fixed:
        if a.shift_day[f] == a.shift_day[shift]:
            reasons.append(f"same_day: fixed shift #{f} starts on the same day (H1)")
    before = [f for f in fixed if a.shift_end[f] <= start]
    after = [f for f in fixed if a.shift_start[f] >= end]
    for f in before:
        gap = start - int(a.shift_end[f])
        if gap < min_rest:
            reasons.append(
                f"rest: {_hours(gap)} after fixed shift #{f}, below {_hours(min_rest)} (H4)"
            )
    for f in after:
        gap = int(a.shift_start[f]) - end
        if gap < min_rest:
            reasons.append(
                f"rest: {_hours(gap)} before fixed shift #{f}, below {_hours(min_rest)} (H4)"
            )
    for f in before:
        gap = start - int(a.shift_end[f])
        if a.shift_night_after_0200[f] and gap < night_rest:
            reasons.append(
                f"rest_after_night: {_hours(gap)} after fixed night #{f}, "
                f"below {_hours(night_rest)} (H5)"
            )
    if open_is_late_night:
        for f in after:
            gap = int(a.shift_start[f]) - end
            if gap < night_rest:
                reasons.append(
                    f"rest_after_night: {_hours(gap)} after this night before fixed "
                    f"shift #{f}, below {_hours(night_rest)} (H5)"
                )
    for length, series_end in _night_series(a, fixed):
        gap = start - series_end
        continues = open_is_late_night and gap < NIGHT_SERIES_GAP_MINUTES
        if (
            length >= rules.night_series_length
            and 0 <= gap < rules.rest_after_night_series_minutes
            and not continues
        ):
            reasons.append(
                f"rest_after_night_series: {_hours(start - series_end)} after a series of "
                f"{length} fixed nights, below "
                f"{_hours(rules.rest_after_night_series_minutes)} (H6)"
            )

    week = a.shift_week[shift]
    fixed_minutes = sum(int(a.shift_paid[f]) for f in fixed if a.shift_week[f] == week)
    cap = min(int(a.staff_max_minutes[staff]), rules.max_week_minutes)
    if fixed_minutes + int(a.shift_paid[shift]) > cap:
        reasons.append(
            f"week_hours: {_hours(fixed_minutes)} fixed + {_hours(a.shift_paid[shift])} "
            f"exceed the weekly cap of {_hours(cap)} (H9, H16)"
        )
    cap = int(a.staff_consent_minutes[staff])
    if fixed_minutes + int(a.shift_paid[shift]) > cap:
        reasons.append(
            f"consent_hours: {_hours(fixed_minutes)} fixed + "
            f"{_hours(a.shift_paid[shift])} exceed the {_hours(cap)} the person "
            "offered: desired hours plus the region's allowance (CONSENT)"
        )
    return reasons


def _night_series(arrays: RegionArrays, fixed: list[int]) -> list[tuple[int, int]]:
    """Returns (nights, end) of each maximal chain of the fixed nights, in order."""
    series: list[tuple[int, int]] = []
    for f in fixed:
        if not arrays.shift_night_after_0200[f]:
            continue
        start, end = int(arrays.shift_start[f]), int(arrays.shift_end[f])
        if series and start - series[-1][1] < NIGHT_SERIES_GAP_MINUTES:
            series[-1] = (series[-1][0] + 1, end)
        else:
            series.append((1, end))
    return series


__all__ = [
    "CHECKS",
    "EligibilityGraph",
    "default_candidates",
    "eligibility",
    "explain_ineligible",
    "haversine_km",
    "length_rule_breaks",
]

"""The one compile step: a validated `Region` becomes a frozen bundle of NumPy arrays.

Kernels and the CP-SAT builder read only `RegionArrays` (a `typing.NamedTuple` of
C-contiguous arrays with fixed dtypes, which Numba accepts as one argument); the id <->
index maps stay on the Python side in `CompiledRegion`.

Conventions:

* times are int64 minutes from the horizon start (Monday 00:00 local, as UTC instant);
  carry-in shifts have negative times;
* the shift table holds the horizon's shifts first (``0 .. num_shifts - 1``, in region
  order) and then every person's carry-in shifts, so fixed and past work is looked up
  the same way;
* levels are ranks (N1 = 1 ... N6 = 6); competences are bits of an int64 mask;
* ``-1`` means "none" in index arrays; ``inf`` means "no limit" in float arrays;
* sickness is a bit mask of horizon days per person: a sick person works no shift
  that *starts* on a sick day (the same rule as `Region.worked_roster`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from ._arguments import check_region
from .anw import AnwClass, ShiftClass, classify_shift
from .clock import TZ, NonexistentLocalTime, local_dates, local_instant, to_utc
from .domain import (
    SERIES_REST_HOURS,
    WEEKLY_REST_14D_HOURS,
    WEEKLY_REST_BLOCK_HOURS,
    Employment,
    LabourRules,
    OrtBand,
    Preference,
    Region,
    Sector,
    Staff,
    shift_limit_minutes,
)

EMPLOYMENT_CODES = {
    Employment.EMPLOYEE: 0,
    Employment.FLEX_POOL: 1,
    Employment.AGENCY: 2,
}
"""Integer code of each employment type in ``staff_employment``."""

ANW_CODES = {
    AnwClass.DAY: 0,
    AnwClass.EVENING: 1,
    AnwClass.NIGHT: 2,
    AnwClass.WEEKEND: 3,
    AnwClass.HOLIDAY: 4,
}
"""Integer code of each ANW class in ``shift_anw``."""

PREFERENCE_CODES = {Preference.AVOID: -1, Preference.NEUTRAL: 0, Preference.PREFER: 1}
"""Integer code of each preference in ``staff_preferences`` (day, evening, night, weekend)."""

CARRY_IN_WEEKS = 15
MAX_COMPETENCES = 63


class RuleParams(NamedTuple):
    """Hard-rule parameters in kernel units (minutes, counts); see `LabourRules`."""

    max_shift_minutes: int
    max_night_shift_minutes: int
    min_rest_minutes: int
    rest_after_night_minutes: int
    rest_after_night_series_minutes: int
    night_series_length: int
    max_consecutive_shifts_with_night: int
    weekly_rest_minutes: int  # H8 rest needed in each period (7d: uninterrupted)
    weekly_rest_period_minutes: int  # H8 period from each series start: 7 or 14 days
    weekly_rest_block_minutes: int  # H8 shortest rest that counts (7d: all of it)
    series_rest_minutes: int  # H8 rest that ends a series of shifts
    max_week_minutes: int
    max_avg_minutes_4w: int
    max_avg_minutes_16w: int
    max_avg_minutes_16w_night_workers: int
    max_nights_16w: int
    night_worker_threshold_16w: int
    max_sundays_52w: int


class RegionArrays(NamedTuple):
    """A region as arrays: what every kernel reads. See the module docstring."""

    # -- shifts (horizon shifts, then carry-in shifts) --------------------------
    num_horizon_shifts: int
    shift_start: np.ndarray  # int64 minutes
    shift_end: np.ndarray  # int64 minutes
    shift_paid: np.ndarray  # int64 paid minutes
    shift_night_minutes: np.ndarray  # int64 minutes in local 00:00-06:00
    shift_is_night: np.ndarray  # bool
    shift_night_after_0200: np.ndarray  # bool
    shift_is_holiday: np.ndarray  # bool
    shift_is_weekend: np.ndarray  # bool
    shift_is_evening: np.ndarray  # bool
    shift_is_sunday: np.ndarray  # bool: starts on a Sunday (local)
    shift_anw: np.ndarray  # int8, ANW_CODES
    shift_day: np.ndarray  # int64 local start date, days from the horizon start
    shift_week: np.ndarray  # int64 ATW week of the start, from the horizon start
    shift_ward: np.ndarray  # int64, -1 for carry-in shifts
    shift_location: np.ndarray  # int64, -1 for carry-in shifts
    shift_org: np.ndarray  # int64, -1 for carry-in shifts
    shift_max_minutes: np.ndarray  # int64 longest allowed elapsed time (H2: ATW, CAO)
    shift_ort_minutes: (
        np.ndarray
    )  # float64 premium-weighted paid minutes (sum of p x m)
    # -- demand and open slots ----------------------------------------------------
    req_shift: np.ndarray  # int64 shift of each requirement
    req_level: np.ndarray  # int64 level rank
    req_competence: np.ndarray  # int64 competence bit, -1 none
    req_count: np.ndarray  # int64 headcount
    req_exact_level: np.ndarray  # bool: the ward forbids over-qualification
    slot_shift: np.ndarray  # int64
    slot_requirement: np.ndarray  # int64 index into req_*
    slot_level: np.ndarray  # int64 level rank
    slot_competence: np.ndarray  # int64 competence bit, -1 none
    slot_exact_level: np.ndarray  # bool
    slot_cause: np.ndarray  # int8: 0 vacancy, 1 sickness
    # -- staff ------------------------------------------------------------------------
    staff_level: np.ndarray  # int64 rank
    staff_competences: np.ndarray  # int64 bit mask
    staff_employment: np.ndarray  # int8, EMPLOYMENT_CODES
    staff_org: np.ndarray  # int64, -1 none
    staff_ward: np.ndarray  # int64, -1 none
    staff_home_location: np.ndarray  # int64 location of the home ward, -1 none
    staff_contract_minutes: np.ndarray  # int64 per week
    staff_desired_minutes: np.ndarray  # int64 per week
    staff_max_minutes: np.ndarray  # int64 per week
    staff_conditional_minutes: np.ndarray  # int64 per week
    staff_night_allowed: np.ndarray  # bool: not exempt by age (H12), or opted in
    staff_irregular_allowed: np.ndarray  # bool: not pregnant (H18), or opted in
    staff_offers_shifts: np.ndarray  # bool: consented to new shifts (CONSENT)
    staff_consent_minutes: np.ndarray  # int64 cap of a week with a new shift (CONSENT)
    staff_home_lat: np.ndarray  # float64, nan when unknown
    staff_home_lon: np.ndarray  # float64, nan when unknown
    staff_max_travel_km: np.ndarray  # float64, inf = no limit
    staff_preferences: np.ndarray  # int8 (num_staff, 4): day, evening, night, weekend
    staff_prior_week_minutes: np.ndarray  # int64 (num_staff, 15), oldest first
    staff_prior_week_nights: np.ndarray  # int64 (num_staff, 15), oldest first
    staff_sick_days: np.ndarray  # uint64 bit d: sick on horizon day d
    staff_sundays_52w: np.ndarray  # int64
    inducted_ptr: np.ndarray  # int64 CSR over staff
    inducted_location: np.ndarray  # int64 (home location included)
    fixed_ptr: np.ndarray  # int64 CSR over staff: worked fixed and carry-in shifts
    fixed_shift: np.ndarray  # int64 shift indices, sorted by start per person
    unavailable_ptr: np.ndarray  # int64 CSR over staff (sickness is staff_sick_days)
    unavailable_start: np.ndarray  # int64 minutes
    unavailable_end: np.ndarray  # int64 minutes
    # -- places ------------------------------------------------------------------------
    location_lat: np.ndarray  # float64
    location_lon: np.ndarray  # float64
    location_org: np.ndarray  # int64
    ward_location: np.ndarray  # int64
    ward_exact_level: np.ndarray  # bool
    # -- costs and supply ---------------------------------------------------------------
    wage_per_level: np.ndarray  # float64 (7,), index = rank
    agency_factor: float
    agency_vat: float
    lending_vat_factor: float
    travel_cost_per_km: float
    detour_factor: float
    agency_supply: np.ndarray  # int64 (num_days, 7): people bookable per day and rank
    # -- rules -------------------------------------------------------------------------
    rules: RuleParams
    num_days: int
    num_weeks: int


@dataclass(frozen=True)
class CompiledRegion:
    """A region's arrays together with the id <-> index maps (Python side only).

    Attributes
    ----------
    region
        The region it was compiled from.
    arrays
        The arrays the kernels read.
    staff_ids, shift_ids, ward_ids, location_ids, organisation_ids
        Ids in index order (``shift_ids`` covers the horizon shifts only).
    competences
        Competence names in bit order.
    """

    region: Region
    arrays: RegionArrays
    staff_ids: tuple[str, ...]
    shift_ids: tuple[str, ...]
    ward_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    organisation_ids: tuple[str, ...]
    competences: tuple[str, ...]

    @cached_property
    def staff_index(self) -> dict[str, int]:
        """Returns person id to index."""
        return _index(self.staff_ids)

    @cached_property
    def shift_index(self) -> dict[str, int]:
        """Returns horizon shift id to index."""
        return _index(self.shift_ids)


def without_consent(arrays: RegionArrays) -> RegionArrays:
    """Returns the arrays with CONSENT lifted: everyone but agency staff offers extra
    shifts, and no week is capped at desired hours.

    For asking who could help beyond their offer (`carecap.ask`) and for the tests
    that take the rule out of the model; the region itself keeps the rule.
    """
    no_cap = np.iinfo(np.int32).max  # minutes: no week comes near it
    return arrays._replace(
        staff_offers_shifts=_frozen(
            arrays.staff_employment != EMPLOYMENT_CODES[Employment.AGENCY]
        ),
        staff_consent_minutes=_frozen(
            np.full_like(arrays.staff_consent_minutes, no_cap)
        ),
    )


def _index(ids: tuple[str, ...]) -> dict[str, int]:
    return {value: k for k, value in enumerate(ids)}


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def _weekly_rest_params(rules: LabourRules) -> dict[str, int]:
    """Returns the H8 fields of `RuleParams`: one shape for both periods.

    Both readings ask for rest of at least ``block`` minutes summing to ``need``
    within ``period`` from each series start; with 7 x 24 h, block = need, which is
    one uninterrupted rest of ``weekly_rest_hours``.
    """
    if rules.weekly_rest_period == "14d":
        period, need, block = 14, WEEKLY_REST_14D_HOURS, WEEKLY_REST_BLOCK_HOURS
    else:
        period, need, block = 7, rules.weekly_rest_hours, rules.weekly_rest_hours
    return {
        "weekly_rest_minutes": round(need * 60),
        "weekly_rest_period_minutes": period * 24 * 60,
        "weekly_rest_block_minutes": round(block * 60),
        "series_rest_minutes": round(SERIES_REST_HOURS * 60),
    }


def _minutes(moment: dt.datetime, origin: dt.datetime) -> int:
    return round((moment - origin).total_seconds() / 60)


def _ort_minutes(
    region: Region, start: dt.datetime, end: dt.datetime, paid: int, sector: Sector
) -> float:
    """Returns the premium-weighted paid minutes of a shift: sum of premium x minutes.

    The shift is cut at every band edge and local midnight; each piece takes the
    highest premium of the bands covering it on the local wall clock. The unpaid
    break's position is not recorded, so it is spread evenly over the shift.
    """
    bands = region.costs.ort.get(sector, ())
    elapsed = (end - start).total_seconds() / 60
    if not bands or elapsed <= 0:
        return 0.0
    holidays = region.holiday_dates
    cuts = {start, end}
    for day in local_dates(start, end + dt.timedelta(days=1)):
        for clock in (
            {dt.time(0, 0)} | {b.start for b in bands} | {b.end for b in bands}
        ):
            try:
                instant = local_instant(day, clock)
            except NonexistentLocalTime:
                continue
            if start < instant < end:
                cuts.add(instant)
    edges = sorted(cuts)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        local = (lo + (hi - lo) / 2).astimezone(TZ)
        premium = max(
            (b.premium for b in bands if _band_covers(b, local, holidays)), default=0.0
        )
        total += premium * (hi - lo).total_seconds() / 60
    return total * paid / elapsed


def _band_covers(
    band: OrtBand, local: dt.datetime, holidays: frozenset[dt.date]
) -> bool:
    day = local.date()
    weekday = day.weekday()
    if band.days == "weekday":
        applies = weekday < 5 and day not in holidays
    elif band.days == "saturday":
        applies = weekday == 5 and day not in holidays
    elif band.days == "sunday_holiday":
        applies = weekday == 6 or day in holidays
    else:
        applies = day.month == 12 and day.day in (24, 31)
    clock = local.time()
    return (
        applies
        and band.start <= clock
        and (band.end == dt.time(0, 0) or clock < band.end)
    )


def compile_region(region: Region) -> CompiledRegion:
    """Compiles a validated region into arrays.

    Parameters
    ----------
    region
        A validated region.

    Returns
    -------
    CompiledRegion
        The arrays and the id maps.

    Raises
    ------
    TypeError
        If ``region`` is not a `Region` (a path or a dict).
    """
    check_region(region)
    origin = region.horizon.start_instant
    start_date = region.horizon.start
    org_ids = tuple(org.id for org in region.organisations)
    org_index = _index(org_ids)
    location_ids = tuple(loc.id for loc in region.locations)
    location_index = _index(location_ids)
    ward_ids = tuple(ward.id for ward in region.wards)
    ward_index = _index(ward_ids)
    staff_ids = tuple(person.id for person in region.staff)
    shift_ids = tuple(shift.id for shift in region.shifts)
    shift_index = _index(shift_ids)

    competences = sorted(
        {c for p in region.staff for c in p.competences}
        | {r.competence for s in region.shifts for r in s.requirements if r.competence}
    )
    if len(competences) > MAX_COMPETENCES:
        raise ValueError(
            f"at most {MAX_COMPETENCES} distinct competences are supported"
        )
    competence_bit = {name: k for k, name in enumerate(competences)}

    # -- shift table: horizon shifts, then carry-in shifts -------------------------------
    legal_longest = round(region.rules.max_shift_hours * 60)
    longest_shift = {
        sector: shift_limit_minutes(region.rules, sector) for sector in Sector
    }
    rows: list[tuple] = []
    ort_memo: dict[tuple, float] = {}
    for shift in region.shifts:
        cls = region.shift_classes[shift.id]
        ward = region.ward_by_id[shift.ward]
        location = region.location_by_id[ward.location]
        org = region.organisation_by_id[location.organisation]
        key = (shift.date, shift.template, org.sector)
        if key not in ort_memo:
            ort_memo[key] = _ort_minutes(
                region, cls.start, cls.end, cls.paid_minutes, org.sector
            )
        rows.append(
            (
                cls,
                ward_index[ward.id],
                location_index[location.id],
                org_index[org.id],
                ort_memo[key],
                longest_shift[org.sector],
            )
        )
    carry_in_of: list[list[int]] = [[] for _ in region.staff]
    for person_idx, person in enumerate(region.staff):
        for past in person.history.recent_shifts:
            cls = classify_shift(
                to_utc(past.start),
                to_utc(past.end),
                past.unpaid_break_minutes,
                region.holiday_dates,
                round(region.rules.evening_min_hours * 60),
            )
            carry_in_of[person_idx].append(len(rows))
            rows.append((cls, -1, -1, -1, 0.0, legal_longest))

    def column(fn, dtype) -> np.ndarray:
        return _frozen(np.array([fn(r) for r in rows], dtype=dtype))

    def local_day(cls: ShiftClass) -> int:
        return (cls.start.astimezone(TZ).date() - start_date).days

    shift_start = column(lambda r: _minutes(r[0].start, origin), np.int64)
    shift_day = column(lambda r: local_day(r[0]), np.int64)

    # -- demand ------------------------------------------------------------------------
    req_rows = [
        (
            shift_index[shift.id],
            req.level.rank,
            competence_bit[req.competence] if req.competence else -1,
            req.count,
            not region.ward_by_id[shift.ward].allow_higher_level,
        )
        for shift in region.shifts
        for req in shift.requirements
    ]
    req_offset = {}
    k = 0
    for shift in region.shifts:
        req_offset[shift.id] = k
        k += len(shift.requirements)
    req_exact_level = np.array([r[4] for r in req_rows], dtype=np.bool_)
    slots = region.open_slots
    slot_requirement = np.array(
        [req_offset[slot.shift] + slot.requirement for slot in slots], dtype=np.int64
    )

    # -- staff ------------------------------------------------------------------------
    num_staff = len(region.staff)
    rules = region.rules
    staff_home_location = np.full(num_staff, -1, dtype=np.int64)
    staff_sick_days = np.zeros(num_staff, dtype=np.uint64)
    inducted: list[list[int]] = []
    unavailable: list[list[tuple[int, int]]] = []
    sick_days: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for episode in region.sickness:
        sick_days.setdefault(episode.staff, []).append(
            (episode.first_day, episode.last_day)
        )
    for k, person in enumerate(region.staff):
        locations = {location_index[loc] for loc in person.inducted_locations}
        if person.ward is not None:
            home = location_index[region.ward_by_id[person.ward].location]
            staff_home_location[k] = home
            locations.add(home)
        inducted.append(sorted(locations))
        windows = [
            (_minutes(to_utc(w.start), origin), _minutes(to_utc(w.end), origin))
            for w in person.unavailability
        ]
        unavailable.append(sorted(windows))
        for first, last in sick_days.get(person.id, ()):
            lo = max(0, (first - start_date).days)
            hi = min(region.horizon.days - 1, (last - start_date).days)
            for day in range(lo, hi + 1):
                staff_sick_days[k] |= np.uint64(1) << np.uint64(day)

    fixed_of: list[list[int]] = [list(c) for c in carry_in_of]
    staff_index = _index(staff_ids)
    for assignment in region.worked_roster:
        fixed_of[staff_index[assignment.staff]].append(shift_index[assignment.shift])
    for k in range(num_staff):
        fixed_of[k].sort(key=lambda s: shift_start[s])

    def csr(lists: list[list]) -> tuple[np.ndarray, np.ndarray]:
        ptr = np.zeros(len(lists) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(x) for x in lists])
        return _frozen(ptr), [v for x in lists for v in x]

    inducted_ptr, inducted_flat = csr(inducted)
    fixed_ptr, fixed_flat = csr(fixed_of)
    unavailable_ptr, unavailable_flat = csr(unavailable)

    prior_minutes = np.zeros((num_staff, CARRY_IN_WEEKS), dtype=np.int64)
    prior_nights = np.zeros((num_staff, CARRY_IN_WEEKS), dtype=np.int64)
    for k, person in enumerate(region.staff):
        hours = person.history.weekly_hours
        nights = person.history.weekly_nights
        if hours:
            prior_minutes[k, CARRY_IN_WEEKS - len(hours) :] = [
                round(h * 60) for h in hours
            ]
        if nights:
            prior_nights[k, CARRY_IN_WEEKS - len(nights) :] = nights

    def night_allowed(person: Staff) -> bool:
        if person.night_opt_in or person.age is None or person.organisation is None:
            return True
        sector = region.organisation_by_id[person.organisation].sector
        return person.age < rules.night_exemption_age[sector]

    # -- supply -------------------------------------------------------------------------
    num_days = region.horizon.days
    supply = np.zeros((num_days, 7), dtype=np.int64)
    for entry in region.agency_supply:
        supply[(entry.date - start_date).days, entry.level.rank] += entry.count

    wage = np.zeros(7, dtype=np.float64)
    for level, value in region.costs.hourly_wage.items():
        wage[level.rank] = value

    def minutes(hours: float) -> int:
        return round(hours * 60)

    rule_params = RuleParams(
        max_shift_minutes=minutes(rules.max_shift_hours),
        max_night_shift_minutes=minutes(rules.max_night_shift_hours),
        min_rest_minutes=minutes(rules.min_rest_hours),
        rest_after_night_minutes=minutes(rules.rest_after_night_hours),
        rest_after_night_series_minutes=minutes(rules.rest_after_night_series_hours),
        night_series_length=rules.night_series_length,
        max_consecutive_shifts_with_night=rules.max_consecutive_shifts_with_night,
        **_weekly_rest_params(rules),
        max_week_minutes=minutes(rules.max_week_hours),
        max_avg_minutes_4w=minutes(rules.max_avg_hours_4w),
        max_avg_minutes_16w=minutes(rules.max_avg_hours_16w),
        max_avg_minutes_16w_night_workers=minutes(
            rules.max_avg_hours_16w_night_workers
        ),
        max_nights_16w=rules.max_nights_16w,
        night_worker_threshold_16w=rules.night_worker_threshold_16w,
        max_sundays_52w=52 - rules.min_free_sundays_52w,
    )

    people = region.staff
    arrays = RegionArrays(
        num_horizon_shifts=len(region.shifts),
        shift_start=shift_start,
        shift_end=column(lambda r: _minutes(r[0].end, origin), np.int64),
        shift_paid=column(lambda r: r[0].paid_minutes, np.int64),
        shift_night_minutes=column(lambda r: r[0].night_minutes, np.int64),
        shift_is_night=column(lambda r: r[0].is_night, np.bool_),
        shift_night_after_0200=column(lambda r: r[0].ends_after_0200, np.bool_),
        shift_is_holiday=column(lambda r: r[0].is_holiday, np.bool_),
        shift_is_weekend=column(lambda r: r[0].is_weekend, np.bool_),
        shift_is_evening=column(lambda r: r[0].is_evening, np.bool_),
        shift_is_sunday=column(
            lambda r: r[0].start.astimezone(TZ).weekday() == 6, np.bool_
        ),
        shift_anw=column(lambda r: ANW_CODES[r[0].anw_class], np.int8),
        shift_day=shift_day,
        shift_week=_frozen(np.floor_divide(shift_day, 7)),
        shift_ward=column(lambda r: r[1], np.int64),
        shift_location=column(lambda r: r[2], np.int64),
        shift_org=column(lambda r: r[3], np.int64),
        shift_ort_minutes=column(lambda r: r[4], np.float64),
        shift_max_minutes=column(lambda r: r[5], np.int64),
        req_shift=_frozen(np.array([r[0] for r in req_rows], dtype=np.int64)),
        req_level=_frozen(np.array([r[1] for r in req_rows], dtype=np.int64)),
        req_competence=_frozen(np.array([r[2] for r in req_rows], dtype=np.int64)),
        req_count=_frozen(np.array([r[3] for r in req_rows], dtype=np.int64)),
        req_exact_level=_frozen(req_exact_level),
        slot_shift=_frozen(
            np.array([shift_index[s.shift] for s in slots], dtype=np.int64)
        ),
        slot_requirement=_frozen(slot_requirement),
        slot_level=_frozen(np.array([s.level.rank for s in slots], dtype=np.int64)),
        slot_competence=_frozen(
            np.array(
                [competence_bit[s.competence] if s.competence else -1 for s in slots],
                dtype=np.int64,
            )
        ),
        slot_exact_level=_frozen(req_exact_level[slot_requirement]),
        slot_cause=_frozen(
            np.array(
                [0 if s.cause.value == "vacancy" else 1 for s in slots], dtype=np.int8
            )
        ),
        staff_level=_frozen(np.array([p.level.rank for p in people], dtype=np.int64)),
        staff_competences=_frozen(
            np.array(
                [
                    sum(1 << competence_bit[c] for c in set(p.competences))
                    for p in people
                ],
                dtype=np.int64,
            )
        ),
        staff_employment=_frozen(
            np.array([EMPLOYMENT_CODES[p.employment] for p in people], dtype=np.int8)
        ),
        staff_org=_frozen(
            np.array(
                [org_index[p.organisation] if p.organisation else -1 for p in people],
                dtype=np.int64,
            )
        ),
        staff_ward=_frozen(
            np.array(
                [ward_index[p.ward] if p.ward else -1 for p in people], dtype=np.int64
            )
        ),
        staff_home_location=_frozen(staff_home_location),
        staff_contract_minutes=_frozen(
            np.array([minutes(p.contract_hours) for p in people], dtype=np.int64)
        ),
        staff_desired_minutes=_frozen(
            np.array([minutes(p.desired_hours) for p in people], dtype=np.int64)
        ),
        staff_max_minutes=_frozen(
            np.array([minutes(p.max_hours) for p in people], dtype=np.int64)
        ),
        staff_conditional_minutes=_frozen(
            np.array(
                [minutes(p.conditional_extra_hours) for p in people], dtype=np.int64
            )
        ),
        staff_night_allowed=_frozen(
            np.array([night_allowed(p) for p in people], dtype=np.bool_)
        ),
        staff_irregular_allowed=_frozen(
            np.array(
                [not p.pregnant or p.irregular_opt_in for p in people], dtype=np.bool_
            )
        ),
        staff_offers_shifts=_frozen(
            np.array([p.offers_extra_shifts for p in people], dtype=np.bool_)
        ),
        staff_consent_minutes=_frozen(
            np.array(
                [minutes(p.desired_hours + rules.hours_above_desired) for p in people],
                dtype=np.int64,
            )
        ),
        staff_home_lat=_frozen(
            np.array(
                [p.home.latitude if p.home else math.nan for p in people],
                dtype=np.float64,
            )
        ),
        staff_home_lon=_frozen(
            np.array(
                [p.home.longitude if p.home else math.nan for p in people],
                dtype=np.float64,
            )
        ),
        staff_max_travel_km=_frozen(
            np.array(
                [
                    p.max_travel_km if p.max_travel_km is not None else math.inf
                    for p in people
                ],
                dtype=np.float64,
            )
        ),
        staff_preferences=_frozen(
            np.array(
                [
                    [
                        PREFERENCE_CODES[p.preferences.day],
                        PREFERENCE_CODES[p.preferences.evening],
                        PREFERENCE_CODES[p.preferences.night],
                        PREFERENCE_CODES[p.preferences.weekend],
                    ]
                    for p in people
                ],
                dtype=np.int8,
            ).reshape(num_staff, 4)
        ),
        staff_prior_week_minutes=_frozen(prior_minutes),
        staff_prior_week_nights=_frozen(prior_nights),
        staff_sick_days=_frozen(staff_sick_days),
        staff_sundays_52w=_frozen(
            np.array([p.history.sundays_worked_52w for p in people], dtype=np.int64)
        ),
        inducted_ptr=inducted_ptr,
        inducted_location=_frozen(np.array(inducted_flat, dtype=np.int64)),
        fixed_ptr=fixed_ptr,
        fixed_shift=_frozen(np.array(fixed_flat, dtype=np.int64)),
        unavailable_ptr=unavailable_ptr,
        unavailable_start=_frozen(
            np.array([w[0] for w in unavailable_flat], dtype=np.int64)
        ),
        unavailable_end=_frozen(
            np.array([w[1] for w in unavailable_flat], dtype=np.int64)
        ),
        location_lat=_frozen(
            np.array([loc.latitude for loc in region.locations], dtype=np.float64)
        ),
        location_lon=_frozen(
            np.array([loc.longitude for loc in region.locations], dtype=np.float64)
        ),
        location_org=_frozen(
            np.array(
                [org_index[loc.organisation] for loc in region.locations],
                dtype=np.int64,
            )
        ),
        ward_location=_frozen(
            np.array([location_index[w.location] for w in region.wards], dtype=np.int64)
        ),
        ward_exact_level=_frozen(
            np.array([not w.allow_higher_level for w in region.wards], dtype=np.bool_)
        ),
        wage_per_level=_frozen(wage),
        agency_factor=float(region.costs.agency_factor),
        agency_vat=float(region.costs.agency_vat),
        lending_vat_factor=float(region.costs.lending_vat_factor),
        travel_cost_per_km=float(region.costs.travel_cost_per_km),
        detour_factor=float(region.costs.detour_factor),
        agency_supply=_frozen(supply),
        rules=rule_params,
        num_days=num_days,
        num_weeks=region.horizon.weeks,
    )
    return CompiledRegion(
        region=region,
        arrays=arrays,
        staff_ids=staff_ids,
        shift_ids=shift_ids,
        ward_ids=ward_ids,
        location_ids=location_ids,
        organisation_ids=org_ids,
        competences=tuple(competences),
    )


__all__ = [
    "ANW_CODES",
    "EMPLOYMENT_CODES",
    "PREFERENCE_CODES",
    "CompiledRegion",
    "RegionArrays",
    "RuleParams",
    "compile_region",
]

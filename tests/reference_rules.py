"""Plain-Python reference checker of the hard labour rules on a region's base roster.

Written straight from `shared/domain.md` §7.4, one person at a time, with no shortcuts
shared with the generator: it works from shift start/end instants and local times only.
The generator tests use it to show that generated base rosters are legal; the kernel
evaluator will be checked against it.

Definitions (also in the README glossary):

* consecutive nights: nights ending after 02:00 where each starts less than 24 h after
  the previous one ends;
* a run of consecutive shifts: shifts whose local start dates are consecutive days;
* weekly rest (H8), series reading: a series is one or more shifts that ends with at
  least 32 h of rest; the 7 x 24 h from the first moment of work of each series hold
  a rest of at least 36 h (14 x 24 h and 72 h in blocks of at least 32 h with
  ``weekly_rest_period="14d"``); rest after the last known shift counts;
* hours count in the ATW week (Monday 00:00 - Sunday 24:00) in which the shift starts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from carecap.anw import ShiftClass, classify_shift
from carecap.clock import TZ, to_utc
from carecap.domain import Employment, Region, Sector, Staff

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Violation:
    """A broken hard rule: rule id, person, and what happened."""

    rule: str
    staff: str
    detail: str


@dataclass(frozen=True)
class _Worked:
    cls: ShiftClass
    in_horizon: bool
    label: str


def _person_shifts(
    region: Region, person: Staff, assignments: list[str]
) -> list[_Worked]:
    shifts = [
        _Worked(
            classify_shift(
                to_utc(past.start),
                to_utc(past.end),
                past.unpaid_break_minutes,
                region.holiday_dates,
            ),
            False,
            f"carry-in {past.start.isoformat()}",
        )
        for past in person.history.recent_shifts
    ]
    shifts += [_Worked(region.shift_classes[s], True, s) for s in assignments]
    return sorted(shifts, key=lambda w: w.cls.start)


def check_base_roster(region: Region) -> list[Violation]:
    """Returns every hard-rule violation in the region's (sickness-free) base roster."""
    return check_roster(
        region, [(a.staff, a.shift) for a in region.base_roster], sickness=False
    )


def check_roster(
    region: Region, assignments: Iterable[tuple[str, str]], *, sickness: bool = True
) -> list[Violation]:
    """Returns every hard-rule violation of a roster given as (staff id, shift id) pairs.

    Pass the worked base roster plus new assignments to check a solver's roster.
    Qualification, induction, availability and travel are checked for every pair;
    with ``sickness`` a shift on a sick day breaks H15 too (the sickness-free base
    roster is checked without it).
    """
    assigned = defaultdict(list)
    for staff_id, shift_id in assignments:
        assigned[staff_id].append(shift_id)
    # Work that is not new: the worked base roster, or with the sickness-free view
    # the whole base roster (a sick person's own shift given back to them is new).
    fixed = {
        (a.staff, a.shift)
        for a in (region.worked_roster if sickness else region.base_roster)
    }
    found: list[Violation] = []
    for person in region.staff:
        found += _check_person(region, person, assigned.get(person.id, []), sickness)
        found += _check_consent(region, person, assigned.get(person.id, []), fixed)
    return found


def _check_consent(
    region: Region,
    person: Staff,
    assignments: list[str],
    fixed: set[tuple[str, str]],
) -> list[Violation]:
    """CONSENT (§7.4 H16): new shifts only for people who offered them; a week holding
    one at most desired hours plus the region's allowance (``fixed`` work is not new;
    a week of fixed work alone is never a violation)."""
    new = [s for s in assignments if (person.id, s) not in fixed]
    if not new:
        return []
    out = []
    offered = person.employment is Employment.FLEX_POOL or (
        person.employment is Employment.EMPLOYEE
        and (person.desired_hours > person.contract_hours or person.extra_shifts_opt_in)
    )
    if not offered:
        out += [Violation("CONSENT", person.id, f"{s} not offered") for s in new]

    def week(shift_id: str) -> int:
        day = region.shift_classes[shift_id].start.astimezone(TZ).date()
        return (day - region.horizon.start).days // 7

    hours: dict[int, float] = defaultdict(float)
    for shift_id in assignments:
        hours[week(shift_id)] += region.shift_classes[shift_id].paid_minutes / 60
    cap = person.desired_hours + region.rules.hours_above_desired
    for w in sorted({week(s) for s in new}):
        if hours[w] > cap + 1e-9:
            out.append(Violation("CONSENT", person.id, f"{hours[w]:g} h in week {w}"))
    return out


def _check_person(
    region: Region, person: Staff, assignments: list[str], sickness: bool
) -> list[Violation]:
    rules = region.rules
    out: list[Violation] = []

    def flag(rule: str, detail: str) -> None:
        out.append(Violation(rule, person.id, detail))

    shifts = _person_shifts(region, person, assignments)
    # H1: no overlap, one start per local date.
    starts_per_day: dict[dt.date, int] = defaultdict(int)
    for w in shifts:
        starts_per_day[w.cls.start.astimezone(TZ).date()] += 1
    for day, n in starts_per_day.items():
        if n > 1:
            flag("H1", f"{n} shifts start on {day}")
    for a, b in itertools.pairwise(shifts):
        if b.cls.start < a.cls.end:
            flag("H1", f"{a.label} overlaps {b.label}")

    for w in shifts:
        if not w.in_horizon:
            continue
        hours = w.cls.elapsed_minutes / 60
        shift = region.shift_by_id[w.label]
        sector = region.ward_organisation(shift.ward).sector
        longest = rules.max_shift_hours
        if sector in (Sector.VVT, Sector.HOME_CARE, Sector.GHZ):  # CAO policy
            longest = min(longest, rules.cao_max_shift_hours)
        if hours > longest:
            flag("H2", f"{w.label} lasts {hours:g} h")
        if w.cls.is_night and hours > rules.max_night_shift_hours:
            flag("H3", f"night {w.label} lasts {hours:g} h")

    # H4-H6: rest after each shift.
    night_run = 0
    for a, b in itertools.pairwise(shifts):
        gap = b.cls.start - a.cls.end
        night_run = night_run + 1 if a.cls.ends_after_0200 else 0
        if a.cls.ends_after_0200:
            continuing = b.cls.ends_after_0200 and gap < 24 * HOUR
            if not continuing and night_run >= rules.night_series_length:
                if gap < rules.rest_after_night_series_hours * HOUR:
                    flag(
                        "H6",
                        f"{gap / HOUR:g} h rest after {night_run} nights before {b.label}",
                    )
            elif gap < rules.rest_after_night_hours * HOUR:
                flag("H5", f"{gap / HOUR:g} h rest after night {a.label}")
            if not continuing:
                night_run = 0
        elif gap < rules.min_rest_hours * HOUR:
            flag("H4", f"{gap / HOUR:g} h rest before {b.label}")

    # H7: runs of consecutive days with a night.
    run: list[_Worked] = []
    for w in shifts:
        day = w.cls.start.astimezone(TZ).date()
        if run and day - run[-1].cls.start.astimezone(TZ).date() == dt.timedelta(
            days=1
        ):
            run.append(w)
        else:
            run = [w]
        if len(run) > rules.max_consecutive_shifts_with_night and any(
            x.cls.is_night for x in run
        ):
            flag("H7", f"run of {len(run)} shifts with a night ending {w.label}")

    # H8, series reading: a series is one or more shifts that ends with >= 32 h of
    # rest; the period from the first moment of work of each series holds the weekly
    # rest. A period without horizon work breaks it on history alone: not flagged.
    if rules.weekly_rest_period == "14d":
        period, need, block = 14 * 24 * HOUR, 72 * HOUR, 32 * HOUR
    else:
        period = 7 * 24 * HOUR
        need = block = rules.weekly_rest_hours * HOUR
    previous_end = None
    for k, first in enumerate(shifts):
        if previous_end is not None and first.cls.start - previous_end < 32 * HOUR:
            previous_end = max(previous_end, first.cls.end)
            continue
        previous_end = max(previous_end or first.cls.end, first.cls.end)
        period_start = first.cls.start
        period_end = period_start + period
        inside = [w for w in shifts[k:] if w.cls.start < period_end]
        if not any(w.in_horizon for w in inside):
            continue
        # Free time in the period: the gaps between the worked intervals, clipped.
        rests, busy_until = [], period_start
        for w in inside:
            if w.cls.start > busy_until:
                rests.append(w.cls.start - busy_until)
            busy_until = max(busy_until, w.cls.end)
        if busy_until < period_end:
            rests.append(period_end - busy_until)
        counted = sum((r for r in rests if r >= block), dt.timedelta(0))
        if counted < need:
            flag(
                "H8",
                f"{counted / HOUR:g} h rest in blocks of {block / HOUR:g} h in the "
                f"{period / (24 * HOUR):g} x 24 h from {first.label}",
            )

    # H9, H11, H16: hours per ATW week and averaged windows, with carry-in.
    horizon_start = region.horizon.start
    week_hours: dict[int, float] = defaultdict(float)
    week_nights: dict[int, int] = defaultdict(int)
    for w in shifts:
        if not w.in_horizon:
            continue
        week = (w.cls.start.astimezone(TZ).date() - horizon_start).days // 7
        week_hours[week] += w.cls.paid_minutes / 60
        week_nights[week] += int(w.cls.ends_after_0200)
    prior_hours = list(person.history.weekly_hours)
    prior_nights = list(person.history.weekly_nights)
    weeks = region.horizon.weeks
    timeline_hours = (
        [0.0] * (15 - len(prior_hours))
        + prior_hours
        + [week_hours[k] for k in range(weeks)]
    )
    timeline_nights = (
        [0] * (15 - len(prior_nights))
        + prior_nights
        + [week_nights[k] for k in range(weeks)]
    )
    for k in range(weeks):
        hours = week_hours[k]
        if hours > rules.max_week_hours + 1e-9:
            flag("H9", f"{hours:g} h in week {k}")
        if hours > person.max_hours + 1e-9:
            flag("H16", f"{hours:g} h in week {k}, maximum {person.max_hours:g}")
        end = 15 + k + 1
        if sum(timeline_hours[end - 4 : end]) > 4 * rules.max_avg_hours_4w + 1e-9:
            flag(
                "H9",
                f"4-week average above {rules.max_avg_hours_4w:g} h ending week {k}",
            )
        nights_16 = sum(timeline_nights[end - 16 : end])
        limit_16 = (
            rules.max_avg_hours_16w_night_workers
            if nights_16 >= rules.night_worker_threshold_16w
            else rules.max_avg_hours_16w
        )
        if sum(timeline_hours[end - 16 : end]) > 16 * limit_16 + 1e-9:
            flag(
                "H11" if nights_16 >= rules.night_worker_threshold_16w else "H9",
                f"16-week average above {limit_16:g} h",
            )
        if nights_16 > rules.max_nights_16w:
            flag("H10", f"{nights_16} nights in 16 weeks ending week {k}")

    # H12: night exemption by age; H18: pregnancy.
    home_org = (
        region.organisation_by_id.get(person.organisation)
        if person.organisation
        else None
    )
    for w in shifts:
        if not w.in_horizon:
            continue
        if (
            w.cls.is_night
            and home_org is not None
            and person.age is not None
            and person.age >= rules.night_exemption_age[home_org.sector]
            and not person.night_opt_in
        ):
            flag("H12", f"night {w.label} at age {person.age}")
        if person.pregnant and not person.irregular_opt_in and w.cls.anw_class.is_anw:
            flag("H18", f"irregular shift {w.label}")

    # Sundays: at least 13 free Sundays in 52 weeks.
    sundays = sum(
        1 for w in shifts if w.in_horizon and w.cls.start.astimezone(TZ).weekday() == 6
    )
    allowed = 52 - rules.min_free_sundays_52w
    if person.history.sundays_worked_52w + sundays > allowed:
        flag(
            "SUN", f"{person.history.sundays_worked_52w + sundays} Sundays in 52 weeks"
        )

    # H13 qualification, H14 induction, H15 availability (sickness included).
    sick = [
        (e.first_day, e.last_day)
        for e in region.sickness
        if sickness and e.staff == person.id
    ]
    windows = [(to_utc(w.start), to_utc(w.end)) for w in person.unavailability]
    for w in shifts:
        if not w.in_horizon:
            continue
        shift = region.shift_by_id[w.label]
        if not any(region.can_fill(person, shift, r) for r in shift.requirements):
            flag("H13", f"{person.level.value} meets no requirement of {w.label}")
        ward = region.ward_by_id[shift.ward]
        home_location = region.ward_by_id[person.ward].location if person.ward else None
        if (
            person.employment is not Employment.AGENCY
            and ward.location != home_location
            and ward.location not in person.inducted_locations
        ):
            flag("H14", f"not inducted at {ward.location} for {w.label}")
        if any(a < w.cls.end and w.cls.start < b for a, b in windows):
            flag("H15", f"unavailable during {w.label}")
        if any(first <= shift.date <= last for first, last in sick):
            flag("H15", f"sick on {shift.date} ({w.label})")

    # H15: travel from home to the ward.
    if person.home is not None and person.max_travel_km is not None:
        for w in shifts:
            if not w.in_horizon:
                continue
            ward = region.ward_by_id[region.shift_by_id[w.label].ward]
            location = region.location_by_id[ward.location]
            km = _km(
                person.home.latitude,
                person.home.longitude,
                location.latitude,
                location.longitude,
            )
            if (
                km * region.costs.detour_factor > person.max_travel_km + 1e-9
                and person.employment is not Employment.AGENCY
            ):
                flag("H15", f"{km:.1f} km to {w.label}")
    return out


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))

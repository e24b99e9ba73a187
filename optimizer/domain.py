"""The region instance: carecap's one input contract (pydantic v2, immutable, validated).

A region is a flat set of records that refer to each other by id, in the style of
`pyjobshop.ProblemData`: every record validates its own fields, and `Region` validates
every cross-reference in one place, reporting *all* problems at once with the record id
and the field named. Everything downstream (the compile step, the kernels, the CP-SAT
model) reads only a validated `Region`.

Times are local wall-clock times in Europe/Amsterdam (see `carecap.clock`); hours are
defined once (README glossary): *elapsed* time is end minus start in UTC, *paid* (worked)
time is elapsed time less the unpaid break. ATW limits count worked time; contract,
desired and maximum hours and wages count paid time; ORT applies to the minutes inside
each premium band on the local wall clock.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .anw import ShiftClass, classify_shift
from .clock import TIMEZONE_NAME, NonexistentLocalTime, shift_interval, to_utc

FORMAT_VERSION = "1.0"
"""Version of the region file format; bumped on any incompatible change."""

MAX_HORIZON_WEEKS = 6
MAX_CARRY_IN_WEEKS = 15
"""Prior ATW weeks a carry-in may describe: the 16-week windows reach this far back."""

_ID_FORBIDDEN_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "a space",
}
"""Unicode categories no id may contain: they break lines and cells in files."""


def _safe_id(value: str) -> str:
    # Line and record splitters (U+2028, U+0085, U+001D...) and invisible characters
    # make an id that survives JSON but breaks a CSV reader or two look-alike ids.
    for character in value:
        kind = _ID_FORBIDDEN_CATEGORIES.get(unicodedata.category(character))
        if kind is not None:
            name = unicodedata.name(character, "")
            raise ValueError(
                f"id {value!r} contains U+{ord(character):04X}"
                f"{f' {name}' if name else ''}, {kind}; ids may contain no "
                "spaces, line breaks, control or format characters"
            )
    # A spreadsheet hides a leading ' (it marks a cell as text), so such an id would
    # not come back from a planner's file as written.
    if value.startswith("'"):
        raise ValueError(f"id {value!r} starts with ', which spreadsheets hide")
    # Exports name files and folders after organisation ids; "." and ".." would
    # put them into the parent folder, and Windows drops trailing dots.
    if not value.strip("."):
        raise ValueError(
            f"id {value!r} is only dots; ids name files, so they need another character"
        )
    return value


Id = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(_safe_id)
]
"""Identifier: 1 to 64 characters, none of Unicode categories Cc, Cf, Zl, Zp, Zs, no
leading ``'``, and not only dots (``.``, ``..``). Ids starting with ``=``, ``+``,
``-`` or ``@`` (a staff number ``-0042``) are valid; every file carecap writes keeps
them as text."""

Hours = Annotated[float, Field(ge=0, le=168)]

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
"""The dates a region may hold: every window reaching back a year before the first
day or a week past the last one stays a valid date, with a known UTC offset."""


def _plausible_day(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{value.isoformat()} is outside {FIRST_DAY.isoformat()} to "
            f"{LAST_DAY.isoformat()}, the dates carecap plans"
        )
    return value


Day = Annotated[dt.date, AfterValidator(_plausible_day)]
"""A calendar date from `FIRST_DAY` to `LAST_DAY`."""

Moment = Annotated[dt.datetime, AfterValidator(_plausible_day)]
"""A date and time on a day from `FIRST_DAY` to `LAST_DAY`."""

MAX_WAGE = 1_000.0
"""Highest hourly wage (EUR): far above any CAO scale, low enough for exact costs."""


def _no_utc_offset(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(
            f"{value.isoformat()} has a UTC offset; give a local wall-clock time "
            "(HH:MM) in Europe/Amsterdam"
        )
    return value


LocalTime = Annotated[dt.time, AfterValidator(_no_utc_offset)]
"""Local wall-clock time of day: naive, as pydantic would otherwise accept ``07:00Z``."""


class Level(StrEnum):
    """Qualification level, ordered (`shared/domain.md` §3).

    N2 helpende, N3 verzorgende IG, N4 MBO-verpleegkundige, N6 HBO-verpleegkundige;
    N1 zorghulp and N5 verpleegkundige AD are optional levels of the same scale.
    """

    N1 = "N1"
    N2 = "N2"
    N3 = "N3"
    N4 = "N4"
    N5 = "N5"
    N6 = "N6"

    @property
    def rank(self) -> int:
        """Returns the position on the scale (N1 = 1 ... N6 = 6)."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {f"N{k}": k for k in range(1, 7)}


class Sector(StrEnum):
    """Care sector of an organisation; decides CAO defaults (ORT table, night age)."""

    VVT = "VVT"
    GHZ = "GHZ"
    HOSPITAL = "hospital"
    GGZ = "GGZ"
    HOME_CARE = "home_care"


class Employment(StrEnum):
    """How a person is employed."""

    EMPLOYEE = "employee"
    FLEX_POOL = "flex_pool"
    AGENCY = "agency"


class Preference(StrEnum):
    """A person's attitude to a kind of shift."""

    PREFER = "prefer"
    NEUTRAL = "neutral"
    AVOID = "avoid"


class GapCause(StrEnum):
    """Why a slot of demand is open."""

    SICKNESS = "sickness"
    VACANCY = "vacancy"


class _Record(BaseModel):
    # allow_inf_nan: JSON's Infinity and NaN are no hours or euros; a bound alone
    # lets NaN through (every comparison with it is false).
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_enum_values=False, allow_inf_nan=False
    )


# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------


class Horizon(_Record):
    """The planning horizon: 1 to 6 whole ATW weeks starting on a Monday.

    Attributes
    ----------
    start
        The Monday on which the horizon starts at 00:00 local time.
    weeks
        Number of weeks.
    timezone
        Always Europe/Amsterdam; stated in the file so that nobody has to guess.
    """

    start: Day
    weeks: int = Field(ge=1, le=MAX_HORIZON_WEEKS)
    timezone: Literal["Europe/Amsterdam"] = TIMEZONE_NAME

    @field_validator("start")
    @classmethod
    def _starts_on_monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(
                f"the horizon must start on a Monday; {value.isoformat()} is a "
                f"{value.strftime('%A')}"
            )
        return value

    @property
    def days(self) -> int:
        """Returns the number of days in the horizon."""
        return 7 * self.weeks

    @property
    def last_day(self) -> dt.date:
        """Returns the last date of the horizon (a Sunday)."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def start_instant(self) -> dt.datetime:
        """Returns the UTC instant at which the horizon starts."""
        return to_utc(dt.datetime.combine(self.start, dt.time(0, 0)))

    @property
    def end_instant(self) -> dt.datetime:
        """Returns the UTC instant at which the horizon ends."""
        return to_utc(
            dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(0, 0))
        )

    def contains(self, day: dt.date) -> bool:
        """Returns whether ``day`` lies inside the horizon."""
        return self.start <= day <= self.last_day


class Holiday(_Record):
    """A public holiday in the region (holiday ORT, holiday ANW class)."""

    date: Day
    name: str = ""


# ---------------------------------------------------------------------------
# Organisations, places, wards
# ---------------------------------------------------------------------------


class Organisation(_Record):
    """A care organisation taking part in the region."""

    id: Id
    name: str = ""
    sector: Sector


class Location(_Record):
    """A site of an organisation, with WGS84 coordinates."""

    id: Id
    organisation: Id
    name: str = ""
    town: str = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Ward(_Record):
    """A ward (or home-care team) at a location.

    Attributes
    ----------
    allow_higher_level
        Whether a person of a higher level may fill a lower-level slot here. Some wards
        forbid over-qualification (e.g. to keep nurses for nursing work).
    """

    id: Id
    location: Id
    name: str = ""
    allow_higher_level: bool = True


class ShiftTemplate(_Record):
    """A named shift pattern: local start and end time, and the unpaid break.

    An end time that is not after the start time means the shift ends the next day.
    """

    id: Id
    name: str = ""
    start: LocalTime
    end: LocalTime
    unpaid_break_minutes: int = Field(default=0, ge=0, le=180)

    @field_validator("end")
    @classmethod
    def _not_zero_length(cls, value: dt.time, info: ValidationInfo) -> dt.time:
        if info.data.get("start") == value:
            raise ValueError(
                "end equals start: a shift must last longer than 0 minutes"
            )
        return value


class Requirement(_Record):
    """Headcount needed on a shift at one qualification level.

    Attributes
    ----------
    level
        Minimum level (or exact level where the ward forbids over-qualification).
    count
        Number of people needed.
    competence
        A ward competence the people must hold on top of the level (e.g. ``dementia``,
        ``IC``); ``None`` when the level alone suffices.
    """

    level: Level
    count: int = Field(ge=1, le=100)
    competence: Id | None = None


class Shift(_Record):
    """A shift instance on a ward: a template on a date, with its demand."""

    id: Id
    ward: Id
    date: Day
    template: Id
    requirements: tuple[Requirement, ...] = Field(min_length=1)


# ---------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------


class Coordinates(_Record):
    """An approximate (postcode-level) WGS84 position. Personal data: never logged."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Interval(_Record):
    """A time interval [start, end); naive datetimes are local Europe/Amsterdam time."""

    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _end_after_start(self) -> Interval:
        both_aware = self.start.tzinfo is not None and self.end.tzinfo is not None
        end_first = (
            self.end <= self.start
            if both_aware
            else to_utc(self.end) <= to_utc(self.start)
        )
        if end_first:
            raise ValueError(
                f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )
        return self


class PastShift(Interval):
    """A shift worked before the horizon (carry-in), with its unpaid break."""

    unpaid_break_minutes: int = Field(default=0, ge=0, le=180)


class CarryIn(_Record):
    """What a person worked before the horizon (`shared/domain.md` §7.1).

    Labour-law windows reach back before the horizon: rest after the last shift, the
    current run of nights and of working days, 7 x 24 h weekly rest, the 4- and 16-week
    hour averages, the 16-week night count and the 52-week free-Sunday count. Unknown
    history defaults to nothing worked; that is optimistic, so planners should fill it.

    Attributes
    ----------
    recent_shifts
        Shifts that started in the 14 days before the horizon, exactly. The last shift
        end, the current run of nights and the current run of working days are derived
        from them, so rest, series and weekly-rest rules are exact at the horizon start.
        A night that starts on the Sunday before the horizon may end inside it.
    weekly_hours
        Worked hours in each of up to 15 ATW weeks before the horizon, most recent last.
    weekly_nights
        Night shifts ending after 02:00 in each of the same weeks, most recent last.
    sundays_worked_52w
        Sundays worked in the 52 weeks before the horizon.
    """

    recent_shifts: tuple[PastShift, ...] = ()
    weekly_hours: tuple[Hours, ...] = Field(default=(), max_length=MAX_CARRY_IN_WEEKS)
    weekly_nights: tuple[Annotated[int, Field(ge=0, le=7)], ...] = Field(
        default=(), max_length=MAX_CARRY_IN_WEEKS
    )
    sundays_worked_52w: int = Field(default=0, ge=0, le=52)


class ShiftPreferences(_Record):
    """Soft attitude to each kind of shift (roster quality, `shared/domain.md` §7.5.9)."""

    day: Preference = Preference.NEUTRAL
    evening: Preference = Preference.NEUTRAL
    night: Preference = Preference.NEUTRAL
    weekend: Preference = Preference.NEUTRAL


class Staff(_Record):
    """A person who works, or may work, shifts in the region.

    Attributes
    ----------
    employment
        Own employee, regional flex-pool member or agency/zzp worker.
    organisation
        Employer (required for employees and pool members; agency staff have none).
    ward
        Home ward (required for own employees; pool members and agency staff have none).
    contract_hours
        Contract hours per week (paid time).
    desired_hours
        Hours per week the person wants; above ``contract_hours`` means "wants more
        hours" (meer uren werken). Never below the contract. A consent cap (CONSENT,
        H16): a week that holds a new shift stays at most this many paid hours plus
        the region's ``rules.hours_above_desired``.
    max_hours
        Hard maximum paid hours per week the person may be given (CAO VVT: 40).
    conditional_extra_hours
        Extra hours per week the person would work *under conditions* (a better roster,
        flexible contract); off in a normal solve, switched on by what-if scenarios.
    age
        Age in whole years at the horizon start; decides the CAO night exemption.
        Personal data: never logged.
    night_opt_in
        An exempt person who agreed to work nights anyway.
    pregnant
        No irregular or night shifts unless ``irregular_opt_in`` (CAO, H18).
    inducted_locations
        Locations where the person is inducted and may work unsupervised, in addition
        to the location of the home ward.
    max_travel_km
        Longest acceptable home-to-work distance; ``None`` means no limit.
    extra_shifts_opt_in
        An employee who offers extra shifts up to ``desired_hours`` without wanting
        more hours on the contract (CONSENT); flex-pool members and employees whose
        desired hours exceed the contract offer them already.
    """

    id: Id
    name: str | None = None
    employment: Employment
    organisation: Id | None = None
    ward: Id | None = None
    level: Level
    competences: tuple[Id, ...] = ()
    contract_hours: Hours
    desired_hours: Hours
    max_hours: Annotated[float, Field(ge=0, le=60)]
    conditional_extra_hours: Hours = 0.0
    age: int | None = Field(default=None, ge=15, le=80)
    night_opt_in: bool = False
    pregnant: bool = False
    irregular_opt_in: bool = False
    home: Coordinates | None = None
    max_travel_km: float | None = Field(
        default=None,
        ge=0,
        le=1_000,
        description="Longest acceptable home-to-work distance, km (0 to 1,000).",
    )
    inducted_locations: tuple[Id, ...] = ()
    unavailability: tuple[Interval, ...] = ()
    preferences: ShiftPreferences = ShiftPreferences()
    history: CarryIn = CarryIn()
    extra_shifts_opt_in: bool = False

    @field_validator("desired_hours")
    @classmethod
    def _desired_not_below_contract(cls, value: float, info: ValidationInfo) -> float:
        contract = info.data.get("contract_hours")
        if contract is not None and value < contract:
            raise ValueError(
                f"desired hours {value:g} are below contract hours {contract:g}"
            )
        return value

    @field_validator("max_hours")
    @classmethod
    def _max_not_below_desired(cls, value: float, info: ValidationInfo) -> float:
        desired = info.data.get("desired_hours")
        if desired is not None and value < desired:
            raise ValueError(f"max hours {value:g} are below desired hours {desired:g}")
        return value

    @property
    def wants_more_hours(self) -> bool:
        """Returns whether the person asked for more hours than the contract."""
        return self.desired_hours > self.contract_hours

    @property
    def offers_extra_shifts(self) -> bool:
        """Whether the person consented to new shifts (CONSENT, `shared/domain.md` H16).

        Flex-pool members, employees who want more hours than their contract, and
        employees who opted in; never agency staff, who are booked as supply.
        """
        if self.employment is Employment.FLEX_POOL:
            return True
        return self.employment is Employment.EMPLOYEE and (
            self.wants_more_hours or self.extra_shifts_opt_in
        )


class FixedAssignment(_Record):
    """A base-roster assignment of a person to a shift; immutable for the optimiser."""

    staff: Id
    shift: Id


class SicknessEpisode(_Record):
    """A person is sick on every date from ``first_day`` to ``last_day`` inclusive.

    Base-roster assignments starting on those dates are not worked; the slots they
    leave are open with cause ``sickness``. Keeping sickness apart from the base roster
    lets simulations start from the sickness-free roster without counting it twice.
    """

    staff: Id
    first_day: Day
    last_day: Day

    @field_validator("last_day")
    @classmethod
    def _not_before_first(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        first = info.data.get("first_day")
        if first is not None and value < first:
            raise ValueError(
                f"last day {value.isoformat()} is before first day {first.isoformat()}"
            )
        return value

    def covers(self, day: dt.date) -> bool:
        """Returns whether the person is sick on ``day``."""
        return self.first_day <= day <= self.last_day


# ---------------------------------------------------------------------------
# Costs, agency supply, rules
# ---------------------------------------------------------------------------


class OrtBand(_Record):
    """One band of an ORT (irregular-hours premium) table.

    Attributes
    ----------
    days
        Which local dates the band applies to: ``weekday`` (Mon-Fri), ``saturday``,
        ``sunday_holiday`` (Sundays and public holidays) or ``year_end_eve`` (24 and
        31 December).
    start, end
        Local wall-clock bounds; an end of 00:00 means 24:00.
    premium
        Premium as a fraction of the hourly wage (0.44 = 44 %). Where bands overlap,
        the highest premium counts.
    """

    days: Literal["weekday", "saturday", "sunday_holiday", "year_end_eve"]
    start: LocalTime
    end: LocalTime
    premium: float = Field(ge=0, le=2)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("start")
        if start is not None and value != dt.time(0, 0) and value <= start:
            raise ValueError(
                f"band end {value.strftime('%H:%M')} is not after start "
                f"{start.strftime('%H:%M')} (split bands that cross midnight)"
            )
        return value


def _b(days: str, start: str, end: str, premium: float) -> OrtBand:
    return OrtBand(
        days=days,  # type: ignore[arg-type]
        start=dt.time.fromisoformat(start),
        end=dt.time.fromisoformat(end),
        premium=premium,
    )


def ghz_ort_table(
    night: float = 0.44, saturday_night: float = 0.49
) -> tuple[OrtBand, ...]:
    """Returns the CAO GHZ ORT table [S23]; hospitals use higher night rates [S26]."""
    return (
        _b("weekday", "00:00", "06:00", night),
        _b("weekday", "06:00", "07:00", 0.22),
        _b("weekday", "20:00", "22:00", 0.22),
        _b("weekday", "22:00", "00:00", night),
        _b("saturday", "00:00", "06:00", saturday_night),
        _b("saturday", "06:00", "08:00", 0.38),
        _b("saturday", "12:00", "22:00", 0.38),
        _b("saturday", "22:00", "00:00", saturday_night),
        _b("sunday_holiday", "00:00", "00:00", 0.60),
        _b("year_end_eve", "18:00", "00:00", 0.60),
    )


def default_ort_tables() -> dict[Sector, tuple[OrtBand, ...]]:
    """Returns the default ORT table per sector (`shared/domain.md` §2.2).

    GHZ and GGZ use the CAO GHZ table; VVT and home care use it too, flagged as
    unverified in the brief; hospitals use the CAO Ziekenhuizen night rates.
    """
    ghz = ghz_ort_table()
    return {
        Sector.VVT: ghz,
        Sector.GHZ: ghz,
        Sector.GGZ: ghz,
        Sector.HOME_CARE: ghz,
        Sector.HOSPITAL: ghz_ort_table(night=0.47, saturday_night=0.52),
    }


def default_hourly_wages() -> dict[Level, float]:
    """Returns employer cost per hour by level, 2024 level (`shared/domain.md` §7.5.3)."""
    return {
        Level.N1: 27.0,
        Level.N2: 29.0,
        Level.N3: 33.0,
        Level.N4: 39.0,
        Level.N5: 42.0,
        Level.N6: 45.0,
    }


class Costs(_Record):
    """Cost parameters of the region (`shared/domain.md` §7.5).

    Attributes
    ----------
    hourly_wage
        Employer cost per paid hour by level, on-costs included, before ORT.
    ort
        ORT table per sector.
    agency_factor
        Agency/zzp hour cost as a multiple of the employee hourly wage.
    agency_vat
        VAT rate charged on agency hours (0.21, or 0 where none applies).
    lending_vat_factor
        Cost factor when a person works for an organisation other than the employer:
        1.21 with VAT on lending, 1.0 under a VAT-free structural construction.
    travel_cost_per_km
        Travel allowance per km, paid for the return trip.
    detour_factor
        Road distance as a multiple of the straight-line distance.
    """

    hourly_wage: dict[Level, Annotated[float, Field(gt=0, le=MAX_WAGE)]] = Field(
        default_factory=default_hourly_wages,
        description=f"Employer cost per paid hour by level, EUR (0 to {MAX_WAGE:g}).",
    )
    ort: dict[Sector, tuple[OrtBand, ...]] = Field(default_factory=default_ort_tables)
    agency_factor: float = Field(
        default=1.5,
        ge=1,
        le=10,
        description="Agency hour cost as a multiple of the hourly wage (1 to 10).",
    )
    agency_vat: float = Field(
        default=0.21, ge=0, le=1, description="VAT rate on agency hours (0 to 1)."
    )
    lending_vat_factor: float = Field(
        default=1.21,
        ge=1,
        le=2,
        description="Cost factor of work for another organisation (1 to 2).",
    )
    travel_cost_per_km: float = Field(
        default=0.23,
        ge=0,
        le=10,
        description="Travel allowance per km, EUR, paid both ways (0 to 10).",
    )
    detour_factor: float = Field(
        default=1.3,
        ge=1,
        le=3,
        description="Road distance over straight-line distance (1 to 3).",
    )


class AgencySupply(_Record):
    """How many agency/zzp people of a level can be booked for shifts starting on a date.

    Supply is finite: without a limit nothing would ever stay uncovered.
    """

    date: Day
    level: Level
    count: int = Field(ge=0, le=10_000, description="People bookable (0 to 10,000).")


def default_night_exemption_ages() -> dict[Sector, int]:
    """Returns the CAO age from which nights are not rostered unless opted in (H12)."""
    return {
        Sector.VVT: 55,
        Sector.HOME_CARE: 55,
        Sector.GHZ: 57,
        Sector.HOSPITAL: 57,
        Sector.GGZ: 57,
    }


SERIES_REST_HOURS = 32.0
"""H8: the rest that ends a series of shifts (ATW art. 5:5 as practitioners read it)."""

WEEKLY_REST_14D_HOURS = 72.0
"""H8 with ``weekly_rest_period="14d"``: rest needed in each 14 x 24 h period."""

WEEKLY_REST_BLOCK_HOURS = 32.0
"""H8 with ``weekly_rest_period="14d"``: the shortest rest that counts towards it."""


class LabourRules(_Record):
    """Parameters of the hard rules H1-H18 (`shared/domain.md` §7.4).

    Legal (ATW) limits are floors: the bounds below reject any setting that is laxer
    than the law, so a region file can make a rule stricter (a CAO) but never looser.

    Attributes
    ----------
    max_shift_hours, cao_max_shift_hours
        H2: legal shift maximum, and the CAO maximum (VVT, GHZ).
    max_night_shift_hours
        H3.
    min_rest_hours, rest_after_night_hours, rest_after_night_series_hours,
    night_series_length
        H4-H6.
    max_consecutive_shifts_with_night
        H7.
    weekly_rest_hours, weekly_rest_period
        H8, as practitioners read ATW art. 5:5: a *series* is one or more shifts
        that ends with at least `SERIES_REST_HOURS` of rest, and the period from the
        first moment of work of each series must hold the weekly rest. ``"7d"``
        (default): the 7 x 24 h period holds ``weekly_rest_hours`` of uninterrupted
        rest. ``"14d"`` (the ATW alternative): the 14 x 24 h period holds at least
        `WEEKLY_REST_14D_HOURS` of rest in blocks of at least
        `WEEKLY_REST_BLOCK_HOURS`. Rest after the last known shift counts.
    max_week_hours, max_avg_hours_4w, max_avg_hours_16w, max_avg_hours_16w_night_workers
        H9 and H11.
    max_nights_16w, night_worker_threshold_16w
        H10 and H11.
    night_exemption_age
        H12, per sector.
    min_free_sundays_52w
        ATW: at least this many free Sundays per 52 weeks.
    max_weekends_per_4w
        CAO free-weekends rule, soft.
    evening_min_hours
        Hours in 20:00-24:00 that make a shift an evening shift.
    hours_above_desired
        CONSENT: paid hours a week with a new shift may hold above the person's
        desired hours (default 0: people are planned only up to what they offered;
        those who could help beyond it are listed to ask, not planned).
    """

    max_shift_hours: float = Field(default=12.0, gt=0, le=12)
    cao_max_shift_hours: float = Field(default=10.0, gt=0, le=12)
    max_night_shift_hours: float = Field(default=10.0, gt=0, le=12)
    min_rest_hours: float = Field(default=11.0, ge=11, le=24)
    rest_after_night_hours: float = Field(default=14.0, ge=14, le=48)
    rest_after_night_series_hours: float = Field(default=46.0, ge=46, le=96)
    night_series_length: int = Field(default=3, ge=1, le=3)
    max_consecutive_shifts_with_night: int = Field(default=7, ge=1, le=7)
    weekly_rest_hours: float = Field(default=36.0, ge=36, le=96)
    weekly_rest_period: Literal["7d", "14d"] = "7d"
    max_week_hours: float = Field(default=60.0, gt=0, le=60)
    max_avg_hours_4w: float = Field(default=55.0, gt=0, le=55)
    max_avg_hours_16w: float = Field(default=48.0, gt=0, le=48)
    max_avg_hours_16w_night_workers: float = Field(default=40.0, gt=0, le=40)
    max_nights_16w: int = Field(default=36, ge=0, le=36)
    night_worker_threshold_16w: int = Field(default=16, ge=1, le=16)
    night_exemption_age: dict[Sector, Annotated[int, Field(ge=15, le=80)]] = Field(
        default_factory=default_night_exemption_ages
    )
    min_free_sundays_52w: int = Field(default=13, ge=13, le=52)
    max_weekends_per_4w: int = Field(default=2, ge=0, le=4)
    evening_min_hours: float = Field(default=1.0, gt=0, le=4)
    hours_above_desired: float = Field(default=0.0, ge=0, le=60)


# ---------------------------------------------------------------------------
# Derived records (not part of the file)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenSlot:
    """One unit of demand that the base roster leaves open: the optimiser's work.

    Attributes
    ----------
    shift
        Shift id.
    requirement
        Index of the requirement in the shift's ``requirements``.
    level, competence
        What the person filling it must have.
    cause
        Why it is open: a sick person's shift, or never planned (vacancy).
    """

    shift: str
    requirement: int
    level: Level
    competence: str | None
    cause: GapCause


# ---------------------------------------------------------------------------
# Region
# ---------------------------------------------------------------------------


class Region(_Record):
    """A regional care-capacity instance: who works where, what is needed, what it costs.

    See the module docstring for the conventions. All cross-references are validated
    by `_check_references`, which reports every problem found at once.
    """

    format_version: Literal["1.0"] = FORMAT_VERSION
    name: str = Field(min_length=1)
    horizon: Horizon
    holidays: tuple[Holiday, ...] = ()
    organisations: tuple[Organisation, ...] = Field(min_length=1)
    locations: tuple[Location, ...] = Field(min_length=1)
    wards: tuple[Ward, ...] = Field(min_length=1)
    shift_templates: tuple[ShiftTemplate, ...] = Field(min_length=1)
    shifts: tuple[Shift, ...] = ()
    staff: tuple[Staff, ...] = ()
    base_roster: tuple[FixedAssignment, ...] = ()
    sickness: tuple[SicknessEpisode, ...] = ()
    agency_supply: tuple[AgencySupply, ...] = ()
    costs: Costs = Costs()
    rules: LabourRules = LabourRules()

    @model_validator(mode="after")
    def _check_references(self) -> Region:
        problems = _RegionChecker(self).run()
        if problems:
            raise ValueError(
                f"{len(problems)} problem(s) in the region:\n" + "\n".join(problems)
            )
        return self

    # -- lookups ------------------------------------------------------------

    @cached_property
    def organisation_by_id(self) -> dict[str, Organisation]:
        """Returns the organisations by id."""
        return {org.id: org for org in self.organisations}

    @cached_property
    def location_by_id(self) -> dict[str, Location]:
        """Returns the locations by id."""
        return {loc.id: loc for loc in self.locations}

    @cached_property
    def ward_by_id(self) -> dict[str, Ward]:
        """Returns the wards by id."""
        return {ward.id: ward for ward in self.wards}

    @cached_property
    def template_by_id(self) -> dict[str, ShiftTemplate]:
        """Returns the shift templates by id."""
        return {template.id: template for template in self.shift_templates}

    @cached_property
    def shift_by_id(self) -> dict[str, Shift]:
        """Returns the shifts by id."""
        return {shift.id: shift for shift in self.shifts}

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        """Returns the staff by id."""
        return {person.id: person for person in self.staff}

    def ward_organisation(self, ward_id: str) -> Organisation:
        """Returns the organisation that runs a ward."""
        location = self.location_by_id[self.ward_by_id[ward_id].location]
        return self.organisation_by_id[location.organisation]

    # -- derived timing and demand --------------------------------------------

    @cached_property
    def holiday_dates(self) -> frozenset[dt.date]:
        """Returns the public-holiday dates of the region."""
        return frozenset(holiday.date for holiday in self.holidays)

    @cached_property
    def shift_classes(self) -> dict[str, ShiftClass]:
        """Returns the timing and ANW flags of every shift, by shift id."""
        evening_minutes = round(self.rules.evening_min_hours * 60)
        # Many shifts share a template and a date: classify each pair once.
        memo: dict[tuple[dt.date, str], ShiftClass] = {}
        classes = {}
        for shift in self.shifts:
            key = (shift.date, shift.template)
            if key not in memo:
                template = self.template_by_id[shift.template]
                start, end = self.shift_intervals[shift.id]
                memo[key] = classify_shift(
                    start,
                    end,
                    template.unpaid_break_minutes,
                    self.holiday_dates,
                    evening_minutes,
                )
            classes[shift.id] = memo[key]
        return classes

    @cached_property
    def shift_intervals(self) -> dict[str, tuple[dt.datetime, dt.datetime]]:
        """Returns the UTC start and end of every shift, by shift id."""
        memo: dict[tuple[dt.date, str], tuple[dt.datetime, dt.datetime]] = {}
        intervals = {}
        for shift in self.shifts:
            key = (shift.date, shift.template)
            if key not in memo:
                template = self.template_by_id[shift.template]
                memo[key] = shift_interval(shift.date, template.start, template.end)
            intervals[shift.id] = memo[key]
        return intervals

    @cached_property
    def worked_roster(self) -> tuple[FixedAssignment, ...]:
        """Returns the base roster less the assignments lost to sickness."""
        episodes = defaultdict(list)
        for episode in self.sickness:
            episodes[episode.staff].append(episode)
        return tuple(
            assignment
            for assignment in self.base_roster
            if not any(
                episode.covers(self.shift_by_id[assignment.shift].date)
                for episode in episodes.get(assignment.staff, ())
            )
        )

    @cached_property
    def _sick_shifts(self) -> frozenset[str]:
        worked = set(self.worked_roster)
        return frozenset(a.shift for a in self.base_roster if a not in worked)

    @cached_property
    def open_slots(self) -> tuple[OpenSlot, ...]:
        """Returns the demand left open by the worked base roster, with its cause.

        Base-roster people are matched to a shift's requirement units by maximum
        bipartite matching (level, the ward's over-qualification rule, competence).
        Units left open in the sickness-free roster are vacancies; units open only
        once sick people are removed are sickness gaps.
        """
        # The sickness-free matching is the one behind base_roster_requirements.
        planned = {
            shift.id: [r.count for r in shift.requirements] for shift in self.shifts
        }
        for (_, shift_id), requirement in self.base_roster_requirements.items():
            planned[shift_id][requirement] -= 1
        worked = (
            planned
            if len(self.worked_roster) == len(self.base_roster)
            else _open_counts(
                self, self.worked_roster, reuse=planned, changed=self._sick_shifts
            )
        )
        slots = []
        for shift in self.shifts:
            for index, requirement in enumerate(shift.requirements):
                open_now = worked[shift.id][index]
                sick = max(0, open_now - planned[shift.id][index])
                causes = [GapCause.SICKNESS] * sick + [GapCause.VACANCY] * (
                    open_now - sick
                )
                slots.extend(
                    OpenSlot(
                        shift=shift.id,
                        requirement=index,
                        level=requirement.level,
                        competence=requirement.competence,
                        cause=cause,
                    )
                    for cause in causes
                )
        return tuple(slots)

    @cached_property
    def base_roster_requirements(self) -> dict[tuple[str, str], int]:
        """Returns the requirement index each base-roster assignment covers.

        Keys are (staff id, shift id); an assignment that covers no unit (the shift
        is over-staffed) is absent. The matching is the one behind `open_slots`, so a
        sick person's assignment opens exactly this requirement.
        """
        people_on = defaultdict(list)
        for assignment in self.base_roster:
            people_on[assignment.shift].append(self.staff_by_id[assignment.staff])
        covered = {}
        for shift in self.shifts:
            people = people_on.get(shift.id, [])
            units = _shift_units(shift)
            for person_pos, unit in _match_units(self, shift, units, people).items():
                covered[(people[person_pos].id, shift.id)] = units[unit]
        return covered

    def can_fill(self, person: Staff, shift: Shift, requirement: Requirement) -> bool:
        """Returns whether a person's level and competences meet a requirement.

        Only the qualification rule (H13) is checked here; availability and labour law
        are the kernels' business.
        """
        allow_higher = self.ward_by_id[shift.ward].allow_higher_level
        level_ok = (
            person.level.rank >= requirement.level.rank
            if allow_higher
            else person.level == requirement.level
        )
        return level_ok and (
            requirement.competence is None
            or requirement.competence in person.competences
        )

    def replace(self, **changes: Any) -> Region:
        """Returns a copy with ``changes`` applied, validated again.

        pydantic's ``model_copy(update=...)`` does not validate; this does.
        """
        return Region.model_validate({**self.model_dump(), **changes})

    def summary(self) -> str:
        """Returns a short human-readable summary (no personal data)."""
        by_employment = Counter(person.employment.value for person in self.staff)
        by_sector = Counter(org.sector.value for org in self.organisations)
        open_by_class = Counter(
            self.shift_classes[slot.shift].anw_class.value for slot in self.open_slots
        )
        demand = sum(
            requirement.count
            for shift in self.shifts
            for requirement in shift.requirements
        )
        lines = [
            f"Region {self.name!r} (format {self.format_version})",
            f"  horizon      {self.horizon.start.isoformat()} .. "
            f"{self.horizon.last_day.isoformat()} ({self.horizon.weeks} week(s), "
            f"{self.horizon.timezone})",
            f"  organisations {len(self.organisations)} "
            + "("
            + ", ".join(f"{k} {v}" for k, v in sorted(by_sector.items()))
            + ")",
            f"  locations    {len(self.locations)}, wards {len(self.wards)}",
            f"  staff        {len(self.staff)} "
            + "("
            + ", ".join(f"{k} {v}" for k, v in sorted(by_employment.items()))
            + ")",
            f"  shifts       {len(self.shifts)}, demand {demand} slot(s), "
            f"base roster {len(self.base_roster)}, sick episodes {len(self.sickness)}",
            f"  open slots   {len(self.open_slots)} "
            + "("
            + ", ".join(f"{k} {v}" for k, v in sorted(open_by_class.items()))
            + ")",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _open_counts(
    region: Region,
    roster: tuple[FixedAssignment, ...],
    reuse: dict[str, list[int]] | None = None,
    changed: frozenset[str] = frozenset(),
) -> dict[str, list[int]]:
    """Returns, per shift, the open units per requirement after matching ``roster``.

    With ``reuse``, only the shifts in ``changed`` are matched again.
    """
    people_on = defaultdict(list)
    for assignment in roster:
        people_on[assignment.shift].append(region.staff_by_id[assignment.staff])
    counts = {}
    for shift in region.shifts:
        if reuse is not None and shift.id not in changed:
            counts[shift.id] = reuse[shift.id]
            continue
        units = _shift_units(shift)
        matched = _match_units(region, shift, units, people_on.get(shift.id, []))
        open_per_requirement = [requirement.count for requirement in shift.requirements]
        for unit in matched.values():
            open_per_requirement[units[unit]] -= 1
        counts[shift.id] = open_per_requirement
    return counts


def _shift_units(shift: Shift) -> list[int]:
    """Returns one requirement index per unit of demand, scarcest requirements first."""
    return [
        index
        for index, requirement in sorted(
            enumerate(shift.requirements),
            key=lambda item: (-item[1].level.rank, item[1].competence is None),
        )
        for _ in range(requirement.count)
    ]


def _match_units(
    region: Region, shift: Shift, units: list[int], people: list[Staff]
) -> dict[int, int]:
    """Returns person position -> unit position of a maximum bipartite matching (Kuhn)."""
    if not people:
        return {}
    fits = [
        [
            person_idx
            for person_idx, person in enumerate(people)
            if region.can_fill(person, shift, shift.requirements[requirement])
        ]
        for requirement in units
    ]
    # Matched from the units' side: person position -> unit position.
    return {person: unit for unit, person in maximum_matching(fits).items()}


def maximum_matching(fits: list[list[int]]) -> dict[int, int]:
    """Returns a maximum bipartite matching, left index -> right index (Kuhn).

    ``fits[i]`` lists the right-hand indices that left index ``i`` may be matched to.
    Left indices are tried in order, so earlier ones are matched first when several
    maximum matchings exist; the sizes here (people on one shift) are tiny.
    """
    left_of_right: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in fits[left]:
            if right in seen:
                continue
            seen.add(right)
            holder = left_of_right.get(right)
            if holder is None or augment(holder, seen):
                left_of_right[right] = left
                return True
        return False

    for left in range(len(fits)):
        augment(left, set())
    return {left: right for right, left in left_of_right.items()}


class _RegionChecker:
    """Collects every cross-reference problem of a region, each naming record and field."""

    def __init__(self, region: Region):
        self.region = region
        self.problems: list[str] = []
        self.times_ok = False
        self._intervals: dict[tuple[dt.date, str], tuple[dt.datetime, dt.datetime]] = {}

    def _interval(self, shift: Shift) -> tuple[dt.datetime, dt.datetime]:
        key = (shift.date, shift.template)
        if key not in self._intervals:
            template = self.region.template_by_id[shift.template]
            self._intervals[key] = shift_interval(
                shift.date, template.start, template.end
            )
        return self._intervals[key]

    def add(self, path: str, record_id: str | None, field: str, message: str) -> None:
        who = f" (id {record_id!r})" if record_id is not None else ""
        self.problems.append(f"{path}{who}.{field}: {message}")

    def run(self) -> list[str]:
        self._unique_ids()
        ids = self._ids()
        self._references(ids)
        self._times()
        self._template_lengths()
        self._staff(ids)
        self._base_roster(ids)
        self._costs()
        return self.problems

    def _unique_ids(self) -> None:
        r = self.region
        for field, records in (
            ("organisations", r.organisations),
            ("locations", r.locations),
            ("wards", r.wards),
            ("shift_templates", r.shift_templates),
            ("shifts", r.shifts),
            ("staff", r.staff),
        ):
            seen: dict[str, int] = {}
            for idx, record in enumerate(records):
                if record.id in seen:
                    self.add(
                        f"{field}[{idx}]",
                        record.id,
                        "id",
                        f"duplicate id (first used by {field}[{seen[record.id]}])",
                    )
                else:
                    seen[record.id] = idx

    def _ids(self) -> dict[str, set[str]]:
        r = self.region
        return {
            "organisation": {o.id for o in r.organisations},
            "location": {loc.id for loc in r.locations},
            "ward": {w.id for w in r.wards},
            "template": {t.id for t in r.shift_templates},
            "shift": {s.id for s in r.shifts},
            "staff": {p.id for p in r.staff},
        }

    def _references(self, ids: dict[str, set[str]]) -> None:
        r = self.region
        for idx, loc in enumerate(r.locations):
            if loc.organisation not in ids["organisation"]:
                self.add(
                    f"locations[{idx}]",
                    loc.id,
                    "organisation",
                    f"unknown organisation {loc.organisation!r}",
                )
        for idx, ward in enumerate(r.wards):
            if ward.location not in ids["location"]:
                self.add(
                    f"wards[{idx}]",
                    ward.id,
                    "location",
                    f"unknown location {ward.location!r}",
                )
        for idx, shift in enumerate(r.shifts):
            if shift.ward not in ids["ward"]:
                self.add(
                    f"shifts[{idx}]", shift.id, "ward", f"unknown ward {shift.ward!r}"
                )
            if shift.template not in ids["template"]:
                self.add(
                    f"shifts[{idx}]",
                    shift.id,
                    "template",
                    f"unknown shift template {shift.template!r}",
                )
            if not r.horizon.contains(shift.date):
                self.add(
                    f"shifts[{idx}]",
                    shift.id,
                    "date",
                    f"{shift.date.isoformat()} is outside the horizon "
                    f"{r.horizon.start.isoformat()}..{r.horizon.last_day.isoformat()}",
                )
        for idx, episode in enumerate(r.sickness):
            if episode.staff not in ids["staff"]:
                self.add(
                    f"sickness[{idx}]",
                    None,
                    "staff",
                    f"unknown staff {episode.staff!r}",
                )
        for idx, supply in enumerate(r.agency_supply):
            if not r.horizon.contains(supply.date):
                self.add(
                    f"agency_supply[{idx}]",
                    None,
                    "date",
                    f"{supply.date.isoformat()} is outside the horizon",
                )
        for idx, holiday in enumerate(r.holidays):
            if holiday.date in {h.date for h in r.holidays[:idx]}:
                self.add(f"holidays[{idx}]", None, "date", "duplicate holiday date")

    def _times(self) -> None:
        r = self.region
        max_minutes = r.rules.max_shift_hours * 60
        for idx, template in enumerate(r.shift_templates):
            start, end = _template_clock_span(template)
            if end - start > max_minutes:
                self.add(
                    f"shift_templates[{idx}]",
                    template.id,
                    "end",
                    f"shift lasts {(end - start) / 60:g} h, longer than the legal "
                    f"maximum of {r.rules.max_shift_hours:g} h (ATW)",
                )
            if template.unpaid_break_minutes >= end - start:
                self.add(
                    f"shift_templates[{idx}]",
                    template.id,
                    "unpaid_break_minutes",
                    "the unpaid break is as long as the shift",
                )
        checked: dict[tuple[dt.date, str], str | None] = {}
        for idx, shift in enumerate(r.shifts):
            template = r.template_by_id.get(shift.template)
            if template is None:
                continue
            key = (shift.date, shift.template)
            if key not in checked:
                try:
                    shift_interval(shift.date, template.start, template.end)
                    checked[key] = None
                except NonexistentLocalTime as error:
                    checked[key] = str(error)
            if checked[key] is not None:
                self.add(f"shifts[{idx}]", shift.id, "template", checked[key])
        self.times_ok = not any(checked.values())

    def _template_lengths(self) -> None:
        """H3 and the CAO maximum (H2) on templates: a template longer than a limit
        that applies where its shifts are breaks it on every date (the legal H2 is
        checked in `_times`; one that breaks a rule only across a clock change is a
        warning, `shift_length_breaks`)."""
        r = self.region
        used_at: dict[str, dict[str, Organisation]] = defaultdict(dict)
        for shift in r.shifts:
            ward = r.ward_by_id.get(shift.ward)
            location = r.location_by_id.get(ward.location) if ward else None
            org = r.organisation_by_id.get(location.organisation) if location else None
            if org is not None:
                used_at[shift.template].setdefault(org.id, org)
        legal = round(r.rules.max_shift_hours * 60)
        night_limit = round(r.rules.max_night_shift_hours * 60)
        for idx, template in enumerate(r.shift_templates):
            orgs = list(used_at.get(template.id, {}).values())
            if not orgs:
                continue
            elapsed, is_night = _nominal_length(template)
            if elapsed > legal:
                continue  # reported by _times
            why = "nobody may work it on any date, agency staff included"
            if is_night and elapsed > night_limit:
                self.add(
                    f"shift_templates[{idx}]",
                    template.id,
                    "end",
                    f"a night shift of {elapsed / 60:g} h, longer than the night "
                    f"maximum of {night_limit / 60:g} h (H3, ATW): {why}",
                )
            capped = [
                org
                for org in orgs
                if elapsed > shift_limit_minutes(r.rules, org.sector)
            ]
            if capped:
                names = ", ".join(f"{org.id!r} ({org.sector.value})" for org in capped)
                limit = shift_limit_minutes(r.rules, capped[0].sector)
                self.add(
                    f"shift_templates[{idx}]",
                    template.id,
                    "end",
                    f"shift lasts {elapsed / 60:g} h, longer than the CAO maximum of "
                    f"{limit / 60:g} h (H2) at organisation(s) {names} whose wards "
                    f"use it: {why}",
                )

    def _staff(self, ids: dict[str, set[str]]) -> None:
        r = self.region
        for idx, person in enumerate(r.staff):
            path = f"staff[{idx}]"
            if person.organisation is not None:
                if person.organisation not in ids["organisation"]:
                    self.add(
                        path,
                        person.id,
                        "organisation",
                        f"unknown organisation {person.organisation!r}",
                    )
            elif person.employment is not Employment.AGENCY:
                self.add(
                    path,
                    person.id,
                    "organisation",
                    f"required for employment {person.employment.value!r}",
                )
            if person.ward is not None:
                if person.ward not in ids["ward"]:
                    self.add(path, person.id, "ward", f"unknown ward {person.ward!r}")
                elif (
                    person.organisation in ids["organisation"]
                    and (ward_org := self._ward_organisation_id(person.ward, ids))
                    is not None
                    and ward_org != person.organisation
                ):
                    self.add(
                        path,
                        person.id,
                        "ward",
                        f"ward {person.ward!r} belongs to organisation "
                        f"{ward_org!r}, not to the employer {person.organisation!r}",
                    )
            elif person.employment is Employment.EMPLOYEE:
                self.add(path, person.id, "ward", "required for employment 'employee'")
            for location in person.inducted_locations:
                if location not in ids["location"]:
                    self.add(
                        path,
                        person.id,
                        "inducted_locations",
                        f"unknown location {location!r}",
                    )
            self._carry_in(path, person)

    def _ward_organisation_id(
        self, ward_id: str, ids: dict[str, set[str]]
    ) -> str | None:
        """Returns the organisation running a ward; None where the chain is broken.

        A ward naming an unknown location, or a location naming an unknown
        organisation, is reported by `_references`; it must not raise here.
        """
        location_id = self.region.ward_by_id[ward_id].location
        if location_id not in ids["location"]:
            return None
        organisation_id = self.region.location_by_id[location_id].organisation
        return organisation_id if organisation_id in ids["organisation"] else None

    def _carry_in(self, path: str, person: Staff) -> None:
        horizon_start = self.region.horizon.start_instant
        shifts = sorted(
            (to_utc(s.start), to_utc(s.end)) for s in person.history.recent_shifts
        )
        for start, _ in shifts:
            if start >= horizon_start:
                self.add(
                    path,
                    person.id,
                    "history.recent_shifts",
                    f"shift starting {start.isoformat()} is not before the horizon",
                )
        for (_, prev_end), (next_start, _) in itertools.pairwise(shifts):
            if next_start < prev_end:
                self.add(
                    path,
                    person.id,
                    "history.recent_shifts",
                    f"shifts overlap at {next_start.isoformat()}",
                )

    def _base_roster(self, ids: dict[str, set[str]]) -> None:
        r = self.region
        seen: set[tuple[str, str]] = set()
        intervals = defaultdict(list)
        unavailable: dict[str, list[tuple[dt.datetime, dt.datetime, Interval]]] = {}
        for idx, assignment in enumerate(r.base_roster):
            path = f"base_roster[{idx}]"
            who = f"{assignment.staff}@{assignment.shift}"
            known = True
            if assignment.staff not in ids["staff"]:
                self.add(path, who, "staff", f"unknown staff {assignment.staff!r}")
                known = False
            if assignment.shift not in ids["shift"]:
                self.add(path, who, "shift", f"unknown shift {assignment.shift!r}")
                known = False
            if not known:
                continue
            if (assignment.staff, assignment.shift) in seen:
                self.add(path, who, "shift", "the same person is assigned twice")
                continue
            seen.add((assignment.staff, assignment.shift))
            shift = r.shift_by_id[assignment.shift]
            person = r.staff_by_id[assignment.staff]
            # A shift on an unknown ward is reported already; can_fill needs the ward.
            if shift.ward in ids["ward"] and not any(
                r.can_fill(person, shift, req) for req in shift.requirements
            ):
                self.add(
                    path,
                    who,
                    "staff",
                    f"level {person.level.value} and competences "
                    f"{list(person.competences)} meet no requirement of the shift",
                )
            if not self.times_ok or shift.template not in ids["template"]:
                continue
            start, end = self._interval(shift)
            intervals[assignment.staff].append((start, end, idx, assignment.shift))
            if assignment.staff not in unavailable:
                unavailable[assignment.staff] = [
                    (to_utc(w.start), to_utc(w.end), w) for w in person.unavailability
                ]
            for window_start, window_end, window in unavailable[assignment.staff]:
                if window_start < end and start < window_end:
                    self.add(
                        path,
                        who,
                        "shift",
                        "overlaps the person's unavailability "
                        f"{window.start.isoformat()}..{window.end.isoformat()}",
                    )
        for staff_id, spans in intervals.items():
            spans.sort()
            for (_, prev_end, _, prev_shift), (
                start,
                _,
                idx,
                shift_id,
            ) in itertools.pairwise(spans):
                if start < prev_end:
                    self.add(
                        f"base_roster[{idx}]",
                        f"{staff_id}@{shift_id}",
                        "shift",
                        f"overlaps the same person's shift {prev_shift!r}",
                    )

    def _costs(self) -> None:
        r = self.region
        used = {p.level for p in r.staff} | {
            req.level for s in r.shifts for req in s.requirements
        }
        for level in sorted(used - set(r.costs.hourly_wage), key=lambda lv: lv.rank):
            self.add("costs", None, "hourly_wage", f"no wage for level {level.value}")
        sectors = {org.sector for org in r.organisations}
        for sector in sorted(sectors - set(r.costs.ort)):
            self.add("costs", None, "ort", f"no ORT table for sector {sector.value!r}")
        for sector in sorted(sectors - set(r.rules.night_exemption_age)):
            self.add(
                "rules",
                None,
                "night_exemption_age",
                f"no night-exemption age for sector {sector.value!r}",
            )


def _template_clock_span(template: ShiftTemplate) -> tuple[int, int]:
    """Returns nominal start/end minutes of a template (end may pass midnight)."""
    start = template.start.hour * 60 + template.start.minute
    end = template.end.hour * 60 + template.end.minute
    if end <= start:
        end += 24 * 60
    return start, end


CAO_SHIFT_LIMIT_SECTORS = frozenset({Sector.VVT, Sector.HOME_CARE, Sector.GHZ})
"""Sectors whose CAO caps a shift at ``cao_max_shift_hours`` (H2 policy, VVT and GHZ;
home care works under the VVT CAO)."""

_NOMINAL_DAY = dt.date(2026, 1, 5)
"""A Monday far from any clock change: a template's length on a normal day."""


def shift_limit_minutes(rules: LabourRules, sector: Sector) -> int:
    """Returns the longest elapsed time of a shift at an organisation of ``sector``
    (H2): the ATW maximum, or the CAO maximum where that is lower and applies."""
    legal = round(rules.max_shift_hours * 60)
    if sector in CAO_SHIFT_LIMIT_SECTORS:
        return min(legal, round(rules.cao_max_shift_hours * 60))
    return legal


def _nominal_length(template: ShiftTemplate) -> tuple[int, bool]:
    """Returns a template's elapsed minutes on a normal day, and whether it is a night
    (ATW definition, `carecap.anw.classify_shift`)."""
    start, end = shift_interval(_NOMINAL_DAY, template.start, template.end)
    cls = classify_shift(start, end, 0, frozenset())
    return cls.elapsed_minutes, cls.is_night


@dataclass(frozen=True)
class ShiftLengthBreak:
    """A shift whose elapsed length breaks a length rule: nobody may work it.

    Attributes
    ----------
    shift, date
        The shift and its start date.
    rule
        ``'H2'`` (the legal or the CAO shift maximum) or ``'H3'`` (night maximum).
    limit_name
        ``'legal maximum'``, ``'CAO maximum'`` or ``'night maximum'``.
    elapsed_minutes, limit_minutes
        The shift's elapsed time and the limit it breaks.
    """

    shift: str
    date: dt.date
    rule: str
    limit_name: str
    elapsed_minutes: int
    limit_minutes: int

    def __str__(self) -> str:
        return (
            f"shift {self.shift!r} on {self.date.isoformat()} lasts "
            f"{self.elapsed_minutes / 60:g} h, above the {self.limit_name} of "
            f"{self.limit_minutes / 60:g} h ({self.rule}): nobody may work it, agency "
            "staff included, so it stays uncovered"
        )


def shift_length_breaks(region: Region) -> tuple[ShiftLengthBreak, ...]:
    """Returns every length rule each shift of a region breaks by its elapsed time.

    A valid region has no template that breaks a length rule on every date, so what
    is left are shifts across a clock change: a 22:00-08:00 night lasts 11 h on 25
    October. The rules and limits are those of the compiled ``shift_max_minutes``
    and ``max_night_shift_minutes`` (H2, H3), which the solver and the evaluator
    apply to people and agency bookings alike.

    Parameters
    ----------
    region
        A validated region.

    Returns
    -------
    tuple of ShiftLengthBreak
        In shift order; H2 before H3 for a shift that breaks both.
    """
    rules = region.rules
    legal = round(rules.max_shift_hours * 60)
    night_limit = round(rules.max_night_shift_hours * 60)
    found = []
    for shift in region.shifts:
        cls = region.shift_classes[shift.id]
        elapsed = cls.elapsed_minutes
        limit = shift_limit_minutes(rules, region.ward_organisation(shift.ward).sector)
        if elapsed > limit:
            name = "legal maximum" if limit == legal else "CAO maximum"
            found.append(
                ShiftLengthBreak(shift.id, shift.date, "H2", name, elapsed, limit)
            )
        if cls.is_night and elapsed > night_limit:
            found.append(
                ShiftLengthBreak(
                    shift.id, shift.date, "H3", "night maximum", elapsed, night_limit
                )
            )
    return tuple(found)

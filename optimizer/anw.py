"""ANW classification of a shift, derived from its times (`shared/domain.md` §7.3).

A shift's ANW class is never typed in: it follows from the local wall-clock times, the
region's public holidays and one threshold. The flags are kept next to the primary
class because the labour-law checks (night rules) and the fairness metrics use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from .clock import TZ, band_overlap_minutes, minutes_between

NIGHT_BAND = (time(0, 0), time(6, 0))
"""ATW night band: a shift with more than 60 minutes worked in it is a night shift."""

NIGHT_MIN_MINUTES = 60
"""More than this many minutes inside the night band make a shift a night shift (ATW)."""

NIGHT_END_THRESHOLD = time(2, 0)
"""A night shift ending after this local time triggers 14 h rest and counts to the cap."""

EVENING_BAND = (time(20, 0), time(0, 0))
"""Evening band 20:00-24:00, where the ORT evening premium starts ([S23])."""

YEAR_END_EVE_START = time(18, 0)
"""24 and 31 December count as holiday from 18:00 (ORT table, [S23])."""


class AnwClass(StrEnum):
    """Primary class of a shift; precedence holiday > night > weekend > evening > day."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"

    @property
    def is_anw(self) -> bool:
        """Returns whether this class is an ANW (evening, night, weekend) class."""
        return self is not AnwClass.DAY


@dataclass(frozen=True, slots=True)
class ShiftClass:
    """Timing and ANW flags of one shift instance.

    Attributes
    ----------
    start, end
        UTC instants.
    elapsed_minutes
        Real minutes from start to end (UTC), right across the daylight-saving switch.
    paid_minutes
        Elapsed minutes less the unpaid break: the "worked" and "paid" time of the
        glossary. ATW limits, contract hours and wages all count these.
    night_minutes
        Real minutes inside the local 00:00-06:00 band.
    is_night, ends_after_0200, is_holiday, is_weekend, is_evening
        The flags of `shared/domain.md` §7.3.
    anw_class
        The primary class.
    """

    start: datetime
    end: datetime
    elapsed_minutes: int
    paid_minutes: int
    night_minutes: int
    is_night: bool
    ends_after_0200: bool
    is_holiday: bool
    is_weekend: bool
    is_evening: bool
    anw_class: AnwClass


def classify_shift(
    start: datetime,
    end: datetime,
    unpaid_break_minutes: int,
    holidays: frozenset[date] | set[date],
    evening_min_minutes: int = 60,
) -> ShiftClass:
    """Returns the timing and ANW flags of a shift.

    Parameters
    ----------
    start, end
        Aware instants of the shift.
    unpaid_break_minutes
        Unpaid break inside the shift.
    holidays
        Local dates that are public holidays in the region.
    evening_min_minutes
        Minutes in 20:00-24:00 that make a non-night shift an evening shift.

    Returns
    -------
    ShiftClass
        The derived timing and flags.
    """
    elapsed = minutes_between(start, end)
    night_minutes = band_overlap_minutes(start, end, *NIGHT_BAND)
    is_night = night_minutes > NIGHT_MIN_MINUTES
    local_end = end.astimezone(TZ)
    ends_after_0200 = is_night and local_end.time() > NIGHT_END_THRESHOLD

    holiday_minutes = band_overlap_minutes(
        start, end, time(0, 0), time(0, 0), on_day=lambda day: day in holidays
    ) + band_overlap_minutes(
        start,
        end,
        YEAR_END_EVE_START,
        time(0, 0),
        on_day=lambda day: day.month == 12 and day.day in (24, 31),
    )
    is_holiday = holiday_minutes >= 60
    is_weekend = start.astimezone(TZ).weekday() >= 5
    evening_minutes = band_overlap_minutes(start, end, *EVENING_BAND)
    is_evening = evening_minutes >= evening_min_minutes and not is_night

    if is_holiday:
        anw_class = AnwClass.HOLIDAY
    elif is_night:
        anw_class = AnwClass.NIGHT
    elif is_weekend:
        anw_class = AnwClass.WEEKEND
    elif is_evening:
        anw_class = AnwClass.EVENING
    else:
        anw_class = AnwClass.DAY

    return ShiftClass(
        start=start,
        end=end,
        elapsed_minutes=elapsed,
        paid_minutes=elapsed - unpaid_break_minutes,
        night_minutes=night_minutes,
        is_night=is_night,
        ends_after_0200=ends_after_0200,
        is_holiday=is_holiday,
        is_weekend=is_weekend,
        is_evening=is_evening,
        anw_class=anw_class,
    )

"""Local wall-clock time in Europe/Amsterdam, and the time bands carecap counts in.

Every rule of the domain brief (`shared/domain.md` §7.1) is written against one of two clocks:

* *elapsed time* is measured in UTC, so a 23:00-07:15 night lasts 9 h 15 min in the
  night the clocks go back and 7 h 15 min in the night they go forward;
* *time bands* (the ATW night band 00:00-06:00, the ORT premium bands, the 20:00 evening
  threshold) are read off the local wall clock.

This module is the single place where local times become instants, so that everything
downstream (domain model, compile step, kernels) sees one consistent timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TIMEZONE_NAME = "Europe/Amsterdam"
"""The only time zone carecap plans in: every Dutch care region lives in it."""

TZ = ZoneInfo(TIMEZONE_NAME)

MIDNIGHT = time(0, 0)


class NonexistentLocalTime(ValueError):
    """A wall-clock time that the clocks skip when summer time starts."""


def local_instant(day: date, clock: time) -> datetime:
    """Returns the UTC instant of wall-clock ``clock`` on ``day`` in Europe/Amsterdam.

    Parameters
    ----------
    day
        Local calendar date.
    clock
        Local wall-clock time on that date.

    Returns
    -------
    datetime
        Timezone-aware instant in UTC.

    Raises
    ------
    NonexistentLocalTime
        If the time falls in the hour skipped when summer time starts (e.g. 02:30 on
        the last Sunday of March). In the hour repeated in October the first
        occurrence is taken.
    """
    local = datetime.combine(day, clock, tzinfo=TZ)
    instant = local.astimezone(UTC)
    if instant.astimezone(TZ).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(
            f"{day.isoformat()} {clock.strftime('%H:%M')} does not exist in "
            f"{TIMEZONE_NAME} (the clocks skip that hour)"
        )
    return instant


def to_utc(moment: datetime) -> datetime:
    """Returns ``moment`` as an aware UTC datetime; naive values are read as local time.

    Parameters
    ----------
    moment
        An aware datetime, or a naive one meaning Europe/Amsterdam wall-clock time.

    Returns
    -------
    datetime
        Timezone-aware instant in UTC.
    """
    if moment.tzinfo is None:
        return local_instant(moment.date(), moment.time())
    return moment.astimezone(UTC)


def shift_interval(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Returns the UTC start and end of a shift that starts at ``start`` on ``day``.

    A shift whose end clock time is not after its start clock time ends on the next
    day (it crosses midnight).

    Parameters
    ----------
    day
        Local date on which the shift starts.
    start, end
        Local wall-clock start and end times.

    Returns
    -------
    tuple of datetime
        The UTC start and end instants.
    """
    end_day = day + timedelta(days=1) if end <= start else day
    return local_instant(day, start), local_instant(end_day, end)


def minutes_between(start: datetime, end: datetime) -> int:
    """Returns the whole minutes from ``start`` to ``end`` (aware datetimes)."""
    return round((end - start).total_seconds() / 60)


def local_dates(start: datetime, end: datetime) -> list[date]:
    """Returns every local calendar date that the interval [start, end) touches."""
    first = start.astimezone(TZ).date()
    last = (end - timedelta(microseconds=1)).astimezone(TZ).date()
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def band_overlap_minutes(
    start: datetime,
    end: datetime,
    band_start: time,
    band_end: time,
    on_day: Callable[[date], bool] | None = None,
) -> int:
    """Returns the real minutes of [start, end) that fall in a daily local time band.

    The band runs from ``band_start`` to ``band_end`` wall-clock time on each local
    date; ``band_end`` of 00:00 means the end of that day (24:00). Bands that cross
    midnight are given as two bands. Minutes are real (UTC) minutes, so the band
    00:00-06:00 holds 7 h in the night the clocks go back.

    Parameters
    ----------
    start, end
        Aware datetimes bounding the interval.
    band_start, band_end
        Local wall-clock bounds of the band.
    on_day
        If given, only bands on local dates for which it returns True count.

    Returns
    -------
    int
        Minutes of overlap.
    """
    total = 0
    for day in local_dates(start, end):
        if on_day is not None and not on_day(day):
            continue
        lo = _band_edge(day, band_start)
        hi = (
            _band_edge(day + timedelta(days=1), MIDNIGHT)
            if band_end == MIDNIGHT
            else (_band_edge(day, band_end))
        )
        overlap = min(end, hi) - max(start, lo)
        if overlap > timedelta(0):
            total += round(overlap.total_seconds() / 60)
    return total


def _band_edge(day: date, clock: time) -> datetime:
    """Returns the instant of a band edge, moving a skipped clock time to the jump."""
    try:
        return local_instant(day, clock)
    except NonexistentLocalTime:
        # A band edge inside the skipped hour starts where the clock resumes.
        return local_instant(day, time(clock.hour + 1, 0))


def iter_dates(first: date, last: date) -> Iterable[date]:
    """Yields every date from ``first`` to ``last`` inclusive."""
    for k in range((last - first).days + 1):
        yield first + timedelta(days=k)

"""Tests of local time in Europe/Amsterdam: DST-correct durations, bands, holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from carecap.anw import NIGHT_BAND, classify_shift
from carecap.clock import (
    UTC,
    NonexistentLocalTime,
    band_overlap_minutes,
    local_instant,
    minutes_between,
    shift_interval,
    to_utc,
)
from carecap.holidays import dutch_public_holidays, holidays_between

T = dt.time.fromisoformat
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "minutes"),
    [
        pytest.param("2026-03-28", 435, id="spring-forward-7h15"),
        pytest.param("2026-10-24", 555, id="fall-back-9h15"),
        pytest.param("2026-03-21", 495, id="ordinary-8h15"),
    ],
)
def test_night_lasts_real_elapsed_time(day, minutes):
    """Tests that a 23:00-07:15 night lasts its real (UTC) length across a DST switch."""
    start, end = shift_interval(D(day), T("23:00"), T("07:15"))
    assert minutes_between(start, end) == minutes
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("day", "start", "end", "unpaid", "paid"),
    [
        ("2026-03-28", "23:00", "07:15", 0, 435),
        ("2026-10-24", "23:00", "07:15", 30, 525),
        ("2026-03-24", "07:00", "15:30", 30, 480),
        ("2026-03-24", "15:00", "23:00", 30, 450),
    ],
)
def test_paid_minutes_subtract_the_unpaid_break(day, start, end, unpaid, paid):
    """Tests that paid minutes are elapsed minutes less the unpaid break."""
    begin, finish = shift_interval(D(day), T(start), T(end))
    cls = classify_shift(begin, finish, unpaid, set())
    assert cls.elapsed_minutes - unpaid == cls.paid_minutes == paid


@pytest.mark.parametrize("clock", ["02:00", "02:30", "02:59"])
def test_skipped_spring_hour_does_not_exist(clock):
    """Tests that local_instant raises NonexistentLocalTime in the skipped DST hour."""
    with pytest.raises(NonexistentLocalTime, match="2026-03-29"):
        local_instant(D("2026-03-29"), T(clock))


def test_nonexistent_local_time_is_a_value_error():
    """Tests that NonexistentLocalTime is a ValueError (so validators report it)."""
    assert issubclass(NonexistentLocalTime, ValueError)


def test_repeated_autumn_hour_takes_the_first_occurrence():
    """Tests that 02:30 on the October switch day maps to the first (summer-time) 02:30."""
    assert local_instant(D("2026-10-25"), T("02:30")) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_naive_datetimes_are_read_as_local_time():
    """Tests that to_utc reads a naive datetime as Amsterdam wall-clock time."""
    assert to_utc(dt.datetime(2026, 7, 1, 12, 0)) == dt.datetime(
        2026, 7, 1, 10, 0, tzinfo=UTC
    )
    assert to_utc(dt.datetime(2026, 1, 1, 12, 0)) == dt.datetime(
        2026, 1, 1, 11, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "minutes"),
    [
        pytest.param("2026-10-24", 420, id="fall-back-band-holds-7h"),
        pytest.param("2026-03-28", 300, id="spring-forward-band-holds-5h"),
        pytest.param("2026-03-21", 360, id="ordinary-band-holds-6h"),
    ],
)
def test_night_band_overlap_counts_real_minutes(day, minutes):
    """Tests that the 00:00-06:00 band overlap of a 23:00-07:00 night is in real minutes."""
    start, end = shift_interval(D(day), T("23:00"), T("07:00"))
    assert band_overlap_minutes(start, end, *NIGHT_BAND) == minutes


def test_band_overlap_honours_the_day_filter():
    """Tests that on_day limits a band to the chosen local dates."""
    start, end = shift_interval(D("2026-03-23"), T("23:00"), T("07:00"))
    only_tuesday = band_overlap_minutes(
        start, end, T("00:00"), T("00:00"), on_day=lambda day: day == D("2026-03-24")
    )
    assert only_tuesday == 7 * 60


@pytest.mark.parametrize(
    ("year", "day", "name"),
    [
        (2026, "2026-01-01", "Nieuwjaarsdag"),
        (2026, "2026-04-05", "Eerste Paasdag"),
        (2026, "2026-04-06", "Tweede Paasdag"),
        (2026, "2026-04-27", "Koningsdag"),
        (2026, "2026-05-05", "Bevrijdingsdag"),
        (2026, "2026-05-14", "Hemelvaartsdag"),
        (2026, "2026-05-24", "Eerste Pinksterdag"),
        (2026, "2026-05-25", "Tweede Pinksterdag"),
        (2026, "2026-12-25", "Eerste Kerstdag"),
        (2026, "2026-12-26", "Tweede Kerstdag"),
        (2025, "2025-04-26", "Koningsdag"),
    ],
)
def test_dutch_public_holidays(year, day, name):
    """Tests that each Dutch public holiday falls on its date (King's Day 2025 moves)."""
    assert dutch_public_holidays(year)[D(day)] == name


def test_holidays_2026_are_exactly_the_ten():
    """Tests that 2026 has exactly the ten CAO holidays and no others."""
    assert len(dutch_public_holidays(2026)) == 10
    assert len(dutch_public_holidays(2026, liberation_day=False)) == 9


@pytest.mark.parametrize(
    "day",
    [
        pytest.param("2026-04-03", id="good-friday-2026"),
        pytest.param("2025-04-18", id="good-friday-2025"),
        pytest.param("2025-04-27", id="sunday-kings-day-moved"),
    ],
)
def test_not_a_holiday(day):
    """Tests that Good Friday and a Sunday 27 April are no holidays."""
    assert D(day) not in dutch_public_holidays(D(day).year)


def test_holidays_between_spans_years():
    """Tests that holidays_between collects holidays across a year boundary."""
    found = holidays_between(D("2025-12-20"), D("2026-01-10"))
    assert list(found) == [D("2025-12-25"), D("2025-12-26"), D("2026-01-01")]

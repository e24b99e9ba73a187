"""Tests of the ANW classification of `shared/domain.md` §7.3, example by example."""

from __future__ import annotations

import datetime as dt

import pytest
from carecap.anw import AnwClass, classify_shift
from carecap.clock import shift_interval
from carecap.holidays import dutch_public_holidays

HOLIDAYS_2026 = frozenset(dutch_public_holidays(2026))


def classify(day: str, start: str, end: str, unpaid: int = 0, holidays=HOLIDAYS_2026):
    """Returns the ShiftClass of a shift from local date and wall-clock times."""
    begin, finish = shift_interval(
        dt.date.fromisoformat(day),
        dt.time.fromisoformat(start),
        dt.time.fromisoformat(end),
    )
    return classify_shift(begin, finish, unpaid, holidays)


@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        pytest.param(
            "2026-03-24", "15:00", "23:00", AnwClass.EVENING, id="late-weekday-evening"
        ),
        pytest.param(
            "2026-03-24", "17:00", "21:00", AnwClass.EVENING, id="1h-in-band-evening"
        ),
        pytest.param("2026-03-24", "07:30", "16:00", AnwClass.DAY, id="day"),
        pytest.param(
            "2026-03-24", "16:00", "20:59", AnwClass.DAY, id="59min-in-band-day"
        ),
        pytest.param(
            "2026-03-24", "23:00", "07:15", AnwClass.NIGHT, id="weekday-night"
        ),
        pytest.param(
            "2026-03-28", "07:00", "15:30", AnwClass.WEEKEND, id="saturday-early"
        ),
        pytest.param(
            "2026-03-29", "15:00", "23:00", AnwClass.WEEKEND, id="sunday-late"
        ),
        pytest.param(
            "2026-03-27",
            "23:00",
            "07:15",
            AnwClass.NIGHT,
            id="friday-night-not-weekend",
        ),
        pytest.param(
            "2026-03-28", "23:00", "07:15", AnwClass.NIGHT, id="saturday-night"
        ),
        pytest.param(
            "2026-12-25", "07:00", "15:30", AnwClass.HOLIDAY, id="christmas-day"
        ),
        pytest.param(
            "2026-12-24",
            "15:00",
            "23:00",
            AnwClass.HOLIDAY,
            id="christmas-eve-after-18",
        ),
        pytest.param(
            "2026-12-24", "07:00", "15:30", AnwClass.DAY, id="christmas-eve-morning"
        ),
        pytest.param(
            "2026-12-31", "17:00", "19:00", AnwClass.HOLIDAY, id="new-years-eve-1h"
        ),
        pytest.param(
            "2026-12-24", "23:00", "07:15", AnwClass.HOLIDAY, id="night-into-christmas"
        ),
        pytest.param(
            "2026-04-27", "23:30", "07:00", AnwClass.NIGHT, id="30min-on-holiday-night"
        ),
        pytest.param("2026-04-27", "15:00", "23:00", AnwClass.HOLIDAY, id="kings-day"),
        pytest.param(
            "2026-04-03", "07:00", "15:30", AnwClass.DAY, id="good-friday-day"
        ),
    ],
)
def test_primary_class(day, start, end, expected):
    """Tests that each example shift gets the primary class of §7.3."""
    cls = classify(day, start, end)
    assert cls.anw_class is expected
    assert cls.anw_class.is_anw is (expected is not AnwClass.DAY)


def test_weekday_night_flags():
    """Tests that a 23:00-07:15 weekday night is a night ending after 02:00."""
    cls = classify("2026-03-24", "23:00", "07:15")
    assert cls.is_night and cls.ends_after_0200
    assert not cls.is_evening and not cls.is_weekend and not cls.is_holiday
    assert cls.night_minutes == 360


def test_friday_night_is_not_a_weekend_shift():
    """Tests that a night starting Friday 23:00 is a night but not a weekend shift."""
    cls = classify("2026-03-27", "23:00", "07:15")
    assert cls.is_night and not cls.is_weekend


def test_evening_to_early_night_is_a_night_not_ending_after_0200():
    """Tests that a 20:00-01:30 shift is a night (90 min in band) not ending after 02:00."""
    cls = classify("2026-03-24", "20:00", "01:30")
    assert cls.night_minutes == 90
    assert cls.is_night and not cls.ends_after_0200
    assert not cls.is_evening
    assert cls.anw_class is AnwClass.NIGHT


def test_exactly_60_night_minutes_is_not_a_night():
    """Tests that exactly 60 minutes in 00:00-06:00 do not make a night (more than 60)."""
    cls = classify("2026-03-24", "19:00", "01:00")
    assert cls.night_minutes == 60
    assert not cls.is_night and cls.is_evening


def test_christmas_eve_late_is_holiday_via_the_1800_rule():
    """Tests that 24 Dec 15:00-23:00 is holiday only through the 18:00 year-end rule."""
    assert dt.date(2026, 12, 24) not in HOLIDAYS_2026
    cls = classify("2026-12-24", "15:00", "23:00")
    assert cls.is_holiday and cls.is_evening


def test_holiday_needs_the_region_calendar():
    """Tests that 25 Dec counts as holiday only when the region lists it."""
    assert (
        classify("2026-12-25", "07:00", "15:30", holidays=frozenset()).anw_class
        is AnwClass.DAY
    )


def test_evening_threshold_is_configurable():
    """Tests that evening_min_minutes moves the evening threshold."""
    begin, finish = shift_interval(dt.date(2026, 3, 24), dt.time(17), dt.time(21))
    assert classify_shift(begin, finish, 0, set(), evening_min_minutes=60).is_evening
    assert not classify_shift(
        begin, finish, 0, set(), evening_min_minutes=120
    ).is_evening


def test_region_shift_classes_follow_the_rules(tiny_region):
    """Tests that the tiny region's shifts are classed day, evening, night, night."""
    classes = {k: v.anw_class for k, v in tiny_region.shift_classes.items()}
    assert classes == {
        "S1": AnwClass.DAY,
        "S2": AnwClass.EVENING,
        "S3": AnwClass.NIGHT,
        "S4": AnwClass.NIGHT,
    }
    assert tiny_region.shift_classes["S4"].elapsed_minutes == 435

"""Tests of the roster evaluator: hand-made rule cases, KPIs and the reference checker.

Most cases edit the tiny region of `tests.helpers` (one week from Monday 2026-03-23,
which ends with the spring daylight-saving switch) and give new assignments as
``(staff id or AGENCY, shift id)`` pairs; each pair takes the first free open slot of
its shift. Every hand-made case is checked against `tests.reference_rules` too.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from carecap.anw import AnwClass
from carecap.compile import ANW_CODES, EMPLOYMENT_CODES, compile_region
from carecap.domain import Employment
from carecap.instances import generate_region
from carecap.kernels import evaluate as evaluate_module
from carecap.kernels.evaluate import (
    AGENCY,
    ANW_CLASSES,
    FAIRNESS_GROUPS,
    RULE_IDS,
    SLOT_AGENCY,
    SLOT_FILLED,
    SLOT_UNCOVERED,
    UNCOVERED,
    _fairness,
    evaluate_roster,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import move_region_data, parse, record, tiny_region_data
from tests.reference_rules import check_roster

REFERENCE_RULES = frozenset(RULE_IDS) - {"SUPPLY"}
"""Rules the reference checker covers (agency supply is the evaluator's alone)."""

AGREEMENT_SEEDS = (1, 2, 3, 4)
"""Generated S regions of the agreement test."""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _roster(region, compiled, new) -> np.ndarray:
    roster = np.full(len(region.open_slots), UNCOVERED, dtype=np.int64)
    for who, shift_id in new:
        slot = next(
            k
            for k, s in enumerate(region.open_slots)
            if s.shift == shift_id and roster[k] == UNCOVERED
        )
        roster[slot] = AGENCY if who == AGENCY else compiled.staff_index[who]
    return roster


def _evaluate(region, new=()):
    compiled = compile_region(region)
    return compiled, evaluate_roster(compiled, _roster(region, compiled, new))


def _pairs(violations) -> set[tuple[str, str | None]]:
    return {(v.rule, v.staff) for v in violations}


def _reference(region, new) -> set[tuple[str, str | None]]:
    worked = [(a.staff, a.shift) for a in region.worked_roster]
    named = [(who, shift) for who, shift in new if who != AGENCY]
    return _pairs(check_roster(region, worked + named))


def _assert_rules(data, new, expected, consent=False):
    """Asserts the evaluator's and the reference's (rule, staff) pairs; returns both.

    Without ``consent`` the CONSENT pairs are left out on both sides: most cases
    give new shifts to whoever shows their own rule best (an agency worker, an
    employee who wants no more hours), which CONSENT forbids as well; the CONSENT
    cases and the random-roster agreement tests check that rule.
    """
    region = parse(data)
    compiled, evaluation = _evaluate(region, new)

    def shown(pairs):
        return {p for p in pairs if consent or p[0] != "CONSENT"}

    assert shown(_pairs(evaluation.violations)) == set(expected)
    assert shown(_reference(region, new)) == {
        p for p in expected if p[0] in REFERENCE_RULES
    }
    return compiled, evaluation


def _add_shift(data, shift_id, ward, day, template, level, competence=None, count=1):
    requirement = {"level": level, "count": count}
    if competence:
        requirement["competence"] = competence
    data["shifts"].append(
        {
            "id": shift_id,
            "ward": ward,
            "date": day,
            "template": template,
            "requirements": [requirement],
        }
    )


def _past(day: str, start: str, end_day: str, end: str, unpaid: int = 0) -> dict:
    return {
        "start": f"{day}T{start}:00",
        "end": f"{end_day}T{end}:00",
        "unpaid_break_minutes": unpaid,
    }


def _past_nights(*days: str) -> list[dict]:
    """Returns 23:00-07:15 carry-in nights starting on ``days`` (March 2026)."""
    return [
        _past(f"2026-03-{d}", "23:00", f"2026-03-{int(d) + 1:02d}", "07:15")
        for d in days
    ]


def _past_earlies(*days: str) -> list[dict]:
    """Returns 07:00-15:30 carry-in early shifts on ``days`` (March 2026)."""
    return [_past(f"2026-03-{d}", "07:00", f"2026-03-{d}", "15:30", 30) for d in days]


def _staff(data, staff_id: str) -> dict:
    return record(data, "staff", staff_id)


# ---------------------------------------------------------------------------
# The bundled example
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(example_region):
    """The bundled example, compiled and evaluated with every open slot uncovered."""
    compiled = compile_region(example_region)
    roster = np.full(len(example_region.open_slots), UNCOVERED, dtype=np.int64)
    return compiled, evaluate_roster(compiled, roster)


def test_example_worked_roster_is_clean(example):
    """Tests that the example's worked roster with all slots uncovered breaks no rule."""
    _, evaluation = example
    assert evaluation.is_clean()
    assert evaluation.violations == ()
    assert evaluation.violation_rule.shape == (0,)


def test_example_slot_kpis(example, example_region):
    """Tests that uncovered hours by ANW class are the open slots' paid hours."""
    _, evaluation = example
    classes = example_region.shift_classes
    expected = np.zeros(len(ANW_CLASSES), dtype=np.int64)
    for slot in example_region.open_slots:
        cls = classes[slot.shift]
        expected[ANW_CODES[cls.anw_class]] += cls.paid_minutes
    np.testing.assert_array_equal(
        evaluation.minutes_by_status[SLOT_UNCOVERED], expected
    )
    assert evaluation.hours(SLOT_UNCOVERED) == expected.sum() / 60
    assert evaluation.num_uncovered == len(example_region.open_slots) > 0
    assert evaluation.num_filled == evaluation.num_agency == 0
    assert evaluation.minutes_by_status[[SLOT_FILLED, SLOT_AGENCY]].sum() == 0
    assert evaluation.wage_cost == evaluation.travel_cost == evaluation.agency_cost == 0


def test_example_person_kpis(example, example_region):
    """Tests per-person minutes, counts and runs against a loop over the worked roster."""
    _, evaluation = example
    classes = example_region.shift_classes
    weeks = example_region.horizon.weeks
    for k, person in enumerate(example_region.staff):
        mine = [
            classes[a.shift]
            for a in example_region.worked_roster
            if a.staff == person.id
        ]
        paid = sum(c.paid_minutes for c in mine)
        assert evaluation.staff_horizon_minutes[k] == paid
        assert evaluation.staff_new_minutes[k] == 0
        contract = round(person.contract_hours * 60) * weeks
        assert evaluation.staff_beyond_contract_minutes[k] == max(0, paid - contract)
        assert evaluation.staff_anw_shifts[k] == sum(c.anw_class.is_anw for c in mine)
        assert evaluation.staff_anw_minutes[k] == sum(
            c.paid_minutes for c in mine if c.anw_class.is_anw
        )
        assert evaluation.staff_night_shifts[k] == sum(c.is_night for c in mine)
        assert evaluation.staff_weekend_shifts[k] == sum(c.is_weekend for c in mine)
        days = sorted(
            {
                example_region.shift_by_id[a.shift].date
                for a in example_region.worked_roster
                if a.staff == person.id
            }
        )
        longest, run = 0, 0
        for i, day in enumerate(days):
            run = run + 1 if i and day - days[i - 1] == dt.timedelta(days=1) else 1
            longest = max(longest, run)
        assert evaluation.staff_longest_run[k] == longest


def test_example_fairness(example, example_region):
    """Tests the ANW-share fairness per employment type against pairwise formulas."""
    _, evaluation = example
    for employment, group in EMPLOYMENT_CODES.items():
        shares = []
        for k, person in enumerate(example_region.staff):
            worked = evaluation.staff_horizon_minutes[k]
            if person.employment is employment and worked > 0:
                shares.append(evaluation.staff_anw_minutes[k] / worked)
        assert evaluation.fairness_count[group] == len(shares)
        if not shares or sum(shares) == 0:
            assert math.isnan(evaluation.fairness_gini[group])
            continue
        x = np.array(shares)
        gini = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
        assert evaluation.fairness_mean[group] == pytest.approx(x.mean())
        assert evaluation.fairness_max_over_mean[group] == pytest.approx(
            x.max() / x.mean()
        )
        assert evaluation.fairness_gini[group] == pytest.approx(gini)
    assert FAIRNESS_GROUPS[-1] == "part_time_extra"
    assert evaluation.fairness_count[-1] > 0  # every part-timer counts, extra or not
    assert math.isnan(evaluation.fairness_gini[-1])  # nobody got extra hours


def test_codes_match_the_compile_step():
    """Tests that the evaluator's copies of the compile step's codes are the same."""
    assert EMPLOYMENT_CODES[Employment.EMPLOYEE] == evaluate_module._EMPLOYEE
    assert EMPLOYMENT_CODES[Employment.AGENCY] == evaluate_module._AGENCY_EMPLOYMENT
    assert ANW_CODES[AnwClass.DAY] == evaluate_module._ANW_DAY
    assert tuple(c.value for c in sorted(ANW_CODES, key=ANW_CODES.get)) == ANW_CLASSES
    assert FAIRNESS_GROUPS[:3] == tuple(e.value for e in EMPLOYMENT_CODES)


def test_fairness_kernel_on_known_values():
    """Tests that Gini and max over mean are right on a hand-checked sample."""
    values = np.array([0.0, 0.0, 1.0, 1.0, 7.0])
    group = np.array([0, 0, 0, 0, -1], dtype=np.int64)
    count, mean, max_over_mean, gini = _fairness(values, group, 2)
    np.testing.assert_array_equal(count, [4, 0])
    assert mean[0] == 0.5
    assert max_over_mean[0] == 2.0
    assert gini[0] == 0.5
    assert math.isnan(mean[1]) and math.isnan(gini[1])


def test_summary_is_strict_json(example):
    """Tests that the summary serialises as strict JSON, with its headline KPIs."""
    _, evaluation = example
    summary = evaluation.summary()
    json.dumps(summary, allow_nan=False)
    assert summary["violations"] == 0
    assert summary["uncovered"] == evaluation.num_uncovered
    assert summary["uncovered_hours"] == evaluation.hours(SLOT_UNCOVERED)


# ---------------------------------------------------------------------------
# Hand-made cases on the tiny region
# ---------------------------------------------------------------------------


def test_tiny_legal_roster_is_clean_and_costed(tiny_data):
    """Tests that a legal roster is clean and its wage and agency costs follow the formulas."""
    new = [("P3", "S2"), (AGENCY, "S3"), ("P1", "S4")]
    compiled, evaluation = _assert_rules(tiny_data, new, set())
    arrays = compiled.arrays
    ort = {
        s: arrays.shift_ort_minutes[compiled.shift_index[s]] for s in ("S2", "S3", "S4")
    }
    assert all(value > 0 for value in ort.values())
    # P3: pool member of ORG-V, N4, at the hospital (another organisation).
    p3 = (450 + ort["S2"]) / 60 * 39 * 1.21
    # P1: own employee, N3, at the home ward.
    p1 = (435 + ort["S4"]) / 60 * 33
    agency = (495 + ort["S3"]) / 60 * 33 * 1.5 * 1.21
    np.testing.assert_allclose(evaluation.slot_wage_cost, [0, p3, 0, p1])
    np.testing.assert_allclose(evaluation.slot_agency_cost, [0, 0, agency, 0])
    assert evaluation.travel_cost == 0  # nobody in the tiny region has a home position
    np.testing.assert_array_equal(
        evaluation.slot_status, [SLOT_UNCOVERED, SLOT_FILLED, SLOT_AGENCY, SLOT_FILLED]
    )
    evening, night, day = ANW_CODES["evening"], ANW_CODES["night"], ANW_CODES["day"]
    assert evaluation.minutes_by_status[SLOT_FILLED, evening] == 450
    assert evaluation.minutes_by_status[SLOT_FILLED, night] == 435
    assert evaluation.minutes_by_status[SLOT_AGENCY, night] == 495
    assert evaluation.minutes_by_status[SLOT_UNCOVERED, day] == 480
    p1_idx, p3_idx = compiled.staff_index["P1"], compiled.staff_index["P3"]
    assert evaluation.staff_new_minutes[p1_idx] == 435
    assert evaluation.staff_horizon_minutes[p1_idx] == 480 + 435
    assert evaluation.staff_new_minutes[p3_idx] == 450
    assert evaluation.fairness_count[-1] == 2  # P1 and P2, employees under 36 h
    assert evaluation.fairness_max_over_mean[-1] == pytest.approx(2.0)


def test_dst_night_lasts_seven_and_a_quarter_hours(tiny_data):
    """Tests that the 23:00-07:15 night into the spring switch lasts 7 h 15.

    (A night limit of 8 h, which only this night would keep, makes the template
    break H3 on every other date: the region is rejected, see
    ``test_domain.py::test_template_that_breaks_a_length_rule_is_rejected``.)
    """
    compiled, evaluation = _assert_rules(tiny_data, [("P1", "S4"), ("P4", "S3")], set())
    s4, s3 = compiled.shift_index["S4"], compiled.shift_index["S3"]
    assert compiled.arrays.shift_end[s4] - compiled.arrays.shift_start[s4] == 435
    assert compiled.arrays.shift_end[s3] - compiled.arrays.shift_start[s3] == 495
    assert evaluation.staff_new_minutes[compiled.staff_index["P1"]] == 435


def test_autumn_night_is_longer_than_its_template(tiny_data):
    """Tests that the 8.25 h night into the autumn switch lasts 9.25 h: H2 at 9 h."""
    # S4 is now the night of 24-25 October.
    move_region_data(tiny_data, dt.date(2026, 10, 19))
    tiny_data["rules"] = {"max_shift_hours": 9, "cao_max_shift_hours": 9}
    compiled, evaluation = _assert_rules(
        tiny_data, [("P1", "S4"), ("P4", "S3")], {("H2", "P1")}
    )
    assert evaluation.staff_new_minutes[compiled.staff_index["P1"]] == 555
    assert evaluation.violations[0].detail == "shift lasts 9.25 h, limit 9 h"


@pytest.mark.parametrize(
    ("rules", "rule", "detail"),
    [
        (
            {"max_night_shift_hours": 9},
            "H3",
            "agency booking: night lasts 9.25 h, limit 9 h",
        ),
        (
            {"max_shift_hours": 9, "cao_max_shift_hours": 9},
            "H2",
            "agency booking: shift lasts 9.25 h, limit 9 h",
        ),
    ],
    ids=["H3", "H2"],
)
def test_agency_booking_on_a_shift_too_long_to_work_bug(tiny_data, rules, rule, detail):
    """Tests that H2 and H3 bind agency bookings too: agency on the 9.25 h autumn
    night is a violation against the slot, with no person (issue 26, item 3)."""
    # S4 is now the night of 24-25 October.
    move_region_data(tiny_data, dt.date(2026, 10, 19))
    tiny_data["rules"] = rules
    tiny_data["agency_supply"].append({"date": "2026-10-24", "level": "N3", "count": 1})
    region = parse(tiny_data)
    _, evaluation = _evaluate(region, [(AGENCY, "S4")])
    (violation,) = evaluation.violations
    assert (violation.rule, violation.staff, violation.shifts) == (rule, None, ("S4",))
    assert violation.detail == detail
    slot = next(k for k, s in enumerate(region.open_slots) if s.shift == "S4")
    assert evaluation.violation_slot.tolist() == [slot]
    assert evaluation.violation_staff.tolist() == [-1]
    # The same booking on the spring-switch night (7.25 h) is clean.
    spring = tiny_region_data()
    spring["rules"] = rules
    spring["agency_supply"].append({"date": "2026-03-28", "level": "N3", "count": 1})
    assert _evaluate(parse(spring), [(AGENCY, "S4")])[1].is_clean()


def test_night_crossing_midnight_overlaps_next_early(tiny_data):
    """Tests that a night into Thursday overlaps a Thursday early but starts on Wednesday."""
    _add_shift(tiny_data, "S5", "W-V", "2026-03-26", "T-E", "N3")
    compiled, evaluation = _assert_rules(
        tiny_data, [("P4", "S3"), ("P4", "S5")], {("H1", "P4"), ("H5", "P4")}
    )
    h1 = [k for k, v in enumerate(evaluation.violations) if v.rule == "H1"]
    assert len(h1) == 1  # the overlap only: the two shifts start on different days
    assert evaluation.violation_period[h1[0]] == -1
    assert evaluation.violation_value[h1[0]] == 15
    assert evaluation.staff_longest_run[compiled.staff_index["P4"]] == 2


def test_two_starts_on_one_day(tiny_data):
    """Tests that an early and a late on the same day break H1 twice and H4."""
    _add_shift(tiny_data, "S8", "W-V", "2026-03-23", "T-L", "N3")
    _, evaluation = _assert_rules(
        tiny_data, [("P4", "S1"), ("P4", "S8")], {("H1", "P4"), ("H4", "P4")}
    )
    details = sorted(v.detail for v in evaluation.violations if v.rule == "H1")
    assert details == ["2 shifts start on day 0", "shifts overlap by 30 min"]


@pytest.mark.parametrize(
    ("nights", "expected"),
    [(("20", "21", "22"), {("H6", "P3")}), (("21", "22"), set())],
    ids=["three-nights", "two-nights"],
)
def test_rest_after_a_night_series(tiny_data, nights, expected):
    """Tests that a Tuesday late 31.75 h after a carry-in series of 3 nights breaks H6."""
    _staff(tiny_data, "P3")["history"] = {"recent_shifts": _past_nights(*nights)}
    _, evaluation = _assert_rules(tiny_data, [("P3", "S2")], expected)
    if expected:
        (violation,) = evaluation.violations
        assert violation.detail == "31.75 h rest after 3 consecutive nights, need 46 h"
        assert violation.shifts[1] == "S2"
        assert violation.shifts[0].startswith("carry-in@")


@pytest.mark.parametrize("carry_in", [True, False], ids=["carry-in", "no-carry-in"])
def test_carry_in_night_forbids_an_early_monday(tiny_data, carry_in):
    """Tests that a carry-in Sunday night ending 06:00 Monday forbids a 07:00 start (H5)."""
    if carry_in:
        _staff(tiny_data, "P3")["history"] = {
            "recent_shifts": [_past("2026-03-22", "22:00", "2026-03-23", "06:00")]
        }
    expected = {("H5", "P3")} if carry_in else set()
    _, evaluation = _assert_rules(tiny_data, [("P3", "S1")], expected)
    if carry_in:
        assert evaluation.violation_value[0] == 60  # minutes of rest


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ([("P3", "S1"), ("P3", "S2")], {("H8", "P3")}),
        ([("P3", "S2")], set()),
    ],
    ids=["monday-breaks-it", "free-monday"],
)
def test_weekly_rest_window(tiny_data, new, expected):
    """Tests that five carry-in earlies and a Monday leave no 36 h rest in 7 x 24 h (H8)."""
    _staff(tiny_data, "P3")["history"] = {
        "recent_shifts": _past_earlies("18", "19", "20", "21", "22")
    }
    _, evaluation = _assert_rules(tiny_data, new, expected)
    # Windows anchored at the carry-in Wednesday and Thursday reach into the horizon.
    assert all(v.shifts[0].startswith("carry-in@") for v in evaluation.violations)


def _past_lates(*days: str) -> list[dict]:
    """Returns 15:00-23:00 carry-in late shifts on ``days`` (March 2026)."""
    return [_past(f"2026-03-{d}", "15:00", f"2026-03-{d}", "23:00", 30) for d in days]


@pytest.mark.parametrize(
    ("wednesday", "expected"),
    [(True, {("H8", "P3")}), (False, set())],
    ids=["series-from-wednesday", "series-from-thursday"],
)
def test_weekly_rest_period_starts_with_the_series(tiny_data, wednesday, expected):
    """Tests that H8's 7 x 24 h run from the first moment of work of a series.

    Carry-in lates Thursday to Sunday and a Monday late end a series at 23:00.
    With a carry-in early on Wednesday 07:00 the series, and its period, start
    then: up to Wednesday 07:00 only 32 h of rest follow. Windows anchored at
    shift ends (the earlier reading) accepted this roster. Without the Wednesday
    the period runs to Thursday 15:00 and holds 64 h.
    """
    earlies = _past_earlies("18") if wednesday else []
    _staff(tiny_data, "P3")["history"] = {
        "recent_shifts": earlies + _past_lates("19", "20", "21", "22")
    }
    _add_shift(tiny_data, "S9", "W-V", "2026-03-23", "T-L", "N3")
    _, evaluation = _assert_rules(tiny_data, [("P3", "S9")], expected)
    if expected:
        (violation,) = evaluation.violations
        assert violation.shifts[0].startswith("carry-in@")  # the series' first shift
        assert violation.detail == (
            "longest rest 32 h in the 7 x 24 h from the start of this series of "
            "shifts, need 36 h uninterrupted"
        )


@pytest.mark.parametrize(
    ("new", "expected"),
    [([("P3", "S2")], set()), ([("P3", "S1")], {("H8", "P3")})],
    ids=["after-the-period", "inside-the-period"],
)
def test_weekly_rest_broken_by_history_alone(tiny_data, new, expected):
    """Tests that a period broken by carry-in work is reported only with horizon work.

    Carry-in earlies on seven days from Monday 16 leave no 36 h rest in the period
    up to Monday 23 07:00: the history is given, so a Tuesday late after it is
    clean. Starting from Tuesday 17, a Monday early falls inside the period.
    """
    days = ["16", "17", "18", "19", "20", "21", "22"]
    if expected:
        days = days[1:]
    _staff(tiny_data, "P3")["history"] = {"recent_shifts": _past_earlies(*days)}
    _assert_rules(tiny_data, new, expected)


@pytest.mark.parametrize(
    ("earlies", "expected"),
    [(("16", "17", "18", "19", "20", "21"), set()), (("21",), set())],
    ids=["twelve-days", "one-day"],
)
def test_weekly_rest_over_14_days(tiny_data, earlies, expected):
    """Tests the 14 x 24 h alternative: 72 h of rest in blocks of at least 32 h.

    Earlies on twelve days in a row (carry-in Monday to Saturday, a horizon
    Monday to Saturday would follow) break the 7 x 24 h rule; here, six carry-in
    days and a Monday early leave 39.5 h then the open rest: enough for 14 x 24 h.
    """
    tiny_data["rules"] = {"weekly_rest_period": "14d"}
    _staff(tiny_data, "P3")["history"] = {"recent_shifts": _past_earlies(*earlies)}
    _add_shift(tiny_data, "S9", "W-V", "2026-03-23", "T-E", "N3")
    _assert_rules(tiny_data, [("P3", "S9")], expected)


@pytest.mark.parametrize(
    ("new", "expected"),
    [([("P3", "S9"), ("P3", "S2")], {("H8", "P3")}), ([("P3", "S9")], set())],
    ids=["tuesday-worked", "tuesday-free"],
)
def test_weekly_rest_over_14_days_counts_blocks_of_32_hours(tiny_data, new, expected):
    """Tests that with 14 x 24 h, rests shorter than 32 h do not count.

    Carry-in lates Wednesday 11 to Monday 16 and Wednesday 18 to Sunday 22, then
    a Monday late: the period from Wednesday 11 15:00 holds one block of 40 h
    (Monday 16 23:00 to Wednesday 18 15:00). A Tuesday late leaves 16 h after it,
    which does not count; with Tuesday free, the open rest adds 40 h.
    """
    tiny_data["rules"] = {"weekly_rest_period": "14d"}
    days = ["11", "12", "13", "14", "15", "16", "18", "19", "20", "21", "22"]
    _staff(tiny_data, "P3")["history"] = {"recent_shifts": _past_lates(*days)}
    _add_shift(tiny_data, "S9", "W-V", "2026-03-23", "T-L", "N3")
    _assert_rules(tiny_data, new, expected)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ([("P3", "S1"), ("P3", "S2"), ("P3", "S6")], {("H7", "P3")}),
        ([("P3", "S1"), ("P3", "S2")], set()),
    ],
    ids=["with-night", "without-night"],
)
def test_consecutive_days_with_a_night(tiny_data, new, expected):
    """Tests that three days in a row with a night break a 2-day H7 limit."""
    tiny_data["rules"] = {"max_consecutive_shifts_with_night": 2}
    _add_shift(tiny_data, "S6", "W-V", "2026-03-25", "T-N", "N3")
    _assert_rules(tiny_data, new, expected)


@pytest.mark.parametrize(
    ("who", "update", "expected"),
    [
        ("P2", {}, {("CONSENT", "P2")}),  # desired = contract: offered nothing
        ("P2", {"extra_shifts_opt_in": True, "desired_hours": 36}, set()),
        ("P1", {}, set()),  # wants 28 h, works 8 h fixed + 8.25 h new
        ("P3", {}, set()),  # flex pool
    ],
    ids=["employee-without-wish", "opted-in", "wants-more", "pool"],
)
def test_new_shifts_go_to_people_who_offered_them(tiny_data, who, update, expected):
    """Tests CONSENT (a): a new shift only for the flex pool, employees who want more
    hours than their contract, and employees who opted in."""
    _staff(tiny_data, who).update(update)
    _add_shift(tiny_data, "S7", "W-V", "2026-03-27", "T-N", "N3")
    _staff(tiny_data, who)["inducted_locations"] = ["LOC-V", "LOC-H"]
    _, evaluation = _assert_rules(tiny_data, [(who, "S7")], expected, consent=True)
    if expected:
        (violation,) = evaluation.violations
        assert violation.shifts == ("S7",)
        assert "offered none" in violation.detail


@pytest.mark.parametrize(
    ("allowance", "new", "expected"),
    [
        (0, [("P3", "S1")], set()),  # 8 h: at the 8 h offered
        (0, [("P3", "S1"), ("P3", "S2")], {("CONSENT", "P3")}),  # 15.5 h
        (8, [("P3", "S1"), ("P3", "S2")], set()),  # within 8 + 8 h
    ],
    ids=["at-desired", "above-desired", "within-the-allowance"],
)
def test_weeks_with_new_shifts_stay_within_the_hours_offered(
    tiny_data, allowance, new, expected
):
    """Tests CONSENT (b): a week holding a new shift, fixed work included, stays at
    most the desired hours plus the region's ``hours_above_desired``."""
    _staff(tiny_data, "P3").update(contract_hours=4, desired_hours=8, max_hours=32)
    tiny_data["rules"] = {"hours_above_desired": allowance}
    _, evaluation = _assert_rules(tiny_data, new, expected, consent=True)
    if expected:
        (violation,) = evaluation.violations
        assert violation.detail.startswith("15.5 h in week 0 with a new shift, above")


def test_fixed_work_above_the_offer_is_no_violation(tiny_data):
    """Tests that a week whose base roster alone is above the hours offered breaks
    nothing, and that a new shift in it does."""
    _staff(tiny_data, "P1").update(desired_hours=24, max_hours=40)  # = contract
    _staff(tiny_data, "P1")["extra_shifts_opt_in"] = True
    for day in ("2026-03-24", "2026-03-25", "2026-03-27"):
        shift_id = f"B{day[-2:]}"
        _add_shift(tiny_data, shift_id, "W-V", day, "T-E", "N3")
        tiny_data["base_roster"].append({"staff": "P1", "shift": shift_id})
    # P1 works S1 (8 h) and three more earlies: 32 h fixed against 24 h offered.
    _add_shift(tiny_data, "S8", "W-V", "2026-03-28", "T-E", "N3")
    _assert_rules(tiny_data, [], set(), consent=True)
    _assert_rules(tiny_data, [("P1", "S8")], {("CONSENT", "P1")}, consent=True)


@pytest.mark.parametrize(
    ("history", "new", "expected"),
    [
        ({"weekly_hours": [70, 70, 70]}, ["S1", "S2"], {("H9", "P3")}),
        ({"weekly_hours": [70, 70, 70]}, ["S2"], set()),
        ({"weekly_nights": [3] * 12}, ["S6"], {("H10", "P3")}),
        (
            {"weekly_nights": [2] * 8, "weekly_hours": [42] * 15},
            ["S1", "S2"],
            {("H11", "P3")},
        ),
        ({"weekly_nights": [2] * 8, "weekly_hours": [42] * 15}, ["S1"], set()),
    ],
    ids=[
        "4-week-hours",
        "4-week-hours-ok",
        "16-week-nights",
        "night-worker",
        "night-worker-ok",
    ],
)
def test_averaged_hours_and_nights(tiny_data, history, new, expected):
    """Tests the 4-week (H9), 16-week night (H10) and night-worker (H11) windows."""
    _add_shift(tiny_data, "S6", "W-V", "2026-03-25", "T-N", "N3")
    _staff(tiny_data, "P3")["history"] = history
    _assert_rules(tiny_data, [("P3", s) for s in new], expected)


def test_weekly_maximum(tiny_data):
    """Tests that 15.5 h in the week break an 8 h personal maximum (H16)."""
    _staff(tiny_data, "P3").update(contract_hours=8, desired_hours=8, max_hours=8)
    _, evaluation = _assert_rules(
        tiny_data, [("P3", "S1"), ("P3", "S2")], {("H16", "P3")}
    )
    assert (
        evaluation.violations[0].detail
        == "15.5 h in 1 week(s) ending week 0, limit 8 h"
    )


@pytest.mark.parametrize(
    ("opt_in", "expected"), [(False, {("H12", "P1")}), (True, set())]
)
def test_night_exemption_by_age(tiny_data, opt_in, expected):
    """Tests that a 60-year-old VVT employee gets no night unless opted in (H12)."""
    _staff(tiny_data, "P1").update(age=60, night_opt_in=opt_in)
    _, evaluation = _assert_rules(tiny_data, [("P1", "S4")], expected)
    assert all(
        "60" not in v.detail for v in evaluation.violations
    )  # no ages in details


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ([("P4", "S2")], {("H13", "P4")}),  # N3 on an N4 slot
        ([("P4", "S4")], {("H13", "P4")}),  # no dementia competence
        ([("P3", "S3")], {("H13", "P3")}),  # N4 where the ward wants exactly N3
        ([("P4", "S1")], set()),  # N3 on an N2 slot where higher levels may work
    ],
    ids=["level", "competence", "exact-level", "higher-allowed"],
)
def test_qualification(tiny_data, new, expected):
    """Tests level, exact-level and competence rules of the slot filled (H13)."""
    _assert_rules(tiny_data, new, expected)


def test_qualification_is_judged_on_the_slot(tiny_data):
    """Tests that H13 judges the slot filled, where the reference sees only the shift."""
    _add_shift(tiny_data, "S9", "W-H", "2026-03-27", "T-E", "N3")
    record(tiny_data, "shifts", "S9")["requirements"].append(
        {"level": "N4", "count": 1}
    )
    region = parse(tiny_data)
    # P3 (N4) in the N3 slot of an exact-level ward: the N4 slot of the shift would fit.
    _, evaluation = _evaluate(region, [("P3", "S9")])
    assert _pairs(evaluation.violations) == {("H13", "P3")}
    assert _reference(region, [("P3", "S9")]) == set()


@pytest.mark.parametrize(
    ("new", "expected"),
    [([("P2", "S1")], {("H14", "P2")}), ([("P4", "S1")], set())],
    ids=["employee", "agency-exempt"],
)
def test_induction(tiny_data, new, expected):
    """Tests that a hospital employee may not work at the VVT location (H14)."""
    _assert_rules(tiny_data, new, expected)


def test_unavailability_window(tiny_data):
    """Tests that a Saturday-night unavailability window forbids the Saturday night (H15)."""
    _staff(tiny_data, "P1")["unavailability"] = [
        {"start": "2026-03-28T20:00:00", "end": "2026-03-29T01:00:00"}
    ]
    _, evaluation = _assert_rules(tiny_data, [("P1", "S4")], {("H15", "P1")})
    assert evaluation.violations[0].detail == "unavailable during the shift"


def test_sick_person_cannot_fill_their_own_gap(tiny_data):
    """Tests that P2, sick on Tuesday, may not fill the Tuesday slot left open (H15)."""
    _assert_rules(tiny_data, [("P2", "S2")], {("H15", "P2")})


@pytest.mark.parametrize(
    ("who", "expected"),
    [("P3", {("H15", "P3")}), ("P4", set())],
    ids=["pool", "agency"],
)
def test_travel_limit(tiny_data, who, expected):
    """Tests that a home in Groningen is beyond a 30 km limit (H15); agency staff are exempt."""
    _staff(tiny_data, who).update(
        home={"latitude": 53.22, "longitude": 6.57}, max_travel_km=30
    )
    _, evaluation = _assert_rules(tiny_data, [(who, "S1")], expected)
    assert all(
        v.detail == "beyond the travel limit"
        for v in evaluation.violations
        if v.rule == "H15"
    )
    # Pool members are paid their travel; the agency rate covers an agency worker's.
    assert (evaluation.travel_cost > 0) == (who == "P3")


def _night_into_a_sick_day(tiny_data):
    _add_shift(tiny_data, "S0", "W-H", "2026-03-23", "T-N", "N4")
    _staff(tiny_data, "P2")["extra_shifts_opt_in"] = True  # offers it (CONSENT)
    return parse(tiny_data), [("P2", "S0")]


def test_night_into_a_sick_day_is_allowed(tiny_data):
    """Tests that a night starting the evening before P2's first sick day is allowed.

    Sick leave forbids the shifts that start on a sick day, as `Region.worked_roster`
    removes them from the base roster; evaluator and reference agree.
    """
    region, new = _night_into_a_sick_day(tiny_data)
    _, evaluation = _evaluate(region, new)
    assert _pairs(evaluation.violations) == set()
    assert _reference(region, new) == set()


@pytest.mark.parametrize(
    ("opt_in", "expected"), [(False, {("H18", "P1")}), (True, set())]
)
def test_pregnancy_forbids_anw_shifts(tiny_data, opt_in, expected):
    """Tests that a pregnant person gets no ANW shift unless opted in (H18)."""
    _staff(tiny_data, "P1").update(pregnant=True, irregular_opt_in=opt_in)
    _, evaluation = _assert_rules(tiny_data, [("P1", "S4")], expected)
    assert all("pregnan" not in v.detail for v in evaluation.violations)


@pytest.mark.parametrize(
    ("shift", "expected"),
    [("S7", {("SUN", "P1")}), ("S4", set())],
    ids=["sunday", "saturday-night"],
)
def test_free_sundays(tiny_data, shift, expected):
    """Tests that a 40th Sunday in 52 weeks breaks SUN; a Saturday night into Sunday does not."""
    _add_shift(tiny_data, "S7", "W-V", "2026-03-29", "T-E", "N3")
    _staff(tiny_data, "P1")["history"] = {"sundays_worked_52w": 39}
    _assert_rules(tiny_data, [("P1", shift)], expected)


def test_agency_supply(tiny_data):
    """Tests that agency bookings above the day's supply per level break SUPPLY."""
    record(tiny_data, "shifts", "S3")["requirements"][0]["count"] = 3
    new = [(AGENCY, "S1"), (AGENCY, "S3"), (AGENCY, "S3"), (AGENCY, "S3")]
    _, evaluation = _assert_rules(tiny_data, new, {("SUPPLY", None)})
    details = sorted(v.detail for v in evaluation.violations)
    assert details == [
        "1 agency bookings of N2 on day 0, supply 0",
        "3 agency bookings of N3 on day 2, supply 2",
    ]
    _assert_rules(tiny_data, new[2:], set())


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roster", "error", "message"),
    [
        ([-1, -1, -1, -1], TypeError, "NumPy array"),
        (np.full(4, -1, dtype=np.int32), TypeError, "int64"),
        (np.full(3, -1, dtype=np.int64), ValueError, "shape"),
        (np.array([-1, -3, -1, -1], dtype=np.int64), ValueError, r"slot_assignee\[1\]"),
        (np.array([-1, -1, 4, -1], dtype=np.int64), ValueError, "staff index"),
    ],
    ids=["list", "int32", "shape", "below-agency", "unknown-person"],
)
def test_raises_bad_roster(tiny_region, roster, error, message):
    """Tests that a malformed roster is rejected with a message naming the problem."""
    with pytest.raises(error, match=message):
        evaluate_roster(compile_region(tiny_region), roster)


def test_raises_arrays_instead_of_compiled_region(tiny_region):
    """Tests that passing the bare arrays asks for a compiled region."""
    arrays = compile_region(tiny_region).arrays
    with pytest.raises(TypeError, match="compile_region"):
        evaluate_roster(arrays, np.full(4, -1, dtype=np.int64))


def test_result_is_frozen_and_independent(tiny_region):
    """Tests that the evaluation keeps a read-only copy of the roster."""
    compiled = compile_region(tiny_region)
    roster = np.full(4, UNCOVERED, dtype=np.int64)
    evaluation = evaluate_roster(compiled, roster)
    roster[0] = AGENCY
    assert evaluation.slot_assignee[0] == UNCOVERED
    assert not evaluation.slot_assignee.flags.writeable
    assert not evaluation.violation_rule.flags.writeable


# ---------------------------------------------------------------------------
# Agreement with the reference checker
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    """Generated S regions by seed, with their compiled arrays."""
    regions = {seed: generate_region("S", seed) for seed in AGREEMENT_SEEDS}
    return {seed: (region, compile_region(region)) for seed, region in regions.items()}


def _expected(region, roster) -> set[tuple[str, str | None]]:
    """Returns the reference's (rule, staff) pairs, widened where it cannot judge.

    The reference gets (staff, shift) pairs only, so it accepts a person who meets any
    requirement of the shift; the evaluator judges the slot filled (see
    `test_qualification_is_judged_on_the_slot`).
    """
    new = [
        (region.staff[p].id, region.open_slots[k].shift)
        for k, p in enumerate(roster)
        if p >= 0
    ]
    expected = _reference(region, new)
    for k, p in enumerate(roster):
        if p < 0:
            continue
        slot, person = region.open_slots[k], region.staff[p]
        shift = region.shift_by_id[slot.shift]
        if not region.can_fill(person, shift, shift.requirements[slot.requirement]):
            expected.add(("H13", person.id))
    return expected


def _random_roster(region, compiled, roster_seed, pool_size, fill, with_sick):
    """Returns a roster filling slots at random from a small pool, else agency or none."""
    rng = np.random.default_rng(roster_seed)
    num_slots, num_staff = len(region.open_slots), len(region.staff)
    pool = rng.choice(num_staff, size=min(pool_size, num_staff), replace=False)
    if with_sick:
        sick = [compiled.staff_index[e.staff] for e in region.sickness]
        pool = np.concatenate((pool, np.array(sick, dtype=pool.dtype)))
    return np.where(
        rng.random(num_slots) < fill,
        rng.choice(pool, size=num_slots),
        rng.choice([UNCOVERED, AGENCY], size=num_slots),
    ).astype(np.int64)


@settings(max_examples=25, deadline=None, database=None)
@given(
    seed=st.sampled_from(AGREEMENT_SEEDS),
    roster_seed=st.integers(0, 2**32 - 1),
    pool_size=st.integers(1, 25),
    fill=st.floats(0.2, 1.0),
    with_sick=st.booleans(),
)
def test_agrees_with_the_reference(
    generated, seed, roster_seed, pool_size, fill, with_sick
):
    """Tests that random rosters from a small pool break the same (rule, staff) pairs."""
    region, compiled = generated[seed]
    roster = _random_roster(region, compiled, roster_seed, pool_size, fill, with_sick)
    evaluation = evaluate_roster(compiled, roster)
    found = {p for p in _pairs(evaluation.violations) if p[0] in REFERENCE_RULES}
    assert found == _expected(region, roster)


@pytest.mark.parametrize("seed", AGREEMENT_SEEDS)
def test_dense_random_roster_breaks_many_rules(generated, seed):
    """Tests that a dense random roster breaks many rules, all as the reference says."""
    region, compiled = generated[seed]
    roster = _random_roster(region, compiled, seed, 15, 0.95, True)
    evaluation = evaluate_roster(compiled, roster)
    found = {p for p in _pairs(evaluation.violations) if p[0] in REFERENCE_RULES}
    assert found == _expected(region, roster)
    assert len({rule for rule, _ in found}) >= 6

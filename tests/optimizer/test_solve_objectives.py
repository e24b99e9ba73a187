"""Tests of the solver's objective levels, findings, uncovered reasons and re-planning,
on hand-made regions where the answer is known by hand."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest
from carecap.cli import EXIT_FINDINGS, main
from carecap.compile import compile_region
from carecap.cpsat.objective import LEVELS
from carecap.cpsat.variables import NOT_PINNED
from carecap.instances import EXAMPLE_REGION
from carecap.io import read_region
from carecap.params import SolveParams
from carecap.roster import AGENCY, UNCOVERED
from carecap.solve import SolveStatus, solve

from tests.helpers import one_ward_region_data, parse

PARAMS = SolveParams(time_limit=20, workers=2)

TEMPLATES = {
    "E": ("07:00", "15:30", 30),  # 8 h paid, day
    "L": ("15:00", "23:00", 30),  # 7.5 h paid, evening
    "N": ("23:00", "07:15", 0),  # 8.25 h, night ending after 02:00
    "H": ("10:00", "12:00", 0),  # 2 h, day
}


def _person(staff_id: str, **fields: Any) -> dict[str, Any]:
    person = {
        "id": staff_id,
        "employment": "flex_pool",
        "organisation": "ORG",
        "level": "N3",
        "contract_hours": 0,
        "desired_hours": 40,  # a pool member offering up to the maximum (CONSENT)
        "max_hours": 40,
        "age": 30,
        "inducted_locations": ["LOC"],
    }
    if fields.get("employment") == "employee":
        person["ward"] = "W"
    person.update(fields)
    return person


def _region_data(
    staff: list[dict[str, Any]],
    open_shifts: list[tuple[str, str, str]],
    base: list[tuple[str, str, str, str]] = (),
    rules: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Returns a one-ward region (week of Mon 2026-03-02): ``open_shifts`` are (id,
    date, template) needing one N3; ``base`` are (id, date, template, staff) shifts
    worked in the base roster; ``rules`` updates the labour rules."""
    return one_ward_region_data(
        [(shift_id, date, template, 1) for shift_id, date, template in open_shifts]
        + [(shift_id, date, template, 1) for shift_id, date, template, _ in base],
        staff,
        TEMPLATES,
        base_roster=[(who, shift_id) for shift_id, _, _, who in base],
        rules=rules,
    )


def _compiled(*args: Any, **kwargs: Any):
    return compile_region(parse(_region_data(*args, **kwargs)))


def _who(compiled, result, shift_id: str) -> str:
    slots = compiled.region.open_slots
    (k,) = [k for k, slot in enumerate(slots) if slot.shift == shift_id]
    who = int(result.slot_assignee[k])
    return compiled.staff_ids[who] if who >= 0 else str(who)


def _level(result, name: str) -> float:
    return next(level.objective for level in result.levels if level.name == name)


# -- fairness -------------------------------------------------------------------------


def test_fair_anw_burden_changes_who_works_the_night():
    """Tests that the fairness level gives the open night to the pool member without
    ANW work, although that person avoids nights (preferences rank below fairness);
    without the fairness level the night goes the other way."""
    staff = [
        _person("F1"),
        _person("F2", preferences={"night": "avoid"}),
    ]
    compiled = _compiled(
        staff,
        [("OPEN-N", "2026-03-04", "N"), ("OPEN-E", "2026-03-06", "E")],
        base=[
            ("BASE-L", "2026-03-02", "L", "F1"),  # F1 already has an evening
            ("BASE-E", "2026-03-02", "E", "F2"),
        ],
    )
    fair = solve(compiled, PARAMS, seed=0)
    assert fair.status is SolveStatus.OPTIMAL
    assert _who(compiled, fair, "OPEN-N") == "F2"
    assert _who(compiled, fair, "OPEN-E") == "F1"

    without = [level for level in LEVELS if level != "fairness"]
    unfair = solve(compiled, SolveParams(time_limit=20, levels=without), seed=0)
    assert _who(compiled, unfair, "OPEN-N") == "F1"
    assert _level(fair, "preferences") > _level(unfair, "preferences")


# -- hours above desired -----------------------------------------------------------


def _part_timers() -> Any:
    """Two part-timers (contract 24 h, desired 28 h) and one open 8 h shift; P2 has
    already worked 2 h beyond the contract in the base roster. The region allows 8 h
    a week above desired hours (CONSENT's allowance), so the shift is possible for
    both, at the price of the hours above desired."""
    staff = [
        _person(
            "P1",
            employment="employee",
            contract_hours=24,
            desired_hours=28,
            preferences={"day": "avoid"},
        ),
        _person("P2", employment="employee", contract_hours=24, desired_hours=28),
    ]
    base = [(f"B1-{d}", f"2026-03-0{d}", "E", "P1") for d in (2, 3, 4)]
    base += [(f"B2-{d}", f"2026-03-0{d}", "E", "P2") for d in (2, 3, 4)]
    base += [("B2-H", "2026-03-05", "H", "P2")]
    return _compiled(
        staff,
        [("OPEN", "2026-03-07", "E")],
        base=base,
        rules={"hours_above_desired": 8},
    )


def test_penalty_above_desired_changes_who_gets_the_extra_shift():
    """Tests that the shift goes to P1 (4 h above desired) rather than P2 (6 h above),
    although P1 avoids day shifts: both earn the same reward for the 4 h they asked
    for, so only the penalty above desired hours tells them apart."""
    compiled = _part_timers()
    result = solve(compiled, PARAMS, seed=0)
    assert result.status is SolveStatus.OPTIMAL
    assert _who(compiled, result, "OPEN") == "P1"

    without = [level for level in LEVELS if level != "extra_hours"]
    other = solve(compiled, SolveParams(time_limit=20, levels=without), seed=0)
    assert _who(compiled, other, "OPEN") == "P2"


def test_hours_above_desired_cost_a_convex_tail():
    """Tests the extra-hours level by hand: 4 h wanted (reward 0.2 x wage each), and
    above desired 2.0 x wage for each of the first 4 hours, then 4.0 and 6.0 x wage for
    the 5th and 6th hour."""
    compiled = _part_timers()
    arrays = compiled.arrays
    wage = arrays.wage_per_level[arrays.staff_level[compiled.staff_index["P2"]]]
    pins = np.full(len(compiled.region.open_slots), NOT_PINNED, dtype=np.int64)
    pins[0] = compiled.staff_index["P2"]
    result = solve(compiled, PARAMS, seed=0, pins=pins)
    assert _who(compiled, result, "OPEN") == "P2"
    expected = wage * (-0.2 * 4 + 2.0 * 4 + 4.0 + 6.0)
    assert _level(result, "extra_hours") == pytest.approx(expected, abs=0.01)


# -- carry-in ------------------------------------------------------------------------


@pytest.mark.parametrize("with_history", [True, False])
def test_carry_in_night_forbids_the_monday_evening(with_history):
    """Tests that a night worked Sunday into Monday (carry-in) forbids Monday's late
    shift (14 h rest after a night ending after 02:00: 07:15 -> 15:00 is 7.75 h)."""
    history = {
        "recent_shifts": [
            {"start": "2026-03-01T23:00:00", "end": "2026-03-02T07:15:00"}
        ]
    }
    staff = [_person("F1", history=history if with_history else {})]
    compiled = _compiled(staff, [("OPEN", "2026-03-02", "L")])
    result = solve(compiled, PARAMS, seed=0)
    if with_history:
        assert result.slot_assignee.tolist() == [UNCOVERED]
        assert result.reasons() == ["no_eligible_person"]
    else:
        assert result.slot_assignee.tolist() == [0]


# -- findings ------------------------------------------------------------------------


def _illegal_base() -> dict[str, Any]:
    """F1's base roster has 8 h rest between Monday's late and Tuesday's early shift."""
    return _region_data(
        [_person("F1"), _person("F2")],
        [("OPEN", "2026-03-05", "E")],
        base=[
            ("BASE-L", "2026-03-02", "L", "F1"),
            ("BASE-E", "2026-03-03", "E", "F1"),
        ],
    )


def test_illegal_base_roster_is_a_finding_and_the_rest_is_solved():
    """Tests that a base roster breaking the rest rule is reported (person, shifts,
    rule), that person gets nothing new, and the open shift goes to someone else."""
    compiled = compile_region(parse(_illegal_base()))
    result = solve(compiled, PARAMS, seed=0)
    assert result.is_feasible()
    assert [(v.rule, v.staff) for v in result.findings] == [("H4", "F1")]
    assert len(result.findings[0].shifts) == 2
    assert _who(compiled, result, "OPEN") == "F2"
    summary = result.summary()
    assert summary["findings"][0]["staff_id"] == "F1"


def test_cli_exits_1_with_findings(tmp_path, capsys):
    """Tests that `carecap solve` writes the roster and exits 1 when there are findings."""
    region = tmp_path / "region.json"
    region.write_text(json.dumps(_illegal_base()), encoding="utf-8")
    code = main(["solve", str(region), "-o", str(tmp_path / "out"), "--seed", "0"])
    assert code == EXIT_FINDINGS
    out = capsys.readouterr().out
    assert "FINDINGS" in out and "H4 F1" in out
    assert (tmp_path / "out" / "roster.csv").exists()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["findings"][0]["rule"] == "H4"


# -- reasons for uncovered slots ------------------------------------------------------


@pytest.mark.parametrize(
    ("open_shifts", "reason"),
    [
        # Two shifts at the same time, one person: one is filled, the other waits.
        (
            [("A", "2026-03-03", "E"), ("B", "2026-03-03", "E")],
            "eligible_people_all_used",
        ),
        # Late then early: 8 h rest < 11 h.
        (
            [("A", "2026-03-03", "L"), ("B", "2026-03-04", "E")],
            "blocked_by_rest_or_hours",
        ),
    ],
    ids=["busy", "rest"],
)
def test_reason_for_the_uncovered_slot(open_shifts, reason):
    """Tests the reason of the one slot that one person cannot also take."""
    compiled = _compiled([_person("F1")], open_shifts)
    result = solve(compiled, PARAMS, seed=0)
    assert sorted(result.reasons()) == ["", reason]


def test_reason_without_candidates():
    """Tests that a slot above everybody's level has no eligible person."""
    data = _region_data([_person("F1")], [("A", "2026-03-03", "E")])
    data["shifts"][0]["requirements"][0]["level"] = "N6"
    result = solve(compile_region(parse(data)), PARAMS, seed=0)
    assert result.reasons() == ["no_eligible_person"]
    assert result.summary()["uncovered_reasons"] == {"no_eligible_person": 1}


# -- re-planning ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    region = read_region(EXAMPLE_REGION)
    first = solve(compile_region(region), PARAMS, seed=0)
    return region, first


def _sick_call(region, first):
    """Returns the region with the person of the first new assignment sick that day."""
    compiled = compile_region(region)
    slot = int(np.flatnonzero(first.slot_assignee >= 0)[0])
    person = compiled.staff_ids[int(first.slot_assignee[slot])]
    day = region.shift_by_id[region.open_slots[slot].shift].date
    data = json.loads(region.model_dump_json())
    data["sickness"].append(
        {"staff": person, "first_day": day.isoformat(), "last_day": day.isoformat()}
    )
    return parse(data), person


def test_minimal_change_keeps_the_previous_roster(example, tmp_path):
    """Tests re-planning after a sick call: with minimal change every previous
    assignment of other people is kept, the sick person's moves, and the report says
    so; without minimal change at least as much moves."""
    region, first = example
    changed, sick = _sick_call(region, first)
    compiled = compile_region(changed)
    previous_file = tmp_path / "roster.csv"
    from carecap.roster import read_previous_roster, write_roster

    write_roster(compile_region(region), first.slot_assignee, previous_file)
    previous, dropped = read_previous_roster(compiled, previous_file)
    assert dropped == []
    kept = solve(compiled, PARAMS, seed=0, previous=previous, minimal_change=True)
    assert [level.name for level in kept.levels][:2] == ["uncovered", "changes"]
    assert kept.moves is not None and len(kept.moves) >= 1
    assert any(move.before == sick for move in kept.moves)
    # Every move is forced by the sick call: the person, or who replaced them.
    people_people = [m for m in kept.moves if m.before != sick]
    assert len(people_people) <= 1
    free = solve(compiled, PARAMS, seed=0, previous=previous)
    assert len(free.moves) >= len(kept.moves)
    assert _level(kept, "uncovered") == pytest.approx(_level(free, "uncovered"))


def test_pins_are_kept_and_bad_pins_are_rejected(example):
    """Tests that a pinned assignment is kept even where it costs more, and that a pin
    of an ineligible person is rejected naming the person and the shift."""
    region, first = example
    compiled = compile_region(region)
    slots = compiled.region.open_slots
    filled = np.flatnonzero(first.slot_assignee >= 0)
    agency = np.flatnonzero(first.slot_assignee == AGENCY)
    pins = np.full(len(slots), NOT_PINNED, dtype=np.int64)
    # Swap: pin agency on a slot a person filled.
    slot = next(
        (int(k) for k in filled if int(k) not in set(agency.tolist())),
        int(filled[0]),
    )
    pins[slot] = AGENCY
    shift = compiled.arrays.slot_shift[slot]
    day, level = compiled.arrays.shift_day[shift], compiled.arrays.slot_level[slot]
    if compiled.arrays.agency_supply[day, level] > 0:
        pinned = solve(compiled, PARAMS, seed=0, pins=pins)
        assert pinned.slot_assignee[slot] == AGENCY
    bad = np.full(len(slots), NOT_PINNED, dtype=np.int64)
    k = int(np.flatnonzero(first.slot_assignee == UNCOVERED)[0])
    bad[k] = 0
    with pytest.raises(ValueError, match=compiled.staff_ids[0]):
        solve(compiled, PARAMS, seed=0, pins=bad)


def test_cli_replanning_writes_moves(example, tmp_path, capsys):
    """Tests `carecap solve --previous --minimal-change`: moves.csv and a summary."""
    region, first = example
    changed, _ = _sick_call(region, first)
    region_file = tmp_path / "changed.json"
    region_file.write_text(changed.model_dump_json(), encoding="utf-8")
    assert main(["solve", "-o", str(tmp_path / "first"), "--seed", "0"]) == 0
    args = ["solve", str(region_file), "-o", str(tmp_path / "second"), "--seed", "0"]
    args += ["--previous", str(tmp_path / "first" / "roster.csv"), "--minimal-change"]
    assert main(args) == 0
    moves = (tmp_path / "second" / "moves.csv").read_text().splitlines()
    assert moves[0] == "shift_id,level,before,after,change,reason" and len(moves) >= 2
    summary = json.loads((tmp_path / "second" / "summary.json").read_text())
    assert len(summary["moves"]) == len(moves) - 1
    assert "re-planning" in capsys.readouterr().out


def test_unchanged_region_replans_to_the_same_roster(example):
    """Tests that re-planning an unchanged region with minimal change moves nothing."""
    region, first = example
    compiled = compile_region(region)
    again = solve(
        compiled,
        PARAMS,
        seed=0,
        previous=copy.copy(first.slot_assignee),
        minimal_change=True,
    )
    assert again.moves == ()


def test_tie_break_keeps_the_first_level_optimum(example, monkeypatch):
    """Tests that solving the uncovered level with the agency tie-break (large models)
    reaches the same uncovered value and the same agency optimum."""
    import carecap.cpsat.model as cpsat_model

    region, first = example
    monkeypatch.setattr(cpsat_model, "TIE_BREAK_PAIRS", 0)
    params = SolveParams(time_limit=20, levels=("uncovered", "agency"))
    tied = solve(compile_region(region), params, seed=0)
    assert _level(tied, "uncovered") == pytest.approx(_level(first, "uncovered"))
    assert _level(tied, "agency") == pytest.approx(_level(first, "agency"))
    assert tied.levels[1].status == "OPTIMAL"


# -- ANW policy as a hard rule -----------------------------------------------------------


def test_anw_balance_rule_changes_who_works_what():
    """Tests the ANW balance rule by hand. The region's ANW share is r = 8.25 / 40.25
    (P1's fixed 24 h and the open 8 h day are day work, the 8.25 h night is ANW), so
    the day shift is worth -1.64 h of ANW excess and the night +6.56 h. Without the
    rule the part-timer takes the day (the hours they asked for) and the pool member
    the night: 8.2 h apart. Within 5 h one person must take both (4.92 h against
    nothing); within 2 h nobody may work the night at all: the policy's price."""
    staff = [
        _person("F1", preferences={"night": "prefer"}),
        _person("P1", employment="employee", contract_hours=24, desired_hours=32),
    ]
    base = [(f"B1-{d}", f"2026-03-0{d}", "E", "P1") for d in (2, 3, 4)]
    compiled = _compiled(
        staff, [("OPEN-E", "2026-03-05", "E"), ("OPEN-N", "2026-03-07", "N")], base
    )
    free = solve(compiled, PARAMS, seed=0)
    assert (_who(compiled, free, "OPEN-E"), _who(compiled, free, "OPEN-N")) == (
        "P1",
        "F1",
    )
    five = solve(compiled, SolveParams(time_limit=20, anw_balance_hours=5), seed=0)
    assert five.evaluation.is_clean() and five.evaluation.num_uncovered == 0
    assert _who(compiled, five, "OPEN-N") == _who(compiled, five, "OPEN-E")
    two = solve(compiled, SolveParams(time_limit=20, anw_balance_hours=2), seed=0)
    assert _who(compiled, two, "OPEN-N") == str(UNCOVERED)
    assert _who(compiled, two, "OPEN-E") == "P1"


def test_anw_balance_rule_is_checked(monkeypatch):
    """Tests that a roster breaking the balance rule is caught as a bug."""
    from carecap.cpsat.constraints import Constraints

    monkeypatch.setattr(Constraints, "_anw_balance", lambda self: None)
    staff = [
        _person("F1"),
        _person("P1", employment="employee", contract_hours=24, desired_hours=32),
    ]
    base = [(f"B1-{d}", f"2026-03-0{d}", "E", "P1") for d in (2, 3, 4)]
    compiled = _compiled(
        staff, [("OPEN-E", "2026-03-05", "E"), ("OPEN-N", "2026-03-07", "N")], base
    )
    with pytest.raises(RuntimeError, match="ANW balance"):
        solve(compiled, SolveParams(time_limit=20, anw_balance_hours=2), seed=0)

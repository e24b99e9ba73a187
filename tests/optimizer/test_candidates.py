"""Tests of roster-aware candidates (`carecap.analysis.roster_candidates`, the
``candidates --roster`` command) and of what a re-plan says about opened slots.

The hand-made region: one VVT ward, the week of Monday 2026-03-02, N3 shifts ``OPEN``
and ``TWIN`` (Wed early), ``LATE`` (Tue late) and ``MON`` (Mon early, two units).
The roster puts A on TWIN (booked for OPEN), B on LATE (8 h rest before OPEN: H4),
C on MON (12 h maximum: H16) and D on MON (8 h offered: CONSENT). F is free; E is an
employee who wants no more hours (the ask list); G is N2 (no candidate at all).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from carecap.analysis import BLOCKED_GROUPS, roster_candidates
from carecap.cli import EXIT_OK, main
from carecap.compile import compile_region
from carecap.roster import opened_slots, read_roster

from tests.helpers import one_ward_region_data, parse
from tests.test_cli import run

_TEMPLATES = {"E": ("07:00", "15:30", 30), "L": ("15:00", "23:00", 30)}  # 8 h paid


def _person(staff_id, employment="flex_pool", *, level="N3", contract=0, desired=24):
    return {
        "id": staff_id,
        "employment": employment,
        "organisation": "ORG",
        "ward": "W",
        "level": level,
        "contract_hours": contract,
        "desired_hours": desired,
        "max_hours": 40,
        "age": 30,
        "inducted_locations": ["LOC"],
    }


def _data(shifts, staff, base_roster=(), sickness=()):
    """Returns a one-ward region dict: shifts as (id, date, template, N3 units)."""
    return one_ward_region_data(
        shifts,
        staff,
        _TEMPLATES,
        base_roster=[(a["staff"], a["shift"]) for a in base_roster],
        sickness=sickness,
    )


@pytest.fixture
def hand(tmp_path):
    """The hand-made region compiled, its file, and the roster file."""
    c = _person("C", desired=12)
    c["max_hours"] = 12
    data = _data(
        [
            ("OPEN", "2026-03-04", "E", 1),
            ("TWIN", "2026-03-04", "E", 1),
            ("LATE", "2026-03-03", "L", 1),
            ("MON", "2026-03-02", "E", 2),
        ],
        [
            _person("A"),
            _person("B"),
            c,
            _person("D", desired=8),
            _person("E", "employee", contract=24),
            _person("F"),
            _person("G", level="N2"),
        ],
    )
    region_file = tmp_path / "region.json"
    region_file.write_text(json.dumps(data), encoding="utf-8")
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        "shift_id,staff_id,level,competence\n"
        "OPEN,,N3,\nTWIN,A,N3,\nLATE,B,N3,\nMON,C,N3,\nMON,D,N3,\n",
        encoding="utf-8",
    )
    compiled = compile_region(parse(data))
    return compiled, region_file, roster_file


def _open_slot(compiled):
    return next(
        k for k, slot in enumerate(compiled.region.open_slots) if slot.shift == "OPEN"
    )


def _ids(frame):
    return frame["staff_id"].tolist()


def test_the_roster_blocks_booked_rested_and_capped_people(hand):
    """Tests that against the roster only F is a candidate; A is booked (H1), B
    rest-blocked (H4), C hours-blocked (H16), D consent-blocked, E on the ask list,
    and G (N2) in no list."""
    compiled, _, roster_file = hand
    roster = read_roster(compiled, roster_file)
    found = roster_candidates(compiled, _open_slot(compiled), roster)
    assert _ids(found.ranked) == ["F"]
    assert {name: _ids(frame) for name, frame in found.blocked.items()} == {
        "booked": ["A"],
        "rest_blocked": ["B"],
        "hours_blocked": ["C"],
        "consent_blocked": ["D"],
    }
    rules = {
        row.staff_id: row.rules.split(", ")
        for frame in found.blocked.values()
        for row in frame.itertuples()
    }
    assert "H1" in rules["A"]
    assert rules["B"] == ["H4"]
    assert "H16" in rules["C"]
    assert rules["D"] == ["CONSENT"]
    for name, frame in found.blocked.items():
        assert all(
            set(r.split(", ")) & set(BLOCKED_GROUPS[name]) for r in frame["rules"]
        )
        assert frame["detail"].str.len().gt(0).all()
    assert _ids(found.ask) == ["E"]
    # E works nothing else that week: the extra hours are the shift's 8 less 24
    # desired, none.
    assert found.ask["extra_hours"].tolist() == [0.0]
    assert found.filler == -1


def test_the_base_roster_alone_lists_them_all(hand):
    """Tests that without a roster everyone of the pool who is qualified is a
    candidate (what the roster-blind command proposed)."""
    compiled, _, _ = hand
    found = roster_candidates(compiled, _open_slot(compiled))
    assert sorted(_ids(found.ranked)) == ["A", "B", "C", "D", "F"]
    assert all(frame.empty for frame in found.blocked.values())
    assert _ids(found.ask) == ["E"]


def test_a_filled_slot_is_judged_without_its_filler(hand):
    """Tests that putting F on OPEN leaves F out of every list and adds nobody."""
    compiled, _, roster_file = hand
    roster = read_roster(compiled, roster_file)
    slot = _open_slot(compiled)
    roster[slot] = compiled.staff_index["F"]
    found = roster_candidates(compiled, slot, roster)
    assert found.filler == compiled.staff_index["F"]
    assert found.ranked.empty
    assert _ids(found.blocked["booked"]) == ["A"]


def test_candidates_roster_console_and_json(capsys, hand):
    """Tests `carecap candidates --roster`: the console lists the groups with the
    rule and person ids only, --json the same lists."""
    _, region_file, roster_file = hand
    argv = ["candidates", region_file, "--shift", "OPEN", "--roster", roster_file]
    code, out, err = run(capsys, *argv)
    assert code == EXIT_OK, err
    assert "1 eligible, showing 1" in out
    lines = out.splitlines()
    booked = next(k for k, line in enumerate(lines) if line.startswith("booked:"))
    assert lines[booked + 2].split()[:2] == ["A", "N3"]
    assert "H1" in lines[booked + 2].split()[2].split(",")
    rest = next(k for k, line in enumerate(lines) if line.startswith("rest-blocked:"))
    assert lines[rest + 2].split()[:3] == ["B", "N3", "H4"]
    ask = next(k for k, line in enumerate(lines) if line.startswith("ask:"))
    assert lines[ask + 2].split()[0] == "E"

    code, out, err = run(capsys, *argv, "--json", "--explain", "B")
    assert code == EXIT_OK, err
    (entry,) = json.loads(out)["slots"]
    assert entry["covered_by"] == ["uncovered"]
    assert [row["staff_id"] for row in entry["candidates"]] == ["F"]
    assert entry["blocked_total"] == {
        "booked": 1,
        "rest_blocked": 1,
        "hours_blocked": 1,
        "consent_blocked": 1,
    }
    assert entry["blocked"]["rest_blocked"][0]["rules"] == ["H4"]
    assert [row["staff_id"] for row in entry["ask"]] == ["E"]
    verdict = entry["explain"]
    assert verdict["group"] == "rest_blocked" and not verdict["eligible"]
    assert [v["rule"] for v in verdict["roster_violations"]] == ["H4"]
    assert verdict["roster_violations"][0]["shifts"] == ["LATE", "OPEN"]


# -- re-planning: who covers an opened slot now ----------------------------------------


def test_opened_slots_are_those_without_a_row(hand, tmp_path):
    """Tests that opened_slots marks the slots a roster file has no row for, rows
    with a unit or without (per shift), uncovered rows counting as rows."""
    compiled, _, roster_file = hand
    shifts = [slot.shift for slot in compiled.region.open_slots]
    assert not opened_slots(compiled, roster_file).any()
    fewer = tmp_path / "fewer.csv"
    fewer.write_text(
        "shift_id,staff_id\nTWIN,A\nLATE,B\nMON,C\nUNKNOWN,Z\n", encoding="utf-8"
    )
    opened = opened_slots(compiled, fewer)
    assert sorted(s for s, o in zip(shifts, opened, strict=True) if o) == [
        "MON",
        "OPEN",
    ]


def test_replan_moves_name_who_covers_an_opened_slot(tmp_path, capsys):
    """Tests that a sick call opening a base-roster shift gets a moves.csv row
    (change opened) naming who covers it now, and one nobody can take says uncovered
    with the reason; the console lists both."""
    flex = _person("F", desired=16)
    flex["max_hours"] = 16
    staff = [
        _person("P", "employee", contract=24),
        _person("Q", "employee", contract=24),
        flex,
    ]
    shifts = [
        ("MON", "2026-03-02", "E", 1),
        ("TUE", "2026-03-03", "E", 1),
        ("WED", "2026-03-04", "E", 1),
        ("TUE2", "2026-03-03", "E", 1),
    ]
    base = [
        {"staff": "P", "shift": "MON"},
        {"staff": "Q", "shift": "TUE"},
        {"staff": "P", "shift": "TUE2"},
    ]
    before = _data(shifts, staff, base)
    first_file = tmp_path / "first.json"
    first_file.write_text(json.dumps(before), encoding="utf-8")
    args = ["--seed", "0", "--time-limit", "10", "--workers", "1"]
    assert main(["solve", str(first_file), "-o", str(tmp_path / "first"), *args]) == 0
    # P is sick Mon-Tue: MON and TUE2 open. F (16 h a week at most) keeps WED and
    # takes one of them; the other stays uncovered, F blocked by the hours.
    sick = _data(
        shifts,
        staff,
        base,
        [{"staff": "P", "first_day": "2026-03-02", "last_day": "2026-03-03"}],
    )
    second_file = tmp_path / "second.json"
    second_file.write_text(json.dumps(sick), encoding="utf-8")
    previous = tmp_path / "first" / "roster.csv"
    argv = ["solve", str(second_file), "-o", str(tmp_path / "second"), *args]
    argv += ["--previous", str(previous), "--minimal-change"]
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    lines = (tmp_path / "second" / "moves.csv").read_text().splitlines()
    assert lines[0] == "shift_id,level,before,after,change,reason"
    rows = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    assert rows["MON"][3] == rows["TUE2"][3] == "opened"
    assert rows["MON"][1] == rows["TUE2"][1] == ""
    covered = {rows["MON"][2], rows["TUE2"][2]}
    assert "F" in covered
    (uncovered,) = [k for k in ("MON", "TUE2") if rows[k][2] != "F"]
    assert rows[uncovered][2] == "uncovered"
    assert rows[uncovered][4] == "blocked_by_rest_or_hours"
    assert "WED" not in rows
    assert "2 slot(s) opened" in out
    assert f"{uncovered} N3: opened, now uncovered ({rows[uncovered][4]})" in out
    summary = json.loads((tmp_path / "second" / "summary.json").read_text())
    assert {m["shift_id"]: m["change"] for m in summary["moves"]}["MON"] == "opened"
    np.testing.assert_equal(len(summary["moves"]), len(lines) - 1)


def test_candidates_output_holds_ids_not_names(capsys, tmp_path, example_region):
    """Tests that the lists of a roster's open shift (console and --json, every
    group, --explain) name people by id only, in the named bundled example."""
    from carecap.instances import EXAMPLE_REGION
    from carecap.kernels.eligibility import eligibility
    from carecap.kernels.greedy import greedy_roster
    from carecap.roster import write_roster

    compiled = compile_region(example_region)
    roster = greedy_roster(compiled.arrays, eligibility(compiled.arrays))
    path = tmp_path / "roster.csv"
    write_roster(compiled, roster, path)
    names = [person.name for person in example_region.staff if person.name]
    assert names
    shift_id = compiled.region.open_slots[int(np.flatnonzero(roster < 0)[0])].shift
    someone = compiled.staff_ids[0]
    argv = ["candidates", EXAMPLE_REGION, "--shift", shift_id, "--roster", path]
    argv += ["--top", 1000, "--explain", someone]
    for extra in ((), ("--json",)):
        code, out, err = run(capsys, *argv, *extra)
        assert code == EXIT_OK, err
        assert someone in out
        assert not [name for name in names if name in out + err]

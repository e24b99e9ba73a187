"""Tests of the kernel-backed commands: evaluate, analyze and candidates.

Each command runs in-process on the bundled example; the expected answers come from
the library (eligibility graph, region model) or from a plain recount.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import numpy as np
import pytest
from carecap.analysis import (
    CANDIDATE_COLUMNS,
    capacity_analysis,
    explain,
    fixed_anw_shifts,
    rank_candidates,
    thinnest_groups,
)
from carecap.anw import AnwClass
from carecap.cli import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, main
from carecap.compile import compile_region
from carecap.domain import Employment
from carecap.instances import EXAMPLE_REGION
from carecap.kernels.capacity import remaining_week_minutes
from carecap.kernels.eligibility import eligibility, explain_ineligible

from tests.helpers import parse
from tests.test_cli import run

SLOT_COLUMNS = [
    "shift_id",
    "organisation",
    "ward",
    "date",
    "anw_class",
    "level",
    "cause",
    "paid_hours",
    "candidates",
]
GROUP_COLUMNS = [
    "ward",
    "date",
    "anw_class",
    "level",
    "open_slots",
    "open_hours",
    "min_candidates",
    "distinct_candidates",
    "candidate_spare_hours",
]


@pytest.fixture(scope="module")
def compiled(example_region):
    """The bundled example, compiled."""
    return compile_region(example_region)


@pytest.fixture(scope="module")
def graph(compiled):
    """The eligibility graph of the bundled example (default candidate pool)."""
    return eligibility(compiled.arrays)


def _write(tmp_path, text, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _slots_of(compiled, shift_id):
    return [
        k for k, slot in enumerate(compiled.region.open_slots) if slot.shift == shift_id
    ]


def _rest_pair(compiled, graph):
    """Returns (earlier shift, later shift, person id): each legal alone, too close."""
    arrays = compiled.arrays
    min_rest = arrays.rules.min_rest_minutes
    for a in range(graph.num_slots):
        for b in range(graph.num_slots):
            sa, sb = int(arrays.slot_shift[a]), int(arrays.slot_shift[b])
            gap = int(arrays.shift_start[sb] - arrays.shift_end[sa])
            if sa == sb or arrays.shift_day[sa] == arrays.shift_day[sb]:
                continue
            if arrays.shift_night_after_0200[sa] or not 0 < gap < min_rest:
                continue
            common = sorted(set(graph.staff_of(a)) & set(graph.staff_of(b)))
            if common:
                person = compiled.staff_ids[common[0]]
                return compiled.shift_ids[sa], compiled.shift_ids[sb], person
    raise AssertionError("the example has no two open shifts too close for one person")


def _unqualified(compiled):
    """Returns (open shift, employee id) where the person can fill none of its slots."""
    region = compiled.region
    for slot in region.open_slots:
        shift = region.shift_by_id[slot.shift]
        needs = [
            shift.requirements[other.requirement]
            for other in region.open_slots
            if other.shift == slot.shift
        ]
        for person in region.staff:
            if person.employment is Employment.EMPLOYEE and not any(
                region.can_fill(person, shift, need) for need in needs
            ):
                return slot.shift, person.id
    raise AssertionError("everyone can fill every open shift")


def _double_booking(compiled):
    """Returns (open shift, person id) where the shift overlaps the person's fixed one."""
    region = compiled.region
    intervals = region.shift_intervals
    for assignment in region.worked_roster:
        person = region.staff_by_id[assignment.staff]
        start, end = intervals[assignment.shift]
        for slot in region.open_slots:
            shift = region.shift_by_id[slot.shift]
            other_start, other_end = intervals[slot.shift]
            if (
                slot.shift != assignment.shift
                and other_start < end
                and start < other_end
                and region.can_fill(person, shift, shift.requirements[slot.requirement])
            ):
                return slot.shift, person.id
    raise AssertionError("no open shift overlaps a qualified person's fixed shift")


# ---------------------------------------------------------------------------
# help
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "analyze", "candidates"])
def test_help_of_each_command(capsys, command):
    """Tests that COMMAND --help exits 0 and describes every option."""
    code, out, _ = run(capsys, command, "--help")
    assert code == EXIT_OK
    assert f"usage: carecap {command}" in out
    options = {
        "evaluate": ["--json", "--output"],
        "analyze": ["-k K", "--json", "--output"],
        "candidates": ["--shift", "--roster", "--top", "--explain", "--json"],
    }[command]
    assert all(option in out for option in options)
    code, out, _ = run(capsys, "--help")
    assert command in out


# ---------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------


def test_evaluate_uncovered_roster_is_clean(capsys, tmp_path, example_region):
    """Tests that a roster of only uncovered rows exits 0 and is reported clean."""
    shifts = sorted({slot.shift for slot in example_region.open_slots})
    path = _write(
        tmp_path,
        "shift_id,staff_id,type\n" + "".join(f"{s},,uncovered\n" for s in shifts),
    )
    code, out, err = run(capsys, "evaluate", EXAMPLE_REGION, path)
    assert code == EXIT_OK, err
    assert "clean" in out
    assert "uncovered" in out and "Violations" not in out
    assert "Traceback" not in err


def test_evaluate_rest_violation_exits_1(capsys, tmp_path, compiled, graph):
    """Tests that one person on two open shifts too close together exits 1 with H4."""
    first, second, person = _rest_pair(compiled, graph)
    path = _write(tmp_path, f"shift_id,staff_id\n{first},{person}\n{second},{person}\n")
    code, out, err = run(capsys, "evaluate", EXAMPLE_REGION, path)
    assert code == EXIT_FINDINGS, err
    line = next(line for line in out.splitlines() if line.strip().startswith("H4"))
    assert person in line and first in line and second in line
    assert "clean" not in out


def test_evaluate_json_and_output_files(capsys, tmp_path, compiled, graph):
    """Tests that --json prints the document and -o writes the same document and CSV."""
    first, second, person = _rest_pair(compiled, graph)
    path = _write(tmp_path, f"shift_id,staff_id\n{first},{person}\n{second},{person}\n")
    out_dir = tmp_path / "out"
    code, out, _ = run(
        capsys, "evaluate", EXAMPLE_REGION, path, "--json", "-o", out_dir
    )
    assert code == EXIT_FINDINGS
    document = json.loads(out)
    assert document["clean"] is False
    assert document["summary"]["filled"] == 2
    assert document["coverage"]["filled"]["slots"] == 2
    by_class = document["coverage"]["uncovered"]["by_class"]
    assert (
        sum(row["slots"] for row in by_class.values())
        == len(compiled.region.open_slots) - 2
    )
    assert (
        json.loads((out_dir / "evaluation.json").read_text(encoding="utf-8"))
        == document
    )
    with (out_dir / "violations.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["rule", "staff_id", "shift_ids", "detail"]
    assert [row["rule"] for row in rows] == [v["rule"] for v in document["violations"]]
    assert any(row["rule"] == "H4" and row["staff_id"] == person for row in rows)
    assert not list(out_dir.glob(".*.tmp"))


def test_evaluate_output_of_a_clean_roster(capsys, tmp_path):
    """Tests that -o on a clean roster writes a header-only violations.csv."""
    path = _write(tmp_path, "shift_id,staff_id\n")
    code, out, _ = run(capsys, "evaluate", EXAMPLE_REGION, path, "-o", tmp_path / "o")
    assert code == EXIT_OK
    assert "wrote" in out
    text = (tmp_path / "o" / "violations.csv").read_text(encoding="utf-8")
    assert text == "rule,staff_id,shift_ids,detail\n"
    assert json.loads((tmp_path / "o" / "evaluation.json").read_text())["clean"] is True


def test_evaluate_lists_at_most_50_violations(
    capsys, tmp_path, monkeypatch, compiled, graph
):
    """Tests that the console lists at most MAX_LISTED_VIOLATIONS and counts the rest."""
    import carecap.cli as cli

    first, second, person = _rest_pair(compiled, graph)
    path = _write(tmp_path, f"shift_id,staff_id\n{first},{person}\n{second},{person}\n")
    assert cli.MAX_LISTED_VIOLATIONS == 50
    monkeypatch.setattr(cli, "MAX_LISTED_VIOLATIONS", 0)
    code, out, _ = run(capsys, "evaluate", EXAMPLE_REGION, path, "--json")
    total = len(json.loads(out)["violations"])
    code, out, _ = run(capsys, "evaluate", EXAMPLE_REGION, path)
    assert code == EXIT_FINDINGS
    assert f"Violations ({total}):" in out
    assert f"... and {total} more" in out
    assert not any(line.strip().startswith("H4") for line in out.splitlines())


BAD_ROSTERS = {
    "missing-column": ("shift_id,who\nX,Y\n", "line 1: missing column(s) staff_id"),
    "unknown-shift": (
        "shift_id,staff_id\nNOPE,\n",
        "line 2, column shift_id: unknown shift 'NOPE'",
    ),
    "unknown-staff": (
        "shift_id,staff_id\n{shift},GHOST\n",
        "line 2, column staff_id: unknown staff 'GHOST'",
    ),
    "duplicate": (
        "shift_id,staff_id\n{shift},{staff}\n{shift},{staff}\n",
        "line 3: duplicate of line 2",
    ),
    "bad-type": (
        "shift_id,staff_id,type\n{shift},{staff},holiday\n",
        "line 2, column type",
    ),
    "empty-shift-id": (
        "shift_id,staff_id\n,{staff}\n",
        "line 2, column shift_id: empty",
    ),
    "level": (
        "shift_id,staff_id\n{low_shift},{low_staff}\n",
        "line 2, column staff_id: {low_staff} cannot fill",
    ),
    "twice-at-once": (
        "shift_id,staff_id\n{busy_shift},{busy_staff}\n",
        "line 2: {busy_staff} is assigned twice at once",
    ),
    "empty-file": ("", "the file is empty"),
}


@pytest.mark.parametrize("name", list(BAD_ROSTERS))
def test_evaluate_bad_roster_exits_2(capsys, tmp_path, compiled, graph, name):
    """Tests that each bad roster file exits 2 with a message naming file and line."""
    shift, _, staff = _rest_pair(compiled, graph)
    low_shift, low_staff = _unqualified(compiled)
    busy_shift, busy_staff = _double_booking(compiled)
    values = dict(
        shift=shift,
        staff=staff,
        low_shift=low_shift,
        low_staff=low_staff,
        busy_shift=busy_shift,
        busy_staff=busy_staff,
    )
    body, message = BAD_ROSTERS[name]
    path = _write(tmp_path, body.format(**values))
    code, out, err = run(capsys, "evaluate", EXAMPLE_REGION, path)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert "Traceback" not in err
    assert message.format(**values) in err, err
    assert err.startswith(f"{path}: ")


def test_evaluate_missing_roster_file_exits_2(capsys, tmp_path):
    """Tests that a roster path that does not exist exits 2 naming the file."""
    path = tmp_path / "nope.csv"
    code, _, err = run(capsys, "evaluate", EXAMPLE_REGION, path)
    assert code == EXIT_BAD_INPUT
    assert f"{path}: no such file" in err


# ---------------------------------------------------------------------------
# analyze and the capacity analysis
# ---------------------------------------------------------------------------


def test_analyze_prints_summary_and_writes_files(capsys, tmp_path, compiled, graph):
    """Tests that analyze -o exits 0, prints the summary and writes the four files."""
    out_dir = tmp_path / "an"
    code, out, err = run(capsys, "analyze", EXAMPLE_REGION, "-k", 2, "-o", out_dir)
    assert code == EXIT_OK, err
    report = capacity_analysis(compiled, graph, k=2)
    assert "Thinnest" in out
    assert f"{report.totals['slots_with_fewer_than_2_candidates']} of " in out
    for name, columns, rows in (
        ("slots.csv", SLOT_COLUMNS, len(report.slots)),
        ("groups.csv", GROUP_COLUMNS, len(report.groups)),
        ("thin_slots.csv", SLOT_COLUMNS, len(report.thin_slots)),
    ):
        with (out_dir / name).open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == columns, name
            assert len(list(reader)) == rows, name
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["k"] == 2
    assert summary["totals"] == report.totals
    assert len(summary["thinnest_groups"]) == min(10, len(report.groups))


def test_analyze_json(capsys):
    """Tests that analyze --json prints the summary document only."""
    code, out, _ = run(capsys, "analyze", EXAMPLE_REGION, "--json")
    assert code == EXIT_OK
    summary = json.loads(out)
    assert summary["k"] == 3
    assert "slots_with_fewer_than_3_candidates" in summary["totals"]


def test_capacity_analysis_counts_match_the_graph(compiled, graph):
    """Tests that slot candidate counts, group open hours and group supply add up."""
    report = capacity_analysis(compiled, graph, k=3)
    slots, groups = report.slots, report.groups
    np.testing.assert_array_equal(
        slots["candidates"].to_numpy(), np.diff(graph.slot_ptr)
    )
    assert len(slots) == len(compiled.region.open_slots)
    assert groups["open_hours"].sum() == pytest.approx(report.totals["open_hours"])
    assert groups["open_slots"].sum() == len(slots)
    assert report.thin_slots["candidates"].lt(3).all()
    assert len(report.thin_slots) == int((np.diff(graph.slot_ptr) < 3).sum())
    # Distinct candidates and spare hours per group, recounted by hand.
    remaining = remaining_week_minutes(compiled.arrays)
    weeks = compiled.arrays.shift_week[compiled.arrays.slot_shift]
    for _, group in groups.iterrows():
        members = slots.index[
            (slots["ward"] == group["ward"])
            & (slots["date"] == group["date"])
            & (slots["anw_class"] == group["anw_class"])
            & (slots["level"] == group["level"])
        ]
        people = {int(p) for k in members for p in graph.staff_of(k)}
        week = int(weeks[members[0]])
        assert group["distinct_candidates"] == len(people)
        assert group["candidate_spare_hours"] == pytest.approx(
            sum(remaining[p, week] for p in people) / 60
        )
        assert group["min_candidates"] == slots.loc[members, "candidates"].min()


def test_thinnest_groups_order(compiled, graph):
    """Tests that thinnest_groups starts with the fewest candidates per open slot."""
    report = capacity_analysis(compiled, graph)
    thinnest = thinnest_groups(report, 5)
    ratio = report.groups["distinct_candidates"] / report.groups["open_slots"]
    assert len(thinnest) == min(5, len(report.groups))
    assert thinnest["candidates_per_slot"].is_monotonic_increasing
    assert thinnest["candidates_per_slot"].iloc[0] == ratio.min()


def test_capacity_analysis_without_open_slots(tiny_data):
    """Tests that a region with no open slot gives empty tables and zero totals."""
    shift = tiny_data["shifts"][0]
    shift["requirements"] = [{"level": "N3", "count": 1}]
    tiny_data["shifts"] = [shift]
    tiny_data["base_roster"] = [{"staff": "P1", "shift": shift["id"]}]
    tiny_data["sickness"] = []
    compiled = compile_region(parse(tiny_data))
    assert not compiled.region.open_slots
    report = capacity_analysis(compiled, eligibility(compiled.arrays))
    assert report.slots.empty and report.groups.empty and report.thin_slots.empty
    assert list(report.groups.columns) == GROUP_COLUMNS
    assert report.totals["open_slots"] == 0
    assert report.totals["open_hours"] == 0
    assert thinnest_groups(report).empty


# ---------------------------------------------------------------------------
# candidates
# ---------------------------------------------------------------------------


def _busiest_shift(graph, compiled):
    """Returns the id of the open shift whose first slot has the most candidates."""
    counts = np.diff(graph.slot_ptr)
    return compiled.shift_ids[compiled.arrays.slot_shift[int(np.argmax(counts))]]


def test_candidates_lists_eligible_people_in_order(capsys, compiled, graph):
    """Tests that candidates --json lists exactly the slot's eligible people, ranked."""
    shift_id = _busiest_shift(graph, compiled)
    code, out, err = run(
        capsys,
        "candidates",
        EXAMPLE_REGION,
        "--shift",
        shift_id,
        "--top",
        1000,
        "--json",
    )
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["shift_id"] == shift_id
    region = compiled.region
    anw = Counter(
        a.staff
        for a in region.worked_roster
        if region.shift_classes[a.shift].anw_class is not AnwClass.DAY
    )
    remaining = remaining_week_minutes(compiled.arrays)
    listed_slots = set()
    for entry in document["slots"]:
        slot = entry["slot"]
        listed_slots.add(slot)
        assert compiled.region.open_slots[slot].shift == shift_id
        rows = entry["candidates"]
        eligible = {compiled.staff_ids[p] for p in graph.staff_of(slot)}
        assert {row["staff_id"] for row in rows} == eligible
        assert entry["eligible"] == len(eligible)
        keys = [
            (-r["hours_left"], r["travel_km"], r["anw_shifts"], r["cost"]) for r in rows
        ]
        assert keys == sorted(keys)
        week = int(compiled.arrays.shift_week[compiled.arrays.slot_shift[slot]])
        for row in rows:
            person = compiled.staff_index[row["staff_id"]]
            assert row["anw_shifts"] == anw[row["staff_id"]]
            assert row["hours_left"] == remaining[person, week] / 60
            assert list(row) == CANDIDATE_COLUMNS
    # One list per kind of slot: every open slot of the shift has a listed twin.
    arrays = compiled.arrays
    kind = lambda k: (  # noqa: E731
        int(arrays.slot_level[k]),
        bool(arrays.slot_exact_level[k]),
        int(arrays.slot_competence[k]),
    )
    assert {kind(k) for k in _slots_of(compiled, shift_id)} == {
        kind(k) for k in listed_slots
    }
    assert len(listed_slots) == len({kind(k) for k in listed_slots})


def test_candidates_console_and_top(capsys, compiled, graph):
    """Tests that the console table shows at most --top rows with the ids in rank order."""
    shift_id = _busiest_shift(graph, compiled)
    slot = _slots_of(compiled, shift_id)[0]
    ranked = rank_candidates(compiled, graph, slot)
    code, out, _ = run(
        capsys, "candidates", EXAMPLE_REGION, "--shift", shift_id, "--top", 2
    )
    assert code == EXIT_OK
    assert f"Shift {shift_id}" in out
    assert f"{len(ranked)} eligible, showing {min(2, len(ranked))}" in out
    staff_ids = set(compiled.staff_ids)
    # The ranked table of each kind of slot runs from its header to "booked:".
    shown, listing = [], False
    for line in out.splitlines():
        if " eligible, showing " in line or line.startswith("booked:"):
            listing = " eligible, showing " in line
        elif listing and line.split() and line.split()[0] in staff_ids:
            shown.append(line.split()[0])
    lists = out.count(" eligible, showing ")
    assert len(shown) <= 2 * lists
    assert shown[: min(2, len(ranked))] == ranked["staff_id"].head(2).tolist()


def test_candidates_explain_ineligible_person(capsys, compiled, graph):
    """Tests that --explain for an excluded person prints the reasons with ids."""
    shift_id = _busiest_shift(graph, compiled)
    slot = _slots_of(compiled, shift_id)[0]
    eligible = set(graph.staff_of(slot).tolist())
    person = next(
        p
        for p in range(len(compiled.staff_ids))
        if p not in eligible
        and compiled.region.staff[p].employment is Employment.EMPLOYEE
    )
    staff_id = compiled.staff_ids[person]
    code, out, _ = run(
        capsys, "candidates", EXAMPLE_REGION, "--shift", shift_id, "--explain", staff_id
    )
    assert code == EXIT_OK
    assert f"{staff_id} may not take it:" in out
    reasons = explain(compiled, person, slot)
    assert len(reasons) == len(explain_ineligible(compiled.arrays, person, slot))
    assert reasons and all(f"- {reason}" in out for reason in reasons)
    assert all("#" not in reason for reason in reasons)


def test_candidates_explain_eligible_person(capsys, compiled, graph):
    """Tests that --explain for an eligible person says so, with the rank."""
    shift_id = _busiest_shift(graph, compiled)
    slot = _slots_of(compiled, shift_id)[0]
    ranked = rank_candidates(compiled, graph, slot)
    staff_id = ranked["staff_id"].iloc[-1]
    code, out, _ = run(
        capsys, "candidates", EXAMPLE_REGION, "--shift", shift_id, "--explain", staff_id
    )
    assert code == EXIT_OK
    assert f"{staff_id} is eligible (rank {len(ranked)} of {len(ranked)})" in out


def test_explain_agrees_with_the_graph(compiled, graph):
    """Tests that explain gives no reason exactly for the people in the graph."""
    for slot in range(0, graph.num_slots, 5):
        eligible = set(graph.staff_of(slot).tolist())
        for person in range(len(compiled.staff_ids)):
            assert (not explain(compiled, person, slot)) == (person in eligible)


def test_fixed_anw_shifts_counts_the_worked_roster(compiled):
    """Tests that fixed_anw_shifts counts each person's non-day worked base shifts."""
    region = compiled.region
    expected = Counter(
        a.staff
        for a in region.worked_roster
        if region.shift_classes[a.shift].anw_class is not AnwClass.DAY
    )
    counts = fixed_anw_shifts(compiled)
    assert {compiled.staff_ids[p]: int(n) for p, n in enumerate(counts) if n} == dict(
        expected
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--shift", "NOPE"), "--shift: unknown shift 'NOPE'"),
        (("--shift", "{covered}"), "has no open slots"),
        (
            ("--shift", "{open}", "--explain", "GHOST"),
            "--explain: unknown staff 'GHOST'",
        ),
    ],
)
def test_candidates_bad_ids_exit_2(capsys, compiled, graph, extra, message):
    """Tests that an unknown shift or staff id, or a covered shift, exits 2 clearly."""
    open_ids = {slot.shift for slot in compiled.region.open_slots}
    covered = next(s for s in compiled.shift_ids if s not in open_ids)
    argv = [
        arg.format(covered=covered, open=_busiest_shift(graph, compiled))
        for arg in extra
    ]
    code, out, err = run(capsys, "candidates", EXAMPLE_REGION, *argv)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert message in err
    assert err.startswith(f"{EXAMPLE_REGION}: ")
    assert "Traceback" not in err


def test_candidates_requires_shift(capsys):
    """Tests that candidates without --shift is a usage error (exit 2)."""
    code, _, err = run(capsys, "candidates", EXAMPLE_REGION)
    assert code == EXIT_BAD_INPUT
    assert "--shift" in err


# -- simulate ---------------------------------------------------------------------------


def test_simulate_reports_each_pool_size(capsys, tmp_path):
    """Tests that simulate prints a row per pool size and writes its files."""
    code = main(
        [
            "simulate",
            str(EXAMPLE_REGION),
            "--samples",
            "40",
            "--pool-sizes",
            "0,6",
            "--seed",
            "3",
            "--target-p95-uncovered",
            "1e6",
            "-o",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Smallest pool with P95 uncovered hours" in out
    document = json.loads((tmp_path / "simulation.json").read_text())
    assert [row["pool_size"] for row in document["outcomes"]] == [0, 6]
    assert document["smallest_pool_meeting_target"] == 0
    header = (tmp_path / "simulation.csv").read_text().splitlines()[0]
    assert "uncovered_hours_p95" in header


def test_simulate_json_is_reproducible(capsys):
    """Tests that the same seed prints the same JSON twice."""
    argv = ["simulate", str(EXAMPLE_REGION), "--samples", "20", "--seed", "9", "--json"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first


@pytest.mark.parametrize(
    "extra",
    [["--absence-rate", "abc"], ["--absence-rate", "1.5"], ["--pool-sizes", "a,b"]],
)
def test_simulate_rejects_bad_options(capsys, extra):
    """Tests that bad simulate options exit 2 with a message and no traceback."""
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", str(EXAMPLE_REGION), "--seed", "1", *extra])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err

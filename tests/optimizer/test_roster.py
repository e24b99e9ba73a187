"""Tests of the roster CSV format and its mapping to open slots."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.domain import Employment
from carecap.exceptions import InputError
from carecap.instances import EXAMPLE_REGION
from carecap.io import read_region
from carecap.kernels.evaluate import evaluate_roster
from carecap.roster import (
    AGENCY,
    UNCOVERED,
    read_previous_roster,
    read_roster,
    write_roster,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import parse


@pytest.fixture(scope="module")
def compiled():
    """The bundled example, compiled."""
    return compile_region(read_region(EXAMPLE_REGION))


def _pool_person_and_slot(compiled):
    region = compiled.region
    for k, slot in enumerate(region.open_slots):
        shift = region.shift_by_id[slot.shift]
        for person in region.staff:
            if person.employment is Employment.FLEX_POOL and region.can_fill(
                person, shift, shift.requirements[slot.requirement]
            ):
                return person, k
    pytest.skip("no pool person fits an open slot")


def _write(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip(compiled, tmp_path):
    """Tests that a written roster reads back to the same slot assignment."""
    person, k = _pool_person_and_slot(compiled)
    assignee = np.full(len(compiled.region.open_slots), UNCOVERED, dtype=np.int64)
    assignee[k] = compiled.staff_index[person.id]
    other = next(j for j in range(len(assignee)) if j != k)
    assignee[other] = AGENCY
    path = tmp_path / "roster.csv"
    write_roster(compiled, assignee, path)
    np.testing.assert_array_equal(read_roster(compiled, path), assignee)


def test_unmentioned_slots_are_uncovered(compiled, tmp_path):
    """Tests that a roster with only a header leaves every slot uncovered."""
    path = _write(tmp_path, "shift_id,staff_id,type\n")
    assert np.all(read_roster(compiled, path) == UNCOVERED)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("shift_id,who\nX,Y\n", "line 1: missing column(s) staff_id"),
        ("shift_id,staff_id\nNOPE,\n", "line 2, column shift_id: unknown shift 'NOPE'"),
        (
            "shift_id,staff_id\n{shift},GHOST\n",
            "line 2, column staff_id: unknown staff 'GHOST'",
        ),
        (
            "shift_id,staff_id\n{shift},{staff}\n{shift},{staff}\n",
            "line 3: duplicate of line 2",
        ),
        (
            "shift_id,staff_id,type\n{shift},{staff},holiday\n",
            "line 2, column type: 'holiday'",
        ),
        (
            "shift_id,staff_id,type\n{shift},{staff},agency\n",
            "a agency row names no person",
        ),
        ("shift_id,staff_id,type\n{shift},,pool\n", "a pool row needs a person"),
        ("shift_id,staff_id,type\n{shift},{staff},extra_hours\n", "does not match"),
        ("", "the file is empty"),
    ],
)
def test_raises_bad_rows(compiled, tmp_path, body, message):
    """Tests that each kind of bad row gets a message naming its line."""
    person, k = _pool_person_and_slot(compiled)
    shift = compiled.region.open_slots[k].shift
    path = _write(tmp_path, body.format(shift=shift, staff=person.id))
    with pytest.raises(InputError) as error:
        read_roster(compiled, path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_raises_person_twice_at_once(compiled, tmp_path):
    """Tests that one person on two overlapping shifts is named with both lines."""
    region = compiled.region
    person, k = _pool_person_and_slot(compiled)
    shift = region.shift_by_id[region.open_slots[k].shift]
    start, end = region.shift_intervals[shift.id]
    clash = next(
        s.id
        for s in region.shifts
        if s.id != shift.id
        and region.shift_intervals[s.id][0] < end
        and start < region.shift_intervals[s.id][1]
    )
    path = _write(
        tmp_path, f"shift_id,staff_id\n{shift.id},{person.id}\n{clash},{person.id}\n"
    )
    with pytest.raises(InputError, match="assigned twice at once"):
        read_roster(compiled, path)


def test_raises_more_rows_than_open_slots(compiled, tmp_path):
    """Tests that filling a shift beyond its open slots is refused with the line."""
    region = compiled.region
    shift_id = region.open_slots[0].shift
    count = sum(1 for s in region.open_slots if s.shift == shift_id)
    rows = "".join(f"{shift_id},,agency\n" for _ in range(count + 1))
    path = _write(tmp_path, "shift_id,staff_id,type\n" + rows)
    with pytest.raises(InputError, match="open slot"):
        read_roster(compiled, path)


def test_all_problems_are_reported_together(compiled, tmp_path):
    """Tests that every bad row of a file is reported, not just the first."""
    path = _write(tmp_path, "shift_id,staff_id\nA,\nB,\nC,\n")
    with pytest.raises(InputError) as error:
        read_roster(compiled, path)
    assert len(error.value.problems) == 3


# ---------------------------------------------------------------------------
# Exact read-back (issue 26, item 1)
# ---------------------------------------------------------------------------

FILE_IDS = (
    "-0042",
    '=HYPERLINK("x")',
    "+31612345678",
    "@SUM(1)",
    "a,b",
    'q"t',
    "x;y",
    "café",
    "\N{GRINNING FACE}",
    "=1+1",
)
"""Ids that break naive CSV files: separators, quotes, accents, an emoji, formula
starts (issue 26, item 4)."""

LEVELS = ("N2", "N3", "N4", "N6")


def _region_data(shifts, staff, supply, *, exact_level=False):
    """Returns a one-ward VVT region (week of 2026-03-02) as a JSON-ready dict.

    ``shifts`` are (id, date, template, requirements) with requirements as
    (level, count, competence); ``staff`` are flex-pool members (id, level,
    competences); ``supply`` is (date, level, count).
    """
    return {
        "format_version": "1.0",
        "name": "read-back",
        "horizon": {"start": "2026-03-02", "weeks": 1},
        "organisations": [{"id": "@ORG", "sector": "VVT"}],
        "locations": [
            {
                "id": "-LOC",
                "organisation": "@ORG",
                "town": "A",
                "latitude": 52.0,
                "longitude": 5.0,
            }
        ],
        "wards": [
            {"id": "=W", "location": "-LOC", "allow_higher_level": not exact_level}
        ],
        "shift_templates": [
            {"id": "+E", "start": "07:00", "end": "15:30", "unpaid_break_minutes": 30},
            {"id": "L", "start": "15:00", "end": "23:00", "unpaid_break_minutes": 30},
        ],
        "shifts": [
            {
                "id": shift_id,
                "ward": "=W",
                "date": date,
                "template": template,
                "requirements": [
                    {"level": level, "count": count}
                    | ({"competence": competence} if competence else {})
                    for level, count, competence in requirements
                ],
            }
            for shift_id, date, template, requirements in shifts
        ],
        "staff": [
            {
                "id": person_id,
                "employment": "flex_pool",
                "organisation": "@ORG",
                "level": level,
                "competences": list(competences),
                "contract_hours": 0,
                "desired_hours": 40,  # offers up to the maximum (CONSENT)
                "max_hours": 40,
                "inducted_locations": ["-LOC"],
            }
            for person_id, level, competences in staff
        ],
        "agency_supply": [
            {"date": date, "level": level, "count": count}
            for date, level, count in supply
        ],
    }


def _solved(data, tmp_path):
    """Returns the compiled region, its solver roster and the roster file written."""
    from carecap.params import SolveParams
    from carecap.solve import solve

    compiled = compile_region(parse(data))
    result = solve(compiled, SolveParams(time_limit=10, workers=1), seed=0)
    path = tmp_path / "roster.csv"
    write_roster(compiled, result.slot_assignee, path, result.reasons())
    return compiled, result.slot_assignee, path


def _n3_agency_under_open_n6(tmp_path):
    """A shift with open N3 and N6 units, nobody to fill them, agency for N3 only:
    the solver books the N3 and leaves the N6 uncovered."""
    data = _region_data(
        [("=S1", "2026-03-02", "+E", [("N6", 1, None), ("N3", 1, None)])],
        [],
        [("2026-03-02", "N3", 1)],
    )
    return _solved(data, tmp_path)


def test_agency_level_is_read_back_bug(tmp_path):
    """Tests that an agency booking reads back on the level the solver booked, so the
    evaluator finds no false SUPPLY violation (issue 26, item 1)."""
    compiled, assignee, path = _n3_agency_under_open_n6(tmp_path)
    levels = [slot.level.value for slot in compiled.region.open_slots]
    assert assignee[levels.index("N3")] == AGENCY
    assert assignee[levels.index("N6")] == UNCOVERED
    read = read_roster(compiled, path)
    np.testing.assert_array_equal(read, assignee)
    assert evaluate_roster(compiled, read).is_clean()


def test_roster_without_level_columns_is_matched_with_a_warning(tmp_path, caplog):
    """Tests that a hand-made roster without level and competence is matched as before
    (agency highest level first) and that a warning says so."""
    compiled, _, path = _n3_agency_under_open_n6(tmp_path)
    hand = tmp_path / "hand.csv"
    hand.write_text("shift_id,staff_id,type\n=S1,,agency\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="carecap.roster"):
        read = read_roster(compiled, hand)
    levels = [slot.level.value for slot in compiled.region.open_slots]
    assert read[levels.index("N6")] == AGENCY
    assert "without level and competence columns" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="carecap.roster"):
        read_roster(compiled, path)
    assert not caplog.text


def test_roster_cells_are_formula_safe(tmp_path):
    """Tests that ids starting with = + - @ are written with one ' and read back."""
    data = _region_data(
        [('=HYPERLINK("x")', "2026-03-02", "+E", [("N3", 1, "-IC")])],
        [("-0042", "N3", ["-IC"])],
        [],
    )
    compiled, assignee, path = _solved(data, tmp_path)
    assert assignee[0] == compiled.staff_index["-0042"]
    text = path.read_text(encoding="utf-8")
    assert "'-0042" in text
    assert "'-IC" in text
    assert '"\'=HYPERLINK(""x"")"' in text
    assert "'=W" in text
    np.testing.assert_array_equal(read_roster(compiled, path), assignee)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("=S1,,agency,N4,", "line 2, column level: shift '=S1' has no open N4 slot"),
        ("=S1,,agency,N3,IC", "no open N3 with competence 'IC' slot"),
        ("=S1,,agency,N9,", "line 2, column level: 'N9' is not one of"),
        ("=S1,,agency,N3,\n=S1,,agency,N3,", "line 3, column level"),
    ],
)
def test_raises_row_naming_no_open_unit(tmp_path, row, message):
    """Tests that a row whose level and competence name no open unit is refused."""
    compiled, _, _ = _n3_agency_under_open_n6(tmp_path)
    path = _write(tmp_path, f"shift_id,staff_id,type,level,competence\n{row}\n")
    with pytest.raises(InputError) as error:
        read_roster(compiled, path)
    assert message in str(error.value)


def test_previous_roster_drops_a_row_naming_no_open_unit(tmp_path):
    """Tests that re-planning drops (not rejects) a row whose unit is gone."""
    compiled, _, _ = _n3_agency_under_open_n6(tmp_path)
    path = _write(
        tmp_path,
        "shift_id,staff_id,type,level,competence\n=S1,,agency,N4,\n=S1,,agency,N3,\n",
    )
    assignee, dropped = read_previous_roster(compiled, path)
    assert np.count_nonzero(assignee == AGENCY) == 1
    assert len(dropped) == 1
    assert "no open N4 slot" in dropped[0]


@st.composite
def _read_back_regions(draw):
    """Regions of 1-3 shifts with 2-4 requirements of different levels and
    competences, 0-3 flex-pool members and agency supply on several levels; every
    id is one that breaks naive CSV files."""
    ids = draw(st.permutations(FILE_IDS))
    dates = ["2026-03-02", "2026-03-03"]
    shifts = []
    for k in range(draw(st.integers(1, 3))):
        levels = draw(st.lists(st.sampled_from(LEVELS), min_size=2, max_size=4))
        requirements = [
            (
                level,
                draw(st.integers(1, 2)),
                draw(st.sampled_from([None, None, "café", "-IC"])),
            )
            for level in levels
        ]
        # One requirement per level and competence, as regions usually have.
        requirements = list({(lv, c): (lv, n, c) for lv, n, c in requirements}.values())
        if len(requirements) < 2:
            requirements.append(
                ("N2", 1, None) if levels[0] != "N2" else ("N4", 1, None)
            )
        shifts.append(
            (
                ids[k],
                dates[k % 2],
                draw(st.sampled_from(["+E", "L"])),
                requirements,
            )
        )
    staff = [
        (
            ids[3 + k],
            draw(st.sampled_from(LEVELS)),
            draw(st.sampled_from([(), ("café",), ("-IC",), ("café", "-IC")])),
        )
        for k in range(draw(st.integers(0, 3)))
    ]
    supply = [
        (date, level, draw(st.integers(0, 2))) for date in dates for level in LEVELS
    ]
    exact = draw(st.booleans())
    return _region_data(shifts, staff, supply, exact_level=exact)


@settings(max_examples=25, deadline=None)
@given(data=_read_back_regions())
def test_solver_roster_reads_back_exactly(data):
    """Tests that solve -> roster.csv -> read gives the identical slot assignment,
    that ``--pin`` of the roster exits 0 or 1, and that ``--previous
    --minimal-change`` on the unchanged region writes no move (issue 26, item 1)."""
    from carecap.cli import main
    from carecap.io import write_region

    with tempfile.TemporaryDirectory() as directory:
        tmp_path = Path(directory)
        compiled, assignee, path = _solved(data, tmp_path)
        np.testing.assert_array_equal(read_roster(compiled, path), assignee)
        region_file = tmp_path / "region.json"
        write_region(compiled.region, region_file)
        common = ["--seed", "0", "--time-limit", "10", "--workers", "1"]
        pinned = main(
            [
                "solve",
                str(region_file),
                "-o",
                str(tmp_path / "pin"),
                "--pin",
                str(path),
                *common,
            ]
        )
        assert pinned in (0, 1)
        pin_roster = read_roster(compiled, tmp_path / "pin" / "roster.csv")
        kept = assignee != UNCOVERED
        np.testing.assert_array_equal(pin_roster[kept], assignee[kept])
        replanned = main(
            [
                "solve",
                str(region_file),
                "-o",
                str(tmp_path / "again"),
                "--previous",
                str(path),
                "--minimal-change",
                *common,
            ]
        )
        assert replanned in (0, 1)
        moves = (tmp_path / "again" / "moves.csv").read_text().splitlines()
        assert moves == ["shift_id,level,before,after,change,reason"]


def test_replanning_keeps_an_agency_booking(tmp_path):
    """Tests that re-planning an unchanged region with minimal change keeps each agency
    booking where it was: two equal N6 units, supply for one (issue 26, item 1)."""
    from carecap.params import SolveParams
    from carecap.solve import solve

    data = _region_data(
        [
            ("-A", "2026-03-02", "+E", [("N6", 1, None), ("N2", 1, None)]),
            ("-B", "2026-03-02", "+E", [("N6", 1, None), ("N2", 1, None)]),
        ],
        [("@SUM(1)", "N2", [])],
        [("2026-03-02", "N6", 1)],
    )
    compiled, assignee, path = _solved(data, tmp_path)
    previous, dropped = read_previous_roster(compiled, path)
    np.testing.assert_array_equal(previous, assignee)
    assert dropped == []
    for seed in range(4):
        again = solve(
            compiled,
            SolveParams(time_limit=10, workers=1),
            seed=seed,
            previous=previous,
            minimal_change=True,
        )
        assert again.moves == ()

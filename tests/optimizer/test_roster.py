"""Tests of the roster CSV format and its mapping to open slots."""

from __future__ import annotations

import numpy as np
import pytest

from instances import EXAMPLE_REGION
from optimizer.compile import compile_region
from optimizer.domain import Employment
from optimizer.exceptions import InputError
from optimizer.io import read_region
from optimizer.roster import AGENCY, UNCOVERED, read_roster, write_roster


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

"""Tests of formula-safe CSV cells and newline-safe readers (issue 26, items 4 and 5):
`neutralise`/`restore` are exact inverses, readers split records only where the
`csv` module does, and workbook cells that look like formulas are written as text."""

from __future__ import annotations

import csv
import io

import pytest
from carecap.csvfile import (
    FORMULA_TRIGGERS,
    csv_text,
    frame_text,
    neutralise,
    parse_records,
    parse_rows,
    read_frame,
    read_records,
    restore,
    rows_text,
    starts_formula,
    write_csv,
    xlsx_cell,
)
from carecap.exceptions import InputError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tests.helpers import parse, tiny_region_data

HOSTILE = ['=HYPERLINK("http://x","y")', "+31612345678", "-1", "-0042", "@SUM(1)"]
"""Texts a spreadsheet would run as formulas; all are valid ids."""

AWKWARD = ["a,b", 'say"hi"', "x;y", "é", "Zorg😀", "'t Hart", "''=x", "'", "''"]
"""Texts that need quoting or look like an earlier prefix; they must come back too."""

BREAKERS = ["\x1d", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\r", "\n", "\r\n"]
"""Characters that split lines for `str.splitlines`; ids may not hold them (item 4)."""


@pytest.mark.parametrize("text", [*HOSTILE, "\tx", "\rx"])
def test_formula_start_is_prefixed_once(text):
    """Tests that a text starting with = + - @ TAB or CR gets exactly one ' in front."""
    assert starts_formula(text)
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["N3", "'t Hart", "'", "", "3,5", "a=b", " =x"])
def test_ordinary_text_is_left_alone(text):
    """Tests that text that is no formula (a Dutch 't prefix included) is unchanged."""
    assert neutralise(text) == text
    assert restore(text) == text


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_restore_inverts_neutralise_on_any_text(text):
    """Tests that restore(neutralise(v)) == v for every string, and the cell is safe."""
    safe = neutralise(text)
    assert restore(safe) == text
    assert not starts_formula(safe)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\tx")))
def test_restore_inverts_neutralise_on_quote_runs(text):
    """Tests that the round trip is exact on texts made only of quotes and triggers."""
    assert restore(neutralise(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
def test_csv_round_trip_of_any_text(rows):
    """Tests that any cells written by rows_text come back from parse_rows unchanged."""
    text = rows_text(["a", "b", "c"], rows)
    back = [values for _, values in parse_rows(text)]
    assert back[0] == ["a", "b", "c"]
    assert back[1:] == [row for row in rows if any(v.strip() for v in row)]


def test_ids_round_trip_through_csv_text_and_parse_records():
    """Tests that ids holding , " ; é, an emoji or a formula start survive a CSV file."""
    ids = HOSTILE + AWKWARD
    records = [{"shift_id": v, "staff_id": v[::-1], "hours": -7.5} for v in ids]
    text = csv_text(["shift_id", "staff_id", "hours"], records, numeric=["hours"])
    for line in text.splitlines()[1:]:
        assert not line.startswith(FORMULA_TRIGGERS), line
    header, read = parse_records(text)
    assert header == ["shift_id", "staff_id", "hours"]
    back = [(r["shift_id"], r["staff_id"], r["hours"]) for _, r in read]
    assert back == [(v, v[::-1], "-7.5") for v in ids]


def test_every_written_cell_is_safe():
    """Tests that no cell written to a CSV starts with a trigger, numbers excepted."""
    text = rows_text(["=h", "n"], [[v, -3] for v in HOSTILE])
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells[:2] == ["'=h", "n"]
    assert cells[2::2] == ["'" + v for v in HOSTILE]
    assert cells[3::2] == ["-3"] * len(HOSTILE)


@pytest.mark.parametrize("breaker", BREAKERS)
def test_line_separator_inside_a_quoted_cell_stays_in_the_cell(breaker):
    """Tests that a quoted line break or U+2028-like character does not split a record.

    This is the reading bug of issue 26: ``"F00\\n03"`` became ``F0003``.
    """
    value = f"F00{breaker}03"
    text = csv_text(["shift_id", "n"], [{"shift_id": value, "n": 1}, {"n": 2}])
    _header, read = parse_records(text)
    records = list(read)
    assert [r["shift_id"] for _, r in records] == [value, ""]
    # Only CR, LF and CRLF end a line of the file; the record after spans past them.
    extra = 1 if breaker in ("\r", "\n", "\r\n") else 0
    assert [line for line, _ in records] == [2, 3 + extra]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_domain_rejects_the_ids_that_split_lines(breaker):
    """Tests that the region model rejects an id holding a line-splitting character."""
    data = tiny_region_data()
    data["staff"][0]["id"] = f"P{breaker}1"
    with pytest.raises(InputError, match=f"U\\+{ord(breaker[0]):04X}"):
        parse(data)


@pytest.mark.parametrize("value", [v for v in HOSTILE + AWKWARD if v[0] != "'"])
def test_ids_of_the_round_trip_set_are_valid_region_ids(value):
    """Tests that every id of the round-trip set (leading quotes apart) is a valid id."""
    data = tiny_region_data()
    data["staff"][3]["id"] = value
    assert parse(data).staff[3].id == value


def test_files_round_trip_and_start_lines(tmp_path):
    """Tests that write_csv, read_records and read_frame give back cells and lines."""
    path = tmp_path / "t.csv"
    records = [{"id": "=A\nB", "x": 1}, {"id": "-0042", "x": ""}, {"id": "é😀", "x": 2}]
    write_csv(path, ["id", "x"], records, numeric=["x"])
    _header, read = read_records(path)
    assert [(line, r["id"]) for line, r in read] == [
        (2, "=A\nB"),
        (4, "-0042"),
        (5, "é😀"),
    ]
    frame = read_frame(path, infer=True)
    assert frame["id"].tolist() == ["=A\nB", "-0042", "é😀"]
    assert frame["x"].tolist()[::2] == [1, 2]
    assert frame.attrs["lines"] == [2, 4, 5]
    assert read_frame(path)["x"].tolist() == ["1", "", "2"]


def test_frame_text_keeps_numbers_and_neutralises_text():
    """Tests that frame_text prefixes text cells only; negative numbers stay numbers."""
    import pandas as pd

    frame = pd.DataFrame({"scenario": HOSTILE, "delta": [-1.5] * len(HOSTILE)})
    text = frame_text(frame)
    _header, read = parse_records(text)
    rows = [r for _, r in read]
    assert [r["scenario"] for r in rows] == HOSTILE
    assert all(line.endswith(",-1.5") for line in text.splitlines()[1:])


def test_xlsx_cells_are_text_with_quote_prefix(tmp_path):
    """Tests that formula-like texts are text-typed, quote-prefixed and read back as is."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    values = [*HOSTILE, "'t Hart", "N3", -1, 2.5]
    sheet.append([xlsx_cell(sheet, v) for v in values])
    workbook.save(tmp_path / "t.xlsx")
    cells = next(load_workbook(tmp_path / "t.xlsx")["s"].iter_rows())
    assert [c.value for c in cells] == values
    assert [c.data_type for c in cells] == ["s"] * 7 + ["n"] * 2
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False] * 4
    read_only = load_workbook(tmp_path / "t.xlsx", read_only=True, data_only=True)
    assert list(next(read_only["s"].iter_rows(values_only=True))) == values

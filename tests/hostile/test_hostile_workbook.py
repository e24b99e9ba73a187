"""Planner workbooks and written files under attack (issue 28, items 1, 7 and 12).

Export and import must give back what was exported, a formula without a value
must be refused by cell, a large sheet of the planner's own must be skipped
unread, a full disk must end in exit 2 naming the file, and the report must
escape markup in ids and names.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from carecap.cli import main

from tests.helpers import tiny_region_data
from tests.hostile.test_hostile_inputs import run_refused


def _write_region(path: Path, change: Any = None) -> Path:
    data = tiny_region_data()
    if change is not None:
        change(data)
    path.write_text(json.dumps(data))
    return path


def _formula_names(data: dict[str, Any]) -> None:
    """Gives P1 a name and ORG-V an id that a spreadsheet would run as formulas."""
    data["staff"][0]["name"] = "=Jansen"
    text = json.dumps(data).replace('"ORG-V"', '"=ORG-V"')
    data.clear()
    data.update(json.loads(text))


def test_export_import_keeps_values_starting_with_equals(tmp_path, capsys):
    """Tests that a name and an organisation id starting with = come back from
    carecap's own workbook unchanged (item 1, first half)."""
    region = _write_region(tmp_path / "region.json", _formula_names)
    workbook = tmp_path / "planner.xlsx"
    assert main(["export", str(region), "-o", str(workbook)]) == 0
    assert main(["import", str(workbook), "-o", str(tmp_path / "back.json")]) == 0
    back = json.loads((tmp_path / "back.json").read_text())
    assert back["staff"][0]["name"] == "=Jansen"
    assert back["organisations"][0]["id"] == "=ORG-V"


@pytest.fixture
def planner_workbook(tmp_path, capsys):
    """The tiny region exported as a planner workbook."""
    region = _write_region(tmp_path / "region.json")
    workbook = tmp_path / "planner.xlsx"
    assert main(["export", str(region), "-o", str(workbook)]) == 0
    capsys.readouterr()
    return workbook


def test_formula_without_cached_value_is_refused_by_cell(
    planner_workbook, tmp_path, capsys
):
    """Tests that a formula cell that was never calculated (=34+0 as desired hours,
    as a script writes it) is refused naming the cell, not read as empty (item 1)."""
    from openpyxl import load_workbook

    book = load_workbook(planner_workbook)
    sheet = book["staff"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("desired_hours") + 1
    sheet.cell(row=2, column=column).value = "=34+0"
    book.save(planner_workbook)
    output = tmp_path / "back.json"
    output.write_text("earlier\n")
    code, err = run_refused(
        ["import", str(planner_workbook), "-o", str(output)], capsys, tmp_path
    )
    assert code == 2
    assert "Traceback" not in err
    assert f"{planner_workbook}: staff!I2: a formula without a calculated value" in err


def _add_sheet(path: Path, title: str, rows: int) -> None:
    """Adds a worksheet of ``rows`` numbers to an .xlsx file, written as raw XML."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    number = 1 + sum(n.startswith("xl/worksheets/sheet") for n in parts)
    part = f"worksheets/sheet{number}.xml"
    rid = "rIdHuge"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/{part}" ContentType="application/vnd.openxml'
        'formats-officedocument.spreadsheetml.worksheet+xml"/></Types>'.encode(),
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/office'
        f'Document/2006/relationships/worksheet" Target="/xl/{part}"/>'
        "</Relationships>".encode(),
    )
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>",
        f'<sheet name="{title}" sheetId="{number + 100}" r:id="{rid}"/></sheets>'.encode(),
    )
    body = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1)
    )
    parts[f"xl/{part}"] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:A{rows}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def test_large_extra_sheet_is_skipped_unread(
    planner_workbook, tmp_path, monkeypatch, capsys
):
    """Tests that a sheet that is not a template sheet (here 200,000 rows) is skipped
    without reading its rows, and the import still succeeds (item 12)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    _add_sheet(planner_workbook, "my_notes", 200_000)
    book = load_workbook(planner_workbook, read_only=True)
    assert "my_notes" in book.sheetnames
    assert book["my_notes"].max_row == 200_000
    book.close()
    read: list[str] = []
    original = ReadOnlyWorksheet._cells_by_row

    def spy(self, *args, **kwargs):
        read.append(self.title)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", spy)
    output = tmp_path / "back.json"
    assert main(["import", str(planner_workbook), "-o", str(output)]) == 0
    assert "my_notes" not in read
    assert "staff" in read
    assert json.loads(output.read_text())["name"] == "tiny"


class _FullDisk:
    """A file handle that fails with ENOSPC after ``room`` bytes, like /dev/full."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data: bytes) -> int:
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


@pytest.mark.parametrize("target", ["planner.xlsx", "planner_csv"])
def test_full_disk_during_export_is_exit_2_naming_the_file(
    target, tmp_path, monkeypatch, capsys
):
    """Tests that a disk that fills up during export ends in exit 2 naming the file
    and the cause, leaves no file behind and prints no (ignored) traceback (item 7)."""
    import carecap.io

    region = _write_region(tmp_path / "region.json")
    fdopen = os.fdopen
    monkeypatch.setattr(
        carecap.io.os, "fdopen", lambda fd, mode: _FullDisk(fdopen(fd, mode), 200)
    )
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    out = tmp_path / "out"
    out.mkdir()
    code = main(["export", str(region), "-o", str(out / target)])
    gc.collect()  # clean-up of half-written zips runs when they are collected
    err = capsys.readouterr().err
    assert code == 2
    assert "No space left on device" in err
    assert str(out / target) in err
    assert "Traceback" not in err
    assert unraisable == []
    leftovers = [p for p in out.rglob("*") if p.is_file()]
    assert leftovers == []


def test_report_escapes_markup_in_ids_and_names(tmp_path, capsys):
    """Tests that script tags in a region name and a shift id reach the report only
    escaped (a held case of the campaign)."""
    payload = "<script>alert(1)</script>"

    def inject(data: dict[str, Any]) -> None:
        data["name"] = payload
        text = json.dumps(data).replace('"S3"', json.dumps(payload))
        data.clear()
        data.update(json.loads(text))

    region = _write_region(tmp_path / "region.json", inject)
    out = tmp_path / "out"
    assert main(["solve", str(region), "-o", str(out), "--time-limit", "5"]) == 0
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert payload not in page
    assert "&lt;script&gt;" in page

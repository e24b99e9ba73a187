"""Tests that ids and names starting with = + - @ survive every file carecap writes
(issue 26, item 5): solve, evaluate, export, import, whatif, analyze and report on a
tiny region whose every id and name looks like a formula.

A CSV cell written by carecap never starts with a formula character unless it is a
number or carries one ``'`` in front; workbook cells are text with the quote prefix;
every carecap reader gives the original value back.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from carecap.cli import main
from carecap.csvfile import FORMULA_TRIGGERS, read_records, restore
from carecap.io import read_region
from carecap.report import read_roster_table, read_whatif_table
from openpyxl import load_workbook

from tests.helpers import tiny_region_data

IDS = {
    "ORG-V": '=HYPERLINK("x","V")',
    "ORG-H": "@SUM(1)",
    "LOC-V": "+31LOC",
    "LOC-H": "-LOC",
    "W-V": "-1",
    "W-H": "=W",
    "T-E": "-0700",
    "T-L": "+L",
    "T-N": "@N",
    "S1": '=HYPERLINK("S1")',
    "S2": "-S2",
    "S3": "+31S3",
    "S4": "@S4",
    "P1": "-0042",
    "P2": "=P2",
    "P3": "+31612345678",
    "P4": "@P4",
    "dementia": "-dementia",
}
"""The tiny region's ids and the formula-like ids they become."""

ORGANISATION_NAMES = ["=Verpleeghuis", "+31 Ziekenhuis"]
STAFF_NAMES = ["=Jansen", "-Piet", "+Klaas", "@Uitzend"]

SCENARIOS = """
scenarios:
  - name: '=HYPERLINK("x")'
    description: "+4 h for those who want more"
    changes:
      - {kind: contract_uplift, group: wants_more, hours: 4}
  - name: '-1'
    changes:
      - {kind: flex_pool, percent: 10}
  - name: '@SUM(1)'
    changes:
      - {kind: flex_pool, percent: 20}
"""


def _hostile_region_data() -> dict:
    """Returns the tiny region with every id, and the names, made formula-like."""
    text = json.dumps(tiny_region_data())
    for old, new in IDS.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    data = json.loads(text)
    data["name"] = "=tiny"
    for organisation, name in zip(
        data["organisations"], ORGANISATION_NAMES, strict=True
    ):
        organisation["name"] = name
    for person, name in zip(data["staff"], STAFF_NAMES, strict=True):
        person["name"] = name
    return data


def _run(*argv) -> int:
    """Runs ``carecap argv`` in-process and returns its exit code."""
    return main([str(arg) for arg in argv])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every command run once on the hostile region; paths and exit codes."""
    root = tmp_path_factory.mktemp("safe")
    region = root / "region.json"
    region.write_text(json.dumps(_hostile_region_data()), encoding="utf-8")
    (root / "scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    solve = ["solve", region, "--time-limit", 10, "--seed", 1, "--workers", 1]
    codes = {
        "solve": _run(*solve, "--deterministic", "-o", root / "solve"),
        "evaluate": _run(
            "evaluate", region, root / "solve" / "roster.csv", "-o", root / "evaluate"
        ),
        "pin": _run(*solve, "--pin", root / "solve" / "roster.csv", "-o", root / "pin"),
        "export": _run(
            "export",
            region,
            "--roster",
            root / "solve" / "roster.csv",
            "-o",
            root / "export",
        ),
        "template_xlsx": _run("export", region, "-o", root / "template.xlsx"),
        "template_csv": _run("export", region, "-o", root / "template"),
        "import_xlsx": _run("import", root / "template.xlsx", "-o", root / "a.json"),
        "import_csv": _run("import", root / "template", "-o", root / "b.json"),
        "whatif": _run(
            "whatif", region, root / "scenarios.yaml", "-o", root / "whatif", "--quick"
        ),
        "analyze": _run("analyze", region, "-o", root / "analyze"),
        "report": _run("report", root / "solve", "--region", region),
    }
    return root, codes


def _csv_cells(path: Path) -> list[str]:
    """Returns every raw cell of a CSV file, as the csv module splits it."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_command_succeeds(runs):
    """Tests that each command exits 0 on a region of formula-like ids and names."""
    _, codes = runs
    assert codes == dict.fromkeys(codes, 0)


def test_no_csv_cell_starts_a_formula(runs):
    """Tests that every CSV cell starting with = + - @ TAB or CR is a number or quoted."""
    root, _ = runs
    files = sorted(root.rglob("*.csv"))
    assert len(files) > 30
    for path in files:
        for cell in _csv_cells(path):
            assert not cell.startswith(FORMULA_TRIGGERS) or _is_number(cell), (
                f"{path.relative_to(root)}: {cell!r}"
            )


@pytest.mark.parametrize(
    ("file", "column", "expected"),
    [
        ("solve/roster.csv", "shift_id", {IDS[s] for s in ("S1", "S2", "S3", "S4")}),
        ("solve/roster.csv", "ward", {IDS["W-V"], IDS["W-H"]}),
        ("export/region/settlement.csv", "lending_organisation", {IDS["ORG-V"]}),
        ("analyze/slots.csv", "organisation", {IDS["ORG-V"], IDS["ORG-H"]}),
        (
            "whatif/whatif.csv",
            "scenario",
            {"baseline", '=HYPERLINK("x")', "-1", "@SUM(1)"},
        ),
        ("template/staff.csv", "name", set(STAFF_NAMES)),
    ],
)
def test_csv_reads_back_the_original_values(runs, file, column, expected):
    """Tests that carecap's CSV reader gives every id and name back unchanged."""
    root, _ = runs
    _, records = read_records(root / file)
    assert {record[column] for _, record in records} == expected


def test_written_cells_carry_one_quote(runs):
    """Tests that a formula-like id is written with exactly one ' and restores to it."""
    root, _ = runs
    cells = _csv_cells(root / "solve" / "roster.csv")
    assert "'-0042" in cells and "'=W" in cells
    assert "''-0042" not in cells
    assert restore("'-0042") == "-0042"


def test_workbook_cells_are_text_with_quote_prefix(runs):
    """Tests that formula-like cells of every exported workbook are quoted text."""
    root, _ = runs
    seen = set()
    for path in sorted(root.rglob("*.xlsx")):
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name} {cell.coordinate}"
                    if isinstance(cell.value, str) and cell.value.startswith(
                        FORMULA_TRIGGERS
                    ):
                        assert cell.data_type == "s" and cell.quotePrefix, (
                            f"{path.name} {sheet.title}!{cell.coordinate}"
                        )
                        seen.add(cell.value)
                    elif isinstance(cell.value, int | float):
                        assert not cell.quotePrefix
    assert set(IDS.values()) | {*ORGANISATION_NAMES, *STAFF_NAMES, "=tiny"} <= seen


def test_import_gives_the_region_back(runs):
    """Tests that the template workbook and CSV files import as the same region."""
    root, _ = runs
    region = read_region(root / "region.json")
    assert read_region(root / "a.json") == region
    assert read_region(root / "b.json") == region


def test_report_readers_restore_ids(runs):
    """Tests that the report's roster and what-if readers give the original ids."""
    root, _ = runs
    roster = read_roster_table(root / "solve")
    assert set(roster["shift_id"]) == {IDS[s] for s in ("S1", "S2", "S3", "S4")}
    table = read_whatif_table(root / "whatif" / "whatif.csv")
    assert list(table["scenario"]) == ["baseline", '=HYPERLINK("x")', "-1", "@SUM(1)"]
    assert table["open_slots"].dtype.kind in "if"

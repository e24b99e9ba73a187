"""Tests of the ``import``, ``template`` and ``export`` subcommands, run in-process."""

from __future__ import annotations

import openpyxl
import pytest
from carecap.cli import main
from carecap.compile import compile_region
from carecap.instances import EXAMPLE_REGION
from carecap.io import read_region
from carecap.params import SolveParams
from carecap.roster import write_roster
from carecap.solve import solve
from carecap.workbook import write_workbook


def test_template_command(tmp_path, capsys):
    """Tests that ``carecap template`` writes the workbook and exits 0."""
    path = tmp_path / "template.xlsx"
    assert main(["template", "-o", str(path)]) == 0
    assert "README" in openpyxl.load_workbook(path, read_only=True).sheetnames
    assert str(path) in capsys.readouterr().out


def test_export_then_import_gives_the_same_region(tmp_path, capsys):
    """Tests the planner round trip through the CLI: export, import, same region."""
    workbook = tmp_path / "region.xlsx"
    again = tmp_path / "again.json"
    assert main(["export", str(EXAMPLE_REGION), "-o", str(workbook)]) == 0
    assert main(["import", str(workbook), "-o", str(again)]) == 0
    assert read_region(again) == read_region(EXAMPLE_REGION)
    assert "open slots" in capsys.readouterr().out


def test_import_of_broken_workbook_exits_2_with_every_error(
    tiny_region, tmp_path, capsys
):
    """Tests that a broken workbook gives exit 2, one stderr line per problem."""
    workbook = tmp_path / "region.xlsx"
    write_workbook(tiny_region, workbook)
    book = openpyxl.load_workbook(workbook)
    book["staff"]["H2"] = "veel"  # contract_hours
    book["organisations"]["C3"] = "bakkerij"  # sector
    book["shifts"]["F2"] = "twee"  # count
    book.save(workbook)
    capsys.readouterr()
    out = tmp_path / "region.json"
    assert main(["import", str(workbook), "-o", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f'{workbook}: organisations!C3: sector "bakkerij" is not a sector; use one of '
        "VVT, GHZ, hospital, GGZ, home_care",
        f'{workbook}: shifts!F2: count "twee" is not a number',
        f'{workbook}: staff!H2: contract hours "veel" is not a number',
    ]
    assert not out.exists()


def test_import_of_missing_file_exits_2(tmp_path, capsys):
    """Tests that a missing workbook is bad input."""
    assert (
        main(["import", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path / "r.json")])
        == 2
    )
    assert "no such file" in capsys.readouterr().err


@pytest.fixture(scope="module")
def roster_csv(tmp_path_factory):
    """A greedy roster of the bundled example, as ``carecap solve`` writes it."""
    compiled = compile_region(read_region(EXAMPLE_REGION))
    result = solve(compiled, SolveParams(), seed=1, backend="greedy")
    path = tmp_path_factory.mktemp("solve") / "roster.csv"
    write_roster(compiled, result.slot_assignee, path, result.reasons())
    return path


def test_export_roster_workbooks(roster_csv, tmp_path, capsys):
    """Tests ``carecap export --roster``: a workbook per organisation and the region's."""
    out = tmp_path / "out"
    code = main(
        ["export", str(EXAMPLE_REGION), "--roster", str(roster_csv), "-o", str(out)]
    )
    assert code == 0
    region = read_region(EXAMPLE_REGION)
    names = sorted(p.name for p in (out / "organisations").glob("*.xlsx"))
    assert names == sorted(f"{o.id}.xlsx" for o in region.organisations)
    assert (out / "region.xlsx").exists()
    assert (out / "region" / "settlement.csv").exists()
    assert "workbook(s)" in capsys.readouterr().out
    # The reasons of solve's roster.csv reach the organisations' uncovered sheets.
    reasons = {
        line.split(",")[12]
        for path in (out / "organisations").glob("*/uncovered.csv")
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
    }
    assert reasons and "" not in reasons


def test_export_roster_to_a_workbook_path_exits_2(roster_csv, tmp_path, capsys):
    """Tests that --roster with an .xlsx output is a usage error."""
    code = main(
        [
            "export",
            str(EXAMPLE_REGION),
            "--roster",
            str(roster_csv),
            "-o",
            str(tmp_path / "x.xlsx"),
        ]
    )
    assert code == 2
    assert "is a directory" in capsys.readouterr().err

"""What ``carecap solve`` leaves behind when a run is cut or finds little (issue 28,
items 8 and 10): roster.csv and summary.json as a pair that `report`, `evaluate`
and `export` can tell apart from a mix, and no figure for a level without one.

The cut between the two writes is made in-process: the write of summary.json raises
an exception that nothing in carecap catches, as a ``kill -9`` at that moment ends
the process.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from carecap.cli import main
from carecap.instances import EXAMPLE_REGION
from carecap.roster import RUN_ID_COLUMN

from tests.helpers import tiny_region_data
from tests.hostile.processes import medium_region

FAST = ["--time-limit", "5", "--workers", "1", "--seed", "1"]
"""Solver settings of the bundled example's solves here (each proves in < 1 s)."""

MIXED = "not from one `carecap solve`"
"""What `report`, `evaluate` and `export` say of a mixed pair."""


class Cut(BaseException):
    """The process ending at a chosen write (nothing in carecap catches it)."""


def _run(*argv: object) -> int:
    return main([str(arg) for arg in argv])


def _summary(folder) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def cut_pair(tmp_path, monkeypatch):
    """An output folder where a second solve was cut after writing roster.csv and
    before summary.json: the new roster beside the earlier run's summary."""
    out = tmp_path / "out"
    assert _run("solve", "-o", out, *FAST, "--levels", "uncovered") == 0
    earlier = (out / "roster.csv").read_bytes()

    import carecap.cli

    real = carecap.cli.write_text_atomic

    def cut_at_summary(path, text):
        if path.name == "summary.json":
            raise Cut
        return real(path, text)

    monkeypatch.setattr(carecap.cli, "write_text_atomic", cut_at_summary)
    with pytest.raises(Cut):
        _run("solve", "-o", out, *FAST)
    monkeypatch.undo()
    assert (out / "roster.csv").read_bytes() != earlier  # the precondition
    return out


def test_report_evaluate_export_refuse_a_cut_pair(cut_pair, tmp_path, capsys):
    """Tests that a roster beside the summary of another run (a solve killed between
    its two writes) is refused with exit 2 by report, evaluate and export, naming
    both files: before, report rendered the mix as one result."""
    capsys.readouterr()
    roster = cut_pair / "roster.csv"
    exports = tmp_path / "exports"
    codes = {
        "report": _run("report", cut_pair),
        "evaluate": _run("evaluate", EXAMPLE_REGION, roster),
        "export": _run("export", EXAMPLE_REGION, "--roster", roster, "-o", exports),
    }
    err = capsys.readouterr().err
    assert codes == dict.fromkeys(codes, 2), err
    assert err.count(MIXED) == 3
    assert str(roster) in err and str(cut_pair / "summary.json") in err
    assert "Traceback" not in err
    assert not (cut_pair / "report.html").exists() and not exports.exists()


def test_a_pair_of_one_run_is_accepted(tmp_path, capsys):
    """Tests that the roster and summary of one solve carry the same run id and are
    accepted by report, evaluate and export; and that a roster without the run_id
    column (hand-made, or of an older carecap) is still read."""
    out = tmp_path / "out"
    assert _run("solve", "-o", out, *FAST) == 0
    header = (out / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("," + RUN_ID_COLUMN)
    assert _summary(out)["run_id"].startswith("run-")
    assert _run("report", out) == 0
    assert _run("evaluate", EXAMPLE_REGION, out / "roster.csv") in (0, 1)
    assert _run("export", EXAMPLE_REGION, "--roster", out / "roster.csv", "-o",
                tmp_path / "exports") == 0  # fmt: skip

    lines = (out / "roster.csv").read_text(encoding="utf-8").splitlines()
    hand_made = out / "hand.csv"
    hand_made.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )
    assert _run("evaluate", EXAMPLE_REGION, hand_made) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


def test_no_roster_leaves_no_earlier_roster_beside_its_summary(
    tmp_path, monkeypatch, capsys
):
    """Tests that a solve that finds no roster (exit 3) renames an earlier run's
    roster.csv to roster.stale.csv, saying so, and that report then shows the
    failed solve: before, the earlier roster stayed and report rendered it with the
    new summary."""
    out = tmp_path / "out"
    assert _run("solve", "-o", out, *FAST) == 0
    earlier = (out / "roster.csv").read_bytes()

    import carecap.solve

    real = carecap.solve.solve

    def no_roster(*args, **kwargs):
        result = real(*args, **kwargs)
        return dataclasses.replace(result, status=carecap.solve.SolveStatus.UNKNOWN)

    monkeypatch.setattr(carecap.solve, "solve", no_roster)
    capsys.readouterr()
    assert _run("solve", "-o", out, *FAST) == 3
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert not (out / "roster.csv").exists()
    assert (out / "roster.stale.csv").read_bytes() == earlier
    assert "roster.stale.csv" in err
    assert _summary(out)["run_id"] is None
    assert _run("report", out) == 0
    assert "UNKNOWN" in (out / "report.html").read_text(encoding="utf-8")


def test_zero_open_slots_say_so(tmp_path, caplog):
    """Tests that a region without open slots solves as OPTIMAL, saying there is
    nothing to roster, instead of "no CP-SAT roster within the limits: the greedy
    roster is kept"."""
    data = tiny_region_data()
    data["shifts"] = [shift for shift in data["shifts"] if shift["id"] == "S2"]
    data["base_roster"] = [row for row in data["base_roster"] if row["shift"] == "S2"]
    data["sickness"] = []
    region = tmp_path / "region.json"
    region.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    assert _run("solve", region, "-o", out, *FAST) == 0
    assert "no open slots" in caplog.text
    assert "greedy roster is kept" not in caplog.text
    summary = _summary(out)
    assert summary["status"] == "OPTIMAL" and summary["kpis"]["slots"] == 0
    assert _run("report", out) == 0


def test_unsolved_level_reports_no_value(tmp_path_factory, tmp_path, capsys):
    """Tests that a level without a solution in its time reports no value (null in
    summary.json, '-' on the console), where one used to read 16,666,666,666.67 ANW
    excess hours: the M region at 0.7 s of deterministic time solves the first
    levels only."""
    region = medium_region(tmp_path_factory)
    out = tmp_path / "out"
    argv = ["--time-limit", "0.7", "--deterministic", "--workers", "1", "--seed", "1"]
    assert _run("solve", region, "-o", out, *argv) == 0
    console = capsys.readouterr().out
    levels = _summary(out)["levels"]
    solved = [lv["status"] in ("OPTIMAL", "FEASIBLE") for lv in levels]
    assert solved[0] and not all(solved), levels  # the case this test is about
    for level, ok in zip(levels, solved, strict=True):
        if ok:
            assert abs(level["objective"]) < 1e9
            continue
        assert level["objective"] is None and level["bound"] is None, level
        line = next(row for row in console.splitlines() if f" {level['name']} " in row)
        assert line.split()[1:4] == ["-", "bound", "-"], line

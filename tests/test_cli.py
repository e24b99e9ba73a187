"""Tests of the carecap command line: exit codes, stdout/stderr, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from carecap.cli import EXIT_BAD_INPUT, EXIT_OK, main
from carecap.instances import EXAMPLE_REGION

from tests.helpers import BAD_FILES, make_bad_file, record, tiny_october_data

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    """Runs ``carecap argv`` in-process; returns exit code, stdout and stderr.

    argparse ends --help and usage errors with SystemExit; its code is the exit code.
    """
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_lists_the_subcommands(capsys):
    """Tests that --help exits 0 and lists generate, validate and schema."""
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK
    for command in ("generate", "validate", "schema"):
        assert command in out


def test_validate_the_example(capsys):
    """Tests that validate on the bundled example exits 0 and prints the summary."""
    code, out, err = run(capsys, "validate", EXAMPLE_REGION)
    assert code == EXIT_OK
    assert f"{EXAMPLE_REGION}: valid" in out
    assert "Region 'carecap-S-seed1'" in out
    assert "open slots" in out
    assert "Traceback" not in err


def test_validate_json_prints_the_facts(capsys, example_region):
    """Tests that validate --json prints the headline counts as JSON."""
    code, out, _ = run(capsys, "validate", "--json", EXAMPLE_REGION)
    assert code == EXIT_OK
    facts = json.loads(out)
    assert facts["name"] == example_region.name
    assert facts["open_slots"] == len(example_region.open_slots)


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_validate_bad_file_exits_2_without_traceback(capsys, tmp_path, name):
    """Tests that validate on each bad file exits 2 with the message on stderr only."""
    path = make_bad_file(tmp_path, name)
    code, out, err = run(capsys, "validate", path)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert "Traceback" not in err
    _, fragments = BAD_FILES[name]
    assert err.startswith(f"{path}: ")
    assert all(fragment in err for fragment in fragments), err


def test_validate_reports_every_problem_on_stderr(capsys, tmp_path, tiny_data):
    """Tests that validate prints one stderr line per problem, each naming the file."""
    tiny_data["wards"][0]["location"] = "NOPE"
    tiny_data["base_roster"][1]["shift"] = "NOPE"
    path = tmp_path / "region.json"
    path.write_text(json.dumps(tiny_data), encoding="utf-8")
    code, _, err = run(capsys, "validate", path)
    assert code == EXIT_BAD_INPUT
    lines = err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_validate_warns_about_a_shift_too_long_on_its_date_only(capsys, tmp_path):
    """Tests that validate exits 0 and warns on stderr, naming shift, date and rule,
    about a night that breaks a length rule only across the clock change (issue 26,
    item 3)."""
    data = tiny_october_data()
    data["rules"] = {"max_night_shift_hours": 9}  # S4 lasts 9.25 h on 24-25 October
    path = tmp_path / "region.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "validate", path)
    assert code == EXIT_OK
    assert f"{path}: valid" in out
    (line,) = err.splitlines()
    assert line.startswith(f"{path}: warning: shift 'S4' on 2026-10-24 lasts 9.25 h")
    assert "night maximum of 9 h (H3)" in line
    assert "agency staff included" in line


def _long_night(data):
    """A 20:00-08:00 night template: 12 h, above the 10 h night maximum (and, at
    the VVT ward, the CAO's 10 h)."""
    record(data, "shift_templates", "T-N").update(start="20:00", end="08:00")


def _long_early(data):
    """A 07:00-17:30 early at the VVT ward: 10.5 h, above the CAO's 10 h."""
    record(data, "shift_templates", "T-E").update(end="17:30")


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (_long_night, ("(id 'T-N')", "night maximum of 10 h (H3")),
        (_long_early, ("(id 'T-E')", "CAO maximum of 10 h (H2)", "'ORG-V'")),
    ],
    ids=["H3", "H2-CAO"],
)
@pytest.mark.parametrize("command", ["validate", "solve", "evaluate"])
def test_template_too_long_on_every_date_exits_2(
    capsys, tmp_path, tiny_data, edit, fragments, command
):
    """Tests that a template breaking a length rule on every date is a validation
    error in validate, solve and evaluate alike: exit 2, naming template and rule
    (issue 26, item 3)."""
    edit(tiny_data)
    path = tmp_path / "region.json"
    path.write_text(json.dumps(tiny_data), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("shift_id,staff_id\n", encoding="utf-8")
    argv = {
        "validate": ("validate", path),
        "solve": ("solve", path, "-o", tmp_path / "out", "--seed", "1"),
        "evaluate": ("evaluate", path, roster),
    }[command]
    code, _, err = run(capsys, *argv)
    assert code == EXIT_BAD_INPUT
    assert "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith(f"{path}: shift_templates[") for line in lines)
    assert any(all(fragment in line for fragment in fragments) for line in lines), err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param((), id="no-command"),
        pytest.param(("frobnicate",), id="unknown-command"),
        pytest.param(("validate",), id="validate-without-file"),
        pytest.param(("generate", "--preset", "S"), id="generate-without-seed"),
        pytest.param(
            ("generate", "--preset", "XXL", "--seed", "1", "-o", "r.json"),
            id="unknown-preset",
        ),
        pytest.param(
            ("generate", "--preset", "S", "--seed", "x", "-o", "r.json"),
            id="seed-not-int",
        ),
        pytest.param(
            (
                "generate",
                "--preset",
                "S",
                "--seed",
                "1",
                "--weeks",
                "7",
                "-o",
                "r.json",
            ),
            id="weeks-7",
        ),
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    """Tests that unknown subcommands and missing or bad arguments exit 2 with usage."""
    code, out, err = run(capsys, *argv)
    assert code == EXIT_BAD_INPUT
    assert "usage: carecap" in err
    assert "Traceback" not in err
    assert out == ""


def test_schema_prints_the_region_schema(capsys):
    """Tests that schema prints a JSON Schema with the region's top-level properties."""
    code, out, _ = run(capsys, "schema")
    assert code == EXIT_OK
    schema = json.loads(out)
    assert {"format_version", "staff", "shifts", "horizon"} <= set(schema["properties"])


def test_schema_output_file(capsys, tmp_path):
    """Tests that schema -o writes the same schema to a file."""
    path = tmp_path / "schema.json"
    code, out, _ = run(capsys, "schema", "-o", path)
    assert code == EXIT_OK
    assert str(path) in out
    _, printed, _ = run(capsys, "schema")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(printed)


def test_schema_to_unwritable_path_exits_2(capsys, tmp_path):
    """Tests that an output path under a plain file exits 2 without a traceback."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "schema", "-o", blocker / "schema.json")
    assert code == EXIT_BAD_INPUT
    assert "carecap: error:" in err
    assert "Traceback" not in err


def test_generate_then_validate(capsys, tmp_path):
    """Tests that generate writes a region that validate accepts."""
    path = tmp_path / "out" / "r.json"
    code, out, err = run(capsys, "generate", "--preset", "S", "--seed", "3", "-o", path)
    assert code == EXIT_OK, err
    assert path.is_file()
    assert f"wrote {path}" in out
    code, out, _ = run(capsys, "validate", path)
    assert code == EXIT_OK
    assert "carecap-S-seed3" in out


def test_generate_with_non_monday_start_exits_2(capsys, tmp_path):
    """Tests that generate with a non-Monday --start exits 2 and writes nothing."""
    path = tmp_path / "r.json"
    code, _, err = run(
        capsys,
        "generate",
        "--preset",
        "S",
        "--seed",
        "3",
        "--start",
        "2026-03-24",
        "-o",
        path,
    )
    assert code == EXIT_BAD_INPUT
    assert "Tuesday" in err and "Monday" in err
    assert not path.exists()


def test_module_entry_point_exits_2_on_bad_file(tmp_path):
    """Tests that `python -m carecap.cli validate` on a bad file exits 2 without traceback."""
    path = make_bad_file(tmp_path, "truncated")
    result = subprocess.run(
        [sys.executable, "-m", "carecap.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_BAD_INPUT
    assert "Traceback" not in result.stderr
    assert "not valid JSON at line" in result.stderr
    assert result.stdout == ""

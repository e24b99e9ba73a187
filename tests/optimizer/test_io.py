"""Tests of reading and writing region files: round trip, atomic writes, bad files."""

from __future__ import annotations

import json
import os

import pytest
from carecap.exceptions import InputError
from carecap.io import parse_region, read_region, write_region

from tests.helpers import BAD_FILES, make_bad_file, parse, tiny_region_data


@pytest.fixture(params=["tiny", "example"])
def region(request, tiny_region, example_region):
    """The tiny region and the bundled example, in turn."""
    return tiny_region if request.param == "tiny" else example_region


def test_round_trip_gives_an_equal_region(region, tmp_path):
    """Tests that writing a region and reading it back gives an equal region."""
    path = tmp_path / "region.json"
    write_region(region, path)
    again = read_region(path)
    assert again == region
    assert again.open_slots == region.open_slots


def test_writing_twice_is_byte_identical(region, tmp_path):
    """Tests that the same region, also after a round trip, writes the same bytes."""
    first, second, third = (tmp_path / f"{k}.json" for k in range(3))
    write_region(region, first)
    write_region(region, second)
    write_region(read_region(first), third)
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_written_file_states_the_format_version(tiny_region, tmp_path):
    """Tests that a written file is a JSON object starting with its format version."""
    path = tmp_path / "region.json"
    write_region(tiny_region, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert next(iter(data)) == "format_version"
    assert data["format_version"] == "1.0"


def test_write_creates_parent_folders_and_leaves_no_temp_file(tiny_region, tmp_path):
    """Tests that a successful write leaves only the target file behind."""
    path = tmp_path / "a" / "b" / "region.json"
    write_region(tiny_region, path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["region.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_file_has_the_usual_permissions(tiny_region, tmp_path):
    """Tests that the written file gets umask permissions, not mkstemp's owner-only 0600."""
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "region.json"
    write_region(tiny_region, path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_keeps_the_old_file(tiny_region, tmp_path, monkeypatch, failing):
    """Tests that a write failing mid-way keeps the old content and removes the temp file."""
    path = tmp_path / "region.json"
    write_region(tiny_region, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        write_region(tiny_region.replace(name="changed"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["region.json"]


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_gives_one_clear_input_error(tmp_path, name):
    """Tests that each bad file raises an InputError with one message naming file and fault."""
    path = make_bad_file(tmp_path, name)
    with pytest.raises(InputError) as caught:
        read_region(path)
    error = caught.value
    _, fragments = BAD_FILES[name]
    assert len(error.problems) == 1, str(error)
    assert error.source == str(path)
    assert str(error).startswith(f"{path}: ")
    assert all(fragment in str(error) for fragment in fragments), str(error)
    assert "Traceback" not in str(error)


def test_truncated_json_names_the_exact_line_and_column(tmp_path):
    """Tests that the line and column of truncated JSON are where the parser stopped."""
    path = make_bad_file(tmp_path, "truncated")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(
        InputError,
        match=rf"line {expected.value.lineno}, column {expected.value.colno}",
    ):
        read_region(path)
    assert expected.value.lineno > 1


def test_input_error_is_a_value_error():
    """Tests that InputError is a ValueError carrying source and problem lines."""
    error = InputError("f.json", ["a: one", "b: two"])
    assert isinstance(error, ValueError)
    assert str(error) == "f.json: a: one\nf.json: b: two"


def test_parse_region_accepts_text_and_names_its_source():
    """Tests that parse_region validates text and prefixes errors with the given source."""
    assert parse(tiny_region_data()).name == "tiny"
    data = tiny_region_data()
    data["name"] = ""
    with pytest.raises(InputError, match=r"^elsewhere\.json: name: "):
        parse_region(json.dumps(data), "elsewhere.json")

"""Tests of the README section writer shared by the benchmark reports
(``benchmarks/readme_section.py``)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def replace_section():
    """The writer, imported from benchmarks/ (not a package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("readme_section").replace_section


def test_only_the_text_between_the_markers_changes(tmp_path, replace_section):
    """Tests that the section is replaced and everything around it kept."""
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- t:start -->\nold\n<!-- t:end -->\nafter\n")
    replace_section(readme, "<!-- t:start -->", "<!-- t:end -->", "| new |")
    assert readme.read_text() == (
        "intro\n<!-- t:start -->\n| new |\n<!-- t:end -->\nafter\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]  # no temporary


@pytest.mark.parametrize("missing", ["<!-- t:start -->", "<!-- t:end -->"])
def test_a_missing_marker_names_it_and_leaves_the_file(
    tmp_path, replace_section, missing
):
    """Tests that a README without one of the markers is left as it was, with an
    error naming the file and the marker."""
    readme = tmp_path / "README.md"
    before = "intro\n<!-- t:start -->\nold\n<!-- t:end -->\n".replace(missing, "")
    readme.write_text(before)
    with pytest.raises(SystemExit, match=f"README.md: marker {missing}"):
        replace_section(readme, "<!-- t:start -->", "<!-- t:end -->", "| new |")
    assert readme.read_text() == before

"""Tests of the repeated-runs (spread) table of the Curtois benchmark report
(``benchmarks/nrp_report.py --seeds``), on made-up result rows."""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def report():
    """The report module, imported from benchmarks/ (not a package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("nrp_report")


def test_seeds_are_read_as_ranges_and_lists(report):
    """Tests ``0-3,7`` and a single seed."""
    assert report.parse_seeds("0-3,7") == [0, 1, 2, 3, 7]
    assert report.parse_seeds("5") == [5]


def test_the_spread_row_counts_the_runs_within_the_margins(report):
    """Tests best, median, worst and the runs within 2 % and 5 % of the best-known
    value, with a run without a roster counted as outside both."""
    finals = [1300, 1326, 1327, 1365, math.inf]
    rows = [
        {"instance": "Instance8", "seed": s, "final": v, "limit_s": 60.0, "load": 1.0}
        for s, v in enumerate(finals)
    ]
    known = {"Instance8": {"best_upper_bound": "1300"}}
    line = report.render_spread(rows, 2, known).splitlines()[-1]
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[:8] == ["8", "1300", "5", "1300", "1327", "-", "2 of 5", "4 of 5"]
    assert cells[8].startswith("1300 (0), 1326 (1)")
    assert cells[8].endswith("- (4)")

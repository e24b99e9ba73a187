"""The solver's rosters are clean under the rule book, read back from their CSV.

Generated S regions, seeds 1-5, in five awkward weeks (`benchmarks/rules_report.py`'s
`WEEKS`: an ordinary week, the autumn DST switch, King's Day, Ascension, Christmas),
each solved with a 10 s limit, written to ``roster.csv``, read back and evaluated, as
``carecap solve`` then ``carecap evaluate`` do. M and L run in the report itself.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def rules_report():
    """The report module, imported from benchmarks/ (not a package)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("rules_report")


@pytest.mark.parametrize(
    "start", ["2026-03-23", "2026-10-19", "2026-04-27", "2026-05-11", "2026-12-21"]
)
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_solved_s_region_is_clean(rules_report, seed, start):
    """Tests that evaluate(read(write(solve(region)))) finds nothing on S."""
    assert start in rules_report.WEEKS
    row = rules_report.measure("S", seed, start, time_limit=10, workers=2)
    assert row.violations == {}
    assert row.filled + row.agency + row.uncovered > 0

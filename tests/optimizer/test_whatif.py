"""Tests of `carecap.whatif` and ``carecap whatif``."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from carecap.cli import main
from carecap.instances import EXAMPLE_REGION
from carecap.params import SolveParams
from carecap.scenarios import BASELINE, Scenario
from carecap.whatif import (
    KPI_COLUMNS,
    QUICK_NOTE,
    result_columns,
    run_whatif,
    write_parquet_atomic,
)

PLUS4 = Scenario.model_validate(
    {
        "name": "plus4",
        "description": "+4 h for those who want more",
        "changes": [{"kind": "contract_uplift", "group": "wants_more", "hours": 4}],
    }
)
NO_AGENCY = Scenario.model_validate(
    {"name": "no-agency", "changes": [{"kind": "agency", "max_share": 0}]}
)
FAST_CPSAT = SolveParams(time_limit=5, workers=1, deterministic=True)

SCENARIO_YAML = """
scenarios:
  - name: plus4
    description: "+4 h for those who want more"
    changes:
      - {kind: contract_uplift, group: wants_more, hours: 4}
  - name: pool-plus10pct
    changes:
      - {kind: flex_pool, percent: 10}
"""


@pytest.fixture(scope="module")
def greedy_whatif(example_region):
    """The example region's baseline, '+4 h for those who want more' and no agency,
    screened with the greedy filler."""
    return run_whatif(example_region, [PLUS4, NO_AGENCY], seed=0, backend="greedy")


def test_table_has_baseline_first_with_zero_deltas(greedy_whatif):
    """Tests the table's shape: baseline first, every KPI with a zero delta there."""
    frame = greedy_whatif.to_frame()
    assert list(frame.columns) == result_columns()
    assert list(frame["scenario"]) == [BASELINE, "plus4", "no-agency"]
    base = frame.iloc[0]
    for kpi in KPI_COLUMNS:
        delta = base[f"{kpi}_delta"]
        assert delta is None or pd.isna(delta) or delta == 0, kpi
    assert base["fte_gain"] == 0
    assert frame["quick"].all() and set(frame["backend"]) == {"greedy"}


def test_deltas_and_fte_gain_follow_the_values(greedy_whatif, example_region):
    """Tests deltas against the baseline and the FTE gain (36 h a week) by hand."""
    frame = greedy_whatif.to_frame().set_index("scenario")
    weeks = example_region.horizon.weeks
    for name in ("plus4", "no-agency"):
        row, base = frame.loc[name], frame.loc[BASELINE]
        for kpi in ("uncovered_hours", "agency_hours", "gap_hours", "pool_utilisation"):
            assert row[f"{kpi}_delta"] == pytest.approx(row[kpi] - base[kpi])
        assert row["gap_hours"] == pytest.approx(
            row["uncovered_hours"] + row["agency_hours"]
        )
        gain = (base["gap_hours"] - row["gap_hours"]) / weeks / 36
        assert row["fte_gain"] == pytest.approx(gain)
    no_agency = frame.loc["no-agency"]
    assert no_agency["agency_hours"] == 0
    # Without agency nothing is gained: what agency covered is now uncovered or
    # filled by own people, never less gap than before.
    assert no_agency["gap_hours"] >= no_agency["uncovered_hours"]


def test_used_extra_hours_stay_within_the_offer(greedy_whatif):
    """Tests used <= usable <= offered, and ANW within used, for the uplift."""
    row = greedy_whatif.to_frame().set_index("scenario").loc["plus4"]
    assert row["offered_extra_hours"] > 0
    assert 0 <= row["used_extra_hours"] <= row["usable_extra_hours"]
    assert row["usable_extra_hours"] <= row["offered_extra_hours"]
    assert 0 <= row["used_extra_anw_hours"] <= row["used_extra_hours"]
    assert row["used_share"] == pytest.approx(
        row["used_extra_hours"] / row["offered_extra_hours"]
    )
    assert row["rounding_loss_hours"] == pytest.approx(
        row["offered_extra_hours"] - row["usable_extra_hours"]
    )


def test_more_hours_never_leave_more_care_uncovered(example_region):
    """Tests, with CP-SAT proving each level, that an uplift cannot raise uncovered
    care: it only loosens limits, and uncovered care is the first priority."""
    result = run_whatif(example_region, [PLUS4], FAST_CPSAT, seed=0)
    base, plus4 = result.rows
    assert base["status"] == plus4["status"] == "OPTIMAL"
    assert plus4["uncovered_hours"] <= base["uncovered_hours"]
    assert plus4["gap_hours"] <= base["gap_hours"]
    assert plus4["used_extra_hours"] > 0


def test_cli_whatif_quick_writes_tables(tmp_path, capsys):
    """Tests `carecap whatif --quick`: exit 0, the same table in CSV, Parquet and
    JSON, and the output saying it is a quick screening."""
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(SCENARIO_YAML)
    out = tmp_path / "out"
    code = main(
        ["whatif", str(EXAMPLE_REGION), str(scenarios), "-o", str(out), "--quick"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert QUICK_NOTE in printed
    assert "pool-plus10pct" in printed and "fte_gain" in printed
    csv = pd.read_csv(out / "whatif.csv")
    parquet = pd.read_parquet(out / "whatif.parquet")
    document = json.loads((out / "whatif.json").read_text())
    assert list(parquet["scenario"]) == [BASELINE, "plus4", "pool-plus10pct"]
    assert list(csv.columns) == list(parquet.columns)
    pd.testing.assert_series_equal(csv["gap_hours"], parquet["gap_hours"])
    assert document["quick"] is True and document["quick_note"] == QUICK_NOTE
    assert document["fte_hours_per_week"] == 36
    assert [row["scenario"] for row in document["rows"]] == list(parquet["scenario"])
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_cli_whatif_bad_scenario_exits_2(tmp_path, capsys):
    """Tests that a bad scenario file exits 2 naming file, scenario, change, field."""
    scenarios = tmp_path / "bad.yaml"
    scenarios.write_text(
        "scenarios:\n  - name: up\n    changes:\n"
        "      - {kind: contract_uplift, group: wants_more, hours: -4}\n"
    )
    code = main(["whatif", str(EXAMPLE_REGION), str(scenarios), "-o", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{scenarios}: scenarios[0] (name 'up').changes[0]" in err
    assert "(kind 'contract_uplift').hours:" in err
    assert not (tmp_path / "whatif.csv").exists()


def test_cli_whatif_unknown_only_exits_2(tmp_path, capsys):
    """Tests that --only with an unknown scenario name is bad input."""
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(SCENARIO_YAML)
    code = main(
        [
            "whatif",
            str(EXAMPLE_REGION),
            str(scenarios),
            "-o",
            str(tmp_path / "out"),
            "--only",
            "nope",
        ]
    )
    assert code == 2
    assert "--only: unknown scenario 'nope'" in capsys.readouterr().err


def test_parquet_write_is_atomic(tmp_path, monkeypatch):
    """Tests that a failed Parquet write keeps the old file and leaves no temp file."""
    path = tmp_path / "t.parquet"
    old = pd.DataFrame({"a": [1, 2]})
    write_parquet_atomic(old, path)

    def broken(self, target, **kwargs):
        target.write(b"PAR1 half")  # the open temporary file
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomic(pd.DataFrame({"a": [3]}), path)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(pd.read_parquet(path), old)
    assert os.listdir(tmp_path) == ["t.parquet"]

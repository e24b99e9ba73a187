"""Tests of the HTML report (`carecap.report`) and ``carecap report`` (issue 6)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from carecap.cli import main
from carecap.exceptions import InputError
from carecap.io import write_region
from carecap.report import (
    REPORT_NAME,
    coverage_grids,
    read_roster_table,
    read_whatif_table,
    write_report,
)

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
"""Debian's chromium, installed by ``.ci/run``."""

CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
"""Debian's chromium-driver, installed by ``.ci/run``."""

NAME_PREFIX = "Anna de Vries"
"""Name given to every person of the test region; it must never reach the report."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

REASONS = ("no_eligible_person", "eligible_people_all_used", "blocked_by_rest_or_hours")

WHATIF_CSV = """scenario,uncovered_hours,agency_hours,agency_cost,uncovered_hours_delta
baseline,16,127,10913.3,0
pool_plus_2,8,100.5,8650.25,-8
meer_uren_conditional,4,90,7700,-12
"""


class _PageParser(HTMLParser):
    """Collects the KPI spans, images and resource references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, str] = {}
        self.images: list[dict[str, str | None]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if "data-kpi" in values:
            self.kpis[values["data-kpi"] or ""] = values.get("data-value") or ""
        if tag == "img":
            self.images.append(values)


def _parse(text: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def solved_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``carecap solve`` of the bundled example, run once (uncovered slots and an ask
    list among its results)."""
    out = tmp_path_factory.mktemp("solve")
    argv = ["solve", "-o", str(out), "--time-limit", "5", "--workers", "1"]
    assert main([*argv, "--seed", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def full_dir(
    solved_dir: Path, example_region, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The example solve with ``cost_eur`` and ``reason`` columns, as the solver adds.

    Its region is the example with a name for every person (``NAME_PREFIX`` and the
    position), so tests can check that no name reaches the page.
    """
    out = tmp_path_factory.mktemp("full")
    staff = tuple(
        person.model_copy(update={"name": f"{NAME_PREFIX} {k}"})
        for k, person in enumerate(example_region.staff)
    )
    write_region(example_region.model_copy(update={"staff": staff}), out / "named.json")
    summary = json.loads((solved_dir / "summary.json").read_text(encoding="utf-8"))
    summary["region"] = str(out / "named.json")
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    roster = pd.read_csv(solved_dir / "roster.csv", dtype=str, keep_default_na=False)
    # Older solver output lacks the columns; give them the solver's form.
    uncovered = roster["type"] == "uncovered"
    if "cost_eur" not in roster.columns:
        roster["cost_eur"] = np.where(uncovered, "0.00", "100.50")
    if "reason" not in roster.columns:
        roster["reason"] = ""
        roster.loc[uncovered, "reason"] = [
            REASONS[k % len(REASONS)] for k in range(int(uncovered.sum()))
        ]
    roster.to_csv(out / "roster.csv", index=False)
    (out / "whatif.csv").write_text(WHATIF_CSV, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def full_report(full_dir: Path) -> Path:
    """The report of `full_dir` with the what-if comparison."""
    return write_report(full_dir, whatif=full_dir / "whatif.csv")


def test_report_kpis_match_summary(full_report, full_dir):
    """Tests that every KPI the page names equals the one in summary.json."""
    summary = json.loads((full_dir / "summary.json").read_text(encoding="utf-8"))
    page = _parse(full_report.read_text(encoding="utf-8"))
    expected = {
        "slots",
        "filled",
        "agency",
        "uncovered",
        "agency_hours",
        "uncovered_hours",
        "agency_cost",
        "total_cost",
        "wage_cost",
        "travel_cost",
        "violations",
        "status",
        "gap",
    }
    assert expected <= page.kpis.keys()
    for key, value in page.kpis.items():
        if key == "status":
            assert value == summary["status"]
        elif key == "gap":
            assert float(value) == pytest.approx(summary["gap"])
        else:
            assert float(value) == pytest.approx(summary["kpis"][key]), key


def test_report_costs_by_fill_type_come_from_cost_eur(full_report, full_dir):
    """Tests that the flexpool and meer-uren tiles show the roster's cost_eur sums."""
    text = full_report.read_text(encoding="utf-8")
    roster = read_roster_table(full_dir)
    for kind in ("pool", "extra_hours"):
        euros = roster.loc[roster["type"] == kind, "cost_eur"].sum()
        assert f"€{euros:,.0f} wages and travel" in text


def test_report_is_self_contained(full_report):
    """Tests that the page fetches nothing: no URLs, scripts or links; images inline."""
    text = full_report.read_text(encoding="utf-8")
    assert "http://" not in text
    assert "https://" not in text
    page = _parse(text)
    assert not page.tags & {"script", "link", "iframe", "object"}
    assert len(page.images) >= 5
    for image in page.images:
        source = image.get("src") or ""
        assert source.startswith("data:image/png;base64,")
        data = base64.b64decode(source.split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 1000
        assert image.get("alt")


def test_report_lists_uncovered_slots_with_reasons(full_report, full_dir):
    """Tests that each uncovered slot is listed by shift id with its reason."""
    text = full_report.read_text(encoding="utf-8")
    roster = read_roster_table(full_dir)
    uncovered = roster[roster["type"] == "uncovered"]
    assert len(uncovered) >= 2  # 2 before CONSENT capped people at desired hours
    for shift_id, reason in zip(uncovered.shift_id, uncovered.reason, strict=True):
        assert shift_id in text
        assert reason in text


def test_report_counts_the_ask_list_without_naming_anyone(full_report, full_dir):
    """Tests that the ask list is shown per slot with the number of people to ask,
    and that none of their staff ids reaches the page (they stay in summary.json)."""
    summary = json.loads((full_dir / "summary.json").read_text(encoding="utf-8"))
    asked = summary["ask"]
    assert asked, "the example's solve should leave someone to ask"
    text = full_report.read_text(encoding="utf-8")
    section = text.split("Could be covered if asked", 1)[1].split("<h2>", 1)[0]
    assert asked[0]["shift_id"] in section
    assert f"{summary['ask_total']:,} (slot, person) pairs" in section
    for entry in asked:
        assert entry["staff_id"] not in section


def test_report_draws_whatif_scenarios(full_report):
    """Tests that the what-if section names every scenario and shows the deltas."""
    text = full_report.read_text(encoding="utf-8")
    assert "What-if scenarios" in text
    for scenario in ("baseline", "pool_plus_2", "meer_uren_conditional"):
        assert scenario in text
    assert "16 (+0)" in text
    assert "4 (-12)" in text
    assert "7,700.0" in text


def test_report_keeps_personal_data_out(full_report, example_region):
    """Tests that no name reaches the page and its tables list no person.

    People appear by staff id in the chart labels only (inside the images).
    """
    text = full_report.read_text(encoding="utf-8")
    assert NAME_PREFIX not in text
    assert not [p.id for p in example_region.staff if p.id in text]


def test_cli_report_writes_the_file(solved_dir, tmp_path, capsys):
    """Tests that ``carecap report DIR -o FILE`` writes the report and says where."""
    target = tmp_path / "planner.html"
    assert main(["report", str(solved_dir), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(target) in capsys.readouterr().out
    assert not (solved_dir / REPORT_NAME).exists()


def test_report_without_the_region_file(solved_dir, tmp_path):
    """Tests that a missing region leaves out the per-person sections, saying so."""
    summary = json.loads((solved_dir / "summary.json").read_text(encoding="utf-8"))
    summary["region"] = str(tmp_path / "moved_away.json")
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    shutil.copy(solved_dir / "roster.csv", tmp_path / "roster.csv")
    text = write_report(tmp_path).read_text(encoding="utf-8")
    assert "Needs the region file" in text
    assert "moved_away" in text


def test_report_of_a_failed_solve(tmp_path):
    """Tests that a solve without a roster still gets a report saying so."""
    summary = {"status": "TIME_LIMIT", "gap": None, "levels": [], "kpis": {}}
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    text = write_report(tmp_path).read_text(encoding="utf-8")
    assert "TIME_LIMIT" in text
    assert "no open slots" in text


def test_cli_report_exit_2_without_solve_output(tmp_path, capsys):
    """Tests that a directory without summary.json is bad input (exit 2)."""
    assert main(["report", str(tmp_path)]) == 2
    assert "summary.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.drop(columns=["ward"]), "missing column(s) ward"),
        (lambda f: f.assign(type="sick"), "line 2, column type: 'sick'"),
        (lambda f: f.assign(paid_hours="7,5x"), "line 2, column paid_hours"),
        (lambda f: f.assign(start="yesterday"), "line 2, column start"),
    ],
)
def test_raises_on_bad_roster(solved_dir, tmp_path, edit, message):
    """Tests that a broken roster.csv is rejected naming the line and column."""
    roster = pd.read_csv(solved_dir / "roster.csv", dtype=str, keep_default_na=False)
    edit(roster).to_csv(tmp_path / "roster.csv", index=False)
    with pytest.raises(
        InputError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        read_roster_table(tmp_path)


@pytest.mark.parametrize(
    "text", ["scenario,description\nbase,none\n", "scenario,agency_hours\n"]
)
def test_raises_on_whatif_without_kpis(tmp_path, text):
    """Tests that a what-if table without numeric KPIs or rows is rejected."""
    path = tmp_path / "whatif.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"whatif\.csv"):
        read_whatif_table(path)


def test_coverage_grids_sum_the_wards_beyond_the_limit():
    """Tests that the heatmap keeps the heaviest wards and sums the rest, losing nothing."""
    rows = [
        ("W1", "uncovered", 8.0),
        ("W2", "agency", 16.0),
        ("W3", "agency", 8.0),
        ("W4", "agency", 4.0),
        ("W5", "pool", 8.0),
    ]
    roster = pd.DataFrame(
        {
            "ward": [w for w, _, _ in rows],
            "type": [t for _, t, _ in rows],
            "paid_hours": [h for _, _, h in rows],
            "date": ["2026-03-23"] * len(rows),
            "anw_class": ["night", "night", "day", "evening", "day"],
        }
    )
    grids = coverage_grids(roster, weeks=1, max_wards=3)
    assert grids["agency"].wards == ["W1", "W2", "other 2 wards"]
    assert grids["agency"].columns == [
        ("2026-03-23", "day"),
        ("2026-03-23", "evening"),
        ("2026-03-23", "night"),
    ]
    np.testing.assert_allclose(
        grids["uncovered"].hours, [[0, 0, 8], [0, 0, 0], [0, 0, 0]]
    )
    np.testing.assert_allclose(
        grids["agency"].hours, [[0, 0, 0], [0, 0, 16], [8, 4, 0]]
    )


def _skip_or_fail(reason: str) -> None:
    """Skips outside CI; under ``CI=true`` a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so the browser test may not be skipped)")
    pytest.skip(reason)


def test_report_renders_in_headless_chromium(full_report, tmp_path):
    """Tests in a real browser: no console errors, every image decoded, a screenshot."""
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        _skip_or_fail(
            f"{CHROMIUM} or {CHROMEDRIVER} missing: "
            "apt-get install chromium chromium-driver (.ci/run does)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        _skip_or_fail("selenium is not installed: pip install '.[test]'")

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get(full_report.as_uri())
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
        images = driver.execute_script(
            "return Array.from(document.images, i => [i.complete, i.naturalWidth]);"
        )
        assert len(images) >= 5
        assert all(complete and width > 0 for complete, width in images), images
        screenshot = tmp_path / "report.png"
        assert driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_browser_fails_under_ci(monkeypatch, ci, outcome):
    """Tests that a missing browser skips the browser test, except under CI=true."""
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium"):
        _skip_or_fail("chromium missing")


def test_raises_on_roster_of_another_region(solved_dir, tmp_path, tiny_data):
    """Tests that --region naming another region gets one line, not one per row."""
    (tmp_path / "tiny.json").write_text(json.dumps(tiny_data), encoding="utf-8")
    with pytest.raises(InputError, match="pass the region this roster") as error:
        write_report(solved_dir, tmp_path / "tiny.json", output=tmp_path / "r.html")
    assert len(error.value.problems) == 1
    assert not (tmp_path / "r.html").exists()


def test_coverage_grids_fold_long_horizons_onto_weekdays():
    """Tests that over two weeks the same weekday and class of each week share a cell."""
    roster = pd.DataFrame(
        {
            "ward": ["W1", "W1", "W1"],
            "type": ["agency", "agency", "uncovered"],
            "paid_hours": [8.0, 7.5, 8.0],
            "date": ["2026-03-23", "2026-03-30", "2026-04-11"],
            "anw_class": ["night", "night", "weekend"],
        }
    )
    grids = coverage_grids(roster, weeks=3)
    assert grids["agency"].columns == [("Mon", "night"), ("Sat", "weekend")]
    np.testing.assert_allclose(grids["agency"].hours, [[15.5, 0]])
    np.testing.assert_allclose(grids["uncovered"].hours, [[0, 8]])

"""Tests of the roster workbooks per organisation and the regional lists."""

from __future__ import annotations

import csv
import html
import zipfile
from collections import Counter

import openpyxl
import pytest
from carecap.cli import main
from carecap.compile import compile_region
from carecap.domain import Employment
from carecap.instances import EXAMPLE_REGION, generate_region
from carecap.io import read_region, write_region
from carecap.params import SolveParams
from carecap.roster import AGENCY, UNCOVERED, write_roster
from carecap.solve import solve
from carecap.workbook_export import (
    organisation_tables,
    reasons_from_roster_csv,
    write_roster_exports,
)


@pytest.fixture(scope="module")
def solved():
    """The bundled example, compiled, with a greedy roster and its reasons."""
    compiled = compile_region(read_region(EXAMPLE_REGION))
    result = solve(compiled, SolveParams(), seed=1, backend="greedy")
    return compiled, result.slot_assignee, result.reasons()


@pytest.fixture(scope="module")
def exported(solved, tmp_path_factory):
    """The export directory of the greedy roster."""
    compiled, assignee, reasons = solved
    directory = tmp_path_factory.mktemp("export")
    write_roster_exports(compiled, assignee, directory, reasons)
    return directory


def _workbook_values(path):
    workbook = openpyxl.load_workbook(path, read_only=True)
    values = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    titles = list(workbook.sheetnames)
    workbook.close()
    return values, titles


def _csv_values(directory):
    return {
        value
        for path in directory.glob("*.csv")
        for row in csv.reader(path.read_text(encoding="utf-8").splitlines())
        for value in row
        if value
    }


def _file_texts(path):
    """Returns the text of a CSV file, or every XML part of a workbook unescaped: its
    cells, sheet titles and document properties alike."""
    if path.suffix != ".xlsx":
        return [path.read_text(encoding="utf-8")]
    with zipfile.ZipFile(path) as archive:
        return [
            html.unescape(archive.read(part).decode("utf-8"))
            for part in archive.namelist()
            if part.endswith((".xml", ".rels"))
        ]


def _organisation_texts(directory, organisation):
    """Returns the texts of every file the export wrote for one organisation."""
    paths = [directory / "organisations" / f"{organisation}.xlsx"]
    paths += sorted(p for p in (directory / "organisations" / organisation).rglob("*"))
    assert all(p.is_file() for p in paths)
    return [text for path in paths for text in _file_texts(path)]


def _slot_organisation(region, k):
    return region.ward_organisation(
        region.shift_by_id[region.open_slots[k].shift].ward
    ).id


def _allowed_staff(region, assignee, organisation):
    """Returns the staff ids an organisation may see: its own, and its shifts' fillers."""
    own = {p.id for p in region.staff if p.organisation == organisation}
    fillers = {
        region.staff[who].id
        for k, who in enumerate(assignee)
        if who >= 0 and _slot_organisation(region, k) == organisation
    }
    return own | fillers


def test_greedy_roster_lends_people(solved):
    """Tests that the fixture roster has lent people, agency and uncovered slots."""
    compiled, assignee, _ = solved
    region = compiled.region
    lent = [
        k
        for k, who in enumerate(assignee)
        if who >= 0 and region.staff[who].organisation != _slot_organisation(region, k)
    ]
    assert lent
    assert (assignee == AGENCY).any()
    assert (assignee == UNCOVERED).any()


def test_organisation_files_hold_no_staff_of_others(solved, exported):
    """Tests data minimisation: no staff id of someone who works only elsewhere."""
    compiled, assignee, _ = solved
    region = compiled.region
    every_id = {p.id for p in region.staff}
    for organisation in region.organisations:
        allowed = _allowed_staff(region, assignee, organisation.id)
        values, _ = _workbook_values(
            exported / "organisations" / f"{organisation.id}.xlsx"
        )
        seen = values & every_id
        assert seen <= allowed, seen - allowed
        csv_seen = _csv_values(exported / "organisations" / organisation.id) & every_id
        assert csv_seen <= allowed, csv_seen - allowed
        # The other organisations' people who fill nothing here are really absent.
        strangers = every_id - allowed
        assert strangers and not (values | csv_seen) & strangers


def test_region_files_hold_no_staff_ids(solved, exported):
    """Tests that the regional agency list and settlement name no person."""
    compiled, _, _ = solved
    every_id = {p.id for p in compiled.region.staff}
    values, titles = _workbook_values(exported / "region.xlsx")
    assert titles == ["about", "agency_bookings", "settlement", "settlement_detail"]
    assert not values & every_id
    assert not _csv_values(exported / "region") & every_id
    # Nor any person's name, anywhere in the files (the bundled example is named).
    names = {p.name for p in compiled.region.staff}
    assert None not in names
    paths = [exported / "region.xlsx", *sorted((exported / "region").glob("*"))]
    texts = [text for path in paths for text in _file_texts(path)]
    assert not [name for name in names if any(name in text for text in texts)]


@pytest.fixture(
    scope="module",
    params=[("S", 1, 1), ("S", 3, 2)],
    ids=lambda p: f"{p[0]}-seed{p[1]}-{p[2]}w",
)
def named_export(request, tmp_path_factory):
    """A generated (so named) region with a greedy roster, exported the way a planner
    does it: ``carecap export REGION --roster roster.csv -o DIR``. S seed 1 over one
    week is the bundled example."""
    preset, seed, weeks = request.param
    region = generate_region(preset, seed, weeks=weeks)
    compiled = compile_region(region)
    result = solve(compiled, SolveParams(), seed=1, backend="greedy")
    directory = tmp_path_factory.mktemp("named")
    write_region(region, directory / "region.json")
    write_roster(
        compiled, result.slot_assignee, directory / "roster.csv", result.reasons()
    )
    code = main(
        [
            "export",
            str(directory / "region.json"),
            "--roster",
            str(directory / "roster.csv"),
            "-o",
            str(directory / "out"),
        ]
    )
    assert code == 0
    return compiled, result.slot_assignee, directory / "out"


def test_organisation_files_hold_no_name_or_id_of_others(named_export):
    """Tests data minimisation in named regions: no file an organisation gets (every
    workbook cell, sheet title and CSV) holds the name or id of another organisation's
    person or an agency worker, except the people filling its open shifts."""
    compiled, assignee, out = named_export
    region = compiled.region
    assert all(p.name for p in region.staff)
    guests_seen = 0
    for organisation in region.organisations:
        allowed = _allowed_staff(region, assignee, organisation.id)
        allowed_words = {p.id for p in region.staff if p.id in allowed}
        allowed_words |= {p.name for p in region.staff if p.id in allowed}
        # A stranger whose name or id lies inside an allowed one ("Jan Bos" in "Jan
        # Bosman") cannot be told apart from it, so only the others are checked.
        strangers = {
            word
            for p in region.staff
            if p.id not in allowed
            for word in (p.id, p.name)
            if not any(word in other for other in allowed_words)
        }
        texts = _organisation_texts(out, organisation.id)
        assert strangers
        leaked = sorted(w for w in strangers if any(w in text for text in texts))
        assert not leaked, f"{organisation.id}'s files show {leaked}"
        guests_seen += sum(
            1
            for p in region.staff
            if p.id in allowed
            and p.organisation != organisation.id
            and any(p.id in text for text in texts)
        )
    # The exception is exercised: some organisation's files show a guest.
    assert guests_seen


def test_every_open_slot_is_listed_once(solved, exported):
    """Tests that each open slot appears in exactly one organisation's open shifts."""
    compiled, assignee, _ = solved
    region = compiled.region
    counted = Counter()
    for organisation in region.organisations:
        with open(
            exported / "organisations" / organisation.id / "open_shifts.csv",
            encoding="utf-8",
        ) as handle:
            for row in csv.DictReader(handle):
                counted[(row["shift_id"], row["level"], row["filled_by"])] += 1
    expected = Counter()
    for k, slot in enumerate(region.open_slots):
        who = int(assignee[k])
        kind = (
            "agency"
            if who == AGENCY
            else "uncovered"
            if who == UNCOVERED
            else "pool"
            if region.staff[who].employment is Employment.FLEX_POOL
            else "extra_hours"
        )
        expected[(slot.shift, slot.level.value, kind)] += 1
    assert counted == expected


def test_agency_list_and_uncovered_reasons(solved, exported):
    """Tests the agency booking list and that uncovered slots carry their reason."""
    compiled, assignee, reasons = solved
    with open(exported / "region" / "agency_bookings.csv", encoding="utf-8") as handle:
        bookings = list(csv.DictReader(handle))
    assert len(bookings) == int((assignee == AGENCY).sum())
    assert {"organisation", "level", "start", "end", "shift_id"} <= set(bookings[0])
    uncovered = []
    for organisation in compiled.region.organisations:
        path = exported / "organisations" / organisation.id / "uncovered.csv"
        with open(path, encoding="utf-8") as handle:
            uncovered += list(csv.DictReader(handle))
    assert len(uncovered) == int((assignee == UNCOVERED).sum())
    assert sorted(row["reason"] for row in uncovered) == sorted(
        reasons[k] for k in range(len(assignee)) if assignee[k] == UNCOVERED
    )
    assert all(row["reason_explained"] for row in uncovered)


def test_settlement_adds_up(solved, exported):
    """Tests lending cost and VAT: per slot and per pair, both sides agree."""
    compiled, _, _ = solved
    region = compiled.region
    factor = region.costs.lending_vat_factor
    with open(
        exported / "region" / "settlement_detail.csv", encoding="utf-8"
    ) as handle:
        detail = list(csv.DictReader(handle))
    assert detail
    for row in detail:
        ex_vat, vat = float(row["wage_ex_vat_eur"]), float(row["vat_eur"])
        assert ex_vat * (factor - 1) == pytest.approx(vat, abs=0.011)
        assert row["lending_organisation"] != row["borrowing_organisation"]
    with open(exported / "region" / "settlement.csv", encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert sum(float(p["invoice_eur"]) for p in pairs) == pytest.approx(
        sum(float(r["invoice_eur"]) for r in detail), abs=0.05
    )
    for pair in pairs:
        path = (
            exported
            / "organisations"
            / pair["borrowing_organisation"]
            / "settlement.csv"
        )
        with open(path, encoding="utf-8") as handle:
            rows = {
                (r["direction"], r["other_organisation"]): r
                for r in csv.DictReader(handle)
            }
        borrowed = rows[("borrowed", pair["lending_organisation"])]
        assert borrowed["invoice_eur"] == pair["invoice_eur"]
        path = (
            exported / "organisations" / pair["lending_organisation"] / "settlement.csv"
        )
        with open(path, encoding="utf-8") as handle:
            lent = {
                (r["direction"], r["other_organisation"]): r
                for r in csv.DictReader(handle)
            }
        assert (
            lent[("lent", pair["borrowing_organisation"])]["paid_hours"]
            == pair["paid_hours"]
        )


def test_lent_slot_cost_is_invoice_and_travel(solved, exported):
    """Tests that each lent slot's cost is its invoice (wage + VAT) plus travel."""
    compiled, assignee, reasons = solved
    region = compiled.region
    cost_by_shift = Counter()
    for organisation in region.organisations:
        tables = organisation_tables(compiled, assignee, organisation.id, reasons)
        open_shifts = next(t for t in tables if t.name == "open_shifts")
        shift = open_shifts.columns.index("shift_id")
        lent = open_shifts.columns.index("from_other_organisation")
        cost = open_shifts.columns.index("cost_eur")
        for row in open_shifts.rows:
            if row[lent] == "yes":
                cost_by_shift[row[shift]] += row[cost]
    with open(
        exported / "region" / "settlement_detail.csv", encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            cost_by_shift[row["shift_id"]] -= float(row["invoice_eur"]) + float(
                row["travel_eur"]
            )
    assert cost_by_shift and all(abs(v) < 0.02 for v in cost_by_shift.values())


def test_pool_member_sheets(solved, exported):
    """Tests that the employer gets a week sheet per flex-pool member, others do not."""
    compiled, assignee, _ = solved
    region = compiled.region
    for organisation in region.organisations:
        members = [
            p.id
            for p in region.staff
            if p.employment is Employment.FLEX_POOL
            and p.organisation == organisation.id
        ]
        _, titles = _workbook_values(
            exported / "organisations" / f"{organisation.id}.xlsx"
        )
        assert [t for t in titles if t.startswith("pool ")] == [
            f"pool {m}" for m in members
        ]
        with open(
            exported / "organisations" / organisation.id / "pool_weeks.csv",
            encoding="utf-8",
        ) as handle:
            weeks = list(csv.DictReader(handle))
        new = Counter(row["staff_id"] for row in weeks if row["source"] == "new")
        for member in members:
            index = compiled.staff_index[member]
            assert new[member] == int((assignee == index).sum())


def test_reasons_read_back_from_roster_csv(solved, tmp_path):
    """Tests that the reasons written by solve's roster.csv are matched to the slots."""
    compiled, assignee, reasons = solved
    path = tmp_path / "roster.csv"
    write_roster(compiled, assignee, path, reasons)
    again = reasons_from_roster_csv(compiled, assignee, path)
    assert [r or "" for r in again] == [
        r if assignee[k] == UNCOVERED else "" for k, r in enumerate(reasons)
    ]

"""Tests of the planner workbook: template, import from Excel/CSV, export, round trip."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from carecap.domain import Costs, LabourRules
from carecap.exceptions import InputError
from carecap.workbook import read_workbook, region_tables, write_workbook
from carecap.workbook_sheets import (
    SETTINGS_ROWS,
    SHEETS,
    CellError,
    parse_date,
    parse_datetime,
    parse_number,
    parse_time,
    parse_time_range,
)
from openpyxl.utils import get_column_letter

from tests.helpers import parse


def _cell(path, sheet, header, row):
    """Returns the reference (e.g. ``C4``) of a column's cell in an exported workbook."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = [c.value for c in next(workbook[sheet].iter_rows(max_row=1))]
    workbook.close()
    return f"{get_column_letter(names.index(header) + 1)}{row}"


def _write_book(tmp_path, sheets, fmt):
    """Writes ``{sheet: rows}`` as an .xlsx workbook or a ';'-separated CSV directory.

    For CSV every value becomes text as a Dutch spreadsheet would save it (decimal
    comma, day-month-year dates).
    """
    if fmt == "xlsx":
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for name, rows in sheets.items():
            worksheet = workbook.create_sheet(name)
            for row in rows:
                worksheet.append(row)
        path = tmp_path / "book.xlsx"
        workbook.save(path)
        return path
    directory = tmp_path / "book"
    directory.mkdir()
    for name, rows in sheets.items():
        lines = [";".join(_dutch_text(value) for value in row) for row in rows]
        (directory / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return directory


def _dutch_text(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def _dutch_sheets():
    """A small region typed the way a Dutch planner would, with Dutch headers."""
    return {
        "Instellingen": [
            ["instelling", "waarde", "toelichting"],
            ["regio", "Regio West", None],
            ["startdatum", dt.datetime(2026, 3, 23), None],
            ["weken", 1, None],
            ["btw inhuur", "21%", None],
            ["lending_vat_factor", "1,21", None],
        ],
        "Organisaties": [
            ["code", "naam", "sector"],
            ["ORG-V", "Verpleeghuis", "VVT"],
            ["ORG-H", "Ziekenhuis", "ziekenhuis"],
        ],
        "Locaties": [
            ["code", "organisatie", "plaats", "breedtegraad", "lengtegraad"],
            ["LOC-V", "ORG-V", "Stad A", "52,09", "5,12"],
            ["LOC-H", "ORG-H", "Stad B", 52.21, 5.04],
        ],
        "Afdelingen": [
            ["afdeling", "locatie", "Hoger niveau toegestaan"],
            ["W-V", "LOC-V", "ja"],
            ["W-H", "LOC-H", "nee"],
        ],
        "Diensttypen": [
            ["code", "naam", "begintijd", "eindtijd", "pauze (min)"],
            ["T-E", "vroeg", "07:00-15:30", None, 30],
            ["T-L", "laat", dt.time(15, 0), "23:00", "30"],
            ["T-N", "nacht", "23.00", "07:15", 0],
        ],
        "Diensten": [
            [
                "dienst",
                "afdeling",
                "datum",
                "diensttype",
                "niveau",
                "aantal",
                "competentie",
            ],
            ["S1", "W-V", "23-03-2026", "T-E", "N2", 1, None],
            ["S1", "W-V", "23-03-2026", "T-E", "3", 1, None],
            ["S2", "W-H", dt.datetime(2026, 3, 24), "T-L", "N4", 1, None],
            ["S4", "W-V", "2026-03-28", "T-N", "niveau 3", 1, "dementia"],
        ],
        "Personeel": [
            [
                "personeelsnummer",
                "dienstverband",
                "werkgever",
                "afdeling",
                "niveau",
                "competenties",
                "contracturen",
                "gewenste uren",
                "max uren",
                "leeftijd",
                "zwanger",
                "nachtdiensten",
                "opmerking",
            ],
            [
                "P1",
                "medewerker",
                "ORG-V",
                "W-V",
                "N3",
                "dementia",
                24,
                27.5,
                36,
                41,
                "nee",
                "liever niet",
                "x",
            ],
            [
                "P2",
                "werknemer",
                "ORG-H",
                "W-H",
                "N4",
                None,
                28,
                None,
                36,
                None,
                None,
                None,
                None,
            ],
            [
                "P3",
                "flexpool",
                "ORG-V",
                None,
                "N4",
                "dementia, IC",
                32.0,
                None,
                36,
                None,
                None,
                None,
                None,
            ],
        ],
        "Basisrooster": [["medewerker", "dienst"], ["P1", "S1"], ["P2", "S2"]],
        "Afwezigheid": [
            ["medewerker", "van", "tot"],
            ["P1", dt.datetime(2026, 3, 26, 8, 0), "26-03-2026 18:00"],
        ],
        "Ziekte": [
            ["medewerker", "eerste ziektedag", "laatste ziektedag"],
            ["P2", "24-3-2026", dt.datetime(2026, 3, 25)],
        ],
    }


# -- cells -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7,5", 7.5), ("7.5", 7.5), ("1.234,5", 1234.5), ("21%", 0.21), (36, 36.0)],
)
def test_numbers_as_planners_type_them(text, expected):
    """Tests that Dutch decimals, thousands separators and percentages are read."""
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07:00", dt.time(7, 0)),
        ("7.30", dt.time(7, 30)),
        ("0715", dt.time(7, 15)),
        ("24:00", dt.time(0, 0)),
        (0.5, dt.time(12, 0)),
        (dt.time(23, 0), dt.time(23, 0)),
    ],
)
def test_times_as_planners_type_them(value, expected):
    """Tests that typed and Excel times are read."""
    assert parse_time(value) == expected


def test_time_span():
    """Tests that a span "23:00-07:15" gives start and end."""
    assert parse_time_range("23:00-07:15") == (dt.time(23, 0), dt.time(7, 15))


@pytest.mark.parametrize(
    "value",
    ["23-03-2026", "23/3/2026", "2026-03-23", dt.datetime(2026, 3, 23), 46104],
)
def test_dates_as_planners_type_them(value):
    """Tests that Dutch, ISO, Excel and serial-number dates are read."""
    assert parse_date(value) == dt.date(2026, 3, 23)


def test_datetime_keeps_utc_offset():
    """Tests that an ISO datetime with an offset keeps it (carry-in shifts in UTC)."""
    moment = parse_datetime("2026-03-11T06:30:00Z")
    assert moment.utcoffset() == dt.timedelta(0)
    assert parse_datetime("26-03-2026 18:00") == dt.datetime(2026, 3, 26, 18, 0)


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (parse_number, "abc"),
        (parse_number, "7,5,5"),
        (parse_time, "25:00"),
        (parse_time, "7 uur"),
        (parse_date, "32-13-2026"),
        (parse_date, "morgen"),
        (parse_date, dt.datetime(2026, 3, 23, 7, 0)),
    ],
)
def test_raises_cell_error(parse, value):
    """Tests that unreadable cells raise CellError."""
    with pytest.raises(CellError):
        parse(value)


# -- template --------------------------------------------------------------------


def test_settings_cover_every_cost_and_rule_parameter():
    """Tests that every scalar cost and labour-rule field has a settings row."""
    keys = {setting.path for setting in SETTINGS_ROWS}
    for model, name in ((Costs, "costs"), (LabourRules, "rules")):
        for field, info in model.model_fields.items():
            if info.annotation in (int, float):
                assert (name, field) in keys, field


def test_template_sheets_lists_and_defaults(tmp_path):
    """Tests that the template has every sheet, drop-down lists and the defaults."""
    path = tmp_path / "template.xlsx"
    write_workbook(None, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["README", *(sheet.name for sheet in SHEETS)]
    staff = workbook["staff"]
    header = [cell.value for cell in staff[1]]
    assert header[:3] == ["id", "name", "employment"]
    assert staff["C1"].comment is not None
    lists = {dv.formula1 for dv in staff.data_validations.dataValidation}
    assert '"employee,flex_pool,agency"' in lists
    assert '"N1,N2,N3,N4,N5,N6"' in lists
    assert staff.max_row == 1
    wages = {
        row[0]: row[1]
        for row in workbook["wages"].iter_rows(min_row=2, values_only=True)
    }
    assert wages["N3"] == Costs().hourly_wage["N3"]


def test_empty_template_import_names_what_to_fill(tmp_path):
    """Tests that importing the unfilled template says which settings and sheets to fill."""
    path = tmp_path / "template.xlsx"
    write_workbook(None, path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    text = "\n".join(caught.value.problems)
    assert "value of region_name is empty" in text
    assert "value of horizon_start is empty" in text
    assert "organisations: the sheet has no rows; at least one is needed" in text


def test_template_as_csv_directory(tmp_path):
    """Tests that the template can be written as one CSV file per sheet."""
    written = write_workbook(None, tmp_path / "template")
    assert sorted(p.name for p in written) == sorted(f"{s.name}.csv" for s in SHEETS)
    first = (tmp_path / "template" / "staff.csv").read_text().splitlines()[0]
    assert first.startswith("id,name,employment,organisation,ward,level")


# -- round trip ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["region.xlsx", "region_csv"])
def test_round_trip_example(example_region, tmp_path, target):
    """Tests that importing an export of the bundled example gives the same region."""
    write_workbook(example_region, tmp_path / target)
    assert read_workbook(tmp_path / target) == example_region


def test_round_trip_tiny(tiny_region, tmp_path):
    """Tests the round trip on the hand-made region (unavailability, history, names)."""
    write_workbook(tiny_region, tmp_path / "tiny.xlsx")
    assert read_workbook(tmp_path / "tiny.xlsx") == tiny_region


@pytest.mark.parametrize("target", ["tiny.xlsx", "tiny_csv"])
@pytest.mark.parametrize(
    "competence", ["dem,entia", "x;y", '"q', 'say"hi"', '=HYPERLINK("x")', "é😀"]
)
def test_round_trip_of_awkward_ids_in_a_list_cell(
    tiny_data, tmp_path, target, competence
):
    """Tests that an id holding , ; or a quote survives a list cell (competences)."""
    text = json.dumps(tiny_data).replace('"dementia"', json.dumps(competence))
    region = parse(json.loads(text))
    write_workbook(region, tmp_path / target)
    assert read_workbook(tmp_path / target) == region


def test_round_trip_generated_m(tmp_path):
    """Tests the round trip on a generated M region (1300 staff, carry-in history)."""
    from carecap.instances.generator import generate_region

    region = generate_region("M", 7)
    write_workbook(region, tmp_path / "m.xlsx")
    assert read_workbook(tmp_path / "m.xlsx") == region


def test_export_rows_follow_the_sheet_columns(example_region):
    """Tests that every exported row has one value per column of its sheet."""
    tables = region_tables(example_region)
    for sheet in SHEETS:
        assert all(len(row) == len(sheet.columns) for row in tables[sheet.name])


# -- planners' spellings -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dutch_aliases_decimals_and_times(tmp_path, fmt):
    """Tests that Dutch sheet and column names, decimals, dates and times import."""
    region = read_workbook(_write_book(tmp_path, _dutch_sheets(), fmt))
    assert region.name == "Regio West"
    assert region.costs.agency_vat == pytest.approx(0.21)
    assert region.organisation_by_id["ORG-H"].sector.value == "hospital"
    assert region.location_by_id["LOC-V"].latitude == pytest.approx(52.09)
    assert not region.ward_by_id["W-H"].allow_higher_level
    templates = region.template_by_id
    assert (templates["T-E"].start, templates["T-E"].end) == (
        dt.time(7),
        dt.time(15, 30),
    )
    assert templates["T-L"].start == dt.time(15, 0)
    assert templates["T-N"].end == dt.time(7, 15)
    s1 = region.shift_by_id["S1"]
    assert [r.level.value for r in s1.requirements] == ["N2", "N3"]
    assert region.shift_by_id["S4"].requirements[0].competence == "dementia"
    p1, p2, p3 = region.staff
    assert (p1.contract_hours, p1.desired_hours) == (24.0, 27.5)
    assert p1.preferences.night.value == "avoid"
    assert p2.desired_hours == p2.contract_hours  # empty wish: the contract
    assert p3.employment.value == "flex_pool"
    assert p3.competences == ("dementia", "IC")
    assert p1.unavailability[0].end == dt.datetime(2026, 3, 26, 18, 0)
    assert region.sickness[0].first_day == dt.date(2026, 3, 24)
    assert len(region.open_slots) > 0


def test_hidden_sheets_are_not_read(tmp_path):
    """Tests that a hidden sheet (e.g. an old copy) is ignored, visible ones are read."""
    sheets = _dutch_sheets()
    path = _write_book(tmp_path, sheets, "xlsx")
    workbook = openpyxl.load_workbook(path)
    hidden = workbook.create_sheet("staff")
    hidden.append(["id", "contract_hours"])
    hidden.append(["P9", "not a number"])
    hidden.sheet_state = "hidden"
    workbook.save(path)
    assert [p.id for p in read_workbook(path).staff] == ["P1", "P2", "P3"]


# -- errors ----------------------------------------------------------------------


def _break(path, edits):
    workbook = openpyxl.load_workbook(path)
    for sheet, ref, value in edits:
        workbook[sheet][ref] = value
    workbook.save(path)


def test_broken_workbook_lists_every_error(tiny_region, tmp_path):
    """Tests that errors in several sheets all come out, each with sheet, row, column."""
    path = tmp_path / "broken.xlsx"
    write_workbook(tiny_region, path)
    cells = {
        "contract": _cell(path, "staff", "contract_hours", 3),
        "ward": _cell(path, "staff", "ward", 2),
        "level": _cell(path, "shifts", "level", 2),
        "start": _cell(path, "shift_templates", "start", 3),
        "sick": _cell(path, "sickness", "first_day", 2),
        "latitude": _cell(path, "locations", "latitude", 2),
        "age": _cell(path, "staff", "age", 2),
    }
    _break(
        path,
        [
            ("staff", cells["contract"], "abc"),
            ("staff", cells["ward"], "W-NOPE"),
            ("shifts", cells["level"], "N7"),
            ("shift_templates", cells["start"], "25:00"),
            ("sickness", cells["sick"], "32-13-2026"),
            ("locations", cells["latitude"], "noord"),
            ("staff", cells["age"], 12),
        ],
    )
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    problems = caught.value.problems
    expected = [
        f'staff!{cells["contract"]}: contract hours "abc" is not a number',
        f'staff!{cells["ward"]}: ward "W-NOPE" is not on the wards sheet',
        f'shifts!{cells["level"]}: level "N7" is not a qualification level',
        f'shift_templates!{cells["start"]}: start "25:00" is not a time',
        f'sickness!{cells["sick"]}: first day "32-13-2026" is not a date',
        f'locations!{cells["latitude"]}: latitude "noord" is not a number',
        f"staff!{cells['age']}: age 12: input should be greater than or equal to 15",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in problems), line
    assert len(problems) == len(expected)
    assert all(str(error).startswith(str(path)) for error in [caught.value])


def test_cross_record_problems_name_the_cell(tiny_region, tmp_path):
    """Tests that the region model's second-round problems are mapped to cells."""
    path = tmp_path / "second.xlsx"
    write_workbook(tiny_region, path)
    staff_id = _cell(path, "staff", "id", 3)
    date = _cell(path, "shifts", "date", 2)
    _break(path, [("staff", staff_id, "P1"), ("shifts", date, dt.date(2027, 1, 4))])
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    problems = caught.value.problems
    assert f"staff!{staff_id}: id: duplicate id (first used by staff row 2)" in problems
    assert any(
        p.startswith(f"shifts!{date}: date: 2027-01-04 is outside") for p in problems
    )


def test_missing_and_unknown_columns(tiny_region, tmp_path):
    """Tests that a missing required column is reported once and a stray one named."""
    path = tmp_path / "columns.xlsx"
    write_workbook(tiny_region, path)
    workbook = openpyxl.load_workbook(path)
    staff = workbook["staff"]
    header = [cell.value for cell in staff[1]]
    staff.delete_cols(header.index("contract_hours") + 1)
    staff.cell(1, staff.max_column + 1, "contrakturen")
    staff.cell(1, staff.max_column + 1, "# own notes")
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    problems = caught.value.problems
    assert sum("contract_hours" in p and "missing column" in p for p in problems) == 1
    assert any(
        'column "contrakturen" is not a column of the staff sheet' in p
        for p in problems
    )
    assert not any("own notes" in p for p in problems)
    assert len(problems) == 2


def test_rows_of_unknown_people_are_reported_once(tiny_region, tmp_path):
    """Tests that history rows of a person missing from the staff sheet give one line."""
    path = tmp_path / "orphans.xlsx"
    write_workbook(tiny_region, path)
    workbook = openpyxl.load_workbook(path)
    weeks = workbook["carry_in_weeks"]
    for row in weeks.iter_rows(min_row=2):
        row[0].value = "P-GONE"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    assert caught.value.problems == [
        'carry_in_weeks!A2: staff "P-GONE" is not on the staff sheet'
        f" (nor on {weeks.max_row - 2} more row(s))"
    ]


def test_not_a_workbook(tmp_path):
    """Tests that a file that is not an .xlsx workbook is bad input, not a crash."""
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        read_workbook(path)
    with pytest.raises(InputError, match="no such file"):
        read_workbook(tmp_path / "missing.xlsx")

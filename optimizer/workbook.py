"""Planner workbooks: a region from Excel or CSV, back again, and the empty template.

Planners keep staff lists, contract hours, wishes and open shifts in spreadsheets. A
region can be read from an ``.xlsx`` workbook or from a directory of CSV files, one
sheet (file) per entity as laid out in `carecap.workbook_sheets`, and written back
in the same layout, so that ``read_workbook(write_workbook(region))`` equals the
region.

Reading reports every problem of a file at once, each naming the sheet, row and
column (``staff!C14: contract hours "abc" is not a number``), in two rounds as for
JSON files: first every cell that cannot be read, every field out of range and every
code that no sheet defines; once those are right, every cross-record problem that the
region model finds (duplicates, overlaps, dates outside the horizon). Only visible
sheets are read. Every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .csvfile import parse_rows, rows_text, xlsx_cell
from .domain import Costs, LabourRules, Region
from .exceptions import InputError
from .io import (
    MAX_INPUT_ENV,
    max_input_bytes,
    read_input_bytes,
    write_atomic,
    write_text_atomic,
)
from .workbook_sheets import (
    AGENCY_SUPPLY,
    BASE_ROSTER,
    CARRY_IN_SHIFTS,
    CARRY_IN_WEEKS,
    HOLIDAYS,
    IGNORED_COLUMNS,
    LOCATIONS,
    NIGHT_EXEMPTION_AGES,
    ORGANISATIONS,
    ORT,
    SETTINGS,
    SETTINGS_ROWS,
    SHEETS,
    SHIFT_TEMPLATES,
    SHIFTS,
    SICKNESS,
    STAFF,
    UNAVAILABILITY,
    WAGES,
    WARDS,
    CellError,
    Column,
    Sheet,
    cell_text,
    column_for_header,
    ids_text,
    is_empty,
    looks_like_time_range,
    normalise_name,
    parse_cell,
    parse_time_range,
    setting_for_key,
    sheet_for_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from openpyxl import Workbook

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
"""File suffixes read and written as Excel workbooks; other paths are CSV directories."""

README_SHEET = "README"
"""Name of the explanation sheet; import skips it."""

MAX_CARRY_IN_WEEK = 15


# ---------------------------------------------------------------------------
# Atomic writers
# ---------------------------------------------------------------------------


def save_workbook_atomic(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Saves an openpyxl workbook so that readers see the old file or the new one.

    The workbook goes to a temporary file in the target's directory, is flushed to
    disk and then renamed over ``path`` (`carecap.io.write_atomic`).

    Returns
    -------
    Path
        The path written.
    """
    # openpyxl writes the whole zip in memory first: a disk that fails half-way
    # then fails one plain write, instead of leaving a half-closed zip and sheet
    # writers behind whose clean-up prints tracebacks when they are collected.
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    return write_atomic(path, lambda handle: handle.write(content))


def write_csv_atomic(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Path:
    """Writes a CSV file (comma-separated, UTF-8) atomically; values via `csv_text`.

    Text cells are neutralised (`carecap.csvfile`): a name such as ``=HYPERLINK(..)``
    gets one ``'`` in front, which import strips again; numbers, dates and times,
    formatted here, are never prefixed.
    """
    write_text_atomic(
        path,
        rows_text(
            header,
            (
                [
                    value if isinstance(value, str) else _Formatted(value)
                    for value in row
                ]
                for row in rows
            ),
        ),
    )
    return Path(path)


class _Formatted:
    """A non-text cell: `csv_text` of it, which `rows_text` writes as it is."""

    __slots__ = ("text",)

    def __init__(self, value: Any) -> None:
        self.text = csv_text(value)

    def __str__(self) -> str:
        return self.text


def csv_text(value: Any) -> str:
    """Returns a value as CSV text: ISO dates and times, exact floats, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    if isinstance(value, dt.datetime):
        exact = value.second or value.microsecond
        return value.isoformat(sep=" ", timespec="auto" if exact else "minutes")
    if isinstance(value, dt.time):
        return time_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def time_text(value: dt.time) -> str:
    """Returns a time of day as "HH:MM" (with seconds only where it has them)."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def is_workbook_path(path: str | os.PathLike[str]) -> bool:
    """Returns whether ``path`` names an Excel workbook (else a CSV directory)."""
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


# ---------------------------------------------------------------------------
# Reading: raw tables from a workbook or a CSV directory
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Cell:
    """A non-empty data cell; its reference is only spelled out for messages."""

    value: Any
    table: _RawTable
    position: int
    number: int
    label: str

    @property
    def ref(self) -> str:
        """Returns the cell reference, e.g. ``staff!C14``."""
        return self.table.cell_ref(self.position, self.number)

    @property
    def text(self) -> str:
        """Returns the cell as text."""
        return cell_text(self.value)


@dataclass(slots=True)
class _Row:
    number: int
    ref: str
    cells: dict[str, _Cell]


@dataclass
class _RawTable:
    """A visible sheet (or CSV file) as read: its name and its non-empty rows."""

    name: str
    label: str
    rows: list[tuple[int, list[Any]]]

    def cell_ref(self, column: int, row: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.label}!{get_column_letter(column + 1)}{row}"

    def row_ref(self, row: int) -> str:
        return f"{self.label} row {row}"


MAX_LISTED_FORMULAS = 20
"""Formula cells without a value listed by name before the rest are counted."""


def _workbook_tables(path: Path) -> list[_RawTable]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # Refuses pipes, devices and files over the input limit before openpyxl opens it.
    _check_input_file(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        # The same file with formulas instead of their values: openpyxl gives a
        # formula without a stored value as an empty cell, which would drop it.
        formulas = load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise InputError(
            str(path), [f"cannot be read as an Excel workbook (.xlsx): {error}"]
        ) from None
    tables = []
    uncalculated: list[str] = []
    try:
        for sheet, formula_sheet in zip(
            workbook.worksheets, formulas.worksheets, strict=True
        ):
            if sheet.sheet_state != "visible":
                if sheet_for_name(sheet.title) is not None:
                    log.warning("sheet %r is hidden and was not read", sheet.title)
                continue
            if sheet_for_name(sheet.title) is None:
                # Read-only sheets are parsed lazily: a large sheet of the planner's
                # own is skipped without being read.
                tables.append(_RawTable(sheet.title, sheet.title, []))
                continue
            # Some programs write a wrong used range; read every stored row instead.
            sheet.reset_dimensions()
            formula_sheet.reset_dimensions()
            table = _RawTable(sheet.title, sheet.title, [])
            for number, (values, cells) in enumerate(
                zip(
                    sheet.iter_rows(values_only=True),
                    formula_sheet.iter_rows(),
                    strict=True,
                ),
                1,
            ):
                for position, (value, cell) in enumerate(
                    zip(values, cells, strict=True)
                ):
                    if value is None and getattr(cell, "data_type", None) == "f":
                        uncalculated.append(table.cell_ref(position, number))
                if not all(is_empty(value) for value in values):
                    table.rows.append((number, list(values)))
            tables.append(table)
    finally:
        workbook.close()
        formulas.close()
    if uncalculated:
        listed = [
            f"{ref}: a formula without a calculated value; open the workbook in "
            "Excel or LibreOffice and save it, or type the value"
            for ref in uncalculated[:MAX_LISTED_FORMULAS]
        ]
        if len(uncalculated) > MAX_LISTED_FORMULAS:
            listed.append(
                f"{len(uncalculated) - MAX_LISTED_FORMULAS} more formula cell(s) "
                "without a calculated value"
            )
        raise InputError(str(path), listed)
    return tables


def _check_input_file(path: Path) -> None:
    """Raises `InputError` unless ``path`` is a regular file within the input limit."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise InputError(str(path), [f"cannot be read: {error.strerror}"]) from None
    if not stat.S_ISREG(mode):
        raise InputError(
            str(path), ["is not a regular file; carecap reads regular files only"]
        )
    limit = max_input_bytes()
    if path.stat().st_size > limit:
        raise InputError(
            str(path),
            [
                f"is larger than {limit / 1_000_000:g} MB, the limit for input files; "
                f"set {MAX_INPUT_ENV} (in MB) to raise it"
            ],
        )


def _csv_tables(directory: Path) -> list[_RawTable]:
    tables = []
    for file in sorted(directory.glob("*.csv")):
        if file.name.startswith("."):
            continue
        raw = read_input_bytes(file)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Dutch Excel saves "CSV (puntkomma)" in Windows-1252.
            text = raw.decode("cp1252", errors="replace")
        # Only CR and LF end a record; str.splitlines would also split on U+2028,
        # U+0085 or a form feed inside a name.
        first = next(
            (line for line in re.split("\r\n|\r|\n", text) if line.strip()), ""
        )
        delimiter = max((",", ";", "\t"), key=first.count)
        rows = [
            (number, [value if value.strip() else None for value in values])
            for number, values in parse_rows(text, delimiter)
        ]
        tables.append(_RawTable(file.stem, file.name, rows))
    return tables


@dataclass
class _Table:
    """A template sheet as read: the raw table, its data rows, column positions."""

    raw: _RawTable
    rows: list[_Row]
    positions: dict[str, int]


@dataclass
class _Origin:
    """Where a value of the region document came from, for messages."""

    ref: str
    label: str | None = None
    text: str | None = None


@dataclass
class _Reader:
    """Builds a region document from tables, collecting every problem on the way."""

    source: str
    problems: list[str] = field(default_factory=list)
    origin: dict[tuple[Any, ...], _Origin | _Cell] = field(default_factory=dict)
    reported: set[tuple[Any, ...]] = field(default_factory=set)
    tables: dict[str, _Table] = field(default_factory=dict)

    # -- tables ---------------------------------------------------------------

    def add_tables(self, raw_tables: list[_RawTable]) -> None:
        for raw in raw_tables:
            sheet = sheet_for_name(raw.name)
            if sheet is None:
                if normalise_name(raw.name) != normalise_name(README_SHEET):
                    log.info("sheet %r is not a template sheet; skipped", raw.name)
                continue
            if sheet.name in self.tables:
                first = self.tables[sheet.name].raw.label
                self.problems.append(
                    f"{raw.label}: a second {sheet.name} sheet (the first is {first}); "
                    "keep one"
                )
                continue
            self.tables[sheet.name] = self._table(sheet, raw)
        for sheet in SHEETS:
            if sheet.required and sheet.name not in self.tables:
                also = ", ".join(sheet.aliases)
                self.problems.append(
                    f"no visible sheet {sheet.name!r} (also accepted: {also})"
                )

    def _table(self, sheet: Sheet, raw: _RawTable) -> _Table:
        if not raw.rows:
            return _Table(raw, [], {})
        header_number, header = raw.rows[0]
        columns: dict[int, Column] = {}
        seen: dict[str, str] = {}
        for position, title in enumerate(header):
            if is_empty(title):
                continue
            text = cell_text(title)
            if text.startswith("#") or normalise_name(text) in IGNORED_COLUMNS:
                continue
            ref = raw.cell_ref(position, header_number)
            column = column_for_header(sheet, text)
            if column is None:
                known = ", ".join(c.name for c in sheet.columns)
                self.problems.append(
                    f'{ref}: column "{text}" is not a column of the {sheet.name} '
                    f"sheet; use {known} (or start the header with # to skip it)"
                )
            elif column.name in seen:
                self.problems.append(
                    f'{ref}: column "{text}" repeats column "{seen[column.name]}"'
                )
            else:
                columns[position] = column
                seen[column.name] = text
        for column in sheet.columns:
            if column.required and column.name not in seen:
                also = f" (or {', '.join(column.aliases)})" if column.aliases else ""
                self.problems.append(
                    f"{raw.row_ref(header_number)}: missing column {column.name}{also}"
                )
        # Messages name a column as the template does, with the header as typed.
        labels = {
            column.name: column.label
            if normalise_name(seen[column.name]) == normalise_name(column.name)
            else f"{column.label} ({seen[column.name]})"
            for column in columns.values()
        }
        rows = []
        for number, values in raw.rows[1:]:
            cells = {
                column.name: _Cell(
                    values[position], raw, position, number, labels[column.name]
                )
                for position, column in columns.items()
                if position < len(values) and not is_empty(values[position])
            }
            if cells:
                rows.append(_Row(number, raw.row_ref(number), cells))
        positions = {column.name: position for position, column in columns.items()}
        return _Table(raw, rows, positions)

    def rows(self, sheet: Sheet) -> list[_Row]:
        """Returns the data rows of a sheet (none when the workbook lacks it)."""
        return self.tables[sheet.name].rows if sheet.name in self.tables else []

    def label(self, sheet: Sheet) -> str:
        """Returns the name of a sheet (or CSV file) as found in the workbook."""
        return self.tables[sheet.name].raw.label if sheet.name in self.tables else ""

    # -- cells ----------------------------------------------------------------

    def value(
        self,
        sheet: Sheet,
        row: _Row,
        name: str,
        path: tuple[Any, ...],
        kind: str | None = None,
    ) -> Any:
        """Returns a parsed cell (None when empty), noting where it came from.

        A cell that cannot be read is reported and returned as its text, so that the
        region model rejects it too; that second report is dropped (`reported`).
        """
        cell = row.cells.get(name)
        if cell is None:
            column = sheet.column(name)
            if column.required:
                # A missing column is reported once, for its header.
                if name in self.tables[sheet.name].positions:
                    self.problems.append(
                        f"{self.empty_ref(sheet, row, name)}: {column.label} is "
                        "empty; every row needs it"
                    )
                self.reported.add(path)
            return None
        self.origin[path] = cell
        try:
            return parse_cell(kind or sheet.column(name).kind, cell.value)
        except CellError as error:
            self.problems.append(f'{cell.ref}: {cell.label} "{cell.text}" {error}')
            self.reported.add(path)
            return cell_text(cell.value)

    def empty_ref(self, sheet: Sheet, row: _Row, name: str) -> str:
        """Returns the reference of a row's (empty) cell in a column, or the row's."""
        table = self.tables[sheet.name]
        position = table.positions.get(name)
        if position is None:
            return row.ref
        return table.raw.cell_ref(position, row.number)

    def record(
        self,
        sheet: Sheet,
        row: _Row,
        path: tuple[Any, ...],
        names: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Returns a record of the columns ``names`` (all by default) of a row."""
        self.origin[path] = _Origin(row.ref)
        record = {}
        for name in names if names is not None else [c.name for c in sheet.columns]:
            value = self.value(sheet, row, name, (*path, name))
            if value is not None:
                record[name] = value
        return record


def read_workbook(path: str | os.PathLike[str]) -> Region:
    """Reads a region from a planner workbook (.xlsx) or a directory of CSV files.

    Parameters
    ----------
    path
        An ``.xlsx`` workbook in the template layout (`carecap.workbook_sheets`),
        or a directory holding one ``<sheet>.csv`` file per sheet (comma, semicolon
        or tab separated; UTF-8 or Windows-1252).

    Returns
    -------
    Region
        The validated region.

    Raises
    ------
    InputError
        Listing every problem found, each naming the sheet, row and column.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(str(path), ["no such file or directory"])
    if source.is_dir():
        tables = _csv_tables(source)
        if not tables:
            raise InputError(str(path), ["the directory holds no .csv files"])
    elif is_workbook_path(source):
        tables = _workbook_tables(source)
    else:
        raise InputError(
            str(path),
            ["expected an Excel workbook (.xlsx) or a directory of CSV files"],
        )
    reader = _Reader(str(path))
    reader.add_tables(tables)
    document = _RegionDocument(reader).build()
    return _validate(reader, document)


class _RegionDocument:
    """Turns the sheets of a `_Reader` into a region document (JSON-like dict)."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.document: dict[str, Any] = {}
        self.staff_position: dict[str, int] = {}
        self.orphans: dict[tuple[str, str], list[str]] = defaultdict(list)

    def build(self) -> dict[str, Any]:
        self._settings()
        for sheet, key in (
            (ORGANISATIONS, "organisations"),
            (LOCATIONS, "locations"),
            (WARDS, "wards"),
        ):
            self._simple(sheet, key)
        self._templates()
        self._shifts()
        self._staff()
        self._unavailability()
        self._carry_in_shifts()
        self._carry_in_weeks()
        self._report_orphans()
        for sheet, key in (
            (BASE_ROSTER, "base_roster"),
            (SICKNESS, "sickness"),
            (AGENCY_SUPPLY, "agency_supply"),
            (HOLIDAYS, "holidays"),
        ):
            self._simple(sheet, key)
        self._wages()
        self._ort()
        self._night_exemption_ages()
        for sheet_name in ("organisations", "locations", "wards", "shift_templates"):
            self.reader.origin.setdefault((sheet_name,), _Origin(sheet_name))
        return self.document

    # -- sheets ---------------------------------------------------------------

    def _settings(self) -> None:
        reader = self.reader
        seen: dict[str, str] = {}
        for row in reader.rows(SETTINGS):
            key_cell = row.cells.get("setting")
            if key_cell is None:
                reader.problems.append(f"{row.ref}: setting is empty")
                continue
            setting = setting_for_key(cell_text(key_cell.value))
            if setting is None:
                reader.problems.append(
                    f'{key_cell.ref}: setting "{cell_text(key_cell.value)}" is not '
                    "known; use a name from the template's settings sheet"
                )
                continue
            if setting.key in seen:
                reader.problems.append(
                    f"{key_cell.ref}: setting {setting.key} repeats {seen[setting.key]}"
                )
                continue
            seen[setting.key] = key_cell.ref
            if "value" not in row.cells:
                if setting.required:
                    reader.problems.append(
                        f"{row.ref}: value of {setting.key} is empty; it is required"
                    )
                    reader.reported.add(setting.path)
                continue
            value = reader.value(SETTINGS, row, "value", setting.path, setting.kind)
            if setting.key == "format_version" and isinstance(
                row.cells["value"].value, int | float
            ):
                # Excel turns a typed 1.0 into the number 1.
                value = f"{float(row.cells['value'].value):.1f}"
            reader.origin[setting.path].label = setting.key.replace("_", " ")
            node = self.document
            for key in setting.path[:-1]:
                node = node.setdefault(key, {})
            node[setting.path[-1]] = value
        label = reader.label(SETTINGS)
        for setting in SETTINGS_ROWS:
            if setting.required and setting.key not in seen:
                if label:
                    reader.problems.append(f"{label}: setting {setting.key} is missing")
                reader.reported.add(setting.path)
                if setting.path[0] not in self.document:
                    reader.reported.add(setting.path[:1])

    def _simple(self, sheet: Sheet, key: str) -> None:
        records = []
        for row in self.reader.rows(sheet):
            records.append(self.reader.record(sheet, row, (key, len(records))))
        if records or sheet.name in self.reader.tables:
            self.document[key] = records
        else:
            # A required collection without its sheet: reported as a missing sheet.
            self.reader.reported.add((key,))

    def _templates(self) -> None:
        reader = self.reader
        records = []
        for row in reader.rows(SHIFT_TEMPLATES):
            path = ("shift_templates", len(records))
            start_cell = row.cells.get("start")
            if (
                start_cell is not None
                and "end" not in row.cells
                and looks_like_time_range(start_cell.value)
            ):
                # "23:00-07:15" in the start (or times) column.
                record = reader.record(
                    SHIFT_TEMPLATES, row, path, ["id", "name", "unpaid_break_minutes"]
                )
                start, end = parse_time_range(start_cell.value)
                record.update(start=start, end=end)
                for name in ("start", "end"):
                    reader.origin[(*path, name)] = _Origin(
                        start_cell.ref, "times", cell_text(start_cell.value)
                    )
            else:
                record = reader.record(SHIFT_TEMPLATES, row, path)
            records.append(record)
        if SHIFT_TEMPLATES.name in reader.tables:
            self.document["shift_templates"] = records
        else:
            reader.reported.add(("shift_templates",))

    def _shifts(self) -> None:
        reader = self.reader
        shifts: list[dict[str, Any]] = []
        position: dict[str, int] = {}
        for row in reader.rows(SHIFTS):
            shift_id = reader.value(SHIFTS, row, "id", ("row", row.number, "id"))
            if shift_id is None or shift_id not in position:
                index = len(shifts)
                path = ("shifts", index)
                record = reader.record(SHIFTS, row, path, ["ward", "date", "template"])
                if shift_id is None:
                    reader.reported.add((*path, "id"))
                else:
                    record = {"id": shift_id, **record}
                    reader.origin[(*path, "id")] = reader.origin[
                        ("row", row.number, "id")
                    ]
                    position[shift_id] = index
                record["requirements"] = []
                shifts.append(record)
            else:
                index = position[shift_id]
                for name in ("ward", "date", "template"):
                    value = reader.value(SHIFTS, row, name, ("row", row.number, name))
                    first = shifts[index].get(name)
                    if value is not None and first is not None and value != first:
                        reader.problems.append(
                            f"{row.cells[name].ref}: {name} "
                            f'"{cell_text(row.cells[name].value)}" differs from '
                            f"{_show(first)} on an earlier row of shift {shift_id}"
                        )
            requirements = shifts[index]["requirements"]
            requirement = reader.record(
                SHIFTS,
                row,
                ("shifts", index, "requirements", len(requirements)),
                ["level", "count", "competence"],
            )
            requirements.append(requirement)
        if shifts:
            self.document["shifts"] = shifts

    def _staff(self) -> None:
        reader = self.reader
        people = []
        plain = (
            "id",
            "name",
            "employment",
            "organisation",
            "ward",
            "level",
            "competences",
            "contract_hours",
            "desired_hours",
            "max_hours",
            "conditional_extra_hours",
            "extra_shifts_opt_in",
            "age",
            "night_opt_in",
            "pregnant",
            "irregular_opt_in",
            "max_travel_km",
            "inducted_locations",
        )
        for row in reader.rows(STAFF):
            path = ("staff", len(people))
            person = reader.record(STAFF, row, path, plain)
            if "desired_hours" not in row.cells and "contract_hours" in person:
                # An empty wish means: the contract, no more.
                person["desired_hours"] = person["contract_hours"]
            home = {}
            for name, key in (
                ("home_latitude", "latitude"),
                ("home_longitude", "longitude"),
            ):
                value = reader.value(STAFF, row, name, (*path, "home", key))
                if value is not None:
                    home[key] = value
            if len(home) == 1:
                missing = "home_longitude" if "latitude" in home else "home_latitude"
                reader.problems.append(
                    f"{reader.empty_ref(STAFF, row, missing)}: {missing.replace('_', ' ')} "
                    "is empty; give both home coordinates or neither"
                )
                reader.reported.add((*path, "home"))
            if home:
                person["home"] = home
            preferences = {}
            for kind in ("day", "evening", "night", "weekend"):
                value = reader.value(
                    STAFF, row, f"{kind}_shifts", (*path, "preferences", kind)
                )
                if value is not None:
                    preferences[kind] = value
            if preferences:
                person["preferences"] = preferences
            sundays = reader.value(
                STAFF,
                row,
                "sundays_worked_52w",
                (*path, "history", "sundays_worked_52w"),
            )
            if sundays is not None:
                person["history"] = {"sundays_worked_52w": sundays}
            if isinstance(person.get("id"), str):
                self.staff_position.setdefault(person["id"], len(people))
            people.append(person)
        if people:
            self.document["staff"] = people

    def _person(self, sheet: Sheet, row: _Row) -> int | None:
        """Returns the staff position a row of a per-person sheet belongs to."""
        staff_id = self.reader.value(sheet, row, "staff", ("row", row.number, "staff"))
        if staff_id is None:
            return None
        position = self.staff_position.get(staff_id)
        if position is None:
            self.orphans[(sheet.name, staff_id)].append(row.cells["staff"].ref)
        return position

    def _report_orphans(self) -> None:
        """Reports rows of unknown people once per sheet and person, not per row."""
        for (_, staff_id), refs in self.orphans.items():
            more = f" (nor on {len(refs) - 1} more row(s))" if len(refs) > 1 else ""
            self.reader.problems.append(
                f'{refs[0]}: staff "{staff_id}" is not on the staff sheet{more}'
            )

    def _unavailability(self) -> None:
        for row in self.reader.rows(UNAVAILABILITY):
            position = self._person(UNAVAILABILITY, row)
            if position is None:
                continue
            windows = self.document["staff"][position].setdefault("unavailability", [])
            path = ("staff", position, "unavailability", len(windows))
            windows.append(
                self.reader.record(UNAVAILABILITY, row, path, ["start", "end"])
            )

    def _carry_in_shifts(self) -> None:
        for row in self.reader.rows(CARRY_IN_SHIFTS):
            position = self._person(CARRY_IN_SHIFTS, row)
            if position is None:
                continue
            history = self.document["staff"][position].setdefault("history", {})
            shifts = history.setdefault("recent_shifts", [])
            path = ("staff", position, "history", "recent_shifts")
            self.reader.origin.setdefault(path, _Origin(row.ref))
            shifts.append(
                self.reader.record(
                    CARRY_IN_SHIFTS,
                    row,
                    (*path, len(shifts)),
                    ["start", "end", "unpaid_break_minutes"],
                )
            )

    def _carry_in_weeks(self) -> None:
        reader = self.reader
        weeks: dict[int, dict[int, _Row]] = defaultdict(dict)
        for row in reader.rows(CARRY_IN_WEEKS):
            position = self._person(CARRY_IN_WEEKS, row)
            week = reader.value(
                CARRY_IN_WEEKS, row, "weeks_before", ("row", row.number, "weeks")
            )
            if position is None or not isinstance(week, int):
                continue
            if not 1 <= week <= MAX_CARRY_IN_WEEK:
                reader.problems.append(
                    f"{row.cells['weeks_before'].ref}: weeks before {week} is not "
                    f"1 to {MAX_CARRY_IN_WEEK}"
                )
            elif week in weeks[position]:
                reader.problems.append(
                    f"{row.cells['weeks_before'].ref}: week {week} of this person "
                    f"repeats {weeks[position][week].ref}"
                )
            else:
                weeks[position][week] = row
        for position, rows in weeks.items():
            history = self.document["staff"][position].setdefault("history", {})
            for name, key in (
                ("worked_hours", "weekly_hours"),
                ("nights", "weekly_nights"),
            ):
                given = sorted(w for w, row in rows.items() if name in row.cells)
                if not given:
                    continue
                gaps = sorted(set(range(1, given[-1] + 1)) - set(given))
                if gaps:
                    row = rows.get(gaps[0]) or rows[given[0]]
                    reader.problems.append(
                        f"{row.ref}: {name.replace('_', ' ')} of week {gaps[0]} before "
                        f"the horizon is missing; give weeks 1 to {given[-1]} without gaps"
                    )
                    continue
                values = []
                # Most recent week last, as in the region file.
                for slot, week in enumerate(range(given[-1], 0, -1)):
                    values.append(
                        reader.value(
                            CARRY_IN_WEEKS,
                            rows[week],
                            name,
                            ("staff", position, "history", key, slot),
                        )
                    )
                history[key] = values

    def _wages(self) -> None:
        reader = self.reader
        if not reader.rows(WAGES):
            return
        wages: dict[str, Any] = {}
        reader.origin[("costs", "hourly_wage")] = _Origin(reader.label(WAGES))
        for row in reader.rows(WAGES):
            level = reader.value(WAGES, row, "level", ("row", row.number, "level"))
            if level is None:
                continue
            if level in wages:
                reader.problems.append(
                    f"{row.cells['level'].ref}: level {level} appears twice"
                )
                continue
            wages[level] = reader.value(
                WAGES, row, "hourly_wage", ("costs", "hourly_wage", level)
            )
        self.document.setdefault("costs", {})["hourly_wage"] = wages

    def _ort(self) -> None:
        reader = self.reader
        if not reader.rows(ORT):
            return
        tables: dict[str, list[dict[str, Any]]] = {}
        for row in reader.rows(ORT):
            sector = reader.value(ORT, row, "sector", ("row", row.number, "sector"))
            if sector is None:
                continue
            bands = tables.setdefault(sector, [])
            path = ("costs", "ort", sector, len(bands))
            bands.append(
                reader.record(ORT, row, path, ["days", "start", "end", "premium"])
            )
        reader.origin[("costs", "ort")] = _Origin(reader.label(ORT))
        self.document.setdefault("costs", {})["ort"] = tables

    def _night_exemption_ages(self) -> None:
        reader = self.reader
        if not reader.rows(NIGHT_EXEMPTION_AGES):
            return
        ages: dict[str, Any] = {}
        reader.origin[("rules", "night_exemption_age")] = _Origin(
            reader.label(NIGHT_EXEMPTION_AGES)
        )
        for row in reader.rows(NIGHT_EXEMPTION_AGES):
            sector = reader.value(
                NIGHT_EXEMPTION_AGES, row, "sector", ("row", row.number, "sector")
            )
            if sector is None:
                continue
            if sector in ages:
                reader.problems.append(
                    f"{row.cells['sector'].ref}: sector {sector} appears twice"
                )
                continue
            ages[sector] = reader.value(
                NIGHT_EXEMPTION_AGES,
                row,
                "age",
                ("rules", "night_exemption_age", sector),
            )
        self.document.setdefault("rules", {})["night_exemption_age"] = ages


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return f'"{value}"'


_REFERENCES = (
    ("locations", "organisation", "organisations", ORGANISATIONS),
    ("wards", "location", "locations", LOCATIONS),
    ("shifts", "ward", "wards", WARDS),
    ("shifts", "template", "shift_templates", SHIFT_TEMPLATES),
    ("staff", "organisation", "organisations", ORGANISATIONS),
    ("staff", "ward", "wards", WARDS),
    ("staff", "inducted_locations", "locations", LOCATIONS),
    ("base_roster", "staff", "staff", STAFF),
    ("base_roster", "shift", "shifts", SHIFTS),
    ("sickness", "staff", "staff", STAFF),
)
"""(collection, field, referenced collection, its sheet) of every code reference."""


def _reference_problems(reader: _Reader, document: dict[str, Any]) -> list[str]:
    """Returns a line per code that no sheet defines (when the model cannot check)."""
    ids = {
        key: {r.get("id") for r in document.get(key, []) if isinstance(r, dict)}
        for key in (
            "organisations",
            "locations",
            "wards",
            "shift_templates",
            "shifts",
            "staff",
        )
    }
    problems = []
    for key, name, target, sheet in _REFERENCES:
        for index, record in enumerate(document.get(key, [])):
            path = (key, index, name)
            value = record.get(name)
            if path in reader.reported or value is None:
                continue
            values = value if isinstance(value, tuple | list) else (value,)
            unknown = [v for v in values if isinstance(v, str) and v not in ids[target]]
            if unknown and path in reader.origin:
                where = reader.origin[path]
                problems.append(
                    f"{where.ref}: {where.label} "
                    + ", ".join(f'"{v}"' for v in unknown)
                    + f" is not on the {sheet.name} sheet"
                )
    return problems


_REGION_LINE = re.compile(
    r"^(?P<collection>[a-z_]+)(?:\[(?P<index>\d+)\])?(?: \(id .*?\))?"
    r"\.(?P<field>[\w.]+): (?P<message>.*)$"
)


def _validate(reader: _Reader, document: dict[str, Any]) -> Region:
    """Validates the document; raises every problem found, mapped to cells."""
    problems = list(reader.problems)
    try:
        region = Region.model_validate(document)
    except ValidationError as error:
        items = error.errors(include_url=False)
        field_items = [item for item in items if item["loc"]]
        if field_items:
            for item in field_items:
                loc = tuple(item["loc"])
                if any(loc[:k] in reader.reported for k in range(1, len(loc) + 1)):
                    continue
                problems.append(_field_problem(reader, loc, item))
            problems += _reference_problems(reader, document)
        else:
            for item in items:
                message = item["msg"].removeprefix("Value error, ")
                for line in message.splitlines()[1:] or [message]:
                    problems.append(_region_problem(reader, line))
        raise InputError(reader.source, problems) from None
    if problems:
        raise InputError(reader.source, problems)
    return region


def _lookup(
    reader: _Reader, loc: tuple[Any, ...]
) -> tuple[_Origin | _Cell | None, int]:
    for k in range(len(loc), 0, -1):
        found = reader.origin.get(loc[:k])
        if found is not None:
            return found, k
    return None, 0


def _field_problem(reader: _Reader, loc: tuple[Any, ...], item: dict[str, Any]) -> str:
    message = item["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if item["type"] == "too_short" and len(loc) == 1:
        # A required sheet (organisations, ...) with a header but no data rows.
        return f"{loc[0]}: the sheet has no rows; at least one is needed"
    found, depth = _lookup(reader, loc)
    if found is None:
        return f"{'.'.join(map(str, loc))}: {message}"
    if depth == len(loc):
        if found.label is None:
            return f"{found.ref}: {message}"
        shown = f" {found.text}" if found.text is not None else ""
        return f"{found.ref}: {found.label}{shown}: {message}"
    rest = ".".join(str(part) for part in loc[depth:])
    return f"{found.ref}: {rest.replace('_', ' ') or 'row'}: {message}"


def _region_problem(reader: _Reader, line: str) -> str:
    match = _REGION_LINE.match(line)
    if match is None:
        return line
    loc: tuple[Any, ...] = (match["collection"],)
    if match["index"] is not None:
        loc += (int(match["index"]),)
    loc += tuple(match["field"].split("."))
    found, depth = _lookup(reader, loc)
    if found is None:
        return line
    # "(first used by staff[0])": name the row instead of the list position.
    message = _RECORD_MENTION.sub(
        lambda m: _row_of(reader, m[1], int(m[2])) or m[0], match["message"]
    )
    if depth == len(loc):
        if found.label is None:
            return f"{found.ref}: {message}"
        return f"{found.ref}: {found.label}: {message}"
    label = ".".join(map(str, loc[depth:])).replace("_", " ")
    return f"{found.ref}: {label}: {message}"


_RECORD_MENTION = re.compile(r"\b([a-z_]+)\[(\d+)\]")


def _row_of(reader: _Reader, collection: str, index: int) -> str | None:
    found = reader.origin.get((collection, index))
    return found.ref if found is not None else None


# ---------------------------------------------------------------------------
# Writing: a region (or the empty template) in the template layout
# ---------------------------------------------------------------------------


def _number(value: float | None) -> float | str | None:
    """Returns a float for a cell, as text where Excel's 15-16 digits would round it."""
    if value is None or float(f"{value:.15g}") == value:
        return value
    return repr(value)


def _moment(value: dt.datetime) -> dt.datetime | str:
    """Returns a datetime for a cell; one with a UTC offset as ISO text, to keep it."""
    return value if value.tzinfo is None else value.isoformat()


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _ids(values: Sequence[str]) -> str | None:
    return ids_text(values) or None


def region_tables(region: Region | None) -> dict[str, list[list[Any]]]:
    """Returns the rows of every template sheet for a region (None: the template).

    Each row lists the values of the sheet's columns in order (None for empty
    cells). The empty template keeps the settings, wage, ORT and night-exemption
    sheets filled with the defaults.
    """
    costs = region.costs if region is not None else Costs()
    rules = region.rules if region is not None else LabourRules()
    tables: dict[str, list[list[Any]]] = {sheet.name: [] for sheet in SHEETS}
    for setting in SETTINGS_ROWS:
        value: Any
        if region is None:
            value = {"horizon_weeks": 1, "format_version": "1.0"}.get(setting.key)
        else:
            value = region
            for key in setting.path:
                value = getattr(value, key)
        if setting.path[0] in ("costs", "rules"):
            value = getattr(
                costs if setting.path[0] == "costs" else rules, setting.path[1]
            )
        tables["settings"].append([setting.key, value, setting.help])
    tables["wages"] = [
        [level.value, _number(wage)]
        for level, wage in sorted(costs.hourly_wage.items(), key=lambda kv: kv[0].rank)
    ]
    tables["ort"] = [
        [
            sector.value,
            band.days,
            time_text(band.start),
            time_text(band.end),
            band.premium,
        ]
        for sector, bands in costs.ort.items()
        for band in bands
    ]
    tables["night_exemption_ages"] = [
        [sector.value, age] for sector, age in rules.night_exemption_age.items()
    ]
    if region is None:
        return tables
    tables["organisations"] = [
        [o.id, o.name or None, o.sector.value] for o in region.organisations
    ]
    tables["locations"] = [
        [
            loc.id,
            loc.organisation,
            loc.name or None,
            loc.town or None,
            _number(loc.latitude),
            _number(loc.longitude),
        ]
        for loc in region.locations
    ]
    tables["wards"] = [
        [w.id, w.location, w.name or None, _yes_no(w.allow_higher_level)]
        for w in region.wards
    ]
    tables["shift_templates"] = [
        [
            t.id,
            t.name or None,
            time_text(t.start),
            time_text(t.end),
            t.unpaid_break_minutes,
        ]
        for t in region.shift_templates
    ]
    tables["shifts"] = [
        [s.id, s.ward, s.date, s.template, r.level.value, r.count, r.competence]
        for s in region.shifts
        for r in s.requirements
    ]
    for person in region.staff:
        tables["staff"].append(_staff_row(person))
        for window in person.unavailability:
            tables["unavailability"].append(
                [person.id, _moment(window.start), _moment(window.end)]
            )
        history = person.history
        for past in history.recent_shifts:
            tables["carry_in_shifts"].append(
                [
                    person.id,
                    _moment(past.start),
                    _moment(past.end),
                    past.unpaid_break_minutes,
                ]
            )
        hours, nights = history.weekly_hours, history.weekly_nights
        for week in range(1, max(len(hours), len(nights)) + 1):
            tables["carry_in_weeks"].append(
                [
                    person.id,
                    week,
                    _number(hours[-week]) if week <= len(hours) else None,
                    nights[-week] if week <= len(nights) else None,
                ]
            )
    tables["base_roster"] = [[a.staff, a.shift] for a in region.base_roster]
    tables["sickness"] = [[e.staff, e.first_day, e.last_day] for e in region.sickness]
    tables["agency_supply"] = [
        [s.date, s.level.value, s.count] for s in region.agency_supply
    ]
    tables["holidays"] = [[h.date, h.name or None] for h in region.holidays]
    return tables


def _staff_row(person: Any) -> list[Any]:
    home = person.home
    preferences = person.preferences
    return [
        person.id,
        person.name,
        person.employment.value,
        person.organisation,
        person.ward,
        person.level.value,
        _ids(person.competences),
        _number(person.contract_hours),
        _number(person.desired_hours),
        _number(person.max_hours),
        _number(person.conditional_extra_hours),
        _yes_no(person.extra_shifts_opt_in),
        person.age,
        _yes_no(person.night_opt_in),
        _yes_no(person.pregnant),
        _yes_no(person.irregular_opt_in),
        _number(home.latitude) if home is not None else None,
        _number(home.longitude) if home is not None else None,
        _number(person.max_travel_km),
        _ids(person.inducted_locations),
        preferences.day.value,
        preferences.evening.value,
        preferences.night.value,
        preferences.weekend.value,
        person.history.sundays_worked_52w,
    ]


def write_workbook(region: Region | None, path: str | os.PathLike[str]) -> list[Path]:
    """Writes a region (None: the empty template) in the template layout.

    Parameters
    ----------
    region
        The region, or None for the empty template (settings, wages, ORT and night
        exemption ages keep their defaults; every other sheet has its header only).
    path
        An ``.xlsx`` file (with an explanation sheet, header comments and drop-down
        lists for enumerations), or a directory that receives one CSV file per sheet.

    Returns
    -------
    list of Path
        The files written, each atomically.
    """
    tables = region_tables(region)
    if not is_workbook_path(path):
        directory = Path(path)
        return [
            write_csv_atomic(
                directory / f"{sheet.name}.csv",
                [c.name for c in sheet.columns],
                tables[sheet.name],
            )
            for sheet in SHEETS
        ]
    return [save_workbook_atomic(_template_workbook(tables), path)]


def _template_workbook(tables: dict[str, list[list[Any]]]) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    _readme_sheet(workbook)
    bold = Font(bold=True)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.freeze_panes = "A2"
        _column_widths(worksheet, sheet)
        _drop_down_lists(worksheet, sheet)
        worksheet.append(_header_cells(worksheet, sheet, bold))
        for row in tables[sheet.name]:
            worksheet.append([_cell(worksheet, value) for value in row])
    return workbook


def _header_cells(worksheet: Any, sheet: Sheet, bold: Any) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    cells = []
    for column in sheet.columns:
        cell = WriteOnlyCell(worksheet, value=column.name)
        cell.font = bold
        required = "Required. " if column.required else ""
        cell.comment = Comment(f"{required}{column.help}", "carecap")
        cells.append(cell)
    return cells


def _column_widths(worksheet: Any, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    for position, column in enumerate(sheet.columns, 1):
        width = max(10, len(column.name) + 2)
        if sheet is SETTINGS and column.name == "explanation":
            width = 70
        elif column.kind == "datetime":
            width = max(width, 18)
        worksheet.column_dimensions[get_column_letter(position)].width = width


def _drop_down_lists(worksheet: Any, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for position, column in enumerate(sheet.columns, 1):
        if not column.choices:
            continue
        letter = get_column_letter(position)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(column.choices) + '"',
            allow_blank=True,
            showErrorMessage=False,
            promptTitle=column.label[:32],
            prompt=column.help[:255],
            showInputMessage=True,
        )
        # Warn, do not block: import also reads Dutch spellings ("flexpool", "ja").
        validation.add(f"{letter}2:{letter}1048576")
        worksheet.data_validations.append(validation)


def _cell(worksheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return xlsx_cell(worksheet, value)


_README_LINES = (
    "carecap planner workbook",
    "",
    "How to fill it:",
    "1. settings: fill region_name, horizon_start (a Monday) and horizon_weeks; "
    "the other settings hold the defaults (costs, labour rules) and may stay.",
    "2. organisations, locations, wards, shift_templates: the fixed structure of "
    "the region. Codes have no spaces; sheets refer to each other by code.",
    "3. shifts: the demand, one row per shift and level (repeat the shift code for "
    "further levels). staff: everyone who works or may work shifts.",
    "4. base_roster: who is already planned on which shift; sickness, "
    "unavailability, agency_supply, holidays, carry_in_* as far as known.",
    "5. Run: carecap import THIS_FILE.xlsx -o region.json, then carecap solve "
    "region.json -o out.",
    "",
    "Row 1 of every sheet holds the column names; data starts on row 2. Dutch "
    "column names are accepted too (below). Numbers may use a decimal comma (7,5); "
    "dates 2026-03-23 or 23-03-2026 or an Excel date; times 07:00, or 23:00-07:15 "
    "in the start column of shift_templates; yes/no or ja/nee. Hidden sheets and "
    "columns whose header starts with # are not read.",
    "",
)


def _readme_sheet(workbook: Any) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    worksheet = workbook.create_sheet(README_SHEET)
    for letter, width in zip("ABCDEF", (22, 30, 10, 12, 80, 40), strict=True):
        worksheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    for line in _README_LINES:
        worksheet.append([line])
    header = ["sheet", "column", "required", "kind", "meaning", "also accepted"]
    worksheet.append([_bold(WriteOnlyCell, worksheet, text, bold) for text in header])
    for sheet in SHEETS:
        worksheet.append(
            [
                _bold(WriteOnlyCell, worksheet, sheet.name, bold),
                "",
                "",
                "",
                sheet.help,
                ", ".join(sheet.aliases),
            ]
        )
        for column in sheet.columns:
            kind = "list" if column.choices else column.kind
            worksheet.append(
                [
                    sheet.name,
                    column.name,
                    "yes" if column.required else "",
                    kind,
                    column.help,
                    ", ".join(column.aliases),
                ]
            )


def _bold(cell_type: Any, worksheet: Any, text: str, font: Any) -> Any:
    cell = cell_type(worksheet, value=text)
    cell.font = font
    return cell


def columns_markdown() -> str:
    """Returns the template's sheets and columns as a Markdown table (for the README).

    Required columns are in bold; the README sheet of the template gives each
    column's meaning and Dutch aliases.
    """
    lines = ["| sheet | one row is | columns (**required**) |", "|---|---|---|"]
    for sheet in SHEETS:
        names = ", ".join(
            f"**{column.name}**" if column.required else column.name
            for column in sheet.columns
        )
        first = sheet.help.split(". ")[0].rstrip(".")
        lines.append(f"| `{sheet.name}` | {first} | {names} |")
    return "\n".join(lines) + "\n"

"""Roster workbooks after a solve: one per organisation, and the regional lists.

Each organisation gets what it needs and no more (data minimisation under the
AVG/GDPR): its own open shifts and who fills them, with the person's staff id and
employer only; its agency bookings and uncovered shifts with their reasons; where its
own staff work for others; the settlement of hours lent with each other organisation;
and a sheet per flex-pool member it employs (that person's weeks). Staff data of
other organisations appears only as the staff id and employer of a person filling
one of the organisation's own shifts.

The regional files hold no staff data at all: the agency booking list of every
organisation and the settlement of hours lent between organisations, with cost and
VAT. Everything is written as ``.xlsx`` and as CSV, each file atomically::

    DIR/organisations/<ORG>.xlsx      the organisation's roster workbook
    DIR/organisations/<ORG>/*.csv     the same sheets (pool weeks in pool_weeks.csv)
    DIR/region.xlsx                   summary, agency bookings, settlement
    DIR/region/*.csv                  the same sheets

Costs follow the evaluator (`carecap.kernels.evaluate.Evaluation`): a person's slot costs
(paid + ORT-weighted hours) x hourly wage of their level, times the lending VAT factor
when the employer is not the shift's organisation, plus return-trip travel; an agency
slot costs the booking at the agency rate with agency VAT.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import TZ
from .csvfile import read_records, xlsx_cell
from .domain import Employment
from .roster import UNCOVERED, roster_records
from .workbook import save_workbook_atomic, write_csv_atomic

if TYPE_CHECKING:
    import numpy as np

    from .compile import CompiledRegion

REASON_TEXT = {
    "no_eligible_person": "nobody who offered extra shifts has the level, "
    "competence, induction and room in the hours they offered for this shift",
    "candidates_have_findings": "the people who could take it already break a "
    "labour rule in the base roster",
    "eligible_people_all_used": "everyone who could take it is already used in "
    "this roster",
    "blocked_by_rest_or_hours": "qualified people exist, but rest rules, their "
    "hour limits or the hours they offered block it",
    "fillable": "someone could still take it (the solver stopped before it did)",
    "shift_breaks_working_time_rules": "the shift is longer than the ATW or CAO "
    "allows (for a night, or across the clock change): nobody may work it, agency "
    "staff included; shorten or split the shift",
}
"""Planner wording of each uncovered-slot reason (`carecap.kernels.capacity.UNCOVERED_REASONS`)."""

_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
"""Dutch weekday abbreviations, as planners read rosters."""


@dataclass(frozen=True)
class Table:
    """One sheet of an export: a name, column names and rows of values."""

    name: str
    columns: tuple[str, ...]
    rows: list[list[Any]]


@dataclass(frozen=True)
class _Slot:
    """An open slot with everything an export row may show."""

    index: int
    shift_id: str
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    paid_hours: float
    anw_class: str
    ward: str
    ward_name: str
    location: str
    town: str
    organisation: str
    level: str
    competence: str | None
    cause: str
    kind: str
    staff_id: str | None
    employer: str | None
    cost_eur: float
    wage_ex_vat_eur: float
    vat_eur: float
    travel_eur: float
    reason: str | None

    @property
    def lent(self) -> bool:
        """Returns whether a person of another organisation fills the slot."""
        return self.employer is not None and self.employer != self.organisation


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ).replace(tzinfo=None)


def _slots(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    reasons: Sequence[str | None] | None,
) -> list[_Slot]:
    from carecap.kernels.evaluate import evaluate_roster

    region = compiled.region
    records = roster_records(
        compiled, slot_assignee, list(reasons) if reasons is not None else None
    )
    evaluation = evaluate_roster(compiled, slot_assignee)
    lending = region.costs.lending_vat_factor
    slots = []
    for k, (slot, record) in enumerate(zip(region.open_slots, records, strict=True)):
        shift = region.shift_by_id[slot.shift]
        ward = region.ward_by_id[shift.ward]
        location = region.location_by_id[ward.location]
        cls = region.shift_classes[slot.shift]
        who = int(slot_assignee[k])
        person = region.staff[who] if who >= 0 else None
        wage = float(evaluation.slot_wage_cost[k])
        travel = float(evaluation.slot_travel_cost[k])
        cost = (
            float(record["cost_eur"])
            if record.get("cost_eur")
            else wage + travel + float(evaluation.slot_agency_cost[k])
        )
        employer = person.organisation if person is not None else None
        lent = (
            person is not None
            and person.employment is not Employment.AGENCY
            and employer != location.organisation
        )
        ex_vat = wage / lending if lent else wage
        reason = (reasons[k] if reasons is not None else None) or None
        slots.append(
            _Slot(
                index=k,
                shift_id=slot.shift,
                date=shift.date,
                start=_local(cls.start),
                end=_local(cls.end),
                paid_hours=cls.paid_minutes / 60,
                anw_class=cls.anw_class.value,
                ward=ward.id,
                ward_name=ward.name,
                location=location.id,
                town=location.town,
                organisation=location.organisation,
                level=slot.level.value,
                competence=slot.competence,
                cause=slot.cause.value,
                kind=record["type"],
                staff_id=person.id if person is not None else None,
                employer=employer,
                cost_eur=round(cost, 2),
                wage_ex_vat_eur=round(ex_vat, 2),
                vat_eur=round(wage - ex_vat, 2),
                travel_eur=round(travel, 2),
                reason=reason if who == UNCOVERED else None,
            )
        )
    slots.sort(key=lambda s: (s.start, s.ward, s.shift_id, s.index))
    return slots


# ---------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------

_WHEN = ("date", "day", "start", "end", "paid_hours", "anw_class")


def _when(slot: _Slot) -> list[Any]:
    return [
        slot.date,
        _WEEKDAYS[slot.date.weekday()],
        slot.start,
        slot.end,
        slot.paid_hours,
        slot.anw_class,
    ]


def _open_shifts(slots: list[_Slot]) -> Table:
    rows = [
        [
            *_when(s),
            s.ward,
            s.ward_name or None,
            s.shift_id,
            s.level,
            s.competence,
            s.cause,
            s.kind,
            s.staff_id,
            s.employer,
            ("yes" if s.lent else "no") if s.staff_id is not None else None,
            s.cost_eur,
            s.reason,
        ]
        for s in slots
    ]
    columns = (
        *_WHEN,
        "ward",
        "ward_name",
        "shift_id",
        "level",
        "competence",
        "cause",
        "filled_by",
        "staff_id",
        "employer",
        "from_other_organisation",
        "cost_eur",
        "uncovered_reason",
    )
    return Table("open_shifts", columns, rows)


def _agency_bookings(slots: list[_Slot], with_organisation: bool) -> Table:
    lead = ("organisation",) if with_organisation else ()
    rows = [
        [
            *([s.organisation] if with_organisation else []),
            *_when(s),
            s.location,
            s.town or None,
            s.ward,
            s.ward_name or None,
            s.shift_id,
            s.level,
            s.competence,
            s.cost_eur,
        ]
        for s in slots
        if s.kind == "agency"
    ]
    columns = (
        *lead,
        *_WHEN,
        "location",
        "town",
        "ward",
        "ward_name",
        "shift_id",
        "level",
        "competence",
        "cost_eur",
    )
    return Table("agency_bookings", columns, rows)


def _uncovered(slots: list[_Slot]) -> Table:
    rows = [
        [
            *_when(s),
            s.ward,
            s.ward_name or None,
            s.shift_id,
            s.level,
            s.competence,
            s.cause,
            s.reason,
            REASON_TEXT.get(s.reason or ""),
        ]
        for s in slots
        if s.kind == "uncovered"
    ]
    columns = (
        *_WHEN,
        "ward",
        "ward_name",
        "shift_id",
        "level",
        "competence",
        "cause",
        "reason",
        "reason_explained",
    )
    return Table("uncovered", columns, rows)


def _working_elsewhere(slots: list[_Slot], organisation: str) -> Table:
    rows = [
        [
            s.staff_id,
            s.kind,
            *_when(s),
            s.organisation,
            s.ward,
            s.shift_id,
        ]
        for s in slots
        if s.employer == organisation and s.organisation != organisation
    ]
    columns = ("staff_id", "type", *_WHEN, "host_organisation", "ward", "shift_id")
    return Table("own_staff_elsewhere", columns, rows)


_MONEY = ("paid_hours", "wage_ex_vat_eur", "vat_eur", "invoice_eur", "travel_eur")


def _settlement_totals(lent: list[_Slot]) -> list[Any]:
    ex_vat = round(sum(s.wage_ex_vat_eur for s in lent), 2)
    vat = round(sum(s.vat_eur for s in lent), 2)
    return [
        len(lent),
        round(sum(s.paid_hours for s in lent), 2),
        ex_vat,
        vat,
        round(ex_vat + vat, 2),
        round(sum(s.travel_eur for s in lent), 2),
    ]


def _region_settlement(slots: list[_Slot]) -> tuple[Table, Table]:
    """Returns the lending totals per (employer, host) pair, and one row per slot."""
    pairs: dict[tuple[str, str], list[_Slot]] = defaultdict(list)
    for s in slots:
        if s.lent and s.employer is not None:
            pairs[(s.employer, s.organisation)].append(s)
    totals = [
        [employer, host, *_settlement_totals(lent)]
        for (employer, host), lent in sorted(pairs.items())
    ]
    detail = [
        [
            s.employer,
            s.organisation,
            *_when(s),
            s.ward,
            s.shift_id,
            s.kind,
            s.wage_ex_vat_eur,
            s.vat_eur,
            round(s.wage_ex_vat_eur + s.vat_eur, 2),
            s.travel_eur,
        ]
        for (_, _), lent in sorted(pairs.items())
        for s in lent
    ]
    return (
        Table(
            "settlement",
            ("lending_organisation", "borrowing_organisation", "slots", *_MONEY),
            totals,
        ),
        Table(
            "settlement_detail",
            (
                "lending_organisation",
                "borrowing_organisation",
                *_WHEN,
                "ward",
                "shift_id",
                "type",
                *_MONEY[1:],
            ),
            detail,
        ),
    )


def _organisation_settlement(slots: list[_Slot], organisation: str) -> Table:
    """Returns the organisation's lending with each other organisation, both ways.

    ``borrowed``: people of the other organisation worked here, so this organisation
    pays the invoice; ``lent``: its own people worked there, so it receives it.
    """
    groups: dict[tuple[str, str], list[_Slot]] = defaultdict(list)
    for s in slots:
        if not s.lent or s.employer is None:
            continue
        if s.organisation == organisation:
            groups[("borrowed", s.employer)].append(s)
        elif s.employer == organisation:
            groups[("lent", s.organisation)].append(s)
    rows = [
        [direction, other, *_settlement_totals(lent)]
        for (direction, other), lent in sorted(groups.items())
    ]
    return Table(
        "settlement", ("direction", "other_organisation", "slots", *_MONEY), rows
    )


def _pool_weeks(
    compiled: CompiledRegion, slots: list[_Slot], organisation: str
) -> tuple[Table, list[Table]]:
    """Returns the weekly hours summary and one week table per pool member.

    A member's shifts are the worked base roster (sickness left out) and the new
    assignments of this roster.
    """
    region = compiled.region
    members = [
        p
        for p in region.staff
        if p.employment is Employment.FLEX_POOL and p.organisation == organisation
    ]
    new_by_person: dict[str, list[_Slot]] = defaultdict(list)
    for s in slots:
        if s.staff_id is not None:
            new_by_person[s.staff_id].append(s)
    base_by_person: dict[str, list[str]] = defaultdict(list)
    for assignment in region.worked_roster:
        base_by_person[assignment.staff].append(assignment.shift)
    summary_rows: list[list[Any]] = []
    sheets = []
    columns = (
        *_WHEN,
        "organisation",
        "ward",
        "ward_name",
        "shift_id",
        "source",
    )
    for person in members:
        entries = []
        for shift_id in base_by_person.get(person.id, []):
            shift = region.shift_by_id[shift_id]
            entries.append((shift, "base_roster"))
        entries += [
            (region.shift_by_id[s.shift_id], "new") for s in new_by_person[person.id]
        ]
        rows = []
        hours = defaultdict(lambda: [0.0, 0.0])
        for shift, source in sorted(
            entries, key=lambda e: region.shift_intervals[e[0].id]
        ):
            cls = region.shift_classes[shift.id]
            ward = region.ward_by_id[shift.ward]
            paid = cls.paid_minutes / 60
            week = (shift.date - region.horizon.start).days // 7
            hours[week][source == "new"] += paid
            rows.append(
                [
                    shift.date,
                    _WEEKDAYS[shift.date.weekday()],
                    _local(cls.start),
                    _local(cls.end),
                    paid,
                    cls.anw_class.value,
                    region.ward_organisation(shift.ward).id,
                    ward.id,
                    ward.name or None,
                    shift.id,
                    source,
                ]
            )
        sheets.append(Table(f"pool {person.id}", columns, rows))
        for week in range(region.horizon.weeks):
            base, new = hours[week]
            summary_rows.append(
                [
                    person.id,
                    week + 1,
                    region.horizon.start + dt.timedelta(days=7 * week),
                    person.contract_hours,
                    round(base, 2),
                    round(new, 2),
                    round(base + new, 2),
                    round(max(0.0, person.contract_hours - base - new), 2),
                ]
            )
    summary = Table(
        "pool_summary",
        (
            "staff_id",
            "week",
            "week_start",
            "contract_hours",
            "base_roster_hours",
            "new_hours",
            "planned_hours",
            "hours_below_contract",
        ),
        summary_rows,
    )
    return summary, sheets


def _about(
    compiled: CompiledRegion, organisation: str | None, slots: list[_Slot]
) -> Table:
    """Returns the headline numbers of an export (an organisation's or the region's)."""
    region = compiled.region
    rows: list[list[Any]] = [["region", region.name]]
    if organisation is not None:
        org = region.organisation_by_id[organisation]
        rows += [
            ["organisation", org.id],
            ["organisation_name", org.name or None],
            ["sector", org.sector.value],
        ]
    count = defaultdict(int)
    hours = defaultdict(float)
    for s in slots:
        count[s.kind] += 1
        hours[s.kind] += s.paid_hours
    rows += [
        ["horizon_start", region.horizon.start],
        ["horizon_last_day", region.horizon.last_day],
        ["open_slots", len(slots)],
        ["open_hours", round(sum(s.paid_hours for s in slots), 2)],
        ["filled_by_pool", count["pool"]],
        ["filled_by_extra_hours", count["extra_hours"]],
        ["filled_by_other_organisations", sum(1 for s in slots if s.lent)],
        ["agency_slots", count["agency"]],
        ["agency_hours", round(hours["agency"], 2)],
        ["uncovered_slots", count["uncovered"]],
        ["uncovered_hours", round(hours["uncovered"], 2)],
        ["cost_eur", round(sum(s.cost_eur for s in slots), 2)],
    ]
    return Table("about", ("item", "value"), rows)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _file_name(organisation_id: str) -> str:
    """Returns an id safe as a file name (ids may hold any non-space character)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", organisation_id)


def _sheet_titles(tables: list[Table]) -> list[str]:
    """Returns unique Excel sheet titles (31 characters, no []:*?/\\, no ' at the end)."""
    titles: list[str] = []
    for table in tables:
        # Excel refuses a title that ends in ' (a staff id may: ``pool O'``).
        base = re.sub(r"[\[\]:*?/\\]", "_", table.name)[:31].rstrip("'")
        title, n = base, 2
        while title.lower() in {t.lower() for t in titles}:
            suffix = f"~{n}"
            title, n = base[: 31 - len(suffix)] + suffix, n + 1
        titles.append(title)
    return titles


def write_tables_xlsx(tables: list[Table], path: Path) -> Path:
    """Writes tables as the sheets of one workbook, atomically.

    Dates and times become Excel dates; headers are bold, frozen and filterable.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table, title in zip(tables, _sheet_titles(tables), strict=True):
        worksheet = workbook.create_sheet(title)
        worksheet.freeze_panes = "A2"
        for position, name in enumerate(table.columns, 1):
            width = max(10, min(40, len(name) + 2))
            if name in ("start", "end", "reason_explained"):
                width = 17 if name != "reason_explained" else 60
            worksheet.column_dimensions[get_column_letter(position)].width = width
        if table.rows:
            last = get_column_letter(len(table.columns))
            worksheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        header = []
        for name in table.columns:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in table.rows:
            worksheet.append([_excel_value(worksheet, value) for value in row])
    return save_workbook_atomic(workbook, path)


def _excel_value(worksheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = "dd-mm-yyyy hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = "dd-mm-yyyy"
        return cell
    # One organisation's name reaches the others' workbooks: never as a formula.
    return xlsx_cell(worksheet, value)


def _write_csvs(tables: list[Table], directory: Path) -> list[Path]:
    return [
        write_csv_atomic(directory / f"{table.name}.csv", table.columns, table.rows)
        for table in tables
    ]


def organisation_tables(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    organisation: str,
    reasons: Sequence[str | None] | None = None,
) -> list[Table]:
    """Returns the sheets of one organisation's roster workbook.

    Parameters
    ----------
    compiled
        The compiled region.
    slot_assignee
        Per open slot: staff index, `carecap.roster.AGENCY` or `UNCOVERED`.
    organisation
        The organisation's id.
    reasons
        Per open slot, why it stays uncovered (`carecap.kernels.capacity.UNCOVERED_REASONS`
        names; '' or None where filled), if known.

    Returns
    -------
    list of Table
        ``about``, ``open_shifts``, ``agency_bookings``, ``uncovered``,
        ``own_staff_elsewhere``, ``settlement``, ``pool_summary`` and one
        ``pool <staff id>`` table per flex-pool member the organisation employs.
    """
    return _organisation_tables(
        compiled, _slots(compiled, slot_assignee, reasons), organisation
    )


def _organisation_tables(
    compiled: CompiledRegion, slots: list[_Slot], organisation: str
) -> list[Table]:
    own = [s for s in slots if s.organisation == organisation]
    summary, pool_sheets = _pool_weeks(compiled, slots, organisation)
    return [
        _about(compiled, organisation, own),
        _open_shifts(own),
        _agency_bookings(own, with_organisation=False),
        _uncovered(own),
        _working_elsewhere(slots, organisation),
        _organisation_settlement(slots, organisation),
        summary,
        *pool_sheets,
    ]


def region_tables(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    reasons: Sequence[str | None] | None = None,
) -> list[Table]:
    """Returns the regional sheets: ``about``, ``agency_bookings``, ``settlement``
    and ``settlement_detail``; none of them holds staff data."""
    slots = _slots(compiled, slot_assignee, reasons)
    return _region_tables(compiled, slots)


def _region_tables(compiled: CompiledRegion, slots: list[_Slot]) -> list[Table]:
    settlement, detail = _region_settlement(slots)
    return [
        _about(compiled, None, slots),
        _agency_bookings(slots, with_organisation=True),
        settlement,
        detail,
    ]


def write_roster_exports(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    directory: str | Path,
    reasons: Sequence[str | None] | None = None,
) -> list[Path]:
    """Writes every organisation's roster workbook and the regional files.

    Parameters
    ----------
    compiled
        The compiled region.
    slot_assignee
        Per open slot: staff index, `carecap.roster.AGENCY` or `UNCOVERED`.
    directory
        Output directory (see the module docstring for the layout).
    reasons
        Per open slot, why it stays uncovered, if known.

    Returns
    -------
    list of Path
        Every file written (each atomically).
    """
    out = Path(directory)
    slots = _slots(compiled, slot_assignee, reasons)
    written = []
    used: set[str] = set()
    for organisation in compiled.region.organisations:
        tables = _organisation_tables(compiled, slots, organisation.id)
        name = base = _file_name(organisation.id)
        # Ids that differ only in characters unsafe for file names (or in case).
        while name.lower() in used:
            name = f"{base}-{len(used)}"
        used.add(name.lower())
        written.append(
            write_tables_xlsx(tables, out / "organisations" / f"{name}.xlsx")
        )
        written += _write_csvs(_csv_tables(tables), out / "organisations" / name)
    tables = _region_tables(compiled, slots)
    written.append(write_tables_xlsx(tables, out / "region.xlsx"))
    written += _write_csvs(tables, out / "region")
    return written


def _csv_tables(tables: list[Table]) -> list[Table]:
    """Returns the tables for CSV: the pool members' weeks joined in ``pool_weeks``."""
    pools = [t for t in tables if t.name.startswith("pool ")]
    rest = [t for t in tables if not t.name.startswith("pool ")]
    columns = pools[0].columns if pools else ("date",)
    joined = Table(
        "pool_weeks",
        ("staff_id", *columns),
        [[t.name.removeprefix("pool "), *row] for t in pools for row in t.rows],
    )
    return [*rest, joined]


def reasons_from_roster_csv(
    compiled: CompiledRegion, slot_assignee: np.ndarray, path: str | Path
) -> list[str | None]:
    """Returns the reason of each uncovered slot as written in a roster CSV.

    ``carecap solve`` writes a ``reason`` per uncovered row; rows are matched to the
    uncovered slots of their shift and level in order. Slots without one get None.
    """
    region = compiled.region
    queues: dict[tuple[str, str], list[str]] = defaultdict(list)
    _, records = read_records(path)
    for _, record in records:
        if record.get("type") == "uncovered":
            key = (record.get("shift_id", ""), record.get("level", ""))
            queues[key].append(record.get("reason", ""))
    reasons: list[str | None] = []
    for k, slot in enumerate(region.open_slots):
        queue = queues.get((slot.shift, slot.level.value))
        if int(slot_assignee[k]) == UNCOVERED and queue:
            reasons.append(queue.pop(0) or None)
        else:
            reasons.append(None)
    return reasons

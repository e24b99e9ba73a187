"""Rosters of new assignments to open slots: the CSV format and its mapping to slots.

A roster CSV has one row per filled or unfilled unit of open demand:

``shift_id``
    The shift.
``staff_id``
    The person who works it; empty for agency and uncovered rows.
``type``
    ``pool`` (flex-pool member), ``extra_hours`` (an employee working beyond the
    contract), ``agency`` or ``uncovered``. Optional: derived from the person when
    left out, ``uncovered`` when there is no person.
``level``, ``competence``
    The unit of demand the row fills: the requirement's level and competence (empty:
    none). Optional: ``carecap solve`` writes them, so its rosters read back to
    exactly the units it filled (agency bookings included).

Further columns (organisation, times, cost...) are ignored on reading, so a roster
written by ``carecap solve`` can be read back as it is. ``carecap solve`` ends each
row with ``run_id``, the id that its ``summary.json`` holds too: `check_run_pair`
refuses a roster beside the summary of another run (issue 28, item 8). Open slots of a shift that no
row mentions are uncovered. Text cells are written formula-safe and read back
unchanged (`carecap.csvfile`).

A row with a level takes an open slot of its shift with that level and competence,
in file order (the solver writes its rows in slot order, so the same slot comes
back). Rows without one (hand-made rosters) are matched as the base roster is:
people by maximum bipartite matching on level, the ward's over-qualification rule and
competence, then agency rows to the remaining slots, highest level first; a warning
says so.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .clock import TZ
from .compile import CompiledRegion
from .csvfile import csv_text, read_records, write_csv
from .domain import Employment, Level, OpenSlot, Staff, maximum_matching
from .exceptions import InputError
from .io import read_input_bytes

log = logging.getLogger(__name__)

UNCOVERED = -1
"""``slot_assignee`` value of an open slot that nobody fills."""

AGENCY = -2
"""``slot_assignee`` value of an open slot filled by agency staff."""

ASSIGNMENT_TYPES = ("pool", "extra_hours", "agency", "uncovered")
REQUIRED_COLUMNS = ("shift_id", "staff_id")
LEVELS = tuple(level.value for level in Level)


@dataclass(frozen=True)
class RosterRow:
    """One row of a roster file, as read (1-based ``line`` for messages).

    ``level`` is None when the row does not say which unit it fills; ``competence``
    is None when the file has no competence column, ``""`` for a unit without one.
    """

    line: int
    shift_id: str
    staff_id: str | None
    kind: str
    level: str | None = None
    competence: str | None = None


def assignment_type(person: Staff) -> str:
    """Returns the roster type of a person's new assignment."""
    if person.employment is Employment.FLEX_POOL:
        return "pool"
    if person.employment is Employment.AGENCY:
        return "agency"
    return "extra_hours"


def read_roster_rows(path: str | os.PathLike[str]) -> list[RosterRow]:
    """Reads a roster CSV into rows, checking its columns and values.

    Raises
    ------
    InputError
        Naming the file, line and column of every problem.
    """
    source = str(path)
    file = Path(path)
    if not file.exists():
        raise InputError(source, ["no such file"])
    if file.is_dir():
        raise InputError(source, ["is a directory, expected a roster CSV file"])
    try:
        header, records = read_records(file)
        rows, problems = [], []
        if not header:
            raise InputError(source, ["the file is empty; expected a header line"])
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(
                source,
                [
                    f"line 1: missing column(s) {', '.join(missing)}; found "
                    f"{', '.join(header) or 'none'}"
                ],
            )
        has_competence = "competence" in header
        for line, record in records:
            row = _row(line, record, has_competence, problems)
            if row is not None:
                rows.append(row)
    except UnicodeDecodeError as error:
        raise InputError(source, [f"not UTF-8 text (byte {error.start})"]) from None
    except csv.Error as error:
        raise InputError(source, [f"not a CSV file ({error})"]) from None
    if problems:
        raise InputError(source, problems)
    return rows


def _row(
    line: int, record: dict[str, str], has_competence: bool, problems: list[str]
) -> RosterRow | None:
    """Returns the row of one CSV record, or None after adding its problem."""
    shift_id = record.get("shift_id", "")
    staff_id = record.get("staff_id", "") or None
    kind = record.get("type", "").lower()
    level = record.get("level", "") or None
    competence = record.get("competence", "") if has_competence else None
    if not shift_id:
        problems.append(f"line {line}, column shift_id: empty")
        return None
    if kind and kind not in ASSIGNMENT_TYPES:
        problems.append(
            f"line {line}, column type: {kind!r} is not one of "
            f"{', '.join(ASSIGNMENT_TYPES)}"
        )
        return None
    if kind in ("agency", "uncovered") and staff_id is not None:
        problems.append(f"line {line}, column staff_id: a {kind} row names no person")
        return None
    if kind in ("pool", "extra_hours") and staff_id is None:
        problems.append(f"line {line}, column staff_id: a {kind} row needs a person")
        return None
    if level is not None and level not in LEVELS:
        problems.append(
            f"line {line}, column level: {level!r} is not one of {', '.join(LEVELS)}"
        )
        return None
    return RosterRow(
        line,
        shift_id,
        staff_id,
        kind or ("" if staff_id else "uncovered"),
        level,
        competence if level is not None else None,
    )


def rows_to_slot_assignee(
    compiled: CompiledRegion,
    rows: list[RosterRow],
    source: str = "<roster>",
    dropped: list[str] | None = None,
) -> np.ndarray:
    """Maps roster rows to ``slot_assignee`` (staff index, `AGENCY` or `UNCOVERED`).

    Rows with a level take the open slots of their shift, level and competence in
    file order; the others are matched (see the module docstring), with a warning.

    Parameters
    ----------
    dropped
        When given (re-planning against a region that changed since the roster was
        made), rows that no longer map are left out and their problems appended here
        instead of raised.

    Raises
    ------
    InputError
        For unknown ids, duplicate rows, a person on two overlapping shifts, a person
        who cannot fill the open slot of the row (or any, without a level), a level
        and competence with no open slot left, or more rows than open slots.
    """
    region = compiled.region
    slots_of: dict[str, list[int]] = defaultdict(list)
    for k, slot in enumerate(region.open_slots):
        slots_of[slot.shift].append(k)
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    by_shift: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row.shift_id not in region.shift_by_id:
            problems.append(
                f"line {row.line}, column shift_id: unknown shift {row.shift_id!r}"
            )
            continue
        if row.staff_id is not None:
            person = region.staff_by_id.get(row.staff_id)
            if person is None:
                problems.append(
                    f"line {row.line}, column staff_id: unknown staff {row.staff_id!r}"
                )
                continue
            key = (row.staff_id, row.shift_id)
            if key in seen:
                problems.append(
                    f"line {row.line}: duplicate of line {seen[key]} "
                    f"({row.staff_id} on {row.shift_id})"
                )
                continue
            seen[key] = row.line
            if row.kind and row.kind != assignment_type(person):
                problems.append(
                    f"line {row.line}, column type: {row.kind!r} does not match "
                    f"{row.staff_id}'s employment ({person.employment.value})"
                )
                continue
        by_shift[row.shift_id].append(row)
    problems += _double_bookings(compiled, rows, seen)

    assignee = np.full(len(region.open_slots), UNCOVERED, dtype=np.int64)
    matched_rows = 0
    for shift_id, shift_rows in by_shift.items():
        open_here = slots_of.get(shift_id, [])
        worked = [r for r in shift_rows if r.kind != "uncovered"]
        if len(worked) > len(open_here):
            problems.append(
                f"line {worked[len(open_here)].line}, column shift_id: shift {shift_id!r} "
                f"has {len(open_here)} open slot(s) but {len(worked)} row(s) fill it"
            )
            continue
        problems += _place_exact(compiled, open_here, shift_rows, assignee)
        loose = [r for r in worked if r.competence is None]
        matched_rows += len(loose)
        problems += _place_matched(compiled, open_here, loose, assignee)
    if problems:
        if dropped is None:
            raise InputError(source, problems)
        dropped.extend(f"{source}: {problem}" for problem in problems)
    if matched_rows:
        log.warning(
            "%s: %d row(s) without level and competence columns: their units were "
            "matched (people by qualification, agency to the remaining slots, "
            "highest level first); carecap solve writes both to keep the exact units",
            source,
            matched_rows,
        )
    return assignee


def _unit_label(level: str, competence: str | None) -> str:
    """Returns ``N3`` or ``N3 with competence 'IC'`` for messages."""
    return f"{level} with competence {competence!r}" if competence else level


def _place_exact(
    compiled: CompiledRegion,
    open_here: list[int],
    shift_rows: list[RosterRow],
    assignee: np.ndarray,
) -> list[str]:
    """Places the rows that name their unit; returns their problems.

    The rows of one level and competence take the shift's open slots of that unit in
    file order, uncovered rows included, so a roster written in slot order comes
    back slot for slot; when there are more rows than slots, the uncovered rows give
    way.
    """
    region = compiled.region
    groups: dict[tuple[str, str], list[RosterRow]] = defaultdict(list)
    for row in shift_rows:
        if row.level is not None and row.competence is not None:
            groups[(row.level, row.competence)].append(row)
    problems = []
    for (level, competence), group in groups.items():
        slots = [
            k
            for k in open_here
            if region.open_slots[k].level.value == level
            and (region.open_slots[k].competence or "") == competence
            and assignee[k] == UNCOVERED
        ]
        if len(group) > len(slots):
            group = [r for r in group if r.kind != "uncovered"]
        for pos, row in enumerate(group):
            if row.kind == "uncovered":
                continue
            if pos >= len(slots):
                problems.append(
                    f"line {row.line}, column level: shift {row.shift_id!r} has no "
                    f"open {_unit_label(level, competence)} slot left for this row"
                )
                continue
            k = slots[pos]
            if row.staff_id is None:
                assignee[k] = AGENCY
                continue
            person = region.staff_by_id[row.staff_id]
            shift = region.shift_by_id[row.shift_id]
            slot = region.open_slots[k]
            if not region.can_fill(person, shift, shift.requirements[slot.requirement]):
                problems.append(
                    f"line {row.line}, column staff_id: {row.staff_id} cannot fill the "
                    f"open {_unit_label(level, slot.competence)} slot of "
                    f"{row.shift_id} (level, competence or ward rule)"
                )
                continue
            assignee[k] = compiled.staff_index[row.staff_id]
    return problems


def _place_matched(
    compiled: CompiledRegion,
    open_here: list[int],
    rows: list[RosterRow],
    assignee: np.ndarray,
) -> list[str]:
    """Places worked rows that do not name their unit; returns their problems.

    People are matched to slots they can fill (maximum bipartite matching, within
    the row's level when it gives one); agency rows then take the remaining slots,
    highest level first.
    """
    region = compiled.region
    remaining = [k for k in open_here if assignee[k] == UNCOVERED]
    people = [r for r in rows if r.staff_id is not None]
    agency = [r for r in rows if r.staff_id is None]
    problems = []
    matched = _match(compiled, [region.open_slots[k] for k in remaining], people)
    for row_pos, slot_pos in enumerate(matched):
        row = people[row_pos]
        if slot_pos < 0:
            problems.append(
                f"line {row.line}, column staff_id: {row.staff_id} cannot fill any "
                f"remaining open slot of {row.shift_id} (level, competence or ward "
                "rule)"
            )
        else:
            assignee[remaining[slot_pos]] = compiled.staff_index[row.staff_id]
    left = sorted(
        (k for k in remaining if assignee[k] == UNCOVERED),
        key=lambda k: -region.open_slots[k].level.rank,
    )
    for row in agency:
        k = next(
            (
                k
                for k in left
                if row.level is None or region.open_slots[k].level.value == row.level
            ),
            None,
        )
        if k is None:
            unit = f"{row.level} " if row.level is not None else ""
            problems.append(
                f"line {row.line}, column level: no open {unit}slot of "
                f"{row.shift_id} is left for this agency row"
            )
            continue
        left.remove(k)
        assignee[k] = AGENCY
    return problems


def _double_bookings(
    compiled: CompiledRegion, rows: list[RosterRow], seen: dict[tuple[str, str], int]
) -> list[str]:
    """Returns a problem per row that puts a person on two overlapping shifts."""
    region = compiled.region
    intervals = region.shift_intervals
    by_person: dict[str, list[tuple]] = defaultdict(list)
    for (staff_id, shift_id), line in seen.items():
        by_person[staff_id].append((*intervals[shift_id], line, shift_id))
    for assignment in region.worked_roster:
        if assignment.staff in by_person:
            by_person[assignment.staff].append(
                (*intervals[assignment.shift], 0, assignment.shift)
            )
    problems = []
    for staff_id, spans in by_person.items():
        spans.sort()
        for (_, prev_end, prev_line, prev_shift), (
            start,
            _,
            line,
            shift_id,
        ) in itertools.pairwise(spans):
            if start < prev_end:
                where = f"line {prev_line}" if prev_line else "the base roster"
                problems.append(
                    f"line {line or prev_line}: {staff_id} is assigned twice at once "
                    f"({shift_id} overlaps {prev_shift} from {where})"
                )
    return problems


def _match(
    compiled: CompiledRegion, slots: list[OpenSlot], rows: list[RosterRow]
) -> list[int]:
    """Returns for each row the matched slot position, or -1 (Kuhn's algorithm)."""
    region = compiled.region
    if not rows:
        return []
    shift = region.shift_by_id[slots[0].shift] if slots else None
    fits = []
    for row in rows:
        person = region.staff_by_id[row.staff_id]
        fits.append(
            [
                k
                for k, slot in enumerate(slots)
                if shift is not None
                and (row.level is None or slot.level.value == row.level)
                and region.can_fill(person, shift, shift.requirements[slot.requirement])
            ]
        )
    matched = [-1] * len(rows)
    for row, k in maximum_matching(fits).items():
        matched[row] = k
    return matched


def read_roster(compiled: CompiledRegion, path: str | os.PathLike[str]) -> np.ndarray:
    """Reads a roster CSV for a compiled region; returns ``slot_assignee``.

    Raises
    ------
    InputError
        Naming the file and line of every problem (all of them at once).
    """
    return rows_to_slot_assignee(compiled, read_roster_rows(path), str(path))


def read_previous_roster(
    compiled: CompiledRegion, path: str | os.PathLike[str]
) -> tuple[np.ndarray, list[str]]:
    """Reads the previous roster of a re-planning run, leniently.

    The region may have changed since the roster was made (a sick call, a shift
    added or removed), so rows that no longer map onto an open slot are dropped and
    described rather than rejected; a malformed file is still an `InputError`.

    Returns
    -------
    tuple
        ``slot_assignee`` of the previous roster, and one line per dropped row.
    """
    dropped: list[str] = []
    assignee = rows_to_slot_assignee(
        compiled, read_roster_rows(path), str(path), dropped
    )
    _drop_without_consent(compiled, assignee, str(path), dropped)
    return assignee, dropped


def _drop_without_consent(
    compiled: CompiledRegion, assignee: np.ndarray, source: str, dropped: list[str]
) -> None:
    """Leaves out the previous assignments that break CONSENT, listing each one.

    A person who no longer offers extra shifts loses that shift; a week above the
    hours a person offered loses all of the person's new shifts in that week (the
    solve may give some back). ``assignee`` is changed in place.
    """
    from carecap.kernels.evaluate import Rule, evaluate_roster

    evaluation = evaluate_roster(compiled, assignee)
    arrays = compiled.arrays
    slot_week = arrays.shift_week[arrays.slot_shift]
    for k in np.flatnonzero(evaluation.violation_rule == Rule.CONSENT):
        person = int(evaluation.violation_staff[k])
        mine = assignee == person
        if evaluation.violation_span[k] == 1:
            lost = mine & (slot_week == evaluation.violation_period[k])
            why = "above the hours the person offered that week (CONSENT)"
        else:
            lost = mine & (arrays.slot_shift == evaluation.violation_shift_a[k])
            why = "the person offered no extra shifts (CONSENT)"
        for slot in np.flatnonzero(lost):
            dropped.append(
                f"{source}: {compiled.staff_ids[person]} on "
                f"{compiled.region.open_slots[slot].shift} dropped: {why}"
            )
        assignee[lost] = UNCOVERED


def opened_slots(compiled: CompiledRegion, path: str | os.PathLike[str]) -> np.ndarray:
    """Returns, per open slot, whether a previous roster file has no row for it.

    Such a slot opened after the roster was made: a sick call freed a base-roster
    shift, or the shift is new. A roster written by ``carecap solve`` has a row for
    every open slot, uncovered ones included. Rows are counted per shift, level and
    competence where they name their unit (else per shift), and take the slots of
    their unit in slot order, as `read_previous_roster` places them; rows of shifts
    without open slots count for nothing.

    Returns
    -------
    numpy.ndarray
        bool per open slot: True where no row of the file accounts for it.
    """
    region = compiled.region
    slots_of: dict[str, list[int]] = defaultdict(list)
    for k, slot in enumerate(region.open_slots):
        slots_of[slot.shift].append(k)
    exact: dict[tuple[str, str, str], int] = defaultdict(int)
    loose: dict[str, int] = defaultdict(int)
    for row in read_roster_rows(path):
        if row.shift_id not in slots_of:
            continue
        if row.level is not None and row.competence is not None:
            exact[(row.shift_id, row.level, row.competence)] += 1
        else:
            loose[row.shift_id] += 1
    listed = np.zeros(len(region.open_slots), dtype=np.bool_)
    for (shift_id, level, competence), count in exact.items():
        unit = [
            k
            for k in slots_of[shift_id]
            if region.open_slots[k].level.value == level
            and (region.open_slots[k].competence or "") == competence
        ]
        listed[unit[:count]] = True
    for shift_id, count in loose.items():
        free = [k for k in slots_of[shift_id] if not listed[k]]
        listed[free[:count]] = True
    return ~listed


ROSTER_COLUMNS = (
    "shift_id",
    "staff_id",
    "type",
    "organisation",
    "ward",
    "level",
    "competence",
    "start",
    "end",
    "paid_hours",
    "anw_class",
    "cost_eur",
    "reason",
)
"""Columns of a roster file, as `write_roster` writes them."""

ROSTER_NUMERIC_COLUMNS = ("paid_hours", "cost_eur")
"""Columns of numbers, written as they are (never neutralised)."""


def roster_records(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    reasons: list[str] | None = None,
) -> list[dict[str, str]]:
    """Returns one record per open slot: who fills it (if anyone), where and when.

    Times are ISO 8601 local times with their UTC offset; the person's staff id is the
    only personal field. ``cost_eur`` is the evaluator's cost of the slot (wage with
    ORT and lending VAT plus travel for a person, the booking for agency, nothing for
    an uncovered slot); ``reason`` says why an uncovered slot stays uncovered
    (`carecap.kernels.capacity.UNCOVERED_REASONS`), when given.
    """
    from carecap.kernels.evaluate import evaluate_roster

    region = compiled.region
    evaluation = evaluate_roster(compiled, slot_assignee)
    cost = (
        evaluation.slot_wage_cost
        + evaluation.slot_travel_cost
        + evaluation.slot_agency_cost
    )
    records = []
    for k, slot in enumerate(region.open_slots):
        shift = region.shift_by_id[slot.shift]
        cls = region.shift_classes[slot.shift]
        who = int(slot_assignee[k])
        if who >= 0:
            person = region.staff[who]
            staff_id, kind = person.id, assignment_type(person)
        else:
            staff_id, kind = "", ("agency" if who == AGENCY else "uncovered")
        records.append(
            {
                "shift_id": slot.shift,
                "staff_id": staff_id,
                "type": kind,
                "organisation": region.ward_organisation(shift.ward).id,
                "ward": shift.ward,
                "level": slot.level.value,
                "competence": slot.competence or "",
                "start": cls.start.astimezone(TZ).isoformat(),
                "end": cls.end.astimezone(TZ).isoformat(),
                "paid_hours": f"{cls.paid_minutes / 60:g}",
                "anw_class": cls.anw_class.value,
                "cost_eur": f"{cost[k]:.2f}",
                "reason": reasons[k] if reasons is not None else "",
            }
        )
    return records


RUN_ID_COLUMN = "run_id"
"""Last column of a roster that ``carecap solve`` wrote: its run id, on every row."""

SUMMARY_NAME = "summary.json"
"""The file beside a roster that holds the same run id (``run_id``)."""


def write_roster(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    path: str | os.PathLike[str],
    reasons: list[str] | None = None,
    *,
    run_id: bool = False,
) -> str | None:
    """Writes a roster CSV atomically (columns: `roster_records`).

    Text cells that a spreadsheet would run as a formula (an id such as ``-0042``
    or ``=HYPERLINK(..)``) get one ``'`` in front, which `read_roster` removes.

    Parameters
    ----------
    run_id
        End every row with a `RUN_ID_COLUMN`: ``run-`` and 16 hex digits of the
        SHA-256 of the roster's other cells, so equal rosters get equal ids (a
        ``--deterministic`` solve repeats byte for byte) and a roster of another
        run another id. The prefix keeps a spreadsheet from reading it as a number.

    Returns
    -------
    str or None
        The run id, for the ``summary.json`` written beside it (None without).
    """
    records = roster_records(compiled, slot_assignee, reasons)
    if not run_id:
        write_csv(path, ROSTER_COLUMNS, records, numeric=ROSTER_NUMERIC_COLUMNS)
        return None
    content = csv_text(ROSTER_COLUMNS, records, ROSTER_NUMERIC_COLUMNS)
    stamp = "run-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    write_csv(
        path,
        (*ROSTER_COLUMNS, RUN_ID_COLUMN),
        [{**record, RUN_ID_COLUMN: stamp} for record in records],
        numeric=ROSTER_NUMERIC_COLUMNS,
    )
    return stamp


def roster_run_ids(path: str | os.PathLike[str]) -> set[str] | None:
    """Returns the run ids in a roster's `RUN_ID_COLUMN` (blank cells left out).

    None when the file has no such column (a hand-made roster, or one of a carecap
    before the column); an empty set when it has the column but no rows.

    Raises
    ------
    InputError
        If the file cannot be read as CSV.
    """
    try:
        header, records = read_records(Path(path))
        if RUN_ID_COLUMN not in header:
            return None
        return {r[RUN_ID_COLUMN] for _, r in records if r.get(RUN_ID_COLUMN)}
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(str(path), [f"not a UTF-8 CSV file ({error})"]) from None


def check_run_pair(
    roster_path: str | os.PathLike[str],
    summary: dict | None = None,
    *,
    require: bool = False,
) -> None:
    """Raises `InputError` when a roster and the ``summary.json`` beside it are not
    from one ``carecap solve``.

    A kill between the two writes, or a later run that found no roster, would
    otherwise pair one run's roster with another's figures. Both carry the run id
    (`write_roster`); a roster with run ids must carry exactly the summary's.

    Parameters
    ----------
    roster_path
        The roster CSV.
    summary
        The summary document; when None, ``summary.json`` beside the roster is read
        if it is there and a JSON object (nothing is checked otherwise).
    require
        The roster must be the summary's (``carecap report``, which shows them
        together): a roster without run ids beside a summary with one is refused
        too, and a roster without rows must belong to a summary of no open slots.
        Without it (``evaluate``, ``export``) a roster without run ids, such as a
        hand-made one, is not checked.
    """
    roster_path = Path(roster_path)
    summary_path = roster_path.parent / SUMMARY_NAME
    if summary is None:
        try:
            summary = json.loads(read_input_bytes(summary_path))
        except (InputError, OSError, ValueError, RecursionError):
            return  # none there, or not one a solve wrote: nothing to hold it to
        if not isinstance(summary, dict) or "status" not in summary:
            return  # not a solve's summary (``analyze`` writes one too)
    ids = roster_run_ids(roster_path)
    expected = summary.get(RUN_ID_COLUMN)
    if not isinstance(expected, str):
        expected = None
    if ids is None:
        if not require or expected is None:
            return
        found = "carries no run id"
    elif not ids:
        slots = (summary.get("kpis") or {}).get("slots")
        if not require or (expected is not None and slots == 0):
            return
        found = "has no rows"
    elif ids == {expected}:
        return
    else:
        found = f"is of run {', '.join(sorted(map(str, ids)))}"
    if expected:
        of = f"of run {expected}"
    elif RUN_ID_COLUMN in summary:
        of = "of a run that wrote no roster"
    else:
        of = "without a run id (an older carecap's)"
    raise InputError(
        str(roster_path),
        [
            f"{found}, but {summary_path} beside it is {of}: the two files are not "
            "from one `carecap solve` (a run cut between writing them, or a later "
            "run that wrote only its summary); solve again, or use the pair of one "
            "run"
        ],
    )

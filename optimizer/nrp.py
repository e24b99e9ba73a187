"""The Curtois & Qu shift-scheduling benchmark: reader, CP-SAT model and solve.

The benchmark (``../shared/benchmarks/curtois/FORMAT.md``) asks for a roster of
employees x days, each day off or one shift type, under hard rules (one shift per
day, forbidden successions, maximum shifts per type, total minutes, minimum and
maximum consecutive working days, minimum consecutive days off, maximum weekends,
days off) and a penalty for unmet shift requests and for under- and over-cover.

The model is built from the rule families of `carecap.cpsat.library`, the same
families the regional roster model uses; the Dutch labour-law rules are switched
off because the benchmark has no clock times. One committed preset
(`NRP_PARAMETERS` for CP-SAT, `NRP_SEARCH` for the search around it) is used for
every instance; nothing depends on an instance's name or size. `solve_nrp`
describes the search: CP-SAT on the full model, column generation over employee
rows (a lower bound and a roster), a large-neighbourhood search whose neighbourhood
models are built by the same families over the fixed rest of the roster, and
CP-SAT again. Every roster is re-checked by the independent evaluator
in `carecap.nrp_evaluate`; a disagreement on feasibility or penalty raises
`NrpModelError`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from .cpsat import library
from .csvfile import read_records, rows_text
from .exceptions import InputError
from .io import read_input_text

log = logging.getLogger("carecap")

OFF = -1
"""``assignment`` value of a day off."""

DAYS_PER_WEEK = 7
SATURDAY = 5
"""Day 0 is a Monday, so day ``d`` is a Saturday when ``d % 7 == 5``."""

NRP_PARAMETERS: dict[str, Any] = {
    # CP-SAT's default LP level: level 2 (every constraint in the LP) did not pay,
    # because the LP relaxation of this model is weak (fractional staff cover
    # everything) and the extra rows slow the search.
    "linearization_level": 1,
}
"""The committed CP-SAT parameters of the benchmark solve (any instance);
``num_workers``, ``random_seed`` and the time limit come from the caller."""

NRP_SEARCH: dict[str, Any] = {
    "first_share": 0.1,  # of the time limit: CP-SAT on the full model first
    "final_share": 0.1,  # kept back for the closing full-model solve
    # Time cap of one sub-problem. 0.5 s was too short for the day windows that
    # leave Instance8's 1,400 basin (1.0-1.6 s each); see benchmarks/README.md.
    "neighbourhood_seconds": 1.0,
    "stall_patience": 15,  # sub-problems without improvement before stretching
    "stretch": 1.5,  # time cap factor per patience spent without improvement
    "max_stretch": 20.0,  # largest time cap factor
    "stall_limit": 90,  # sub-problems without improvement that end a round
    "full_share": 0.15,  # CP-SAT on the full model after each round
    "construct_share": 0.1,  # of the time limit: building the first roster
    "columns_share": 0.35,  # column generation (lower bound) after the first phase
    # Column generation gives up when its share holds fewer pricing rounds than
    # this at its pace so far: converging took 35-62 rounds on Instance8, 16 and 18
    # (11-40 on 2-7), and on 20 and 21 at 60 s (2 s and 11 s a round) the share
    # went for a negative bound while the neighbourhood search that followed
    # gained about 1,000 a second.
    "columns_min_rounds": 20,
    "dive_share": 0.3,  # the column-generation dive (a roster)
    "dive_rounds": 4,  # most pricing rounds after each fix of a dive
    "dive_leave": 8,  # employees a column dive leaves to CP-SAT
    "dive_gap": 0.02,  # dive when the bound is this close to the LP value,
    "dive_fall": 0.01,  # or when the LP fell by less than this share in a round
    "dive_open_share": 0.15,  # of the dive's time: CP-SAT on the employees it left
    "second_dive_share": 0.25,  # cell dive done with this share left: a column dive
    "row_seconds": 1.0,  # time cap of one pricing problem
    "free_employees": 2,  # initial size of an employee neighbourhood
    "free_days": 7,  # initial width of a day-window neighbourhood
    "free_weekends": 4,  # initial number of weekends in a weekend neighbourhood
    "grow": 1.15,  # size factor after a sub-problem solved to optimality
    "shrink": 0.85,  # size factor after a sub-problem stopped by its time cap
    # CP-SAT parameters of a sub-problem on top of NRP_PARAMETERS. One worker per
    # sub-problem: each search thread solves its own. Every constraint in the LP:
    # once most of the roster is fixed the LP is tight, and 3-employee
    # sub-problems of Instance5 were proved optimal about 6x faster than at level 1.
    "neighbourhood_parameters": {"num_workers": 1, "linearization_level": 2},
    # CP-SAT parameters of the closing full-model solve: interleaved search runs
    # every full subsolver (core-based bounds among them) in turn on the threads,
    # which raised the bound of Instance7 at 60 s from 29 to 1039.
    "final_parameters": {"interleave_search": True},
}
"""The committed search schedule (see `solve_nrp`); the same for every instance."""

SECTIONS = (
    "HORIZON",
    "SHIFTS",
    "STAFF",
    "DAYS_OFF",
    "SHIFT_ON_REQUESTS",
    "SHIFT_OFF_REQUESTS",
    "COVER",
)
"""The sections of an instance file, in the order they appear."""


class NrpModelError(RuntimeError):
    """The model and the independent evaluator disagree about a solution (a bug)."""


@dataclass(frozen=True)
class Request:
    """A shift request: employee (index) would like (or not like) shift on day."""

    employee: int
    day: int
    shift: int
    weight: int


@dataclass(frozen=True, eq=False)
class NrpInstance:
    """One benchmark instance, by index; IDs are kept for input and output.

    Attributes
    ----------
    name
        The file stem (``Instance1``); used for nothing but display.
    num_days
        Horizon length in days; day 0 is a Monday.
    shift_ids, employee_ids
        IDs as written in the file, in file order (their position is the index).
    shift_minutes
        Length of each shift type in minutes, shape (S,).
    forbidden_next
        ``[s, t]`` true when type ``t`` may not be worked the day after ``s``, (S, S).
    max_shifts
        Most shifts of each type per employee over the horizon, (E, S).
    max_total_minutes, min_total_minutes
        Bounds on each employee's worked minutes, (E,).
    max_consecutive_shifts, min_consecutive_shifts, min_consecutive_days_off
        Run-length limits per employee, (E,).
    max_weekends
        Most weekends worked per employee, (E,).
    day_off
        ``[e, d]`` true when employee ``e`` may not work on day ``d``, (E, D).
    on_requests, off_requests
        Shift requests (wishes to work, and not to work, a shift type on a day).
    cover_requirement, cover_weight_under, cover_weight_over
        Per (day, shift type): people wanted, and the cost of each missing and each
        extra person, (D, S).
    """

    name: str
    num_days: int
    shift_ids: tuple[str, ...]
    shift_minutes: np.ndarray
    forbidden_next: np.ndarray
    employee_ids: tuple[str, ...]
    max_shifts: np.ndarray
    max_total_minutes: np.ndarray
    min_total_minutes: np.ndarray
    max_consecutive_shifts: np.ndarray
    min_consecutive_shifts: np.ndarray
    min_consecutive_days_off: np.ndarray
    max_weekends: np.ndarray
    day_off: np.ndarray
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover_requirement: np.ndarray
    cover_weight_under: np.ndarray
    cover_weight_over: np.ndarray

    @property
    def num_employees(self) -> int:
        """Returns the number of employees."""
        return len(self.employee_ids)

    @property
    def num_shift_types(self) -> int:
        """Returns the number of shift types."""
        return len(self.shift_ids)

    @property
    def weekends(self) -> list[list[int]]:
        """Returns the days of each weekend (Saturday and Sunday inside the horizon)."""
        out = []
        for saturday in range(SATURDAY, self.num_days, DAYS_PER_WEEK):
            out.append([d for d in (saturday, saturday + 1) if d < self.num_days])
        return out

    def summary(self) -> str:
        """Returns a one-line description: days, employees, shift types, requests."""
        return (
            f"{self.name}: {self.num_days} days, {self.num_employees} employees, "
            f"{self.num_shift_types} shift types, "
            f"{len(self.on_requests) + len(self.off_requests)} requests"
        )


# -- reading ---------------------------------------------------------------------------


def _int(text: str, what: str, line: int, problems: list[str]) -> int:
    try:
        return int(text.strip())
    except ValueError:
        problems.append(f"line {line}: {what} {text.strip()!r} is not a whole number")
        return 0


def read_nrp(path: str | Path) -> NrpInstance:
    """Reads a benchmark instance file.

    Parameters
    ----------
    path
        An ``InstanceN.txt`` file in the benchmark's text format.

    Returns
    -------
    NrpInstance
        The instance.

    Raises
    ------
    InputError
        When the file cannot be read or is malformed; every problem found names
        its line number.
    """
    path = Path(path)
    text = read_input_text(path, "benchmark instance file")
    return parse_nrp(text, str(path), name=path.stem)


def parse_nrp(text: str, source: str = "<text>", name: str = "instance") -> NrpInstance:
    """Parses the text of an instance file (see `read_nrp`).

    Raises
    ------
    InputError
        With one line per problem, naming ``source`` and the line number.
    """
    if not text.strip():
        raise InputError(
            source, ["the file is empty; expected SECTION_HORIZON, SHIFTS and STAFF"]
        )
    problems: list[str] = []
    records: dict[str, list[tuple[int, list[str]]]] = {s: [] for s in SECTIONS}
    section: str | None = None
    number = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            section = line.removeprefix("SECTION_")
            if section not in records:
                problems.append(
                    f"line {number}: unknown section {line!r}; expected one of "
                    + ", ".join(f"SECTION_{s}" for s in SECTIONS)
                )
                section = None
                break
            continue
        if section is None:
            problems.append(f"line {number}: data {line!r} before any section")
            break
        records[section].append((number, [f.strip() for f in line.split(",")]))
    if problems:
        raise InputError(source, problems)
    for needed in ("HORIZON", "SHIFTS", "STAFF"):
        if not records[needed]:
            problems.append(f"line {number}: section SECTION_{needed} missing or empty")
    if problems:
        raise InputError(source, problems)

    # Horizon.
    (line, fields), *extra = records["HORIZON"]
    if len(fields) != 1 or extra:
        problems.append(f"line {line}: SECTION_HORIZON holds one integer (days)")
    num_days = _int(fields[0], "horizon", line, problems)
    if num_days < 1 and not problems:
        problems.append(f"line {line}: horizon {num_days} must be at least 1 day")

    # Shift types.
    shift_ids: list[str] = []
    shift_minutes: list[int] = []
    forbidden_raw: list[tuple[int, list[str]]] = []
    for line, fields in records["SHIFTS"]:
        if len(fields) != 3:
            problems.append(
                f"line {line}: a shift line has 3 fields "
                f"(ShiftID,LengthMinutes,Forbidden), found {len(fields)}"
            )
            continue
        shift_id = fields[0]
        if not shift_id:
            problems.append(f"line {line}: empty shift ID")
            continue
        if shift_id in shift_ids:
            problems.append(f"line {line}: shift {shift_id!r} defined twice")
            continue
        minutes = _int(fields[1], f"shift {shift_id} length", line, problems)
        if minutes < 0:
            problems.append(f"line {line}: shift {shift_id} length {minutes} < 0")
        shift_ids.append(shift_id)
        shift_minutes.append(minutes)
        forbidden_raw.append((line, [t for t in fields[2].split("|") if t]))
    shift_index = {s: k for k, s in enumerate(shift_ids)}
    num_shifts = len(shift_ids)
    forbidden_next = np.zeros((num_shifts, num_shifts), dtype=bool)
    for s, (line, names) in enumerate(forbidden_raw):
        for t in names:
            if t not in shift_index:
                problems.append(
                    f"line {line}: forbidden successor {t!r} is not a shift type"
                )
            else:
                forbidden_next[s, shift_index[t]] = True

    # Staff.
    employee_ids: list[str] = []
    staff_rows: list[tuple[int, ...]] = []
    max_shift_rows: list[list[int]] = []
    for line, fields in records["STAFF"]:
        if len(fields) != 8:
            problems.append(
                f"line {line}: a staff line has 8 fields (EmpID,MaxShifts,"
                "MaxTotalMinutes,MinTotalMinutes,MaxConsecutiveShifts,"
                f"MinConsecutiveShifts,MinConsecutiveDaysOff,MaxWeekends), "
                f"found {len(fields)}"
            )
            continue
        emp = fields[0]
        if not emp or emp in employee_ids:
            problems.append(f"line {line}: employee ID {emp!r} empty or repeated")
            continue
        limits = [num_days] * num_shifts
        for pair in fields[1].split("|"):
            key, sep, value = pair.partition("=")
            if not sep or key not in shift_index:
                problems.append(
                    f"line {line}: MaxShifts entry {pair!r} of employee {emp} is not "
                    "ShiftID=n with a known shift type"
                )
                continue
            limits[shift_index[key]] = _int(
                value, f"MaxShifts of {emp} for {key}", line, problems
            )
        values = tuple(
            _int(v, f"{label} of employee {emp}", line, problems)
            for v, label in zip(
                fields[2:],
                (
                    "MaxTotalMinutes",
                    "MinTotalMinutes",
                    "MaxConsecutiveShifts",
                    "MinConsecutiveShifts",
                    "MinConsecutiveDaysOff",
                    "MaxWeekends",
                ),
                strict=True,
            )
        )
        if any(v < 0 for v in (*values, *limits)):
            problems.append(f"line {line}: negative limit for employee {emp}")
        employee_ids.append(emp)
        staff_rows.append(values)
        max_shift_rows.append(limits)
    employee_index = {e: k for k, e in enumerate(employee_ids)}
    num_employees = len(employee_ids)

    def day_of(text: str, line: int) -> int | None:
        day = _int(text, "day", line, problems)
        if not 0 <= day < num_days:
            problems.append(f"line {line}: day {text} outside 0..{num_days - 1}")
            return None
        return day

    def employee_of(text: str, line: int) -> int | None:
        if text not in employee_index:
            problems.append(f"line {line}: unknown employee {text!r}")
            return None
        return employee_index[text]

    def shift_of(text: str, line: int) -> int | None:
        if text not in shift_index:
            problems.append(f"line {line}: unknown shift type {text!r}")
            return None
        return shift_index[text]

    # Days off.
    day_off = np.zeros((num_employees, num_days), dtype=bool)
    for line, fields in records["DAYS_OFF"]:
        e = employee_of(fields[0], line)
        days = [day_of(f, line) for f in fields[1:] if f]
        if e is not None:
            for d in days:
                if d is not None:
                    day_off[e, d] = True

    # Requests.
    requests: dict[str, list[Request]] = {}
    for key in ("SHIFT_ON_REQUESTS", "SHIFT_OFF_REQUESTS"):
        found: list[Request] = []
        for line, fields in records[key]:
            if len(fields) != 4:
                problems.append(
                    f"line {line}: a request line has 4 fields "
                    f"(EmpID,Day,ShiftID,Weight), found {len(fields)}"
                )
                continue
            e = employee_of(fields[0], line)
            d = day_of(fields[1], line)
            s = shift_of(fields[2], line)
            w = _int(fields[3], "weight", line, problems)
            if w < 0:
                problems.append(f"line {line}: weight {w} < 0")
            if e is not None and d is not None and s is not None:
                found.append(Request(e, d, s, w))
        requests[key] = found

    # Cover: a (day, type) pair without a line has no cover term.
    shape = (num_days, num_shifts)
    requirement = np.zeros(shape, dtype=np.int64)
    weight_under = np.zeros(shape, dtype=np.int64)
    weight_over = np.zeros(shape, dtype=np.int64)
    seen: set[tuple[int, int]] = set()
    for line, fields in records["COVER"]:
        if len(fields) != 5:
            problems.append(
                f"line {line}: a cover line has 5 fields (Day,ShiftID,Requirement,"
                f"WeightUnder,WeightOver), found {len(fields)}"
            )
            continue
        d = day_of(fields[0], line)
        s = shift_of(fields[1], line)
        values = [
            _int(v, label, line, problems)
            for v, label in zip(
                fields[2:], ("requirement", "WeightUnder", "WeightOver"), strict=True
            )
        ]
        if any(v < 0 for v in values):
            problems.append(f"line {line}: negative cover value")
        if d is None or s is None:
            continue
        if (d, s) in seen:
            problems.append(f"line {line}: second cover line for day {d} shift {s}")
            continue
        seen.add((d, s))
        requirement[d, s], weight_under[d, s], weight_over[d, s] = values
    if problems:
        raise InputError(source, problems)

    staff = np.array(staff_rows, dtype=np.int64).reshape(num_employees, 6)
    return NrpInstance(
        name=name,
        num_days=num_days,
        shift_ids=tuple(shift_ids),
        shift_minutes=np.array(shift_minutes, dtype=np.int64),
        forbidden_next=forbidden_next,
        employee_ids=tuple(employee_ids),
        max_shifts=np.array(max_shift_rows, dtype=np.int64).reshape(
            num_employees, num_shifts
        ),
        max_total_minutes=staff[:, 0],
        min_total_minutes=staff[:, 1],
        max_consecutive_shifts=staff[:, 2],
        min_consecutive_shifts=staff[:, 3],
        min_consecutive_days_off=staff[:, 4],
        max_weekends=staff[:, 5],
        day_off=day_off,
        on_requests=tuple(requests["SHIFT_ON_REQUESTS"]),
        off_requests=tuple(requests["SHIFT_OFF_REQUESTS"]),
        cover_requirement=requirement,
        cover_weight_under=weight_under,
        cover_weight_over=weight_over,
    )


# -- rosters -----------------------------------------------------------------------------


def roster_csv(instance: NrpInstance, assignment: np.ndarray) -> str:
    """Returns ``employee,day,shift`` CSV text: one row per worked shift, by employee
    and day, with the instance's IDs and 0-based days."""
    return rows_text(
        ["employee", "day", "shift"],
        (
            [
                instance.employee_ids[e],
                int(d),
                instance.shift_ids[int(assignment[e, d])],
            ]
            for e, d in zip(*np.nonzero(assignment != OFF), strict=True)
        ),
    )


def read_roster_csv(instance: NrpInstance, path: str | Path) -> np.ndarray:
    """Reads a ``roster.csv`` into worked[e, d, s] (bool), so that two shifts on one
    day stay visible to the evaluator.

    Raises
    ------
    InputError
        On a missing column, an unknown ID or a day outside the horizon (with the
        row number).
    """
    path = Path(path)
    worked = np.zeros(
        (instance.num_employees, instance.num_days, instance.num_shift_types),
        dtype=bool,
    )
    employee_index = {e: k for k, e in enumerate(instance.employee_ids)}
    shift_index = {s: k for k, s in enumerate(instance.shift_ids)}
    problems: list[str] = []
    try:
        header, records = read_records(path)
        missing = {"employee", "day", "shift"} - set(header)
        if missing:
            raise InputError(
                str(path),
                [f"line 1: missing column(s) {', '.join(sorted(missing))}"],
            )
        for line, row in records:
            e = employee_index.get(row.get("employee", ""))
            s = shift_index.get(row.get("shift", ""))
            try:
                d = int(row.get("day", ""))
            except ValueError:
                d = -1
            if e is None or s is None or not 0 <= d < instance.num_days:
                problems.append(f"line {line}: unknown employee or shift, or bad day")
                continue
            worked[e, d, s] = True
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), [f"cannot read the file: {error}"]) from None
    if problems:
        raise InputError(str(path), problems)
    return worked


# -- the CP-SAT model --------------------------------------------------------------------


class NrpModel:
    """The CP-SAT model of one instance, or of a neighbourhood of a roster, built
    from the library's rule families.

    Variables: ``x[e, d, s]`` for the free (employee, day) cells and the types that
    can be worked there at all (allowed by ``MaxShifts``, day not a day off), and
    the aggregated ``works[e][d]`` literal linked to them by `library.link_day`.
    Every other triple is a constant: ``False``, or, outside the neighbourhood, its
    value in the base roster. The library simplifies the rules over the constants,
    so a neighbourhood model holds only what its free cells touch; employees
    without a free cell are left out (their rules hold in the legal base roster)
    and count in the cover as constants.

    Parameters
    ----------
    instance
        The benchmark instance.
    base
        A legal roster (``assignment[e, d]``) that fixes the cells outside ``free``.
    free
        ``free[e, d]``: the cells of the neighbourhood (with ``base``).
    cover
        False leaves out the cover terms and the requests of employees without a
        free cell: the penalty is then that of the free employees' own requests
        (the pricing problem of `carecap.nrp_columns`, which prices cover by
        duals).
    """

    def __init__(
        self,
        instance: NrpInstance,
        base: np.ndarray | None = None,
        free: np.ndarray | None = None,
        cover: bool = True,
    ):
        shape = (instance.num_employees, instance.num_days)
        if (base is None) != (free is None):
            raise ValueError("base and free go together")
        self.instance = instance
        self.base = np.full(shape, OFF, dtype=np.int64) if base is None else base
        self.free = np.ones(shape, dtype=bool) if free is None else free
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.works: dict[int, list[library.Literal]] = {}
        self.weekend_literals: dict[int, list[library.Literal]] = {}
        # The cover terms that have variables (the ones a hint sets), by (day, type).
        self.cover: dict[tuple[int, int], library.CoverPenalties] = {}
        self.penalties = library.Penalties()
        self.employees = [e for e in range(shape[0]) if self.free[e].any()]
        self._variables()
        self._hard_rules()
        self._requests(only_free_employees=not cover)
        if cover:
            self._cover_terms()
        self.model.minimize(self.penalties.expression())

    def literal(self, e: int, d: int, s: int) -> library.Literal:
        """Returns the literal "employee e works type s on day d" (or a constant)."""
        if self.free[e, d]:
            return self.x.get((e, d, s), False)
        return bool(self.base[e, d] == s)

    def _variables(self) -> None:
        inst = self.instance
        for e in self.employees:
            row: list[library.Literal] = []
            for d in range(inst.num_days):
                if not self.free[e, d]:
                    row.append(bool(self.base[e, d] != OFF))
                    continue
                shifts = []
                if not inst.day_off[e, d]:
                    for s in range(inst.num_shift_types):
                        if inst.max_shifts[e, s] > 0:
                            var = self.model.new_bool_var(f"x[{e},{d},{s}]")
                            self.x[(e, d, s)] = var
                            shifts.append(var)
                if not shifts:
                    row.append(False)
                    continue
                works = self.model.new_bool_var(f"works[{e},{d}]")
                library.link_day(self.model, works, shifts)
                row.append(works)
            self.works[e] = row

    def _hard_rules(self) -> None:
        inst, model = self.instance, self.model
        types = range(inst.num_shift_types)
        forbidden = {s: [t for t in types if inst.forbidden_next[s, t]] for s in types}
        for e in self.employees:
            works = self.works[e]
            day_shifts: list[dict[int, library.Literal]] = []
            for d in range(inst.num_days):
                if self.free[e, d]:
                    day_shifts.append(
                        {s: self.x[(e, d, s)] for s in types if (e, d, s) in self.x}
                    )
                else:
                    worked = int(self.base[e, d])
                    day_shifts.append({} if worked == OFF else {worked: True})
            library.forbidden_successions(model, day_shifts, forbidden)
            for s in types:
                lits = [day[s] for day in day_shifts if s in day]
                if len(lits) > inst.max_shifts[e, s]:
                    library.max_count(model, lits, int(inst.max_shifts[e, s]))
            lits, minutes = [], []
            for day in day_shifts:
                for s, lit in day.items():
                    lits.append(lit)
                    minutes.append(int(inst.shift_minutes[s]))
            library.weighted_sum_between(
                model,
                lits,
                minutes,
                int(inst.min_total_minutes[e]),
                int(inst.max_total_minutes[e]),
            )
            library.max_consecutive(model, works, int(inst.max_consecutive_shifts[e]))
            library.min_consecutive(model, works, int(inst.min_consecutive_shifts[e]))
            library.min_consecutive(
                model,
                [library.negated(w) for w in works],
                int(inst.min_consecutive_days_off[e]),
            )
            self.weekend_literals[e] = library.max_groups_touched(
                model,
                works,
                inst.weekends,
                int(inst.max_weekends[e]),
                name=f"weekend[{e}]",
            )

    def _requests(self, only_free_employees: bool) -> None:
        inst = self.instance
        own = set(self.employees)
        for requests, family in (
            (inst.on_requests, library.shift_on_request),
            (inst.off_requests, library.shift_off_request),
        ):
            for r in requests:
                if only_free_employees and r.employee not in own:
                    continue
                self.penalties.extend(
                    family(self.literal(r.employee, r.day, r.shift), r.weight)
                )

    def _cover_terms(self) -> None:
        inst = self.instance
        # People working each (day, type) in the fixed cells, as constants.
        fixed = np.zeros((inst.num_days, inst.num_shift_types), dtype=np.int64)
        cells = ~self.free & (self.base != OFF)
        np.add.at(fixed, (np.nonzero(cells)[1], self.base[cells]), 1)
        for d in range(inst.num_days):
            for s in range(inst.num_shift_types):
                if not (inst.cover_weight_under[d, s] or inst.cover_weight_over[d, s]):
                    continue
                lits = [
                    self.x[(e, d, s)] for e in self.employees if (e, d, s) in self.x
                ]
                penalty = library.soft_cover(
                    self.model,
                    lits + [True] * int(fixed[d, s]),
                    int(inst.cover_requirement[d, s]),
                    int(inst.cover_weight_under[d, s]),
                    int(inst.cover_weight_over[d, s]),
                    name=f"cover[{d},{s}]",
                )
                if penalty.under is not None:
                    self.cover[(d, s)] = penalty
                self.penalties.extend(penalty)

    def hint(self, assignment: np.ndarray) -> None:
        """Hints a roster (``assignment[e, d]``: type index or `OFF`) on every
        variable, so that CP-SAT starts from it at once; earlier hints are cleared."""
        inst, model = self.instance, self.model
        model.clear_hints()
        for (e, d, s), var in self.x.items():
            model.add_hint(var, int(assignment[e, d]) == s)
        for e in self.employees:
            for d, w in enumerate(self.works[e]):
                if not isinstance(w, bool):
                    model.add_hint(w, int(assignment[e, d]) != OFF)
            for days, lit in zip(inst.weekends, self.weekend_literals[e], strict=True):
                if not isinstance(lit, bool):
                    model.add_hint(lit, bool((assignment[e, days] != OFF).any()))
        for (d, s), penalty in self.cover.items():
            staffed = int((assignment[:, d] == s).sum())
            need = int(inst.cover_requirement[d, s])
            model.add_hint(penalty.under, max(need - staffed, 0))
            model.add_hint(penalty.over, max(staffed - need, 0))

    def assignment(
        self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback
    ) -> np.ndarray:
        """Returns the roster of the solver's solution (or of the one a solution
        callback is called for): the free cells from it, the others from the base
        roster."""
        out = np.where(self.free, OFF, self.base)
        for (e, d, s), var in self.x.items():
            if solver.boolean_value(var):
                out[e, d] = s
        return out


# -- solving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NrpResult:
    """What a benchmark solve found.

    Attributes
    ----------
    status
        CP-SAT's status name (``OPTIMAL``, ``FEASIBLE``, ``INFEASIBLE``, ``UNKNOWN``).
    objective
        The benchmark penalty of the roster (``inf`` without one).
    bound
        CP-SAT's proven lower bound on the penalty.
    runtime
        Wall-clock seconds of the solve (model build excluded).
    time_to_best
        Seconds from the start of the solve to the last improving solution.
    assignment
        ``assignment[e, d]``: shift type index or `OFF`; all `OFF` without a roster.
    evaluation
        The independent evaluator's verdict on the roster (None without one).
    seed, parameters
        The seed and the CP-SAT parameters used.
    history
        (seconds, objective, bound) of every improving solution.
    """

    status: str
    objective: float
    bound: float
    runtime: float
    time_to_best: float
    assignment: np.ndarray
    evaluation: Any
    seed: int
    parameters: dict[str, Any]
    history: list[tuple[float, int, float]] = field(default_factory=list)

    def __post_init__(self):
        if self.runtime < 0:
            raise ValueError("runtime < 0 not understood.")

    @property
    def gap(self) -> float:
        """Returns (objective - bound) / objective, 0 when both are 0, inf without one."""
        if not math.isfinite(self.objective):
            return math.inf
        if self.objective == 0:
            return 0.0
        return (self.objective - self.bound) / self.objective

    def is_feasible(self) -> bool:
        """Returns whether a roster was found (and the evaluator found it legal)."""
        return self.evaluation is not None and self.evaluation.is_feasible


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records every improving solution as (seconds since the search began,
    objective, bound). A neighbourhood's bound is no bound of the instance, so
    there the best bound known so far is recorded instead."""

    def __init__(self, state: _Search, full: bool):
        super().__init__()
        self.state = state
        self.full = full

    def on_solution_callback(self) -> None:
        value = round(self.objective_value)
        state = self.state
        with state.lock:
            if state.history and value >= state.history[-1][1]:
                return
            bound = self.best_objective_bound if self.full else state.bound
            seconds = time.perf_counter() - state.started
            state.history.append((seconds, value, bound))
        log.info("%7.2f s  objective %d", seconds, value)


@dataclass
class _Search:
    """State of one benchmark solve: the best roster, its penalty, the best bound
    and the improvement history; shared by the search threads under ``lock``."""

    instance: NrpInstance
    parameters: dict[str, Any]
    started: float
    deadline: float
    assignment: np.ndarray | None = None
    objective: int | None = None
    bound: float = 0.0
    status: str = "UNKNOWN"
    history: list[tuple[float, int, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def left(self) -> float:
        """Returns the seconds left to the deadline."""
        return self.deadline - time.perf_counter()

    def solved(self) -> bool:
        """Returns whether the best roster is proven optimal (its penalty meets
        the bound)."""
        return self.status == "OPTIMAL" or (
            self.objective is not None and self.objective <= self.bound
        )

    def run(
        self,
        nrp: NrpModel,
        seconds: float,
        overrides: dict[str, Any] | None = None,
        full: bool = True,
        start: np.ndarray | None = None,
    ) -> str:
        """Solves ``nrp`` (the full model, or a neighbourhood when not ``full``)
        from ``start`` (by default the best roster); keeps a roster at least as good
        as the best, and the bound of a full solve. Returns CP-SAT's status name."""
        start = self.assignment if start is None else start
        if start is not None:
            nrp.hint(start)
        solver = cp_model.CpSolver()
        _set_parameters(
            solver,
            {**self.parameters, **(overrides or {}), "max_time_in_seconds": seconds},
        )
        code = solver.solve(nrp.model, _Progress(self, full))
        status = solver.status_name(code)
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        with self.lock:
            # UNKNOWN's bound is 0 whatever the model: not a bound to keep.
            if full and code not in (cp_model.INFEASIBLE, cp_model.UNKNOWN):
                bound = max(math.ceil(solver.best_objective_bound - 1e-6), 0)
                self.bound = max(self.bound, bound)
            if found:
                value = round(solver.objective_value)
                # Ties are taken too: moving on a plateau helps the next neighbourhood.
                if self.objective is None or value <= self.objective:
                    self.objective = value
                    self.assignment = nrp.assignment(solver)
        return status


def _set_parameters(solver: cp_model.CpSolver, parameters: dict[str, Any]) -> None:
    for key, value in parameters.items():
        if isinstance(value, list | tuple):  # repeated fields cannot be assigned
            repeated = getattr(solver.parameters, key)
            del repeated[:]
            repeated.extend(value)
        else:
            setattr(solver.parameters, key, value)


def solve_nrp(
    instance: NrpInstance,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: np.ndarray | None = None,
    overrides: dict[str, Any] | None = None,
    search: dict[str, Any] | None = None,
) -> NrpResult:
    """Solves an instance with the committed preset and checks the answer.

    Without a ``hint``, the search starts from a roster built one employee at a
    time (`_construct`, about ``construct_share`` of the time limit), hinted to
    CP-SAT. It then has four phases on the wall clock (shares in `NRP_SEARCH`):

    1. CP-SAT on the full model: a first roster and a lower bound; small instances
       are proven optimal here and the search stops. Without a roster at the end of
       its share, this phase goes on until the first one.
    2. Column generation (`carecap.nrp_columns`) from the best roster: the LP
       over employee rows gives a far stronger lower bound than the compact model
       (at most a few units below the published bounds once it converges). Once
       the LP has (nearly) converged or stopped falling, a dive fixes the days
       of rows the LP chooses until it chooses one row per employee (where the
       rows' dynamic programme is too large: whole rows, until ``dive_leave``
       employees are left). CP-SAT solves the employees a dive leaves open
       together, the rest of the dive's roster fixed.
    3. Rounds of large-neighbourhood search on ``workers`` threads: each frees a few
       employees over the whole horizon, or everyone over a window of days, or a
       few of the employees who could fill a badly covered (day, type), or
       everyone over the Friday to Monday of a few weekends; builds the
       model of that neighbourhood (everything else fixed to the best roster) and
       solves it with one CP-SAT worker from the best roster, keeping any roster
       at least as good. Neighbourhood sizes adapt (up while neighbourhoods are
       solved to optimality within their time, down when not), and a search that
       stalls gets more time per neighbourhood. A round ends when the search has
       stalled for good; CP-SAT then runs on the full model from the best roster
       for a share of the time, and the next round starts from its roster.
    4. CP-SAT on the full model again from the best roster, with interleaved
       search: it polishes the roster and raises the bound.

    Once a dive has run, phase 3 has all the time that is left: no full-model
    solves between its rounds and no phase 4.

    The search stops early once the best roster's penalty meets the bound.

    Parameters
    ----------
    instance
        The instance.
    time_limit
        Wall-clock seconds for the search (building the full model and compiling
        the row programme excluded).
    workers
        CP-SAT worker threads (and neighbourhood-search threads).
    seed
        Random seed of CP-SAT and of the neighbourhood choice.
    hint
        A legal roster to start from (``assignment[e, d]``), if any.
    overrides
        CP-SAT parameters set on top of `NRP_PARAMETERS` (tests and experiments).
    search
        Entries replacing those of `NRP_SEARCH` (tests and experiments).

    Returns
    -------
    NrpResult
        The roster, its penalty, the bound and the evaluator's verdict.

    Raises
    ------
    NrpModelError
        When the evaluator finds the solver's roster illegal, or computes a
        different penalty (a bug in the model or the evaluator).
    """
    from . import nrp_evaluate
    from .nrp_columns import compile_pricing

    if time_limit <= 0:
        raise ValueError(f"time_limit {time_limit} <= 0 not understood.")
    if workers < 1:
        raise ValueError(f"workers {workers} < 1 not understood.")
    plan = {**NRP_SEARCH, **(search or {})}
    nrp = NrpModel(instance)
    parameters = {
        **NRP_PARAMETERS,
        **(overrides or {}),
        "num_workers": int(workers),
        "random_seed": int(seed),
    }
    # Like building the model, compiling the row programme is not search time.
    compile_pricing()
    started = time.perf_counter()
    state = _Search(instance, parameters, started, started + float(time_limit))
    if hint is not None:
        nrp.hint(hint)
    else:
        _construct(state, plan, seed, int(workers))
        if state.assignment is not None:
            nrp.hint(state.assignment)

    reserve = plan["final_share"] * time_limit
    # Capped by the time left: building the first roster of a year-long instance
    # can take the whole time limit, and loading its full model into CP-SAT takes
    # seconds whatever CP-SAT's own limit.
    status = "UNKNOWN"
    if state.left() > 0.05:
        status = state.run(nrp, min(time_limit * plan["first_share"], state.left()))
    if state.objective is None and status == "UNKNOWN" and state.left() > reserve:
        # No roster yet: go on until the first one, keeping the final share back.
        status = state.run(
            nrp, max(state.left() - reserve, 0.01), {"stop_after_first_solution": True}
        )
    if status in ("OPTIMAL", "INFEASIBLE", "MODEL_INVALID"):
        state.status = status
    dived = False
    if state.objective is not None and not state.solved():
        dived = _column_generation(state, plan, seed, int(workers))
    if dived:
        # After a dive the bound is column generation's, which the full model's
        # search does not come near, and from the dive's roster the neighbourhood
        # search improved more than CP-SAT on the full model did in the same time
        # (Instance13 at 600 s, three seeds: 1,475-1,486 against 1,579-1,690), so
        # it gets all the time that is left.
        reserve = 0.0
    rounds = 0
    while (
        state.objective is not None
        and not state.solved()
        and state.left() > reserve + 0.05
    ):
        # Rounds of neighbourhood search until it stalls, each followed by CP-SAT
        # on the full model from its best roster (unless a dive ran): CP-SAT's own
        # neighbourhoods move on from where ours are stuck.
        _neighbourhood_search(state, plan, seed + rounds, int(workers), reserve)
        rounds += 1
        if dived:
            continue
        chunk = min(plan["full_share"] * time_limit, state.left() - reserve)
        if chunk > 0.05 and state.run(nrp, chunk) == "OPTIMAL":
            state.status = "OPTIMAL"
    if state.objective is not None and not state.solved():
        final = state.left()
        if (
            final > 0.05
            and state.run(nrp, final, plan["final_parameters"]) == "OPTIMAL"
        ):
            state.status = "OPTIMAL"
    runtime = time.perf_counter() - started
    if state.objective is None:
        empty = np.full((instance.num_employees, instance.num_days), OFF)
        bound = math.inf if state.status == "INFEASIBLE" else state.bound
        return NrpResult(
            state.status,
            math.inf,
            bound,
            runtime,
            runtime,
            empty,
            None,
            seed,
            parameters,
        )
    if state.status != "OPTIMAL":
        state.status = "OPTIMAL" if state.bound >= state.objective else "FEASIBLE"
    evaluation = nrp_evaluate.evaluate_assignment(instance, state.assignment)
    if not evaluation.is_feasible:
        raise NrpModelError(
            f"{instance.name}: the evaluator finds the solver's roster illegal: "
            + "; ".join(evaluation.violations[:5])
        )
    if evaluation.objective != state.objective:
        raise NrpModelError(
            f"{instance.name}: solver objective {state.objective} != evaluator "
            f"objective {evaluation.objective}"
        )
    bound = state.objective if state.status == "OPTIMAL" else state.bound
    return NrpResult(
        status=state.status,
        objective=state.objective,
        bound=float(min(bound, state.objective)),
        runtime=runtime,
        time_to_best=state.history[-1][0] if state.history else runtime,
        assignment=state.assignment,
        evaluation=evaluation,
        seed=seed,
        parameters={**parameters, "search": plan},
        history=state.history,
    )


def _construct(state: _Search, plan: dict[str, Any], seed: int, threads: int) -> None:
    """Builds a first legal roster one employee at a time and makes it the search's
    best roster.

    Each employee's row is solved by CP-SAT over that row alone, with the rows
    already built fixed and the others off, minimising the benchmark penalty.
    Every hard rule is per employee, so rows legal on their own make a legal roster;
    under-cover costs most, so each employee takes the missing shifts that suit
    their rules and requests. ``threads`` rows are solved at a time, each against
    the rows finished so far. Rows share ``construct_share`` of the time limit;
    once it is spent, the rest stop at their first legal row.
    """
    inst = state.instance
    stop = time.perf_counter() + plan["construct_share"] * (
        state.deadline - state.started
    )
    rng = np.random.default_rng([seed, threads])
    # Employees who can work the fewest (day, type) cells go first, while the
    # shifts only they can work are still uncovered; ties in random order.
    cells = (~inst.day_off).sum(axis=1) * (inst.max_shifts > 0).sum(axis=1)
    queue = list(np.lexsort((rng.random(inst.num_employees), cells)))[::-1]
    roster = np.full((inst.num_employees, inst.num_days), OFF, dtype=np.int64)
    lock = threading.Lock()
    failed = [False]

    def work() -> None:
        while True:
            with lock:
                if time.perf_counter() >= state.deadline:
                    # Building one more row model takes seconds on a year-long
                    # instance, and the roster cannot be finished anyway.
                    failed[0] = True
                if not queue or failed[0]:
                    return
                e = int(queue.pop())
                base, waiting = roster.copy(), len(queue) + 1
            free = np.zeros(base.shape, dtype=bool)
            free[e] = True
            row = NrpModel(inst, base, free)
            left = min(stop, state.deadline) - time.perf_counter()
            seconds = left * threads / waiting
            code = cp_model.UNKNOWN
            for first in (False, True):
                # A row not solved in its share is solved again up to its first
                # legal roster.
                solver = cp_model.CpSolver()
                _set_parameters(
                    solver,
                    {
                        **state.parameters,
                        **plan["neighbourhood_parameters"],
                        "random_seed": int(seed),
                        "max_time_in_seconds": max(
                            state.left() if first else seconds, 0.01
                        ),
                        "stop_after_first_solution": first,
                    },
                )
                code = solver.solve(row.model)
                if code != cp_model.UNKNOWN:
                    break
            with lock:
                if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    failed[0] = True
                    return
                roster[e] = row.assignment(solver)[e]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work) for _ in range(threads)]:
            future.result()
    if failed[0]:
        return
    _offer(state, roster, "constructed")


def _model_penalty(instance: NrpInstance, assignment: np.ndarray) -> int | None:
    """Returns the penalty of a legal roster as the model computes it (not the
    evaluator, which checks it later); None when the model finds it illegal."""
    none = np.zeros(assignment.shape, dtype=bool)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if solver.solve(NrpModel(instance, assignment, none).model) != cp_model.OPTIMAL:
        return None
    return round(solver.objective_value)


def _offer(state: _Search, assignment: np.ndarray, origin: str) -> bool:
    """Makes a roster built outside CP-SAT's search the best one when it is at
    least as good; returns whether it was kept."""
    value = _model_penalty(state.instance, assignment)
    if value is None:
        return False
    seconds = time.perf_counter() - state.started
    with state.lock:
        if state.objective is not None and value > state.objective:
            log.info("%7.2f s  %s roster %d not kept", seconds, origin, value)
            return False
        state.assignment, state.objective = assignment, value
        state.history.append((seconds, value, state.bound))
    log.info("%7.2f s  objective %d (%s)", seconds, value, origin)
    return True


def _column_generation(
    state: _Search, plan: dict[str, Any], seed: int, threads: int
) -> bool:
    """Phase 2 of `solve_nrp`: column generation from the best roster for
    ``columns_share`` of the time limit (a lower bound), then, when the LP has
    (nearly) converged or stopped falling, a dive for ``dive_share`` (a roster,
    kept when at least as good as the best). The dive fixes cells or columns for
    all but ``dive_open_share`` of that time; CP-SAT solves the employees it left
    open in the rest. A cell dive that settles every row with at least
    ``second_dive_share`` of its time left, in a roster no better than the best,
    is followed by a column dive. Column generation whose share cannot hold
    ``columns_min_rounds`` pricing rounds at its pace gives up early, without a
    dive. Returns whether a dive ran."""
    from .nrp_columns import ColumnGeneration

    total = state.deadline - state.started
    columns = ColumnGeneration(
        state.instance,
        threads=threads,
        seed=seed,
        row_seconds=plan["row_seconds"],
    )
    columns.add_roster(state.assignment)
    paced = columns.run(
        time.perf_counter() + plan["columns_share"] * total,
        plan["columns_min_rounds"],
    )
    if math.isfinite(columns.lower_bound):
        with state.lock:
            state.bound = max(state.bound, math.ceil(columns.lower_bound))
    log.info(
        "%7.2f s  column generation: %d rounds, LP %.1f, bound %.1f%s",
        time.perf_counter() - state.started,
        columns.iterations,
        columns.lp_value,
        columns.lower_bound,
        " (converged)" if columns.converged else ("" if paced else " (given up)"),
    )
    if not paced:
        # After a few rounds the LP's choice of rows says little, and its first
        # rounds often stall at the start roster's value, which would pass for
        # a tail below: no dive, the time goes to the neighbourhood search.
        return False
    converging = columns.lower_bound >= (1 - plan["dive_gap"]) * columns.lp_value
    # The Lagrangian bound lags far behind the LP until the last rounds (on
    # Instance13 it was 1,101 with the LP at 1,354 and converging at 1,348), so an
    # LP that has stopped falling is worth a dive too, once it is well below the
    # best roster (at first the LP stalls at the start roster's value).
    tailing = (
        columns.last_fall() < plan["dive_fall"]
        and columns.lp_value < (1 - plan["dive_gap"]) * state.objective
    )
    if state.solved() or not (converging or tailing):
        # Far from converged, the LP's choice says little: its time goes to the
        # neighbourhood search instead.
        return False
    window = plan["dive_share"] * total
    deadline = time.perf_counter() + window
    # The dive stops early enough for CP-SAT to solve the employees it left open:
    # a dive that ends at its deadline with many open employees has a roster far
    # worse than the best one.
    stop = deadline - plan["dive_open_share"] * window
    if columns.can_cell_dive():
        roster = columns.cell_dive(stop, plan["dive_rounds"])
        open_rows = columns.open_employees()
        if open_rows or stop - time.perf_counter() < plan["second_dive_share"] * window:
            _settle_dive(state, roster, open_rows, deadline, plan, threads, "cell")
            return True
        if _offer(state, roster, "cell dive"):
            return True
        # The cell dive settled every row early, but its roster is no better than
        # the best one (Instance5 at 60 s: 1,446 against 1,244), so it gives the
        # neighbourhood search nothing new. A column dive from every column priced
        # so far gets the rest of the window (on Instance5 it reaches 1,145).
        columns.reopen()
        stop = deadline - plan["dive_open_share"] * (deadline - time.perf_counter())
    roster = columns.dive(stop, plan["dive_rounds"], plan["dive_leave"])
    open_rows = [
        e for e in range(state.instance.num_employees) if e not in columns.fixed
    ]
    _settle_dive(state, roster, open_rows, deadline, plan, threads, "column")
    return True


def _settle_dive(
    state: _Search,
    roster: np.ndarray,
    open_rows: list[int],
    deadline: float,
    plan: dict[str, Any],
    threads: int,
    kind: str,
) -> None:
    """Offers a dive's roster; CP-SAT first solves the employees the dive left
    open together (until ``deadline``), the rest of the roster fixed."""
    inst = state.instance
    left = np.isin(np.arange(inst.num_employees), open_rows)
    seconds = deadline - time.perf_counter()
    if left.any() and seconds > 0.05:
        free = np.repeat(left[:, None], inst.num_days, axis=1)
        state.run(
            NrpModel(inst, roster, free),
            seconds,
            {**plan["neighbourhood_parameters"], "num_workers": threads},
            full=False,
            start=roster,
        )
    else:
        _offer(state, roster, f"{kind} dive")


NEIGHBOURHOODS = ("employees", "days", "cover", "weekends")
"""Kinds of neighbourhood, taken in turn: a few employees over the whole horizon;
everyone over a window of days; a few of the employees who could work a badly
covered (day, shift type), over the whole horizon; everyone over the Friday to
Monday of a few weekends (where the horizon holds a weekend)."""


def _neighbourhood(
    instance: NrpInstance,
    assignment: np.ndarray,
    kind: str,
    size: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Returns free[e, d]: the cells of one neighbourhood of ``kind`` and ``size``."""
    inst = instance
    free = np.zeros((inst.num_employees, inst.num_days), dtype=bool)
    if kind == "days":
        first = int(rng.integers(0, inst.num_days - size + 1))
        free[:, first : first + size] = True
        return free
    if kind == "weekends":
        # The weekends are the scarce days under a weekend limit: handing one to
        # another employee changes who works the weekends around it too, and the
        # runs through the Friday and the Monday. Of three Instance8 rosters one
        # shift short, windows of 7-16 days left one (a single window of them);
        # everyone free over the four weekends left all three, in 0.3-1.0 s.
        weekends = inst.weekends
        for k in rng.choice(len(weekends), min(size, len(weekends)), replace=False):
            days = weekends[int(k)]
            free[:, max(days[0] - 1, 0) : min(days[-1] + 2, inst.num_days)] = True
        return free
    people = np.arange(inst.num_employees)
    if kind == "cover":
        staffed = np.zeros((inst.num_days, inst.num_shift_types), dtype=np.int64)
        worked = assignment != OFF
        np.add.at(staffed, (np.nonzero(worked)[1], assignment[worked]), 1)
        cost = inst.cover_weight_under * np.maximum(
            inst.cover_requirement - staffed, 0
        ) + inst.cover_weight_over * np.maximum(staffed - inst.cover_requirement, 0)
        if cost.sum() > 0:
            flat = rng.choice(cost.size, p=(cost / cost.sum()).ravel())
            d, s = divmod(int(flat), inst.num_shift_types)
            able = np.flatnonzero(~inst.day_off[:, d] & (inst.max_shifts[:, s] > 0))
            if able.size:
                people = able
    chosen = rng.choice(people, min(size, people.size), replace=False)
    free[chosen] = True
    return free


def _neighbourhood_search(
    state: _Search, plan: dict[str, Any], seed: int, threads: int, reserve: float
) -> None:
    """One round of phase 3 of `solve_nrp`: solve neighbourhoods of the best roster
    on ``threads`` threads until the search stalls (``stall_limit`` neighbourhoods
    in a row without improvement) or only ``reserve`` seconds are left."""
    inst = state.instance
    sizes = {
        "employees": float(plan["free_employees"]),
        "cover": float(plan["free_employees"]),
        "days": float(plan["free_days"]),
        "weekends": float(plan["free_weekends"]),
    }
    limits = {
        "employees": inst.num_employees - 1,
        "cover": inst.num_employees - 1,
        "days": inst.num_days - 1,
        "weekends": len(inst.weekends),
    }
    kinds = [kind for kind in NEIGHBOURHOODS if kind != "weekends" or inst.weekends]
    counter = [0]
    stall = [0]  # neighbourhoods since the last strict improvement

    def work(thread: int) -> None:
        rng = np.random.default_rng([seed, thread])
        step = thread
        while (
            state.left() > reserve + 0.05
            and stall[0] < plan["stall_limit"]
            and not state.solved()
        ):
            kind = kinds[step % len(kinds)]
            step += 1
            with state.lock:
                size = max(1, min(round(sizes[kind]), limits[kind]))
                base, before = state.assignment, state.objective
                counter[0] += 1
                # A search that stalls gets more time per neighbourhood, so that
                # larger neighbourhoods can be solved.
                stretch = min(
                    plan["max_stretch"],
                    plan["stretch"] ** (stall[0] // plan["stall_patience"]),
                )
            free = _neighbourhood(inst, base, kind, size, rng)
            seconds = min(
                plan["neighbourhood_seconds"] * stretch, state.left() - reserve
            )
            status = state.run(
                NrpModel(inst, base, free),
                max(seconds, 0.01),
                {
                    **plan["neighbourhood_parameters"],
                    "random_seed": int(rng.integers(1 << 30)),
                },
                full=False,
            )
            log.debug(
                "%s %d (%.2f s): %s, best %s",
                kind,
                size,
                seconds,
                status,
                state.objective,
            )
            factor = plan["grow"] if status == "OPTIMAL" else plan["shrink"]
            with state.lock:
                sizes[kind] = min(max(sizes[kind] * factor, 1.0), float(limits[kind]))
                stall[0] = 0 if state.objective < before else stall[0] + 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work, k) for k in range(threads)]:
            future.result()
    log.info(
        "neighbourhood search: %d neighbourhoods on %d threads", counter[0], threads
    )


__all__ = [
    "NRP_PARAMETERS",
    "OFF",
    "NrpInstance",
    "NrpModel",
    "NrpModelError",
    "NrpResult",
    "Request",
    "parse_nrp",
    "read_nrp",
    "read_roster_csv",
    "roster_csv",
    "solve_nrp",
]

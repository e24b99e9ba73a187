"""`CpSatModel`: wires variables, constraints and objective; solves; converts back."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..lifetime import solve_interruptibly
from ..params import SolveParams
from .constraints import Constraints
from .objective import ALL_LEVELS, NON_NEGATIVE_LEVELS, Objective
from .variables import Variables

log = logging.getLogger("carecap")


@dataclass(frozen=True)
class LevelOutcome:
    """What one CP-SAT solve of a level (or the weighted solve) found.

    ``objective`` and ``bound`` are in the level's display unit (`LEVEL_UNITS`); in
    lexicographic mode the bound is conditional on the levels fixed above it. A
    level without a solution has ``objective`` inf and ``bound`` -inf (no value).
    """

    name: str
    status: str
    objective: float
    bound: float
    seconds: float
    raw_objective: int | None


LEVEL_TIME_WEIGHTS = {"uncovered": 3.0, "agency": 3.0}
"""Relative share of the time limit per level (others 1): the first two priorities
(care left uncovered, agency spend) are where the time pays off."""


@dataclass(frozen=True)
class ProgressEvent:
    """One improving solution of a level: seconds since the solve began, the level's
    raw objective and the best bound at that moment."""

    seconds: float
    level: str
    objective: float
    bound: float


FULL_SUBSOLVERS = (
    "max_lp_sym",
    "default_lp",
    "core",
    "no_lp",
    "quick_restart",
    "reduced_costs",
    "pseudo_costs",
    "quick_restart_no_lp",
)
"""Full-problem CP-SAT subsolvers, most useful first; with fewer workers than this the
first ``workers // 2`` (at least one) are used, the other workers run CP-SAT's
first-solution and neighbourhood searches. From 8 workers CP-SAT's own portfolio
(which holds them all) is kept."""


TIE_BREAK_PAIRS = 30_000
"""Assignment variables from which the uncovered level is solved with `_TieBreak`."""


@dataclass(frozen=True)
class _TieBreak:
    """The first level solved as ``scale x expr + agency bookings``: any better value
    of the level outweighs every booking, so the level's optimum is unchanged, and
    among its optima the search keeps people rather than drifting to agency (on XL
    the plain level replaced ~50,000 people-hours by agency, which the agency level
    could not win back in its time)."""

    expr: Any
    scale: int
    slack: int  # the most the tie-break term can add

    def level_bound(self, combined_bound: float) -> float:
        return (combined_bound - self.slack) / self.scale


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records (and logs) every improving solution; stops a level of non-negative
    terms at a solution of value 0, since nothing beats it. Logs carry numbers only."""

    def __init__(
        self,
        level: str,
        offset: float,
        events: list[ProgressEvent],
        display: Any,
        stop_at_zero: bool,
        tie_break: _TieBreak | None = None,
    ):
        super().__init__()
        self.level = level
        self.offset = offset
        self.events = events
        self.display = display
        self.stop_at_zero = stop_at_zero
        self.tie_break = tie_break

    def on_solution_callback(self) -> None:
        value, bound = self.objective_value, self.best_objective_bound
        if self.tie_break is not None:
            value = self.value(self.tie_break.expr)
            bound = self.tie_break.level_bound(bound)
        seconds = self.offset + self.wall_time
        self.events.append(ProgressEvent(seconds, self.level, value, bound))
        shown, shown_bound = self.display(value), self.display(bound)
        gap = abs(shown - shown_bound)
        relative = f"{gap / abs(shown):.2%}" if abs(shown) > 1e-9 else f"{gap:g} abs"
        log.info(
            "%7.2f s  level %-19s objective %14.2f  bound %14.2f  gap %s",
            seconds,
            self.level,
            shown,
            shown_bound,
            relative,
        )
        proven = self.tie_break is not None and value <= math.ceil(bound - 1e-6)
        if proven or (self.stop_at_zero and value <= 0):
            self.stop_search()


class CpSatModel:
    """The CP-SAT roster model of one compiled region.

    Parameters
    ----------
    arrays
        `RegionArrays` of the compiled region.
    graph
        Its `EligibilityGraph`.
    person_ok
        bool per person: may get new assignments.
    levels
        The priority levels to build, in order (see `objective.ALL_LEVELS`).
    previous
        Re-planning: the previous roster's ``slot_assignee`` on this region's slots
        (the ``changes`` level counts what it does not keep).
    pins
        ``slot_assignee`` of assignments that must stay (staff index or AGENCY;
        ``NOT_PINNED`` elsewhere). A pinned pair must be eligible (checked before).
    skip
        Rule ids whose families are left out (tests only; see `Constraints`).
    anw_balance_minutes
        The ANW policy as a hard rule (`SolveParams.anw_balance_hours`), or None.
    """

    def __init__(
        self,
        arrays: Any,
        graph: Any,
        person_ok: np.ndarray,
        levels: tuple[str, ...],
        previous: np.ndarray | None = None,
        pins: np.ndarray | None = None,
        skip: Iterable[str] = (),
        anw_balance_minutes: int | None = None,
    ):
        unknown = set(levels) - set(ALL_LEVELS)
        if unknown:
            raise ValueError(f"unknown level(s) {', '.join(sorted(unknown))}")
        self.arrays = arrays
        self.levels = tuple(levels)
        self.model = cp_model.CpModel()
        self.variables = Variables(self.model, arrays, graph, person_ok)
        self.constraints = Constraints(
            self.model, arrays, self.variables, skip, anw_balance_minutes
        )
        self.constraints.add_constraints()
        if pins is not None:
            self.variables.pin(pins)
        self.objective = Objective(
            self.model, arrays, graph, self.variables, previous=previous
        )
        for level in self.levels:  # build every level's auxiliary constraints up front
            self.objective.expression(level)

    def _solver(
        self, params: SolveParams, seed: int, seconds: float
    ) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = int(seed)
        p.num_workers = int(params.workers)
        if params.workers < len(FULL_SUBSOLVERS):
            # CP-SAT's own pick for few workers is default_lp, whose bound stalls
            # (M agency: 28 % gap after 120 s); max_lp_sym proves it in seconds.
            p.subsolvers.extend(FULL_SUBSOLVERS[: max(1, params.workers // 2)])
        p.relative_gap_limit = float(params.relative_gap)
        # Ctrl-C must end the run, not the level (issue 28): CP-SAT's own handler
        # would treat it as a time limit; `solve_interruptibly` stops the search.
        p.catch_sigint_signal = False
        p.log_search_progress = bool(params.log_progress)
        if params.deterministic:
            p.max_deterministic_time = max(seconds, 1e-3)
            p.interleave_search = True
        else:
            p.max_time_in_seconds = max(seconds, 1e-3)
        if params.log_progress:
            p.log_to_stdout = False
            solver.log_callback = log.debug  # CP-SAT's own log: with -v -v
        return solver

    def _hint_everything(self, solver: cp_model.CpSolver) -> None:
        """Hints every variable with the solver's value: a complete, feasible hint
        makes the next level start from this solution at once."""
        model = self.model
        model.clear_hints()
        for index in range(len(model.proto.variables)):
            var = model.get_int_var_from_proto_index(index)
            model.add_hint(var, solver.value(var))

    def solve(
        self, params: SolveParams, seed: int, hint: np.ndarray | None = None
    ) -> tuple[np.ndarray | None, list[LevelOutcome], dict[str, Any], list]:
        """Solves by levels (or weighted).

        Returns the roster (or None), the outcome per level, the CP-SAT parameters
        used and the `ProgressEvent` list. A level that finds no solution in its time
        keeps the roster of the levels above, reports no value (inf) and the search
        goes on with the next.

        Raises
        ------
        KeyboardInterrupt
            On Ctrl-C, after stopping the running search; no later level runs.
        """
        if hint is not None:
            self.variables.warmstart(hint)
        roster = None
        outcomes: list[LevelOutcome] = []
        events: list[ProgressEvent] = []
        used: dict[str, Any] = {}
        levels = self.levels if params.mode == "lexicographic" else ("weighted",)
        budget = float(params.time_limit)
        elapsed = 0.0
        last: cp_model.CpSolver | None = None  # the solver of the last solved level
        for k, level in enumerate(levels):
            # Time left is split by weight over the levels still to solve; a level
            # that finishes early hands its time on.
            weights = [LEVEL_TIME_WEIGHTS.get(name, 1.0) for name in levels[k:]]
            share = budget * weights[0] / sum(weights)
            tie_break = None
            if level == "weighted":
                self.objective.add_objective(self.levels)
            else:
                expr = self.objective.expression(level)
                if isinstance(expr, int | float):  # nothing to optimise at this level
                    value = self._display(level, float(expr))
                    outcomes.append(
                        LevelOutcome(level, "OPTIMAL", value, value, 0.0, int(expr))
                    )
                    continue
                tie_break = self._tie_break(level, expr, levels[k + 1 :])
                if tie_break is None:
                    self.model.minimize(expr)
                else:
                    bookings = sum(self.variables.agency.values())
                    self.model.minimize(tie_break.scale * expr + bookings)
            solver = self._solver(params, seed, share)
            progress = _Progress(
                level,
                elapsed,
                events,
                lambda value, level=level: self._display(level, value),
                level in NON_NEGATIVE_LEVELS,
                tie_break if level != "weighted" else None,
            )
            started = time.perf_counter()
            code = solve_interruptibly(solver, self.model, progress)
            seconds = time.perf_counter() - started
            elapsed += seconds
            spent = solver.deterministic_time if params.deterministic else seconds
            budget = max(budget - spent, 0.0)
            used = _parameters(solver)
            status = solver.status_name(code)
            if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if last is None or level == "weighted":
                    # Nothing to hold this level to: stop here, the caller keeps the
                    # warm start, and no later level may trade this one away.
                    outcomes.append(
                        LevelOutcome(level, status, math.inf, -math.inf, seconds, None)
                    )
                    log.warning("level %s: no solution in its time (%s)", level, status)
                    break
                # The previous level's solution is the hint and stays feasible: hold
                # this level at its value there, so later levels cannot worsen it.
                # That value is no result of this level (auxiliary variables of a
                # level not yet optimised may sit at their upper bounds: an M region
                # showed 16,666,666,666.67 ANW excess hours), so none is reported.
                value = round(last.value(expr))
                self.model.add(expr <= value)
                outcomes.append(
                    LevelOutcome(level, status, math.inf, -math.inf, seconds, None)
                )
                log.warning(
                    "level %s: no solution in its time (%s); held where the levels "
                    "above left it, no value reported",
                    level,
                    status,
                )
                continue
            last = solver
            roster = self.variables.roster(solver)
            value = round(solver.objective_value)
            bound = solver.best_objective_bound
            if level != "weighted" and tie_break is not None:
                value = round(solver.value(expr))
                bound = tie_break.level_bound(bound)
                if value <= math.ceil(bound - 1e-6):  # the level itself is proven
                    status = "OPTIMAL"
                    bound = float(value)
            if level in NON_NEGATIVE_LEVELS:
                # CP-SAT without an LP worker may report a weak, negative bound;
                # a sum of non-negative terms is at least 0, and 0 is then optimal.
                bound = max(bound, 0.0)
                if value == 0:
                    status = "OPTIMAL"
            outcomes.append(
                LevelOutcome(
                    level,
                    status,
                    self._display(level, value),
                    self._display(level, bound),
                    seconds,
                    int(value),
                )
            )
            if level != "weighted":
                slack = math.floor(params.level_tolerance * abs(value))
                self.model.add(self.objective.expression(level) <= value + slack)
                self._hint_everything(solver)
        return roster, outcomes, used, events

    def _tie_break(
        self, level: str, expr: Any, later: tuple[str, ...]
    ) -> _TieBreak | None:
        """Returns the tie-break of the uncovered level of a large model when agency
        comes later. Small models skip it: their first level is proven outright (the
        tie-break's bound cannot prove it to the unit) and the agency level then
        repairs any drift in seconds."""
        if (
            level != "uncovered"
            or "agency" not in later
            or not self.variables.agency
            or len(self.variables.x) < TIE_BREAK_PAIRS
        ):
            return None
        slack = len(self.variables.agency)
        return _TieBreak(expr, slack + 1, slack)

    def _display(self, level: str, value: float) -> float:
        if level == "weighted":
            return value / 6000
        return self.objective.display(level, value)


def _parameters(solver: cp_model.CpSolver) -> dict[str, Any]:
    p = solver.parameters
    return {
        "random_seed": p.random_seed,
        "num_workers": p.num_workers,
        "relative_gap_limit": p.relative_gap_limit,
        "max_time_in_seconds": p.max_time_in_seconds,
        "max_deterministic_time": p.max_deterministic_time,
        "interleave_search": p.interleave_search,
        "subsolvers": list(p.subsolvers),
    }


__all__ = ["CpSatModel", "LevelOutcome", "ProgressEvent"]

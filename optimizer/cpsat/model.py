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

from ..params import SolveParams
from .constraints import Constraints
from .objective import LEVELS, NON_NEGATIVE_LEVELS, Objective
from .variables import Variables

log = logging.getLogger("carecap")


@dataclass(frozen=True)
class LevelOutcome:
    """What one CP-SAT solve of a level (or the weighted solve) found.

    ``objective`` and ``bound`` are in the level's display unit (`LEVEL_UNITS`); in
    lexicographic mode the bound is conditional on the levels fixed above it.
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


class _StopAtZero(cp_model.CpSolverSolutionCallback):
    """Stops a level of non-negative terms at a solution of value 0: nothing beats it."""

    def on_solution_callback(self) -> None:
        if self.objective_value <= 0:
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
    skip
        Rule ids whose families are left out (tests only; see `Constraints`).
    """

    def __init__(
        self,
        arrays: Any,
        graph: Any,
        person_ok: np.ndarray,
        skip: Iterable[str] = (),
    ):
        self.arrays = arrays
        self.model = cp_model.CpModel()
        self.variables = Variables(self.model, arrays, graph, person_ok)
        self.constraints = Constraints(self.model, arrays, self.variables, skip)
        self.constraints.add_constraints()
        self.objective = Objective(self.model, arrays, graph, self.variables)
        for level in LEVELS:  # build every level's auxiliary constraints up front
            self.objective.expression(level)

    def _solver(
        self, params: SolveParams, seed: int, seconds: float
    ) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.random_seed = int(seed)
        p.num_workers = int(params.workers)
        p.relative_gap_limit = float(params.relative_gap)
        p.log_search_progress = bool(params.log_progress)
        if params.deterministic:
            p.max_deterministic_time = max(seconds, 1e-3)
            p.interleave_search = True
        else:
            p.max_time_in_seconds = max(seconds, 1e-3)
        if params.log_progress:
            solver.log_callback = log.info
        return solver

    def solve(
        self, params: SolveParams, seed: int, hint: np.ndarray | None = None
    ) -> tuple[np.ndarray | None, list[LevelOutcome], dict[str, Any]]:
        """Solves by levels (or weighted); returns (roster or None, outcomes, CP-SAT params)."""
        if hint is not None:
            self.variables.warmstart(hint)
        roster = None
        outcomes: list[LevelOutcome] = []
        used: dict[str, Any] = {}
        levels = LEVELS if params.mode == "lexicographic" else ("weighted",)
        budget = float(params.time_limit)
        for k, level in enumerate(levels):
            # Time left is split by weight over the levels still to solve; a level
            # that finishes early hands its time on.
            weights = [LEVEL_TIME_WEIGHTS.get(name, 1.0) for name in levels[k:]]
            share = budget * weights[0] / sum(weights)
            if level == "weighted":
                self.objective.add_objective()
            else:
                expr = self.objective.expression(level)
                if isinstance(expr, int | float):  # nothing to optimise at this level
                    outcomes.append(
                        LevelOutcome(
                            level, "OPTIMAL", float(expr), float(expr), 0.0, int(expr)
                        )
                    )
                    continue
                self.model.minimize(expr)
            solver = self._solver(params, seed, share)
            started = time.perf_counter()
            stop = _StopAtZero() if level in NON_NEGATIVE_LEVELS else None
            code = solver.solve(self.model, stop)
            seconds = time.perf_counter() - started
            spent = solver.deterministic_time if params.deterministic else seconds
            budget = max(budget - spent, 0.0)
            used = _parameters(solver)
            status = solver.status_name(code)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                roster = self.variables.roster(solver)
                value = round(solver.objective_value)
                bound = solver.best_objective_bound
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
                    self.variables.warmstart(roster)
            else:
                outcomes.append(
                    LevelOutcome(level, status, math.inf, -math.inf, seconds, None)
                )
                break  # no answer at this level: keep the previous levels' roster
        return roster, outcomes, used

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
    }


__all__ = ["CpSatModel", "LevelOutcome"]

"""A plain CP-SAT model of the Curtois & Qu benchmark: the baseline of issue 7.

Written straight from the rule list of ``FORMAT.md``, the way one would write a first
model: one Boolean per (employee, day, shift type), forbidden run patterns as
clauses, default CP-SAT parameters, no symmetry breaking, no hints, no
neighbourhood search. The benchmarks solve it side by side with `carecap.nrp` at
equal time and workers; it does not use carecap's rule library.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from carecap.nrp import OFF, NrpInstance
from ortools.sat.python import cp_model


@dataclass(frozen=True)
class PlainResult:
    """Objective, bound, status, seconds and roster (``assignment[e, d]``)."""

    status: str
    objective: float
    bound: float
    runtime: float
    assignment: np.ndarray


def build_plain_model(
    instance: NrpInstance,
) -> tuple[cp_model.CpModel, dict[tuple[int, int, int], cp_model.IntVar]]:
    """Returns the plain model and its ``x[e, d, s]`` variables."""
    model = cp_model.CpModel()
    num_e, num_d, num_s = (
        instance.num_employees,
        instance.num_days,
        instance.num_shift_types,
    )
    x = {
        (e, d, s): model.new_bool_var(f"x_{e}_{d}_{s}")
        for e in range(num_e)
        for d in range(num_d)
        for s in range(num_s)
    }
    objective = []
    for e in range(num_e):
        works = []
        for d in range(num_d):
            w = model.new_bool_var(f"w_{e}_{d}")
            model.add(sum(x[e, d, s] for s in range(num_s)) == w)
            if instance.day_off[e, d]:
                model.add(w == 0)
            works.append(w)
        for d in range(num_d - 1):
            for s in range(num_s):
                for t in range(num_s):
                    if instance.forbidden_next[s, t]:
                        model.add_bool_or([x[e, d, s].Not(), x[e, d + 1, t].Not()])
        for s in range(num_s):
            model.add(
                sum(x[e, d, s] for d in range(num_d)) <= int(instance.max_shifts[e, s])
            )
        minutes = sum(
            int(instance.shift_minutes[s]) * x[e, d, s]
            for d in range(num_d)
            for s in range(num_s)
        )
        model.add(minutes >= int(instance.min_total_minutes[e]))
        model.add(minutes <= int(instance.max_total_minutes[e]))
        longest = int(instance.max_consecutive_shifts[e])
        for d in range(num_d - longest):
            model.add(sum(works[d : d + longest + 1]) <= longest)
        # A short run bounded on both sides inside the horizon is a forbidden pattern.
        for state, shortest in (
            (works, int(instance.min_consecutive_shifts[e])),
            ([w.Not() for w in works], int(instance.min_consecutive_days_off[e])),
        ):
            for length in range(1, shortest):
                for first in range(1, num_d - length):
                    pattern = [state[first - 1]]
                    pattern += [state[d].Not() for d in range(first, first + length)]
                    pattern.append(state[first + length])
                    model.add_bool_or(pattern)
        weekends = []
        for saturday in range(5, num_d, 7):
            k = model.new_bool_var(f"wk_{e}_{saturday}")
            for d in (saturday, saturday + 1):
                if d < num_d:
                    model.add_implication(works[d], k)
            weekends.append(k)
        model.add(sum(weekends) <= int(instance.max_weekends[e]))
    for r in instance.on_requests:
        objective.append(r.weight * (1 - x[r.employee, r.day, r.shift]))
    for r in instance.off_requests:
        objective.append(r.weight * x[r.employee, r.day, r.shift])
    for d in range(num_d):
        for s in range(num_s):
            need = int(instance.cover_requirement[d, s])
            under = model.new_int_var(0, num_e, f"u_{d}_{s}")
            over = model.new_int_var(0, num_e, f"o_{d}_{s}")
            model.add(sum(x[e, d, s] for e in range(num_e)) - need == over - under)
            objective.append(int(instance.cover_weight_under[d, s]) * under)
            objective.append(int(instance.cover_weight_over[d, s]) * over)
    model.minimize(sum(objective))
    return model, x


def solve_plain(
    instance: NrpInstance, *, time_limit: float, workers: int, seed: int = 0
) -> PlainResult:
    """Solves the plain model with default parameters (but time, workers, seed)."""
    model, x = build_plain_model(instance)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    started = time.perf_counter()
    code = solver.solve(model)
    runtime = time.perf_counter() - started
    assignment = np.full((instance.num_employees, instance.num_days), OFF)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlainResult(
            solver.status_name(code),
            math.inf,
            solver.best_objective_bound,
            runtime,
            assignment,
        )
    for (e, d, s), var in x.items():
        if solver.boolean_value(var):
            assignment[e, d] = s
    return PlainResult(
        solver.status_name(code),
        round(solver.objective_value),
        math.ceil(solver.best_objective_bound - 1e-6),
        runtime,
        assignment,
    )

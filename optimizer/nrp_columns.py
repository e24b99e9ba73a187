"""Column generation for the Curtois & Qu benchmark: a lower bound and a dive.

Every hard rule of the benchmark is a rule about one employee's row of the roster;
only the cover terms couple the rows. A roster is therefore a choice of one legal
row (a *column*) per employee, and the benchmark's penalty is the requests'
penalty of the chosen rows plus the cover penalty of their sum. The linear
relaxation of that choice over every legal row (the *master problem*) is much
tighter than that of the compact model (published lower bounds come from it), and
it can be solved over a few columns at a time:

* the *restricted master* (the LP over the columns found so far, with under- and
  over-cover as slack) is solved by GLOP; its duals price each (day, shift type);
* each employee's *pricing problem* (the row with the least reduced cost at those
  prices) is solved by CP-SAT on the row model (`optimizer.nrp.NrpModel` with
  ``cover=False``: the same rule families as every other model);
* rows with a negative reduced cost join the master, until there are none.

At every iteration the LP value plus the employees' least reduced costs is a lower
bound on the penalty of every roster (a Lagrangian bound), so the bound is valid
even when the time runs out before the LP converges, and rows whose pricing problem
was not solved to optimality contribute CP-SAT's bound on them.

The *dive* turns the fractional LP into a roster: the columns the LP (nearly)
chooses are fixed, the LP is re-solved with columns for the rest, and so on until
every employee has a row. Any choice of legal rows is a legal roster, so the dive
always ends in one.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .nrp import OFF, NrpInstance, NrpModel

DUAL_SCALE = 1000
"""Duals are scaled by this factor and rounded to integers for CP-SAT; the rounding
error (at most half a unit per worked day) is taken off the bound."""

FIX_AT = 0.9
"""A dive fixes every column the LP chooses with at least this weight at once (and
otherwise the heaviest ones, see `FIX_SHARE`)."""

FIX_SHARE = 0.1
"""Without a column of weight `FIX_AT`, a dive fixes the heaviest columns of this
share of the employees still open (at least one): fixing one column at a time took
most of the dive's time on Instance13, where each fix needs pricing late in the
dive. (Paced to the deadline instead, one at a time early and more late, the LP
stayed closer to its start value early in the dive but not at its end, and the
rosters were no better.)"""

RECOVERED = 0.005
"""After a fix a dive prices until the LP value is back within this share of its
value at the start of the dive (or ``rounds_per_fix`` rounds have run): while the
LP keeps that value, new columns cannot lower it much, and a pricing round costs as
much as hundreds of LP solves. Measured against the value before each fix instead,
the LP drifted up fix by fix and Instance8's rosters were about 100 worse."""

LP_PARAMETERS = "use_preprocessing: false"
"""GLOP's parameters for the restricted master. Without presolve GLOP keeps its
basis between solves, so the LP after new columns or a dive's fix starts from the
last optimum: on Instance13's 15k columns a re-solve after a fix took 1-2 s instead
of 4-6 s from scratch."""

LP_AFTER_FIX = LP_PARAMETERS + " use_dual_simplex: true"
"""GLOP's parameters for the first solve after a dive's fix: lowering bounds keeps
the last basis dual feasible, so the dual simplex goes on from it (after new
columns the basis stays primal feasible instead, and the primal simplex is faster:
the dual simplex took 2-18 s there)."""


class _Rows(cp_model.CpSolverSolutionCallback):
    """Collects the employee's row of every solution of a pricing problem."""

    def __init__(self, nrp: NrpModel, employee: int):
        super().__init__()
        self.found: list[np.ndarray] = []
        self._nrp = nrp
        self._employee = employee

    def on_solution_callback(self) -> None:
        self.found.append(self._nrp.assignment(self)[self._employee])


class ColumnGeneration:
    """The restricted master LP of an instance and its pricing problems.

    Parameters
    ----------
    instance
        The benchmark instance.
    threads
        Pricing problems solved at a time (one CP-SAT worker each).
    seed
        CP-SAT's random seed in the pricing problems.
    row_seconds
        Time cap of one pricing problem.

    Attributes
    ----------
    columns
        ``columns[e]``: the rows of employee ``e`` in the master (``row[d]``: shift
        type index or `OFF`).
    lower_bound
        The best Lagrangian lower bound on the penalty found so far (-inf before
        the first complete pricing round).
    lp_value
        The value of the last restricted master LP.
    round_values
        The restricted master's value at the start of each pricing round (without
        a column fixed), in order.
    iterations
        Pricing rounds so far.
    converged
        True when the last pricing round (with no column fixed) found no column
        with a negative reduced cost: the LP value is then the master's optimum.
    """

    def __init__(
        self,
        instance: NrpInstance,
        *,
        threads: int,
        seed: int,
        row_seconds: float,
    ):
        inst = instance
        self.instance = instance
        self.threads = threads
        self.seed = seed
        self.row_seconds = row_seconds
        shape = (inst.num_employees, inst.num_days, inst.num_shift_types)
        self._on_weight = np.zeros(shape, dtype=np.int64)
        self._off_weight = np.zeros(shape, dtype=np.int64)
        for r in inst.on_requests:
            self._on_weight[r.employee, r.day, r.shift] += r.weight
        for r in inst.off_requests:
            self._off_weight[r.employee, r.day, r.shift] += r.weight
        self._on_total = self._on_weight.sum(axis=(1, 2))

        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        objective = self.lp.Objective()
        objective.SetMinimization()
        self._convexity = [
            self.lp.Constraint(1.0, 1.0, f"one_row[{e}]")
            for e in range(inst.num_employees)
        ]
        # Cover rows only where the instance has a cover term: elsewhere staffing
        # costs nothing and its dual is 0.
        self._cover: dict[tuple[int, int], pywraplp.Constraint] = {}
        for d, s in zip(
            *np.nonzero(inst.cover_weight_under + inst.cover_weight_over), strict=True
        ):
            need = float(inst.cover_requirement[d, s])
            row = self.lp.Constraint(need, need, f"cover[{d},{s}]")
            under = self.lp.NumVar(0.0, self.lp.infinity(), f"under[{d},{s}]")
            over = self.lp.NumVar(0.0, self.lp.infinity(), f"over[{d},{s}]")
            row.SetCoefficient(under, 1.0)
            row.SetCoefficient(over, -1.0)
            objective.SetCoefficient(under, float(inst.cover_weight_under[d, s]))
            objective.SetCoefficient(over, float(inst.cover_weight_over[d, s]))
            self._cover[(int(d), int(s))] = row
        self.columns: list[list[np.ndarray]] = [[] for _ in range(inst.num_employees)]
        self._weights: list[list[pywraplp.Variable]] = [
            [] for _ in range(inst.num_employees)
        ]
        self._seen: list[set[bytes]] = [set() for _ in range(inst.num_employees)]
        self._pricing: dict[int, NrpModel] = {}
        self._lock = threading.Lock()
        self.fixed: dict[int, int] = {}
        self.lower_bound = -math.inf
        self.lp_value = math.inf
        self.round_values: list[float] = []
        self.iterations = 0
        self.converged = False

    # -- columns -----------------------------------------------------------------------

    def cost(self, employee: int, row: np.ndarray) -> int:
        """Returns the requests' penalty of one employee's row."""
        days = np.flatnonzero(row != OFF)
        worked = row[days]
        return int(
            self._on_total[employee]
            - self._on_weight[employee, days, worked].sum()
            + self._off_weight[employee, days, worked].sum()
        )

    def add_column(self, employee: int, row: np.ndarray) -> bool:
        """Adds a legal row of ``employee`` to the master; False when it is there."""
        key = row.tobytes()
        if key in self._seen[employee]:
            return False
        self._seen[employee].add(key)
        weight = self.lp.NumVar(
            0.0, self.lp.infinity(), f"row[{employee},{len(self.columns[employee])}]"
        )
        self.lp.Objective().SetCoefficient(weight, float(self.cost(employee, row)))
        self._convexity[employee].SetCoefficient(weight, 1.0)
        for d in np.flatnonzero(row != OFF):
            constraint = self._cover.get((int(d), int(row[d])))
            if constraint is not None:
                constraint.SetCoefficient(weight, 1.0)
        self.columns[employee].append(row.copy())
        self._weights[employee].append(weight)
        return True

    def add_roster(self, assignment: np.ndarray) -> None:
        """Adds every row of a legal roster."""
        for e in range(self.instance.num_employees):
            self.add_column(e, assignment[e])

    # -- the master and the pricing problems -------------------------------------------

    def _solve_lp(self, after_fix: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Solves the restricted master; returns the cover and convexity duals."""
        self.lp.SetSolverSpecificParametersAsString(
            LP_AFTER_FIX if after_fix else LP_PARAMETERS
        )
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"restricted master LP not solved (status {status})")
        self.lp_value = self.lp.Objective().Value()
        inst = self.instance
        cover_duals = np.zeros((inst.num_days, inst.num_shift_types))
        for (d, s), constraint in self._cover.items():
            cover_duals[d, s] = constraint.dual_value()
        row_duals = np.array([c.dual_value() for c in self._convexity])
        return cover_duals, row_duals

    def _pricing_model(self, employee: int) -> NrpModel:
        inst = self.instance
        with self._lock:
            model = self._pricing.get(employee)
        if model is None:
            shape = (inst.num_employees, inst.num_days)
            free = np.zeros(shape, dtype=bool)
            free[employee] = True
            model = NrpModel(inst, np.full(shape, OFF), free, cover=False)
            with self._lock:
                self._pricing[employee] = model
        return model

    def _price(
        self, employee: int, prices: np.ndarray, deadline: float
    ) -> tuple[list[np.ndarray], float]:
        """Solves one pricing problem at cover ``prices``; returns the rows of
        every improving solution CP-SAT found (the best last; more columns per
        round make the LP converge in fewer rounds) and a lower bound on the
        least ``cost(row) - prices . row`` over the employee's legal rows."""
        nrp = self._pricing_model(employee)
        variables = list(nrp.penalties.variables)
        coefficients = [DUAL_SCALE * c for c in nrp.penalties.coefficients]
        for (_, d, s), var in nrp.x.items():
            price = round(DUAL_SCALE * prices[d, s])
            if price:
                variables.append(var)
                coefficients.append(-price)
        nrp.model.minimize(
            cp_model.LinearExpr.weighted_sum(variables, coefficients)
            + DUAL_SCALE * nrp.penalties.constant
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        # Every constraint in the LP: a single row is small and its LP tight.
        solver.parameters.linearization_level = 2
        solver.parameters.max_time_in_seconds = max(
            min(self.row_seconds, deadline - time.perf_counter()), 0.01
        )
        rows = _Rows(nrp, employee)
        code = solver.solve(nrp.model, rows)
        if code == cp_model.INFEASIBLE:
            raise RuntimeError(f"employee {employee} has no legal row")
        rounding = 0.5 * self.instance.num_days
        return rows.found, (solver.best_objective_bound - rounding) / DUAL_SCALE

    def iterate(self, deadline: float) -> int:
        """One pricing round: solves the master, prices every employee without a
        fixed column, and adds the rows with a negative reduced cost. Returns the
        number of new columns.

        When every employee was priced before the deadline (and none has a fixed
        column), the round's Lagrangian bound ``duals . requirement + sum of the
        least row costs at the duals`` is a lower bound on the penalty (any cover
        prices between ``-WeightOver`` and ``WeightUnder`` give one)."""
        inst = self.instance
        cover_duals, row_duals = self._solve_lp()
        prices = np.clip(cover_duals, -inst.cover_weight_over, inst.cover_weight_under)
        if not self.fixed:
            self.round_values.append(self.lp_value)
        employees = [e for e in range(inst.num_employees) if e not in self.fixed]
        found: dict[int, tuple[list[np.ndarray], float]] = {}

        def price(e: int) -> None:
            if time.perf_counter() < deadline:
                found[e] = self._price(e, prices, deadline)

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            list(pool.map(price, employees))
        self.iterations += 1
        added = 0
        for e, (rows, _) in found.items():
            for row in rows:
                worked = np.flatnonzero(row != OFF)
                reduced = (
                    self.cost(e, row) - prices[worked, row[worked]].sum() - row_duals[e]
                )
                if reduced < -1e-6 and self.add_column(e, row):
                    added += 1
        complete = len(found) == len(employees)
        if not self.fixed and complete:
            bound = float((prices * inst.cover_requirement).sum())
            bound += sum(b for _, b in found.values())
            bound -= 1e-6 * max(1.0, abs(bound))  # floating-point slack
            self.lower_bound = max(self.lower_bound, bound)
            self.converged = added == 0
        return added

    def last_fall(self) -> float:
        """Returns the share by which the restricted master's value fell between the
        starts of the last two pricing rounds (inf before two rounds)."""
        if len(self.round_values) < 2 or self.round_values[-2] <= 0:
            return math.inf
        before, after = self.round_values[-2:]
        return (before - after) / before

    def run(self, deadline: float) -> None:
        """Prices until no column with a negative reduced cost is left (the LP has
        converged) or the deadline passes."""
        while time.perf_counter() < deadline and not self.converged:
            if self.iterate(deadline) == 0:
                break

    # -- rosters -----------------------------------------------------------------------

    def _heaviest(self) -> dict[int, tuple[float, int]]:
        """Returns, per employee without a fixed column, the LP's heaviest column
        (weight, index) in the last LP solution."""
        out = {}
        for e, weights in enumerate(self._weights):
            if e not in self.fixed:
                values = [w.solution_value() for w in weights]
                k = int(np.argmax(values))
                out[e] = (values[k], k)
        return out

    def fix(self, employee: int, column: int) -> None:
        """Fixes ``employee`` to their column ``column``: the master may no longer
        weight any other row of theirs."""
        self.fixed[employee] = column
        for k, weight in enumerate(self._weights[employee]):
            if k != column:
                weight.SetUb(0.0)

    def roster(self) -> np.ndarray:
        """Returns the roster of the fixed columns and, for every other employee,
        the heaviest column of the last LP (legal: every column is a legal row)."""
        inst = self.instance
        out = np.full((inst.num_employees, inst.num_days), OFF, dtype=np.int64)
        for e, k in self.fixed.items():
            out[e] = self.columns[e][k]
        for e, (_, k) in self._heaviest().items():
            out[e] = self.columns[e][k]
        return out

    def dive(self, deadline: float, rounds_per_fix: int, leave: int) -> np.ndarray:
        """Fixes columns until at most ``leave`` employees are without one; returns
        the roster (see `roster`) then or at the deadline.

        After each fix the LP is re-solved, and the open employees are priced
        again (at most ``rounds_per_fix`` rounds) until its value is back within
        `RECOVERED` of its value at the start of the dive."""
        inst = self.instance
        self._solve_lp()
        target = self.lp_value * (1 + RECOVERED)
        while (
            len(self.fixed) < inst.num_employees - leave
            and time.perf_counter() < deadline
        ):
            heaviest = sorted(
                ((w, e, k) for e, (w, k) in self._heaviest().items()), reverse=True
            )
            chosen = [c for c in heaviest if c[0] >= FIX_AT] or heaviest[
                : max(1, math.ceil(FIX_SHARE * len(heaviest)))
            ]
            for _, e, k in chosen:
                self.fix(e, k)
            self._solve_lp(after_fix=True)
            for _ in range(rounds_per_fix):
                if (
                    self.lp_value <= target
                    or time.perf_counter() >= deadline
                    or self.iterate(deadline) == 0
                ):
                    break
                self._solve_lp()
        return self.roster()


__all__ = [
    "DUAL_SCALE",
    "FIX_AT",
    "FIX_SHARE",
    "LP_AFTER_FIX",
    "LP_PARAMETERS",
    "RECOVERED",
    "ColumnGeneration",
]

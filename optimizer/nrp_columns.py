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
  prices) is solved by dynamic programming over the days (`RowPricer`, on
  `carecap.kernels.nrp_rows`), exact but for the most shifts per type, which Lagrangian
  multipliers price; where it neither finds an improving row nor proves that
  there is none, CP-SAT solves the row model (`carecap.nrp.NrpModel` with
  ``cover=False``: the same rule families as every other model) over the rows
  below the employee's convexity dual, so that it stops once its bound passes
  that dual. On Instance13 the programme takes 2 ms a row where CP-SAT takes
  0.1 s, and the LP converged in 80-150 s instead of 234 s;
* rows with a negative reduced cost join the master, until there are none.

At every iteration the LP value plus the employees' least reduced costs is a lower
bound on the penalty of every roster (a Lagrangian bound), so the bound is valid
even when the time runs out before the LP converges, and rows whose pricing problem
was not solved to optimality contribute CP-SAT's bound on them (the dual itself
where CP-SAT proves that no row is below it).

A *dive* turns the fractional LP into a roster. The *cell dive* fixes single
days of rows (an employee's shift or day off on a day) that the LP (nearly)
chooses, removes the columns that disagree, prices rows that agree with every
fixed day, and so on until the LP chooses one column per employee. Where the
programme cannot price every employee (too many states), the *column dive* fixes
whole columns instead, a coarser step that takes the LP further from its optimum.
Any choice of legal rows is a legal roster, so a dive always ends in one.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from carecap.kernels.nrp_rows import SATURDAY, SUNDAY, cheapest_rows
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .nrp import DAYS_PER_WEEK, OFF, NrpInstance, NrpModel, parse_nrp

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


CELL_SHARE = 0.1
"""Each step of a cell dive fixes as many of the heaviest fractional cells as this
share of the employees without a whole column (at least one): on Instance13 the LP
stayed within 1-8 % of its converged value while 3,330 of its 3,360 cells were
fixed, where fixing whole columns a tenth at a time took it above 2,000 with 90 of
120 fixed."""

COMPACT_AT = 0.5
"""A cell dive rebuilds the master once fewer than this share of its columns agree
with the fixed cells (GLOP prices excluded columns too: 0.5 s a solve on Instance13
before, 0.3 s with it)."""

FREE = -2
"""A day of a row that a dive has not fixed (`RowPricer.price`)."""

ROWS_PER_PRICING = 3
"""Rows the dynamic programme returns per employee and call: the cheapest per worked
minutes, weekends and counted shifts. More columns per round make the LP converge
in fewer rounds, but each LP solve slower: on Instance13, column generation from
the same roster converged in 152 s with 8 rows, 114-116 s with 2 or 3, 178 s with 1
(GLOP's time grows with the master's columns)."""

MULTIPLIER_STEPS = 3
"""Most updates of an employee's multipliers on the per-type shift limits in one
pricing problem."""

MAX_COUNTED_STATES = 8_000_000
"""Most states of an employee's programme with the types it counts (`RowPricer`):
each counted type multiplies them by its limit plus one. Column generation from the
same roster converged on Instance13 in 135 s with 2 million, 114 s with 8 million
and 121 s with 20 million; on Instance15 in 111 s with 8 million and 229 s with 20
million (larger programmes, and CP-SAT still pricing most employees)."""

MAX_ROW_STATES = 40_000_000
"""Employees whose dynamic programme has more states than this (days x run states x
minute units x weekends) are priced by CP-SAT alone (memory: 6 bytes a state)."""


def request_weights(instance: NrpInstance) -> tuple[np.ndarray, np.ndarray]:
    """Returns the weights of the on- and off-requests, each ``[e, d, s]``."""
    inst = instance
    shape = (inst.num_employees, inst.num_days, inst.num_shift_types)
    on_weight = np.zeros(shape, dtype=np.int64)
    off_weight = np.zeros(shape, dtype=np.int64)
    for r in inst.on_requests:
        on_weight[r.employee, r.day, r.shift] += r.weight
    for r in inst.off_requests:
        off_weight[r.employee, r.day, r.shift] += r.weight
    return on_weight, off_weight


COMPILE_INSTANCE = """SECTION_HORIZON
1
SECTION_SHIFTS
E,480,
SECTION_STAFF
A,E=1,480,0,1,1,1,1
SECTION_COVER
0,E,1,100,1
"""
"""A one-day, one-type instance: pricing its row compiles the row programme."""


def compile_pricing() -> None:
    """Compiles (or loads from Numba's cache) the row programme, by pricing the
    row of `COMPILE_INSTANCE` through `RowPricer`, so with the argument types every
    pricer passes.

    `carecap.nrp.solve_nrp` calls it before its clock starts: on a fresh
    install compiling took 4.3 s inside column generation's first pricing round,
    which then looked slow enough for column generation to give up on Instance8."""
    instance = parse_nrp(COMPILE_INSTANCE, source="compile_pricing")
    RowPricer(instance).price(0, np.zeros((1, 1)))


class RowPricer:
    """Prices rows by dynamic programming (`carecap.kernels.nrp_rows.cheapest_rows`).

    The programme holds every rule of a row but the most shifts of each type. Those
    it counts for the types whose limit the cheapest row broke (decremental state
    space relaxation: a type once counted for an employee stays counted), while the
    programme stays within `MAX_COUNTED_STATES`; beyond that, the other limits are
    priced by Lagrangian multipliers (per employee and type, kept from one pricing
    problem to the next, where the prices change little), updated by subgradient
    steps. Every row returned obeys every rule; the lower bound is the
    multipliers' Lagrangian bound, exact when the cheapest row is legal and leaves
    no limit with a multiplier slack.

    Counting took column generation on Instance8 from 14.3 s and 719 CP-SAT pricing
    problems to 3.0-3.5 s and none (same start roster, 2 threads), and the bound from
    1,296.2 to the LP's 1,296.6.
    """

    def __init__(self, instance: NrpInstance):
        inst = instance
        on_weight, off_weight = request_weights(inst)
        self.instance = inst
        minutes = inst.shift_minutes.astype(np.int64)
        unit = int(np.gcd.reduce(minutes[minutes > 0])) if (minutes > 0).any() else 1
        self.units = minutes // unit
        # Succession classes: types after which the same types are forbidden.
        classes, self.type_class = np.unique(
            inst.forbidden_next, axis=0, return_inverse=True
        )
        self.type_class = self.type_class.reshape(-1)
        self._classes = classes
        self._groups: dict[tuple[int, ...], tuple[np.ndarray, ...]] = {}
        day = np.arange(inst.num_days) % DAYS_PER_WEEK
        self.weekend_day = np.where(
            day == 5, SATURDAY, np.where(day == 6, SUNDAY, 0)
        ).astype(np.int64)
        most = inst.num_days * int(self.units.max(initial=0))
        self.max_units = np.minimum(inst.max_total_minutes // unit, most).astype(
            np.int64
        )
        self.min_units = -(-inst.min_total_minutes // unit).astype(np.int64)
        self.base = off_weight - on_weight  # (E, D, S): a worked shift's request cost
        self.on_total = on_weight.sum(axis=(1, 2))
        allowed = ~inst.day_off[:, :, None] & (inst.max_shifts[:, None, :] > 0)
        self.allowed = allowed
        # A limit that no legal row can reach needs no multiplier.
        reachable = np.minimum(
            allowed.sum(axis=1), self.max_units[:, None] // np.maximum(self.units, 1)
        )
        self.limited = (inst.max_shifts > 0) & (inst.max_shifts < reachable)
        self.multipliers = np.zeros(inst.max_shifts.shape)
        modes = np.maximum(inst.min_consecutive_days_off, 1) + len(classes) * 2 * (
            np.maximum(inst.max_consecutive_shifts, 0)
        )
        self.states = (
            inst.num_days * modes * (self.max_units + 1) * (inst.max_weekends + 1)
        )
        # Per employee, the types whose shifts the programme counts: once the
        # cheapest row broke a type's limit, it is counted from then on.
        self.counted: list[list[int]] = [[] for _ in range(inst.num_employees)]

    def groups(self, counted: tuple[int, ...]) -> tuple[np.ndarray, ...]:
        """Returns the programme's groups when the ``counted`` types are counted:
        ``group_start, group_members, group_class, group_units, group_counter,
        class_forbids_group`` (see `carecap.kernels.nrp_rows.cheapest_rows`)."""
        cached = self._groups.get(counted)
        if cached is not None:
            return cached
        inst = self.instance
        counter = np.full(inst.num_shift_types, -1, dtype=np.int64)
        counter[list(counted)] = np.arange(len(counted))
        # Types with the same class, length and forbidden predecessors, neither of
        # them counted, are one group.
        keys = np.column_stack(
            (self.type_class, self.units, inst.forbidden_next.T, counter)
        )
        _, group_of_type = np.unique(keys, axis=0, return_inverse=True)
        group_of_type = group_of_type.reshape(-1)
        members = np.argsort(group_of_type, kind="stable").astype(np.int64)
        sizes = np.bincount(group_of_type)
        start = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        first = members[start[:-1]]
        # C order like every other array: np.unique(axis=0) returns F order, and
        # Numba compiled a second specialisation for it.
        groups = (
            start,
            members,
            self.type_class[first].astype(np.int64),
            self.units[first].astype(np.int64),
            counter[first],
            np.ascontiguousarray(self._classes[:, first]),
        )
        self._groups[counted] = groups
        return groups

    def counted_states(self, employee: int, counted: list[int]) -> int:
        """Returns the states of the employee's programme with ``counted`` counted."""
        limits = self.instance.max_shifts[employee, counted].astype(np.int64)
        return int(self.states[employee]) * int(np.prod(limits + 1))

    def supports(self, employee: int) -> bool:
        """Returns whether the employee's programme is small enough to run."""
        return bool(self.states[employee] <= MAX_ROW_STATES)

    def price(
        self,
        employee: int,
        prices: np.ndarray,
        threshold: float = -math.inf,
        fixed: np.ndarray | None = None,
    ) -> tuple[list[np.ndarray], float, bool]:
        """Returns legal rows of ``employee`` (cheapest at ``prices`` first), a lower
        bound on the least ``cost(row) - prices . row`` over their legal rows, and
        whether the first row is known to be the cheapest.

        The multipliers stop moving once the bound reaches ``threshold``: column
        generation then knows that no row has a negative reduced cost. With
        ``fixed`` (``[d]``: a type, `OFF`, or `FREE`), only rows that agree with
        it on every day not `FREE` count."""
        inst = self.instance
        e = employee
        level = threshold - self.on_total[e]
        cost = np.where(self.allowed[e], self.base[e] - prices, np.inf)
        off_allowed = np.ones(inst.num_days, dtype=bool)
        if fixed is not None:
            days = np.flatnonzero(fixed != FREE)
            kept = cost[days, fixed[days]]
            cost[days] = np.inf
            worked = fixed[days] != OFF
            cost[days[worked], fixed[days[worked]]] = kept[worked]
            off_allowed[days[worked]] = False
        limited = self.limited[e]
        limit = inst.max_shifts[e].astype(float)
        multipliers = self.multipliers[e].copy()
        counted = self.counted[e]
        bound = -math.inf
        legal: dict[bytes, tuple[float, np.ndarray]] = {}
        exact = False
        steps = 0
        while True:
            # A counted type's limit is in the programme's state: no multiplier.
            multipliers[counted] = 0.0
            start, members, classes, units, counters, forbids = self.groups(
                tuple(counted)
            )
            values, rows = cheapest_rows(
                cost + multipliers,
                off_allowed,
                start,
                members,
                classes,
                units,
                counters,
                inst.max_shifts[e, counted].astype(np.int64),
                forbids,
                self.weekend_day,
                int(inst.max_consecutive_shifts[e]),
                int(inst.min_consecutive_shifts[e]),
                int(inst.min_consecutive_days_off[e]),
                int(inst.max_weekends[e]),
                int(self.min_units[e]),
                int(self.max_units[e]),
                ROWS_PER_PRICING,
            )
            if values.size == 0:
                if fixed is not None:
                    return [], math.inf, True
                raise RuntimeError(f"employee {e} has no legal row")
            penalty = float(multipliers @ limit)
            bound = max(bound, values[0] - penalty)
            counts = np.zeros((rows.shape[0], inst.num_shift_types))
            for i in range(rows.shape[0]):
                worked = rows[i][rows[i] != OFF]
                counts[i] = np.bincount(worked, minlength=inst.num_shift_types)
            for i in np.flatnonzero((counts <= limit).all(axis=1)):
                legal.setdefault(
                    rows[i].tobytes(),
                    (values[i] - float(multipliers @ counts[i]), rows[i]),
                )
            excess = np.where(limited, counts[0] - limit, 0.0)
            if (excess <= 0).all() and multipliers @ -excess <= 1e-9:
                exact = True
                break
            best = min((v for v, _ in legal.values()), default=math.inf)
            if best - bound <= 1e-9 or bound >= level:
                break
            # Count the types whose limit the cheapest row broke, most broken
            # first, while the programme stays within its budget: the answer is
            # then exact after a few programmes, where multipliers alone often
            # leave a gap that only CP-SAT closed.
            grown = list(counted)
            for t in np.argsort(-excess, kind="stable"):
                if excess[t] <= 0:
                    break
                if self.counted_states(e, [*grown, int(t)]) <= MAX_COUNTED_STATES:
                    grown.append(int(t))
            if len(grown) > len(counted):
                counted = sorted(grown)
                continue
            if steps == MULTIPLIER_STEPS:
                break
            steps += 1
            norm = float(excess @ excess)
            if norm == 0:
                break
            target = (
                best if math.isfinite(best) else bound + max(1.0, 0.05 * abs(bound))
            )
            step = (target - (values[0] - penalty)) / norm
            multipliers = np.maximum(multipliers + step * excess, 0.0)
        self.counted[e] = counted
        self.multipliers[e] = multipliers
        ranked = sorted(legal.values(), key=lambda item: item[0])
        if exact:
            bound = ranked[0][0]
        return (
            [row for _, row in ranked],
            float(self.on_total[e] + bound),
            exact,
        )


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
        self._on_weight, self._off_weight = request_weights(inst)
        self._on_total = self._on_weight.sum(axis=(1, 2))

        self._new_master()
        self.columns: list[list[np.ndarray]] = [[] for _ in range(inst.num_employees)]
        self._weights: list[list[pywraplp.Variable]] = [
            [] for _ in range(inst.num_employees)
        ]
        # Columns that `_compact` took out of the master, for `reopen`.
        self._dropped: list[list[np.ndarray]] = [[] for _ in range(inst.num_employees)]
        self._seen: list[set[bytes]] = [set() for _ in range(inst.num_employees)]
        self._pricing: dict[int, NrpModel] = {}
        self.rows = RowPricer(inst)
        self.cells: np.ndarray | None = None
        self._lock = threading.Lock()
        self.fixed: dict[int, int] = {}
        self.lower_bound = -math.inf
        self.lp_value = math.inf
        self.round_values: list[float] = []
        self.iterations = 0
        self.converged = False

    def _new_master(self) -> None:
        """Creates the restricted master LP without columns."""
        inst = self.instance
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

    def _compact(self) -> None:
        """Rebuilds the master with the columns a cell dive has not excluded: GLOP
        prices every column, excluded or not, so the LP gets slower than the
        columns that are left."""
        live: list[list[np.ndarray]] = [[] for _ in self.columns]
        for e, (cols, ws) in enumerate(zip(self.columns, self._weights, strict=True)):
            for column, weight in zip(cols, ws, strict=True):
                (live[e] if weight.ub() > 0 else self._dropped[e]).append(column)
        self._rebuild(live)

    def _rebuild(self, columns: list[list[np.ndarray]]) -> None:
        """Replaces the master by a new one with ``columns`` (per employee)."""
        self._new_master()
        self.columns = [[] for _ in columns]
        self._weights = [[] for _ in columns]
        for e, rows in enumerate(columns):
            for row in rows:
                self._add_to_master(e, row)

    def reopen(self) -> None:
        """Undoes a dive: nothing is fixed, and every column priced so far (also
        those that compacting took out) is back in a new master, whose LP is then
        at most its value before the dive."""
        every = [
            kept + dropped
            for kept, dropped in zip(self.columns, self._dropped, strict=True)
        ]
        self._dropped = [[] for _ in every]
        self.cells = None
        self.fixed = {}
        self._rebuild(every)

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

    def reduced_cost(self, employee: int, row: np.ndarray, prices: np.ndarray) -> float:
        """Returns ``cost(row) - prices . row``: the row's penalty less the cover
        prices of its shifts (without the employee's convexity dual)."""
        worked = np.flatnonzero(row != OFF)
        return self.cost(employee, row) - prices[worked, row[worked]].sum()

    def add_column(self, employee: int, row: np.ndarray) -> bool:
        """Adds a legal row of ``employee`` to the master; False when it is there."""
        key = row.tobytes()
        if key in self._seen[employee]:
            return False
        self._seen[employee].add(key)
        self._add_to_master(employee, row)
        return True

    def _add_to_master(self, employee: int, row: np.ndarray) -> None:
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
        self, employee: int, prices: np.ndarray, threshold: float, deadline: float
    ) -> tuple[list[np.ndarray], float]:
        """Solves one pricing problem at cover ``prices`` over the rows whose
        ``cost(row) - prices . row`` may be below ``threshold`` (the employee's
        convexity dual); returns the rows of every solution CP-SAT found (the best
        last; more columns per round make the LP converge in fewer rounds) and a
        lower bound on the least ``cost(row) - prices . row`` over the employee's
        legal rows (``threshold`` when no row is below it; ``inf`` searches every
        row)."""
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
        # Rounding the prices moves a row's scaled value by at most half a unit per
        # worked day, so every row below ``threshold`` has a scaled value at most
        # ``ceiling``. Searching only those, CP-SAT proves that there is no column
        # as soon as its bound passes the threshold, not the row's optimum.
        rounding = 0.5 * self.instance.num_days
        objective = nrp.model.proto.objective  # `minimize` cleared its domain
        if math.isfinite(threshold):
            ceiling = math.floor(DUAL_SCALE * threshold + rounding)
            # The domain bounds the objective's terms; the offset holds the
            # constants, among them those of negated literals.
            objective.domain.extend([-(2**62), ceiling - round(objective.offset)])
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
            if not math.isfinite(threshold):
                raise RuntimeError(f"employee {employee} has no legal row")
            return [], threshold
        if code == cp_model.UNKNOWN:
            # Stopped before its search began (a short time limit on a loaded
            # machine), CP-SAT reports a bound of 0, which is no bound at all.
            return rows.found, -math.inf
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
        if not self.restricted:
            self.round_values.append(self.lp_value)
        employees = [e for e in range(inst.num_employees) if e not in self.fixed]
        found: dict[int, tuple[list[np.ndarray], float]] = {}
        unproven: list[int] = []

        def improving(e: int, row: np.ndarray) -> bool:
            return self.reduced_cost(e, row, prices) < row_duals[e] - 1e-6

        def by_programme(e: int) -> None:
            if time.perf_counter() >= deadline:
                return
            if not self.rows.supports(e):
                unproven.append(e)
                return
            cells = None if self.cells is None else self.cells[e]
            rows, bound, _ = self.rows.price(e, prices, row_duals[e] - 1e-6, cells)
            found[e] = (rows, bound)
            if bound < row_duals[e] - 1e-6 and not any(improving(e, r) for r in rows):
                unproven.append(e)

        def by_cpsat(e: int) -> None:
            if time.perf_counter() >= deadline:
                return
            rows, bound = self._price(e, prices, row_duals[e], deadline)
            before, known = found.get(e, ([], -math.inf))
            found[e] = (before + rows, max(bound, known))

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            list(pool.map(by_programme, employees))
            # CP-SAT settles the employees whose programme neither found a column
            # nor proved that there is none (not in a cell dive: its pricing
            # problems do not know the fixed cells).
            if self.cells is None:
                list(pool.map(by_cpsat, unproven))
        self.iterations += 1
        added = 0
        for e, (rows, _) in found.items():
            for row in rows:
                if improving(e, row) and self.add_column(e, row):
                    added += 1
        complete = len(found) == len(employees)
        if not self.restricted and complete:
            bound = float((prices * inst.cover_requirement).sum())
            bound += sum(b for _, b in found.values())
            bound -= 1e-6 * max(1.0, abs(bound))  # floating-point slack
            if bound > self.lp_value + 1e-4 * max(1.0, abs(self.lp_value)):
                # No valid bound exceeds the master's value: a pricing bound is wrong.
                raise RuntimeError(
                    f"Lagrangian bound {bound:.1f} above the LP value "
                    f"{self.lp_value:.1f}"
                )
            self.lower_bound = max(self.lower_bound, bound)
            self.converged = added == 0
        return added

    @property
    def restricted(self) -> bool:
        """Whether a dive has fixed anything (the LP then bounds nothing)."""
        return bool(self.fixed) or self.cells is not None

    def last_fall(self) -> float:
        """Returns the share by which the restricted master's value fell between the
        starts of the last two pricing rounds (inf before two rounds)."""
        if len(self.round_values) < 2 or self.round_values[-2] <= 0:
            return math.inf
        before, after = self.round_values[-2:]
        return (before - after) / before

    def run(self, deadline: float, min_rounds: int = 0) -> bool:
        """Prices until no column with a negative reduced cost is left (the LP has
        converged) or the deadline passes.

        Returns False when it gave up early: the window up to ``deadline`` holds
        fewer than ``min_rounds`` pricing rounds at the mean pace of the rounds so
        far (rounds done included). Such an LP is far from converged at the
        deadline, so its bound and its choice of rows say little, and the time is
        worth more elsewhere."""
        started, done = time.perf_counter(), 0
        while time.perf_counter() < deadline and not self.converged:
            if self.iterate(deadline) == 0:
                break
            done += 1
            now = time.perf_counter()
            pace = (now - started) / done
            if done + (deadline - now) / pace < min_rounds:
                return False
        return True

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

    def open_employees(self) -> list[int]:
        """Returns the employees whose row the last LP has not settled (no fixed
        column and no column of weight 1)."""
        return [e for e, (weight, _) in self._heaviest().items() if weight < 1 - 1e-6]

    def can_cell_dive(self) -> bool:
        """Returns whether every employee's rows can be priced by the dynamic
        programme, which a cell dive needs (CP-SAT's pricing problems do not know
        the fixed cells)."""
        return all(self.rows.supports(e) for e in range(self.instance.num_employees))

    def cell_dive(self, deadline: float, rounds_per_fix: int) -> np.ndarray:
        """Fixes days of rows (an employee's shift or day off on one day) until the
        LP chooses one column per employee or the deadline passes; returns the
        roster of the heaviest columns.

        Each step fixes every cell the LP chooses with weight 1, and as many of the
        heaviest fractional cells as `CELL_SHARE` of the employees without a whole
        column, each from its employee's heaviest column so that the column stays
        open. Columns that disagree with a fixed cell leave the LP; the dynamic
        programme prices rows that agree with every fixed cell."""
        inst = self.instance
        self.cells = np.full((inst.num_employees, inst.num_days), FREE, dtype=np.int64)
        self._solve_lp()
        target = self.lp_value * (1 + RECOVERED)
        heaviest: list[np.ndarray] = []
        while time.perf_counter() < deadline:
            chosen: list[tuple[float, int, int]] = []
            heaviest.clear()
            for e in range(inst.num_employees):
                weights = np.array([w.solution_value() for w in self._weights[e]])
                k = int(np.argmax(weights))
                column = self.columns[e][k]
                agree = np.zeros(inst.num_days)
                for j in np.flatnonzero(weights > 1e-9):
                    agree += weights[j] * (self.columns[e][j] == column)
                for d in np.flatnonzero(self.cells[e] == FREE):
                    chosen.append((float(agree[d]), e, int(d)))
                heaviest.append(column)
            if not chosen:
                break
            settled = [c for c in chosen if c[0] >= 1 - 1e-6]
            fractional = sorted((c for c in chosen if c[0] < 1 - 1e-6), reverse=True)
            if not fractional:
                break
            employees = len({e for _, e, _ in fractional})
            take = fractional[: max(1, math.ceil(CELL_SHARE * employees))]
            for _, e, d in settled + take:
                self._fix_cell(e, d, int(heaviest[e][d]))
            live = sum(w.ub() > 0 for ws in self._weights for w in ws)
            if live < COMPACT_AT * sum(map(len, self._weights)):
                self._compact()
                self._solve_lp()
            else:
                self._solve_lp(after_fix=True)
            self._recover(target, deadline, rounds_per_fix)
        return self.roster()

    def _recover(self, target: float, deadline: float, rounds: int) -> None:
        """Prices after a dive's fix (at most ``rounds`` rounds) until the LP value
        is back at ``target``, no column improves, or the deadline passes."""
        for _ in range(rounds):
            if (
                self.lp_value <= target
                or time.perf_counter() >= deadline
                or self.iterate(deadline) == 0
            ):
                break
            self._solve_lp()

    def _fix_cell(self, employee: int, day: int, value: int) -> None:
        self.cells[employee, day] = value
        for column, weight in zip(
            self.columns[employee], self._weights[employee], strict=True
        ):
            if column[day] != value:
                weight.SetUb(0.0)

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
            self._recover(target, deadline, rounds_per_fix)
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

"""Objective terms of the roster model, by priority level (domain brief §7.5).

Every term is an integer linear expression in one money unit, ``UNIT`` = 1/6000 euro
(so a wage in euros per hour is a whole number of units per minute), except the
fairness level, which counts minutes. Levels, in priority order:

1. ``uncovered``: 10 x agency hourly rate of the slot level x paid hours, x 1.25
   for ANW shifts (domain §7.5.1);
2. ``agency``: the evaluator's agency booking cost (paid + ORT hours x wage x agency
   factor x (1 + VAT));
3. ``pool_under_contract``: flex-pool minutes below contract over the horizon (fixed
   + new), at 1.0 x wage (§7.5.7);
4. ``extra_hours``: part-timers who want more: -0.2 x wage per hour up to desired,
   +2.0 x wage per hour for the first 4 hours above desired, then a marginal rate
   that grows by 2.0 x wage with every further hour (a quadratic tail, §7.5.7);
5. ``fairness``: ANW burden (§7.5.8), in minutes. A person's *ANW excess* is their
   ANW paid minutes less the region's ANW share ``r`` of their worked paid minutes
   (fixed and new, horizon), where ``r`` is the ANW share of all demand (a constant,
   so the measure stays linear). The level is the sum, over the employment types
   that take new shifts (flex pool; employees working extra hours), of the largest
   excess of a person of that type who may get new shifts. Between the types, the
   evaluator reports ANW hours per worked hour of each type and the agency share
   (`Evaluation.fairness_*`, §7.5.8); a term for the difference of the types' mean
   excess made the level hard to prove even on S, and measuring both types against
   the same regional share already pulls them together. Weighted mode: 1 euro per
   hour;
6. ``travel_lending``: return-trip travel and the lending VAT surcharge of people
   working for another organisation;
7. ``preferences``: roster quality points per new assignment: per aspect of the
   shift (day, evening or night; and weekend) 3 points where the person avoids it,
   1 where neutral, 0 where preferred; 2 points at a ward that is not the person's
   home ward nor a ward of their fixed shifts (continuity). Weighted mode: 1 euro
   per point.

With a previous roster (re-planning) a level ``changes`` counts the paid minutes of
previous assignments that are not kept, agency bookings included; by default it comes
right after ``uncovered``.

`Objective.add_objective` adds a term only when its weight is greater than 0.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..roster import AGENCY, UNCOVERED
from .variables import Variables

POOL_CODE = 1
"""``staff_employment`` code of flex-pool members."""

UNIT_PER_EURO = 6000
"""Objective units per euro."""

LEVELS = (
    "uncovered",
    "agency",
    "pool_under_contract",
    "extra_hours",
    "fairness",
    "travel_lending",
    "preferences",
)
"""Priority levels, most important first (the default order)."""

REPLANNING_LEVEL = "changes"
"""The level of re-planning: paid minutes of previous assignments not kept."""

ALL_LEVELS = (*LEVELS, REPLANNING_LEVEL)
"""Every level name a caller may order."""

LEVEL_UNITS = {
    "uncovered": "EUR penalty",
    "agency": "EUR",
    "pool_under_contract": "EUR",
    "extra_hours": "EUR",
    "fairness": "ANW excess hours",
    "travel_lending": "EUR",
    "preferences": "points",
    "changes": "hours moved",
}
"""Display unit of each level's value (`Objective.display`)."""

NON_NEGATIVE_LEVELS = frozenset(set(ALL_LEVELS) - {"extra_hours", "fairness"})
"""Levels whose terms are all >= 0, so 0 is a lower bound (extra hours has rewards,
an ANW excess is negative for people below the region's share)."""

WEIGHTS = {
    "uncovered": 1,
    "changes": 10 * UNIT_PER_EURO // 60,  # 10 euro per hour moved
    "agency": 1,
    "pool_under_contract": 1,
    "extra_hours": 1,
    "fairness": UNIT_PER_EURO // 60,  # units per minute: 1 euro per hour
    "travel_lending": 1,
    "preferences": UNIT_PER_EURO,  # 1 euro per point
}
"""Weighted mode: factor of each level's expression (money levels are in units)."""

OVER_DESIRED_FLAT_MINUTES = 4 * 60
"""Above desired hours, the first 4 hours cost 2.0 x wage each..."""
OVER_DESIRED_STEPS = 4
"""...then each of the next hours (and every hour after them) costs 2.0 x wage more
than the one before, up to 12 x wage: a quadratic tail for the second 4 hours."""

AVOID_POINTS, NEUTRAL_POINTS, PREFER_POINTS = 3, 1, 0
"""Preference points of a new shift, per aspect (day/evening/night, and weekend)."""
NEW_WARD_POINTS = 2
"""Points of a new shift at a ward that is neither the home ward nor a ward of the
person's fixed shifts (continuity)."""

ANW_UNCOVERED_WEIGHT = 1.25
"""Extra weight of an uncovered ANW slot over a day slot."""

UNCOVERED_FACTOR = 10.0
"""Uncovered penalty: this many times the agency cost of the hours (§7.5.1)."""


class Objective:
    """Builds the level expressions of one model.

    Parameters
    ----------
    model, arrays, graph, variables
        The model, compiled arrays, eligibility graph and the model's `Variables`.
    previous
        Re-planning: the previous roster's ``slot_assignee`` (the ``changes`` level).
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        arrays: Any,
        graph: Any,
        variables: Variables,
        previous: np.ndarray | None = None,
    ):
        self.model = model
        self.a = arrays
        self.graph = graph
        self.v = variables
        self.previous = previous
        self._cache: dict[str, cp_model.LinearExpr] = {}
        self._wards: dict[int, frozenset[int]] = {}

    def expression(self, level: str) -> cp_model.LinearExpr:
        """Returns the integer expression of a level (built once)."""
        if level not in self._cache:
            self._cache[level] = getattr(self, f"_{level}")()
        return self._cache[level]

    def display(self, level: str, value: float) -> float:
        """Returns a level's value in its display unit (`LEVEL_UNITS`)."""
        if level in ("fairness", "changes"):
            return value / 60
        if level == "preferences":
            return value
        return value / UNIT_PER_EURO

    def add_objective(
        self, levels: tuple[str, ...], weights: dict[str, float] | None = None
    ) -> None:
        """Sets the weighted sum of the levels as the objective (weights > 0 only)."""
        weights = WEIGHTS if weights is None else weights
        terms = [
            int(weights[level]) * self.expression(level)
            for level in levels
            if weights.get(level, 0) > 0
        ]
        self.model.minimize(sum(terms))

    # -- helpers ------------------------------------------------------------------

    def _hours_cost(self, slot: int, level: int) -> float:
        """Returns (paid + ORT minutes) / 60 x wage of a level for a slot's shift."""
        a = self.a
        shift = a.slot_shift[slot]
        return (
            (a.shift_paid[shift] + a.shift_ort_minutes[shift])
            / 60.0
            * a.wage_per_level[level]
        )

    def _agency_rate(self) -> float:
        return self.a.agency_factor * (1.0 + self.a.agency_vat)

    def _new_minutes(self, person: int) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        return sum(
            int(a.shift_paid[s]) * v.works(person, s) for s in v.new_shifts(person)
        )

    def _fixed_minutes(self, person: int) -> int:
        a = self.a
        return sum(
            int(a.shift_paid[s])
            for s in self.v.fixed_shifts(person)
            if s < a.num_horizon_shifts
        )

    # -- levels ---------------------------------------------------------------------

    def _uncovered(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        terms = []
        for slot, var in enumerate(v.uncovered):
            shift = a.slot_shift[slot]
            level = int(a.slot_level[slot])
            euros = (
                UNCOVERED_FACTOR
                * a.shift_paid[shift]
                / 60.0
                * a.wage_per_level[level]
                * self._agency_rate()
            )
            if a.shift_anw[shift] != 0:
                euros *= ANW_UNCOVERED_WEIGHT
            terms.append(round(euros * UNIT_PER_EURO) * var)
        return sum(terms)

    def _agency(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        return sum(
            round(
                self._hours_cost(slot, int(a.slot_level[slot]))
                * self._agency_rate()
                * UNIT_PER_EURO
            )
            * var
            for slot, var in v.agency.items()
        )

    def _pool_under_contract(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        terms = []
        for person, short in v.pool_shortfall.items():
            contract = int(a.staff_contract_minutes[person]) * a.num_weeks
            have = self._fixed_minutes(person) + self._new_minutes(person)
            self.model.add(short >= contract - have)
            per_minute = round(
                a.wage_per_level[a.staff_level[person]] * UNIT_PER_EURO / 60
            )
            terms.append(per_minute * short)
        return sum(terms)

    def _extra_hours(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        terms = []
        for person, (wanted, over) in v.extra_minutes.items():
            weeks = a.num_weeks
            contract = int(a.staff_contract_minutes[person]) * weeks
            desired = int(a.staff_desired_minutes[person]) * weeks
            fixed = self._fixed_minutes(person)
            have = fixed + self._new_minutes(person)
            top = 10**7  # loose: skipped H16 families in tests may exceed the maximum
            if fixed >= contract:
                self.model.add(wanted <= have - contract)
            else:
                # wanted <= max(0, have - contract), an upper bound through a max;
                # only where fixed work alone is below the contract (sick, leave).
                beyond = self.model.new_int_var(-contract, top, f"beyond[{person}]")
                self.model.add(beyond == have - contract)
                positive = self.model.new_int_var(0, top, f"beyond_pos[{person}]")
                self.model.add_max_equality(positive, [beyond, 0])
                self.model.add(wanted <= positive)
            wage_unit = a.wage_per_level[a.staff_level[person]] * UNIT_PER_EURO / 60
            # Convex tail as a sum of hinges max(0, have - desired - b): each
            # breakpoint b adds 2.0 x wage per hour to the marginal rate.
            hinges = [over]
            for step in range(1, OVER_DESIRED_STEPS + 2):
                hinge = self.model.new_int_var(0, top, "")
                threshold = OVER_DESIRED_FLAT_MINUTES + 60 * (step - 1)
                self.model.add(hinge >= have - desired - threshold)
                hinges.append(hinge)
            self.model.add(over >= have - desired)
            terms.append(
                round(2.0 * wage_unit) * sum(hinges) - round(0.2 * wage_unit) * wanted
            )
        return sum(terms)

    def anw_share(self) -> tuple[int, int]:
        """Returns the region's ANW share of demand (see `anw_share`)."""
        return anw_share(self.a)

    def _anw_excess(self, person: int) -> cp_model.LinearExpr:
        """Returns 1000 x (ANW minutes - r x worked minutes) of a person (horizon)."""
        a, v = self.a, self.v
        share, scale = self.anw_share()
        fixed = [s for s in v.fixed_shifts(person) if s < a.num_horizon_shifts]
        constant = sum(
            int(a.shift_paid[s]) * (scale * (a.shift_anw[s] != 0) - share)
            for s in fixed
        )
        return constant + sum(
            int(a.shift_paid[s])
            * (scale * (a.shift_anw[s] != 0) - share)
            * v.works(person, s)
            for s in v.new_shifts(person)
        )

    def _fairness(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        _, scale = self.anw_share()
        groups: dict[int, list[int]] = defaultdict(list)
        for person in v.people:
            groups[int(a.staff_employment[person] == POOL_CODE)].append(person)
        if not groups:
            return 0
        excess = {
            p: self._anw_excess(p) for members in groups.values() for p in members
        }
        bound = scale * int(a.shift_paid[: a.num_horizon_shifts].sum() + 1) * 8
        terms = []
        for group, members in sorted(groups.items()):
            worst = self.model.new_int_var(-bound, bound, f"worst_anw_excess[{group}]")
            for person in members:
                self.model.add(worst >= excess[person])
            terms.append(worst)
        total = sum(terms)
        # Integer minutes: scale back, rounding up so the level is never understated.
        return _scaled(self.model, total, scale, "anw_excess_minutes", low=-bound)

    def _preferences(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        points_of = {-1: AVOID_POINTS, 0: NEUTRAL_POINTS, 1: PREFER_POINTS}
        terms = []
        for j, var in v.x.items():
            person = int(v.pair_staff[j])
            shift = int(a.slot_shift[int(v.pair_slot[j])])
            prefs = a.staff_preferences[person]
            if a.shift_is_night[shift]:
                aspect = 2
            elif a.shift_is_evening[shift]:
                aspect = 1
            else:
                aspect = 0
            points = points_of[int(prefs[aspect])]
            if a.shift_is_weekend[shift]:
                points += points_of[int(prefs[3])]
            if int(a.shift_ward[shift]) not in self._familiar_wards(person):
                points += NEW_WARD_POINTS
            if points:
                terms.append(points * var)
        return sum(terms)

    def _familiar_wards(self, person: int) -> frozenset[int]:
        a = self.a
        if person not in self._wards:
            wards = {int(a.shift_ward[s]) for s in self.v.fixed_shifts(person)}
            wards.add(int(a.staff_ward[person]))
            wards.discard(-1)
            self._wards[person] = frozenset(wards)
        return self._wards[person]

    def _changes(self) -> cp_model.LinearExpr:
        """Paid minutes of previous assignments not kept: people, and agency bookings
        (moving one to another slot cancels a booking and makes one)."""
        a, v = self.a, self.v
        if self.previous is None:
            return 0
        kept = {}
        for j in v.x:
            slot = int(v.pair_slot[j])
            if self.previous[slot] == v.pair_staff[j]:
                kept[slot] = v.x[j]
        for slot, var in v.agency.items():
            if self.previous[slot] == AGENCY:
                kept[slot] = var
        lost = 0
        for slot, who in enumerate(self.previous):
            if who == UNCOVERED:
                continue
            paid = int(a.shift_paid[a.slot_shift[slot]])
            if slot in kept:
                lost += paid * (1 - kept[slot])
            else:
                lost += paid  # cannot be kept: no longer eligible, or no supply
        return lost

    def _travel_lending(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        terms = []
        for j, var in v.x.items():
            person = int(v.pair_staff[j])
            slot = int(v.pair_slot[j])
            shift = a.slot_shift[slot]
            euros = 2.0 * self.graph.travel_km[j] * a.travel_cost_per_km
            if a.staff_org[person] != a.shift_org[shift]:
                euros += self._hours_cost(slot, int(a.staff_level[person])) * (
                    a.lending_vat_factor - 1.0
                )
            coef = round(euros * UNIT_PER_EURO)
            if coef:
                terms.append(coef * var)
        return sum(terms)


def anw_share(arrays: Any) -> tuple[int, int]:
    """Returns the region's ANW share of demand as a fraction (numerator, 1000).

    Demand is the fixed work of the horizon plus the open slots, in paid minutes.
    """
    fixed = arrays.fixed_shift[arrays.fixed_shift < arrays.num_horizon_shifts]
    shifts = np.concatenate([fixed, arrays.slot_shift])
    total = int(arrays.shift_paid[shifts].sum())
    anw = int(arrays.shift_paid[shifts][arrays.shift_anw[shifts] != 0].sum())
    return (round(1000 * anw / total) if total else 0), 1000


def new_anw_excess(arrays: Any, slot_assignee: np.ndarray) -> np.ndarray:
    """Returns per person 1000 x (ANW minutes - r x minutes) of their new assignments.

    The measure of the ANW balance rule (`SolveParams.anw_balance_hours`), computed
    from a roster, to check the model's answer.
    """
    share, scale = anw_share(arrays)
    out = np.zeros(arrays.staff_level.shape[0], dtype=np.int64)
    for slot in np.flatnonzero(slot_assignee >= 0):
        shift = arrays.slot_shift[slot]
        paid = int(arrays.shift_paid[shift])
        out[slot_assignee[slot]] += paid * (
            scale * (arrays.shift_anw[shift] != 0) - share
        )
    return out


def _scaled(
    model: cp_model.CpModel,
    expr: cp_model.LinearExpr,
    divisor: int,
    name: str,
    low: int = 0,
) -> cp_model.IntVar:
    """Returns an integer ``q`` with ``q >= expr / divisor`` (the ceiling at the optimum)."""
    if divisor == 1:
        var = model.new_int_var(low, 10**15, name)
        model.add(var >= expr)
        return var
    var = model.new_int_var(low, 10**15 // max(divisor, 1), name)
    model.add(divisor * var >= expr)
    return var


__all__ = [
    "ALL_LEVELS",
    "LEVELS",
    "LEVEL_UNITS",
    "REPLANNING_LEVEL",
    "UNIT_PER_EURO",
    "WEIGHTS",
    "Objective",
    "anw_share",
    "new_anw_excess",
]

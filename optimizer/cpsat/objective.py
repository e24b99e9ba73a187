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
   +2.0 x wage per hour above desired (§7.5.7; linear, the quadratic tail is not
   modelled);
5. ``fairness``: the maximum over people of new ANW paid minutes (weighted mode: at
   1 euro per hour);
6. ``travel_lending``: return-trip travel and the lending VAT surcharge of people
   working for another organisation.

`Objective.add_objective` adds a term only when its weight is greater than 0.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from .variables import Variables

UNIT_PER_EURO = 6000
"""Objective units per euro."""

LEVELS = (
    "uncovered",
    "agency",
    "pool_under_contract",
    "extra_hours",
    "fairness",
    "travel_lending",
)
"""Priority levels, most important first."""

LEVEL_UNITS = {
    "uncovered": "EUR penalty",
    "agency": "EUR",
    "pool_under_contract": "EUR",
    "extra_hours": "EUR",
    "fairness": "max new ANW hours",
    "travel_lending": "EUR",
}
"""Display unit of each level's value (`Objective.display`)."""

NON_NEGATIVE_LEVELS = frozenset(
    {"uncovered", "agency", "pool_under_contract", "fairness", "travel_lending"}
)
"""Levels whose terms are all >= 0, so 0 is a lower bound (extra hours has rewards)."""

WEIGHTS = {
    "uncovered": 1,
    "agency": 1,
    "pool_under_contract": 1,
    "extra_hours": 1,
    "fairness": 100,  # units per minute: 1 euro per hour of the maximum
    "travel_lending": 1,
}
"""Weighted mode: factor of each level's expression (all but fairness are in units)."""

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
    """

    def __init__(
        self, model: cp_model.CpModel, arrays: Any, graph: Any, variables: Variables
    ):
        self.model = model
        self.a = arrays
        self.graph = graph
        self.v = variables
        self._cache: dict[str, cp_model.LinearExpr] = {}

    def expression(self, level: str) -> cp_model.LinearExpr:
        """Returns the integer expression of a level (built once)."""
        if level not in self._cache:
            self._cache[level] = getattr(self, f"_{level}")()
        return self._cache[level]

    def display(self, level: str, value: float) -> float:
        """Returns a level's value in its display unit (`LEVEL_UNITS`)."""
        if level == "fairness":
            return value / 60
        return value / UNIT_PER_EURO

    def add_objective(self, weights: dict[str, float] | None = None) -> None:
        """Sets the weighted sum as the model's objective (terms with weight > 0 only)."""
        weights = WEIGHTS if weights is None else weights
        terms = [
            int(weights[level]) * self.expression(level)
            for level in LEVELS
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
            have = self._fixed_minutes(person) + self._new_minutes(person)
            # wanted <= max(0, have - contract): an upper bound, so through a max.
            top = 10**7  # loose: skipped H16 families in tests may exceed the maximum
            beyond = self.model.new_int_var(-contract, top, f"beyond[{person}]")
            self.model.add(beyond == have - contract)
            positive = self.model.new_int_var(0, top, f"beyond_pos[{person}]")
            self.model.add_max_equality(positive, [beyond, 0])
            self.model.add(wanted <= positive)
            self.model.add(over >= have - desired)
            wage_unit = a.wage_per_level[a.staff_level[person]] * UNIT_PER_EURO / 60
            terms.append(
                round(2.0 * wage_unit) * over - round(0.2 * wage_unit) * wanted
            )
        return sum(terms)

    def _fairness(self) -> cp_model.LinearExpr:
        a, v = self.a, self.v
        top = v.max_new_anw
        for person in v.people:
            anw = [
                int(a.shift_paid[s]) * v.works(person, s)
                for s in v.new_shifts(person)
                if a.shift_anw[s] != 0
            ]
            if anw:
                self.model.add(top >= sum(anw))
        return 1 * top

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


__all__ = ["LEVELS", "LEVEL_UNITS", "UNIT_PER_EURO", "WEIGHTS", "Objective"]

"""CP-SAT variables of the roster model.

Core variables are created eagerly: a Boolean ``x[p,k]`` for every *eligible* pair
(person ``p``, open slot ``k``) of the eligibility graph whose person has a legal fixed
roster, an ``agency[k]`` Boolean where the agency supply of the slot's day and level
is positive and the shift breaks no length rule (H2, H3 bind agency workers too), and
an ``uncovered[k]`` Boolean per slot, so the model is always feasible.
Objective-only variables (shortfalls, excesses, the fairness maximum) are created
lazily, on first use.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import Any

import numpy as np
from carecap.kernels.eligibility import length_rule_breaks
from ortools.sat.python import cp_model

from ..roster import AGENCY, UNCOVERED

NOT_PINNED = -3
"""``pins`` value of a slot that is free to change."""


class Variables:
    """The variables of one model, indexed like the compiled region.

    Parameters
    ----------
    model
        The CP-SAT model to add the variables to.
    arrays
        `RegionArrays` of the compiled region.
    graph
        Its `EligibilityGraph`.
    person_ok
        bool per person: may get new assignments (the fixed roster is legal).
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        arrays: Any,
        graph: Any,
        person_ok: np.ndarray,
    ):
        self.model = model
        self.arrays = arrays
        self.graph = graph
        num_slots = graph.num_slots
        self.num_slots = num_slots
        # x: pair index -> Boolean; pairs of excluded people get none.
        self.x: dict[int, cp_model.IntVar] = {}
        self.pair_staff = graph.staff_idx
        self.pair_slot = np.repeat(
            np.arange(num_slots, dtype=np.int64), np.diff(graph.slot_ptr)
        )
        # person -> shift -> pair indices
        shift_pairs: dict[int, dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for j in range(graph.num_pairs):
            person = int(graph.staff_idx[j])
            if not person_ok[person]:
                continue
            slot = int(self.pair_slot[j])
            self.x[j] = model.new_bool_var(f"x[{person},{slot}]")
            shift_pairs[person][int(arrays.slot_shift[slot])].append(j)
        self.shift_pairs = {p: dict(v) for p, v in shift_pairs.items()}
        self._works: dict[tuple[int, int], cp_model.LinearExpr] = {}
        self.agency: dict[int, cp_model.IntVar] = {}
        self.uncovered: list[cp_model.IntVar] = []
        too_long = length_rule_breaks(arrays)
        for slot in range(num_slots):
            shift = int(arrays.slot_shift[slot])
            day = int(arrays.shift_day[shift])
            level = int(arrays.slot_level[slot])
            if arrays.agency_supply[day, level] > 0 and not too_long[shift]:
                self.agency[slot] = model.new_bool_var(f"agency[{slot}]")
            self.uncovered.append(model.new_bool_var(f"uncovered[{slot}]"))

    # -- views ---------------------------------------------------------------------

    @property
    def people(self) -> list[int]:
        """Returns the people with at least one assignment variable, in index order."""
        return sorted(self.shift_pairs)

    def new_shifts(self, person: int) -> list[int]:
        """Returns the horizon shifts a person may newly work, by start."""
        shifts = self.shift_pairs.get(person, {})
        return sorted(shifts, key=lambda s: (int(self.arrays.shift_start[s]), s))

    def works(self, person: int, shift: int) -> cp_model.LinearExpr:
        """Returns the 0/1 expression 'person newly works shift' (sum over its slots)."""
        key = (person, shift)
        expr = self._works.get(key)
        if expr is None:
            pairs = self.shift_pairs[person][shift]
            expr = (
                self.x[pairs[0]] if len(pairs) == 1 else sum(self.x[j] for j in pairs)
            )
            self._works[key] = expr
        return expr

    def slot_pairs(self, slot: int) -> list[int]:
        """Returns the pair indices of a slot that carry a variable."""
        lo, hi = self.graph.slot_ptr[slot], self.graph.slot_ptr[slot + 1]
        return [j for j in range(lo, hi) if j in self.x]

    def fixed_shifts(self, person: int) -> list[int]:
        """Returns a person's fixed and carry-in shifts, by start."""
        a = self.arrays
        return [
            int(s) for s in a.fixed_shift[a.fixed_ptr[person] : a.fixed_ptr[person + 1]]
        ]

    # -- lazily created objective variables --------------------------------------

    @cached_property
    def pool_shortfall(self) -> dict[int, cp_model.IntVar]:
        """Returns per flex-pool member: paid minutes below contract over the horizon."""
        a = self.arrays
        out = {}
        for p in self.people:
            if a.staff_employment[p] == 1:
                cap = int(a.staff_contract_minutes[p]) * a.num_weeks
                out[p] = self.model.new_int_var(0, cap, f"short[{p}]")
        return out

    @cached_property
    def extra_minutes(self) -> dict[int, tuple[cp_model.IntVar, cp_model.IntVar]]:
        """Returns per part-timer who wants more: (wanted extra minutes, minutes over desired)."""
        a = self.arrays
        out = {}
        weeks = a.num_weeks
        for p in self.people:
            contract = int(a.staff_contract_minutes[p])
            desired = int(a.staff_desired_minutes[p])
            if a.staff_employment[p] != 0 or desired <= contract:
                continue
            top = 10**7  # loose on purpose: the hard caps are constraints
            wanted = self.model.new_int_var(
                0, (desired - contract) * weeks, f"want[{p}]"
            )
            over = self.model.new_int_var(0, max(0, top), f"over[{p}]")
            out[p] = (wanted, over)
        return out

    @cached_property
    def max_new_anw(self) -> cp_model.IntVar:
        """Returns the maximum over people of new ANW paid minutes (fairness)."""
        a = self.arrays
        top = (
            int(a.shift_paid[: a.num_horizon_shifts].sum())
            if a.num_horizon_shifts
            else 0
        )
        return self.model.new_int_var(0, max(top, 0), "max_new_anw")

    def pair(self, person: int, slot: int) -> int | None:
        """Returns the pair index of (person, slot) that carries a variable, or None."""
        for j in self.slot_pairs(slot):
            if self.pair_staff[j] == person:
                return j
        return None

    def pin(self, pins: np.ndarray) -> None:
        """Fixes pinned slots to their person or to agency.

        Raises
        ------
        ValueError
            When a pinned person has no variable for the slot, or a slot pinned to
            agency has none (no supply that day, or a shift that breaks a length
            rule); callers check pins first and report them by row.
        """
        for slot, who in enumerate(pins):
            who = int(who)
            if who == NOT_PINNED:
                continue
            if who == AGENCY:
                if slot not in self.agency:
                    raise ValueError(f"slot {slot} is pinned to agency it cannot have")
                self.model.add(self.agency[slot] == 1)
            elif who >= 0:
                j = self.pair(who, slot)
                if j is None:
                    raise ValueError(f"slot {slot} is pinned to an ineligible person")
                self.model.add(self.x[j] == 1)
            else:
                raise ValueError(f"slot {slot}: pin {who} not understood")

    # -- warm start and answer -----------------------------------------------------

    def warmstart(self, slot_assignee: np.ndarray) -> None:
        """Hints a roster (clearing earlier hints first); unknown pairs are skipped."""
        self.model.clear_hints()
        chosen = set()
        for slot in range(self.num_slots):
            who = int(slot_assignee[slot])
            if who >= 0:
                for j in self.slot_pairs(slot):
                    if self.pair_staff[j] == who:
                        chosen.add(j)
        for j, var in self.x.items():
            self.model.add_hint(var, j in chosen)
        covered = {int(self.pair_slot[j]) for j in chosen}
        for slot, var in self.agency.items():
            self.model.add_hint(
                var, slot not in covered and slot_assignee[slot] == AGENCY
            )
        for slot, var in enumerate(self.uncovered):
            hinted_agency = slot in self.agency and slot_assignee[slot] == AGENCY
            self.model.add_hint(var, slot not in covered and not hinted_agency)

    def roster(self, solver: cp_model.CpSolver) -> np.ndarray:
        """Returns the solver's ``slot_assignee`` (staff index, AGENCY or UNCOVERED)."""
        out = np.full(self.num_slots, UNCOVERED, dtype=np.int64)
        for slot, var in self.agency.items():
            if solver.boolean_value(var):
                out[slot] = AGENCY
        for j, var in self.x.items():
            if solver.boolean_value(var):
                out[int(self.pair_slot[j])] = int(self.pair_staff[j])
        return out


__all__ = ["NOT_PINNED", "Variables"]

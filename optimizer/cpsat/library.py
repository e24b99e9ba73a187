"""Rule families for rostering models, each added to a `cp_model.CpModel` by one function.

The functions work on per-person, per-day sequences of Boolean literals: "works on
day d" (one literal per day) and "works shift type t on day d" (one per day and
type). They know nothing of regions, instances or clock times, so the regional
roster model and the Curtois nurse-rostering adapter (`carecap.nrp`) build their
rules from the same families.

Literal sequences may hold the Python constants ``True`` and ``False`` besides model
literals: a day that can never be worked is ``False``, and a known carry-in day
before the horizon is ``True`` or ``False``. Clauses are simplified over the
constants, so history is handled by prepending the carry-in days to a sequence.

Hard families add constraints and return nothing (or the auxiliary literals they
create). Soft families add only the defining constraints and return a `Penalties`
object, ``(penalty_vars, coefficients)``, that the caller adds to its objective.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

Literal = cp_model.LiteralT
"""A model literal (a Boolean variable or its negation) or a constant."""


@dataclass
class Penalties:
    """Penalty terms of soft rules: the objective adds ``sum(c * v)``.

    Every variable is non-negative, so a sum of penalties is bounded below by 0.

    Attributes
    ----------
    variables
        Literals or integer variables, one per term.
    coefficients
        The weight of each term (same length as ``variables``).
    constant
        A constant part of the penalty (an on-request of a day that can never be
        worked, for example).
    """

    variables: list = field(default_factory=list)
    coefficients: list[int] = field(default_factory=list)
    constant: int = 0

    def add(self, variable, coefficient: int) -> None:
        """Adds the term ``coefficient * variable`` (constants go to ``constant``)."""
        if coefficient == 0:
            return
        if isinstance(variable, bool | int):
            self.constant += coefficient * int(variable)
            return
        self.variables.append(variable)
        self.coefficients.append(int(coefficient))

    def extend(self, other: Penalties) -> None:
        """Adds every term of ``other``."""
        self.variables.extend(other.variables)
        self.coefficients.extend(other.coefficients)
        self.constant += other.constant

    def expression(self) -> cp_model.LinearExprT:
        """Returns the penalty as a linear expression."""
        return (
            cp_model.LinearExpr.weighted_sum(self.variables, self.coefficients)
            + self.constant
        )


def negated(literal: Literal) -> Literal:
    """Returns the negation of a literal or a constant."""
    if isinstance(literal, bool):
        return not literal
    return literal.Not()


def add_clause(model: cp_model.CpModel, literals: Iterable[Literal]) -> None:
    """Adds ``OR(literals)``, simplified over constants.

    A clause holding ``True`` is dropped; ``False`` members are removed.

    Raises
    ------
    ValueError
        When every member is ``False`` (the rule cannot hold whatever the model does;
        callers check their constants before, so this is a bug).
    """
    members = []
    for literal in literals:
        if literal is True:
            return
        if literal is not False:
            members.append(literal)
    if not members:
        raise ValueError("a clause of constants only is false")
    model.add_bool_or(members)


def _is_constant(literal: Literal) -> bool:
    return isinstance(literal, bool)


# -- one per day, cliques --------------------------------------------------------------


def link_day(
    model: cp_model.CpModel, works: Literal, shift_literals: Sequence[Literal]
) -> None:
    """At most one shift type per day: ``sum(shift_literals) == works``.

    ``works`` becomes the aggregated "works on this day" literal that the sequence
    families below use; a day without possible shift types forces it to 0.
    """
    variables = [s for s in shift_literals if not _is_constant(s)]
    fixed = sum(1 for s in shift_literals if s is True)
    if _is_constant(works):
        model.add(sum(variables) == int(works) - fixed)
    else:
        model.add(sum(variables) + fixed == works)


def at_most_one_cliques(
    model: cp_model.CpModel, cliques: Iterable[Sequence[Literal]]
) -> int:
    """At most one literal of each clique holds (overlapping or conflicting shifts).

    Returns the number of constraints added (cliques of fewer than two variables
    are skipped; a clique holding a ``True`` constant forces the others off).
    """
    added = 0
    for clique in cliques:
        variables = [c for c in clique if not _is_constant(c)]
        fixed = sum(1 for c in clique if c is True)
        if fixed > 1:
            raise ValueError("a clique holds two true constants")
        if fixed:
            for v in variables:
                model.add(v == 0)
            continue
        if len(variables) >= 2:
            model.add_at_most_one(variables)
            added += 1
    return added


# -- counts and sums -----------------------------------------------------------------


def weighted_sum_between(
    model: cp_model.CpModel,
    literals: Sequence[Literal],
    weights: Sequence[int],
    lower: int | None = None,
    upper: int | None = None,
) -> None:
    """``lower <= sum(w * l) <= upper`` (total minutes, or counts with unit weights).

    ``None`` leaves a side open; constants move into the bounds.
    """
    terms, coefs, fixed = [], [], 0
    for literal, weight in zip(literals, weights, strict=True):
        if _is_constant(literal):
            fixed += int(weight) * int(literal)
        elif weight:
            terms.append(literal)
            coefs.append(int(weight))
    expr = cp_model.LinearExpr.weighted_sum(terms, coefs)
    if lower is not None and upper is not None:
        model.add_linear_constraint(expr, lower - fixed, upper - fixed)
    elif lower is not None:
        model.add(expr >= lower - fixed)
    elif upper is not None:
        model.add(expr <= upper - fixed)


def max_count(model: cp_model.CpModel, literals: Sequence[Literal], limit: int) -> None:
    """At most ``limit`` of the literals hold (shifts of one type, nights in a window)."""
    weighted_sum_between(model, literals, [1] * len(literals), upper=limit)


# -- sequences over days -------------------------------------------------------------


def max_consecutive(
    model: cp_model.CpModel,
    works: Sequence[Literal],
    limit: int,
    *,
    gates: Sequence[Literal] | None = None,
) -> None:
    """No run of more than ``limit`` consecutive worked days.

    Every window of ``limit + 1`` days holds a day off. Days outside the sequence
    count as off; prepend the carry-in days (constants) to carry a run in.

    Parameters
    ----------
    works
        Per day: works that day.
    limit
        The longest run allowed.
    gates
        Per day, optional: the window rule holds only for windows with a gate day
        (the regional H7, "at most 7 consecutive shifts if a night is in the run",
        passes "works a night that day"). Without gates every window counts.
    """
    span = limit + 1
    for start in range(len(works) - span + 1):
        window = works[start : start + span]
        if any(w is False for w in window):
            continue
        clause = [negated(w) for w in window]
        if gates is None:
            add_clause(model, clause)
            continue
        for gate in gates[start : start + span]:
            if gate is False:
                continue
            if gate is True:
                add_clause(model, clause)
                break
            add_clause(model, [*clause, negated(gate)])


def min_consecutive(
    model: cp_model.CpModel,
    state: Sequence[Literal],
    minimum: int,
    *,
    exempt_start: bool = True,
    exempt_end: bool = True,
) -> None:
    """No run of fewer than ``minimum`` consecutive days in ``state``.

    Pass "works on day d" for minimum working runs, and the negations for minimum
    runs of days off. A run that starts on the first day is exempt when
    ``exempt_start`` (the days before are taken to continue it), and one that ends
    on the last day when ``exempt_end``; otherwise the days beyond the edge count
    as out of state.

    A run starting on day ``s`` (in state on ``s``, not on ``s - 1``) must still be
    in state on ``s + k`` for every ``k < minimum`` inside the sequence: the clause
    ``state[s-1] or not state[s] or state[s+k]``. Three literals each, so it
    propagates as soon as a run starts; a run that reaches the last day is exempt
    when ``exempt_end``, since then ``s + k`` lies beyond the sequence.
    """
    num_days = len(state)
    if minimum <= 1:
        return
    for s in range(num_days):
        before = state[s - 1] if s > 0 else bool(exempt_start)
        if before is True or state[s] is False:
            continue
        for k in range(1, minimum):
            if s + k < num_days:
                add_clause(model, [before, negated(state[s]), state[s + k]])
            elif not exempt_end:
                add_clause(model, [before, negated(state[s])])
                break


def max_groups_touched(
    model: cp_model.CpModel,
    works: Sequence[Literal],
    groups: Sequence[Sequence[int]],
    limit: int,
    name: str = "group",
) -> list[Literal]:
    """At most ``limit`` day groups hold a worked day (maximum weekends worked).

    Returns one literal per group that is true whenever a day of the group is
    worked (it may be true otherwise; only its upper use is constrained).
    """
    touched: list[Literal] = []
    for k, days in enumerate(groups):
        members = [works[d] for d in days if works[d] is not False]
        if any(m is True for m in members):
            touched.append(True)
            continue
        if not members:
            touched.append(False)
            continue
        group = model.new_bool_var(f"{name}[{k}]")
        for m in members:
            model.add_implication(m, group)
        touched.append(group)
    max_count(model, touched, limit)
    return touched


def forbidden_successions(
    model: cp_model.CpModel,
    day_shifts: Sequence[Mapping[object, Literal]],
    forbidden: Mapping[object, Iterable[object]],
) -> None:
    """A shift type ``s`` on day ``d`` is not followed by a type in ``forbidden[s]`` on ``d + 1``.

    Since at most one type is worked per day (`link_day`), the pairwise rule is
    written as ``x[d,s] + sum(x[d+1,t] for t in forbidden[s]) <= 1``: equal on
    integer points, stronger in the LP relaxation than one clause per pair.

    Parameters
    ----------
    day_shifts
        Per day: shift type -> literal (types that cannot be worked may be absent).
    forbidden
        Shift type -> the types that may not follow it the next day.
    """
    for d in range(len(day_shifts) - 1):
        today, tomorrow = day_shifts[d], day_shifts[d + 1]
        for s, first in today.items():
            if first is False:
                continue
            after = [
                tomorrow[t]
                for t in forbidden.get(s, ())
                if t in tomorrow and tomorrow[t] is not False
            ]
            if after:
                max_count(model, [first, *after], 1)


# -- soft rules ----------------------------------------------------------------------


@dataclass
class CoverPenalties(Penalties):
    """`Penalties` of one cover rule, with its two variables.

    Attributes
    ----------
    under, over
        People missing and people too many (integer variables); None when the
        cover is a constant.
    """

    under: cp_model.IntVar | None = None
    over: cp_model.IntVar | None = None


def soft_cover(
    model: cp_model.CpModel,
    literals: Sequence[Literal],
    requirement: int,
    weight_under: int,
    weight_over: int,
    name: str = "cover",
) -> CoverPenalties:
    """Cover ``requirement`` people with ``literals``; each missing one costs
    ``weight_under``, each extra one ``weight_over``.

    Adds integer ``under`` and ``over`` variables with
    ``sum(literals) + under - over == requirement``; at an optimum at most one of
    them is positive, and the penalty is ``weight_under * under + weight_over * over``.
    When every literal is a constant, the penalty is a constant and ``under`` and
    ``over`` are None: neighbourhood models fix most cover terms, and two variables
    and a constraint for each of them slowed their build by 10-40 %.
    """
    variables = [lit for lit in literals if not _is_constant(lit)]
    fixed = sum(1 for lit in literals if lit is True)
    need = requirement - fixed
    if not variables:
        penalties = CoverPenalties()
        penalties.add(max(need, 0), weight_under)
        penalties.add(max(-need, 0), weight_over)
        return penalties
    under = model.new_int_var(0, max(need, 0), f"{name}_under")
    over = model.new_int_var(0, max(len(variables) - need, 0), f"{name}_over")
    model.add(sum(variables) + under - over == need)
    penalties = CoverPenalties(under=under, over=over)
    penalties.add(under, weight_under)
    penalties.add(over, weight_over)
    return penalties


def shift_on_request(literal: Literal, weight: int) -> Penalties:
    """A wish to work: costs ``weight`` when ``literal`` is false."""
    penalties = Penalties()
    penalties.add(
        negated(literal) if not _is_constant(literal) else not literal, weight
    )
    return penalties


def shift_off_request(literal: Literal, weight: int) -> Penalties:
    """A wish not to work: costs ``weight`` when ``literal`` is true."""
    penalties = Penalties()
    penalties.add(literal, weight)
    return penalties


__all__ = [
    "CoverPenalties",
    "Literal",
    "Penalties",
    "add_clause",
    "at_most_one_cliques",
    "forbidden_successions",
    "link_day",
    "max_consecutive",
    "max_count",
    "max_groups_touched",
    "min_consecutive",
    "negated",
    "shift_off_request",
    "shift_on_request",
    "soft_cover",
    "weighted_sum_between",
]

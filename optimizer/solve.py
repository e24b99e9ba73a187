"""`solve`: the best legal roster of a region's open slots, checked by the evaluator.

The CP-SAT backend (`carecap.cpsat`) is warm-started from the greedy filler (or
from the previous roster when re-planning); the ``greedy`` backend returns the greedy
roster itself (the baseline). Every roster is re-checked by
`carecap.kernels.evaluate.evaluate_roster`; a hard-rule violation raises `RuntimeError`
naming the rules (a bug, never a result).

Input that cannot be rostered legally (a person whose fixed base roster and carry-in
already break a rule) is found before solving: those violations are the result's
*findings*, the people concerned get no new assignments, and the rest of the region
is solved.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._arguments import check_region, check_rule_ids, check_seed
from .compile import CompiledRegion, compile_region, without_consent
from .domain import Region
from .params import DECOMPOSE_PAIRS, SolveParams
from .roster import AGENCY, UNCOVERED

log = logging.getLogger("carecap")


class SolveStatus(enum.StrEnum):
    """Outcome of a solve.

    OPTIMAL: every level proven optimal (given the levels above it). FEASIBLE: a
    roster, not proven optimal. INFEASIBLE: the model has no solution (a bug: the
    slack makes it always feasible). TIME_LIMIT: no roster within the limits.
    UNKNOWN: no roster, for another reason.
    """

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    TIME_LIMIT = "TIME_LIMIT"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class LevelResult:
    """One priority level: value and bound in ``unit`` (bound conditional on the
    levels fixed above it), CP-SAT status and seconds."""

    name: str
    unit: str
    status: str
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        """Returns the absolute gap |objective - bound| (inf without a solution)."""
        return (
            abs(self.objective - self.bound)
            if math.isfinite(self.objective)
            else math.inf
        )

    @property
    def relative_gap(self) -> float | None:
        """Returns gap / |objective|, or None where the objective is ~0 (then the
        absolute gap is the measure)."""
        if not math.isfinite(self.objective) or abs(self.objective) <= 1e-9:
            return None
        return self.gap / abs(self.objective)


@dataclass(frozen=True)
class Move:
    """A slot that opened, or whose filler changed, in a re-planned roster (ids, never
    names).

    ``before`` and ``after`` are a staff id, ``'agency'`` or ``'uncovered'``; ``after``
    is who covers the slot now. ``change`` is ``'opened'`` for a slot the previous
    roster had no row for (a sick call freed it, or it is new; ``before`` is then
    empty) and ``'changed'`` otherwise. ``reason`` says why a slot left uncovered
    stays so (`carecap.kernels.capacity.UNCOVERED_REASONS`), and is empty otherwise.
    """

    shift_id: str
    level: str
    before: str
    after: str
    change: str = "changed"
    reason: str = ""


@dataclass(frozen=True, eq=False)
class Result:
    """What one solve found, and how.

    Attributes
    ----------
    status
        `SolveStatus`.
    levels
        Per priority level (one ``weighted`` entry in weighted mode).
    slot_assignee
        int64 per open slot: staff index, AGENCY or UNCOVERED (all UNCOVERED without
        a solution).
    evaluation
        The evaluator's verdict and KPIs of ``slot_assignee``.
    build_time, runtime
        Seconds to build the model (eligibility, greedy, CP-SAT model) and to solve.
    seed, params, solver_params
        The seed, the `SolveParams` and the CP-SAT parameters actually used.
    backend
        ``'cpsat'`` or ``'greedy'``.
    findings
        Violations of the input itself (fixed base roster and carry-in), found
        before solving; the people concerned got no new assignments.
    slot_reason
        int8 per slot: why it stays uncovered (`carecap.kernels.capacity.UNCOVERED_REASONS`;
        0 for filled slots).
    moves
        Re-planning: the slots that opened since the previous roster, and those
        whose assignee changed, in slot order.
    progress
        `ProgressEvent` per improving solution (seconds, level, objective, bound).
    model_size
        Variables, constraints and cliques of the CP-SAT model (monolithic strategy).
    """

    status: SolveStatus
    levels: tuple[LevelResult, ...]
    slot_assignee: np.ndarray
    evaluation: Any
    build_time: float
    runtime: float
    seed: int
    params: SolveParams
    solver_params: dict[str, Any] = field(default_factory=dict)
    backend: str = "cpsat"
    findings: tuple[Any, ...] = ()
    slot_reason: np.ndarray | None = None
    moves: tuple[Move, ...] | None = None
    progress: tuple[Any, ...] = ()
    model_size: dict[str, int] | None = None

    def __post_init__(self) -> None:
        if self.runtime < 0 or self.build_time < 0:
            raise ValueError("runtime < 0 not understood.")

    @property
    def objective(self) -> float:
        """Returns the first level's value (inf without a solution)."""
        return self.levels[0].objective if self.levels else math.inf

    @property
    def bound(self) -> float:
        """Returns the first level's bound."""
        return self.levels[0].bound if self.levels else -math.inf

    @property
    def gap(self) -> float:
        """Returns the first level's relative gap (absolute where the objective is ~0)."""
        if not self.levels or not math.isfinite(self.objective):
            return math.inf
        diff = abs(self.objective - self.bound)
        return diff / abs(self.objective) if abs(self.objective) > 1e-9 else diff

    @property
    def first_solution_seconds(self) -> float | None:
        """Returns the seconds to the first roster of the CP-SAT search (None if none)."""
        return self.progress[0].seconds if self.progress else None

    def reasons(self) -> list[str]:
        """Returns the reason name of each slot ('' where filled)."""
        from carecap.kernels.capacity import UNCOVERED_REASONS

        if self.slot_reason is None:
            return [""] * len(self.slot_assignee)
        return [UNCOVERED_REASONS[int(code)] for code in self.slot_reason]

    def reason_counts(self) -> dict[str, int]:
        """Returns the number of uncovered slots per reason."""
        counts: dict[str, int] = {}
        for name in self.reasons():
            if name:
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))

    def is_feasible(self) -> bool:
        """Returns whether a roster was found."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> dict[str, Any]:
        """Returns a JSON-ready summary: status, levels, KPIs, timings, seed, params."""
        return {
            "status": self.status.value,
            "backend": self.backend,
            "seed": self.seed,
            "levels": [
                {
                    "name": lv.name,
                    "unit": lv.unit,
                    "status": lv.status,
                    "objective": lv.objective,
                    "bound": lv.bound,
                    "bound_note": "conditional on the levels fixed above",
                    "absolute_gap": lv.gap,
                    "relative_gap": lv.relative_gap,
                    "seconds": lv.seconds,
                }
                for lv in self.levels
            ],
            "gap": self.gap,
            "timings": {
                "build_seconds": self.build_time,
                "solve_seconds": self.runtime,
                "level_seconds": {lv.name: lv.seconds for lv in self.levels},
            },
            "first_solution_seconds": self.first_solution_seconds,
            "model_size": self.model_size,
            "kpis": self.evaluation.summary(),
            "uncovered_reasons": self.reason_counts(),
            "findings": [
                {
                    "rule": v.rule,
                    "staff_id": v.staff,
                    "shifts": list(v.shifts),
                    "detail": v.detail,
                }
                for v in self.findings
            ],
            "moves": (
                None
                if self.moves is None
                else [
                    {
                        "shift_id": m.shift_id,
                        "level": m.level,
                        "before": m.before,
                        "after": m.after,
                        "change": m.change,
                        "reason": m.reason,
                    }
                    for m in self.moves
                ]
            ),
            "params": self.params.as_dict(),
            "solver_params": self.solver_params,
        }

    def __str__(self) -> str:
        kpis = self.evaluation.summary()
        lines = [
            f"status {self.status.value} ({self.backend}, seed {self.seed}), "
            f"build {self.build_time:.2f} s, solve {self.runtime:.2f} s",
        ]
        for lv in self.levels:
            lines.append(
                f"  {lv.name:<20} {_figure(lv.objective)}  bound "
                f"{_figure(lv.bound)}  [{lv.unit}] {lv.status} {lv.seconds:.2f} s"
            )
        lines.append(
            f"  slots {kpis['slots']}: filled {kpis['filled']}, agency {kpis['agency']} "
            f"({kpis['agency_cost']:.2f} EUR), uncovered {kpis['uncovered']} "
            f"({kpis['uncovered_hours']:g} h), violations {kpis['violations']}"
        )
        reasons = self.reason_counts()
        if reasons:
            lines.append(
                "  uncovered because: "
                + ", ".join(f"{name} {n}" for name, n in reasons.items())
            )
        if self.moves is not None:
            lines += _moves_lines(self.moves)
        if self.findings:
            people = len({v.staff for v in self.findings})
            lines.append(
                f"  FINDINGS: {len(self.findings)} violation(s) in the input's fixed "
                f"roster of {people} person(s); they got no new assignments:"
            )
            for v in self.findings:
                lines.append(
                    f"    {v.rule} {v.staff}: {', '.join(v.shifts)} ({v.detail})"
                )
        return "\n".join(lines)


def _figure(value: float) -> str:
    """Returns a level's value for the console, ``-`` where it has none (inf)."""
    return f"{value:>14.2f}" if math.isfinite(value) else f"{'-':>14}"


def _check(
    compiled: CompiledRegion,
    slot_assignee: np.ndarray,
    person_ok: np.ndarray,
    check: bool = True,
) -> Any:
    """Returns the evaluation of a roster; raises on a violation the input did not
    already have (people with findings must have no new assignments)."""
    from carecap.kernels.evaluate import evaluate_roster

    evaluation = evaluate_roster(compiled, slot_assignee)
    if not check:
        return evaluation
    new_people = slot_assignee[slot_assignee >= 0]
    if not person_ok[new_people].all():
        raise RuntimeError("a person with findings got a new assignment: this is a bug")
    own = person_ok[evaluation.violation_staff] | (evaluation.violation_staff < 0)
    if own.any():
        bad = [v for v, mine in zip(evaluation.violations, own, strict=True) if mine]
        rules = sorted({v.rule for v in bad})
        raise RuntimeError(
            f"solver roster breaks hard rule(s) {', '.join(rules)}: this is a bug "
            f"({len(bad)} violation(s); first: {bad[0].rule} {bad[0].detail})"
        )
    return evaluation


def _findings(compiled: CompiledRegion) -> tuple[tuple[Any, ...], np.ndarray]:
    """Returns the input's own violations (no new assignments) and, per person,
    whether they are free of them."""
    from carecap.kernels.evaluate import evaluate_roster

    nothing = np.full(compiled.arrays.slot_shift.shape[0], UNCOVERED, dtype=np.int64)
    evaluation = evaluate_roster(compiled, nothing)
    person_ok = np.ones(compiled.arrays.staff_level.shape[0], dtype=np.bool_)
    person_ok[evaluation.violation_staff[evaluation.violation_staff >= 0]] = False
    return evaluation.violations, person_ok


def _label(compiled: CompiledRegion, who: int) -> str:
    if who >= 0:
        return compiled.staff_ids[who]
    return "agency" if who == AGENCY else "uncovered"


def _moves(
    compiled: CompiledRegion,
    previous: np.ndarray,
    roster: np.ndarray,
    reasons: np.ndarray,
    opened: np.ndarray | None,
) -> tuple[Move, ...]:
    """Returns the slots that opened or whose assignee changed, with who covers them
    now and, where nobody does, why."""
    from carecap.kernels.capacity import UNCOVERED_REASONS

    slots = compiled.region.open_slots
    if opened is None:
        opened = np.zeros(len(slots), dtype=np.bool_)
    moves = []
    for k in np.flatnonzero((previous != roster) | opened):
        now = int(roster[k])
        moves.append(
            Move(
                shift_id=slots[k].shift,
                level=slots[k].level.value,
                before="" if opened[k] else _label(compiled, int(previous[k])),
                after=_label(compiled, now),
                change="opened" if opened[k] else "changed",
                reason=UNCOVERED_REASONS[int(reasons[k])] if now == UNCOVERED else "",
            )
        )
    return tuple(moves)


MAX_LISTED_MOVES = 20
"""Moves listed in `Result`'s text (all are in ``moves`` and moves.csv)."""


def _moves_lines(moves: tuple[Move, ...]) -> list[str]:
    """Returns the re-planning lines of `Result`'s text: opened slots first."""
    opened = [m for m in moves if m.change == "opened"]
    changed = [m for m in moves if m.change != "opened"]
    lines = [
        f"  re-planning: {len(opened)} slot(s) opened, {len(changed)} previous "
        "assignment(s) changed; who covers them now:"
    ]
    for m in (opened + changed)[:MAX_LISTED_MOVES]:
        was = "opened" if m.change == "opened" else f"was {m.before}"
        why = f" ({m.reason})" if m.reason else ""
        lines.append(f"    {m.shift_id} {m.level}: {was}, now {m.after}{why}")
    if len(moves) > MAX_LISTED_MOVES:
        lines.append(f"    ... and {len(moves) - MAX_LISTED_MOVES} more (moves.csv)")
    return lines


def solve(
    region: Region | CompiledRegion,
    params: SolveParams | None = None,
    *,
    seed: int,
    backend: Literal["cpsat", "greedy"] = "cpsat",
    previous: np.ndarray | None = None,
    opened: np.ndarray | None = None,
    pins: np.ndarray | None = None,
    minimal_change: bool = False,
    skip_rules: Iterable[str] = (),
    check: bool = True,
) -> Result:
    """Returns the best legal roster found for a region's open slots.

    Parameters
    ----------
    region
        A `Region` or an already compiled region.
    params
        Solve controls (`SolveParams()` when omitted).
    seed
        CP-SAT random seed (never implicit).
    backend
        ``'cpsat'`` (default) or ``'greedy'`` (the baseline filler).
    previous
        Re-planning: the previous roster as ``slot_assignee`` on this region's open
        slots (`carecap.roster.read_previous_roster` reads it from a roster file).
        The result lists the `Move` of every previous assignment that changed.
    opened
        With ``previous``: bool per open slot, True where the previous roster had
        no row for it (`carecap.roster.opened_slots`); each such slot gets a
        `Move` saying who covers it now.
    pins
        ``slot_assignee`` of assignments that must be kept (staff index or AGENCY,
        `carecap.cpsat.variables.NOT_PINNED` elsewhere); each must be eligible.
    minimal_change
        With ``previous``: optimise the ``changes`` level right after ``uncovered``
        (unless ``params.levels`` says otherwise).
    skip_rules
        Tests only: rule ids whose constraint families are left out of the model.
    check
        Raise `RuntimeError` when the evaluator finds a violation (tests that skip
        rules turn this off to look at the violations).

    Raises
    ------
    TypeError
        If ``region`` is not a `Region` or `CompiledRegion` (a path, a dict),
        ``params`` not a `SolveParams`, ``seed`` not an int, or ``skip_rules`` a
        single string.
    ValueError
        On an unknown backend, a seed outside 0 to 2**31 - 1, an unknown rule id,
        arrays of the wrong shape, pins with the greedy backend, or a pinned pair
        that is not eligible.
    RuntimeError
        When the returned roster breaks a hard rule (a bug).
    """
    seed, skip_rules = _checked_arguments(region, params, seed, skip_rules)
    if backend not in ("cpsat", "greedy"):
        raise ValueError(
            f"backend {backend!r} not understood; use one of cpsat, greedy"
        )
    params = SolveParams() if params is None else params
    from carecap.kernels.capacity import uncovered_reasons
    from carecap.kernels.eligibility import eligibility
    from carecap.kernels.greedy import GreedyFiller

    started = time.perf_counter()
    compiled = region if isinstance(region, CompiledRegion) else compile_region(region)
    arrays = compiled.arrays
    num_slots = arrays.slot_shift.shape[0]
    for name, given in (("previous", previous), ("opened", opened), ("pins", pins)):
        if given is not None and np.shape(given) != (num_slots,):
            raise ValueError(f"{name} must have one entry per open slot ({num_slots})")
    if pins is not None and backend == "greedy":
        raise ValueError("pins need the cpsat backend")
    findings, person_ok = _findings(compiled)
    skip_rules = frozenset(skip_rules)
    if skip_rules & set(_RELAXATIONS):
        arrays = _relaxed(arrays, skip_rules)
    graph = eligibility(arrays)
    filler = GreedyFiller(arrays, graph)
    filler.person_ok &= person_ok
    greedy = filler.fill()

    if backend == "greedy":
        build = time.perf_counter() - started
        evaluation = _check(compiled, greedy, person_ok, check)
        reason = uncovered_reasons(arrays, graph, greedy, person_ok)
        return Result(
            status=SolveStatus.FEASIBLE,
            levels=(),
            slot_assignee=greedy,
            evaluation=evaluation,
            build_time=build,
            runtime=0.0,
            seed=seed,
            params=params,
            backend="greedy",
            findings=findings,
            slot_reason=reason,
            moves=(
                None
                if previous is None
                else _moves(compiled, previous, greedy, reason, opened)
            ),
        )

    from .cpsat import CpSatModel
    from .cpsat.objective import LEVEL_UNITS, LEVELS, REPLANNING_LEVEL

    levels = params.levels
    if not levels:
        levels = LEVELS
        if previous is not None and minimal_change:
            levels = (LEVELS[0], REPLANNING_LEVEL, *LEVELS[1:])
    if pins is not None:
        _check_pins(compiled, graph, pins, filler.person_ok)
    by_week = params.strategy == "by_week" or (
        params.strategy == "auto"
        and arrays.num_weeks > 1
        and graph.num_pairs >= DECOMPOSE_PAIRS
    )
    if by_week and (
        previous is not None or pins is not None or params.anw_balance_hours is not None
    ):
        raise ValueError(
            "re-planning, pins and the ANW balance rule need the monolithic strategy"
        )
    if by_week:
        from .cpsat.decompose import solve_by_week

        build = time.perf_counter() - started
        solve_started = time.perf_counter()
        model_size = None
        roster, outcomes, used, events, week_builds = solve_by_week(
            arrays, graph, filler.person_ok, levels, params, seed, greedy
        )
        runtime = time.perf_counter() - solve_started - week_builds
        build += week_builds
    else:
        log.info(
            "building the CP-SAT model: %d open slot(s), %d eligible pair(s)",
            num_slots,
            graph.num_pairs,
        )
        model = CpSatModel(
            arrays,
            graph,
            filler.person_ok,
            levels,
            previous=previous,
            pins=pins,
            skip=skip_rules,
            anw_balance_minutes=_balance_minutes(params),
        )
        build = time.perf_counter() - started
        log.info(
            "model built in %.2f s: %d assignment variable(s), %d clique(s)",
            build,
            len(model.variables.x),
            model.constraints.num_cliques,
        )
        hint = greedy
        if previous is not None:
            kept = _keep_legal(compiled, model, previous, person_ok)
            if kept is not None:
                hint = kept
        solve_started = time.perf_counter()
        roster, outcomes, used, events = model.solve(params, seed, hint=hint)
        runtime = time.perf_counter() - solve_started
        model_size = {
            "assignment_variables": len(model.variables.x),
            "variables": len(model.model.proto.variables),
            "constraints": len(model.model.proto.constraints),
            "cliques": model.constraints.num_cliques,
        }

    levels_out = tuple(
        LevelResult(
            name=o.name,
            unit=LEVEL_UNITS.get(o.name.split(":")[-1], "EUR-weighted"),
            status=o.status,
            objective=o.objective,
            bound=o.bound,
            seconds=o.seconds,
        )
        for o in outcomes
    )
    if roster is None:
        statuses = {o.status for o in outcomes}
        if "INFEASIBLE" in statuses or "MODEL_INVALID" in statuses:
            status = SolveStatus.INFEASIBLE
            roster = np.full(num_slots, UNCOVERED, dtype=np.int64)
        elif outcomes and all(o.status == "OPTIMAL" for o in outcomes):
            # Every level is a constant: nobody and no agency can take any slot
            # (no open slots at all, say), so there was nothing to search for.
            if num_slots == 0:
                log.warning("the region has no open slots: there is nothing to roster")
            else:
                log.warning(
                    "no open slot can be filled (no eligible person, no agency "
                    "supply): every slot stays uncovered"
                )
            status = SolveStatus.OPTIMAL
            roster = greedy
        elif pins is not None:  # the greedy roster does not know the pins
            status = SolveStatus.TIME_LIMIT
            roster = np.full(num_slots, UNCOVERED, dtype=np.int64)
        else:
            # No level found a roster in its time: the greedy warm start is legal.
            log.warning("no CP-SAT roster within the limits: the greedy roster is kept")
            status = SolveStatus.FEASIBLE
            roster = greedy
    else:
        proven = all(o.status == "OPTIMAL" for o in outcomes)
        status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    evaluation = _check(compiled, roster, person_ok, check)
    if check and params.anw_balance_hours is not None:
        _check_anw_balance(arrays, roster, filler.person_ok, graph, params)
    reason = uncovered_reasons(arrays, graph, roster, person_ok)
    return Result(
        status=status,
        levels=levels_out,
        slot_assignee=roster,
        evaluation=evaluation,
        build_time=build,
        runtime=runtime,
        seed=seed,
        params=params,
        solver_params=used,
        backend="cpsat",
        findings=findings,
        slot_reason=reason,
        moves=(
            None
            if previous is None
            else _moves(compiled, previous, roster, reason, opened)
        ),
        progress=tuple(events),
        model_size=model_size,
    )


_NO_LIMIT = 10**9

_RELAXATIONS = {
    "H4": lambda a: {"rules": a.rules._replace(min_rest_minutes=0)},
    "H5": lambda a: {"rules": a.rules._replace(rest_after_night_minutes=0)},
    "H2": lambda a: {
        "rules": a.rules._replace(max_shift_minutes=_NO_LIMIT),
        "shift_max_minutes": np.full_like(a.shift_max_minutes, _NO_LIMIT),
    },
    "H3": lambda a: {"rules": a.rules._replace(max_night_shift_minutes=_NO_LIMIT)},
    "H12": lambda a: {"staff_night_allowed": np.ones_like(a.staff_night_allowed)},
    "H13": lambda a: {
        "staff_level": np.full_like(a.staff_level, len(a.wage_per_level) - 1),
        "staff_competences": np.full_like(a.staff_competences, (1 << 62) - 1),
        "slot_exact_level": np.zeros_like(a.slot_exact_level),
    },
    "H14": lambda a: {
        "inducted_ptr": np.arange(len(a.staff_level) + 1, dtype=np.int64)
        * len(a.location_lat),
        "inducted_location": np.tile(
            np.arange(len(a.location_lat), dtype=np.int64), len(a.staff_level)
        ),
    },
    "H15": lambda a: {
        "unavailable_ptr": np.zeros_like(a.unavailable_ptr),
        "unavailable_start": a.unavailable_start[:0],
        "unavailable_end": a.unavailable_end[:0],
        "staff_max_travel_km": np.full_like(a.staff_max_travel_km, np.inf),
        "staff_sick_days": np.zeros_like(a.staff_sick_days),
    },
    "H18": lambda a: {
        "staff_irregular_allowed": np.ones_like(a.staff_irregular_allowed)
    },
    "CONSENT": lambda a: {
        name: getattr(without_consent(a), name)
        for name in ("staff_offers_shifts", "staff_consent_minutes")
    },
}
"""Tests only: rules the eligibility graph (and for H4/H5 the conflict cliques)
enforces, and how to lift each from the arrays the model is built from; the
evaluator still checks the region as it is."""


def _checked_arguments(
    region: Any, params: Any, seed: Any, skip_rules: Any
) -> tuple[int, frozenset[str]]:
    """Checks `solve`'s arguments whose misuse would fail deep inside (issue 28)."""
    check_region(region, compiled=True)
    if params is not None and not isinstance(params, SolveParams):
        raise TypeError(
            f"params must be a SolveParams, got {type(params).__name__}; "
            "use SolveParams(time_limit=..., ...)"
        )
    return check_seed(seed), check_rule_ids(skip_rules)


def _relaxed(arrays: Any, skip_rules: frozenset[str]) -> Any:
    for rule in sorted(skip_rules & set(_RELAXATIONS)):
        arrays = arrays._replace(**_RELAXATIONS[rule](arrays))
    return arrays


def _balance_minutes(params: SolveParams) -> int | None:
    if params.anw_balance_hours is None:
        return None
    return math.floor(params.anw_balance_hours * 60)


def _check_anw_balance(
    arrays: Any,
    roster: np.ndarray,
    person_ok: np.ndarray,
    graph: Any,
    params: SolveParams,
) -> None:
    """Raises RuntimeError when a roster breaks the ANW balance rule (a bug): the
    same measure as the model's, recomputed from the roster."""
    from .cpsat.objective import anw_share, new_anw_excess

    candidates = np.zeros(len(person_ok), dtype=bool)
    candidates[graph.staff_idx] = True
    candidates &= person_ok
    pool = candidates & (arrays.staff_employment == 1)
    employees = candidates & (arrays.staff_employment != 1)
    if not pool.any() or not employees.any():
        return
    excess = new_anw_excess(arrays, roster)
    _, scale = anw_share(arrays)
    gap = abs(excess[employees].mean() - excess[pool].mean()) / scale
    if gap > _balance_minutes(params) + 1e-6:
        raise RuntimeError(
            f"roster breaks the ANW balance rule: {gap / 60:.2f} h between the "
            f"employment types, limit {params.anw_balance_hours:g} h; this is a bug"
        )


def _rules_broken_alone(compiled: CompiledRegion, slot: int, who: int) -> str:
    """Returns " (rules ...)": what the person breaks taking the slot alone, if any."""
    from carecap.kernels.evaluate import evaluate_roster

    alone = np.full(compiled.arrays.slot_shift.shape[0], UNCOVERED, dtype=np.int64)
    alone[slot] = who
    staff_id = compiled.staff_ids[who]
    rules = sorted(
        {
            v.rule
            for v in evaluate_roster(compiled, alone).violations
            if v.staff == staff_id
        }
    )
    return f" (breaks {', '.join(rules)})" if rules else ""


def _check_pins(
    compiled: CompiledRegion, graph: Any, pins: np.ndarray, person_ok: np.ndarray
) -> None:
    """Raises ValueError, one line per problem, for pins the model cannot honour: a
    person not eligible for the slot or with findings, agency without supply or on a
    shift that breaks a length rule, or pinned assignments that together break a
    rule."""
    from carecap.kernels.eligibility import length_rule_breaks
    from carecap.kernels.evaluate import evaluate_roster

    from .cpsat.variables import NOT_PINNED

    arrays = compiled.arrays
    slots = compiled.region.open_slots
    too_long = length_rule_breaks(arrays)
    problems = []
    for slot in np.flatnonzero(pins != NOT_PINNED):
        who = int(pins[slot])
        shift_id = slots[slot].shift
        if who >= 0:
            lo, hi = graph.slot_ptr[slot], graph.slot_ptr[slot + 1]
            if not person_ok[who]:
                problems.append(
                    f"{compiled.staff_ids[who]} on {shift_id}: the person's fixed "
                    "roster has findings, so they get no new assignments"
                )
            elif who not in graph.staff_idx[lo:hi]:
                problems.append(
                    f"{compiled.staff_ids[who]} on {shift_id}: not eligible for the "
                    f"open {slots[slot].level.value} slot"
                    + _rules_broken_alone(compiled, slot, who)
                )
        elif who == AGENCY:
            shift = arrays.slot_shift[slot]
            day, level = arrays.shift_day[shift], arrays.slot_level[slot]
            if too_long[shift]:
                problems.append(
                    f"agency on {shift_id}: the shift's length breaks a working-time "
                    "rule (H2 or H3), which binds agency workers too"
                )
            elif arrays.agency_supply[day, level] <= 0:
                problems.append(f"agency on {shift_id}: no agency supply that day")
        else:
            problems.append(f"slot {slot} ({shift_id}): pin value {who} not understood")
    if not problems:
        pinned = np.where(pins == NOT_PINNED, UNCOVERED, pins).astype(np.int64)
        for violation in evaluate_roster(compiled, pinned).violations:
            if (
                violation.staff is None
                or person_ok[compiled.staff_index[violation.staff]]
            ):
                problems.append(
                    f"pinned assignments break {violation.rule}"
                    + (f" for {violation.staff}" if violation.staff else "")
                    + f": {', '.join(violation.shifts)} ({violation.detail})"
                )
    if problems:
        raise ValueError("\n".join(problems))


def _keep_legal(
    compiled: CompiledRegion, model: Any, previous: np.ndarray, person_ok: np.ndarray
) -> np.ndarray | None:
    """Returns the previous roster without assignments the model cannot take, if the
    rest is legal (a warm start close to it); None otherwise."""
    from carecap.kernels.evaluate import evaluate_roster

    kept = np.array(previous, dtype=np.int64, copy=True)
    for slot, who in enumerate(kept):
        takeable = (
            model.variables.pair(int(who), slot) is not None
            if who >= 0
            else who != AGENCY or slot in model.variables.agency
        )
        if not takeable:
            kept[slot] = UNCOVERED
    evaluation = evaluate_roster(compiled, kept)
    own = person_ok[evaluation.violation_staff] | (evaluation.violation_staff < 0)
    return None if own.any() else kept


__all__ = ["LevelResult", "Move", "Result", "SolveStatus", "solve"]

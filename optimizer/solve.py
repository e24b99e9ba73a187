"""`solve`: the best legal roster of a region's open slots, checked by the evaluator.

The CP-SAT backend (`optimizer.cpsat`) is warm-started from the greedy filler; the
``greedy`` backend returns the greedy roster itself (the baseline). Every roster
is re-checked by `kernels.evaluate.evaluate_roster`; a hard-rule violation raises
`RuntimeError` naming the rules (a bug, never a result).
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

from .compile import CompiledRegion, compile_region
from .domain import Region
from .params import SolveParams
from .roster import UNCOVERED

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
            "kpis": self.evaluation.summary(),
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
                f"  {lv.name:<20} {lv.objective:>14.2f}  bound {lv.bound:>14.2f}  "
                f"[{lv.unit}] {lv.status} {lv.seconds:.2f} s"
            )
        lines.append(
            f"  slots {kpis['slots']}: filled {kpis['filled']}, agency {kpis['agency']} "
            f"({kpis['agency_cost']:.2f} EUR), uncovered {kpis['uncovered']} "
            f"({kpis['uncovered_hours']:g} h), violations {kpis['violations']}"
        )
        return "\n".join(lines)


def _check(compiled: CompiledRegion, slot_assignee: np.ndarray) -> Any:
    from kernels.evaluate import evaluate_roster

    evaluation = evaluate_roster(compiled, slot_assignee)
    if not evaluation.is_clean():
        rules = sorted({v.rule for v in evaluation.violations})
        raise RuntimeError(
            f"solver roster breaks hard rule(s) {', '.join(rules)}: this is a bug "
            f"({len(evaluation.violations)} violation(s); first: "
            f"{evaluation.violations[0].rule} {evaluation.violations[0].detail})"
        )
    return evaluation


def solve(
    region: Region | CompiledRegion,
    params: SolveParams | None = None,
    *,
    seed: int,
    backend: Literal["cpsat", "greedy"] = "cpsat",
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
    skip_rules
        Tests only: rule ids whose constraint families are left out of the model.
    check
        Raise `RuntimeError` when the evaluator finds a violation (tests that skip
        rules turn this off to look at the violations).

    Raises
    ------
    ValueError
        On an unknown backend.
    RuntimeError
        When the returned roster breaks a hard rule (a bug).
    """
    if backend not in ("cpsat", "greedy"):
        raise ValueError(
            f"backend {backend!r} not understood; use one of cpsat, greedy"
        )
    params = SolveParams() if params is None else params
    from kernels.eligibility import eligibility
    from kernels.greedy import GreedyFiller

    started = time.perf_counter()
    compiled = region if isinstance(region, CompiledRegion) else compile_region(region)
    arrays = compiled.arrays
    graph = eligibility(arrays)
    filler = GreedyFiller(arrays, graph)
    greedy = filler.fill()

    if backend == "greedy":
        build = time.perf_counter() - started
        evaluation = _check(compiled, greedy) if check else None
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
        )

    from .cpsat import CpSatModel
    from .cpsat.objective import LEVEL_UNITS

    model = CpSatModel(arrays, graph, filler.person_ok, skip=skip_rules)
    build = time.perf_counter() - started
    log.info(
        "model built in %.2f s: %d assignment variable(s), %d clique(s)",
        build,
        len(model.variables.x),
        model.constraints.num_cliques,
    )
    solve_started = time.perf_counter()
    roster, outcomes, used = model.solve(params, seed, hint=greedy)
    runtime = time.perf_counter() - solve_started

    levels = tuple(
        LevelResult(
            name=o.name,
            unit=LEVEL_UNITS.get(o.name, "EUR-weighted"),
            status=o.status,
            objective=o.objective,
            bound=o.bound,
            seconds=o.seconds,
        )
        for o in outcomes
    )
    if roster is None:
        statuses = {o.status for o in outcomes}
        status = (
            SolveStatus.INFEASIBLE
            if "INFEASIBLE" in statuses or "MODEL_INVALID" in statuses
            else SolveStatus.TIME_LIMIT
        )
        roster = np.full(graph.num_slots, UNCOVERED, dtype=np.int64)
        evaluation = _check(compiled, roster) if check else None
    else:
        proven = all(o.status == "OPTIMAL" for o in outcomes)
        status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
        if check:
            evaluation = _check(compiled, roster)
        else:
            from kernels.evaluate import evaluate_roster

            evaluation = evaluate_roster(compiled, roster)
    return Result(
        status=status,
        levels=levels,
        slot_assignee=roster,
        evaluation=evaluation,
        build_time=build,
        runtime=runtime,
        seed=seed,
        params=params,
        solver_params=used,
        backend="cpsat",
    )


__all__ = ["LevelResult", "Result", "SolveStatus", "solve"]

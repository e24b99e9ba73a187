"""Solver controls: `SolveParams`, a frozen, validated set of knobs for `solve`.

Every field has a safe default, so ``SolveParams()`` solves the bundled example to
optimality in seconds. Bad values are rejected with "<field> < 0 not understood."
style messages.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

MODES = ("lexicographic", "weighted")
STRATEGIES = ("auto", "monolithic", "by_week")
"""How the model is built: one model of the whole horizon, week by week (large
multi-week regions), or ``auto``: by week from `DECOMPOSE_PAIRS` eligible pairs on."""

DECOMPOSE_PAIRS = 100_000
"""``auto`` solves week by week from this many eligible pairs (and two weeks) on."""
"""Objective modes: successive solves per priority level, or one weighted solve."""


@dataclass(frozen=True)
class SolveParams:
    """Controls of one solve.

    Attributes
    ----------
    time_limit
        Seconds for the whole solve (all priority levels together). With
        ``deterministic`` it is CP-SAT's deterministic time instead of wall-clock.
    workers
        CP-SAT search workers (``num_workers``).
    relative_gap
        CP-SAT ``relative_gap_limit`` of each solve (0 proves optimality).
    mode
        ``'lexicographic'`` (default) or ``'weighted'`` (one solve, domain §7.5 weights).
    level_tolerance
        Lexicographic mode: relative slack with which each level's value is fixed
        before the next level is optimised (0 = keep the level's best value).
    deterministic
        Use ``max_deterministic_time`` instead of wall-clock and interleaved search,
        so that the same input and seed give the same roster every time.
    log_progress
        Log every improving solution (objective, bound, gap per level; numbers only)
        to the ``carecap`` logger at INFO, and CP-SAT's own log at DEBUG.
    strategy
        ``'auto'`` (default), ``'monolithic'`` or ``'by_week'`` (`STRATEGIES`).
    anw_balance_hours
        ANW policy as a hard rule: the mean *ANW excess* of new assignments per
        candidate (ANW hours minus the region's ANW share of the hours) of flex-pool
        members and of employees working extra hours differ by at most this many
        hours. None (default) leaves it to the fairness level. Assigning nothing
        meets it, so the model stays feasible.
    levels
        The priority levels in order (`carecap.cpsat.objective.ALL_LEVELS`);
        empty for the default order (with ``changes`` after ``uncovered`` when
        re-planning with minimal change). Levels left out are not optimised.
    """

    time_limit: float = 30.0
    workers: int = 2
    relative_gap: float = 0.0
    mode: Literal["lexicographic", "weighted"] = "lexicographic"
    level_tolerance: float = 0.0
    deterministic: bool = False
    log_progress: bool = False
    levels: tuple[str, ...] = ()
    strategy: Literal["auto", "monolithic", "by_week"] = "auto"
    anw_balance_hours: float | None = None

    def __post_init__(self) -> None:
        from .cpsat.objective import ALL_LEVELS

        if isinstance(self.levels, str) or not isinstance(self.levels, tuple | list):
            raise TypeError("levels must be a tuple of level names.")
        object.__setattr__(self, "levels", tuple(self.levels))
        unknown = [name for name in self.levels if name not in ALL_LEVELS]
        if unknown:
            raise ValueError(
                f"level(s) {', '.join(map(repr, unknown))} not understood; use "
                f"{', '.join(ALL_LEVELS)}."
            )
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels: each level at most once.")
        for name in ("time_limit", "relative_gap", "level_tolerance"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
            if math.isnan(value):
                raise ValueError(f"{name} = nan not understood.")
            if value < 0:
                raise ValueError(f"{name} < 0 not understood.")
        if self.time_limit == 0 or math.isinf(self.time_limit):
            raise ValueError("time_limit must be positive and finite.")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int):
            raise TypeError(
                f"workers must be an int, got {type(self.workers).__name__}."
            )
        if self.workers < 0:
            raise ValueError("workers < 0 not understood.")
        if self.workers == 0:
            raise ValueError("workers = 0 not understood; use 1 or more.")
        if self.relative_gap >= 1:
            raise ValueError("relative_gap >= 1 not understood.")
        if self.anw_balance_hours is not None and (
            isinstance(self.anw_balance_hours, bool)
            or not isinstance(self.anw_balance_hours, int | float)
            or not 0 <= self.anw_balance_hours < math.inf
        ):
            raise ValueError(
                f"anw_balance_hours = {self.anw_balance_hours!r} not understood; "
                "use a number of hours >= 0."
            )
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy {self.strategy!r} not understood; use one of "
                f"{', '.join(STRATEGIES)}."
            )
        if self.mode not in MODES:
            raise ValueError(
                f"mode {self.mode!r} not understood; use one of {', '.join(MODES)}."
            )

    def as_dict(self) -> dict[str, Any]:
        """Returns the parameters as a JSON-ready dict."""
        return asdict(self)


__all__ = ["DECOMPOSE_PAIRS", "MODES", "STRATEGIES", "SolveParams"]

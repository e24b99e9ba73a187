"""Independent evaluator of Curtois & Qu benchmark rosters.

Written from the rule list of ``FORMAT.md`` in plain NumPy, without the CP-SAT model
or its rule library, so a bug in one is caught by the other: `carecap.nrp.solve_nrp`
checks every roster it returns here and raises when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .nrp import OFF, NrpInstance


@dataclass(frozen=True)
class NrpEvaluation:
    """The evaluator's verdict on one roster.

    Attributes
    ----------
    violations
        One line per broken hard rule, naming the rule, the employee and the day(s).
    on_request_penalty, off_request_penalty, under_cover_penalty, over_cover_penalty
        The terms of the benchmark penalty.
    """

    violations: list[str] = field(default_factory=list)
    on_request_penalty: int = 0
    off_request_penalty: int = 0
    under_cover_penalty: int = 0
    over_cover_penalty: int = 0

    @property
    def objective(self) -> int:
        """Returns the benchmark penalty (the sum of the four terms)."""
        return (
            self.on_request_penalty
            + self.off_request_penalty
            + self.under_cover_penalty
            + self.over_cover_penalty
        )

    @property
    def is_feasible(self) -> bool:
        """Returns whether every hard rule holds."""
        return not self.violations


def worked_from_assignment(instance: NrpInstance, assignment: np.ndarray) -> np.ndarray:
    """Returns worked[e, d, s] (bool) of ``assignment[e, d]`` (type index or `OFF`)."""
    assignment = np.asarray(assignment)
    types = np.arange(instance.num_shift_types)
    return (assignment[:, :, None] == types[None, None, :]) & (
        assignment[:, :, None] != OFF
    )


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """Returns (first day, length) of every maximal run of True in a bool row."""
    padded = np.concatenate(([False], row, [False])).astype(np.int8)
    change = np.diff(padded)
    starts = np.flatnonzero(change == 1)
    ends = np.flatnonzero(change == -1)
    return [(int(s), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def evaluate(instance: NrpInstance, worked: np.ndarray) -> NrpEvaluation:
    """Checks every hard rule of the benchmark and computes its penalty.

    Parameters
    ----------
    instance
        The instance.
    worked
        worked[e, d, s]: employee ``e`` works type ``s`` on day ``d``, shape
        (employees, days, shift types).

    Returns
    -------
    NrpEvaluation
        Violations (empty when legal) and the penalty terms.
    """
    worked = np.asarray(worked, dtype=bool)
    expected = (instance.num_employees, instance.num_days, instance.num_shift_types)
    if worked.shape != expected:
        raise ValueError(f"worked has shape {worked.shape}, expected {expected}")
    emp, sid = instance.employee_ids, instance.shift_ids
    num_days = instance.num_days
    violations: list[str] = []
    per_day = worked.sum(axis=2)
    works = per_day > 0

    # 1. One shift per day.
    for e, d in zip(*np.nonzero(per_day > 1), strict=True):
        violations.append(
            f"one shift per day: {emp[e]} works {per_day[e, d]} on day {d}"
        )
    # 2. Forbidden successions (never across the horizon edge).
    for s, t in zip(*np.nonzero(instance.forbidden_next), strict=True):
        both = worked[:, :-1, s] & worked[:, 1:, t]
        for e, d in zip(*np.nonzero(both), strict=True):
            violations.append(
                f"succession: {emp[e]} works {sid[s]} on day {d} and {sid[t]} on day {d + 1}"
            )
    # 3. Maximum shifts per type.
    counts = worked.sum(axis=1)
    for e, s in zip(*np.nonzero(counts > instance.max_shifts), strict=True):
        violations.append(
            f"max shifts: {emp[e]} works {counts[e, s]} x {sid[s]} "
            f"> {instance.max_shifts[e, s]}"
        )
    # 4. Total minutes.
    minutes = counts @ instance.shift_minutes
    for e in range(instance.num_employees):
        if (
            not instance.min_total_minutes[e]
            <= minutes[e]
            <= instance.max_total_minutes[e]
        ):
            violations.append(
                f"total minutes: {emp[e]} works {minutes[e]}, outside "
                f"{instance.min_total_minutes[e]}..{instance.max_total_minutes[e]}"
            )
    for e in range(instance.num_employees):
        # 5, 6. Runs of worked days.
        for first, length in _runs(works[e]):
            last = first + length - 1
            if length > instance.max_consecutive_shifts[e]:
                violations.append(
                    f"max consecutive: {emp[e]} works days {first}..{last} "
                    f"({length} > {instance.max_consecutive_shifts[e]})"
                )
            inside = first > 0 and last < num_days - 1
            if inside and length < instance.min_consecutive_shifts[e]:
                violations.append(
                    f"min consecutive: {emp[e]} works days {first}..{last} "
                    f"({length} < {instance.min_consecutive_shifts[e]})"
                )
        # 7. Runs of days off.
        for first, length in _runs(~works[e]):
            last = first + length - 1
            inside = first > 0 and last < num_days - 1
            if inside and length < instance.min_consecutive_days_off[e]:
                violations.append(
                    f"min days off: {emp[e]} is off days {first}..{last} "
                    f"({length} < {instance.min_consecutive_days_off[e]})"
                )
        # 8. Weekends.
        weekends = sum(
            1
            for saturday in range(5, num_days, 7)
            if works[e, saturday : saturday + 2].any()
        )
        if weekends > instance.max_weekends[e]:
            violations.append(
                f"max weekends: {emp[e]} works {weekends} weekends "
                f"> {instance.max_weekends[e]}"
            )
    # 9. Days off.
    for e, d in zip(*np.nonzero(works & instance.day_off), strict=True):
        violations.append(f"day off: {emp[e]} works on day off {d}")

    on = sum(
        r.weight for r in instance.on_requests if not worked[r.employee, r.day, r.shift]
    )
    off = sum(
        r.weight for r in instance.off_requests if worked[r.employee, r.day, r.shift]
    )
    staffed = worked.sum(axis=0)  # (days, types)
    under = np.maximum(instance.cover_requirement - staffed, 0)
    over = np.maximum(staffed - instance.cover_requirement, 0)
    return NrpEvaluation(
        violations=violations,
        on_request_penalty=int(on),
        off_request_penalty=int(off),
        under_cover_penalty=int((instance.cover_weight_under * under).sum()),
        over_cover_penalty=int((instance.cover_weight_over * over).sum()),
    )


def evaluate_assignment(instance: NrpInstance, assignment: np.ndarray) -> NrpEvaluation:
    """Evaluates ``assignment[e, d]`` (type index or `OFF`); see `evaluate`."""
    return evaluate(instance, worked_from_assignment(instance, assignment))


__all__ = ["NrpEvaluation", "evaluate", "evaluate_assignment", "worked_from_assignment"]

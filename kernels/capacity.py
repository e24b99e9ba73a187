"""Capacity kernels: how much the candidates can legally still work.

The capacity analysis compares open demand with what the region's candidates (flex
pool and part-timers who want more hours) can legally give. The per-person part is
here: paid minutes each person may still work per ATW week, given fixed shifts and
the weekly caps (the person's maximum, and 60 h).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._config import PARALLEL_JIT_OPTIONS


@njit(**PARALLEL_JIT_OPTIONS)
def _remaining_week_minutes(
    fixed_ptr,
    fixed_shift,
    shift_week,
    shift_paid,
    num_horizon_shifts,
    week_cap,
    num_weeks,
):
    num_staff = fixed_ptr.shape[0] - 1
    out = np.empty((num_staff, num_weeks), dtype=np.int64)
    for person in prange(num_staff):
        for week in range(num_weeks):
            out[person, week] = week_cap[person]
        for k in range(fixed_ptr[person], fixed_ptr[person + 1]):
            shift = fixed_shift[k]
            # Carry-in shifts lie before the horizon and use no horizon hours.
            if shift < num_horizon_shifts:
                out[person, shift_week[shift]] -= shift_paid[shift]
        for week in range(num_weeks):
            if out[person, week] < 0:
                out[person, week] = 0
    return out


def remaining_week_minutes(arrays) -> np.ndarray:
    """Returns the paid minutes each person may still work in each horizon week.

    The cap is the smaller of the person's weekly maximum (H16) and the ATW 60 h (H9),
    less the paid minutes of their fixed shifts in that week; never below zero.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.

    Returns
    -------
    numpy.ndarray
        int64 array of shape (num_staff, num_weeks).
    """
    week_cap = np.minimum(
        arrays.staff_max_minutes, arrays.rules.max_week_minutes
    ).astype(np.int64)
    return _remaining_week_minutes(
        arrays.fixed_ptr,
        arrays.fixed_shift,
        arrays.shift_week,
        arrays.shift_paid,
        arrays.num_horizon_shifts,
        week_cap,
        arrays.num_weeks,
    )


@njit(**PARALLEL_JIT_OPTIONS)
def _group_supply(slot_group, slot_ptr, staff_idx, slot_week, remaining, num_groups):
    """Returns per group the distinct candidates and the minutes they can still give."""
    num_staff = remaining.shape[0]
    candidates = np.zeros(num_groups, dtype=np.int64)
    supply = np.zeros(num_groups, dtype=np.int64)
    # Groups are independent; each thread marks people per group in its own buffer.
    order = np.argsort(slot_group, kind="mergesort")
    starts = np.searchsorted(slot_group[order], np.arange(num_groups + 1))
    for group in prange(num_groups):
        seen = np.zeros(num_staff, dtype=np.bool_)
        for pos in range(starts[group], starts[group + 1]):
            slot = order[pos]
            for k in range(slot_ptr[slot], slot_ptr[slot + 1]):
                person = staff_idx[k]
                if not seen[person]:
                    seen[person] = True
                    candidates[group] += 1
                    supply[group] += remaining[person, slot_week[slot]]
    return candidates, supply


def group_supply(
    slot_group: np.ndarray,
    slot_ptr: np.ndarray,
    staff_idx: np.ndarray,
    slot_week: np.ndarray,
    remaining: np.ndarray,
    num_groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Returns, per group of slots, the distinct eligible people and their spare minutes.

    The spare minutes are each distinct candidate's remaining minutes in the week of
    the group's slots: an upper bound on what the group can get, since the same
    person is counted in every group they could serve.

    Parameters
    ----------
    slot_group
        int64 group index of each open slot (e.g. ward x day x ANW class x level).
    slot_ptr, staff_idx
        The eligibility graph in CSR form over slots.
    slot_week
        int64 ATW week of each slot's shift.
    remaining
        Output of `remaining_week_minutes`.
    num_groups
        Number of groups.

    Returns
    -------
    tuple of numpy.ndarray
        int64 candidate counts and int64 spare minutes per group.
    """
    for name, array in (
        ("slot_group", slot_group),
        ("slot_ptr", slot_ptr),
        ("staff_idx", staff_idx),
        ("slot_week", slot_week),
    ):
        if array.dtype != np.int64:
            raise TypeError(
                f"{name} must be int64, got {array.dtype}; use .astype(np.int64)"
            )
    if slot_ptr.shape[0] != slot_group.shape[0] + 1:
        raise ValueError("slot_ptr must have one entry more than slot_group")
    return _group_supply(
        slot_group, slot_ptr, staff_idx, slot_week, remaining, num_groups
    )

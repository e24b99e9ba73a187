"""Shift conflicts: pairs of open-slot shifts that no one person can both work.

Two horizon shifts that hold open slots *conflict* when, whoever the person:

* they overlap (H1);
* they start on the same local day (H1, at most one shift start per day);
* the gap from the earlier one's end to the later one's start is shorter than
  ``min_rest`` (H4);
* or shorter than ``rest_after_night`` when the earlier one is a night ending after
  02:00 (H5).

The solver uses these pairs as "at most one of the two" constraints per person. Rules
that need three or more shifts (night series, weekly rest, runs) are not pairs and are
left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit, prange

from ._config import PARALLEL_JIT_OPTIONS

if TYPE_CHECKING:
    from numpy.typing import NDArray

RegionArrays = Any
"""The arrays argument: an `carecap.compile.RegionArrays` NamedTuple.

Kernels never import `optimizer`, not even for type checking (style rule S1, enforced
by ``tests/test_layering.py``), so the hint stays loose.
"""


@njit(**PARALLEL_JIT_OPTIONS)
def _conflict_pairs(shifts, start, end, day, late_night, min_rest, night_rest):
    """Returns the conflicting pairs among ``shifts`` (increasing), sorted by (a, b).

    A sweep over the shifts by start. For shift ``i``, a later-starting shift ``j``
    conflicts iff it starts before ``end[i]`` plus the rest ``i`` needs (overlap or
    short rest) or on ``i``'s local day; both conditions hold for a prefix of the
    later shifts, so ``i``'s partners after it are one run of positions, found by a
    scan that stops at the first non-partner: the work is linear in the pairs, and
    so is the sort of the pairs that follows.
    """
    n = shifts.shape[0]
    # Ranks are positions in ``shifts``; a stable sort breaks ties in start by index.
    by_start = np.argsort(start[shifts], kind="mergesort")
    run_end = np.empty(n, dtype=np.int64)
    for pos in prange(n):
        i = shifts[by_start[pos]]
        reach = end[i] + (night_rest if late_night[i] else min_rest)
        nxt = pos + 1
        while nxt < n:
            j = shifts[by_start[nxt]]
            if start[j] >= reach and day[j] != day[i]:
                break
            nxt += 1
        run_end[pos] = nxt
    # Sort the pairs (rank a < rank b) by (a, b) with two stable counting sorts:
    # first bucket them by b, then walk the b buckets in order, dealing into a rows.
    a_count = np.zeros(n + 1, dtype=np.int64)
    b_count = np.zeros(n + 1, dtype=np.int64)
    for pos in range(n):
        r = by_start[pos]
        for nxt in range(pos + 1, run_end[pos]):
            q = by_start[nxt]
            a_count[min(r, q) + 1] += 1
            b_count[max(r, q) + 1] += 1
    a_ptr = np.cumsum(a_count)
    b_ptr = np.cumsum(b_count)
    b_cursor = b_ptr[:n].copy()
    a_by_b = np.empty(b_ptr[n], dtype=np.int64)
    for pos in range(n):
        r = by_start[pos]
        for nxt in range(pos + 1, run_end[pos]):
            q = by_start[nxt]
            b = max(r, q)
            a_by_b[b_cursor[b]] = min(r, q)
            b_cursor[b] += 1
    a_cursor = a_ptr[:n].copy()
    first = np.empty(a_ptr[n], dtype=np.int64)
    second = np.empty(a_ptr[n], dtype=np.int64)
    for b in range(n):
        for k in range(b_ptr[b], b_ptr[b + 1]):
            a = a_by_b[k]
            first[a_cursor[a]] = shifts[a]
            second[a_cursor[a]] = shifts[b]
            a_cursor[a] += 1
    return first, second


def _check(arrays: RegionArrays, name: str, dtype: type, length: int) -> np.ndarray:
    value = getattr(arrays, name)
    if not isinstance(value, np.ndarray) or value.dtype != dtype:
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(
            f"arrays.{name} must be a {np.dtype(dtype)} array, got {got}; "
            "build the arrays with carecap.compile.compile_region"
        )
    if value.ndim != 1 or value.shape[0] != length:
        raise ValueError(
            f"arrays.{name} must have shape ({length},), got {value.shape}"
        )
    if not value.flags.c_contiguous:
        raise ValueError(
            f"arrays.{name} must be C-contiguous; use np.ascontiguousarray"
        )
    return value


def shift_conflicts(
    arrays: RegionArrays,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Returns the pairs of open-slot shifts that one person cannot both work.

    Parameters
    ----------
    arrays
        The `RegionArrays` of a compiled region.

    Returns
    -------
    tuple of numpy.ndarray
        int64 ``first`` and ``second`` shift indices with ``first < second``, unique
        and sorted by (first, second); only horizon shifts that hold open slots.

    Raises
    ------
    TypeError, ValueError
        When an array has the wrong dtype, shape or layout.
    """
    num_shifts = len(arrays.shift_start)
    start = _check(arrays, "shift_start", np.int64, num_shifts)
    end = _check(arrays, "shift_end", np.int64, num_shifts)
    day = _check(arrays, "shift_day", np.int64, num_shifts)
    late_night = _check(arrays, "shift_night_after_0200", np.bool_, num_shifts)
    slot_shift = arrays.slot_shift
    if not isinstance(slot_shift, np.ndarray) or slot_shift.dtype != np.int64:
        raise TypeError("arrays.slot_shift must be an int64 array")
    if len(slot_shift) and (
        slot_shift.min() < 0 or slot_shift.max() >= arrays.num_horizon_shifts
    ):
        raise ValueError("arrays.slot_shift holds an index outside the horizon shifts")
    min_rest = int(arrays.rules.min_rest_minutes)
    night_rest = max(min_rest, int(arrays.rules.rest_after_night_minutes))
    shifts = np.unique(slot_shift)
    return _conflict_pairs(shifts, start, end, day, late_night, min_rest, night_rest)


__all__ = ["shift_conflicts"]

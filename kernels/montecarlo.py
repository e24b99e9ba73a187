"""Monte-Carlo of sickness weeks: refill every sampled week greedily, count what is left.

Each sample is a week (or horizon) of sickness drawn by `carecap.kernels.sickness`. Starting
from the sickness-free base roster, a sick person's base-roster slots open; they and
the vacancy slots are refilled by the greedy filler through the eligibility graph,
which is built once for every slot that can ever open ("the universe"): only which
slots are active and who is sick change between samples. What cannot be filled goes
to agency while the day's supply lasts, and stays uncovered otherwise.

The samples of a chunk run inside one compiled call that releases the GIL, so
`run_samples` spreads chunks over threads; results do not depend on the number of
threads, because every sample's sickness is drawn from its own counter-based stream.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from ._config import JIT_OPTIONS
from .evaluate import AGENCY, UNCOVERED
from .greedy import GreedyFiller, _fill
from .sickness import sample_sick_days


@njit(**JIT_OPTIONS)
def _run_chunk(
    shifts,
    slots,
    staff,
    lists,
    places,
    rules,
    slot_ptr,
    staff_idx,
    pair_cost,
    order,
    person_ok,
    agency_ok,
    slot_owner,
    sick_masks,
):
    """Returns per sample: open, agency and uncovered paid minutes."""
    num_samples = sick_masks.shape[0]
    num_slots = slot_owner.shape[0]
    open_minutes = np.zeros(num_samples, dtype=np.int64)
    agency_minutes = np.zeros(num_samples, dtype=np.int64)
    uncovered_minutes = np.zeros(num_samples, dtype=np.int64)
    active = np.empty(num_slots, dtype=np.bool_)
    for sample in range(num_samples):
        sick = sick_masks[sample]
        for slot in range(num_slots):
            owner = slot_owner[slot]
            day = shifts.shift_day[slots.slot_shift[slot]]
            active[slot] = (
                owner < 0 or (sick[owner] >> np.uint64(day)) & np.uint64(1) != 0
            )
        assignee = _fill(
            shifts,
            slots,
            staff,
            lists,
            places,
            rules,
            slot_ptr,
            staff_idx,
            pair_cost,
            order,
            active,
            sick,
            person_ok,
            agency_ok,
        )
        for slot in range(num_slots):
            if not active[slot]:
                continue
            paid = shifts.shift_paid[slots.slot_shift[slot]]
            open_minutes[sample] += paid
            if assignee[slot] == AGENCY:
                agency_minutes[sample] += paid
            elif assignee[slot] == UNCOVERED:
                uncovered_minutes[sample] += paid
    return open_minutes, agency_minutes, uncovered_minutes


def run_samples(
    filler: GreedyFiller,
    slot_owner: np.ndarray,
    absence_rate: np.ndarray,
    num_samples: int,
    seed: int,
    *,
    workers: int | None = None,
    chunk_size: int = 250,
) -> dict[str, np.ndarray]:
    """Runs the Monte-Carlo: ``num_samples`` sampled horizons, each refilled greedily.

    Parameters
    ----------
    filler
        A `GreedyFiller` over the universe of slots (vacancy slots and every
        base-roster slot that opens when its person is sick).
    slot_owner
        int64 per slot: the person whose sickness opens it, -1 for slots always open.
    absence_rate
        float64 per person: share of sick days (0 or NaN: never sick).
    num_samples
        Number of sampled horizons.
    seed
        Seed of the sickness draws.
    workers
        Threads; the number of CPUs when omitted.
    chunk_size
        Samples per compiled call.

    Returns
    -------
    dict of numpy.ndarray
        ``open_minutes``, ``agency_minutes`` and ``uncovered_minutes`` per sample.
    """
    arrays = filler.arrays
    if slot_owner.shape != arrays.slot_shift.shape or slot_owner.dtype != np.int64:
        raise ValueError("slot_owner must be int64 with one entry per slot")
    if num_samples < 1:
        raise ValueError(f"num_samples < 1 not understood: {num_samples}")
    shifts, slots, staff, lists, places = filler.groups
    chunks = [
        (first, min(chunk_size, num_samples - first))
        for first in range(0, num_samples, chunk_size)
    ]

    def run(chunk: tuple[int, int]) -> tuple[np.ndarray, ...]:
        first, count = chunk
        masks = sample_sick_days(
            seed, count, absence_rate, places.num_days, first_sample=first
        )
        return _run_chunk(
            shifts,
            slots,
            staff,
            lists,
            places,
            arrays.rules,
            filler.graph.slot_ptr,
            filler.graph.staff_idx,
            filler.graph.cost,
            filler.order,
            filler.person_ok,
            filler.agency_ok,
            slot_owner,
            masks,
        )

    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(chunks) == 1:
        parts = [run(chunk) for chunk in chunks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, chunks))
    names = ("open_minutes", "agency_minutes", "uncovered_minutes")
    return {
        name: np.concatenate([part[k] for part in parts])
        for k, name in enumerate(names)
    }

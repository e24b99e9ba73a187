"""Capacity analysis: open demand against what the region's candidates can legally give.

For every open slot: how many people may legally take it ("pool depth"). Per ward,
day, ANW class and level: open hours, distinct candidates and the hours those
candidates can still work in that week. Slots with fewer than ``k`` candidates are
listed: they are where care will stay uncovered first.

The candidate counts come from the eligibility graph (`kernels.eligibility`), the spare
hours from `kernels.capacity`. No personal data appears in the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kernels.capacity import group_supply, remaining_week_minutes

from .compile import ANW_CODES, CompiledRegion

if TYPE_CHECKING:
    from kernels.eligibility import EligibilityGraph

ANW_NAMES = {code: anw.value for anw, code in ANW_CODES.items()}
GROUP_COLUMNS = ["ward", "date", "anw_class", "level"]


@dataclass(frozen=True)
class CapacityReport:
    """Result of `capacity_analysis`.

    Attributes
    ----------
    slots
        One row per open slot: shift, organisation, ward, date, ANW class, level, cause,
        paid hours and the number of eligible candidates.
    groups
        One row per ward x date x ANW class x level: open slots and hours, distinct
        candidates, and the hours they can still work that week (an upper bound: a
        person is counted in every group they could serve).
    thin_slots
        The slots with fewer than ``k`` candidates.
    totals
        Headline figures.
    """

    slots: pd.DataFrame
    groups: pd.DataFrame
    thin_slots: pd.DataFrame
    totals: dict[str, float]


def capacity_analysis(
    compiled: CompiledRegion, graph: EligibilityGraph, k: int = 3
) -> CapacityReport:
    """Returns the capacity analysis of a compiled region.

    Parameters
    ----------
    compiled
        The compiled region.
    graph
        Its eligibility graph.
    k
        Slots with fewer candidates than this are listed as thin.

    Returns
    -------
    CapacityReport
        Per-slot and per-group tables and totals.
    """
    if k < 1:
        raise ValueError(f"k < 1 not understood: {k}")
    region, arrays = compiled.region, compiled.arrays
    slot_shift = arrays.slot_shift
    candidates = np.diff(graph.slot_ptr)
    shifts = region.shifts
    slots = pd.DataFrame(
        {
            "shift_id": [compiled.shift_ids[s] for s in slot_shift],
            "organisation": [
                compiled.organisation_ids[arrays.shift_org[s]] for s in slot_shift
            ],
            "ward": [compiled.ward_ids[arrays.shift_ward[s]] for s in slot_shift],
            "date": [shifts[s].date.isoformat() for s in slot_shift],
            "anw_class": [ANW_NAMES[int(arrays.shift_anw[s])] for s in slot_shift],
            "level": [f"N{int(level)}" for level in arrays.slot_level],
            "cause": [slot.cause.value for slot in region.open_slots],
            "paid_hours": arrays.shift_paid[slot_shift] / 60,
            "candidates": candidates,
        }
    )
    if len(slots):
        keys = slots[GROUP_COLUMNS].astype(str).agg("|".join, axis=1)
        codes, uniques = pd.factorize(keys, sort=True)
        num_groups = len(uniques)
    else:
        codes, num_groups = np.zeros(0, dtype=np.int64), 0
    remaining = remaining_week_minutes(arrays)
    group_candidates, group_minutes = group_supply(
        np.asarray(codes, dtype=np.int64),
        graph.slot_ptr,
        graph.staff_idx,
        arrays.shift_week[slot_shift].astype(np.int64),
        remaining,
        num_groups,
    )
    groups = (
        slots.assign(group=codes)
        .groupby("group", sort=True)
        .agg(
            ward=("ward", "first"),
            date=("date", "first"),
            anw_class=("anw_class", "first"),
            level=("level", "first"),
            open_slots=("shift_id", "size"),
            open_hours=("paid_hours", "sum"),
            min_candidates=("candidates", "min"),
        )
        .reset_index(drop=True)
    )
    if num_groups:
        groups["distinct_candidates"] = group_candidates
        groups["candidate_spare_hours"] = group_minutes / 60
    else:
        groups["distinct_candidates"] = pd.Series(dtype=np.int64)
        groups["candidate_spare_hours"] = pd.Series(dtype=float)
    thin = slots[slots["candidates"] < k].reset_index(drop=True)
    open_hours = float(slots["paid_hours"].sum())
    totals = {
        "open_slots": len(slots),
        "open_hours": round(open_hours, 2),
        "open_anw_hours": round(float(slots.loc[slots["anw_class"] != "day", "paid_hours"].sum()), 2),
        "slots_without_candidates": int((candidates == 0).sum()),
        f"slots_with_fewer_than_{k}_candidates": len(thin),
        "median_candidates_per_slot": float(np.median(candidates)) if len(candidates) else 0.0,
        "eligible_pairs": len(graph.staff_idx),
        "candidates": len(np.unique(graph.staff_idx)),
        "candidate_spare_hours": round(
            float(remaining[np.unique(graph.staff_idx)].sum() / 60), 2
        ),
    }
    return CapacityReport(slots=slots, groups=groups, thin_slots=thin, totals=totals)

"""Week-by-week decomposition for regions too large for one model (XL: 4 weeks).

Weeks are solved in order, each as the full roster model restricted to the open
slots of that week: the eligibility graph keeps the pairs of that week's slots and,
pinned, the assignments already made in earlier weeks, so every rule that reaches
across a week boundary (rest, weekly rest, night series, 4- and 16-week hours,
Sundays) sees them as it sees fixed work. Slots of later weeks have no pairs yet.
The roster of all weeks together is therefore legal, and the evaluator checks it.

It is a heuristic: a week cannot leave room for the next (a person may be given
hours in week 1 that week 2 needed more), so the per-week bounds are conditional on
the weeks before, and the result is reported with them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import numpy as np

from ..params import SolveParams
from ..roster import UNCOVERED
from .model import CpSatModel, LevelOutcome, ProgressEvent
from .variables import NOT_PINNED

log = logging.getLogger("carecap")


def restrict_graph(graph: Any, keep: np.ndarray) -> Any:
    """Returns the eligibility graph with only the pairs where ``keep`` is true."""
    pair_slot = np.repeat(np.arange(graph.num_slots), np.diff(graph.slot_ptr))
    counts = np.bincount(pair_slot[keep], minlength=graph.num_slots)
    slot_ptr = np.zeros_like(graph.slot_ptr)
    np.cumsum(counts, out=slot_ptr[1:])
    return replace(
        graph,
        slot_ptr=slot_ptr,
        staff_idx=graph.staff_idx[keep],
        travel_km=graph.travel_km[keep],
        cost=graph.cost[keep],
    )


def solve_by_week(
    arrays: Any,
    graph: Any,
    person_ok: np.ndarray,
    levels: tuple[str, ...],
    params: SolveParams,
    seed: int,
    hint: np.ndarray,
) -> tuple[np.ndarray, list[LevelOutcome], dict[str, Any], list[ProgressEvent], float]:
    """Solves the weeks one after the other; returns the roster, the outcomes of every
    week's levels (named ``week<k>:<level>``), the CP-SAT parameters, the progress
    events and the seconds spent building the week models.

    Parameters
    ----------
    hint
        A legal roster of all slots (the greedy filler's); each week starts from it
        (repaired by CP-SAT where it clashes with the weeks already solved).
    """
    slot_week = arrays.shift_week[arrays.slot_shift]
    pair_slot = np.repeat(np.arange(graph.num_slots), np.diff(graph.slot_ptr))
    roster = np.array(hint, dtype=np.int64, copy=True)
    outcomes: list[LevelOutcome] = []
    events: list[ProgressEvent] = []
    used: dict[str, Any] = {}
    build_seconds = 0.0
    weeks = int(arrays.num_weeks)
    for week in range(weeks):
        earlier = slot_week < week
        active = slot_week == week
        # Later weeks' greedy assignments cannot stay: their pairs are not in this
        # week's model, and rules across the boundary would not see them.
        roster[slot_week > week] = UNCOVERED
        chosen = roster[pair_slot] == graph.staff_idx
        keep = active[pair_slot] | (earlier[pair_slot] & chosen)
        pins = np.where(earlier & (roster != UNCOVERED), roster, NOT_PINNED)
        started = time.perf_counter()
        model = CpSatModel(
            arrays, restrict_graph(graph, keep), person_ok, levels, pins=pins
        )
        build_seconds += time.perf_counter() - started
        share = replace(params, time_limit=params.time_limit / (weeks - week))
        log.info(
            "week %d of %d: %d open slot(s), %d assignment variable(s), %.1f s",
            week + 1,
            weeks,
            int(active.sum()),
            len(model.variables.x),
            share.time_limit,
        )
        solved_at = time.perf_counter()
        week_roster, week_outcomes, used, week_events = model.solve(
            share, seed, hint=np.where(active | earlier, roster, UNCOVERED)
        )
        spent = time.perf_counter() - solved_at
        params = replace(params, time_limit=max(params.time_limit - spent, 1e-3))
        outcomes += [replace(o, name=f"week{week + 1}:{o.name}") for o in week_outcomes]
        events += week_events
        if week_roster is None:
            # The greedy hint of this week was made against other earlier weeks and
            # may clash with them: leave the week open rather than risk it.
            log.warning("week %d: no roster in its time; its slots stay open", week + 1)
            roster[active] = UNCOVERED
            continue
        changeable = active | (earlier & (pins == NOT_PINNED))
        roster[changeable] = week_roster[changeable]
    return roster, outcomes, used, events, build_seconds


__all__ = ["restrict_graph", "solve_by_week"]

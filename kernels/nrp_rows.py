"""Cheapest legal rows of one employee of the Curtois & Qu benchmark, by dynamic
programming over the days.

A row gives each day a shift type or a day off. Every hard rule of the benchmark
about one row is a rule about a walk through the days whose state holds: what the
last day was (off, or a type's *succession class*: the types whose forbidden
successors are the same), the length of the current run of worked days or days
off, whether that run began on the first day (runs that touch the horizon's edges
are exempt from the minimum run lengths), the worked minutes so far (in units of
the greatest common divisor of the shift lengths) and the weekends worked so far.
Those states are few enough to enumerate, so the row of least cost under those
rules is found exactly. The most shifts of a type is in the state only for the
types the caller counts (a *counter* per type: counting every type would multiply
the states by the product of the limits); the caller prices the others (a
Lagrangian penalty in ``day_cost``) and checks the rows it gets back.

Types that cannot be told apart by the rules (same class, same length, the same
types forbidden before them, and neither of them counted) form a *group*; on each
day only the cheapest type of a group is worth working, so the walk branches per
group, not per type.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._config import JIT_OPTIONS

SATURDAY = 1
"""``weekend_day`` code of a Saturday (a worked Saturday starts a worked weekend)."""

SUNDAY = 2
"""``weekend_day`` code of a Sunday (a worked Sunday after a Saturday off starts one)."""


@njit(**JIT_OPTIONS)
def cheapest_rows(
    day_cost,
    off_allowed,
    group_start,
    group_members,
    group_class,
    group_units,
    group_counter,
    counter_limit,
    class_forbids_group,
    weekend_day,
    max_consecutive,
    min_consecutive,
    min_days_off,
    max_weekends,
    min_units,
    max_units,
    count,
):
    """Returns up to ``count`` cheapest legal rows, each with other worked minutes,
    weekends or counted shifts than the others, cheapest first.

    Parameters
    ----------
    day_cost
        ``[d, s]``: cost of working type ``s`` on day ``d``; ``inf`` where the
        employee may not (a day off, a type they never work). A day off costs 0.
    off_allowed
        ``[d]``: whether the employee may be off on day ``d``.
    group_start, group_members
        The types of group ``g`` are ``group_members[group_start[g]:group_start[g + 1]]``.
    group_class
        ``[g]``: the succession class of the group's types.
    group_units
        ``[g]``: the length of the group's types in minute units.
    group_counter
        ``[g]``: the counter that the group's shifts add one to, or -1 for none.
    counter_limit
        ``[k]``: the most shifts counter ``k`` may count (its shifts' most shifts of
        their type). No counters: the per-type limits are left to the caller.
    class_forbids_group
        ``[c, g]``: the group's types may not be worked the day after a type of class ``c``.
    weekend_day
        ``[d]``: `SATURDAY`, `SUNDAY` or 0.
    max_consecutive, min_consecutive, min_days_off, max_weekends
        The employee's run and weekend limits.
    min_units, max_units
        The employee's worked minutes must lie within these, in minute units.
    count
        The most rows returned.

    Returns
    -------
    values : (k,) float64
        Each row's cost (the sum of ``day_cost`` over its worked days), ascending.
    rows : (k, D) int64
        Each row's type per day, -1 for a day off. ``k`` is 0 when there is no
        legal row.
    """
    num_days = day_cost.shape[0]
    num_groups = group_units.shape[0]
    num_classes = class_forbids_group.shape[0]
    off_modes = max(min_days_off, 1)
    run_cap = max(max_consecutive, 0)
    least_run = max(min_consecutive, 1)
    modes = off_modes + num_classes * run_cap * 2
    units = max_units + 1
    weekends = max_weekends + 1
    inf = np.inf
    if max_units < 0 or max_weekends < 0:
        return np.empty(0), np.empty((0, num_days), dtype=np.int64)
    # The counters' values are the digits of one mixed-radix number.
    num_counters = counter_limit.shape[0]
    stride = np.ones(num_counters, dtype=np.int64)
    counts = 1
    for k in range(num_counters):
        stride[k] = counts
        counts *= counter_limit[k] + 1

    best_type = np.full((num_days, num_groups), -1, dtype=np.int64)
    best_cost = np.full((num_days, num_groups), inf)
    for d in range(num_days):
        for g in range(num_groups):
            for i in range(group_start[g], group_start[g + 1]):
                s = group_members[i]
                if day_cost[d, s] < best_cost[d, g]:
                    best_cost[d, g] = day_cost[d, s]
                    best_type[d, g] = s

    value = np.full((modes, units, weekends, counts), inf)
    after = np.full((modes, units, weekends, counts), inf)
    came_from = np.full((num_days, modes, units, weekends, counts), -1, dtype=np.int32)
    worked = np.full((num_days, modes, units, weekends, counts), -1, dtype=np.int16)

    # Day 0: runs that start here are exempt from the minimum run lengths.
    if off_allowed[0]:
        value[off_modes - 1, 0, 0, 0] = 0.0
    start_weekend = 1 if weekend_day[0] != 0 else 0
    if run_cap > 0 and start_weekend < weekends:
        for g in range(num_groups):
            k = group_units[g]
            counter = group_counter[g]
            if counter >= 0 and counter_limit[counter] == 0:
                continue
            c = stride[counter] if counter >= 0 else 0
            if best_type[0, g] >= 0 and k < units:
                m = off_modes + (group_class[g] * run_cap) * 2 + 1
                if best_cost[0, g] < value[m, k, start_weekend, c]:
                    value[m, k, start_weekend, c] = best_cost[0, g]
                    worked[0, m, k, start_weekend, c] = best_type[0, g]
    reach = min(max(group_units.max() if num_groups > 0 else 0, 0), max_units)

    # Whether a (mode, units, weekends) holds any finite value: most do not, and
    # the walk skips them whole.
    alive = np.zeros((modes, units, weekends), dtype=np.bool_)
    alive_after = np.zeros((modes, units, weekends), dtype=np.bool_)
    for m in range(modes):
        for u in range(units):
            for w in range(weekends):
                for n in range(counts):
                    if value[m, u, w, n] < inf:
                        alive[m, u, w] = True
    # full[n, k]: counter k is at its limit in the counters' value n.
    full = np.zeros((counts, max(num_counters, 1)), dtype=np.bool_)
    for n in range(counts):
        for k in range(num_counters):
            full[n, k] = (n // stride[k]) % (counter_limit[k] + 1) >= counter_limit[k]

    for d in range(1, num_days):
        after[:] = inf
        alive_after[:] = False
        day = weekend_day[d]
        for m in range(modes):
            is_off = m < off_modes
            if is_off:
                length = m + 1
                c = -1
                exempt = 0
                rest = min(length, off_modes - 1)
                rest_ok = True
                can_work = length >= min_days_off
                nr = 1
                nexempt = 0
            else:
                j = m - off_modes
                exempt = j % 2
                j //= 2
                c = j // run_cap
                r = j % run_cap + 1
                rest = 0
                rest_ok = r >= least_run or exempt == 1
                can_work = r < run_cap
                nr = r + 1
                nexempt = exempt
            rest_ok = rest_ok and off_allowed[d]
            for u in range(reach + 1):
                for w in range(weekends):
                    if not alive[m, u, w]:
                        continue
                    here_base = ((m * units + u) * weekends + w) * counts
                    # A day off.
                    if rest_ok:
                        alive_after[rest, u, w] = True
                        for n in range(counts):
                            v = value[m, u, w, n]
                            if v < after[rest, u, w, n]:
                                after[rest, u, w, n] = v
                                came_from[d, rest, u, w, n] = here_base + n
                                worked[d, rest, u, w, n] = -1
                    # A worked day.
                    if not can_work:
                        continue
                    nw = w
                    if day == SATURDAY or (day == SUNDAY and is_off):
                        nw = w + 1
                    if nw >= weekends:
                        continue
                    for g in range(num_groups):
                        s = best_type[d, g]
                        if s < 0:
                            continue
                        if c >= 0 and class_forbids_group[c, g]:
                            continue
                        nu = u + group_units[g]
                        if nu >= units:
                            continue
                        nm = (
                            off_modes
                            + (group_class[g] * run_cap + nr - 1) * 2
                            + nexempt
                        )
                        cost = best_cost[d, g]
                        counter = group_counter[g]
                        step = stride[counter] if counter >= 0 else 0
                        for n in range(counts):
                            v = value[m, u, w, n]
                            if v == inf:
                                continue
                            if counter >= 0 and full[n, counter]:
                                continue
                            nn = n + step
                            nv = v + cost
                            if nv < after[nm, nu, nw, nn]:
                                after[nm, nu, nw, nn] = nv
                                came_from[d, nm, nu, nw, nn] = here_base + n
                                worked[d, nm, nu, nw, nn] = s
                                alive_after[nm, nu, nw] = True
        value, after = after, value
        alive, alive_after = alive_after, alive
        reach = min(reach + (group_units.max() if num_groups > 0 else 0), max_units)

    # The cheapest end state per (units, weekends, counters): rows that differ in
    # those differ.
    ends = units * weekends * counts
    ends_value = np.full(ends, inf)
    ends_mode = np.full(ends, -1, dtype=np.int64)
    for u in range(max(min_units, 0), units):
        for w in range(weekends):
            for n in range(counts):
                end = (u * weekends + w) * counts + n
                for m in range(modes):
                    if value[m, u, w, n] < ends_value[end]:
                        ends_value[end] = value[m, u, w, n]
                        ends_mode[end] = m
    order = np.argsort(ends_value)
    k = 0
    while k < min(count, order.shape[0]) and ends_value[order[k]] < inf:
        k += 1
    values = np.empty(k)
    rows = np.full((k, num_days), -1, dtype=np.int64)
    for i in range(k):
        end = order[i]
        values[i] = ends_value[end]
        m = ends_mode[end]
        n = end % counts
        w = (end // counts) % weekends
        u = end // (counts * weekends)
        for d in range(num_days - 1, -1, -1):
            rows[i, d] = worked[d, m, u, w, n]
            if d > 0:
                here = came_from[d, m, u, w, n]
                n = here % counts
                here //= counts
                w = here % weekends
                here //= weekends
                u = here % units
                m = here // units
    return values, rows


__all__ = ["SATURDAY", "SUNDAY", "cheapest_rows"]

"""Vectorised NumPy references of the kernels (style rule S8).

Written from the rule definitions (README glossary, `carecap.kernels.eligibility` docstring),
not from the kernels: the kernels are tested against these, and the benchmarks
measure the kernels' speed against them, so they are vectorised: no Python loop over
staff, slots or pairs. Per-person lists (fixed shifts, unavailability, inductions)
are padded to matrices; slots are processed in chunks so that the dense
(slots x candidates) masks stay small (about ``CHUNK_ELEMENTS`` entries).
"""

from __future__ import annotations

import numpy as np
from carecap.anw import AnwClass
from carecap.compile import ANW_CODES, EMPLOYMENT_CODES, RegionArrays
from carecap.domain import Employment

CHUNK_ELEMENTS = 1 << 21
"""Slots x candidates per chunk of the dense first-stage masks (2 M)."""

SERIES_GAP = 24 * 60
TRAVEL_TOLERANCE_KM = 1e-9
_INT_NONE = np.iinfo(np.int64).min // 4
"""Padding for times of missing entries; far from any real minute, never overflows."""


def default_candidates(arrays: RegionArrays) -> np.ndarray:
    """Returns the default pool: the flex pool, and employees who want more hours or
    opted in to extra shifts (CONSENT)."""
    employment = arrays.staff_employment
    opted_in = arrays.staff_offers_shifts  # the only array that holds the opt-in
    return (employment == EMPLOYMENT_CODES[Employment.FLEX_POOL]) | (
        (employment == EMPLOYMENT_CODES[Employment.EMPLOYEE])
        & ((arrays.staff_desired_minutes > arrays.staff_contract_minutes) | opted_in)
    )


def haversine_km(lat1, lon1, lat2, lon2):
    """Returns great-circle distances in km, broadcasting over the inputs."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _padded(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns (positions, valid): each row's CSR entries padded to the longest row.

    Missing entries get position 0 and ``valid`` False.
    """
    counts = (ptr[rows + 1] - ptr[rows]) if len(rows) else np.zeros(0, np.int64)
    width = int(counts.max()) if len(counts) else 0
    col = np.arange(width)
    valid = col < counts[:, None]
    positions = np.where(valid, ptr[rows][:, None] + col, 0)
    return positions, valid


def _take(
    values: np.ndarray, positions: np.ndarray, valid: np.ndarray, fill
) -> np.ndarray:
    if len(values) == 0:
        return np.full(positions.shape, fill, dtype=values.dtype)
    return np.where(valid, values[positions], fill)


def _night_series_ends(
    start: np.ndarray, end: np.ndarray, night: np.ndarray, length: int
) -> np.ndarray:
    """Returns, per row, the ends of series of >= ``length`` nights (else _INT_NONE).

    ``start``/``end``/``night`` are (rows, width) matrices of fixed shifts in start
    order; ``night`` marks valid nights ending after 02:00. A series is a maximal chain
    of nights in which each starts less than 24 h after the previous one ends.
    """
    rows, width = night.shape
    if width == 0:
        return np.full((rows, 0), _INT_NONE)
    # Move each row's nights to the front, keeping their order.
    order = np.argsort(~night, axis=1, kind="stable")
    n_start = np.take_along_axis(start, order, axis=1)
    n_end = np.take_along_axis(end, order, axis=1)
    is_night = np.take_along_axis(night, order, axis=1)
    linked = is_night[:, 1:] & (n_start[:, 1:] - n_end[:, :-1] < SERIES_GAP)
    col = np.arange(width)
    chain_start = np.ones((rows, width), dtype=bool)
    chain_start[:, 1:] = ~linked
    first = np.maximum.accumulate(np.where(chain_start, col, 0), axis=1)
    chain_length = col - first + 1
    chain_last = is_night & ~np.concatenate([linked, np.zeros((rows, 1), bool)], axis=1)
    return np.where(chain_last & (chain_length >= length), n_end, _INT_NONE)


def eligibility(
    arrays: RegionArrays,
    candidate_mask: np.ndarray | None = None,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Returns (slot_ptr, staff_idx, travel_km, cost) as `carecap.kernels.eligibility` does.

    First the per-candidate checks that need no fixed-shift lists (qualification,
    induction, night exemption, pregnancy) as dense (slots x candidates) masks, one
    chunk of slots at a time; then the remaining checks on the surviving pairs only,
    against padded (pairs x fixed shifts) and (pairs x windows) matrices.
    """
    a = arrays
    rules = a.rules
    if candidate_mask is None:
        candidate_mask = default_candidates(a)
    # CONSENT: nobody who did not offer extra shifts, whatever the mask says.
    pool = (
        candidate_mask
        & default_candidates(a)
        & (a.staff_employment != EMPLOYMENT_CODES[Employment.AGENCY])
    )
    cand = np.flatnonzero(pool)
    num_staff, num_slots = len(a.staff_level), len(a.slot_shift)
    num_locations = len(a.location_lat)

    # -- per candidate -------------------------------------------------------------
    inducted = np.zeros((num_staff, num_locations), dtype=bool)
    inducted[
        np.repeat(np.arange(num_staff), np.diff(a.inducted_ptr)), a.inducted_location
    ] = True
    inducted = inducted[cand]
    level = a.staff_level[cand]
    competences = a.staff_competences[cand]
    night_ok = a.staff_night_allowed[cand]
    irregular_ok = a.staff_irregular_allowed[cand]
    sick = a.staff_sick_days[cand]
    lat, lon = a.staff_home_lat[cand], a.staff_home_lon[cand]
    home_known = ~(np.isnan(lat) | np.isnan(lon))
    distance = np.where(
        home_known[:, None],
        haversine_km(
            lat[:, None], lon[:, None], a.location_lat[None, :], a.location_lon[None, :]
        )
        * a.detour_factor,
        0.0,
    )
    week_cap = np.minimum(
        np.minimum(a.staff_max_minutes[cand], rules.max_week_minutes),
        a.staff_consent_minutes[cand],
    )

    positions, valid = _padded(a.fixed_ptr, cand)
    fixed = _take(a.fixed_shift, positions, valid, 0)
    f_start = np.where(valid, a.shift_start[fixed], _INT_NONE)
    f_end = np.where(valid, a.shift_end[fixed], _INT_NONE)
    f_day = np.where(valid, a.shift_day[fixed], _INT_NONE)
    f_week = np.where(valid, a.shift_week[fixed], _INT_NONE)
    f_paid = np.where(valid, a.shift_paid[fixed], 0)
    f_late_night = valid & a.shift_night_after_0200[fixed]
    series_end = _night_series_ends(
        f_start, f_end, f_late_night, rules.night_series_length
    )
    u_pos, u_valid = _padded(a.unavailable_ptr, cand)
    u_start = _take(a.unavailable_start, u_pos, u_valid, 0)
    u_end = _take(a.unavailable_end, u_pos, u_valid, 0)

    # -- per slot ----------------------------------------------------------------
    shift = a.slot_shift
    s_start, s_end = a.shift_start[shift], a.shift_end[shift]
    s_day, s_week, s_paid = a.shift_day[shift], a.shift_week[shift], a.shift_paid[shift]
    s_location = a.shift_location[shift]
    s_late_night = a.shift_night_after_0200[shift]
    s_night = a.shift_is_night[shift]
    s_irregular = a.shift_anw[shift] != ANW_CODES[AnwClass.DAY]
    s_bit = a.slot_competence
    s_needs = np.where(s_bit >= 0, np.left_shift(1, np.maximum(s_bit, 0)), 0)
    min_rest = rules.min_rest_minutes
    night_rest = max(min_rest, rules.rest_after_night_minutes)

    chunk = max(1, chunk_elements // max(1, len(cand)))
    found_slot, found_cand, found_km = [], [], []
    for lo in range(0, num_slots, chunk):
        hi = min(num_slots, lo + chunk)
        ks = slice(lo, hi)
        # Stage 1: dense masks over (slots in the chunk) x candidates.
        level_ok = np.where(
            a.slot_exact_level[ks, None],
            level[None, :] == a.slot_level[ks, None],
            level[None, :] >= a.slot_level[ks, None],
        )
        ok = level_ok & (
            (competences[None, :] & s_needs[ks, None]) == s_needs[ks, None]
        )
        ok &= inducted[:, s_location[ks]].T
        ok &= night_ok[None, :] | ~s_night[ks, None]
        ok &= irregular_ok[None, :] | ~s_irregular[ks, None]
        elapsed = s_end[ks] - s_start[ks]
        too_long = (elapsed > a.shift_max_minutes[shift[ks]]) | (
            s_night[ks] & (elapsed > rules.max_night_shift_minutes)
        )
        ok &= ~too_long[:, None]
        sick_bits = np.right_shift(sick[None, :], s_day[ks, None].astype(np.uint64))
        ok &= (sick_bits & np.uint64(1)) == 0
        k, c = np.nonzero(ok)
        k = k + lo
        # Stage 2: the surviving pairs against windows, fixed shifts and hours.
        start, end = s_start[k][:, None], s_end[k][:, None]
        keep = ~np.any(u_valid[c] & (u_start[c] < end) & (start < u_end[c]), axis=1)
        fs, fe = f_start[c], f_end[c]
        fv = valid[c]
        overlap = fv & (fs < end) & (start < fe)
        same_day = fv & (f_day[c] == s_day[k][:, None])
        before = fv & (fe <= start)
        need_before = np.where(f_late_night[c], night_rest, min_rest)
        short_before = before & (start - fe < need_before)
        after = fv & (fs >= end)
        need_after = np.where(s_late_night[k], night_rest, min_rest)[:, None]
        short_after = after & (fs - end < need_after)
        keep &= ~np.any(overlap | same_day | short_before | short_after, axis=1)
        gap = start - series_end[c]
        continues = s_late_night[k][:, None] & (gap < SERIES_GAP)
        short_series = (
            (series_end[c] != _INT_NONE)
            & (gap >= 0)
            & (gap < rules.rest_after_night_series_minutes)
            & ~continues
        )
        keep &= ~np.any(short_series, axis=1)
        week_minutes = np.sum(
            np.where(f_week[c] == s_week[k][:, None], f_paid[c], 0), axis=1
        )
        keep &= week_minutes + s_paid[k] <= week_cap[c]
        km = distance[c, s_location[k]]
        keep &= km <= a.staff_max_travel_km[cand[c]] + TRAVEL_TOLERANCE_KM
        found_slot.append(k[keep])
        found_cand.append(c[keep])
        found_km.append(km[keep])

    slot = np.concatenate(found_slot) if found_slot else np.zeros(0, np.int64)
    c = np.concatenate(found_cand) if found_cand else np.zeros(0, np.int64)
    travel = np.concatenate(found_km) if found_km else np.zeros(0, np.float64)
    staff = cand[c].astype(np.int64)
    s = shift[slot]
    wage = a.wage_per_level[a.staff_level[staff]]
    cost = a.shift_paid[s] / 60.0 * wage + a.shift_ort_minutes[s] / 60.0 * wage
    cost = np.where(
        a.staff_org[staff] != a.shift_org[s], cost * a.lending_vat_factor, cost
    )
    cost = cost + 2.0 * travel * a.travel_cost_per_km
    slot_ptr = np.zeros(num_slots + 1, dtype=np.int64)
    np.cumsum(np.bincount(slot, minlength=num_slots), out=slot_ptr[1:])
    return slot_ptr, staff, travel.astype(np.float64), cost.astype(np.float64)


def shift_conflicts(
    arrays: RegionArrays, chunk_elements: int = CHUNK_ELEMENTS
) -> tuple[np.ndarray, np.ndarray]:
    """Returns the conflicting pairs (a < b) of open-slot shifts, as `carecap.kernels.conflicts`.

    Compares every pair of open-slot shifts with dense (chunk x shifts) matrices.
    """
    a = arrays
    shifts = np.unique(a.slot_shift)
    n = len(shifts)
    start, end = a.shift_start[shifts], a.shift_end[shifts]
    day = a.shift_day[shifts]
    late_night = a.shift_night_after_0200[shifts]
    min_rest = a.rules.min_rest_minutes
    night_rest = max(min_rest, a.rules.rest_after_night_minutes)
    need = np.where(late_night, night_rest, min_rest)
    chunk = max(1, chunk_elements // max(1, n))
    firsts, seconds = [], []
    for lo in range(0, n, chunk):
        rows = slice(lo, min(n, lo + chunk))
        s1, e1, need1 = start[rows, None], end[rows, None], need[rows, None]
        overlap = (s1 < end[None, :]) & (start[None, :] < e1)
        same_day = day[rows, None] == day[None, :]
        # Rest from the earlier one's end to the later one's start.
        row_first = e1 <= start[None, :]
        col_first = end[None, :] <= s1
        short = (row_first & (start[None, :] - e1 < need1)) | (
            col_first & (s1 - end[None, :] < need[None, :])
        )
        upper = np.arange(lo, rows.stop)[:, None] < np.arange(n)[None, :]
        i, j = np.nonzero(upper & (overlap | same_day | short))
        firsts.append(shifts[i + lo])
        seconds.append(shifts[j])
    first = np.concatenate(firsts) if firsts else np.zeros(0, np.int64)
    second = np.concatenate(seconds) if seconds else np.zeros(0, np.int64)
    return first.astype(np.int64), second.astype(np.int64)

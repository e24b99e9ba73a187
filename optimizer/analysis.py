"""Capacity analysis: open demand against what the region's candidates can legally give.

For every open slot: how many people may legally take it ("pool depth"). Per ward,
day, ANW class and level: open hours, distinct candidates and the hours those
candidates can still work in that week. Slots with fewer than ``k`` candidates are
listed: they are where care will stay uncovered first.

The candidate counts come from the eligibility graph (`carecap.kernels.eligibility`), the spare
hours from `carecap.kernels.capacity`. `roster_candidates` answers for one slot of a roster:
who may take it, whom the roster keeps from it and why, and whom to ask
(`carecap.kernels.candidates`). No personal data appears in the output.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from carecap.kernels.capacity import group_supply, remaining_week_minutes
from carecap.kernels.eligibility import explain_ineligible

from .anw import AnwClass
from .clock import TZ
from .compile import ANW_CODES, CompiledRegion

if TYPE_CHECKING:
    from carecap.kernels.eligibility import EligibilityGraph

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
    # Group numbers in sorted key order, the order of the groupby below. (Joining the
    # keys into one string could merge two groups whose ids contain the separator.)
    codes = slots.groupby(GROUP_COLUMNS, sort=True).ngroup().to_numpy(dtype=np.int64)
    num_groups = int(codes.max()) + 1 if len(codes) else 0
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
        "open_anw_hours": round(
            float(slots.loc[slots["anw_class"] != "day", "paid_hours"].sum()), 2
        ),
        "slots_without_candidates": int((candidates == 0).sum()),
        f"slots_with_fewer_than_{k}_candidates": len(thin),
        "median_candidates_per_slot": float(np.median(candidates))
        if len(candidates)
        else 0.0,
        "eligible_pairs": len(graph.staff_idx),
        "candidates": len(np.unique(graph.staff_idx)),
        "candidate_spare_hours": round(
            float(remaining[np.unique(graph.staff_idx)].sum() / 60), 2
        ),
    }
    return CapacityReport(slots=slots, groups=groups, thin_slots=thin, totals=totals)


def thinnest_groups(report: CapacityReport, n: int = 10) -> pd.DataFrame:
    """Returns the ``n`` groups with the fewest candidates per open slot.

    Ties are broken by the candidates' spare hours per open hour (fewer first), then
    by open hours (more first), then by ward, date, ANW class and level.

    Parameters
    ----------
    report
        A `capacity_analysis` result.
    n
        How many groups to return.

    Returns
    -------
    pandas.DataFrame
        Rows of ``report.groups`` with two more columns, ``candidates_per_slot`` and
        ``spare_hours_per_open_hour``, in thinness order (index reset).
    """
    groups = report.groups.assign(
        candidates_per_slot=report.groups["distinct_candidates"]
        / report.groups["open_slots"],
        spare_hours_per_open_hour=report.groups["candidate_spare_hours"]
        / report.groups["open_hours"].where(report.groups["open_hours"] > 0),
    )
    return (
        groups.sort_values(
            [
                "candidates_per_slot",
                "spare_hours_per_open_hour",
                "open_hours",
                *GROUP_COLUMNS,
            ],
            ascending=[True, True, False, True, True, True, True],
            kind="mergesort",
            na_position="last",
        )
        .head(n)
        .reset_index(drop=True)
    )


def fixed_anw_shifts(compiled: CompiledRegion) -> np.ndarray:
    """Returns each person's number of ANW shifts in their fixed horizon roster.

    Fixed shifts are the worked base roster (carry-in shifts before the horizon are
    not counted); ANW is every class but day.

    Returns
    -------
    numpy.ndarray
        int64 (num_staff,).
    """
    arrays = compiled.arrays
    num_staff = len(arrays.staff_level)
    owner = np.repeat(np.arange(num_staff, dtype=np.int64), np.diff(arrays.fixed_ptr))
    shifts = arrays.fixed_shift
    horizon = shifts < arrays.num_horizon_shifts
    anw = np.zeros(len(shifts), dtype=bool)
    anw[horizon] = arrays.shift_anw[shifts[horizon]] != ANW_CODES[AnwClass.DAY]
    return np.bincount(owner[anw], minlength=num_staff).astype(np.int64)


CANDIDATE_COLUMNS = [
    "staff_id",
    "employment",
    "organisation",
    "level",
    "hours_left",
    "travel_km",
    "anw_shifts",
    "cost",
]
"""Columns of `rank_candidates`."""


def rank_candidates(
    compiled: CompiledRegion,
    graph: EligibilityGraph,
    slot: int,
    *,
    remaining: np.ndarray | None = None,
    anw_shifts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Returns the people who may take an open slot, best first.

    The order: most hours left to the weekly maximum in the shift's ATW week (fixed
    work counted; the cap is the smaller of the person's maximum and the ATW 60 h),
    then least travel, then fewest ANW shifts in the fixed horizon roster, then the
    lowest cost of the pair, then staff id.

    Parameters
    ----------
    compiled
        The compiled region.
    graph
        Its eligibility graph.
    slot
        Open-slot index.
    remaining, anw_shifts
        `carecap.kernels.capacity.remaining_week_minutes` and `fixed_anw_shifts`, when the
        caller ranks several slots and computes them once.

    Returns
    -------
    pandas.DataFrame
        `CANDIDATE_COLUMNS`; hours left in hours, travel in km, cost in euros.
    """
    arrays = compiled.arrays
    if not 0 <= slot < graph.num_slots:
        raise IndexError(f"slot index {slot} is outside 0..{graph.num_slots - 1}")
    if remaining is None:
        remaining = remaining_week_minutes(arrays)
    if anw_shifts is None:
        anw_shifts = fixed_anw_shifts(compiled)
    lo, hi = int(graph.slot_ptr[slot]), int(graph.slot_ptr[slot + 1])
    people = graph.staff_idx[lo:hi]
    week = int(arrays.shift_week[arrays.slot_shift[slot]])
    staff = compiled.region.staff
    table = pd.DataFrame(
        {
            "staff_id": [compiled.staff_ids[p] for p in people],
            "employment": [staff[p].employment.value for p in people],
            "organisation": [
                compiled.organisation_ids[o] if o >= 0 else ""
                for o in arrays.staff_org[people]
            ],
            "level": [f"N{int(level)}" for level in arrays.staff_level[people]],
            "hours_left": remaining[people, week] / 60,
            "travel_km": graph.travel_km[lo:hi],
            "anw_shifts": anw_shifts[people],
            "cost": graph.cost[lo:hi],
        },
        columns=CANDIDATE_COLUMNS,
    )
    return table.sort_values(
        ["hours_left", "travel_km", "anw_shifts", "cost", "staff_id"],
        ascending=[False, True, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)


_INDEX_REF = re.compile(r"#(\d+)")


def explain(compiled: CompiledRegion, staff: int, slot: int) -> list[str]:
    """Returns why a person may not take an open slot, with ids; empty when eligible.

    The reasons of `carecap.kernels.eligibility.explain_ineligible` (default candidate pool),
    with shift, location and competence indices replaced by their ids (a carry-in
    shift by its local start time) and minutes by local times.
    """
    arrays = compiled.arrays
    origin = compiled.region.horizon.start_instant

    def local(minutes: int) -> str:
        moment = (origin + dt.timedelta(minutes=minutes)).astimezone(TZ)
        return moment.strftime("%Y-%m-%d %H:%M")

    def shift_name(match: re.Match[str]) -> str:
        shift = int(match.group(1))
        if shift < arrays.num_horizon_shifts:
            return compiled.shift_ids[shift]
        return f"(carry-in, started {local(int(arrays.shift_start[shift]))})"

    reasons = []
    for reason in explain_ineligible(arrays, staff, slot):
        check = reason.split(":", 1)[0]
        if check == "induction":
            reason = _INDEX_REF.sub(
                lambda m: compiled.location_ids[int(m.group(1))], reason
            )
        elif check == "competence":
            reason = _INDEX_REF.sub(
                lambda m: repr(compiled.competences[int(m.group(1))]), reason
            )
        elif check == "unavailable":
            # When and why someone is absent is personal: say only that they are.
            reason = "unavailable: absent during the shift (H15)"
        else:
            reason = _INDEX_REF.sub(shift_name, reason)
        reasons.append(reason)
    return reasons


# ---------------------------------------------------------------------------
# Candidates against a roster
# ---------------------------------------------------------------------------

BLOCKED_GROUPS: dict[str, tuple[str, ...]] = {
    "booked": ("H1",),
    "rest_blocked": ("H4", "H5", "H6", "H7", "H8"),
    "hours_blocked": ("H9", "H10", "H11", "H16", "SUN"),
    "consent_blocked": ("CONSENT",),
}
"""The groups of people in the candidate pool whom the roster keeps from a slot, by
the rules that block them. A person breaking rules of several groups is listed in
the first; one breaking any other rule (qualification, induction, absence, travel,
night or pregnancy exemption, shift length) is no candidate at all."""

BLOCKED_COLUMNS = [
    "staff_id",
    "employment",
    "organisation",
    "level",
    "rules",
    "shifts",
    "detail",
]
"""Columns of the blocked groups of `SlotCandidates`: ``rules`` the rule ids broken
(comma-separated), ``shifts`` the shifts of the first of them (comma-separated, empty
for weekly totals) and ``detail`` the evaluator's words for it."""

ASK_COLUMNS = [
    "staff_id",
    "organisation",
    "level",
    "week",
    "extra_hours",
    "travel_km",
    "cost",
]
"""Columns of the ask list of `SlotCandidates`: ``week`` the horizon week of the
shift, ``extra_hours`` the person's paid hours in that week with the shift above
their desired hours."""


@dataclass(frozen=True)
class SlotCandidates:
    """Who may take one open slot given a roster, and who may not, and why.

    Attributes
    ----------
    slot
        The open slot.
    filler
        Who fills it in the roster: a staff index (left out of every list),
        ``UNCOVERED`` (-1) or ``AGENCY`` (-2).
    ranked
        The people of the candidate pool who break no rule by taking it, best first
        (`CANDIDATE_COLUMNS`, ordered as `rank_candidates` orders them; hours left
        and ANW shifts count the roster's new assignments too).
    blocked
        Per `BLOCKED_GROUPS` name, the pool's people kept from it by the roster
        (`BLOCKED_COLUMNS`), by staff id.
    ask
        People outside the candidate pool who break only CONSENT by taking it: they
        could, if they agreed (`ASK_COLUMNS`), fewest extra hours first, then travel.
    """

    slot: int
    filler: int
    ranked: pd.DataFrame
    blocked: dict[str, pd.DataFrame]
    ask: pd.DataFrame


def _rule_bits(names: tuple[str, ...]) -> int:
    """Returns the `slot_verdicts` mask of the rules named (unknown names are left out)."""
    from carecap.kernels.evaluate import RULE_IDS

    return sum(1 << RULE_IDS.index(name) for name in names if name in RULE_IDS)


def roster_candidates(
    compiled: CompiledRegion,
    slot: int,
    roster: np.ndarray | None = None,
    *,
    remaining: np.ndarray | None = None,
    anw_shifts: np.ndarray | None = None,
) -> SlotCandidates:
    """Returns who may take an open slot given a roster of the other open slots.

    Each person is judged by the evaluator's own per-person rule checks with the
    slot added to their roster (`carecap.kernels.candidates.slot_verdicts`), so the answer
    holds for the roster as it is, not only for the base roster.

    Parameters
    ----------
    compiled
        The compiled region.
    slot
        Open-slot index.
    roster
        int64 ``slot_assignee`` of the current roster (`carecap.roster.read_roster`);
        None for the base roster alone (every open slot uncovered).
    remaining, anw_shifts
        `carecap.kernels.capacity.remaining_week_minutes` and `fixed_anw_shifts`, when the
        caller looks at several slots and computes them once.

    Returns
    -------
    SlotCandidates
    """
    from carecap.kernels.candidates import slot_verdicts
    from carecap.kernels.eligibility import AGENCY as AGENCY_EMPLOYMENT
    from carecap.kernels.eligibility import default_candidates
    from carecap.kernels.evaluate import RULE_IDS

    arrays = compiled.arrays
    num_slots, num_staff = len(arrays.slot_shift), len(arrays.staff_level)
    if roster is None:
        roster = np.full(num_slots, -1, dtype=np.int64)
    verdicts = slot_verdicts(compiled, roster, slot)
    if remaining is None:
        remaining = remaining_week_minutes(arrays)
    if anw_shifts is None:
        anw_shifts = fixed_anw_shifts(compiled)

    # The roster's other new assignments: hours in the slot's week, ANW shifts.
    others = np.array(roster, dtype=np.int64, copy=True)
    others[slot] = -1
    shift = int(arrays.slot_shift[slot])
    week = int(arrays.shift_week[shift])
    slot_shifts = arrays.slot_shift
    in_week = (others >= 0) & (arrays.shift_week[slot_shifts] == week)
    new_minutes = np.bincount(
        others[in_week],
        weights=arrays.shift_paid[slot_shifts][in_week],
        minlength=num_staff,
    )
    anw_new = (others >= 0) & (arrays.shift_anw[slot_shifts] != ANW_CODES[AnwClass.DAY])
    anw = anw_shifts + np.bincount(others[anw_new], minlength=num_staff)
    hours_left = np.maximum(remaining[:, week] - new_minutes, 0) / 60

    checked = verdicts.checked
    pool = default_candidates(arrays) & (arrays.staff_employment != AGENCY_EMPLOYMENT)
    mask = verdicts.rules
    grouped = 0
    group_bits = {}
    for name, rules in BLOCKED_GROUPS.items():
        group_bits[name] = _rule_bits(rules)
        grouped |= group_bits[name]
    other = ~np.int64(grouped)
    consent = np.int64(_rule_bits(("CONSENT",)))
    staff = compiled.region.staff

    def base(people: np.ndarray) -> dict[str, list]:
        return {
            "staff_id": [compiled.staff_ids[p] for p in people],
            "employment": [staff[p].employment.value for p in people],
            "organisation": [
                compiled.organisation_ids[o] if o >= 0 else ""
                for o in arrays.staff_org[people]
            ],
            "level": [f"N{int(level)}" for level in arrays.staff_level[people]],
        }

    people = np.flatnonzero(checked & pool & (mask == 0))
    ranked = pd.DataFrame(
        {
            **base(people),
            "hours_left": hours_left[people],
            "travel_km": verdicts.travel_km[people],
            "anw_shifts": anw[people],
            "cost": verdicts.cost[people],
        },
        columns=CANDIDATE_COLUMNS,
    ).sort_values(
        ["hours_left", "travel_km", "anw_shifts", "cost", "staff_id"],
        ascending=[False, True, True, True, True],
        kind="mergesort",
    )

    blocked: dict[str, pd.DataFrame] = {}
    taken = np.zeros(num_staff, dtype=bool)
    listable = checked & pool & (mask != 0) & ((mask & other) == 0)
    for name, bits in group_bits.items():
        people = np.flatnonzero(listable & ~taken & ((mask & bits) != 0))
        taken[people] = True
        rules = [
            ", ".join(
                rule for code, rule in enumerate(RULE_IDS) if (int(mask[p]) >> code) & 1
            )
            for p in people
        ]
        first = [verdicts.violation(int(p)) for p in people]
        blocked[name] = (
            pd.DataFrame(
                {
                    **base(people),
                    "rules": rules,
                    "shifts": [", ".join(v.shifts) if v else "" for v in first],
                    "detail": [v.detail if v else "" for v in first],
                },
                columns=BLOCKED_COLUMNS,
            )
            .sort_values("staff_id", kind="mergesort")
            .reset_index(drop=True)
        )

    people = np.flatnonzero(checked & ~pool & ((mask & ~consent) == 0))
    extra = verdicts.minutes_above_desired(people) / 60
    fields = base(people)
    del fields["employment"]
    ask = pd.DataFrame(
        {
            **fields,
            "week": week,
            "extra_hours": extra,
            "travel_km": verdicts.travel_km[people],
            "cost": verdicts.cost[people],
        },
        columns=ASK_COLUMNS,
    ).sort_values(["extra_hours", "travel_km", "staff_id"], kind="mergesort")
    return SlotCandidates(
        slot=slot,
        filler=verdicts.filler,
        ranked=ranked.reset_index(drop=True),
        blocked=blocked,
        ask=ask.reset_index(drop=True),
    )

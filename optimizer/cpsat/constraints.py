"""Hard rules of the roster model, one private method per rule family.

The families are written with the general rule families of `.library` (at-most-one
cliques, counts and weighted sums with fixed work as constants), the same functions
the Curtois nurse-rostering adapter (`carecap.nrp`) builds its model from; weekly
rest (H8) and the hour windows stay here, being clock-based.

Rules checked per pair by the eligibility graph are not repeated here: H2, H3, H12,
H13, H14, H15, H18, and H1/H4/H5/H6 between one new shift and the fixed roster.
What is left involves several new shifts, and is modelled here over each person's
fixed (base roster and carry-in) and possible new shifts:

* exact: cover, SUPPLY, H1/H4/H5 (at-most-one cliques of the conflict graph), H8
  with 7 x 24 h (the period from every worked shift's start needs a free 36 h
  interval starting at a possible shift end), H9/H16 and CONSENT (weekly, 4- and
  16-week paid minutes with carry-in; a week with new shifts within the hours the
  person offered), H10, H11 (the night-worker 16-week limit is switched on by a
  Boolean), SUN;
* conservative: H6 (any chain of ``night_series_length`` consecutive nights forbids
  every later non-continuing shift within the long rest, even when a shift lies in
  between), H7 (no 8 consecutive worked days in a window holding any possible night),
  H8 with 14 x 24 h (one free 72 h interval or two free 36 h ones in the period,
  where the rule book also takes blocks of 32 h and 40 h).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
from carecap.kernels.conflicts import shift_conflicts
from ortools.sat.python import cp_model

from .library import at_most_one_cliques, max_count, weighted_sum_between
from .variables import Variables

log = logging.getLogger("carecap")

_DAY = 24 * 60
_WEEK = 7 * _DAY
_NO_CAP = 1 << 40  # minutes: a weekly cap that never binds

FAMILIES: dict[str, tuple[str, ...]] = {
    "_cover_slots": ("COVER",),
    "_agency_supply": ("SUPPLY",),
    "_one_slot_per_shift": ("H1",),
    "_conflict_cliques": ("H1", "H4", "H5"),
    "_rest_after_night_series": ("H6",),
    "_consecutive_days_with_night": ("H7",),
    "_weekly_rest": ("H8",),
    "_weekly_minutes": ("H9", "H16", "CONSENT"),
    "_window_minutes": ("H9", "H11"),
    "_night_count": ("H10",),
    "_horizon_maximum": ("H16",),
    "_free_sundays": ("SUN",),
}
"""Rule-family method -> the rule ids it enforces (``skip`` removes by id)."""


class Constraints:
    """Adds the hard rules to a model.

    Parameters
    ----------
    model, arrays, variables
        The model, the compiled arrays and the model's `Variables`.
    skip
        Rule ids whose families are left out (tests only: a roster may then break
        them). A family enforcing several ids is weakened only where it can be
        (``_weekly_minutes`` keeps the other cap); otherwise it is dropped.
    anw_balance_minutes
        The ANW policy (`SolveParams.anw_balance_hours`) in minutes, or None.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        arrays: Any,
        variables: Variables,
        skip: Iterable[str] = (),
        anw_balance_minutes: int | None = None,
    ):
        self.model = model
        self.a = arrays
        self.v = variables
        self.skip = frozenset(skip)
        self.anw_balance_minutes = anw_balance_minutes
        self.num_cliques = 0

    def add_constraints(self) -> None:
        """Adds every rule family not skipped, in the order of `FAMILIES`."""
        # Order does not matter for correctness; H8 relies on H1 (no overlaps) holding.
        for name, ids in FAMILIES.items():
            if name == "_weekly_minutes":
                if not {"H9", "H16", "CONSENT"} <= self.skip:
                    self._weekly_minutes()
                continue
            if name == "_conflict_cliques":
                # One family for overlap and rest conflicts, left out with H1; the
                # rest rules alone are lifted through their parameters instead.
                if "H1" not in self.skip:
                    self._conflict_cliques()
                continue
            if name == "_window_minutes":
                if "H9" not in self.skip:
                    self._window_minutes()
                continue
            if self.skip.isdisjoint(ids):
                getattr(self, name)()
        if self.anw_balance_minutes is not None:
            self._anw_balance()

    # -- helpers -------------------------------------------------------------------

    def _items(self, person: int) -> list[tuple[int, bool]]:
        """Returns a person's fixed and possible new shifts as (shift, new), by start."""
        start = self.a.shift_start
        items = [(s, False) for s in self.v.fixed_shifts(person)]
        items += [(s, True) for s in self.v.new_shifts(person)]
        items.sort(key=lambda item: (int(start[item[0]]), item[0]))
        return items

    def _literals(self, person: int, shift: int) -> list[cp_model.IntVar]:
        """Returns the person's pair literals of a shift (one per slot they may fill)."""
        return [self.v.x[j] for j in self.v.shift_pairs[person][shift]]

    def _at_most(
        self, person: int, members: list[tuple[int, bool]], limit: int
    ) -> None:
        """Adds 'at most ``limit`` of these shifts are worked' (fixed ones count 1)."""
        literals = [
            lit for s, new in members if new for lit in self._literals(person, s)
        ]
        if literals:
            fixed = [True for _, new in members if not new]
            max_count(self.model, [*fixed, *literals], limit)

    # -- rule families -----------------------------------------------------------------

    def _cover_slots(self) -> None:
        """COVER: each open slot is filled once, by a person, agency or left uncovered."""
        v = self.v
        for slot in range(v.num_slots):
            terms = [v.x[j] for j in v.slot_pairs(slot)]
            if slot in v.agency:
                terms.append(v.agency[slot])
            terms.append(v.uncovered[slot])
            self.model.add_exactly_one(terms)

    def _agency_supply(self) -> None:
        """SUPPLY: agency bookings per local day and level stay within the supply."""
        a, v = self.a, self.v
        groups: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for slot, var in v.agency.items():
            day = int(a.shift_day[a.slot_shift[slot]])
            groups[(day, int(a.slot_level[slot]))].append(var)
        for (day, level), terms in groups.items():
            supply = int(a.agency_supply[day, level])
            if len(terms) > supply:
                max_count(self.model, terms, supply)

    def _one_slot_per_shift(self) -> None:
        """H1: a person fills at most one slot of a shift."""
        v = self.v
        for person in v.people:
            at_most_one_cliques(
                self.model,
                ([v.x[j] for j in pairs] for pairs in v.shift_pairs[person].values()),
            )

    def _conflict_cliques(self) -> None:
        """H1/H4/H5: conflicting new shifts (overlap, same day, short rest) as cliques."""
        a, v = self.a, self.v
        first, second = shift_conflicts(a)
        neighbours: dict[int, set[int]] = defaultdict(set)
        for s, t in zip(first.tolist(), second.tolist(), strict=True):
            neighbours[s].add(t)
            neighbours[t].add(s)
        for person in v.people:
            shifts = v.new_shifts(person)  # by start: the sweep order
            mine = set(shifts)
            self.num_cliques += at_most_one_cliques(
                self.model,
                (
                    [x for s in clique for x in self._literals(person, s)]
                    for clique in _clique_cover(shifts, neighbours, mine)
                ),
            )

    def _rest_after_night_series(self) -> None:
        """H6: no shift within the long rest after a series of consecutive nights."""
        a = self.a
        length = int(a.rules.night_series_length)
        rest = int(a.rules.rest_after_night_series_minutes)
        start, end, late = a.shift_start, a.shift_end, a.shift_night_after_0200
        horizon = a.num_horizon_shifts
        for person in self.v.people:
            items = self._items(person)
            nights = [it for it in items if late[it[0]]]
            succ = {
                it: [
                    nx
                    for nx in nights
                    if start[nx[0]] > start[it[0]] and start[nx[0]] - end[it[0]] < _DAY
                ]
                for it in nights
            }
            chains: list[list[tuple[int, bool]]] = [[n] for n in nights]
            for _ in range(length - 1):
                chains = [[*c, n] for c in chains for n in succ[c[-1]]]
            seen = set()
            for chain in chains:
                last = chain[-1][0]
                for b in items:
                    s = b[0]
                    if start[s] <= start[last] or s >= horizon:
                        continue
                    gap = int(start[s] - end[last])
                    if gap >= rest:
                        continue
                    if late[s] and gap < _DAY:
                        continue  # continues the series: later chains cover it
                    members = [*chain, b]
                    key = tuple(sorted(m[0] for m in members))
                    if key in seen:
                        continue
                    seen.add(key)
                    self._at_most(person, members, length)

    def _consecutive_days_with_night(self) -> None:
        """H7: conservative: no 8 worked days in a row where any could hold a night."""
        a, v = self.a, self.v
        limit = int(a.rules.max_consecutive_shifts_with_night)
        for person in v.people:
            by_day: dict[int, list[tuple[int, bool]]] = defaultdict(list)
            night_day: set[int] = set()
            for s, new in self._items(person):
                d = int(a.shift_day[s])
                by_day[d].append((s, new))
                if a.shift_is_night[s]:
                    night_day.add(d)
            days = sorted(by_day)
            if not days:
                continue
            for d0 in range(days[0], a.num_days - limit):
                window = range(d0, d0 + limit + 1)
                if d0 + limit < 0 or any(d not in by_day for d in window):
                    continue
                if not any(d in night_day for d in window):
                    continue
                fixed_days = []
                literals = []
                for d in window:
                    if any(not new for _, new in by_day[d]):
                        fixed_days.append(True)
                    else:
                        literals += [
                            x for s, _ in by_day[d] for x in self._literals(person, s)
                        ]
                if literals:
                    max_count(self.model, [*fixed_days, *literals], limit)

    def _weekly_rest(self) -> None:
        """H8: the period from every worked shift's start holds the weekly rest.

        The rule book anchors the period at the start of each *series* (shifts up
        to a rest of 32 h). Anchoring it at every worked shift is the same rule: a
        shift inside a series starts later than the series, so its period holds
        every rest of at least 32 h that the series' period holds (inside a series
        all rests are shorter), each at least as long after clipping. The 7 x 24 h
        encoding is therefore exact; the 14 x 24 h one asks for one rest of 72 h or
        two of 36 h, stricter than 72 h in any blocks of 32 h.
        """
        a, v = self.a, self.v
        rules = a.rules
        period = int(rules.weekly_rest_period_minutes)
        need = int(rules.weekly_rest_minutes)
        if int(rules.weekly_rest_block_minutes) == need:
            shapes = [(need,)]
        else:
            shapes = [(need,), (need // 2, need - need // 2)]
        start, end = a.shift_start, a.shift_end
        for person in v.people:
            items = self._items(person)
            free = _RestLiterals(self.model, v, person, items, start, end)
            sorted_ends = np.unique(end[[s for s, _ in items]])
            for s, new in items:
                anchor = int(start[s])
                if anchor + period <= 0:
                    continue
                options = [
                    o
                    for shape in shapes
                    for o in free.options(sorted_ends, anchor, anchor + period, shape)
                ]
                if any(o is True for o in options):
                    continue
                bools = [o for o in options if o is not None]
                if not new:
                    if bools:
                        self.model.add_bool_or(bools)
                    else:
                        log.warning("fixed roster of a person breaks H8; left as is")
                elif bools:
                    self.model.add(sum(bools) >= v.works(person, s))
                else:
                    self.model.add(v.works(person, s) == 0)

    def _week_tables(self, person: int) -> tuple[np.ndarray, np.ndarray, list, list]:
        """Returns per week (carry-in then horizon): fixed minutes, fixed nights, and
        the new-minute and new-night terms of the horizon weeks."""
        a, v = self.a, self.v
        prior = a.staff_prior_week_minutes.shape[1]
        weeks = prior + a.num_weeks
        minutes = np.zeros(weeks, dtype=np.int64)
        nights = np.zeros(weeks, dtype=np.int64)
        minutes[:prior] = a.staff_prior_week_minutes[person]
        nights[:prior] = a.staff_prior_week_nights[person]
        new_min: list[list] = [[] for _ in range(weeks)]
        new_night: list[list] = [[] for _ in range(weeks)]
        horizon = a.num_horizon_shifts
        for s in v.fixed_shifts(person):
            if s < horizon:
                w = prior + int(a.shift_week[s])
                minutes[w] += int(a.shift_paid[s])
                nights[w] += int(a.shift_night_after_0200[s])
        for s in v.new_shifts(person):
            w = prior + int(a.shift_week[s])
            new_min[w].append(int(a.shift_paid[s]) * v.works(person, s))
            if a.shift_night_after_0200[s]:
                new_night[w].append(v.works(person, s))
        return minutes, nights, new_min, new_night

    def _weekly_minutes(self) -> None:
        """H9/H16: paid minutes per ATW week within min(person's max, ATW weekly max);
        CONSENT: a week with new shifts within the hours the person offered.

        A week whose fixed work alone is above the offered hours breaks nothing: its
        new shifts are kept at zero instead of making the model infeasible.
        """
        a = self.a
        prior = a.staff_prior_week_minutes.shape[1]
        for person in self.v.people:
            caps = [_NO_CAP]
            if "H9" not in self.skip:
                caps.append(int(a.rules.max_week_minutes))
            if "H16" not in self.skip:
                caps.append(int(a.staff_max_minutes[person]))
            cap = min(caps)
            consent = _NO_CAP
            if "CONSENT" not in self.skip:
                consent = int(a.staff_consent_minutes[person])
            minutes, _, new_min, _ = self._week_tables(person)
            for w in range(prior, prior + a.num_weeks):
                if new_min[w]:
                    fixed = int(minutes[w])
                    room = min(cap - fixed, max(consent - fixed, 0))
                    self.model.add(sum(new_min[w]) <= room)

    def _window_minutes(self) -> None:
        """H9/H11: 4- and 16-week paid minutes with carry-in; night workers' 16-week cap."""
        a = self.a
        rules = a.rules
        prior = a.staff_prior_week_minutes.shape[1]
        for person in self.v.people:
            minutes, nights, new_min, new_night = self._week_tables(person)
            for w in range(prior, prior + a.num_weeks):
                stop = w + 1
                for span in (4, 16):
                    lo = max(0, stop - span)
                    terms = [t for k in range(lo, stop) for t in new_min[k]]
                    if not terms:
                        continue
                    fixed = int(minutes[lo:stop].sum())
                    if span == 4:
                        self.model.add(
                            sum(terms) <= span * rules.max_avg_minutes_4w - fixed
                        )
                        continue
                    night_terms = [t for k in range(lo, stop) for t in new_night[k]]
                    fixed_nights = int(nights[lo:stop].sum())
                    threshold = int(rules.night_worker_threshold_16w)
                    loose = 16 * int(rules.max_avg_minutes_16w)
                    tight = 16 * int(rules.max_avg_minutes_16w_night_workers)
                    if (
                        "H11" in self.skip
                        or fixed_nights + len(night_terms) < threshold
                    ):
                        self.model.add(sum(terms) <= loose - fixed)
                    elif fixed_nights >= threshold:
                        self.model.add(sum(terms) <= tight - fixed)
                    else:
                        worker = self.model.new_bool_var(f"night_worker[{person},{w}]")
                        big = len(night_terms)
                        self.model.add(
                            sum(night_terms) + fixed_nights
                            <= threshold - 1 + big * worker
                        )
                        self.model.add(sum(terms) <= tight - fixed).only_enforce_if(
                            worker
                        )
                        self.model.add(sum(terms) <= loose - fixed)

    def _night_count(self) -> None:
        """H10: nights ending after 02:00 in every 16 weeks (carry-in included)."""
        a = self.a
        prior = a.staff_prior_week_minutes.shape[1]
        cap = int(a.rules.max_nights_16w)
        for person in self.v.people:
            _, nights, _, new_night = self._week_tables(person)
            for w in range(prior, prior + a.num_weeks):
                lo = max(0, w + 1 - 16)
                terms = [t for k in range(lo, w + 1) for t in new_night[k]]
                if terms:
                    self.model.add(sum(terms) <= cap - int(nights[lo : w + 1].sum()))

    def _horizon_maximum(self) -> None:
        """H16: a person's paid minutes over the horizon within their maximum x weeks."""
        a, v = self.a, self.v
        horizon = a.num_horizon_shifts
        for person in v.people:
            fixed = sum(
                int(a.shift_paid[s]) for s in v.fixed_shifts(person) if s < horizon
            )
            shifts = v.new_shifts(person)
            weighted_sum_between(
                self.model,
                [True, *(x for s in shifts for x in self._literals(person, s))],
                [
                    fixed,
                    *(
                        int(a.shift_paid[s])
                        for s in shifts
                        for _ in self._literals(person, s)
                    ),
                ],
                upper=int(a.staff_max_minutes[person]) * a.num_weeks,
            )

    def _anw_balance(self) -> None:
        """ANW policy: the mean ANW excess of new work per candidate of the flex pool
        and of employees differ by at most the tolerance (both 0 when nobody gets
        anything, so the rule never makes the model infeasible)."""
        from .objective import anw_share

        a, v = self.a, self.v
        share, scale = anw_share(a)
        groups: dict[bool, list[int]] = defaultdict(list)
        for person in v.people:
            groups[bool(a.staff_employment[person] == 1)].append(person)
        if len(groups) < 2:
            return
        totals = {}
        for pool, members in groups.items():
            literals, weights = [], []
            for person in members:
                for s in v.new_shifts(person):
                    excess = int(a.shift_paid[s]) * (
                        scale * (a.shift_anw[s] != 0) - share
                    )
                    for x in self._literals(person, s):
                        literals.append(x)
                        weights.append(excess)
            totals[pool] = (
                cp_model.LinearExpr.weighted_sum(literals, weights),
                len(members),
            )
        (employees, n_e), (pool, n_p) = totals[False], totals[True]
        # |employees / n_e - pool / n_p| <= tolerance, times n_e x n_p x scale.
        limit = int(self.anw_balance_minutes) * scale * n_e * n_p
        self.model.add(n_p * employees - n_e * pool <= limit)
        self.model.add(n_e * pool - n_p * employees <= limit)

    def _free_sundays(self) -> None:
        """SUN: Sundays worked in 52 weeks (carry-in + horizon) within the maximum."""
        a, v = self.a, self.v
        horizon = a.num_horizon_shifts
        for person in v.people:
            literals = [
                x
                for s in v.new_shifts(person)
                if a.shift_is_sunday[s]
                for x in self._literals(person, s)
            ]
            if not literals:
                continue
            fixed = [
                True
                for s in v.fixed_shifts(person)
                if s < horizon and a.shift_is_sunday[s]
            ]
            cap = int(a.rules.max_sundays_52w) - int(a.staff_sundays_52w[person])
            max_count(self.model, [*fixed, *literals], cap)


def _clique_cover(
    shifts: list[int], neighbours: dict[int, set[int]], mine: set[int]
) -> list[list[int]]:
    """Returns cliques (size >= 2) of the conflict graph on ``mine`` covering every edge.

    A sweep by start: each shift opens a clique with its later conflicting shifts
    that conflict with every member so far; edges left uncovered get a clique grown
    greedily from the edge itself.
    """
    order = {s: k for k, s in enumerate(shifts)}
    covered: set[tuple[int, int]] = set()
    cliques: list[list[int]] = []
    seen: set[frozenset[int]] = set()

    def grow(members: list[int]) -> None:
        later = sorted(
            set.intersection(*(neighbours.get(m, set()) & mine for m in members))
            - set(members),
            key=order.__getitem__,
        )
        for t in later:
            if all(t in neighbours.get(m, ()) for m in members):
                members.append(t)
        key = frozenset(members)
        if len(members) >= 2 and key not in seen:
            seen.add(key)
            cliques.append(sorted(members, key=order.__getitem__))
            for i, s in enumerate(members):
                for t in members[i + 1 :]:
                    covered.add((min(s, t), max(s, t)))

    for s in shifts:
        later = [t for t in neighbours.get(s, ()) if t in mine and order[t] > order[s]]
        if later:
            grow([s])
    for s in shifts:
        for t in neighbours.get(s, ()):
            if t in mine and (min(s, t), max(s, t)) not in covered:
                grow([s, t])
    return cliques


__all__ = ["FAMILIES", "Constraints"]


class _RestLiterals:
    """Literals 'a person rests from ``t`` for ``length`` minutes', shared by anchors.

    Each is True (surely free), None (a fixed shift lies inside) or a Boolean that
    forces off every new shift inside.
    """

    def __init__(self, model, variables, person, items, start, end):
        self.model = model
        self.v = variables
        self.person = person
        self.shift_of = np.array([s for s, _ in items], dtype=np.int64)
        self.is_new = np.array([new for _, new in items], dtype=bool)
        self.starts = start[self.shift_of]
        self.ends = end[self.shift_of]
        self.cache: dict[tuple[int, int], Any] = {}

    def rest(self, t: int, length: int) -> Any:
        """Returns the literal of a rest of ``length`` minutes from ``t``."""
        key = (t, length)
        if key in self.cache:
            return self.cache[key]
        inside = np.flatnonzero((self.starts < t + length) & (self.ends > t))
        if not self.is_new[inside].all():
            result: Any = None
        elif inside.size == 0:
            result = True
        else:
            result = self.model.new_bool_var(f"rest[{self.person},{t},{length}]")
            for k in inside:
                works = self.v.works(self.person, int(self.shift_of[k]))
                self.model.add(works + result <= 1)
        self.cache[key] = result
        return result

    def options(
        self, sorted_ends: np.ndarray, lo: int, hi: int, shape: tuple[int, ...]
    ) -> list[Any]:
        """Returns the ways to rest in [lo, hi) in blocks of the lengths of ``shape``.

        A free interval of the period starts at a shift end or at ``lo``, which is
        a worked shift's start, so shift ends are the only candidates. One block:
        one literal per candidate. Two blocks: a conjunction per later candidate
        with any earlier block that ends before it starts.
        """
        first = shape[0]
        lo_k = np.searchsorted(sorted_ends, lo, side="left")
        if len(shape) == 1:
            hi_k = np.searchsorted(sorted_ends, hi - first, side="right")
            return [self.rest(int(t), first) for t in sorted_ends[lo_k:hi_k]]
        second = shape[1]
        hi_k = np.searchsorted(sorted_ends, hi - second, side="right")
        candidates = [int(t) for t in sorted_ends[lo_k:hi_k]]
        options: list[Any] = []
        for t2 in candidates:
            later = self.rest(t2, second)
            if later is None:
                continue
            earlier = [
                o
                for t1 in candidates
                if t1 + first <= t2
                for o in [self.rest(t1, first)]
                if o is not None
            ]
            if not earlier:
                continue
            if any(o is True for o in earlier):
                options.append(later)
                continue
            before = self.model.new_bool_var(f"rest_before[{self.person},{t2}]")
            self.model.add_bool_or(earlier).only_enforce_if(before)
            if later is True:
                options.append(before)
            else:
                both = self.model.new_bool_var(f"rests[{self.person},{t2}]")
                self.model.add_implication(both, before)
                self.model.add_implication(both, later)
                options.append(both)
        return options

"""Greedy base-roster builder for generated regions (Numba).

The generator needs a base roster that is legal under every hard rule of
`shared/domain.md` §7.4 and covers most of the demand, for up to ~20,000 people over
six weeks (two warm-up weeks for carry-in history plus the horizon), in seconds. This
module does the one hot loop: slots in chronological order per ward, each given to the
most suitable legal person of the slot's candidate group.

Legality is kept by construction with rules that are *sufficient* for the ATW rules:

* at most one shift start per local day; rest >= 11 h, >= 14 h after a night ending
  after 02:00, >= 46 h after a series of 3+ nights; night series capped at 4;
* weekly rest: every stretch of work between two rests of >= 36 h lasts at most
  7 x 24 h - 36 h = 132 h, so every 7 x 24 h window holds a 36 h rest; this also caps
  runs at 6 shifts (H7 allows 7 with a night);
* paid hours at most ``contract_slack_hours`` above the contract hours accumulated so
  far (weeks balance out, as plus-min hours do in practice), never above the person's
  weekly maximum, and paced through the week (at most one shift ahead of an even
  spread) so that weekends are staffed too; nights and Sundays within their 16- and 52-week caps;
* level (with the ward's over-qualification rule), competence, night exemption,
  pregnancy, unavailability.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MINUTES_PER_HOUR = 60
MAX_NIGHT_SERIES = 4
"""Nights come in blocks of 2-4 (`shared/domain.md` §7.5.9); never longer here."""

MAX_STRETCH_MINUTES = (7 * 24 - 36) * MINUTES_PER_HOUR


@njit(cache=True)
def build_roster(
    slot_start,
    slot_end,
    slot_paid,
    slot_day,
    slot_week,
    slot_level,
    slot_exact_level,
    slot_competence,
    slot_night,
    slot_night_after_0200,
    slot_irregular,
    slot_sunday,
    slot_group,
    slot_fill,
    group_ptr,
    group_members,
    staff_level,
    staff_competences,
    staff_week_budget,
    staff_week_max,
    staff_nights_allowed,
    staff_irregular_allowed,
    staff_concentrate,
    staff_night_room,
    staff_sunday_room,
    staff_night_bias,
    unavail_ptr,
    unavail_start,
    unavail_end,
    noise,
    rest_minutes,
    rest_after_night_minutes,
    rest_after_series_minutes,
    series_length,
    weekly_rest_minutes,
    pace_slack_hours,
    contract_slack_hours,
):
    """Assigns slots (sorted by start per group) to staff; returns assignee or -1.

    ``slot_fill`` False marks slots decided elsewhere to stay open. Times are minutes
    from a common origin; ``slot_week`` counts ATW weeks from the origin.
    """
    num_slots = slot_start.shape[0]
    num_staff = staff_level.shape[0]
    assignee = np.full(num_slots, -1, dtype=np.int64)

    very_early = np.int64(-(10**9))
    last_end = np.full(num_staff, very_early, dtype=np.int64)
    last_day = np.full(num_staff, -(10**6), dtype=np.int64)
    last_night = np.zeros(num_staff, dtype=np.bool_)
    night_run = np.zeros(num_staff, dtype=np.int64)
    stretch_start = np.full(num_staff, very_early, dtype=np.int64)
    worked = np.zeros(num_staff, dtype=np.float64)
    num_weeks = slot_week.max() + 1 if num_slots > 0 else 1
    week_worked = np.zeros((num_staff, num_weeks), dtype=np.float64)
    nights_left = staff_night_room.copy()
    sundays_left = staff_sunday_room.copy()

    for i in range(num_slots):
        if not slot_fill[i]:
            continue
        start = slot_start[i]
        end = slot_end[i]
        group = slot_group[i]
        best = -1
        best_score = -1e18
        for k in range(group_ptr[group], group_ptr[group + 1]):
            p = group_members[k]
            if slot_exact_level[i]:
                if staff_level[p] != slot_level[i]:
                    continue
            elif staff_level[p] < slot_level[i]:
                continue
            if (
                slot_competence[i] >= 0
                and not (staff_competences[p] >> slot_competence[i]) & 1
            ):
                continue
            if last_day[p] == slot_day[i]:
                continue
            if slot_night[i] and not staff_nights_allowed[p]:
                continue
            if slot_irregular[i] and not staff_irregular_allowed[p]:
                continue
            if slot_night_after_0200[i] and nights_left[p] <= 0:
                continue
            if slot_sunday[i] and sundays_left[p] <= 0:
                continue
            gap = start - last_end[p]
            continuing_series = (
                last_night[p]
                and slot_night_after_0200[i]
                and gap < 24 * MINUTES_PER_HOUR
            )
            if last_night[p]:
                if continuing_series:
                    if (
                        night_run[p] >= MAX_NIGHT_SERIES
                        or gap < rest_after_night_minutes
                    ):
                        continue
                elif night_run[p] >= series_length:
                    if gap < rest_after_series_minutes:
                        continue
                elif gap < rest_after_night_minutes:
                    continue
            elif gap < rest_minutes:
                continue
            stretch = start if gap >= weekly_rest_minutes else stretch_start[p]
            if end - stretch > MAX_STRETCH_MINUTES:
                continue
            week = slot_week[i]
            paid = slot_paid[i]
            if (
                worked[p] + paid
                > staff_week_budget[p] * (week + 1) + contract_slack_hours + 1e-9
            ):
                continue
            # Pace hours through the week so that Sundays are not left to nobody.
            pace = staff_week_budget[p] * (week + (slot_day[i] % 7 + 1) / 7.0)
            if worked[p] + paid > pace + pace_slack_hours + 1e-9:
                continue
            if week_worked[p, week] + paid > staff_week_max[p] + 1e-9:
                continue
            blocked = False
            for u in range(unavail_ptr[p], unavail_ptr[p + 1]):
                if unavail_start[u] < end and start < unavail_end[u]:
                    blocked = True
                    break
            if blocked:
                continue
            # Own staff: most hours still owed first. Agency: the busiest first, so a
            # few people work several shifts. Keep night series together; a little
            # noise so that equal people are not always picked in index order.
            if staff_concentrate[p]:
                score = worked[p] + noise[p]
            else:
                score = staff_week_budget[p] * (week + 1) - worked[p] + noise[p]
            if slot_night[i]:
                score += staff_night_bias[p]
                if continuing_series:
                    score += 1000.0
            if score > best_score:
                best_score = score
                best = p
        if best < 0:
            continue
        p = best
        gap = start - last_end[p]
        continuing = (
            last_night[p] and slot_night_after_0200[i] and gap < 24 * MINUTES_PER_HOUR
        )
        if slot_night_after_0200[i]:
            night_run[p] = night_run[p] + 1 if continuing else 1
            nights_left[p] -= 1
        else:
            night_run[p] = 0
        last_night[p] = slot_night_after_0200[i]
        if gap >= weekly_rest_minutes:
            stretch_start[p] = start
        last_end[p] = end
        last_day[p] = slot_day[i]
        worked[p] += slot_paid[i]
        week_worked[p, slot_week[i]] += slot_paid[i]
        if slot_sunday[i]:
            sundays_left[p] -= 1
        assignee[i] = p
    return assignee

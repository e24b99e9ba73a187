"""The ask list: who could take an agency or uncovered slot if asked.

Extra shifts go only to people who offered them, up to the hours they offered
(CONSENT, `shared/domain.md` §7.4 H16), so the solver never plans anyone beyond that.
A planner can still phone someone: the ask list names, for every slot of a roster
that goes to agency or stays uncovered, the people for whom taking that slot alone
breaks CONSENT and no other rule. Each person is judged against the whole roster
by the evaluator's own per-person checks (`carecap.kernels.candidates.slot_verdicts`).

Only people who pass every per-pair check except consent (qualification,
induction, availability, travel, rest against their fixed shifts) are tried: the
eligibility graph with CONSENT lifted finds them, so a large region costs a few
people per slot, not its whole staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np

from .compile import CompiledRegion, without_consent

ASK_PER_SLOT = 5
"""People listed per slot (fewest extra hours first, then travel)."""


@dataclass(frozen=True)
class AskEntry:
    """One person who could take one slot if asked.

    Attributes
    ----------
    shift_id, level, competence
        The slot: its shift, level and competence (empty for none).
    now
        ``agency`` or ``uncovered``: what the roster does with the slot.
    staff_id, organisation
        The person and their employer (empty for none). Ids only: never names.
    week
        The ISO week of the shift's start (``2026-W13``).
    extra_hours
        Paid hours the person's week would hold above their desired hours with the
        shift (0 for someone who offered no extra shifts but whose week has room up
        to their desired hours: asked to work within them), as
        ``carecap candidates`` counts them.
    """

    shift_id: str
    level: str
    competence: str
    now: str
    staff_id: str
    organisation: str
    week: str
    extra_hours: float

    def to_dict(self) -> dict[str, object]:
        """Returns the entry as a JSON-ready dict."""
        return asdict(self)


def ask_list(
    compiled: CompiledRegion, slot_assignee: np.ndarray, per_slot: int = ASK_PER_SLOT
) -> tuple[list[AskEntry], int]:
    """Returns the ask list of a roster and the number of (slot, person) pairs in all.

    Parameters
    ----------
    compiled
        The compiled region.
    slot_assignee
        int64 per open slot: staff index, ``AGENCY`` or ``UNCOVERED`` (the roster).
    per_slot
        Entries kept per slot: fewest extra hours first, then travel, then staff index.

    Returns
    -------
    tuple
        The entries (units in slot order), and the number of (unit, person) pairs
        before the cut per unit. Slots of one shift, level and competence that are
        all agency (or all uncovered) are one unit: the same people could take any.
    """
    from carecap.kernels.candidates import slot_verdicts
    from carecap.kernels.eligibility import eligibility
    from carecap.kernels.evaluate import AGENCY, Rule

    arrays = compiled.arrays
    roster = np.ascontiguousarray(slot_assignee, dtype=np.int64)
    open_now = np.flatnonzero(roster < 0)
    if open_now.size == 0:
        return [], 0
    graph = eligibility(without_consent(arrays))
    consent_only = np.int64(1) << np.int64(Rule.CONSENT)
    region = compiled.region
    entries: list[AskEntry] = []
    total = 0
    # Slots of one unit (shift, level, competence) that the roster treats alike are
    # interchangeable: the unit is listed once.
    seen: set[tuple[tuple[int, int, int], int]] = set()
    for slot in open_now.tolist():
        members = graph.staff_of(slot)
        unit = (
            int(arrays.slot_shift[slot]),
            int(arrays.slot_level[slot]),
            int(arrays.slot_competence[slot]),
        )
        if members.size == 0 or (unit, int(roster[slot])) in seen:
            continue
        seen.add((unit, int(roster[slot])))
        people = np.zeros(len(arrays.staff_level), dtype=np.bool_)
        people[members] = True
        verdicts = slot_verdicts(compiled, roster, slot, people)
        asked = np.flatnonzero(verdicts.checked & (verdicts.rules == consent_only))
        total += asked.size
        if asked.size == 0:
            continue
        beyond = verdicts.minutes_above_desired(asked)
        order = np.lexsort((asked, verdicts.travel_km[asked], beyond))[:per_slot]
        open_slot = region.open_slots[slot]
        start = region.shift_classes[open_slot.shift].start
        week = _iso_week(start)
        now = "agency" if roster[slot] == AGENCY else "uncovered"
        for k in order.tolist():
            person = region.staff[int(asked[k])]
            entries.append(
                AskEntry(
                    shift_id=open_slot.shift,
                    level=open_slot.level.value,
                    competence=open_slot.competence or "",
                    now=now,
                    staff_id=person.id,
                    organisation=person.organisation or "",
                    week=week,
                    extra_hours=int(beyond[k]) / 60,
                )
            )
    return entries, total


def _iso_week(moment: dt.datetime) -> str:
    """Returns the ISO week (``2026-W13``) of an instant's local date."""
    from .clock import TZ

    year, week, _ = moment.astimezone(TZ).date().isocalendar()
    return f"{year}-W{week:02d}"

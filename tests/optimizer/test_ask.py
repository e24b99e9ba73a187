"""The ask list: people who could take an agency or uncovered slot if they agreed."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from carecap.ask import ask_list
from carecap.compile import compile_region
from carecap.instances.generator import generate_region
from carecap.kernels.evaluate import UNCOVERED, evaluate_roster
from carecap.solve import solve

from tests.optimizer.test_solve import PARAMS, _region

WITHOUT_WISH = {
    "employment": "employee",
    "ward": "W",
    "contract_hours": 24,
    "desired_hours": 24,
}
"""`_region`'s person as an employee who wants no more hours: offers no shift."""


def test_only_legal_candidate_without_an_offer_is_asked():
    """Tests that an employee who offered nothing, the only person who could legally
    work an open shift, is left off the roster and listed to ask, exactly once."""
    compiled = _region([("2026-03-02", "E")], person=WITHOUT_WISH)
    result = solve(compiled, PARAMS, seed=0)
    assert result.slot_assignee.tolist() == [UNCOVERED]
    asked, total = ask_list(compiled, result.slot_assignee)
    assert total == 1
    (entry,) = asked
    assert (entry.shift_id, entry.level, entry.now, entry.staff_id) == (
        "S0",
        "N3",
        "uncovered",
        "F1",
    )
    assert entry.week == "2026-W10"
    assert entry.extra_hours == 0  # nothing worked that week: within desired hours


def test_nobody_to_ask_when_the_slot_breaks_other_rules():
    """Tests that someone who would break a rule besides CONSENT is not asked."""
    compiled = _region(
        [("2026-03-02", "E")],
        person={
            **WITHOUT_WISH,
            "max_hours": 24,
            "unavailability": [
                {"start": "2026-03-02T06:00:00", "end": "2026-03-02T12:00:00"}
            ],
        },
    )
    roster = np.array([UNCOVERED], dtype=np.int64)
    assert ask_list(compiled, roster) == ([], 0)


@pytest.fixture(scope="module")
def m5():
    """M seed 5 with a greedy roster (legal, with agency and uncovered slots)."""
    compiled = compile_region(generate_region("M", 5))
    result = solve(compiled, seed=1, backend="greedy")
    return compiled, result.slot_assignee


def test_asked_people_could_take_the_slot_once_they_agree(m5):
    """Tests that every entry on M seed 5, inserted alone with the person agreeing
    (opted in, to whatever hours the week then holds), is evaluator-clean, and
    that the list keeps at most 5 per slot, fewest extra hours first."""
    compiled, roster = m5
    assert evaluate_roster(compiled, roster).is_clean()
    asked, total = ask_list(compiled, roster)
    assert 0 < len(asked) <= total
    arrays = compiled.arrays
    by_slot: dict[tuple[str, str, str], list[float]] = {}
    for entry in asked:
        unit = (entry.shift_id, entry.level, entry.competence, entry.now)
        by_slot.setdefault(unit, []).append(entry.extra_hours)
        person = compiled.staff_index[entry.staff_id]
        slot = next(
            k
            for k, s in enumerate(compiled.region.open_slots)
            if s.shift == entry.shift_id
            and s.level.value == entry.level
            and (s.competence or "") == entry.competence
            and roster[k] < 0
        )
        trial = roster.copy()
        trial[slot] = person
        offers = arrays.staff_offers_shifts.copy()
        offers[person] = True
        cap = arrays.staff_consent_minutes.copy()
        cap[person] = 10**6  # agrees to the hours the week then holds
        agreed = dataclasses.replace(
            compiled,
            arrays=arrays._replace(
                staff_offers_shifts=offers, staff_consent_minutes=cap
            ),
        )
        assert evaluate_roster(agreed, trial).is_clean(), entry
        # Without the agreement the same insertion breaks CONSENT alone.
        rules = {v.rule for v in evaluate_roster(compiled, trial).violations}
        assert rules == {"CONSENT"}, entry
    for hours in by_slot.values():
        assert len(hours) <= 5
        assert hours == sorted(hours)


def test_solve_writes_the_ask_list(tmp_path, capsys):
    """Tests that carecap solve puts the ask list in summary.json and on the console."""
    from carecap.cli import main

    assert main(["solve", "-o", str(tmp_path), "--time-limit", "10"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["ask_total"] >= len(summary["ask"]) > 0
    assert set(summary["ask"][0]) == {
        "shift_id",
        "level",
        "competence",
        "now",
        "staff_id",
        "organisation",
        "week",
        "extra_hours",
    }
    assert "ask list:" in capsys.readouterr().out

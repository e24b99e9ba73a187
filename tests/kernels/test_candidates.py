"""Tests of `carecap.kernels.candidates`: the rules a person breaks by taking one slot of a
roster, against the whole-roster evaluator."""

from __future__ import annotations

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.kernels.candidates import insertion_violations, slot_verdicts
from carecap.kernels.eligibility import eligibility
from carecap.kernels.evaluate import AGENCY, RULE_IDS, UNCOVERED, evaluate_roster
from carecap.kernels.greedy import greedy_roster


@pytest.fixture(scope="module")
def example(example_region):
    return compile_region(example_region)


def _records(compiled, roster, person) -> set[tuple[int, ...]]:
    """Returns the person's violation records of a roster, less value and limit."""
    e = evaluate_roster(compiled, roster)
    columns = (
        e.violation_rule,
        e.violation_shift_a,
        e.violation_shift_b,
        e.violation_slot,
        e.violation_period,
        e.violation_span,
    )
    return {
        tuple(int(c[k]) for c in columns)
        for k in np.flatnonzero(e.violation_staff == person)
    }


def _rules(mask: int) -> set[str]:
    return {rule for code, rule in enumerate(RULE_IDS) if (mask >> code) & 1}


def _check(compiled, roster, slots, people_per_slot, rng):
    """Asserts that slot_verdicts agrees with the evaluator on sampled pairs."""
    for slot in slots:
        verdicts = slot_verdicts(compiled, roster, int(slot))
        without = roster.copy()
        without[slot] = UNCOVERED
        people = np.flatnonzero(verdicts.checked)
        for person in rng.choice(people, size=people_per_slot, replace=False):
            person = int(person)
            with_person = without.copy()
            with_person[slot] = person
            new = _records(compiled, with_person, person) - _records(
                compiled, without, person
            )
            expected = {RULE_IDS[key[0]] for key in new}
            assert _rules(int(verdicts.rules[person])) == expected, (slot, person)
            found = insertion_violations(compiled, roster, int(slot), person)
            assert {v.rule for v in found} == expected
            first = verdicts.violation(person)
            assert (first is None) == (not expected)
            if first is not None:
                assert first == found[0]


def test_verdicts_match_the_evaluator_on_a_clean_roster(example):
    """Tests that on the greedy's (clean) roster the rules of each sampled person
    and slot are exactly those the evaluator reports for that person once they
    alone take the slot."""
    roster = greedy_roster(example.arrays, eligibility(example.arrays))
    assert evaluate_roster(example, roster).is_clean()
    rng = np.random.default_rng(7)
    slots = rng.choice(len(roster), size=8, replace=False)
    _check(example, roster, slots, 25, rng)


def test_verdicts_match_the_evaluator_on_a_random_roster(example):
    """Tests that on a random roster (rules broken everywhere) the rules are those
    of the records the insertion adds to the person's evaluator records."""
    rng = np.random.default_rng(11)
    num_slots, num_staff = len(example.arrays.slot_shift), len(example.staff_ids)
    roster = rng.integers(AGENCY, num_staff, size=num_slots).astype(np.int64)
    slots = rng.choice(num_slots, size=8, replace=False)
    _check(example, roster, slots, 25, rng)


def test_the_filler_is_taken_out_and_not_tried(example):
    """Tests that the slot's filler is reported and left out of the people tried,
    and that the others are judged as if the slot were empty."""
    roster = greedy_roster(example.arrays, eligibility(example.arrays))
    slot = int(np.flatnonzero(roster >= 0)[0])
    verdicts = slot_verdicts(example, roster, slot)
    assert verdicts.filler == roster[slot]
    assert not verdicts.checked[roster[slot]]
    empty = roster.copy()
    empty[slot] = UNCOVERED
    again = slot_verdicts(example, empty, slot)
    checked = verdicts.checked
    np.testing.assert_array_equal(verdicts.rules[checked], again.rules[checked])


def test_bad_inputs_raise(example):
    """Tests the wrapper's checks: dtype, shape and slot range."""
    num_slots = len(example.arrays.slot_shift)
    with pytest.raises(TypeError, match="int64"):
        slot_verdicts(example, np.zeros(num_slots, dtype=np.int32), 0)
    with pytest.raises(ValueError, match="one entry per open slot"):
        slot_verdicts(example, np.zeros(num_slots + 1, dtype=np.int64), 0)
    with pytest.raises(IndexError, match="outside"):
        slot_verdicts(example, np.zeros(num_slots, dtype=np.int64), num_slots)

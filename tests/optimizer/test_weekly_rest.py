"""Weekly rest (H8) in the CP-SAT model against the evaluator's series reading.

The model anchors the rest period at every worked shift's start, the rule book at
the start of each series; `carecap.cpsat.constraints.Constraints._weekly_rest`
argues that the two are the same rule with 7 x 24 h. Here the model's best roster
is compared with the largest roster the evaluator accepts, found by trying every
subset of a person's shifts, on random fortnights with carry-in work.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from carecap.kernels.evaluate import RULE_IDS, UNCOVERED, evaluate_roster
from carecap.solve import SolveStatus, solve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimizer.test_solve import PARAMS, _region

START = dt.date(2026, 3, 2)
"""A Monday; the fortnight runs to Sunday 15 March."""

TEMPLATES = ("E", "L", "M", "N", "Y")
"""Early, late, 4 h midday, night and 4 h evening shapes of `_region`."""

KEPT = {"H1", "H8"}
"""Rules left in the model; H8 relies on H1 (no overlapping shifts)."""


def _largest_clean(compiled) -> int:
    """Returns the most slots one person can fill without breaking H1 or H8."""
    num = compiled.arrays.slot_shift.shape[0]
    for size in range(num, -1, -1):
        for chosen in itertools.combinations(range(num), size):
            roster = np.full(num, UNCOVERED, dtype=np.int64)
            roster[list(chosen)] = 0
            found = evaluate_roster(compiled, roster).violations
            if not any(v.rule in KEPT for v in found):
                return size
    return 0


fortnights = st.lists(
    st.tuples(st.integers(0, 13), st.sampled_from(TEMPLATES)),
    min_size=4,
    max_size=10,
    unique_by=lambda item: item[0],
)
carry_in_days = st.lists(st.integers(1, 7), max_size=6, unique=True)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(shifts=fortnights, past=carry_in_days, period=st.sampled_from(["7d", "14d"]))
def test_model_fills_what_the_evaluator_allows(shifts, past, period):
    """Tests that the model's optimum fills exactly the largest H8-clean roster (7 x
    24 h) or at most that many (14 x 24 h, encoded conservatively), and is clean."""
    days = [(START + dt.timedelta(days=d)).isoformat() for d, _ in sorted(shifts)]
    templates = [t for _, t in sorted(shifts)]
    history = {
        "recent_shifts": [
            {
                "start": f"{START - dt.timedelta(days=d)}T07:00:00",
                "end": f"{START - dt.timedelta(days=d)}T15:30:00",
                "unpaid_break_minutes": 30,
            }
            for d in sorted(past, reverse=True)
        ]
    }
    compiled = _region(
        list(zip(days, templates, strict=True)),
        weeks=2,
        max_hours=60,
        history=history,
        rules={"weekly_rest_period": period},
    )
    result = solve(
        compiled, PARAMS, seed=0, skip_rules=set(RULE_IDS) - KEPT, check=False
    )
    assert result.status is SolveStatus.OPTIMAL
    assert not any(v.rule in KEPT for v in result.evaluation.violations)
    filled = int(np.count_nonzero(result.slot_assignee >= 0))
    best = _largest_clean(compiled)
    if period == "7d":
        assert filled == best
    else:
        assert filled <= best

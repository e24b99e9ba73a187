"""Tests of the rule families in `carecap.cpsat.library`, on tiny models.

The sequence families are checked against brute force: every 0/1 sequence of a few
days is either allowed by the rule as written down in words or not, and CP-SAT must
find exactly the allowed ones.
"""

from __future__ import annotations

import itertools

import pytest
from carecap.cpsat import library
from ortools.sat.python import cp_model


class _Collector(cp_model.CpSolverSolutionCallback):
    """Collects the values of ``variables`` in every solution."""

    def __init__(self, variables):
        super().__init__()
        self.variables = variables
        self.found: set[tuple[int, ...]] = set()

    def on_solution_callback(self) -> None:
        self.found.add(tuple(self.value(v) for v in self.variables))


def _solutions(model: cp_model.CpModel, variables) -> set[tuple[int, ...]]:
    """Returns every assignment of ``variables`` that extends to a solution."""
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    collector = _Collector(variables)
    solver.solve(model, collector)
    return collector.found


def _runs(seq, value=1):
    """Returns (first, length) of each maximal run of ``value``."""
    out, start = [], None
    for d, v in enumerate([*seq, None]):
        if v == value and start is None:
            start = d
        elif v != value and start is not None:
            out.append((start, d - start))
            start = None
    return out


def _min_run_ok(seq, minimum, exempt_start, exempt_end, value=1) -> bool:
    for first, length in _runs(seq, value):
        touches_start = first == 0 and exempt_start
        touches_end = first + length == len(seq) and exempt_end
        if length < minimum and not touches_start and not touches_end:
            return False
    return True


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_max_consecutive_matches_brute_force(limit):
    """Tests that max_consecutive allows exactly the sequences without a longer run."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(6)]
    library.max_consecutive(model, works, limit)
    expected = {
        seq
        for seq in itertools.product((0, 1), repeat=6)
        if all(length <= limit for _, length in _runs(seq))
    }
    assert _solutions(model, works) == expected


def test_max_consecutive_carries_a_run_in():
    """Tests that a carry-in run (constants before day 0) counts towards the limit."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(4)]
    library.max_consecutive(model, [True, True, *works], 3)
    found = _solutions(model, works)
    assert all(not (seq[0] and seq[1]) for seq in found)
    assert (1, 0, 1, 1) in found


def test_max_consecutive_with_gates_limits_only_gated_windows():
    """Tests that a gated rule (regional H7) leaves windows without a gate day free."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(6)]
    night = [False, False, False, False, False, model.new_bool_var("n5")]
    library.max_consecutive(model, works, 2, gates=night)
    found = _solutions(model, [*works, night[5]])
    # Days 0-3 may all be worked (no night in those windows) ...
    assert (1, 1, 1, 1, 0, 0, 0) in found
    # ... but a night on day 5 ends any run at 2 days.
    assert (0, 0, 0, 1, 1, 1, 1) not in found
    assert (0, 0, 1, 0, 1, 1, 1) in found


@pytest.mark.parametrize("minimum", [2, 3])
@pytest.mark.parametrize("exempt_start", [True, False])
@pytest.mark.parametrize("exempt_end", [True, False])
def test_min_consecutive_matches_brute_force(minimum, exempt_start, exempt_end):
    """Tests that min_consecutive forbids exactly the short runs that are not exempt."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(6)]
    library.min_consecutive(
        model, works, minimum, exempt_start=exempt_start, exempt_end=exempt_end
    )
    expected = {
        seq
        for seq in itertools.product((0, 1), repeat=6)
        if _min_run_ok(seq, minimum, exempt_start, exempt_end)
    }
    assert _solutions(model, works) == expected


def test_min_consecutive_days_off_with_fixed_days_off():
    """Tests the days-off form (negated literals) with a day that can never be worked."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(5)]
    sequence = [works[0], works[1], False, works[3], works[4]]
    library.min_consecutive(model, [library.negated(w) for w in sequence], 2)
    found = _solutions(model, works)
    # w2 is not in the sequence (the day is off whatever it says), so it is free.
    expected = {
        seq
        for seq in itertools.product((0, 1), repeat=5)
        if _min_run_ok((seq[0], seq[1], 0, seq[3], seq[4]), 2, True, True, value=0)
    }
    assert found == expected


def test_max_groups_touched_counts_weekends():
    """Tests that at most ``limit`` weekends hold a worked day."""
    model = cp_model.CpModel()
    works = [model.new_bool_var(f"w{d}") for d in range(14)]
    library.max_groups_touched(model, works, [[5, 6], [12, 13]], 1)
    found = _solutions(model, [works[d] for d in (5, 6, 12, 13)])
    expected = {
        seq
        for seq in itertools.product((0, 1), repeat=4)
        if (seq[0] or seq[1]) + (seq[2] or seq[3]) <= 1
    }
    assert found == expected


def test_forbidden_successions():
    """Tests that a forbidden successor is never worked the next day; others may be."""
    model = cp_model.CpModel()
    days = [
        {s: model.new_bool_var(f"x{d}{s}") for s in ("E", "L", "N")} for d in range(2)
    ]
    for day in days:
        library.link_day(model, model.new_bool_var("works"), list(day.values()))
    library.forbidden_successions(model, days, {"N": ["E", "L"], "L": ["E"]})
    variables = [day[s] for day in days for s in ("E", "L", "N")]
    found = _solutions(model, variables)
    pairs = {
        ("ELN"[seq[:3].index(1)] if 1 in seq[:3] else "-")
        + ("ELN"[seq[3:].index(1)] if 1 in seq[3:] else "-")
        for seq in found
    }
    assert pairs == {
        "--", "E-", "L-", "N-", "-E", "-L", "-N",
        "EE", "EL", "EN", "LL", "LN", "NN",
    }  # fmt: skip


def test_link_day_is_at_most_one_shift_per_day():
    """Tests that at most one shift type is worked a day, and works is their sum."""
    model = cp_model.CpModel()
    shifts = [model.new_bool_var(f"s{k}") for k in range(3)]
    works = model.new_bool_var("works")
    library.link_day(model, works, shifts)
    found = _solutions(model, [works, *shifts])
    assert found == {(0, 0, 0, 0), (1, 1, 0, 0), (1, 0, 1, 0), (1, 0, 0, 1)}


def test_at_most_one_cliques_and_constants():
    """Tests cliques, including a clique whose true constant forces the rest off."""
    model = cp_model.CpModel()
    a, b, c = (model.new_bool_var(n) for n in "abc")
    added = library.at_most_one_cliques(model, [[a, b], [True, c], [False, a]])
    assert added == 1
    assert _solutions(model, [a, b, c]) == {(0, 0, 0), (1, 0, 0), (0, 1, 0)}


def test_weighted_sum_between_moves_constants_into_bounds():
    """Tests total-minutes bounds with a fixed shift of 480 minutes counted in."""
    model = cp_model.CpModel()
    a, b = model.new_bool_var("a"), model.new_bool_var("b")
    library.weighted_sum_between(model, [a, b, True], [480, 240, 480], 1000, 1300)
    # 480 fixed + 480 a + 240 b lies in [1000, 1300] only for a = b = 1 (1200).
    assert _solutions(model, [a, b]) == {(1, 1)}


def test_max_count():
    """Tests that at most ``limit`` literals hold."""
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{k}") for k in range(3)]
    library.max_count(model, xs, 1)
    assert _solutions(model, xs) == {(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1)}


@pytest.mark.parametrize(
    ("worked", "penalty"), [(0, 200), (1, 100), (2, 0), (3, 1), (4, 2)]
)
def test_soft_cover_penalty(worked, penalty):
    """Tests that under-cover costs 100 and over-cover 1 per person (requirement 2)."""
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{k}") for k in range(4)]
    for k, x in enumerate(xs):
        model.add(x == int(k < worked))
    penalties = library.soft_cover(model, xs, 2, 100, 1)
    model.minimize(penalties.expression())
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert solver.objective_value == penalty


@pytest.mark.parametrize(
    ("worked", "penalty"), [(0, 200), (1, 100), (2, 0), (3, 1), (4, 2)]
)
def test_soft_cover_of_constants_is_a_constant(worked, penalty):
    """Tests that a cover rule whose literals are all constants adds no variable
    and costs what the same rule on variables costs."""
    model = cp_model.CpModel()
    literals = [k < worked for k in range(4)]
    penalties = library.soft_cover(model, literals, 2, 100, 1)
    assert penalties.under is None and penalties.over is None
    assert penalties.variables == []
    assert penalties.constant == penalty
    assert not model.proto.variables and not model.proto.constraints


def test_requests_and_constants():
    """Tests on/off request penalties, including on a day that cannot be worked."""
    model = cp_model.CpModel()
    x = model.new_bool_var("x")
    penalties = library.Penalties()
    penalties.extend(library.shift_on_request(x, 3))
    penalties.extend(library.shift_off_request(x, 2))
    penalties.extend(library.shift_on_request(False, 5))
    assert penalties.constant == 5
    model.minimize(penalties.expression())
    solver = cp_model.CpSolver()
    solver.solve(model)
    assert solver.objective_value == 7
    assert solver.boolean_value(x)


def test_raises_on_a_clause_of_false_constants():
    """Tests that a clause that cannot hold is reported, not silently dropped."""
    with pytest.raises(ValueError, match="constants"):
        library.add_clause(cp_model.CpModel(), [False, False])

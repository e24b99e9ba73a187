"""Tests of the Curtois benchmark adapter (`carecap.nrp`), its evaluator
(`carecap.nrp_evaluate`) and ``carecap nrp``.

The shared instances are read from ``../shared/benchmarks/curtois/``; tests that need
them are skipped when the folder is absent.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from carecap import nrp as nrp_module
from carecap import nrp_evaluate
from carecap.cli import EXIT_BAD_INPUT, EXIT_NO_SOLUTION, EXIT_OK, main
from carecap.exceptions import InputError
from carecap.nrp import (
    OFF,
    NrpModelError,
    parse_nrp,
    read_nrp,
    read_roster_csv,
    solve_nrp,
)
from carecap.nrp_evaluate import evaluate, evaluate_assignment

from tests.nrp_helpers import CURTOIS, best_known, hand_text, needs_curtois


def _roster(hand, a_days: dict[int, str], b_days: dict[int, str] | None = None):
    """Returns worked[e, d, s] with A (and B) working the given shift per day."""
    assignment = np.full((2, 14), OFF)
    for e, days in enumerate((a_days, b_days or {})):
        for d, s in days.items():
            assignment[e, d] = hand.shift_ids.index(s)
    return nrp_evaluate.worked_from_assignment(hand, assignment)


# -- reading ---------------------------------------------------------------------------


@needs_curtois
@pytest.mark.parametrize(
    "path", sorted(CURTOIS.glob("Instance*.txt")), ids=lambda p: p.stem
)
def test_reads_every_shared_instance(path):
    """Tests that each shared instance parses, with the sizes of best_known.csv."""
    instance = read_nrp(path)
    row = best_known()[path.stem]
    assert instance.num_days == int(row["horizon_days"])
    assert instance.num_employees == int(row["employees"])
    assert instance.num_shift_types == int(row["shift_types"])
    assert instance.cover_weight_under.max() == 100


def test_reads_the_hand_instance(hand):
    """Tests the fields of the hand-made instance."""
    assert hand.shift_ids == ("D", "L")
    assert hand.forbidden_next.tolist() == [[False, False], [True, False]]
    assert hand.max_shifts.tolist() == [[14, 14], [14, 0]]
    assert hand.day_off[0].nonzero()[0].tolist() == [3]
    assert hand.weekends == [[5, 6], [12, 13]]
    assert hand.on_requests[0].weight == 2


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("14\r\n", "fourteen\r\n", "horizon 'fourteen' is not a whole number"),
        ("L,480,D", "L,480,X", "forbidden successor 'X'"),
        ("A,D=14|L=14,4800", "A,D=14|Q=14,4800", "MaxShifts entry 'Q=14'"),
        ("B,D=14|L=0,4800,0,5,1,1,2", "B,D=14|L=0,4800,0,5,1,1", "8 fields"),
        ("A,3", "A,14", "day 14 outside 0..13"),
        ("A,0,D,2", "Z,0,D,2", "unknown employee 'Z'"),
        ("B,1,D,3", "B,1,D,x", "weight 'x' is not a whole number"),
        ("13,L,0,100,1", "13,L,0,100", "a cover line has 5 fields"),
        ("SECTION_COVER", "SECTION_KOVER", "unknown section"),
    ],
)
def test_raises_on_malformed_file_with_line_number(old, new, needle):
    """Tests that a malformed file names the line of the problem."""
    text = hand_text()
    assert old in text
    broken = text.replace(old, new, 1)
    line = broken[: broken.index(new)].count("\n") + 1
    with pytest.raises(InputError) as caught:
        parse_nrp(broken, "bad.txt")
    message = str(caught.value)
    assert f"bad.txt: line {line}: " in message
    assert needle in message


def test_cli_exits_2_on_malformed_file(tmp_path, capsys):
    """Tests that carecap nrp prints the problem with its line and exits 2."""
    path = tmp_path / "bad.txt"
    path.write_text(hand_text().replace("A,0,D,2", "A,0,D"), encoding="utf-8")
    assert main(["nrp", str(path), "--time-limit", "1"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "bad.txt: line 23: a request line has 4 fields" in err


# -- evaluator -------------------------------------------------------------------------

LEGAL_A = {0: "D", 1: "D", 2: "D"}
"""A legal roster of the hand instance: A works D on days 0-2, B never works."""


def test_evaluator_accepts_a_legal_roster_and_computes_its_penalty(hand):
    """Tests the penalty by hand: days 1 and 2 have one D too many (1 each)."""
    evaluation = evaluate(hand, _roster(hand, LEGAL_A))
    assert evaluation.violations == []
    assert evaluation.objective == 2
    assert evaluation.over_cover_penalty == 2


def test_evaluator_penalty_terms(hand):
    """Tests each penalty term: missed on-request, granted off-request, under-cover."""
    evaluation = evaluate(hand, _roster(hand, {0: "L", 1: "L"}, {1: "D"}))
    assert evaluation.on_request_penalty == 2
    assert evaluation.off_request_penalty == 3
    assert evaluation.under_cover_penalty == 100
    assert evaluation.over_cover_penalty == 3  # L on 0 and 1, D on 1
    assert evaluation.objective == 108


@pytest.mark.parametrize(
    ("a_days", "b_days", "rule"),
    [
        ({**LEGAL_A, 1: "L"}, {}, "succession"),
        (LEGAL_A, {5: "L"}, "max shifts"),
        ({0: "D"}, {}, "total minutes"),
        ({**LEGAL_A, **dict.fromkeys(range(7, 13), "D")}, {}, "max consecutive"),
        ({**LEGAL_A, 8: "D"}, {}, "min consecutive"),
        ({**LEGAL_A, 4: "D", 5: "D"}, {}, "min days off"),
        ({**LEGAL_A, 5: "D", 6: "D", 12: "D", 13: "D"}, {}, "max weekends"),
        ({**LEGAL_A, 3: "D"}, {}, "day off"),
    ],
)
def test_evaluator_catches_each_rule(hand, a_days, b_days, rule):
    """Tests that a roster breaking one hard rule is reported for that rule only."""
    evaluation = evaluate(hand, _roster(hand, a_days, b_days))
    assert [v.split(":")[0] for v in evaluation.violations] == [rule]


def test_evaluator_catches_two_shifts_on_one_day(hand):
    """Tests the one-shift-per-day rule, which an assignment array cannot break."""
    worked = _roster(hand, LEGAL_A)
    worked[0, 0, 1] = True
    rules = {v.split(":")[0] for v in evaluate(hand, worked).violations}
    assert "one shift per day" in rules


def test_evaluator_exempts_runs_at_the_horizon_edges(hand):
    """Tests that short runs touching day 0 or the last day are allowed."""
    evaluation = evaluate(hand, _roster(hand, {0: "D", 12: "D", 13: "D"}))
    assert evaluation.violations == []


# -- solving ---------------------------------------------------------------------------


def test_solves_the_hand_instance_to_its_optimum(hand):
    """Tests the optimum found by hand (1) and the evaluator's agreement."""
    result = solve_nrp(hand, time_limit=5, workers=2, seed=0)
    assert result.status == "OPTIMAL"
    assert result.objective == 1
    assert result.evaluation.objective == 1
    assert result.evaluation.is_feasible


def test_raises_when_evaluator_disagrees(hand, monkeypatch):
    """Tests that a model/evaluator disagreement on the penalty is raised as a bug."""
    real = evaluate_assignment

    def off_by_one(instance, assignment):
        found = real(instance, assignment)
        return dataclasses.replace(
            found, on_request_penalty=found.on_request_penalty + 1
        )

    monkeypatch.setattr(nrp_evaluate, "evaluate_assignment", off_by_one)
    with pytest.raises(NrpModelError, match="evaluator objective"):
        solve_nrp(hand, time_limit=2, workers=1, seed=0)


@pytest.mark.parametrize(("time_limit", "workers"), [(0, 2), (-1, 2), (1, 0)], ids=str)
def test_raises_invalid_arguments(hand, time_limit, workers):
    """Tests that a non-positive time limit or worker count is rejected."""
    with pytest.raises(ValueError, match="not understood"):
        solve_nrp(hand, time_limit=time_limit, workers=workers, seed=0)


@needs_curtois
def test_instance1_optimum():
    """Tests that Instance1 is solved to its proven optimum 607 in a few seconds."""
    result = solve_nrp(
        read_nrp(CURTOIS / "Instance1.txt"), time_limit=10, workers=2, seed=0
    )
    assert result.status == "OPTIMAL"
    assert result.objective == result.bound == 607


@needs_curtois
def test_instance4_proven_optimal_by_the_column_generation_bound():
    """Tests that the row LP's bound proves Instance4's optimum 1716 (CP-SAT's own
    bound stays near 1440)."""
    result = solve_nrp(
        read_nrp(CURTOIS / "Instance4.txt"), time_limit=60, workers=2, seed=0
    )
    assert result.status == "OPTIMAL"
    assert result.objective == result.bound == 1716


@needs_curtois
@pytest.mark.parametrize("name", ["Instance2", "Instance3"])
def test_short_solves_are_legal_and_within_published_bounds(name):
    """Tests a short solve: a legal roster whose penalty the evaluator recomputes,
    no better than the published lower bound, with a bound no higher than the
    published best value (both are optima here)."""
    instance = read_nrp(CURTOIS / f"{name}.txt")
    result = solve_nrp(instance, time_limit=3, workers=2, seed=0)
    row = best_known()[name]
    assert result.is_feasible()
    assert (
        result.objective == evaluate_assignment(instance, result.assignment).objective
    )
    assert result.objective >= int(row["best_lower_bound"])
    assert result.bound <= int(row["best_upper_bound"])


@needs_curtois
def test_cli_writes_a_roster_that_the_evaluator_checks(tmp_path, capsys):
    """Tests carecap nrp on Instance1: JSON result and a third-party-checkable roster."""
    path = CURTOIS / "Instance1.txt"
    args = ["nrp", str(path), "--time-limit", "5", "--json", "-o", str(tmp_path)]
    assert main(args) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["objective"] == 607
    assert summary["evaluator"].startswith("legal")
    instance = read_nrp(path)
    worked = read_roster_csv(instance, tmp_path / "roster.csv")
    assert evaluate(instance, worked).objective == 607
    header = (tmp_path / "roster.csv").read_text().splitlines()[0]
    assert header == "employee,day,shift"


@needs_curtois
def test_no_first_roster_within_the_time_limit(tmp_path, capsys):
    """Tests a time limit far too short to build Instance13's first roster (one
    CP-SAT row problem per employee): no roster, no bound claimed beyond CP-SAT's,
    no roster file, and the CLI's exit code for an unsolved run."""
    result = solve_nrp(
        read_nrp(CURTOIS / "Instance13.txt"), time_limit=0.3, workers=2, seed=0
    )
    assert result.status == "UNKNOWN"
    assert result.objective == float("inf")
    assert result.evaluation is None
    assert 0 <= result.bound <= int(best_known()["Instance13"]["best_upper_bound"])
    args = ["nrp", str(CURTOIS / "Instance13.txt"), "--time-limit", "0.3"]
    assert main([*args, "-o", str(tmp_path)]) == EXIT_NO_SOLUTION
    assert not (tmp_path / "roster.csv").exists()
    assert "no roster" in capsys.readouterr().out


@needs_curtois
@pytest.mark.parametrize("dived", [True, False])
def test_after_a_dive_the_neighbourhood_search_has_the_time_left(monkeypatch, dived):
    """Tests that once column generation has dived, no full-model CP-SAT solve runs
    (the neighbourhood search has all the time left), and that without a dive the
    full model is solved again after the neighbourhood search."""
    calls: list[str] = []
    run = nrp_module._Search.run

    def spy_run(self, model, seconds, overrides=None, full=True, start=None):
        calls.append("full" if full else "neighbourhood")
        return run(self, model, seconds, overrides, full, start)

    def fake_column_generation(state, plan, seed, threads):
        calls.append("column generation")
        return dived

    monkeypatch.setattr(nrp_module._Search, "run", spy_run)
    monkeypatch.setattr(nrp_module, "_column_generation", fake_column_generation)
    instance = read_nrp(CURTOIS / "Instance5.txt")
    result = solve_nrp(instance, time_limit=3, workers=2, seed=0)
    assert result.is_feasible()
    after = calls[calls.index("column generation") + 1 :]
    assert "neighbourhood" in after
    assert ("full" in after) is not dived


@pytest.mark.parametrize("size", [1, 2, 5])
def test_a_weekend_neighbourhood_frees_everyone_from_friday_to_monday(hand, size):
    """Tests that a weekend neighbourhood frees every employee on the Friday to
    Monday of ``size`` weekends (all of them when there are fewer), clipped to the
    horizon: the second weekend of the 14-day hand instance ends it."""
    base = np.full((hand.num_employees, hand.num_days), OFF)
    rng = np.random.default_rng(size)
    free = nrp_module._neighbourhood(hand, base, "weekends", size, rng)
    days = set(np.flatnonzero(free[0]).tolist())
    assert (free == free[0]).all()
    friday_to_monday = [{4, 5, 6, 7}, {11, 12, 13}]
    chosen = [window for window in friday_to_monday if window <= days]
    assert len(chosen) == min(size, len(friday_to_monday))
    assert days == set().union(*chosen)


def test_the_search_leaves_out_weekends_on_a_horizon_without_one(monkeypatch):
    """Tests the neighbourhood search on a 5-day horizon (no Saturday): it takes
    only the other kinds of neighbourhood (a weekend one would free nothing and
    count as a failure), keeps a legal roster and improves the start."""
    text = hand_text().replace("\r\n14\r\n", "\r\n5\r\n")
    lines = [
        line
        for line in text.split("\r\n")
        if not (line[:1].isdigit() and "," in line and int(line.split(",")[0]) >= 5)
    ]
    instance = parse_nrp("\r\n".join(lines), "short.txt", name="short")
    assert instance.num_days == 5 and instance.weekends == []
    kinds: list[str] = []
    neighbourhood = nrp_module._neighbourhood

    def spy_neighbourhood(instance, assignment, kind, size, rng):
        kinds.append(kind)
        return neighbourhood(instance, assignment, kind, size, rng)

    monkeypatch.setattr(nrp_module, "_neighbourhood", spy_neighbourhood)
    start = np.full((2, 5), OFF)
    start[0, [1, 2]] = instance.shift_ids.index("D")  # legal; misses day 0's cover
    evaluation = evaluate_assignment(instance, start)
    assert evaluation.is_feasible
    started = nrp_module.time.perf_counter()
    state = nrp_module._Search(
        instance, dict(nrp_module.NRP_PARAMETERS), started, started + 2.0
    )
    state.assignment, state.objective = start, evaluation.objective
    plan = {**nrp_module.NRP_SEARCH, "stall_limit": 6}
    nrp_module._neighbourhood_search(state, plan, seed=0, threads=2, reserve=0.0)
    assert set(kinds) == {"employees", "days", "cover"}
    assert evaluate_assignment(instance, state.assignment).is_feasible
    assert state.objective < evaluation.objective

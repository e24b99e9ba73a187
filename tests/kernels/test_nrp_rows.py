"""Tests of the cheapest-row programme of the Curtois benchmark (`carecap.kernels.nrp_rows`)
and its pricer (`carecap.nrp_columns.RowPricer`), against every row of small
random employees, judged by the benchmark's independent evaluator."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from carecap import nrp_columns
from carecap.kernels.nrp_rows import cheapest_rows
from carecap.nrp import OFF, NrpInstance, parse_nrp, read_nrp
from carecap.nrp_columns import ColumnGeneration, RowPricer, compile_pricing
from carecap.nrp_evaluate import evaluate_assignment

from tests.nrp_helpers import CURTOIS, needs_curtois

DAYS = 8
"""Days of the random employees: every row (3^8) is enumerated, and the horizon
holds a weekend and runs that touch both edges."""


def _employee(
    rng: np.random.Generator, limited: bool, both: bool = False
) -> NrpInstance:
    """One random employee with two shift types, L (may not be followed by E) and E,
    of 480 and 600 minutes; with ``limited``, at most two L shifts and no binding
    upper limit on minutes (so that the shift limit is what binds), and with
    ``both`` at most two E shifts too."""
    max_consecutive = int(rng.integers(2, 5))
    min_consecutive = int(rng.integers(1, max_consecutive + 1))
    min_off = int(rng.integers(1, 4))
    weekends = int(rng.integers(0, 2))
    shifts = int(rng.integers(2, 6))
    low = 480 * shifts - 120 * int(rng.integers(0, 3))
    high = 600 * DAYS if limited else low + 120 * int(rng.integers(0, 5))
    day_off = int(rng.integers(0, DAYS))
    cap = 2 if limited else DAYS
    early_cap = 2 if both else DAYS
    return parse_nrp(
        "\n".join(
            [
                "SECTION_HORIZON",
                str(DAYS),
                "SECTION_SHIFTS",
                "E,600,",
                "L,480,E",
                "SECTION_STAFF",
                f"A,E={early_cap}|L={cap},{high},{low},{max_consecutive},{min_consecutive},"
                f"{min_off},{weekends}",
                "SECTION_DAYS_OFF",
                f"A,{day_off}",
                "SECTION_SHIFT_ON_REQUESTS",
                "SECTION_SHIFT_OFF_REQUESTS",
                "SECTION_COVER",
                *(f"{d},{s},1,10,1" for d in range(DAYS) for s in ("E", "L")),
                "",
            ]
        ),
        source="random employee",
    )


def _legal_rows(instance: NrpInstance) -> np.ndarray:
    """Returns every row the evaluator finds legal."""
    rows = np.array(list(itertools.product([OFF, 0, 1], repeat=DAYS)))
    legal = [
        row for row in rows if evaluate_assignment(instance, row[None, :]).is_feasible
    ]
    return np.array(legal).reshape(-1, DAYS)


def _row_prices(instance: NrpInstance, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-3.0, 10.0, (DAYS, instance.num_shift_types))


def _values(instance: NrpInstance, rows: np.ndarray, prices: np.ndarray) -> np.ndarray:
    columns = ColumnGeneration(instance, threads=1, seed=0, row_seconds=1.0)
    worked = rows != OFF
    days = np.broadcast_to(np.arange(DAYS), rows.shape)
    taken = np.where(worked, prices[days, np.where(worked, rows, 0)], 0.0)
    return np.array([columns.cost(0, row) for row in rows]) - taken.sum(axis=1)


@pytest.mark.parametrize("seed", range(12))
def test_the_cheapest_row_is_the_cheapest_legal_row(seed):
    """Tests that without a binding per-type limit the programme's first row is
    exactly the cheapest of all legal rows, and every row it returns is legal."""
    rng = np.random.default_rng(seed)
    instance = _employee(rng, limited=False)
    legal = _legal_rows(instance)
    pricer = RowPricer(instance)
    prices = _row_prices(instance, rng)
    if legal.size == 0:
        with pytest.raises(RuntimeError, match="no legal row"):
            pricer.price(0, prices)
        return
    rows, bound, exact = pricer.price(0, prices)
    values = _values(instance, legal, prices)
    assert exact
    assert bound == pytest.approx(values.min())
    assert _values(instance, np.array(rows[:1]), prices)[0] == pytest.approx(
        values.min()
    )
    known = {row.tobytes() for row in legal}
    assert all(row.tobytes() in known for row in rows)


def _cheapest_legal(instance: NrpInstance, rng: np.random.Generator):
    """Asks a new pricer for the exact cheapest row (a threshold no bound reaches,
    so it counts and moves multipliers as far as it may), checks its rows and bound
    against every legal row, and returns the pricer and whether it claimed an exact
    answer; None where no row is legal."""
    legal = _legal_rows(instance)
    if legal.size == 0:
        return None
    pricer = RowPricer(instance)
    prices = _row_prices(instance, rng)
    rows, bound, exact = pricer.price(0, prices, threshold=math.inf)
    known = {row.tobytes() for row in legal}
    assert rows and all(row.tobytes() in known for row in rows)
    values = _values(instance, legal, prices)
    assert bound <= values.min() + 1e-9
    if exact:
        assert bound == pytest.approx(values.min())
        first = _values(instance, np.array(rows[:1]), prices)[0]
        assert first == pytest.approx(values.min())
    return pricer, exact


COUNTED_SEEDS = range(12)


@pytest.mark.parametrize("seed", COUNTED_SEEDS)
def test_a_counted_limit_gives_the_cheapest_legal_row(seed):
    """Tests that with at most two L shifts, which the programme counts once the
    cheapest row breaks the limit, the answer is exact: the first row is the
    cheapest legal row and the bound its value."""
    instance = _employee(np.random.default_rng(100 + seed), limited=True)
    answer = _cheapest_legal(instance, np.random.default_rng(seed))
    if answer is not None:
        pricer, exact = answer
        assert set(pricer.counted[0]) <= {instance.shift_ids.index("L")}
        assert exact


@pytest.mark.parametrize("seed", COUNTED_SEEDS)
def test_two_counted_limits_give_the_cheapest_legal_row(seed):
    """Tests that with at most two shifts of each type, both of which the programme
    may count (two counters in its state), the answer is exact."""
    instance = _employee(np.random.default_rng(200 + seed), limited=True, both=True)
    answer = _cheapest_legal(instance, np.random.default_rng(seed))
    if answer is not None:
        assert answer[1]


def test_the_counted_cases_count():
    """Tests that the seeds above do exercise counting: some count L, some count
    both types, so the two tests cannot pass by never reaching a counter. (Their
    rows are checked there; here only what the pricer counts, without enumerating
    every row again.)"""
    counted = set()
    for seed in COUNTED_SEEDS:
        for base, both in ((100, False), (200, True)):
            instance = _employee(
                np.random.default_rng(base + seed), limited=True, both=both
            )
            pricer = RowPricer(instance)
            prices = _row_prices(instance, np.random.default_rng(seed))
            try:
                pricer.price(0, prices, threshold=math.inf)
            except RuntimeError as error:  # no legal row: skipped there too
                assert "no legal row" in str(error)
                continue
            counted.add(tuple(pricer.counted[0]))
    assert (1,) in counted and (0, 1) in counted


@pytest.mark.parametrize("seed", COUNTED_SEEDS)
def test_an_uncounted_limit_keeps_rows_legal_and_the_bound_valid(seed, monkeypatch):
    """Tests that with at most two L shifts, priced by multipliers alone (no budget
    for counting), every row returned is legal, the bound is at most the cheapest
    legal row, and an exact answer is the cheapest, over calls that carry the
    multipliers over."""
    monkeypatch.setattr(nrp_columns, "MAX_COUNTED_STATES", 0)
    instance = _employee(np.random.default_rng(100 + seed), limited=True)
    legal = _legal_rows(instance)
    if legal.size == 0:
        return
    pricer = RowPricer(instance)
    prices = _row_prices(instance, np.random.default_rng(seed))
    values = _values(instance, legal, prices)
    known = {row.tobytes() for row in legal}
    for _ in range(3):
        rows, bound, exact = pricer.price(0, prices, threshold=math.inf)
        assert pricer.counted[0] == []
        assert bound <= values.min() + 1e-9
        assert rows and all(row.tobytes() in known for row in rows)
        if exact:
            best = _values(instance, np.array(rows[:1]), prices)[0]
            assert best == pytest.approx(values.min())


def test_pricing_after_compile_pricing_compiles_nothing_more():
    """Tests that `compile_pricing` compiles the one specialisation every pricer
    uses (solve_nrp calls it before its clock starts), here with two succession
    classes, whose table Numba once saw in another memory order."""
    compile_pricing()
    compiled = len(cheapest_rows.signatures)
    rng = np.random.default_rng(7)
    instance = _employee(rng, limited=True)
    RowPricer(instance).price(0, _row_prices(instance, rng))
    assert len(cheapest_rows.signatures) == compiled


def test_an_employee_without_a_legal_row_is_an_error():
    """Tests that minutes no row can reach raise instead of pricing nothing."""
    text = "\n".join(
        [
            "SECTION_HORIZON",
            "7",
            "SECTION_SHIFTS",
            "E,480,",
            "SECTION_STAFF",
            "A,E=7,500,490,7,1,1,1",
            "SECTION_DAYS_OFF",
            "SECTION_SHIFT_ON_REQUESTS",
            "SECTION_SHIFT_OFF_REQUESTS",
            "SECTION_COVER",
            *(f"{d},E,1,10,1" for d in range(7)),
            "",
        ]
    )
    # 490-500 minutes: E alone gives 480 or 960.
    instance = parse_nrp(text, source="impossible")
    pricer = RowPricer(instance)
    with pytest.raises(RuntimeError, match="no legal row"):
        pricer.price(0, np.zeros((7, 1)))


@needs_curtois
@pytest.mark.parametrize("name", ["Instance5", "Instance8", "Instance13"])
def test_the_programme_agrees_with_cp_sat_on_benchmark_rows(name):
    """Tests the programme against CP-SAT's pricing problem on benchmark employees
    at random cover prices: its rows are legal, its bound is at most CP-SAT's
    optimum, and an exact answer equals it."""
    instance = read_nrp(CURTOIS / f"{name}.txt")
    columns = ColumnGeneration(instance, threads=1, seed=0, row_seconds=10.0)
    rng = np.random.default_rng(7)
    prices = (
        rng.uniform(0.0, 1.0, instance.cover_weight_under.shape)
        * instance.cover_weight_under
    )
    for e in rng.choice(instance.num_employees, 4, replace=False):
        rows, bound, exact = columns.rows.price(int(e), prices)
        cp_rows, cp_bound = columns._price(int(e), prices, math.inf, math.inf)

        def value(row, e=int(e)):
            return columns.reduced_cost(e, row, prices)

        optimum = value(cp_rows[-1])
        assert cp_bound <= optimum + 1e-9
        assert bound <= optimum + 1e-6
        for row in rows:
            roster = np.full((instance.num_employees, instance.num_days), OFF)
            roster[e] = row
            problems = evaluate_assignment(instance, roster).violations
            assert not [p for p in problems if f": {instance.employee_ids[e]} " in p]
        if exact:
            assert value(rows[0]) == pytest.approx(optimum, abs=1e-6)

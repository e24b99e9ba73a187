"""Misuse of the Python API and of -vv (issue 28, items 11 and 12).

A call with the wrong kind of argument must fail at once with a `TypeError` or
`ValueError` that names the argument and says what to pass, not deep inside
("'str' object has no attribute 'horizon'") or, worse, run on as if it were right.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from carecap.compile import compile_region
from carecap.io import parse_region, read_region
from carecap.kernels.evaluate import evaluate_roster
from carecap.simulate import resize_flex_pool, simulate
from carecap.solve import solve
from carecap.whatif import run_whatif

from tests.helpers import tiny_region_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compiled(tiny_region_module):
    """The tiny region, compiled once for this module."""
    return compile_region(tiny_region_module)


@pytest.fixture(scope="module")
def tiny_region_module():
    """The tiny region, validated once for this module."""
    return parse_region(json.dumps(tiny_region_data()))


CALLS = {
    "solve-path": (
        lambda r, c: solve("region.json", seed=0),
        TypeError,
        ["region must be a Region or CompiledRegion, got str", "read_region(path)"],
    ),
    "solve-dict": (
        lambda r, c: solve(tiny_region_data(), seed=0),
        TypeError,
        ["got dict", "Region.model_validate"],
    ),
    "solve-seed-float": (
        lambda r, c: solve(c, seed=1.5, backend="greedy"),
        TypeError,
        ["seed must be an int, got float"],
    ),
    "solve-seed-too-large": (
        lambda r, c: solve(c, seed=10**20, backend="greedy"),
        ValueError,
        ["seed must be from 0 to 2147483647"],
    ),
    "solve-seed-negative": (
        lambda r, c: solve(c, seed=-1, backend="greedy"),
        ValueError,
        ["seed must be from 0"],
    ),
    "solve-skip-rules-string": (
        lambda r, c: solve(c, seed=0, skip_rules="H1", check=False),
        TypeError,
        ["skip_rules must be a collection of rule ids", "skip_rules={'H1'}"],
    ),
    "solve-skip-rules-unknown": (
        lambda r, c: solve(c, seed=0, skip_rules={"H99"}, check=False),
        ValueError,
        ["'H99' not a rule id"],
    ),
    "solve-params-dict": (
        lambda r, c: solve(c, {"time_limit": 1}, seed=0),
        TypeError,
        ["params must be a SolveParams, got dict"],
    ),
    "parse-region-dict": (
        lambda r, c: parse_region(tiny_region_data()),
        TypeError,
        ["text must be region JSON as a str, got dict", "Region.model_validate"],
    ),
    "parse-region-path": (
        lambda r, c: parse_region(Path("region.json")),
        TypeError,
        ["got PosixPath", "read_region(path)"],
    ),
    "read-region-dict": (
        lambda r, c: read_region(tiny_region_data()),
        TypeError,
        ["path must be a str or os.PathLike, got dict"],
    ),
    "compile-region-path": (
        lambda r, c: compile_region("region.json"),
        TypeError,
        ["region must be a Region, got str"],
    ),
    "evaluate-region-not-compiled": (
        lambda r, c: evaluate_roster(r, np.zeros(4, dtype=np.int64)),
        TypeError,
        ["compiled must be a CompiledRegion", "compile_region"],
    ),
    "evaluate-list": (
        lambda r, c: evaluate_roster(c, [0, 0, 0, 0]),
        TypeError,
        ["slot_assignee must be a NumPy array"],
    ),
    "simulate-seed-float": (
        lambda r, c: simulate(r, samples=1, seed=0.5),
        TypeError,
        ["seed must be an int, got float"],
    ),
    "resize-pool-path": (
        lambda r, c: resize_flex_pool("region.json", 1, 0),
        TypeError,
        ["region must be a Region, got str"],
    ),
    "whatif-scenarios-string": (
        lambda r, c: run_whatif(r, "scenarios.yaml", seed=0),
        TypeError,
        ["scenarios must be a list of Scenario, got str", "read_scenarios"],
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_api_misuse_names_the_argument(name, tiny_region_module, compiled):
    """Tests that a wrong argument to a public function fails at once, with a
    message naming the argument and what to pass (item 11)."""
    call, error, needles = CALLS[name]
    with pytest.raises(error) as raised:
        call(tiny_region_module, compiled)
    for needle in needles:
        assert needle in str(raised.value)


def test_numpy_integer_seed_is_accepted(compiled):
    """Tests that a NumPy integer seed is as good as an int."""
    result = solve(compiled, seed=np.int64(3), backend="greedy")
    assert result.seed == 3


def test_very_verbose_logs_carecap_only(tmp_path):
    """Tests that -vv turns on DEBUG for carecap's loggers and leaves Numba and
    matplotlib at WARNING (item 12); a real process, as pytest owns the root logger
    of this one."""
    region = tmp_path / "region.json"
    region.write_text(json.dumps(tiny_region_data()))
    script = (
        "import logging, sys\n"
        "from carecap.cli import main\n"
        "code = main(['-vv', 'validate', sys.argv[1]])\n"
        "levels = [logging.getLogger(n).getEffectiveLevel()\n"
        "          for n in ('carecap', 'carecap.workbook', 'numba', 'matplotlib')]\n"
        "print(code, *levels)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(region)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.stdout.split()[-5:] == ["0", "10", "10", "30", "30"], done.stderr

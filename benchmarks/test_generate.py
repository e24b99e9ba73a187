"""Generation speed of each preset (pytest-benchmark)."""

from __future__ import annotations

import pytest
from carecap.instances import generate_region


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """Compiles the roster kernel once so that no timing includes compilation."""
    generate_region("S", 1)


@pytest.mark.parametrize(
    ("preset", "rounds"),
    [
        ("S", 5),
        ("M", 3),
        pytest.param("L", 1, marks=pytest.mark.slow),
        pytest.param("XL", 1, marks=pytest.mark.slow),
    ],
)
def test_generate(benchmark, preset, rounds):
    """Tests how long generating a preset takes, and that it yields a region."""
    benchmark.group = "generate"
    region = benchmark.pedantic(
        generate_region, args=(preset, 1), rounds=rounds, iterations=1
    )
    assert region.base_roster

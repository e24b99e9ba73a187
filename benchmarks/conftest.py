"""Shared fixtures of the benchmark suites.

Kernel inputs are session-scoped and parametrised over the preset ``size``, so pytest
builds each size once and runs every test of one size before moving to the next (XL
is marked ``slow``). Building them also compiles the kernels (or loads them from
Numba's cache), so no timing includes compilation.
"""

from __future__ import annotations

import numpy as np
import pytest
from carecap.compile import CompiledRegion, compile_region
from carecap.instances import generate_region
from carecap.kernels.conflicts import shift_conflicts
from carecap.kernels.eligibility import EligibilityGraph, eligibility
from kernel_report import SEED, random_roster

from tests.kernels import reference

SIZES = ("S", "M", "L", pytest.param("XL", marks=pytest.mark.slow))
"""Presets of the kernel benchmarks; XL (4 weeks, ~23k staff) takes minutes."""


@pytest.fixture(scope="session", params=SIZES)
def size(request) -> str:
    """The preset of a kernel benchmark: S, M, L, and XL (slow)."""
    return request.param


@pytest.fixture(scope="session")
def region(size):
    """The generated region of ``size``, seed `kernel_report.SEED`."""
    return generate_region(size, SEED)


@pytest.fixture(scope="session")
def compiled(region) -> CompiledRegion:
    """The region of ``size`` compiled to kernel arrays."""
    return compile_region(region)


@pytest.fixture(scope="session")
def graph(compiled) -> EligibilityGraph:
    """The eligibility graph of ``size`` from the kernel (compiles it on first use)."""
    return eligibility(compiled.arrays)


@pytest.fixture(scope="session")
def reference_graph(compiled) -> tuple[np.ndarray, ...]:
    """(slot_ptr, staff_idx, travel_km, cost) of ``size`` from the NumPy reference."""
    return reference.eligibility(compiled.arrays)


@pytest.fixture(scope="session")
def conflicts(compiled) -> tuple[np.ndarray, np.ndarray]:
    """The conflicting shift pairs of ``size`` from the kernel."""
    return shift_conflicts(compiled.arrays)


@pytest.fixture(scope="session")
def reference_conflicts(compiled) -> tuple[np.ndarray, np.ndarray]:
    """The conflicting shift pairs of ``size`` from the NumPy reference."""
    return reference.shift_conflicts(compiled.arrays)


@pytest.fixture(scope="session")
def roster(compiled, graph) -> np.ndarray:
    """A random roster of ``size`` filling ~60 % of the slots with eligible people."""
    return random_roster(graph, len(compiled.arrays.slot_shift))


@pytest.fixture(scope="session")
def compiled_m() -> CompiledRegion:
    """The M region, compiled: the staff of the sickness-sampling benchmark."""
    return compile_region(generate_region("M", SEED))

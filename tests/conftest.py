"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import sys

import pytest
from carecap.instances import EXAMPLE_REGION
from carecap.io import read_region
from carecap.nrp import parse_nrp

from tests.helpers import parse, tiny_region_data
from tests.nrp_helpers import hand_text


@pytest.fixture(scope="session")
def example_region():
    """The bundled example region, read and validated once per session."""
    return read_region(EXAMPLE_REGION)


@pytest.fixture
def tiny_data():
    """A fresh copy of the tiny hand-made region dict, free to edit."""
    return tiny_region_data()


@pytest.fixture
def tiny_region():
    """The tiny hand-made region, validated."""
    return parse(tiny_region_data())


@pytest.fixture(scope="session")
def hand():
    """The hand-made benchmark instance of `tests.nrp_helpers.hand_text`."""
    return parse_nrp(hand_text(), "hand.txt", name="hand")


FOLDER_NAMES = ("optimizer", "kernels", "instances")
"""The repository folders carecap is built from; nothing may import them by name."""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails the run when a module was imported under a folder name instead of
    ``carecap``: two copies of one module would be in play, and the installed
    package (which has only carecap) would not match what was tested."""
    stray = sorted(name for name in sys.modules if name.split(".")[0] in FOLDER_NAMES)
    if stray:
        print(
            f"\nmodules imported by folder name, not as carecap.*: {', '.join(stray)}"
            " (a Numba cache written before the rename loads them too: delete the"
            " *.nbi and *.nbc files in the __pycache__ folders)",
            file=sys.stderr,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

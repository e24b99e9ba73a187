"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import pytest

from instances import EXAMPLE_REGION
from optimizer.io import read_region
from optimizer.nrp import parse_nrp
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

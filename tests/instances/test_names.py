"""Tests of the synthetic names of generated people."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from carecap.instances.names import (
    _DUTCH_SURNAMES,
    _ORIGINS,
    is_marked,
    synthetic_names,
)

_LISTS = [_DUTCH_SURNAMES] + [
    names
    for origin in _ORIGINS
    for names in (origin.women, origin.men, origin.surnames)
]


@pytest.mark.parametrize(
    ("name", "marked"),
    [
        ("Anne-Marie van 't Hoff", True),
        ("Zoë Şahin", True),
        ("Jan de Vries", False),
        ("Fatima El Idrissi", False),
    ],
)
def test_is_marked(name, marked):
    """Tests that diacritics, apostrophes and hyphens, and only they, mark a name."""
    assert is_marked(name) is marked


def test_same_generator_state_gives_same_names():
    """Tests that names depend only on the generator's state."""
    first = synthetic_names(50, np.random.default_rng([4, 2]))
    assert first == synthetic_names(50, np.random.default_rng([4, 2]))
    assert first != synthetic_names(50, np.random.default_rng([5, 2]))


def test_name_lists_are_clean():
    """Tests that every listed name is NFC on single spaces, once in its list, and
    that a list with a share of marked names has marked and plain ones to draw."""
    for names in _LISTS:
        for name in names.names:
            assert unicodedata.is_normalized("NFC", name), name
            assert name == " ".join(name.split()) and name, repr(name)
        assert len(set(names.names)) == len(names.names)
        if names.marked_share is not None:
            assert names.marked and names.plain


def test_names_rarely_repeat_at_xl_size():
    """Tests that 20,000 names (an XL region) repeat for under 1 % of the people."""
    names = synthetic_names(20_000, np.random.default_rng(1))
    assert len(set(names)) >= 0.99 * len(names)

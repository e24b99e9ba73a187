"""Tests of the Monte-Carlo sickness sampler."""

from __future__ import annotations

import numpy as np
import pytest
from carecap.kernels.sickness import lognormal_mu, sample_sick_days


def _days(masks: np.ndarray, num_days: int) -> np.ndarray:
    bits = np.unpackbits(masks.view(np.uint8), bitorder="little")
    return bits.reshape(*masks.shape, 64)[..., :num_days]


def test_share_of_sick_days_matches_the_rate():
    """Tests that the sampled share of sick days is the absence rate (within 0.3 points)."""
    rates = np.array([0.085] * 500 + [0.056] * 500)
    days = _days(sample_sick_days(3, 2000, rates, 7), 7)
    assert days[:, :500].mean() == pytest.approx(0.085, abs=0.003)
    assert days[:, 500:].mean() == pytest.approx(0.056, abs=0.003)


def test_same_seed_same_samples_and_chunks_agree():
    """Tests reproducibility, and that a chunk equals the same samples of a full run."""
    rates = np.full(50, 0.08)
    full = sample_sick_days(11, 40, rates, 14)
    np.testing.assert_array_equal(full, sample_sick_days(11, 40, rates, 14))
    np.testing.assert_array_equal(
        full[10:20], sample_sick_days(11, 10, rates, 14, first_sample=10)
    )
    assert not np.array_equal(full, sample_sick_days(12, 40, rates, 14))


def test_zero_or_missing_rate_is_never_sick():
    """Tests that people without an absence rate are never sick."""
    masks = sample_sick_days(1, 100, np.array([0.0, np.nan, 0.2]), 7)
    assert np.all(masks[:, :2] == 0)
    assert np.any(masks[:, 2] != 0)


def test_sick_days_stay_inside_the_horizon():
    """Tests that no bit beyond the horizon's last day is set."""
    masks = sample_sick_days(5, 200, np.full(100, 0.3), 5)
    assert np.all(masks >> np.uint64(5) == 0)


@pytest.mark.parametrize(("rate", "num_days"), [(1.5, 7), (0.1, 0), (0.1, 65)])
def test_raises_bad_arguments(rate, num_days):
    """Tests that a rate outside [0, 1) or a horizon of 0 or more than 64 days is refused."""
    with pytest.raises(ValueError):
        if rate >= 1:
            lognormal_mu(rate, 1.35, 1.9)
        sample_sick_days(1, 1, np.array([rate]), num_days)

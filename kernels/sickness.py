"""Sampling weeks of sickness for the Monte-Carlo, reproducibly and in parallel.

Each sample draws every person's sick days in the horizon from a stationary episode
process: episodes start as a Poisson process (``episodes_per_year``) and last a
lognormal number of days, capped at a year, whose mean makes the share of sick days
equal the person's absence rate (`shared/domain.md` §7.6). Episodes are simulated from
a year before the horizon, so people already sick at its start are included.

Random numbers come from a counter-based generator (SplitMix64) keyed by (seed,
sample, person): every sample is the same whichever thread draws it, so results are
identical on 1 or 16 cores.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ._config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS

LOOKBACK_DAYS = 365
MAX_EPISODE_DAYS = 365.0
MAX_HORIZON_DAYS = 64
"""Sick days are returned as a 64-bit mask per person, so horizons up to 9 weeks fit."""


@njit(**JIT_OPTIONS)
def _splitmix64(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    state = np.uint64(state + np.uint64(0x9E3779B97F4A7C15))
    z = state
    z = np.uint64((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9))
    z = np.uint64((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB))
    return state, np.uint64(z ^ (z >> np.uint64(31)))


@njit(**JIT_OPTIONS)
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    state, bits = _splitmix64(state)
    # 53 random bits give a double in [0, 1).
    return state, float(bits >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**JIT_OPTIONS)
def _normal(state: np.uint64) -> tuple[np.uint64, float]:
    state, u1 = _uniform(state)
    state, u2 = _uniform(state)
    u1 = max(u1, 1e-300)
    return state, math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(**JIT_OPTIONS)
def _poisson(state: np.uint64, lam: float) -> tuple[np.uint64, int]:
    # Knuth's method: lam is at most a few here.
    limit = math.exp(-lam)
    k = 0
    product = 1.0
    while True:
        state, u = _uniform(state)
        product *= u
        if product <= limit:
            return state, k
        k += 1


@njit(**JIT_OPTIONS)
def _seed_state(seed: int, sample: int, person: int) -> np.uint64:
    # Multiply in uint64: mixing int64 and uint64 would give float64 in Numba.
    state = np.uint64(seed)
    state, a = _splitmix64(state ^ (np.uint64(sample) * np.uint64(0x632BE59BD9B4E019)))
    _, b = _splitmix64(a ^ (np.uint64(person) * np.uint64(0x85157AF5)))
    return b


@njit(**JIT_OPTIONS)
def _sick_mask(
    state, episodes_per_year, mu, sigma, num_days
) -> tuple[np.uint64, np.uint64]:
    mask = np.uint64(0)
    span = LOOKBACK_DAYS + num_days
    state, count = _poisson(state, episodes_per_year * span / 365.0)
    for _ in range(count):
        state, u = _uniform(state)
        start = -LOOKBACK_DAYS + u * span
        state, z = _normal(state)
        length = min(math.exp(mu + sigma * z), MAX_EPISODE_DAYS)
        first = max(0, math.floor(start))
        last = min(num_days - 1, math.floor(start + length))
        for day in range(first, last + 1):
            mask |= np.uint64(1) << np.uint64(day)
    return state, mask


@njit(**PARALLEL_JIT_OPTIONS)
def _sample_sick_days(
    seed, first_sample, num_samples, episodes_per_year, mu, sigma, num_days
):
    num_people = mu.shape[0]
    out = np.zeros((num_samples, num_people), dtype=np.uint64)
    for sample in prange(num_samples):
        for person in range(num_people):
            if mu[person] != mu[person]:  # NaN: never sick (agency, or no rate)
                continue
            state = _seed_state(seed, first_sample + sample, person)
            _, mask = _sick_mask(state, episodes_per_year, mu[person], sigma, num_days)
            out[sample, person] = mask
    return out


def lognormal_mu(absence_rate: float, episodes_per_year: float, sigma: float) -> float:
    """Returns the lognormal mu of episode length that yields ``absence_rate``.

    The mean episode length is ``absence_rate x 365 / episodes_per_year`` days; the cap
    at a year is accounted for by bisection.
    """
    if not 0 <= absence_rate < 1:
        raise ValueError(
            f"absence rate {absence_rate} not understood; give a share, e.g. 0.057"
        )
    if absence_rate == 0:
        return -math.inf
    mean_days = absence_rate * 365 / episodes_per_year

    def cdf(z: float) -> float:
        return 0.5 * (1 + math.erf(z / math.sqrt(2)))

    def truncated_mean(mu: float) -> float:
        log_cap = math.log(MAX_EPISODE_DAYS)
        return math.exp(mu + sigma**2 / 2) * cdf((log_cap - mu - sigma**2) / sigma) + (
            MAX_EPISODE_DAYS * (1 - cdf((log_cap - mu) / sigma))
        )

    lo, hi = -10.0, 8.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if truncated_mean(mid) < mean_days else (lo, mid)
    return (lo + hi) / 2


def sample_sick_days(
    seed: int,
    num_samples: int,
    absence_rate: np.ndarray,
    num_days: int,
    *,
    episodes_per_year: float = 1.35,
    sigma: float = 1.9,
    first_sample: int = 0,
) -> np.ndarray:
    """Samples sick days for every person in ``num_samples`` independent horizons.

    Parameters
    ----------
    seed
        Seed; the same arguments always give the same samples.
    num_samples
        Number of sampled horizons.
    absence_rate
        float64 share of days each person is sick on average; NaN or 0 for never.
    num_days
        Days in the horizon (at most 64).
    episodes_per_year, sigma
        Episode frequency and lognormal sigma of episode length in days.
    first_sample
        Index of the first sample, so that a run can be split into chunks.

    Returns
    -------
    numpy.ndarray
        uint64 array (num_samples, num_people): bit d set when sick on day d.
    """
    if not 1 <= num_days <= MAX_HORIZON_DAYS:
        raise ValueError(f"num_days must be 1 to {MAX_HORIZON_DAYS}, got {num_days}")
    if num_samples < 0:
        raise ValueError(f"num_samples < 0 not understood: {num_samples}")
    rates = np.asarray(absence_rate, dtype=np.float64)
    cache: dict[float, float] = {}
    mu = np.full(rates.shape[0], np.nan)
    for k, rate in enumerate(rates):
        if rate > 0:
            if rate not in cache:
                cache[rate] = lognormal_mu(float(rate), episodes_per_year, sigma)
            mu[k] = cache[rate]
    return _sample_sick_days(
        np.uint64(seed & 0xFFFFFFFFFFFFFFFF),
        first_sample,
        num_samples,
        float(episodes_per_year),
        mu,
        float(sigma),
        num_days,
    )

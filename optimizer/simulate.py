"""Monte-Carlo sickness simulation and flex-pool sizing.

"How large must our flex pool be to cover 95 % of sickness weeks?" For each pool size,
sample many horizons of sickness (episode frequency and durations such that the share
of sick days equals each person's absence rate), remove the sick people from the
sickness-free base roster, refill greedily from the pool and the part-timers who want
more hours, and report the distribution of uncovered and agency hours.

Pool sizes other than the region's own are made by keeping the first members of a
seeded shuffle of the pool (smaller), or by adding copies of randomly drawn members
(larger): same level, contract, competences, inductions, home and travel limit, so new
members are "generated like the existing pool".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from carecap.kernels.eligibility import eligibility
from carecap.kernels.greedy import GreedyFiller
from carecap.kernels.montecarlo import run_samples

from ._arguments import check_region, check_seed
from .compile import CompiledRegion, compile_region
from .domain import Employment, Region, Sector

SECTOR_ABSENCE_RATE: dict[Sector, float] = {
    Sector.VVT: 0.085,
    Sector.HOME_CARE: 0.085,
    Sector.GHZ: 0.075,
    Sector.GGZ: 0.067,
    Sector.HOSPITAL: 0.056,
}
"""Sickness absence by sector, share of hours lost (`shared/domain.md` §5.5, [S87][S90])."""

NATIONAL_ABSENCE_RATE = 0.057
"""Care-wide absence of the seed documents (5.7 %, Q2 2019); the ``national`` preset."""


@dataclass(frozen=True)
class PoolSizeOutcome:
    """Distribution of one pool size's sampled horizons (hours are paid hours)."""

    pool_size: int
    samples: int
    open_hours_mean: float
    agency_hours_mean: float
    agency_hours_p50: float
    agency_hours_p95: float
    uncovered_hours_mean: float
    uncovered_hours_p50: float
    uncovered_hours_p95: float


@dataclass(frozen=True)
class SimulationResult:
    """Outcome per pool size, with the settings that produced it."""

    outcomes: tuple[PoolSizeOutcome, ...]
    samples: int
    seed: int
    absence: str

    def to_frame(self) -> pd.DataFrame:
        """Returns one row per pool size."""
        return pd.DataFrame([o.__dict__ for o in self.outcomes])

    def smallest_pool(self, max_p95_uncovered_hours: float) -> int | None:
        """Returns the smallest pool size whose P95 uncovered hours meet the target."""
        meeting = [
            o.pool_size
            for o in self.outcomes
            if o.uncovered_hours_p95 <= max_p95_uncovered_hours
        ]
        return min(meeting) if meeting else None


def resize_flex_pool(region: Region, size: int, seed: int) -> Region:
    """Returns a copy of the region with ``size`` flex-pool members (see module doc).

    Raises
    ------
    ValueError
        For a negative size, or a larger pool when the region has none to copy.
    TypeError
        If ``region`` is not a `Region` or ``seed`` not an int.
    """
    check_region(region)
    check_seed(seed)
    if size < 0:
        raise ValueError(f"pool size < 0 not understood: {size}")
    pool = [p for p in region.staff if p.employment is Employment.FLEX_POOL]
    if size == len(pool):
        return region
    if size > len(pool) and not pool:
        raise ValueError("the region has no flex-pool members to model new ones on")
    rng = np.random.default_rng([seed, 4_517])
    others = [p for p in region.staff if p.employment is not Employment.FLEX_POOL]
    if size < len(pool):
        keep = sorted(rng.permutation(len(pool))[:size])
        members = [pool[k] for k in keep]
    else:
        members = list(pool)
        taken = {p.id for p in region.staff}
        for k in range(size - len(pool)):
            model = pool[int(rng.integers(len(pool)))]
            new_id = f"{model.id}-x{k + 1}"
            while new_id in taken:
                new_id += "x"
            taken.add(new_id)
            members.append(model.model_copy(update={"id": new_id, "name": None}))
    return region.replace(staff=tuple(others + members))


def absence_rates(
    compiled: CompiledRegion, absence: float | Mapping[Sector, float] | None = None
) -> np.ndarray:
    """Returns each person's absence rate: by employer sector, or one rate for all.

    Agency staff are never sick here: their agency sends someone else.
    """
    region = compiled.region
    rates = np.zeros(len(region.staff))
    for k, person in enumerate(region.staff):
        if person.employment is Employment.AGENCY or person.organisation is None:
            continue
        if absence is None or isinstance(absence, Mapping):
            table = SECTOR_ABSENCE_RATE if absence is None else absence
            rates[k] = table[region.organisation_by_id[person.organisation].sector]
        else:
            rates[k] = float(absence)
    return rates


def _universe(region: Region) -> tuple[CompiledRegion, np.ndarray]:
    """Compiles the sickness-free region with every base-roster slot as a possible gap.

    Returns the compiled region whose slot arrays hold the vacancy slots and then one
    slot per base-roster assignment of an own employee or pool member, and the owner
    of each slot (-1 for vacancy slots).
    """
    base = region.replace(sickness=()) if region.sickness else region
    compiled = compile_region(base)
    arrays = compiled.arrays
    shift_index = compiled.shift_index
    extra = {"shift": [], "level": [], "competence": [], "exact": [], "owner": []}
    competence_bit = {name: k for k, name in enumerate(compiled.competences)}
    for (staff_id, shift_id), requirement in sorted(
        base.base_roster_requirements.items()
    ):
        person = base.staff_by_id[staff_id]
        if person.employment is Employment.AGENCY:
            continue
        shift = base.shift_by_id[shift_id]
        req = shift.requirements[requirement]
        extra["shift"].append(shift_index[shift_id])
        extra["level"].append(req.level.rank)
        extra["competence"].append(
            competence_bit[req.competence] if req.competence else -1
        )
        extra["exact"].append(not base.ward_by_id[shift.ward].allow_higher_level)
        extra["owner"].append(compiled.staff_index[staff_id])
    num_vacant = len(arrays.slot_shift)

    def joined(current: np.ndarray, values: list, dtype: type) -> np.ndarray:
        out = np.concatenate([current, np.asarray(values, dtype=dtype)]).astype(dtype)
        out.setflags(write=False)
        return out

    universe = arrays._replace(
        slot_shift=joined(arrays.slot_shift, extra["shift"], np.int64),
        slot_level=joined(arrays.slot_level, extra["level"], np.int64),
        slot_competence=joined(arrays.slot_competence, extra["competence"], np.int64),
        slot_exact_level=joined(arrays.slot_exact_level, extra["exact"], np.bool_),
        slot_requirement=joined(
            arrays.slot_requirement, [-1] * len(extra["shift"]), np.int64
        ),
        slot_cause=joined(arrays.slot_cause, [1] * len(extra["shift"]), np.int8),
    )
    owner = np.concatenate(
        [
            np.full(num_vacant, -1, dtype=np.int64),
            np.asarray(extra["owner"], dtype=np.int64),
        ]
    )
    return dataclasses.replace(compiled, region=base, arrays=universe), owner


def simulate(
    region: Region,
    *,
    samples: int,
    seed: int,
    pool_sizes: Sequence[int] | None = None,
    absence: float | Mapping[Sector, float] | None = None,
    workers: int | None = None,
) -> SimulationResult:
    """Simulates sickness weeks for each pool size and summarises what stays open.

    Parameters
    ----------
    region
        The region; its sickness list is ignored (the simulation draws its own).
    samples
        Sampled horizons per pool size.
    seed
        Seed of sickness draws and pool resizing; same seed, same result.
    pool_sizes
        Flex-pool sizes to try; the region's own pool when omitted.
    absence
        One absence rate for everyone (e.g. 0.057), a rate per sector, or ``None``
        for `SECTOR_ABSENCE_RATE`.
    workers
        Threads for the samples.

    Returns
    -------
    SimulationResult
        Mean, P50 and P95 of agency and uncovered hours per pool size.
    """
    check_region(region)
    check_seed(seed)
    if samples < 1:
        raise ValueError(f"samples < 1 not understood: {samples}")
    own_pool = sum(p.employment is Employment.FLEX_POOL for p in region.staff)
    sizes = list(pool_sizes) if pool_sizes is not None else [own_pool]
    outcomes = []
    for size in sizes:
        resized = resize_flex_pool(region, size, seed)
        compiled, owner = _universe(resized)
        graph = eligibility(compiled.arrays)
        filler = GreedyFiller(compiled.arrays, graph)
        rates = absence_rates(compiled, absence)
        result = run_samples(filler, owner, rates, samples, seed, workers=workers)
        hours = {name: values / 60 for name, values in result.items()}
        outcomes.append(
            PoolSizeOutcome(
                pool_size=size,
                samples=samples,
                open_hours_mean=float(hours["open_minutes"].mean()),
                agency_hours_mean=float(hours["agency_minutes"].mean()),
                agency_hours_p50=float(np.percentile(hours["agency_minutes"], 50)),
                agency_hours_p95=float(np.percentile(hours["agency_minutes"], 95)),
                uncovered_hours_mean=float(hours["uncovered_minutes"].mean()),
                uncovered_hours_p50=float(
                    np.percentile(hours["uncovered_minutes"], 50)
                ),
                uncovered_hours_p95=float(
                    np.percentile(hours["uncovered_minutes"], 95)
                ),
            )
        )
    if absence is None:
        described = "by sector"
    elif isinstance(absence, Mapping):
        described = "per sector: " + ", ".join(
            f"{k.value} {v:g}" for k, v in absence.items()
        )
    else:
        described = f"{float(absence):g} for everyone"
    return SimulationResult(
        outcomes=tuple(outcomes), samples=samples, seed=seed, absence=described
    )

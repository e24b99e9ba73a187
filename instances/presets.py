"""Scale presets and the calibrated distributions of the region generator.

Every number here comes from `shared/domain.md` §7.6 (with its source tags) unless it is
marked (U), a configurable assumption where the brief has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from carecap.domain import Level, Sector
from carecap.simulate import SECTOR_ABSENCE_RATE


@dataclass(frozen=True)
class Preset:
    """Size of a generated region.

    Attributes
    ----------
    name
        Preset name (S, M, L, XL).
    organisations
        Number of care organisations.
    staff
        Approximate number of own employees.
    weeks
        Default horizon length.
    towns
        Number of towns the region's locations and homes cluster in.
    region_radius_km
        Radius of the region around its centre.
    flex_pool_share
        Regional flex-pool size as a share of own employees (1-3 %, up to 5 % mature).
    """

    name: str
    organisations: int
    staff: int
    weeks: int
    towns: int
    region_radius_km: float
    flex_pool_share: float


PRESETS: dict[str, Preset] = {
    "S": Preset("S", 4, 150, 1, 3, 15.0, 0.03),
    "M": Preset("M", 12, 1_200, 1, 6, 20.0, 0.025),
    "L": Preset("L", 40, 6_000, 1, 10, 30.0, 0.025),
    "XL": Preset("XL", 100, 20_000, 4, 12, 45.0, 0.025),
}
"""The scale presets of the foundation issue (S for tests and the README demo)."""

SECTOR_ORG_SHARE: dict[Sector, float] = {
    Sector.VVT: 0.50,
    Sector.GHZ: 0.20,
    Sector.HOME_CARE: 0.10,
    Sector.GGZ: 0.10,
    Sector.HOSPITAL: 0.10,
}
"""Share of organisations by sector (U, §7.6): many small VVT, few large hospitals."""

SECTOR_STAFF_SHARE: dict[Sector, float] = {
    Sector.VVT: 0.37,
    Sector.HOME_CARE: 0.09,
    Sector.HOSPITAL: 0.28,
    Sector.GHZ: 0.17,
    Sector.GGZ: 0.09,
}
"""Share of staff by sector [S76]: VVT incl. home care 46 %, hospitals (incl. UMC)
28 %, GHZ 17 %, GGZ 9 %. The VVT/home-care split is (U)."""

CONTRACT_BANDS: dict[Sector, tuple[float, float, float, float]] = {
    Sector.VVT: (0.115, 0.164, 0.588, 0.134),
    Sector.HOME_CARE: (0.115, 0.164, 0.588, 0.134),
    Sector.GHZ: (0.045, 0.086, 0.680, 0.189),
    Sector.HOSPITAL: (0.037, 0.053, 0.550, 0.361),
    Sector.GGZ: (0.039, 0.033, 0.565, 0.363),
}
"""Share of contracts in the bands <12, 12-20, 20-35, 35-40 h per week [S81]."""

BAND_VALUES: tuple[dict[float, float], ...] = (
    {4.0: 0.2, 8.0: 0.8},
    {12.0: 0.3, 16.0: 0.7},
    {},  # 20-35 h: sector dependent, see MID_BAND_VALUES
    {36.0: 0.85, 38.0: 0.05, 40.0: 0.10},
)
"""Contract hours inside each band (U, §7.6)."""

MID_BAND_VALUES: dict[Sector, dict[float, float]] = {
    Sector.VVT: {20.0: 0.2, 24.0: 0.3, 28.0: 0.25, 32.0: 0.25},
    Sector.HOME_CARE: {20.0: 0.2, 24.0: 0.3, 28.0: 0.25, 32.0: 0.25},
    Sector.GHZ: {20.0: 0.2, 24.0: 0.3, 28.0: 0.25, 32.0: 0.25},
    Sector.HOSPITAL: {20.0: 0.1, 24.0: 0.3, 28.0: 0.3, 32.0: 0.3},
    Sector.GGZ: {20.0: 0.1, 24.0: 0.3, 28.0: 0.3, 32.0: 0.3},
}

TARGET_MEAN_CONTRACT: dict[Sector, float] = {
    Sector.VVT: 23.6,
    Sector.HOME_CARE: 23.6,
    Sector.GHZ: 26.3,
    Sector.HOSPITAL: 29.2,
    Sector.GGZ: 29.4,
}
"""Mean contract hours that the band shares imply (§7.6); tested within +-1 h."""

EXTRA_HOURS_WANTED: dict[float, float] = {4.0: 0.45, 6.0: 0.20, 8.0: 0.25, 12.0: 0.10}
"""Extra hours wanted per week, mean 6.2 h (HPP: +6 h [S66])."""

MAX_CONTRACT_HOURS: dict[Sector, float] = {
    Sector.VVT: 36.0,
    Sector.HOME_CARE: 36.0,
    Sector.GHZ: 36.0,
    Sector.GGZ: 36.0,
    Sector.HOSPITAL: 40.0,
}
"""Cap on desired hours (§7.6: 36 h, 40 h in hospitals)."""


def wants_more_probability(contract_hours: float) -> float:
    """Returns P(wants more hours now) given the contract (U).

    The brief suggests 0.35 / 0.15 / 0.03; with the generated contract mix those give
    0.20 overall, so they are scaled up to reach the surveyed 0.23 [S66].
    """
    if contract_hours <= 24:
        return 0.40
    if contract_hours < 32:
        return 0.18
    return 0.04


CONDITIONAL_EXTRA_SHARE = 0.46
"""Share of all staff who would work more under conditions [S84]."""

CONDITIONAL_GIVEN_ROOM = 0.74
"""P(would work more under conditions) for someone who does not want more now and is
below the contract cap: about 62 % of staff are, so 0.74 x 0.62 = 0.46 of all."""

AGE_BANDS: dict[Sector, tuple[float, float, float]] = {
    Sector.VVT: (0.30, 0.41, 0.29),
    Sector.HOME_CARE: (0.30, 0.41, 0.29),
    Sector.HOSPITAL: (0.31, 0.44, 0.25),
    Sector.GHZ: (0.39, 0.40, 0.21),
    Sector.GGZ: (0.35, 0.42, 0.23),
}
"""Share aged <35, 35-54, 55+ by sector [S75]."""

NIGHT_OPT_IN_SHARE = 0.20
"""Share of night-exempt staff who opt in to nights anyway (U)."""

ABSENCE_RATE: dict[Sector, float] = SECTOR_ABSENCE_RATE
"""Sickness absence: share of base-roster hours lost [S87][S90]."""

SICK_EPISODES_PER_YEAR = 1.35
"""Sick reports per person per year (1.2-1.5, [S90])."""

SICK_DURATION_SIGMA = 1.9
"""Lognormal sigma of episode length in days (U, §7.6); the median follows from the
absence rate: mean = rate x 365 / frequency."""

VACANCY_RATE: dict[Sector, float] = {
    Sector.VVT: 0.042,
    Sector.HOME_CARE: 0.042,
    Sector.GHZ: 0.045,
    Sector.GGZ: 0.065,
    Sector.HOSPITAL: 0.045,
}
"""Unfilled positions as a share of required hours [S109][S80]."""

AGENCY_SHARE: dict[Sector, float] = {
    Sector.VVT: 0.09,
    Sector.HOME_CARE: 0.09,
    Sector.GHZ: 0.10,
    Sector.GGZ: 0.10,
    Sector.HOSPITAL: 0.05,
}
"""Share of base-roster shift-hours covered by agency/zzp staff [S94][S95][S99]."""

ANW_HOLE_WEIGHT = 1.5
"""Vacancy holes fall 1.5 x as often on night/weekend shifts (U, §7.6)."""

AGENCY_DAY_WEIGHT = 3.0
"""Agency/zzp staff take day shifts this much more readily than ANW shifts (U; [S70])."""

AGENCY_SUPPLY_SHARE = {"day": 0.75, "night": 0.5}
"""Agency supply for open slots: ~60-80 % of open ANW slots, less at night (U, §7.6)."""

FLEX_POOL_LEVELS: dict[Level, float] = {
    Level.N2: 0.15,
    Level.N3: 0.40,
    Level.N4: 0.35,
    Level.N6: 0.10,
}
"""Pool members at all levels, skewed to N3/N4 (U, §7.6)."""

FLEX_POOL_CONTRACTS: dict[float, float] = {
    16.0: 0.2,
    20.0: 0.2,
    24.0: 0.25,
    28.0: 0.2,
    32.0: 0.15,
}
"""Pool contracts of 16-32 h (U, §7.6)."""

HOME_DISTANCE_MEDIAN_KM = 13.0
HOME_DISTANCE_SIGMA = 0.75
"""Home-work distance: median 13 km, mean ~17 km ([S111]: 16.4 km for part-timers)."""

MAX_TRAVEL_MEDIAN_KM = 20.0
MAX_TRAVEL_SIGMA = 0.54
"""Max travel distance: lognormal, median 20 km, P90 40 km (U, §7.6), raised to the
road distance to the person's own ward plus 2 km where that is farther (nobody's own
job is out of their range); the realised median is therefore about 26 km."""

"""Statistics of a region, to compare generated regions with `shared/domain.md` §7.6.

`region_statistics` measures a region the way the domain brief states its targets;
`TARGETS` holds those targets with the tolerance the statistics test allows. The
numbers contain no personal data (shares and means only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from carecap.domain import Employment, GapCause, Region, Sector

from . import presets as P
from .generator import haversine_km

CONTRACT_BAND_EDGES = (12.0, 20.0, 35.0)
"""Band edges of the contract-hours distribution: <12, 12-20, 20-35, >=35 h."""


@dataclass(frozen=True)
class Target:
    """A statistic's target and the tolerance within which a generated region passes."""

    value: float
    tolerance: float
    source: str

    def holds(self, measured: float) -> bool:
        """Returns whether ``measured`` is within tolerance of the target."""
        return abs(measured - self.value) <= self.tolerance


def _weighted(share: dict[Sector, float], values: dict[Sector, float]) -> float:
    return sum(share[s] * values[s] for s in share) / sum(share.values())


TARGETS: dict[str, Target] = {
    "staff_share_VVT_and_home_care": Target(0.46, 0.05, "[S76]"),
    "staff_share_hospital": Target(0.28, 0.05, "[S76]"),
    "staff_share_GHZ": Target(0.17, 0.05, "[S76]"),
    "staff_share_GGZ": Target(0.09, 0.04, "[S76]"),
    "wants_more_share": Target(0.23, 0.03, "[S66]"),
    "extra_hours_wanted_mean": Target(6.2, 1.0, "[S66]"),
    "conditional_share": Target(0.46, 0.05, "[S84]"),
    "sickness_share_of_own_base_hours": Target(
        _weighted(P.SECTOR_STAFF_SHARE, P.ABSENCE_RATE), 0.015, "[S87][S90]"
    ),
    "vacancy_share_of_demand_hours": Target(0.05, 0.02, "[S109][S80]"),
    "open_share_of_demand_hours": Target(0.11, 0.02, "§7.6: 10-12 %"),
    "agency_share_of_base_hours": Target(0.08, 0.03, "[S94][S95][S99]: 5-13 %"),
    "flex_pool_share_of_employees": Target(0.025, 0.01, "§7.6: 1-3 %"),
    "home_distance_median_km": Target(13.5, 2.5, "[S111]: median 12-15 km"),
    "home_distance_mean_km": Target(18.0, 3.0, "[S111]: mean 16-20 km"),
    "max_travel_median_km": Target(
        26.0, 4.0, "§7.6 (U): median 20 km, raised to each person's own commute"
    ),
}
"""Targets of the region-level statistics, with their tolerances and sources.

Contract-hour band shares are checked per sector against `presets.CONTRACT_BANDS`
within 3 points and the mean within 1 h (§7.6); ANW skew must make the ANW share of
open hours exceed the ANW share of demand hours.
"""


def region_statistics(region: Region) -> dict[str, Any]:
    """Returns the §7.6 statistics of a region.

    Parameters
    ----------
    region
        A region (generated or real).

    Returns
    -------
    dict
        Flat statistics (see `TARGETS` for the names with targets) plus per-sector
        contract statistics under ``contracts``.
    """
    classes = region.shift_classes
    sector_of_org = {org.id: org.sector for org in region.organisations}
    employees = [p for p in region.staff if p.employment is Employment.EMPLOYEE]
    pool = [p for p in region.staff if p.employment is Employment.FLEX_POOL]
    num_employees = max(1, len(employees))

    by_sector = defaultdict(list)
    for person in employees:
        by_sector[sector_of_org[person.organisation]].append(person.contract_hours)
    contracts = {}
    for sector, hours in sorted(by_sector.items()):
        values = np.array(hours)
        bands = np.digitize(values, CONTRACT_BAND_EDGES)
        contracts[sector.value] = {
            "count": len(values),
            "mean": float(values.mean()),
            "bands": [float(np.mean(bands == k)) for k in range(4)],
        }

    def staff_share(*sectors: Sector) -> float:
        return sum(len(by_sector.get(s, [])) for s in sectors) / num_employees

    paid = {shift_id: cls.paid_minutes / 60 for shift_id, cls in classes.items()}
    demand_hours = sum(
        paid[s.id] * req.count for s in region.shifts for req in s.requirements
    )
    anw_demand = sum(
        paid[s.id] * req.count
        for s in region.shifts
        for req in s.requirements
        if classes[s.id].anw_class.is_anw
    )
    open_hours: dict[GapCause, float] = defaultdict(float)
    open_anw = 0.0
    for slot in region.open_slots:
        open_hours[slot.cause] += paid[slot.shift]
        open_anw += paid[slot.shift] * classes[slot.shift].anw_class.is_anw
    total_open = sum(open_hours.values())

    base_hours: dict[Employment, float] = defaultdict(float)
    for a in region.base_roster:
        base_hours[region.staff_by_id[a.staff].employment] += paid[a.shift]
    worked_own = sum(
        paid[a.shift]
        for a in region.worked_roster
        if region.staff_by_id[a.staff].employment is Employment.EMPLOYEE
    )
    own_base = base_hours[Employment.EMPLOYEE]

    distances = []
    for person in employees:
        if person.home is None or person.ward is None:
            continue
        loc = region.location_by_id[region.ward_by_id[person.ward].location]
        distances.append(
            haversine_km(
                person.home.latitude, person.home.longitude, loc.latitude, loc.longitude
            )
        )
    travel = [p.max_travel_km for p in employees if p.max_travel_km is not None]
    wanting = [p for p in employees if p.wants_more_hours]
    supply = sum(s.count for s in region.agency_supply)

    return {
        "organisations": len(region.organisations),
        "employees": len(employees),
        "flex_pool": len(pool),
        "agency_people": sum(p.employment is Employment.AGENCY for p in region.staff),
        "shifts": len(region.shifts),
        "staff_share_VVT_and_home_care": staff_share(Sector.VVT, Sector.HOME_CARE),
        "staff_share_hospital": staff_share(Sector.HOSPITAL),
        "staff_share_GHZ": staff_share(Sector.GHZ),
        "staff_share_GGZ": staff_share(Sector.GGZ),
        "contracts": contracts,
        "wants_more_share": len(wanting) / num_employees,
        "extra_hours_wanted_mean": (
            float(np.mean([p.desired_hours - p.contract_hours for p in wanting]))
            if wanting
            else 0.0
        ),
        "conditional_share": sum(p.conditional_extra_hours > 0 for p in employees)
        / num_employees,
        "sickness_share_of_own_base_hours": (own_base - worked_own) / own_base
        if own_base
        else 0.0,
        "vacancy_share_of_demand_hours": open_hours[GapCause.VACANCY] / demand_hours,
        "sickness_share_of_demand_hours": open_hours[GapCause.SICKNESS] / demand_hours,
        "open_share_of_demand_hours": total_open / demand_hours,
        "anw_share_of_demand_hours": anw_demand / demand_hours,
        "anw_share_of_open_hours": open_anw / total_open if total_open else 0.0,
        "agency_share_of_base_hours": base_hours[Employment.AGENCY]
        / max(1e-9, sum(base_hours.values())),
        "flex_pool_share_of_employees": len(pool) / num_employees,
        "home_distance_median_km": float(np.median(distances)) if distances else 0.0,
        "home_distance_mean_km": float(np.mean(distances)) if distances else 0.0,
        "max_travel_median_km": float(np.median(travel)) if travel else 0.0,
        "agency_supply_per_open_slot": supply / max(1, len(region.open_slots)),
    }

"""Generate realistic Dutch care regions at several scales, deterministically per seed.

The generator follows `shared/domain.md` §7.6: sector mix, 24/7 wards with early, late
and night demand, the part-time contract distribution, who wants more hours, ages and
night exemptions, towns clustered in a labour-market region, a regional flex pool,
agency staff in the base roster, and the vacancy and sickness gaps that become open
shifts, with ANW skew. The base roster is built by a greedy that keeps every hard rule
by construction (`carecap.instances._rostering`), over two warm-up weeks first so that each
person's carry-in history is real and consistent with the horizon. Every person gets a
synthetic name (`carecap.instances.names`).

All randomness flows from the seed: one ``numpy.random.SeedSequence`` for the region,
and a stream of its own for the names, so that names change no other value. The same
preset, seed, weeks and start give a byte-identical region file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from carecap.anw import ShiftClass, classify_shift
from carecap.clock import local_instant, shift_interval, to_utc
from carecap.domain import (
    Employment,
    LabourRules,
    Level,
    Region,
    Sector,
    default_night_exemption_ages,
)
from carecap.holidays import holidays_between
from carecap.kernels.sickness import lognormal_mu

from . import presets as P
from ._rostering import build_roster
from .names import synthetic_names

DEFAULT_START = dt.date(2026, 3, 23)
"""Default horizon start: the week that ends with the spring daylight-saving switch,
so that the bundled example exercises a short (7 h 15 min) night."""

WARMUP_WEEKS = 2
"""Weeks rostered before the horizon to produce exact carry-in history."""

REGION_CENTRE = (52.09, 5.12)
KM_PER_DEGREE_LAT = 111.2

WEEKEND_DEMAND_FACTOR = 0.9
"""Weekend and holiday demand relative to weekdays (U, §7.6)."""

CONTRACT_SLACK_HOURS = 4.0
"""How far worked hours may run ahead of the contract hours accumulated so far: a
20 h contract then works 24 h one week and 16 h the next, as plus-min hours do."""

PACE_SLACK_HOURS = 8.5
"""How far ahead of an even spread of contract hours over the week a person may be."""

NAMES_STREAM = 7_392
"""Second seed entry of the names' generator, ``default_rng([seed, NAMES_STREAM])``:
a stream apart from the ``[seed, 7_391]`` streams of everything else, so that names
change no other generated value."""

VACANCY_MARK_SHARE = 0.8
"""Share of the vacancy rate marked as holes up front; the greedy's own misses (week
ends, rest rules, scarce levels) make up the rest, ANW-heavy as in practice (U)."""


# ---------------------------------------------------------------------------
# Shift templates and ward demand per sector (`shared/domain.md` §2.5, §7.2, §7.6)
# ---------------------------------------------------------------------------

TEMPLATES: dict[str, tuple[str, str, str, int]] = {
    # id: (name, start, end, unpaid break minutes)
    "VVT-E": ("VVT vroege dienst", "07:00", "15:30", 30),
    "VVT-L": ("VVT late dienst", "15:00", "23:00", 30),
    "VVT-A": ("VVT avondhulp", "17:00", "21:00", 0),
    "VVT-N": ("VVT nachtdienst", "23:00", "07:15", 0),
    "ZKH-D": ("Dagdienst", "07:30", "16:00", 30),
    "ZKH-L": ("Late dienst", "15:30", "23:30", 30),
    "ZKH-N": ("Nachtdienst", "23:15", "07:45", 0),
    "GHZ-D": ("GHZ dagdienst", "07:00", "15:00", 30),
    "GHZ-L": ("GHZ late dienst", "14:30", "23:00", 30),
    "GHZ-N": ("GHZ waakdienst", "23:00", "07:00", 0),
    "HC-E": ("Wijkzorg ochtend", "07:00", "12:30", 0),
    "HC-L": ("Wijkzorg avond", "16:30", "22:00", 0),
    "HC-N": ("Regionale nachtzorg", "23:00", "07:00", 0),
}

Req = tuple[Level, int, str | None]


@dataclass
class _Ward:
    id: str
    location: str
    organisation: str
    sector: Sector
    allow_higher_level: bool
    competence: str | None
    weekday: dict[str, list[Req]]
    weekend: dict[str, list[Req]]
    staff: list[int] = field(default_factory=list)


def _ward_demand(
    sector: Sector,
    rng: np.random.Generator,
    first_at_location: bool,
    first_of_org: bool,
) -> tuple[dict[str, list[Req]], str | None, bool, set[str]]:
    """Returns weekday demand, ward competence, over-qualification rule, weekday-only templates."""
    N2, N3, N4, N6 = Level.N2, Level.N3, Level.N4, Level.N6
    allow_higher = True
    weekday_only: set[str] = set()
    if sector is Sector.VVT:
        comp = "dementia" if rng.random() < 0.6 else None
        demand = {
            "VVT-E": [(N4, 1, None), (N3, 1, comp), (N3, 1, None), (N2, 1, None)],
            "VVT-L": [(N3, 1, comp), (N3, 1, None), (N2, 1, None)],
            "VVT-N": [(N3, 1, comp)],
        }
        if rng.random() < 0.5:
            demand["VVT-A"] = [(N2, 1, None)]
        if first_at_location:
            demand["VVT-N"].append((N4, 1, None))
            demand["VVT-E"].append((N6, 1, None))
            weekday_only.add("VVT-E:N6")
        return demand, comp, allow_higher, weekday_only
    if sector is Sector.HOSPITAL:
        comp = "IC" if rng.random() < 0.15 else None
        allow_higher = rng.random() >= 0.2
        demand = {
            "ZKH-D": [(N6, 2, comp), (N4, 3, None), (N3, 1, None)],
            "ZKH-L": [(N6, 1, comp), (N4, 2, None), (N3, 1, None)],
            "ZKH-N": [(N6, 1, comp), (N4, 1 + int(rng.random() < 0.5), None)],
        }
        return demand, comp, allow_higher, weekday_only
    if sector is Sector.GHZ:
        demand = {
            "GHZ-D": [(N3, 1, None), (N2, 1, None)],
            "GHZ-L": [(N3, 1, None), (N2, 1, None)],
        }
        if first_at_location:
            demand["GHZ-N"] = [(N3, 1, None)]
            demand["GHZ-D"].append((N4, 1, None))
            weekday_only.add("GHZ-D:N4")
        return demand, None, allow_higher, weekday_only
    if sector is Sector.GGZ:
        demand = {
            "ZKH-D": [(N6, 1, None), (N4, 1, None), (N3, 1, None)],
            "ZKH-L": [(N6, 1, None), (N4, 1, None)],
            "ZKH-N": [(N4, 1, None)],
        }
        return demand, None, allow_higher, weekday_only
    demand = {
        "HC-E": [(N4, 1, None), (N3, 3, None), (N2, 1, None)],
        "HC-L": [(N4, 1, None), (N3, 2, None)],
    }
    if first_of_org:
        demand["HC-N"] = [(N4, 1, None)]
    return demand, None, allow_higher, weekday_only


def _weekend_demand(
    weekday: dict[str, list[Req]], weekday_only: set[str]
) -> dict[str, list[Req]]:
    """Returns weekend demand: about 90 % of weekday demand, whole people."""
    weekend: dict[str, list[Req]] = {}
    for template, reqs in weekday.items():
        kept = [r for r in reqs if f"{template}:{r[0].value}" not in weekday_only]
        scaled = [
            (lv, max(1, math.floor(n * WEEKEND_DEMAND_FACTOR + 0.5)), c)
            for lv, n, c in kept
        ]
        total = sum(n for _, n, _ in scaled)
        if total == sum(n for _, n, _ in kept) and total >= 4:
            # Take one person off the lowest level that has more than one.
            order = sorted(range(len(scaled)), key=lambda k: scaled[k][0].rank)
            for k in order:
                lv, n, c = scaled[k]
                if n > 1:
                    scaled[k] = (lv, n - 1, c)
                    break
        weekend[template] = scaled
    return weekend


# ---------------------------------------------------------------------------
# Small sampling helpers
# ---------------------------------------------------------------------------


def _choice(rng: np.random.Generator, table: dict[Any, float]) -> Any:
    keys = list(table)
    probs = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=probs / probs.sum()))]


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    dlat = km * math.cos(bearing) / KM_PER_DEGREE_LAT
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Returns the great-circle distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


CONTRACT_DECK_SIZE = 200
"""Contracts are dealt from shuffled decks with the exact target mix, so a sector's
band shares hit §7.6 within a point even for a few hundred people."""


def _contract_deck(sector: Sector, rng: np.random.Generator) -> list[float]:
    """Returns a shuffled deck of contract hours with the sector's exact mix."""
    probs: dict[float, float] = defaultdict(float)
    bands = P.CONTRACT_BANDS[sector]
    for band, share in enumerate(bands):
        values = P.MID_BAND_VALUES[sector] if band == 2 else P.BAND_VALUES[band]
        for hours, p in values.items():
            probs[hours] += share / sum(bands) * p
    quotas = {h: p * CONTRACT_DECK_SIZE for h, p in sorted(probs.items())}
    counts = {h: math.floor(q) for h, q in quotas.items()}
    for h in sorted(quotas, key=lambda h: counts[h] - quotas[h])[
        : CONTRACT_DECK_SIZE - sum(counts.values())
    ]:
        counts[h] += 1
    deck = [h for h, n in counts.items() for _ in range(n)]
    return [deck[k] for k in rng.permutation(len(deck))]


def _age(sector: Sector, rng: np.random.Generator) -> int:
    band = int(rng.choice(3, p=np.array(P.AGE_BANDS[sector])))
    low, high = ((18, 34), (35, 54), (55, 67))[band]
    return int(rng.integers(low, high + 1))


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


class _Builder:
    """Holds the state of one generation run; `build` returns the region dict."""

    def __init__(self, preset: P.Preset, seed: int, weeks: int, start: dt.date):
        self.preset = preset
        self.seed = seed
        self.weeks = weeks
        self.start = start
        streams = np.random.SeedSequence([seed, 7_391]).spawn(8)
        (
            self.rng_geo,
            self.rng_org,
            self.rng_staff,
            self.rng_roster,
            self.rng_sick,
            self.rng_pool,
            self.rng_agency,
            self.rng_history,
        ) = (np.random.default_rng(s) for s in streams)
        self.rules = LabourRules()
        self.night_age = default_night_exemption_ages()
        self.holidays = holidays_between(
            start - dt.timedelta(days=7 * WARMUP_WEEKS),
            start + dt.timedelta(days=7 * weeks - 1),
        )
        self.towns: list[tuple[str, float, float]] = []
        self.town_weights: np.ndarray = np.zeros(0)
        self.organisations: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []
        self.wards: list[_Ward] = []
        self.staff: list[dict[str, Any]] = []
        self.staff_sector: list[Sector] = []
        self.classes: dict[tuple[str, dt.date], ShiftClass] = {}
        self.contract_decks: dict[Sector, list[float]] = defaultdict(list)

    # -- geography and organisations ------------------------------------------

    def _make_towns(self) -> None:
        rng = self.rng_geo
        radius = self.preset.region_radius_km
        for k in range(self.preset.towns):
            km = 0.0 if k == 0 else radius * math.sqrt(rng.uniform(0.05, 1.0))
            lat, lon = _offset(*REGION_CENTRE, km, rng.uniform(0, 2 * math.pi))
            self.towns.append((f"Stad {chr(ord('A') + k)}", lat, lon))
        weights = 1.0 / np.arange(1, self.preset.towns + 1)
        self.town_weights = weights / weights.sum()

    def _sector_counts(self) -> list[Sector]:
        n = self.preset.organisations
        quotas = {s: share * n for s, share in P.SECTOR_ORG_SHARE.items()}
        counts = {s: math.floor(q) for s, q in quotas.items()}
        tie_order = [
            Sector.HOSPITAL,
            Sector.GHZ,
            Sector.GGZ,
            Sector.HOME_CARE,
            Sector.VVT,
        ]
        by_remainder = sorted(
            quotas, key=lambda s: (-(quotas[s] - counts[s]), tie_order.index(s))
        )
        for s in by_remainder[: n - sum(counts.values())]:
            counts[s] += 1
        sectors = [s for s in tie_order[::-1] for _ in range(counts[s])]
        order = self.rng_org.permutation(len(sectors))
        return [sectors[k] for k in order]

    def _make_organisations(self) -> dict[str, float]:
        """Creates organisations; returns their target staff numbers."""
        sectors = self._sector_counts()
        # A list in a fixed order: iterating a set of str enums would follow the
        # per-process hash seed and break reproducibility across runs.
        present = [s for s in Sector if s in sectors]
        share_total = sum(P.SECTOR_STAFF_SHARE[s] for s in present)
        targets: dict[str, float] = {}
        for sector in present:
            members = [k for k, s in enumerate(sectors) if s is sector]
            weights = self.rng_org.lognormal(0.0, 0.4, size=len(members))
            weights /= weights.sum()
            sector_staff = (
                self.preset.staff * P.SECTOR_STAFF_SHARE[sector] / share_total
            )
            for k, w in zip(members, weights, strict=True):
                targets[f"O{k + 1:03d}"] = sector_staff * w
        for k, sector in enumerate(sectors):
            self.organisations.append(
                {
                    "id": f"O{k + 1:03d}",
                    "name": f"Zorgorganisatie {k + 1}",
                    "sector": sector.value,
                }
            )
        return targets

    def _new_location(self, org: dict[str, Any], number: int) -> dict[str, Any]:
        rng = self.rng_geo
        town = self.towns[int(rng.choice(len(self.towns), p=self.town_weights))]
        lat, lon = _offset(
            town[1], town[2], rng.uniform(0, 2.0), rng.uniform(0, 2 * math.pi)
        )
        location = {
            "id": f"{org['id']}-L{number}",
            "organisation": org["id"],
            "name": f"{org['name']} locatie {number}",
            "town": town[0],
            "latitude": round(lat, 5),
            "longitude": round(lon, 5),
        }
        self.locations.append(location)
        return location

    def _wards_per_location(self, sector: Sector) -> int:
        return {
            Sector.VVT: int(self.rng_org.integers(3, 6)),
            Sector.HOSPITAL: 12,
            Sector.GHZ: 2,
            Sector.GGZ: int(self.rng_org.integers(3, 5)),
            Sector.HOME_CARE: 1,
        }[sector]

    # -- wards and own staff ---------------------------------------------------

    def _make_wards_and_staff(self, targets: dict[str, float]) -> None:
        for org in self.organisations:
            sector = Sector(org["sector"])
            target = targets[org["id"]]
            org_staff = 0
            location: dict[str, Any] | None = None
            wards_here = capacity = 0
            number = 0
            last_ward_staff = 0
            # Add wards while that brings the organisation closer to its target size.
            while number == 0 or org_staff + last_ward_staff / 2 < target:
                if location is None or wards_here >= capacity:
                    location = self._new_location(
                        org,
                        sum(loc["organisation"] == org["id"] for loc in self.locations)
                        + 1,
                    )
                    wards_here, capacity = 0, self._wards_per_location(sector)
                number += 1
                demand, comp, allow_higher, weekday_only = _ward_demand(
                    sector, self.rng_org, wards_here == 0, number == 1
                )
                ward = _Ward(
                    id=f"{location['id']}-W{wards_here + 1}",
                    location=location["id"],
                    organisation=org["id"],
                    sector=sector,
                    allow_higher_level=allow_higher,
                    competence=comp,
                    weekday=demand,
                    weekend=_weekend_demand(demand, weekday_only),
                )
                wards_here += 1
                self.wards.append(ward)
                last_ward_staff = self._hire_ward_staff(ward, location)
                org_staff += last_ward_staff

    def _ward_week_hours_by_level(
        self, ward: _Ward
    ) -> dict[tuple[Level, str | None], float]:
        hours: dict[tuple[Level, str | None], float] = defaultdict(float)
        for demand, days in ((ward.weekday, 5), (ward.weekend, 2)):
            for template, reqs in demand.items():
                _, start, end, brk = TEMPLATES[template]
                s = dt.time.fromisoformat(start)
                e = dt.time.fromisoformat(end)
                minutes = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute)
                minutes = (minutes + 1440) % 1440 - brk
                for level, count, comp in reqs:
                    hours[(level, comp)] += days * count * minutes / 60
        return hours

    def _hire_ward_staff(self, ward: _Ward, location: dict[str, Any]) -> int:
        own_share = 1 - P.VACANCY_RATE[ward.sector] - P.AGENCY_SHARE[ward.sector]
        need = {
            key: hours * own_share
            for key, hours in self._ward_week_hours_by_level(ward).items()
        }
        # Hire the scarcest (highest level, competence first) needs first; each hire
        # covers its own level and, where allowed, lower levels' leftover need.
        order = sorted(need, key=lambda key: (-key[0].rank, key[1] is None))
        hired = 0
        for level, comp in order:
            while need[(level, comp)] > 0:
                contract = self._next_contract(ward.sector)
                person = self._own_employee(ward, location, level, comp, contract)
                ward.staff.append(len(self.staff))
                self.staff.append(person)
                self.staff_sector.append(ward.sector)
                need[(level, comp)] -= contract
                hired += 1
        return hired

    def _next_contract(self, sector: Sector) -> float:
        deck = self.contract_decks[sector]
        if not deck:
            deck.extend(_contract_deck(sector, self.rng_staff))
        return deck.pop()

    def _own_employee(
        self,
        ward: _Ward,
        location: dict[str, Any],
        level: Level,
        comp: str | None,
        contract: float,
    ) -> dict[str, Any]:
        rng = self.rng_staff
        sector = ward.sector
        competences = []
        if ward.competence is not None and (comp is not None or rng.random() < 0.5):
            competences.append(ward.competence)
        desired = contract
        if rng.random() < P.wants_more_probability(contract):
            desired = min(
                P.MAX_CONTRACT_HOURS[sector],
                contract + _choice(rng, P.EXTRA_HOURS_WANTED),
            )
            desired = max(desired, contract)
        conditional = 0.0
        room = P.MAX_CONTRACT_HOURS[sector] - contract
        if desired == contract and room > 0 and rng.random() < P.CONDITIONAL_GIVEN_ROOM:
            conditional = min(room, _choice(rng, P.EXTRA_HOURS_WANTED))
        # Weekly hard maximum: room for rosters that vary around the contract and, for
        # those who want more, for a shift beyond their wish (penalised, not forbidden).
        max_hours = min(40.0, max(contract + 8.0, desired + 4.0))
        age = _age(sector, rng)
        exempt = age >= self.night_age[sector]
        distance = min(
            60.0,
            float(
                rng.lognormal(
                    math.log(P.HOME_DISTANCE_MEDIAN_KM), P.HOME_DISTANCE_SIGMA
                )
            ),
        )
        home = _offset(
            location["latitude"],
            location["longitude"],
            distance,
            rng.uniform(0, 2 * math.pi),
        )
        max_travel = float(
            rng.lognormal(math.log(P.MAX_TRAVEL_MEDIAN_KM), P.MAX_TRAVEL_SIGMA)
        )
        max_travel = max(max_travel, 1.3 * distance + 2.0)
        preferences = {}
        for kind, p_avoid, p_prefer in (
            ("night", 0.25, 0.08),
            ("weekend", 0.2, 0.05),
            ("evening", 0.15, 0.1),
        ):
            u = rng.random()
            if u < p_avoid:
                preferences[kind] = "avoid"
            elif u < p_avoid + p_prefer:
                preferences[kind] = "prefer"
        pregnant = age < 40 and rng.random() < 0.015
        person: dict[str, Any] = {
            "id": f"P{len(self.staff) + 1:05d}",
            "employment": Employment.EMPLOYEE.value,
            "organisation": ward.organisation,
            "ward": ward.id,
            "level": level.value,
            "competences": competences,
            "contract_hours": contract,
            "desired_hours": desired,
            "max_hours": max_hours,
            "conditional_extra_hours": conditional,
            "age": age,
            "night_opt_in": bool(exempt and rng.random() < P.NIGHT_OPT_IN_SHARE),
            "pregnant": bool(pregnant),
            "irregular_opt_in": bool(pregnant and rng.random() < 0.3),
            "home": {"latitude": round(home[0], 4), "longitude": round(home[1], 4)},
            "max_travel_km": round(max_travel, 1),
            "inducted_locations": [],
            "unavailability": [],
            "preferences": preferences,
        }
        return person

    def _add_inductions_and_unavailability(self) -> None:
        rng = self.rng_staff
        locations_of = defaultdict(list)
        for loc in self.locations:
            locations_of[loc["organisation"]].append(loc["id"])
        ward_location = {w.id: w.location for w in self.wards}
        for person in self.staff:
            others = [
                loc
                for loc in locations_of[person["organisation"]]
                if loc != ward_location[person["ward"]]
            ]
            if others and rng.random() < 0.25:
                k = int(rng.integers(1, min(2, len(others)) + 1))
                person["inducted_locations"] = sorted(
                    rng.choice(others, size=k, replace=False).tolist()
                )
            if rng.random() < 0.25:
                days = sorted(
                    set(
                        rng.integers(
                            0, 7 * self.weeks, size=int(rng.integers(1, 3))
                        ).tolist()
                    )
                )
                person["unavailability"] = [
                    {
                        "start": dt.datetime.combine(
                            self.start + dt.timedelta(days=d), dt.time(0, 0)
                        ).isoformat(),
                        "end": dt.datetime.combine(
                            self.start + dt.timedelta(days=d + 1), dt.time(0, 0)
                        ).isoformat(),
                    }
                    for d in days
                ]

    # -- slots and the base roster ---------------------------------------------

    def _shift_class(self, template: str, day: dt.date) -> ShiftClass:
        key = (template, day)
        if key not in self.classes:
            _, start, end, brk = TEMPLATES[template]
            s, e = shift_interval(
                day, dt.time.fromisoformat(start), dt.time.fromisoformat(end)
            )
            self.classes[key] = classify_shift(s, e, brk, set(self.holidays))
        return self.classes[key]

    def _build_base_roster(self) -> dict[str, Any]:
        """Builds slots for warm-up and horizon, marks holes, runs the greedy."""
        first_day = self.start - dt.timedelta(days=7 * WARMUP_WEEKS)
        num_days = 7 * (WARMUP_WEEKS + self.weeks)
        origin = local_instant(first_day, dt.time(0, 0))
        competence_bit = {"dementia": 0, "IC": 1}

        rows: list[tuple] = []
        for ward_idx, ward in enumerate(self.wards):
            for d in range(num_days):
                day = first_day + dt.timedelta(days=d)
                weekend_like = day.weekday() >= 5 or day in self.holidays
                demand = ward.weekend if weekend_like else ward.weekday
                for template, reqs in demand.items():
                    cls = self._shift_class(template, day)
                    start = int((cls.start - origin).total_seconds() // 60)
                    end = int((cls.end - origin).total_seconds() // 60)
                    for req_idx, (level, count, comp) in enumerate(reqs):
                        for _ in range(count):
                            rows.append(
                                (
                                    ward_idx,
                                    start,
                                    -level.rank,
                                    comp is None,
                                    end,
                                    d,
                                    template,
                                    req_idx,
                                    level,
                                    comp,
                                    cls,
                                    day,
                                )
                            )
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        n = len(rows)
        horizon_day0 = 7 * WARMUP_WEEKS
        in_horizon = np.array([r[5] >= horizon_day0 for r in rows], dtype=bool)
        cls_list = [r[10] for r in rows]
        is_night = np.array([c.is_night for c in cls_list], dtype=bool)
        night2 = np.array([c.ends_after_0200 for c in cls_list], dtype=bool)
        anw_heavy = np.array(
            [c.is_night or c.is_weekend or c.is_holiday for c in cls_list], dtype=bool
        )
        is_day = np.array([not c.anw_class.is_anw for c in cls_list], dtype=bool)
        paid = np.array([c.paid_minutes / 60 for c in cls_list], dtype=np.float64)
        sector = [self.wards[r[0]].sector for r in rows]

        # Decide which horizon slots stay open (vacancy) and which go to agency.
        rng = self.rng_roster
        vac_rate = np.array([P.VACANCY_RATE[s] for s in sector])
        agency_rate = np.array([P.AGENCY_SHARE[s] for s in sector])
        hole_weight = np.where(anw_heavy, P.ANW_HOLE_WEIGHT, 1.0)
        hole_p = vac_rate * hole_weight / _weighted_mean(hole_weight, paid, in_horizon)
        vacancy = in_horizon & (rng.random(n) < hole_p * VACANCY_MARK_SHARE)
        agency_weight = np.where(is_day, P.AGENCY_DAY_WEIGHT, 1.0)
        agency_p = (
            agency_rate
            * agency_weight
            / _weighted_mean(agency_weight, paid, in_horizon & ~vacancy)
        )
        agency = in_horizon & ~vacancy & (rng.random(n) < agency_p)

        # Candidate groups: one per ward (own staff) and one per organisation (agency).
        org_index = {org["id"]: k for k, org in enumerate(self.organisations)}
        agency_people = self._agency_pool(rows, agency, org_index)
        num_wards = len(self.wards)
        group_members: list[list[int]] = [list(w.staff) for w in self.wards]
        group_members += [[] for _ in self.organisations]
        for person_idx, (org_k, _level) in agency_people.items():
            group_members[num_wards + org_k].append(person_idx)
        group_ptr = np.zeros(len(group_members) + 1, dtype=np.int64)
        group_ptr[1:] = np.cumsum([len(g) for g in group_members])
        members = np.array([p for g in group_members for p in g], dtype=np.int64)
        slot_group = np.array(
            [
                num_wards + org_index[self.wards[r[0]].organisation]
                if agency[i]
                else r[0]
                for i, r in enumerate(rows)
            ],
            dtype=np.int64,
        )

        staff = self.staff
        num_staff = len(staff)
        level_rank = np.array([Level(p["level"]).rank for p in staff], dtype=np.int64)
        comp_mask = np.array(
            [sum(1 << competence_bit[c] for c in p["competences"]) for p in staff],
            dtype=np.int64,
        )
        # Agency people have no contract: their weekly maximum is their budget.
        week_budget = np.array(
            [
                p["max_hours"]
                if p["employment"] == Employment.AGENCY.value
                else p["contract_hours"]
                for p in staff
            ],
            dtype=np.float64,
        )
        week_max = np.array([p["max_hours"] for p in staff], dtype=np.float64)
        nights_ok = np.array(
            [
                p["employment"] == Employment.AGENCY.value
                or p["age"] < self.night_age[self.staff_sector[k]]
                or p["night_opt_in"]
                for k, p in enumerate(staff)
            ],
            dtype=bool,
        )
        irregular_ok = np.array(
            [not p.get("pregnant") or p.get("irregular_opt_in") for p in staff],
            dtype=bool,
        )
        concentrate = np.array(
            [p["employment"] == Employment.AGENCY.value for p in staff], dtype=bool
        )
        night_bias = np.array(
            [
                {"avoid": -5.0, "prefer": 5.0}.get(
                    p.get("preferences", {}).get("night", ""), 0.0
                )
                for p in staff
            ]
        )
        prior = self._prior_history(nights_ok)
        night_room = np.array([36 - sum(h["nights"]) for h in prior], dtype=np.int64)
        sunday_room = np.array([39 - h["sundays"] for h in prior], dtype=np.int64)
        unavail_ptr = np.zeros(num_staff + 1, dtype=np.int64)
        u_start: list[int] = []
        u_end: list[int] = []
        for k, p in enumerate(staff):
            for window in p.get("unavailability", []):
                s_utc = to_utc(dt.datetime.fromisoformat(window["start"]))
                e_utc = to_utc(dt.datetime.fromisoformat(window["end"]))
                u_start.append(int((s_utc - origin).total_seconds() // 60))
                u_end.append(int((e_utc - origin).total_seconds() // 60))
            unavail_ptr[k + 1] = len(u_start)

        assignee = build_roster(
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[4] for r in rows], dtype=np.int64),
            paid,
            np.array([r[5] for r in rows], dtype=np.int64),
            np.array([r[5] // 7 for r in rows], dtype=np.int64),
            np.array([r[8].rank for r in rows], dtype=np.int64),
            np.array(
                [not self.wards[r[0]].allow_higher_level for r in rows], dtype=bool
            ),
            np.array(
                [competence_bit[r[9]] if r[9] else -1 for r in rows], dtype=np.int64
            ),
            is_night,
            night2,
            ~is_day,
            np.array([r[11].weekday() == 6 for r in rows], dtype=bool),
            slot_group,
            ~vacancy,
            group_ptr,
            members,
            level_rank,
            comp_mask,
            week_budget,
            week_max,
            nights_ok,
            irregular_ok,
            concentrate,
            night_room,
            sunday_room,
            night_bias,
            unavail_ptr,
            np.array(u_start, dtype=np.int64),
            np.array(u_end, dtype=np.int64),
            self.rng_roster.random(num_staff) * 0.5,
            int(self.rules.min_rest_hours * 60),
            int(self.rules.rest_after_night_hours * 60),
            int(self.rules.rest_after_night_series_hours * 60),
            self.rules.night_series_length,
            int(self.rules.weekly_rest_hours * 60),
            PACE_SLACK_HOURS,
            CONTRACT_SLACK_HOURS,
        )
        return {
            "rows": rows,
            "assignee": assignee,
            "in_horizon": in_horizon,
            "prior": prior,
            "first_day": first_day,
        }

    def _agency_pool(
        self, rows: list[tuple], agency: np.ndarray, org_index: dict[str, int]
    ) -> dict[int, tuple[int, Level]]:
        """Creates enough agency people per organisation and level for the agency slots."""
        count: dict[tuple[int, Level], int] = defaultdict(int)
        comps: dict[int, set[str]] = defaultdict(set)
        for i in np.flatnonzero(agency):
            ward = self.wards[rows[i][0]]
            org_k = org_index[ward.organisation]
            count[(org_k, rows[i][8])] += 1
            if rows[i][9]:
                comps[org_k].add(rows[i][9])
        people: dict[int, tuple[int, Level]] = {}
        for (org_k, level), n in sorted(
            count.items(), key=lambda kv: (kv[0][0], kv[0][1].rank)
        ):
            for _ in range(math.ceil(n / (2 * self.weeks)) + 2):
                idx = len(self.staff)
                self.staff.append(
                    {
                        "id": f"A{idx + 1:05d}",
                        "employment": Employment.AGENCY.value,
                        "level": level.value,
                        "competences": sorted(comps[org_k]),
                        "contract_hours": 0.0,
                        "desired_hours": 0.0,
                        "max_hours": 40.0,
                        "inducted_locations": [],
                    }
                )
                self.staff_sector.append(Sector(self.organisations[org_k]["sector"]))
                people[idx] = (org_k, level)
        return people

    def _prior_history(self, nights_ok: np.ndarray) -> list[dict[str, Any]]:
        """Samples hours and nights of the 13 weeks before the warm-up, and Sundays."""
        rng = self.rng_history
        history = []
        for k, person in enumerate(self.staff):
            weeks = 15 - WARMUP_WEEKS
            if person["employment"] != Employment.EMPLOYEE.value:
                history.append(
                    {"hours": [0.0] * weeks, "nights": [0] * weeks, "sundays": 0}
                )
                continue
            contract = person["contract_hours"]
            hours = [
                round(float(contract * rng.uniform(0.85, 1.0)) * 4) / 4
                for _ in range(weeks)
            ]
            nights = (
                np.minimum(rng.poisson(0.8, size=weeks), 3).tolist()
                if nights_ok[k]
                else [0] * weeks
            )
            history.append(
                {
                    "hours": hours,
                    "nights": [int(x) for x in nights],
                    "sundays": int(rng.binomial(50, 0.3)),
                }
            )
        return history

    # -- sickness, pool, agency supply -----------------------------------------

    def _sickness(self) -> list[dict[str, Any]]:
        rng = self.rng_sick
        lookback = 400
        horizon_days = 7 * self.weeks
        episodes = []
        mu_cache: dict[Sector, float] = {}
        for k, person in enumerate(self.staff):
            if person["employment"] != Employment.EMPLOYEE.value:
                continue
            sector = self.staff_sector[k]
            if sector not in mu_cache:
                mu_cache[sector] = lognormal_mu(
                    P.ABSENCE_RATE[sector],
                    P.SICK_EPISODES_PER_YEAR,
                    P.SICK_DURATION_SIGMA,
                )
            n = rng.poisson(P.SICK_EPISODES_PER_YEAR * (lookback + horizon_days) / 365)
            starts = rng.uniform(-lookback, horizon_days, size=n)
            lengths = np.minimum(
                rng.lognormal(mu_cache[sector], P.SICK_DURATION_SIGMA, size=n), 365
            )
            for s, length in sorted(zip(starts, lengths, strict=True)):
                first = math.floor(s)
                last = math.floor(s + length)
                if last < 0 or first >= horizon_days:
                    continue
                episodes.append(
                    {
                        "staff": person["id"],
                        "first_day": (
                            self.start + dt.timedelta(days=first)
                        ).isoformat(),
                        "last_day": (self.start + dt.timedelta(days=last)).isoformat(),
                    }
                )
        return _merge_episodes(episodes)

    def _flex_pool(self) -> list[dict[str, Any]]:
        """Returns the regional flex-pool members (no base roster: the optimiser's staff)."""
        rng = self.rng_pool
        pool: list[dict[str, Any]] = []
        own = sum(1 for p in self.staff if p["employment"] == Employment.EMPLOYEE.value)
        size = max(2, round(own * self.preset.flex_pool_share))
        org_weights = np.array(
            [
                sum(1 for p in self.staff if p.get("organisation") == o["id"])
                for o in self.organisations
            ],
            dtype=float,
        )
        org_weights /= org_weights.sum()
        for k in range(size):
            org = self.organisations[
                int(rng.choice(len(self.organisations), p=org_weights))
            ]
            town = self.towns[int(rng.choice(len(self.towns), p=self.town_weights))]
            home = _offset(
                town[1], town[2], rng.uniform(0, 4.0), rng.uniform(0, 2 * math.pi)
            )
            by_distance = sorted(
                self.locations,
                key=lambda loc: haversine_km(
                    home[0], home[1], loc["latitude"], loc["longitude"]
                ),
            )
            inducted = sorted(
                loc["id"] for loc in by_distance[: int(rng.integers(2, 5))]
            )
            farthest = max(
                haversine_km(home[0], home[1], loc["latitude"], loc["longitude"])
                for loc in self.locations
                if loc["id"] in inducted
            )
            level = _choice(rng, P.FLEX_POOL_LEVELS)
            contract = float(_choice(rng, P.FLEX_POOL_CONTRACTS))
            desired = contract
            if rng.random() < P.wants_more_probability(contract):
                desired = min(36.0, contract + _choice(rng, P.EXTRA_HOURS_WANTED))
            competences = []
            if level.rank >= 3 and rng.random() < 0.5:
                competences.append("dementia")
            if level is Level.N6 and rng.random() < 0.3:
                competences.append("IC")
            age = _age(Sector.VVT, rng)
            max_travel = max(
                float(rng.lognormal(math.log(25.0), P.MAX_TRAVEL_SIGMA)),
                1.3 * farthest + 3.0,
            )
            pool.append(
                {
                    "id": f"F{k + 1:04d}",
                    "employment": Employment.FLEX_POOL.value,
                    "organisation": org["id"],
                    "level": level.value,
                    "competences": competences,
                    "contract_hours": contract,
                    "desired_hours": desired,
                    "max_hours": min(40.0, max(desired, contract + 8.0)),
                    "age": age,
                    "night_opt_in": bool(rng.random() < P.NIGHT_OPT_IN_SHARE),
                    "home": {
                        "latitude": round(home[0], 4),
                        "longitude": round(home[1], 4),
                    },
                    "max_travel_km": round(max_travel, 1),
                    "inducted_locations": inducted,
                }
            )
        return pool

    # -- assembly ----------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        self._make_towns()
        targets = self._make_organisations()
        self._make_wards_and_staff(targets)
        self._add_inductions_and_unavailability()
        roster = self._build_base_roster()
        rows, assignee, in_horizon = (
            roster["rows"],
            roster["assignee"],
            roster["in_horizon"],
        )
        prior = roster["prior"]

        # Shifts of the horizon, with demand by requirement.
        shifts: list[dict[str, Any]] = []
        shift_id_of: dict[tuple[int, int, str], str] = {}
        horizon_day0 = 7 * WARMUP_WEEKS
        for ward_idx, ward in enumerate(self.wards):
            for d in range(7 * self.weeks):
                day = self.start + dt.timedelta(days=d)
                weekend_like = day.weekday() >= 5 or day in self.holidays
                demand = ward.weekend if weekend_like else ward.weekday
                for template in sorted(demand, key=lambda t: TEMPLATES[t][1]):
                    shift_id = (
                        f"{ward.id}-{day.strftime('%m%d')}-{template.split('-')[1]}"
                    )
                    shift_id_of[(ward_idx, horizon_day0 + d, template)] = shift_id
                    shifts.append(
                        {
                            "id": shift_id,
                            "ward": ward.id,
                            "date": day.isoformat(),
                            "template": template,
                            "requirements": [
                                {
                                    "level": lv.value,
                                    "count": n,
                                    **({"competence": c} if c else {}),
                                }
                                for lv, n, c in demand[template]
                            ],
                        }
                    )

        # Base roster (horizon) and carry-in history (warm-up weeks).
        base_roster = []
        recent: dict[int, list[dict[str, Any]]] = defaultdict(list)
        warm_hours: dict[int, list[float]] = defaultdict(lambda: [0.0] * WARMUP_WEEKS)
        warm_nights: dict[int, list[int]] = defaultdict(lambda: [0] * WARMUP_WEEKS)
        warm_sundays: dict[int, int] = defaultdict(int)
        used = set()
        for i, row in enumerate(rows):
            person = int(assignee[i])
            if person < 0:
                continue
            used.add(person)
            cls: ShiftClass = row[10]
            if in_horizon[i]:
                base_roster.append(
                    (shift_id_of[(row[0], row[5], row[6])], self.staff[person]["id"])
                )
            else:
                recent[person].append(
                    {
                        "start": cls.start.isoformat(),
                        "end": cls.end.isoformat(),
                        **(
                            {"unpaid_break_minutes": TEMPLATES[row[6]][3]}
                            if TEMPLATES[row[6]][3]
                            else {}
                        ),
                    }
                )
                week = row[5] // 7
                warm_hours[person][week] += cls.paid_minutes / 60
                warm_nights[person][week] += int(cls.ends_after_0200)
                warm_sundays[person] += int(row[11].weekday() == 6)

        for k, person in enumerate(self.staff):
            if person["employment"] != Employment.EMPLOYEE.value:
                continue
            history: dict[str, Any] = {
                "recent_shifts": sorted(recent.get(k, []), key=lambda s: s["start"]),
                "weekly_hours": prior[k]["hours"]
                + [round(h, 2) for h in warm_hours[k]],
                "weekly_nights": prior[k]["nights"] + warm_nights[k],
                "sundays_worked_52w": prior[k]["sundays"] + warm_sundays[k],
            }
            person["history"] = history

        sickness = self._sickness()
        # Agency people who got no shift are not part of the region.
        staff_out = [
            p
            for k, p in enumerate(self.staff)
            if p["employment"] != Employment.AGENCY.value or k in used
        ]
        staff_out += self._flex_pool()
        names = synthetic_names(
            len(staff_out), np.random.default_rng([self.seed, NAMES_STREAM])
        )
        for person, name in zip(staff_out, names, strict=True):
            person["name"] = name

        agency_supply = self._agency_supply(rows, assignee, in_horizon, sickness)
        return {
            "format_version": "1.0",
            "name": f"carecap-{self.preset.name}-seed{self.seed}",
            "horizon": {"start": self.start.isoformat(), "weeks": self.weeks},
            "holidays": [
                {"date": day.isoformat(), "name": name}
                for day, name in self.holidays.items()
                if self.start
                <= day
                <= self.start + dt.timedelta(days=7 * self.weeks - 1)
            ],
            "organisations": self.organisations,
            "locations": self.locations,
            "wards": [
                {
                    "id": w.id,
                    "location": w.location,
                    "name": f"Afdeling {w.id.rsplit('-', 1)[1]}",
                    **({} if w.allow_higher_level else {"allow_higher_level": False}),
                }
                for w in self.wards
            ],
            "shift_templates": [
                {
                    "id": tid,
                    "name": name,
                    "start": start,
                    "end": end,
                    **({"unpaid_break_minutes": brk} if brk else {}),
                }
                for tid, (name, start, end, brk) in TEMPLATES.items()
                if any(tid in w.weekday or tid in w.weekend for w in self.wards)
            ],
            "shifts": shifts,
            "staff": staff_out,
            "base_roster": [{"staff": s, "shift": sh} for sh, s in base_roster],
            "sickness": sickness,
            "agency_supply": agency_supply,
        }

    def _agency_supply(
        self,
        rows: list[tuple],
        assignee: np.ndarray,
        in_horizon: np.ndarray,
        sickness: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Agency supply for about 60-80 % of the open slots, less at night (U)."""
        sick = defaultdict(list)
        for ep in sickness:
            sick[ep["staff"]].append(
                (
                    dt.date.fromisoformat(ep["first_day"]),
                    dt.date.fromisoformat(ep["last_day"]),
                )
            )
        open_count: dict[tuple[dt.date, Level, bool], int] = defaultdict(int)
        for i, row in enumerate(rows):
            if not in_horizon[i]:
                continue
            person = int(assignee[i])
            day: dt.date = row[11]
            is_open = person < 0 or any(
                a <= day <= b for a, b in sick.get(self.staff[person]["id"], ())
            )
            if is_open:
                open_count[(day, row[8], row[10].is_night)] += 1
        supply: dict[tuple[dt.date, Level], int] = defaultdict(int)
        rng = self.rng_agency
        for (day, level, night), n in sorted(
            open_count.items(), key=lambda kv: (kv[0][0], kv[0][1].rank, kv[0][2])
        ):
            share = P.AGENCY_SUPPLY_SHARE["night" if night else "day"]
            supply[(day, level)] += int(rng.binomial(n, share))
        return [
            {"date": day.isoformat(), "level": level.value, "count": n}
            for (day, level), n in sorted(
                supply.items(), key=lambda kv: (kv[0][0], kv[0][1].rank)
            )
            if n > 0
        ]


def _weighted_mean(weight: np.ndarray, hours: np.ndarray, mask: np.ndarray) -> float:
    total = hours[mask].sum()
    return float((weight[mask] * hours[mask]).sum() / total) if total > 0 else 1.0


def _merge_episodes(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merges overlapping or touching episodes of the same person."""
    merged: list[dict[str, Any]] = []
    by_person = defaultdict(list)
    for ep in episodes:
        by_person[ep["staff"]].append(ep)
    for staff_id in sorted(by_person):
        spans = sorted(by_person[staff_id], key=lambda e: e["first_day"])
        current = dict(spans[0])
        for ep in spans[1:]:
            if dt.date.fromisoformat(ep["first_day"]) <= dt.date.fromisoformat(
                current["last_day"]
            ) + dt.timedelta(days=1):
                current["last_day"] = max(current["last_day"], ep["last_day"])
            else:
                merged.append(current)
                current = dict(ep)
        merged.append(current)
    return merged


def generate_region(
    preset: str,
    seed: int,
    *,
    weeks: int | None = None,
    start: dt.date | None = None,
) -> Region:
    """Generates a validated region.

    Parameters
    ----------
    preset
        Scale preset: ``S``, ``M``, ``L`` or ``XL`` (see `carecap.instances.presets.PRESETS`).
    seed
        Random seed; the same arguments always give the same region.
    weeks
        Horizon length in weeks (1-6); the preset's default if omitted.
    start
        Horizon start (a Monday); `DEFAULT_START` if omitted.

    Returns
    -------
    Region
        The generated region.

    Raises
    ------
    ValueError
        For an unknown preset, a bad number of weeks or a start that is not a Monday.
    """
    if preset not in P.PRESETS:
        raise ValueError(
            f"unknown preset {preset!r}; choose one of {', '.join(P.PRESETS)}"
        )
    spec = P.PRESETS[preset]
    weeks = spec.weeks if weeks is None else weeks
    if not 1 <= weeks <= 6:
        raise ValueError(f"weeks must be between 1 and 6, got {weeks}")
    start = DEFAULT_START if start is None else start
    if start.weekday() != 0:
        raise ValueError(
            f"start must be a Monday; {start.isoformat()} is a {start.strftime('%A')}"
        )
    data = _Builder(spec, seed, weeks, start).build()
    return Region.model_validate(data)

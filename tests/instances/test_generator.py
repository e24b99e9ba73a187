"""Tests of the region generator: determinism, legality, and the §7.6 statistics."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter

import numpy as np
import pytest
from carecap.anw import AnwClass
from carecap.compile import compile_region
from carecap.domain import Employment, FixedAssignment, Sector
from carecap.instances import EXAMPLE_REGION, generate_region, generator
from carecap.instances import presets as P
from carecap.instances.names import is_marked
from carecap.instances.statistics import TARGETS, region_statistics
from carecap.io import write_region
from carecap.kernels.evaluate import UNCOVERED, evaluate_roster

from tests.reference_rules import check_base_roster

STATISTICS_SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def m_regions():
    """Three generated M regions (the issue's statistics sample)."""
    return [generate_region("M", seed) for seed in STATISTICS_SEEDS]


@pytest.fixture(scope="module")
def m_statistics(m_regions):
    """The statistics of the three M regions."""
    return [region_statistics(region) for region in m_regions]


def _dump(region) -> str:
    data = region.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, indent=1, ensure_ascii=False)


def test_same_seed_gives_byte_identical_files(tmp_path):
    """Tests that generating M with seed 7 twice writes byte-identical files."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_region(generate_region("M", 7), first)
    write_region(generate_region("M", 7), second)
    assert first.read_bytes() == second.read_bytes()


def test_same_seed_is_reproducible_across_processes(tmp_path):
    """Tests that the output does not depend on the process (e.g. its hash seed)."""
    paths = []
    for hash_seed in ("1", "2"):
        path = tmp_path / f"r{hash_seed}.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "carecap.cli",
                "generate",
                "--preset",
                "S",
                "--seed",
                "3",
                "-o",
                str(path),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_different_seeds_differ():
    """Tests that the seed changes the region."""
    assert _dump(generate_region("S", 1)) != _dump(generate_region("S", 2))


def test_bundled_example_is_current():
    """Tests that the bundled example equals a fresh `generate --preset S --seed 1`."""
    bundled = json.loads(EXAMPLE_REGION.read_text(encoding="utf-8"))
    fresh = json.loads(
        json.dumps(
            generate_region("S", 1).model_dump(mode="json", exclude_defaults=True)
        )
    )
    fresh = {"format_version": "1.0", **fresh}
    assert bundled == fresh, (
        "regenerate: carecap generate --preset S --seed 1 -o instances/regions/example_S.json"
    )


@pytest.mark.parametrize(
    ("preset", "seed", "weeks", "start"),
    [
        ("S", 1, None, None),
        ("S", 4, 4, dt.date(2026, 10, 12)),  # autumn DST switch inside the horizon
        ("S", 5, 2, dt.date(2026, 12, 21)),  # Christmas and New Year
        ("M", 1, None, None),
    ],
)
def test_base_roster_is_legal(preset, seed, weeks, start):
    """Tests that generated base rosters break no hard rule, carry-in included."""
    region = generate_region(preset, seed, weeks=weeks, start=start)
    assert check_base_roster(region) == []


@pytest.mark.parametrize(
    ("preset", "seed", "weeks", "start"),
    [
        ("S", 2, 4, dt.date(2026, 10, 12)),
        *[(preset, seed, None, None) for preset in ("S", "M") for seed in range(1, 6)],
    ],
)
def test_base_roster_passes_the_evaluator(preset, seed, weeks, start):
    """Tests that the numba evaluator finds no violation in a sickness-free base roster
    (the rules as the rule book now reads them: H8 from each series start)."""
    region = generate_region(preset, seed, weeks=weeks, start=start).replace(
        sickness=()
    )
    compiled = compile_region(region)
    roster = np.full(len(region.open_slots), UNCOVERED, dtype=np.int64)
    assert evaluate_roster(compiled, roster).violations == ()


def test_reference_checker_catches_a_short_rest():
    """Tests that the legality check can fail: an early after a late breaks H4."""
    region = generate_region("S", 1)
    classes = region.shift_classes
    by_person = {}
    for a in region.base_roster:
        by_person.setdefault(a.staff, []).append(a.shift)
    # Find someone on a late shift and an early shift on their ward the next day.
    for staff_id, shift_ids in by_person.items():
        person = region.staff_by_id[staff_id]
        for shift_id in shift_ids:
            shift = region.shift_by_id[shift_id]
            if classes[shift_id].anw_class is not AnwClass.EVENING:
                continue
            next_day = shift.date + dt.timedelta(days=1)
            for other in region.shifts:
                if (
                    other.ward == shift.ward
                    and other.date == next_day
                    and classes[other.id].start.astimezone().hour < 9
                    and (staff_id, other.id)
                    not in {(a.staff, a.shift) for a in region.base_roster}
                    and any(
                        region.can_fill(person, other, r) for r in other.requirements
                    )
                ):
                    # Drop the person's other shifts on that day so only the rest rule breaks.
                    kept = [
                        a
                        for a in region.base_roster
                        if not (
                            a.staff == staff_id
                            and region.shift_by_id[a.shift].date == next_day
                        )
                    ]
                    broken = region.model_copy(
                        update={
                            "base_roster": (
                                *kept,
                                FixedAssignment(staff=staff_id, shift=other.id),
                            )
                        }
                    )
                    rules = {
                        v.rule for v in check_base_roster(broken) if v.staff == staff_id
                    }
                    assert "H4" in rules
                    return
    pytest.fail("no late shift followed by an early shift found in the example")


def test_statistics_hit_domain_targets(m_statistics):
    """Tests that every §7.6 statistic of M (mean of 3 seeds) is within tolerance."""
    misses = []
    for name, target in TARGETS.items():
        measured = float(np.mean([stats[name] for stats in m_statistics]))
        if not target.holds(measured):
            misses.append(
                f"{name}: {measured:.3f} vs {target.value} +- {target.tolerance}"
            )
    assert misses == []


def test_contract_hours_follow_sector_bands(m_regions):
    """Tests that contract bands per sector are within 3 points and means within 1 h."""
    hours: dict[Sector, list[float]] = {}
    for region in m_regions:
        sector = {org.id: org.sector for org in region.organisations}
        for person in region.staff:
            if person.employment is Employment.EMPLOYEE:
                hours.setdefault(sector[person.organisation], []).append(
                    person.contract_hours
                )
    for sector, values in hours.items():
        values = np.array(values)
        bands = np.digitize(values, (12, 20, 35))
        shares = np.array([np.mean(bands == k) for k in range(4)])
        expected = np.array(P.CONTRACT_BANDS[sector]) / sum(P.CONTRACT_BANDS[sector])
        np.testing.assert_allclose(shares, expected, atol=0.03, err_msg=sector.value)
        assert abs(values.mean() - P.TARGET_MEAN_CONTRACT[sector]) <= 1.0, sector.value


def test_open_hours_lean_to_anw(m_statistics):
    """Tests that open hours fall more on ANW shifts than demand does (ANW skew)."""
    for stats in m_statistics:
        assert (
            stats["anw_share_of_open_hours"] > stats["anw_share_of_demand_hours"] + 0.02
        )


def test_wards_run_round_the_clock(m_regions):
    """Tests that 24/7 wards have day, evening and night demand on every day."""
    for region in m_regions:
        classes = region.shift_classes
        kinds = {}
        for shift in region.shifts:
            cls = classes[shift.id]
            kind = (
                "night"
                if cls.is_night
                else (
                    "evening"
                    if cls.is_evening or cls.end.astimezone().hour >= 20
                    else "day"
                )
            )
            kinds.setdefault((shift.ward, shift.date), set()).add(kind)
        sector = {w.id: region.ward_organisation(w.id).sector for w in region.wards}
        for (ward, day), seen in kinds.items():
            assert {"day", "evening"} <= seen, (ward, day)
            if sector[ward] in (Sector.VVT, Sector.HOSPITAL, Sector.GGZ):
                assert "night" in seen, (ward, day)
        # Every organisation with nights at all has them on every day.
        nights_by_org_day = Counter(
            (region.ward_organisation(s.ward).id, s.date)
            for s in region.shifts
            if classes[s.id].is_night
        )
        orgs_with_nights = {org for org, _ in nights_by_org_day}
        assert len(orgs_with_nights) == len(region.organisations)


def test_gaps_are_recorded_with_their_cause(m_regions):
    """Tests that open slots name sickness or vacancy, and sickness gaps map to sick people."""
    region = m_regions[0]
    causes = Counter(slot.cause.value for slot in region.open_slots)
    assert causes["sickness"] > 0
    assert causes["vacancy"] > 0
    sick_shifts = {a.shift for a in set(region.base_roster) - set(region.worked_roster)}
    for slot in region.open_slots:
        if slot.cause.value == "sickness":
            assert slot.shift in sick_shifts


def test_flex_pool_is_realistic(m_regions):
    """Tests that pool members have 16-32 h contracts, 2-4 inductions and no base roster."""
    for region in m_regions:
        pool = [p for p in region.staff if p.employment is Employment.FLEX_POOL]
        assert pool
        rostered = {a.staff for a in region.base_roster}
        for person in pool:
            assert 16 <= person.contract_hours <= 32
            assert 2 <= len(person.inducted_locations) <= 4
            assert person.id not in rostered
        levels = Counter(p.level.value for p in pool)
        assert levels["N3"] + levels["N4"] > len(pool) / 2


def test_every_person_has_a_synthetic_name(m_regions):
    """Tests that every generated person of M (seeds 1-3) has a name in NFC, at least
    5 % of them with a diacritic, an apostrophe or a hyphen, and that names repeat
    for under 1 % of the people."""
    for region in m_regions:
        names = [p.name for p in region.staff]
        assert all(names)
        assert all(unicodedata.is_normalized("NFC", name) for name in names)
        assert sum(map(is_marked, names)) >= 0.05 * len(names)
        assert any("'" in name for name in names)
        assert any("-" in name for name in names)
        assert any(not name.isascii() for name in names)
        assert len(set(names)) >= 0.99 * len(names)


def test_names_change_no_other_value(monkeypatch):
    """Tests that names come from a stream of their own: generated without them, S
    seed 2 over two weeks is the same region in every other value."""

    def without_names(region) -> str:
        data = region.model_dump(mode="json", exclude_defaults=True)
        for person in data["staff"]:
            person.pop("name", None)
        return json.dumps(data, indent=1, ensure_ascii=False)

    named = generate_region("S", 2, weeks=2)
    monkeypatch.setattr(generator, "synthetic_names", lambda count, rng: [""] * count)
    unnamed = generate_region("S", 2, weeks=2)
    assert {p.name for p in unnamed.staff} == {""}
    assert without_names(named) == without_names(unnamed)


def test_presets_have_their_sizes():
    """Tests that S has 4 organisations and about 150 employees (whole wards)."""
    region = generate_region("S", 1)
    stats = region_statistics(region)
    assert stats["organisations"] == 4
    assert 100 <= stats["employees"] <= 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "XXL", "seed": 1}, "unknown preset"),
        ({"preset": "S", "seed": 1, "weeks": 7}, "weeks"),
        ({"preset": "S", "seed": 1, "start": dt.date(2026, 3, 24)}, "Monday"),
    ],
)
def test_raises_bad_arguments(kwargs, message):
    """Tests that bad generator arguments raise a ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        generate_region(**kwargs)

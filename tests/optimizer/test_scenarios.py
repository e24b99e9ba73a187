"""Tests of `carecap.scenarios`: the scenario file and applying its changes."""

from __future__ import annotations

import json

import pytest
from carecap.cli import main
from carecap.domain import Employment, Level, Region
from carecap.exceptions import InputError
from carecap.scenarios import (
    BASELINE,
    Scenario,
    apply_scenario,
    parse_scenarios,
    prepare_scenario,
    read_scenarios,
    usable_shift_minutes,
    whole_shift_sums,
)


def scenario(*changes: dict, name: str = "s") -> Scenario:
    """Returns a validated scenario with the given changes."""
    return Scenario.model_validate({"name": name, "changes": list(changes)})


EVERY_KIND = scenario(
    {"kind": "contract_uplift", "group": "everyone", "hours": 1},
    {"kind": "contract_uplift", "group": "wants_more", "up_to_desired": True},
    {"kind": "contract_uplift", "group": "conditional"},
    {"kind": "minimum_contract", "hours": 24},
    {"kind": "flex_pool", "per_level": {"N3": 2, "N2": -1}},
    {"kind": "absence", "rate": "national"},
    {"kind": "agency", "max_share": 0.1},
    {"kind": "induction", "organisations": 1},
    {"kind": "travel", "factor": 1.2},
    {"kind": "anw_policy"},
    name="every-kind",
)


def test_applying_every_kind_leaves_the_base_region_unchanged(example_region):
    """Tests that a scenario with every change kind never touches the base region."""
    before = example_region.model_dump(mode="json")
    applied = prepare_scenario(example_region, EVERY_KIND, seed=3)
    assert example_region.model_dump(mode="json") == before
    assert applied.region is not example_region
    assert applied.region.model_dump(mode="json") != before
    assert [report.kind for report in applied.changes] == [
        change.kind for change in EVERY_KIND.changes
    ]
    # The changed region is a validated Region whose derived data is its own.
    assert isinstance(applied.region, Region)
    assert Region.model_validate(applied.region.model_dump()) == applied.region


def test_apply_scenario_is_deterministic_for_a_seed(example_region):
    """Tests that the same seed gives the same region and another seed may not."""
    first = apply_scenario(example_region, EVERY_KIND, seed=5)
    again = apply_scenario(example_region, EVERY_KIND, seed=5)
    other = apply_scenario(example_region, EVERY_KIND, seed=6)
    assert first == again
    assert first.sickness != other.sickness


def test_changed_region_is_validated_again(example_region, monkeypatch):
    """Tests that changes go through validation (model_copy alone would not)."""
    calls = []
    original = Region.model_validate.__func__

    def counting(cls, *args, **kwargs):
        calls.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Region, "model_validate", classmethod(counting))
    apply_scenario(
        example_region,
        scenario({"kind": "contract_uplift", "group": "wants_more", "hours": 4}),
        seed=0,
    )
    assert calls


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "contract_uplift", "group": "everyone", "hours": 2},
        {"kind": "contract_uplift", "group": "wants_more", "hours": 4},
        {"kind": "contract_uplift", "group": "wants_more", "up_to_desired": True},
        {"kind": "contract_uplift", "group": "conditional"},
        {"kind": "contract_uplift", "group": "conditional", "hours": 8},
        {"kind": "minimum_contract", "hours": 28, "cap_hours": 32},
    ],
)
def test_uplift_never_lowers_offered_hours(example_region, change):
    """Tests that an uplift raises wishes and maxima only, within the cap."""
    applied = prepare_scenario(example_region, scenario(change), seed=0)
    cap = change.get("cap_hours", 36)
    before = {p.id: p for p in example_region.staff}
    raised = 0
    for person in applied.region.staff:
        old = before[person.id]
        assert person.contract_hours == old.contract_hours
        assert person.desired_hours >= old.desired_hours
        assert person.max_hours >= person.desired_hours
        if old.wants_more_hours or person.desired_hours == old.desired_hours:
            assert person.max_hours >= old.max_hours
        else:
            # A new candidate may not go beyond the offer into the CAO headroom.
            assert person.max_hours <= max(old.max_hours, person.desired_hours)
        if person.desired_hours > old.desired_hours:
            raised += 1
            assert person.employment is Employment.EMPLOYEE
            assert person.desired_hours <= max(cap, old.desired_hours)
            uplift = person.desired_hours - old.desired_hours
            assert applied.offered_minutes[person.id] == round(uplift * 60)
    assert raised == len(applied.offered_minutes) > 0
    report = applied.changes[0].uplift
    assert report.people == raised
    weeks = example_region.horizon.weeks
    assert report.offered_hours == pytest.approx(
        sum(applied.offered_minutes.values()) * weeks / 60
    )
    assert 0 <= report.usable_hours <= report.offered_hours
    assert report.rounding_loss_hours == pytest.approx(
        report.offered_hours - report.usable_hours
    )


def test_uplift_groups_select_the_right_people(example_region):
    """Tests that 'wants_more' lifts exactly those whose wish exceeds the contract."""
    applied = prepare_scenario(
        example_region,
        scenario(
            {
                "kind": "contract_uplift",
                "group": "wants_more",
                "hours": 2,
                "cap_hours": 60,
            }
        ),
        seed=0,
    )
    wanting = {
        p.id
        for p in example_region.staff
        if p.employment is Employment.EMPLOYEE and p.wants_more_hours
    }
    assert set(applied.offered_minutes) == wanting
    assert set(applied.offered_minutes.values()) == {120}


def test_conditional_hours_are_switched_on(example_region):
    """Tests that the conditional group offers its own hours, no longer conditional."""
    applied = prepare_scenario(
        example_region,
        scenario({"kind": "contract_uplift", "group": "conditional", "cap_hours": 60}),
        seed=0,
    )
    after = applied.region.staff_by_id
    for person in example_region.staff:
        if person.employment is Employment.EMPLOYEE and person.conditional_extra_hours:
            new = after[person.id]
            assert new.desired_hours == person.desired_hours + (
                person.conditional_extra_hours
            )
            assert new.conditional_extra_hours == 0


def test_whole_shift_sums_by_hand():
    """Tests the whole-shift totals on hand-checked lengths."""
    reachable = whole_shift_sums([240, 450], 1000)
    assert reachable[[0, 240, 450, 480, 690, 720, 900, 930, 960]].all()
    assert not reachable[[1, 239, 241, 449, 700, 1000]].any()
    assert usable_shift_minutes([0, 200, 240, 700, 1000], [240, 450]) == [
        0,
        0,
        240,
        690,
        960,
    ]
    assert usable_shift_minutes([], [480]) == []


def test_rounding_loss_on_the_tiny_region(tiny_region):
    """Tests that usable hours are counted week by week against the consent cap.

    P1 (28 h offered, 8 h worked) has room for two shifts of at most 8.25 h before
    and after the extra hour: it is lost whole. P2 (32 h, sick, nothing worked this
    week) offered nothing before; with 33 h offered a week of shifts fits, so the
    extra hour itself is usable (counted at most once per week).
    """
    applied = prepare_scenario(
        tiny_region,
        scenario({"kind": "contract_uplift", "group": "everyone", "hours": 1}),
        seed=0,
    )
    report = applied.changes[0].uplift
    assert report.people == 2  # P1, P2: pool and agency are not employees
    assert report.offered_hours == 2
    assert report.usable_hours == 1
    assert report.rounding_loss_hours == 1


def test_flex_pool_sizes(example_region):
    """Tests pool growth in percent (at least one person) and per level."""
    pool = [p for p in example_region.staff if p.employment is Employment.FLEX_POOL]
    grown = apply_scenario(
        example_region, scenario({"kind": "flex_pool", "percent": 10}), seed=0
    )
    new_pool = [p for p in grown.staff if p.employment is Employment.FLEX_POOL]
    assert len(new_pool) == len(pool) + max(1, round(len(pool) * 0.1))

    by_level = apply_scenario(
        example_region,
        scenario({"kind": "flex_pool", "per_level": {"N6": 2, "N3": -1}}),
        seed=0,
    )
    members = [p for p in by_level.staff if p.employment is Employment.FLEX_POOL]
    count = {level: sum(p.level is level for p in members) for level in Level}
    old = {level: sum(p.level is level for p in pool) for level in Level}
    assert count[Level.N6] == old[Level.N6] + 2
    assert count[Level.N3] == old[Level.N3] - 1
    assert len({p.id for p in by_level.staff}) == len(by_level.staff)


def test_raises_when_removing_more_members_than_there_are(example_region):
    """Tests that an impossible change names the file, scenario, change and field."""
    with pytest.raises(InputError) as caught:
        prepare_scenario(
            example_region,
            scenario({"kind": "flex_pool", "per_level": {"N6": -99}}, name="shrink"),
            seed=0,
            source="s.yaml",
        )
    text = str(caught.value)
    assert text.startswith("s.yaml: ")
    assert "(name 'shrink')" in text
    assert "changes[0] (kind 'flex_pool').per_level.N6" in text


def test_agency_cap_cuts_supply(example_region):
    """Tests that the agency cap bounds booked hours and 0 means no agency."""
    none = apply_scenario(
        example_region, scenario({"kind": "agency", "max_share": 0}), seed=0
    )
    assert sum(s.count for s in none.agency_supply) == 0
    capped = apply_scenario(
        example_region, scenario({"kind": "agency", "max_share": 0.1}), seed=0
    )
    classes = example_region.shift_classes
    minutes = [classes[s.shift].paid_minutes for s in example_region.open_slots]
    bookings = sum(s.count for s in capped.agency_supply)
    assert 0 < bookings * max(minutes) <= 0.1 * sum(minutes)


def test_induction_adds_new_organisations(example_region):
    """Tests that pool members get every location of one more organisation."""
    applied = apply_scenario(
        example_region, scenario({"kind": "induction", "organisations": 1}), seed=0
    )
    orgs = {loc.id: loc.organisation for loc in example_region.locations}
    after = applied.staff_by_id
    for person in example_region.staff:
        if person.employment is not Employment.FLEX_POOL:
            assert after[person.id] == person
            continue
        before_orgs = {orgs[loc] for loc in person.inducted_locations}
        after_orgs = {orgs[loc] for loc in after[person.id].inducted_locations}
        assert before_orgs < after_orgs
        assert len(after_orgs - before_orgs) == 1


def test_travel_limits_scale(example_region):
    """Tests that the travel factor applies to its group and keeps 'no limit'."""
    applied = apply_scenario(
        example_region,
        scenario({"kind": "travel", "group": "flex_pool", "factor": 2}),
        seed=0,
    )
    after = applied.staff_by_id
    for person in example_region.staff:
        new = after[person.id].max_travel_km
        if person.employment is Employment.FLEX_POOL and person.max_travel_km:
            assert new == pytest.approx(2 * person.max_travel_km)
        else:
            assert new == person.max_travel_km


def test_absence_draw_replaces_sickness(example_region):
    """Tests that a zero absence rate leaves no sickness gaps and a seed repeats."""
    healthy = apply_scenario(
        example_region, scenario({"kind": "absence", "rate": 0.0}), seed=0
    )
    assert healthy.sickness == ()
    assert all(slot.cause.value == "vacancy" for slot in healthy.open_slots)
    sick = scenario({"kind": "absence", "rate": 0.3, "seed": 11})
    first = apply_scenario(example_region, sick, seed=0)
    second = apply_scenario(example_region, sick, seed=99)  # own seed wins
    assert first.sickness == second.sickness
    assert len(first.sickness) > len(example_region.sickness)


def test_anw_policy_sets_the_balance_rule(example_region):
    """Tests that the ANW policy asks the solver for the hard balance rule."""
    change = {"kind": "anw_policy", "tolerance_hours": 1.5}
    applied = prepare_scenario(example_region, scenario(change), seed=0)
    assert applied.solve_overrides == {"anw_balance_hours": 1.5}
    assert applied.region is example_region
    assert applied.notes


YAML = """
format_version: "1.0"
scenarios:
  - name: plus4
    description: "+4 h for those who want more"
    changes:
      - {kind: contract_uplift, group: wants_more, hours: 4}
  - name: pool
    changes:
      - {kind: flex_pool, percent: 10}
"""


def test_reads_yaml_and_json(tmp_path):
    """Tests that YAML and JSON files give the same scenarios."""
    parsed = parse_scenarios(YAML, "s.yaml")
    (tmp_path / "s.json").write_text(json.dumps(parsed.model_dump(mode="json")))
    assert read_scenarios(tmp_path / "s.json") == parsed
    assert [s.name for s in parsed.scenarios] == ["plus4", "pool"]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "scenarios:\n  - name: a\n    changes:\n"
            "      - {kind: contract_uplift, group: everyone}\n",
            ["scenarios[0] (name 'a').changes[0] (kind 'contract_uplift')", "hours"],
        ),
        (
            "scenarios:\n  - name: a\n    changes:\n"
            "      - {kind: flex_pool, add: 1, percent: 5}\n",
            ["(kind 'flex_pool')", "exactly one of add, percent, per_level"],
        ),
        (
            "scenarios:\n  - name: a\n    changes:\n"
            "      - {kind: travel, factor: -1}\n",
            ["changes[0] (kind 'travel').factor:"],
        ),
        (
            "scenarios:\n  - name: a\n    changes:\n      - {kind: teleport}\n",
            ["changes[0] (kind 'teleport')", "teleport"],
        ),
        (
            "scenarios:\n  - name: a\n    changes:\n"
            "      - {kind: agency, max_share: 0.1, extra: 1}\n",
            ["(kind 'agency').extra:"],
        ),
        (
            f"scenarios:\n  - name: {BASELINE}\n    changes:\n"
            "      - {kind: anw_policy}\n",
            ["scenarios[0] (name 'baseline')", "reserved"],
        ),
        (
            "scenarios:\n  - {name: a, changes: [{kind: anw_policy}]}\n"
            "  - {name: a, changes: [{kind: anw_policy}]}\n",
            ["duplicate scenario name 'a'"],
        ),
        ("scenarios: [\n", ["not valid YAML at line"]),
        ("", ["the file is empty"]),
        ("- 1\n", ["expected a mapping"]),
    ],
)
def test_raises_on_bad_scenario_files(text, fragments):
    """Tests that every problem line names the file, scenario, change and field."""
    with pytest.raises(InputError) as caught:
        parse_scenarios(text, "bad.yaml")
    lines = str(caught.value).splitlines()
    assert all(line.startswith("bad.yaml: ") for line in lines)
    assert any(all(f in line for f in fragments) for line in lines), lines


def test_cli_prints_the_scenario_schema(capsys):
    """Tests that `carecap schema --scenario` prints the scenario file's schema."""
    assert main(["schema", "--scenario"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "scenarios" in schema["properties"]
    assert "ContractUplift" in schema["$defs"]


def test_new_candidates_are_held_to_their_offer(example_region):
    """Tests that '+1 h for everyone' lets people who wanted no more take 1 h, not
    their CAO headroom, and that their base roster stays legal (greedy re-check)."""
    from carecap.solve import solve

    applied = apply_scenario(
        example_region,
        scenario({"kind": "contract_uplift", "group": "everyone", "hours": 1}),
        seed=0,
    )
    classes = example_region.shift_classes
    fixed: dict[str, float] = {}
    for assignment in example_region.base_roster:
        minutes = classes[assignment.shift].paid_minutes
        fixed[assignment.staff] = fixed.get(assignment.staff, 0) + minutes / 60
    after = applied.staff_by_id
    held = 0
    for person in example_region.staff:
        new = after[person.id]
        if not person.wants_more_hours and new.desired_hours > person.desired_hours:
            assert new.max_hours == max(new.desired_hours, fixed.get(person.id, 0))
            held += new.max_hours < person.max_hours
    assert held > 0
    result = solve(applied, seed=0, backend="greedy")  # raises on a broken rule
    assert result.evaluation.is_clean()

"""Tests of the region model: validation, immutability, derived demand and every
rejection of a hand-broken instance (record id and field named in the message)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from carecap.domain import (
    GapCause,
    Horizon,
    Level,
    Region,
    ShiftLengthBreak,
    shift_length_breaks,
)
from pydantic import ValidationError

from tests.helpers import (
    TINY_OPEN_SLOTS,
    assert_names,
    parse,
    record,
    rejection,
    tiny_october_data,
)

# ---------------------------------------------------------------------------
# The valid tiny region and the bundled example
# ---------------------------------------------------------------------------


def test_tiny_region_validates(tiny_region):
    """Tests that the hand-made tiny region is a valid region with everything in it."""
    assert isinstance(tiny_region, Region)
    assert tiny_region.horizon.start == dt.date(2026, 3, 23)
    assert tiny_region.horizon.last_day == dt.date(2026, 3, 29)
    assert [
        len(getattr(tiny_region, field))
        for field in (
            "organisations",
            "locations",
            "wards",
            "shift_templates",
            "shifts",
            "staff",
            "base_roster",
            "sickness",
            "agency_supply",
        )
    ] == [2, 2, 2, 3, 4, 4, 2, 1, 1]


def test_example_region_validates(example_region):
    """Tests that the bundled example region reads, validates and has open demand."""
    assert example_region.name == "carecap-S-seed1"
    assert example_region.open_slots
    assert "open slots" in example_region.summary()


def test_open_slots_match_the_hand_count(tiny_region):
    """Tests that the open slots are exactly demand minus base roster, by hand."""
    found = [
        (s.shift, s.requirement, s.level.value, s.competence, s.cause.value)
        for s in tiny_region.open_slots
    ]
    assert found == TINY_OPEN_SLOTS


def test_worked_roster_drops_the_sick_assignment(tiny_region):
    """Tests that the worked roster is the base roster less the sick person's shift."""
    assert [(a.staff, a.shift) for a in tiny_region.worked_roster] == [("P1", "S1")]


def test_sickness_outside_the_shift_date_leaves_the_slot_filled(tiny_data):
    """Tests that a sickness episode not covering the shift date opens no slot."""
    tiny_data["sickness"][0].update(first_day="2026-03-26", last_day="2026-03-27")
    slots = parse(tiny_data).open_slots
    assert "S2" not in {s.shift for s in slots}
    assert all(s.cause is GapCause.VACANCY for s in slots)


def test_no_over_qualification_ward_leaves_lower_slot_open(tiny_data):
    """Tests that on a ward forbidding over-qualification a higher level fills nothing lower."""
    # S2 on W-H needs N4 and N3; P2 (N4) may fill only the N4 unit.
    record(tiny_data, "shifts", "S2")["requirements"].append(
        {"level": "N3", "count": 1}
    )
    tiny_data["sickness"] = []
    slots = [
        (s.shift, s.level.value, s.cause.value) for s in parse(tiny_data).open_slots
    ]
    assert ("S2", "N3", "vacancy") in slots
    assert ("S2", "N4", "vacancy") not in slots


def test_replace_returns_a_validated_copy(tiny_region):
    """Tests that Region.replace applies a good change and leaves the original alone."""
    renamed = tiny_region.replace(name="renamed")
    assert renamed.name == "renamed"
    assert tiny_region.name == "tiny"
    assert renamed.open_slots == tiny_region.open_slots


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {"horizon": Horizon(start=dt.date(2026, 3, 30), weeks=1)},
            id="shifts-outside",
        ),
        pytest.param({"staff": ()}, id="roster-staff-gone"),
        pytest.param({"name": ""}, id="empty-name"),
    ],
)
def test_replace_validates_again(tiny_region, changes):
    """Tests that Region.replace rejects a change that breaks the region."""
    with pytest.raises(ValidationError):
        tiny_region.replace(**changes)


def test_frozen_models_reject_assignment(tiny_region):
    """Tests that the region and its records cannot be changed in place."""
    with pytest.raises(ValidationError, match="frozen"):
        tiny_region.name = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        tiny_region.staff[0].contract_hours = 40  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        tiny_region.horizon.weeks = 2  # type: ignore[misc]
    assert isinstance(tiny_region.staff, tuple)


def test_level_order_follows_rank():
    """Tests that levels rank N1 = 1 to N6 = 6 and sort by rank."""
    assert [level.rank for level in Level] == [1, 2, 3, 4, 5, 6]
    assert sorted([Level.N6, Level.N2, Level.N4, Level.N3], key=lambda lv: lv.rank) == [
        Level.N2,
        Level.N3,
        Level.N4,
        Level.N6,
    ]
    assert Level.N4.rank > Level.N3.rank


# ---------------------------------------------------------------------------
# Hand-broken instances
# ---------------------------------------------------------------------------


def _set(field, record_id, key, value):
    def mutate(data):
        record(data, field, record_id)[key] = value

    return mutate


def _set_at(field, index, key, value):
    def mutate(data):
        data[field][index][key] = value

    return mutate


def _delete(field, record_id, key):
    def mutate(data):
        del record(data, field, record_id)[key]

    return mutate


def _add_shift_and_assign(shift, staff="P1", template=None):
    def mutate(data):
        if template is not None:
            data["shift_templates"].append(template)
        data["shifts"].append(shift)
        data["base_roster"].append({"staff": staff, "shift": shift["id"]})

    return mutate


def _assign(staff, shift):
    def mutate(data):
        data["base_roster"].append({"staff": staff, "shift": shift})

    return mutate


def _swap_interval(path):
    def mutate(data):
        interval = record(data, "staff", "P1")
        for key in path:
            interval = interval[key]
        interval["start"], interval["end"] = interval["end"], interval["start"]

    return mutate


def _top(key, value):
    def mutate(data):
        data[key] = value

    return mutate


def _horizon(key, value):
    def mutate(data):
        data["horizon"][key] = value

    return mutate


def _rule(key, value):
    def mutate(data):
        data["rules"] = {key: value}

    return mutate


def _shift(shift_id, date, template="T-E", ward="W-V", level="N3"):
    return {
        "id": shift_id,
        "ward": ward,
        "date": date,
        "template": template,
        "requirements": [{"level": level, "count": 1}],
    }


BROKEN = [
    # unknown references
    pytest.param(
        _set("wards", "W-V", "location", "NOPE"),
        ("wards[0]", "(id 'W-V')", ".location:", "unknown location 'NOPE'"),
        id="ward-unknown-location",
    ),
    pytest.param(
        _set("locations", "LOC-H", "organisation", "NOPE"),
        ("locations[1]", "(id 'LOC-H')", ".organisation:", "unknown organisation"),
        id="location-unknown-organisation",
    ),
    pytest.param(
        _set("shifts", "S1", "ward", "NOPE"),
        ("shifts[0]", "(id 'S1')", ".ward:", "unknown ward 'NOPE'"),
        id="shift-unknown-ward",
    ),
    pytest.param(
        _set("shifts", "S2", "template", "NOPE"),
        ("shifts[1]", "(id 'S2')", ".template:", "unknown shift template 'NOPE'"),
        id="shift-unknown-template",
    ),
    pytest.param(
        _set("staff", "P3", "organisation", "NOPE"),
        ("staff[2]", "(id 'P3')", ".organisation:", "unknown organisation 'NOPE'"),
        id="staff-unknown-organisation",
    ),
    pytest.param(
        _set("staff", "P1", "ward", "NOPE"),
        ("staff[0]", "(id 'P1')", ".ward:", "unknown ward 'NOPE'"),
        id="staff-unknown-ward",
    ),
    pytest.param(
        _set("staff", "P1", "ward", "W-H"),
        ("staff[0]", "(id 'P1')", ".ward:", "not to the employer 'ORG-V'"),
        id="staff-ward-of-other-organisation",
    ),
    pytest.param(
        _set("staff", "P3", "inducted_locations", ["LOC-V", "NOPE"]),
        ("staff[2]", "(id 'P3')", ".inducted_locations:", "unknown location 'NOPE'"),
        id="staff-unknown-inducted-location",
    ),
    pytest.param(
        _set_at("base_roster", 0, "staff", "NOPE"),
        ("base_roster[0]", "(id 'NOPE@S1')", ".staff:", "unknown staff 'NOPE'"),
        id="roster-unknown-staff",
    ),
    pytest.param(
        _set_at("base_roster", 1, "shift", "NOPE"),
        ("base_roster[1]", "(id 'P2@NOPE')", ".shift:", "unknown shift 'NOPE'"),
        id="roster-unknown-shift",
    ),
    pytest.param(
        _set_at("sickness", 0, "staff", "NOPE"),
        ("sickness[0].staff:", "unknown staff 'NOPE'"),
        id="sickness-unknown-staff",
    ),
    # end before start
    pytest.param(
        _swap_interval(("unavailability", 0)),
        ("staff[0]", "(id 'P1')", ".unavailability[0]:", "is not after start"),
        id="unavailability-end-before-start",
    ),
    pytest.param(
        _swap_interval(("history", "recent_shifts", 0)),
        ("staff[0]", "(id 'P1')", ".history.recent_shifts[0]:", "is not after start"),
        id="carry-in-shift-end-before-start",
    ),
    pytest.param(
        _set_at("sickness", 0, "last_day", "2026-03-23"),
        ("sickness[0].last_day:", "before first day 2026-03-24"),
        id="sickness-last-before-first",
    ),
    # demand and hours
    pytest.param(
        lambda data: record(data, "shifts", "S1")["requirements"][0].update(level="N7"),
        ("shifts[0]", "(id 'S1')", ".requirements[0].level:", "N6"),
        id="unknown-level-N7",
    ),
    pytest.param(
        _set("staff", "P1", "desired_hours", 20),
        ("staff[0]", "(id 'P1')", ".desired_hours:", "below contract hours 24"),
        id="desired-below-contract",
    ),
    pytest.param(
        _set("staff", "P1", "max_hours", 26),
        ("staff[0]", "(id 'P1')", ".max_hours:", "below desired hours 28"),
        id="max-below-desired",
    ),
    # the base roster
    pytest.param(
        _add_shift_and_assign(_shift("S9", "2026-03-30")),
        ("shifts[4]", "(id 'S9')", ".date:", "outside the horizon"),
        id="fixed-assignment-after-horizon",
    ),
    pytest.param(
        _add_shift_and_assign(_shift("S9", "2026-03-23", template="T-L")),
        (
            "base_roster[2]",
            "(id 'P1@S9')",
            ".shift:",
            "overlaps the same person's shift 'S1'",
        ),
        id="fixed-assignment-overlaps-own",
    ),
    pytest.param(
        _add_shift_and_assign(_shift("S9", "2026-03-26")),
        ("base_roster[2]", "(id 'P1@S9')", ".shift:", "unavailability"),
        id="fixed-assignment-in-unavailability",
    ),
    pytest.param(
        _assign("P2", "S3"),
        ("base_roster[2]", "(id 'P2@S3')", ".staff:", "meet no requirement"),
        id="roster-over-qualified-on-exact-ward",
    ),
    pytest.param(
        _assign("P4", "S4"),
        ("base_roster[2]", "(id 'P4@S4')", ".staff:", "meet no requirement"),
        id="roster-missing-competence",
    ),
    pytest.param(
        _assign("P1", "S1"),
        ("base_roster[2]", "(id 'P1@S1')", ".shift:", "assigned twice"),
        id="roster-same-person-twice",
    ),
    # calendar and times
    pytest.param(
        _horizon("start", "2026-03-24"),
        ("horizon.start:", "Monday", "Tuesday"),
        id="horizon-not-monday",
    ),
    pytest.param(_horizon("weeks", 0), ("horizon.weeks:",), id="horizon-0-weeks"),
    pytest.param(_horizon("weeks", 7), ("horizon.weeks:",), id="horizon-7-weeks"),
    pytest.param(
        _set("shift_templates", "T-E", "end", "19:30"),
        ("shift_templates[0]", "(id 'T-E')", ".end:", "12.5 h", "12 h"),
        id="template-longer-than-12h",
    ),
    pytest.param(
        _set("shift_templates", "T-L", "end", "15:00"),
        ("shift_templates[1]", "(id 'T-L')", ".end:", "end equals start"),
        id="template-zero-length",
    ),
    pytest.param(
        _set("shift_templates", "T-E", "start", "07:00+01:00"),
        ("shift_templates[0]", "(id 'T-E')", ".start:", "UTC offset"),
        id="template-time-with-offset",
    ),
    pytest.param(
        _add_shift_and_assign(
            _shift("S9", "2026-03-29", template="T-X"),
            template={"id": "T-X", "start": "02:30", "end": "10:00"},
        ),
        ("shifts[4]", "(id 'S9')", ".template:", "2026-03-29 02:30 does not exist"),
        id="shift-in-skipped-dst-hour",
    ),
    # staff
    pytest.param(
        _delete("staff", "P1", "ward"),
        ("staff[0]", "(id 'P1')", ".ward:", "required for employment 'employee'"),
        id="employee-without-ward",
    ),
    pytest.param(
        _delete("staff", "P3", "organisation"),
        ("staff[2]", "(id 'P3')", ".organisation:", "required"),
        id="pool-without-organisation",
    ),
    # enums and format
    pytest.param(
        _set("organisations", "ORG-V", "sector", "dentist"),
        ("organisations[0]", "(id 'ORG-V')", ".sector:", "VVT"),
        id="sector-dentist",
    ),
    pytest.param(
        _set("staff", "P1", "employment", "intern"),
        ("staff[0]", "(id 'P1')", ".employment:", "flex_pool"),
        id="employment-intern",
    ),
    pytest.param(
        _top("format_version", "2.0"),
        ("format_version:", "unsupported version '2.0'"),
        id="format-version-2.0",
    ),
]


@pytest.mark.parametrize(("mutate", "fragments"), BROKEN)
def test_broken_region_is_rejected(tiny_data, mutate, fragments):
    """Tests that a hand-broken region raises an InputError naming record and field."""
    mutate(tiny_data)
    assert_names(rejection(tiny_data), *fragments)


@pytest.mark.parametrize(
    "field",
    ["organisations", "locations", "wards", "shift_templates", "shifts", "staff"],
)
def test_duplicate_id_is_rejected(tiny_data, field):
    """Tests that a second record with a used id is rejected, naming both positions."""
    duplicate = copy.deepcopy(tiny_data[field][0])
    tiny_data[field].append(duplicate)
    last = len(tiny_data[field]) - 1
    assert_names(
        rejection(tiny_data),
        f"{field}[{last}]",
        f"(id {duplicate['id']!r})",
        ".id:",
        f"duplicate id (first used by {field}[0])",
    )


@pytest.mark.parametrize(
    "field", ["contract_hours", "desired_hours", "max_hours", "conditional_extra_hours"]
)
def test_negative_hours_are_rejected(tiny_data, field):
    """Tests that negative hours are rejected, naming the person and the field."""
    record(tiny_data, "staff", "P4")[field] = -1
    assert_names(rejection(tiny_data), "staff[3]", "(id 'P4')", f".{field}:", "0")


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ("min_rest_hours", 8),
        ("rest_after_night_hours", 12),
        ("weekly_rest_hours", 32),
        ("max_shift_hours", 13),
        ("max_week_hours", 61),
        ("max_nights_16w", 40),
        ("min_free_sundays_52w", 12),
    ],
)
def test_labour_rule_laxer_than_the_law_is_rejected(tiny_data, rule, value):
    """Tests that a labour-rule setting laxer than the ATW is rejected, naming the rule."""
    _rule(rule, value)(tiny_data)
    assert_names(rejection(tiny_data), f"rules.{rule}:")


def test_stricter_labour_rule_is_accepted(tiny_data):
    """Tests that a region may make a legal rule stricter (a CAO setting)."""
    tiny_data["rules"] = {"min_rest_hours": 12, "max_week_hours": 48}
    assert parse(tiny_data).rules.min_rest_hours == 12


# ---------------------------------------------------------------------------
# Ids that survive every file (issue 26, item 4)
# ---------------------------------------------------------------------------

ID_FIELDS = [
    pytest.param(("organisations", 0, "id"), "organisations[0]", id="organisation"),
    pytest.param(("wards", 0, "id"), "wards[0]", id="ward"),
    pytest.param(("shift_templates", 0, "id"), "shift_templates[0]", id="template"),
    pytest.param(("shifts", 0, "id"), "shifts[0]", id="shift"),
    pytest.param(("staff", 0, "id"), "staff[0]", id="staff"),
    pytest.param(("staff", 0, "competences", 0), "staff[0]", id="competence"),
    pytest.param(("base_roster", 0, "staff"), "base_roster[0].staff", id="roster"),
]


def _at(data, path):
    """Returns the container holding ``path``'s last key, and that key."""
    node = data
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


@pytest.mark.parametrize(
    ("character", "code"),
    [
        ("\x1d", "U+001D"),
        ("\u2028", "U+2028"),
        ("\u2029", "U+2029"),
        ("\x85", "U+0085"),
        ("\x0c", "U+000C"),
        ("\xa0", "U+00A0"),
        ("\u200b", "U+200B"),
        ("\ufeff", "U+FEFF"),
        ("\t", "U+0009"),
        (" ", "U+0020"),
    ],
)
@pytest.mark.parametrize(("path", "where"), ID_FIELDS)
def test_id_with_a_line_or_invisible_character_is_rejected(
    tiny_data, path, where, character, code
):
    """Tests that an id holding a Cc, Cf, Zl, Zp or Zs character is rejected by name."""
    node, key = _at(tiny_data, path)
    node[key] = f"X{character}1"
    assert_names(rejection(tiny_data), where, code, "ids may contain no")


@pytest.mark.parametrize(("path", "where"), ID_FIELDS)
def test_id_starting_with_a_quote_is_rejected(tiny_data, path, where):
    """Tests that an id starting with ' (which spreadsheets hide) is rejected."""
    node, key = _at(tiny_data, path)
    node[key] = "'t-Hart"
    assert_names(rejection(tiny_data), where, "starts with '")


@pytest.mark.parametrize(
    "new",
    ["-0042", '=HYPERLINK("x")', "+31-6", "@SUM(1)", "é", "Zorg😀", "a'b", 'x,y;z"'],
)
@pytest.mark.parametrize("old", ["ORG-V", "W-V", "T-E", "S1", "P1", "dementia"])
def test_id_with_a_formula_start_or_non_ascii_is_accepted(tiny_data, old, new):
    """Tests that ids starting with = + - @, or holding é, an emoji or , ; " are valid."""
    text = json.dumps(tiny_data).replace(json.dumps(old), json.dumps(new))
    region = parse(json.loads(text))
    ids = {
        item.id
        for field in ("organisations", "wards", "shift_templates", "shifts", "staff")
        for item in getattr(region, field)
    }
    assert new in ids | set(region.staff[0].competences)


def test_all_cross_reference_problems_are_reported_together(tiny_data):
    """Tests that a region with several broken references reports every one at once."""
    record(tiny_data, "wards", "W-V")["location"] = "NOPE"
    record(tiny_data, "shifts", "S3")["template"] = "NOPE"
    tiny_data["sickness"][0]["staff"] = "NOPE"
    tiny_data["base_roster"][1]["shift"] = "NOPE"
    tiny_data["staff"].append(copy.deepcopy(tiny_data["staff"][3]))
    error = rejection(tiny_data)
    assert len(error.problems) == 5, str(error)
    assert len(str(error).splitlines()) == 5
    for fragments in [
        ("(id 'W-V')", ".location:"),
        ("(id 'S3')", ".template:"),
        ("sickness[0].staff:",),
        ("(id 'P2@NOPE')", ".shift:"),
        ("staff[4]", "(id 'P4')", ".id:"),
    ]:
        assert_names(error, *fragments)


def test_all_field_problems_are_reported_together(tiny_data):
    """Tests that several bad field values in different records are reported at once."""
    record(tiny_data, "staff", "P1")["contract_hours"] = "abc"
    record(tiny_data, "organisations", "ORG-H")["sector"] = "dentist"
    tiny_data["horizon"]["weeks"] = 0
    error = rejection(tiny_data)
    assert len(error.problems) == 3, str(error)
    assert_names(error, "(id 'P1')", ".contract_hours:")
    assert_names(error, "(id 'ORG-H')", ".sector:")
    assert_names(error, "horizon.weeks:")


# ---------------------------------------------------------------------------
# Length rules bind everyone, agency included (issue 26, item 3)
# ---------------------------------------------------------------------------


def _template(template_id, start, end, rules=None):
    def mutate(data):
        record(data, "shift_templates", template_id).update(start=start, end=end)
        if rules:
            data["rules"] = rules

    return mutate


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        # T-N has shifts at the VVT ward (S4) and the hospital ward (S3).
        (
            _template("T-N", "20:00", "08:00"),
            ("(id 'T-N')", ".end:", "night shift of 12 h", "night maximum of 10 h (H3"),
        ),
        (
            _template("T-N", "21:30", "08:00", {"cao_max_shift_hours": 12}),
            ("(id 'T-N')", "10.5 h", "night maximum of 10 h (H3"),
        ),
        (
            _template("T-N", "21:30", "08:00", {"max_night_shift_hours": 12}),
            ("(id 'T-N')", "CAO maximum of 10 h (H2)", "'ORG-V' (VVT)"),
        ),
        # T-E has a shift at the VVT ward only (S1).
        (
            _template("T-E", "07:00", "17:30"),
            ("(id 'T-E')", "10.5 h", "CAO maximum of 10 h (H2)", "'ORG-V' (VVT)"),
        ),
        (
            _template("T-E", "07:00", "16:00", {"cao_max_shift_hours": 8.5}),
            ("(id 'T-E')", "9 h", "CAO maximum of 8.5 h (H2)"),
        ),
    ],
    ids=["night-12h", "night-10.5h", "night-cao", "early-cao", "early-cao-8.5"],
)
def test_template_that_breaks_a_length_rule_is_rejected(tiny_data, mutate, fragments):
    """Tests that a template whose shifts break H3 or the CAO maximum on every date is
    rejected, naming the template, the rule and the organisation."""
    mutate(tiny_data)
    assert_names(rejection(tiny_data), "shift_templates[", *fragments)


@pytest.mark.parametrize(
    "mutate",
    [
        # T-L has a shift at the hospital ward only (S2): no CAO shift maximum there.
        _template("T-L", "12:30", "23:30"),
        # A 12 h night template that no shift uses breaks nothing.
        lambda data: data["shift_templates"].append(
            {"id": "T-X", "start": "20:00", "end": "08:00"}
        ),
        # A 10 h night at the VVT ward: at the night and the CAO maximum.
        _template("T-N", "22:00", "08:00"),
    ],
    ids=["hospital-11h", "unused-night", "night-10h"],
)
def test_template_within_the_limits_that_apply_is_accepted(tiny_data, mutate):
    """Tests that the CAO maximum applies only where a template's shifts are, and a
    limit itself is allowed."""
    mutate(tiny_data)
    parse(tiny_data)


def test_shift_length_breaks_lists_a_dst_night():
    """Tests that a night breaking a length rule on its date only (9.25 h across the
    October clock change, night maximum 9 h) is a finding, not a rejection."""
    data = tiny_october_data()
    assert shift_length_breaks(parse(data)) == ()
    data["rules"] = {"max_night_shift_hours": 9}
    (found,) = shift_length_breaks(parse(data))
    assert found == ShiftLengthBreak(
        "S4", dt.date(2026, 10, 24), "H3", "night maximum", 555, 540
    )
    data["rules"] = {"max_night_shift_hours": 9, "cao_max_shift_hours": 9}
    rules = [(b.shift, b.rule, b.limit_name) for b in shift_length_breaks(parse(data))]
    assert rules == [("S4", "H2", "CAO maximum"), ("S4", "H3", "night maximum")]

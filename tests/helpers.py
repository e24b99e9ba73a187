"""Shared test data: a tiny hand-made region as a JSON-ready dict, and helpers on it.

The tiny region (one week from Monday 2026-03-23, the week the clocks go forward):

* organisations ``ORG-V`` (VVT) and ``ORG-H`` (hospital), one location and one ward
  each; ward ``W-H`` forbids over-qualification (``allow_higher_level`` false);
* templates ``T-E`` 07:00-15:30 (30 min break), ``T-L`` 15:00-23:00 (30 min break),
  ``T-N`` 23:00-07:15 (no break);
* shifts ``S1`` (W-V, Mon, early: one N2 and one N3), ``S2`` (W-H, Tue, late: one N4),
  ``S3`` (W-H, Wed, night: one N3), ``S4`` (W-V, Sat, night: one N3 with competence
  ``dementia``);
* staff ``P1`` (employee, W-V, N3), ``P2`` (employee, W-H, N4), ``P3`` (flex pool of
  ORG-V, N4, inducted at LOC-H), ``P4`` (agency, N3);
* base roster ``P1@S1`` and ``P2@S2``; ``P2`` is sick on Tue and Wed; agency supply
  of two N3 on Wednesday.

Open slots, by hand (see ``TINY_OPEN_SLOTS``):

* ``S1`` needs N2 + N3 and has P1 (N3): the N3 unit is matched, the N2 unit (index 0)
  stays open as a vacancy;
* ``S2`` is filled by P2 in the base roster, who is sick on Tuesday: open, sickness;
* ``S3`` and ``S4`` have nobody: open, vacancy.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from carecap.domain import Region
from carecap.exceptions import InputError
from carecap.io import parse_region

SOURCE = "region.json"
"""The file name the tiny region is parsed under; every error line starts with it."""

_TINY: dict[str, Any] = {
    "format_version": "1.0",
    "name": "tiny",
    "horizon": {"start": "2026-03-23", "weeks": 1},
    "organisations": [
        {"id": "ORG-V", "name": "Verpleeghuis", "sector": "VVT"},
        {"id": "ORG-H", "name": "Ziekenhuis", "sector": "hospital"},
    ],
    "locations": [
        {
            "id": "LOC-V",
            "organisation": "ORG-V",
            "town": "Stad A",
            "latitude": 52.09,
            "longitude": 5.12,
        },
        {
            "id": "LOC-H",
            "organisation": "ORG-H",
            "town": "Stad B",
            "latitude": 52.21,
            "longitude": 5.04,
        },
    ],
    "wards": [
        {"id": "W-V", "location": "LOC-V", "allow_higher_level": True},
        {"id": "W-H", "location": "LOC-H", "allow_higher_level": False},
    ],
    "shift_templates": [
        {
            "id": "T-E",
            "name": "early",
            "start": "07:00",
            "end": "15:30",
            "unpaid_break_minutes": 30,
        },
        {
            "id": "T-L",
            "name": "late",
            "start": "15:00",
            "end": "23:00",
            "unpaid_break_minutes": 30,
        },
        {
            "id": "T-N",
            "name": "night",
            "start": "23:00",
            "end": "07:15",
            "unpaid_break_minutes": 0,
        },
    ],
    "shifts": [
        {
            "id": "S1",
            "ward": "W-V",
            "date": "2026-03-23",
            "template": "T-E",
            "requirements": [{"level": "N2", "count": 1}, {"level": "N3", "count": 1}],
        },
        {
            "id": "S2",
            "ward": "W-H",
            "date": "2026-03-24",
            "template": "T-L",
            "requirements": [{"level": "N4", "count": 1}],
        },
        {
            "id": "S3",
            "ward": "W-H",
            "date": "2026-03-25",
            "template": "T-N",
            "requirements": [{"level": "N3", "count": 1}],
        },
        {
            "id": "S4",
            "ward": "W-V",
            "date": "2026-03-28",
            "template": "T-N",
            "requirements": [{"level": "N3", "count": 1, "competence": "dementia"}],
        },
    ],
    "staff": [
        {
            "id": "P1",
            "employment": "employee",
            "organisation": "ORG-V",
            "ward": "W-V",
            "level": "N3",
            "competences": ["dementia"],
            "contract_hours": 24,
            "desired_hours": 28,
            "max_hours": 36,
            "age": 41,
            "unavailability": [
                {"start": "2026-03-26T08:00:00", "end": "2026-03-26T18:00:00"}
            ],
            "history": {
                "recent_shifts": [
                    {
                        "start": "2026-03-20T07:00:00",
                        "end": "2026-03-20T15:30:00",
                        "unpaid_break_minutes": 30,
                    }
                ],
                "weekly_hours": [24, 28],
                "weekly_nights": [0, 1],
            },
        },
        {
            "id": "P2",
            "employment": "employee",
            "organisation": "ORG-H",
            "ward": "W-H",
            "level": "N4",
            "contract_hours": 32,
            "desired_hours": 32,
            "max_hours": 36,
        },
        {
            "id": "P3",
            "employment": "flex_pool",
            "organisation": "ORG-V",
            "level": "N4",
            "contract_hours": 16,
            "desired_hours": 24,
            "max_hours": 32,
            "inducted_locations": ["LOC-V", "LOC-H"],
        },
        {
            "id": "P4",
            "employment": "agency",
            "level": "N3",
            "contract_hours": 0,
            "desired_hours": 0,
            "max_hours": 40,
        },
    ],
    "base_roster": [
        {"staff": "P1", "shift": "S1"},
        {"staff": "P2", "shift": "S2"},
    ],
    "sickness": [{"staff": "P2", "first_day": "2026-03-24", "last_day": "2026-03-25"}],
    "agency_supply": [{"date": "2026-03-25", "level": "N3", "count": 2}],
}

TINY_OPEN_SLOTS: list[tuple[str, int, str, str | None, str]] = [
    ("S1", 0, "N2", None, "vacancy"),
    ("S2", 0, "N4", None, "sickness"),
    ("S3", 0, "N3", None, "vacancy"),
    ("S4", 0, "N3", "dementia", "vacancy"),
]
"""The tiny region's open slots by hand: (shift, requirement, level, competence, cause)."""


def tiny_region_data() -> dict[str, Any]:
    """Returns a fresh deep copy of the tiny region as a JSON-ready dict."""
    return copy.deepcopy(_TINY)


def move_region_data(data: dict[str, Any], start: dt.date) -> None:
    """Moves a region dict, with every date and time in it, to a new Monday."""
    shift = start - dt.date.fromisoformat(data["horizon"]["start"])

    def day(value: str) -> str:
        return (dt.date.fromisoformat(value) + shift).isoformat()

    def moment(value: str) -> str:
        return (dt.datetime.fromisoformat(value) + shift).isoformat()

    data["horizon"]["start"] = start.isoformat()
    for item in data["shifts"] + data["agency_supply"]:
        item["date"] = day(item["date"])
    for item in data["sickness"]:
        item.update(first_day=day(item["first_day"]), last_day=day(item["last_day"]))
    for person in data["staff"]:
        past = person.get("history", {}).get("recent_shifts", [])
        for interval in person.get("unavailability", []) + past:
            interval.update(
                start=moment(interval["start"]), end=moment(interval["end"])
            )


def tiny_october_data() -> dict[str, Any]:
    """Returns the tiny region moved to the week of 19 October 2026.

    Every date and time moves with it; ``S4`` is then the 23:00-07:15 night of 24-25
    October, which lasts 9.25 h (the clocks go back that night).
    """
    data = tiny_region_data()
    move_region_data(data, dt.date(2026, 10, 19))
    return data


def one_ward_region_data(
    shifts: list[tuple[str, str, str, int]],
    staff: list[dict[str, Any]],
    templates: dict[str, tuple[str, str, int]],
    *,
    base_roster: list[tuple[str, str]] = (),
    sickness: list[dict[str, Any]] = (),
    rules: dict[str, Any] | None = None,
    start: str = "2026-03-02",
    weeks: int = 1,
) -> dict[str, Any]:
    """Returns a hand-made region dict: one VVT organisation, location and ward ``W``.

    Parameters
    ----------
    shifts
        (id, date, template, N3 units) of each shift at ward ``W``.
    staff
        Staff records, as the region file has them.
    templates
        id -> (start, end, unpaid break minutes).
    base_roster
        (staff id, shift id) pairs worked in the base roster.
    sickness, rules
        The region's sickness list and labour-rule updates.
    start, weeks
        The horizon (the week of Monday 2 March 2026 by default).
    """
    return {
        "format_version": "1.0",
        "name": "hand",
        "horizon": {"start": start, "weeks": weeks},
        "organisations": [{"id": "ORG", "name": "Org", "sector": "VVT"}],
        "locations": [
            {
                "id": "LOC",
                "organisation": "ORG",
                "town": "A",
                "latitude": 52.0,
                "longitude": 5.0,
            }
        ],
        "wards": [{"id": "W", "location": "LOC", "allow_higher_level": True}],
        "shift_templates": [
            {"id": k, "name": k, "start": s, "end": e, "unpaid_break_minutes": b}
            for k, (s, e, b) in templates.items()
        ],
        "shifts": [
            {
                "id": shift_id,
                "ward": "W",
                "date": date,
                "template": template,
                "requirements": [{"level": "N3", "count": units}],
            }
            for shift_id, date, template, units in shifts
        ],
        "staff": staff,
        "base_roster": [{"staff": who, "shift": sid} for who, sid in base_roster],
        "sickness": list(sickness),
        "agency_supply": [],
        "rules": rules or {},
    }


def parse(data: dict[str, Any]) -> Region:
    """Returns the region parsed from ``data`` as if read from ``region.json``."""
    return parse_region(json.dumps(data), SOURCE)


def record(data: dict[str, Any], field: str, record_id: str) -> dict[str, Any]:
    """Returns the record with ``record_id`` in the list ``data[field]`` (to edit it)."""
    return next(item for item in data[field] if item.get("id") == record_id)


def rejection(data: dict[str, Any]) -> InputError:
    """Returns the InputError raised when parsing ``data``; fails if none is raised."""
    with pytest.raises(InputError) as caught:
        parse(data)
    return caught.value


def assert_names(error: InputError, *fragments: str) -> None:
    """Asserts that one problem line of ``error`` holds every fragment."""
    assert any(
        all(fragment in line for fragment in fragments) for line in error.problems
    ), f"no problem line holds all of {fragments!r}:\n{error}"
    for line in str(error).splitlines():
        assert line.startswith(f"{SOURCE}: "), line


# ---------------------------------------------------------------------------
# Bad region files, shared by the I/O and CLI tests
# ---------------------------------------------------------------------------


def _tiny_text(edit=None) -> str:
    data = tiny_region_data()
    if edit is not None:
        edit(data)
    return json.dumps(data, indent=1)


def _truncated() -> str:
    text = _tiny_text()
    return text[: len(text) // 2]


def _wrong_type(data: dict[str, Any]) -> None:
    record(data, "staff", "P2")["contract_hours"] = "abc"


BAD_FILES: dict[str, tuple[Any, tuple[str, ...]]] = {
    # name: (content: None = missing, "<dir>" = a directory, bytes or str; fragments)
    "missing": (None, ("no such file",)),
    "directory": ("<dir>", ("is a directory",)),
    "empty": ("", ("empty",)),
    "whitespace": (" \n\t\n  ", ("empty",)),
    "truncated": (_truncated(), ("not valid JSON at line", "column")),
    "not-json": (
        "carecap roster, version 1\nP1;S1\n",
        ("not valid JSON at line 1, column 1",),
    ),
    "array": ('[{"name": "x"}]', ("expected a JSON object", "list")),
    "non-utf8": (b'{"name": "caf\xe9"}', ("not UTF-8",)),
    "wrong-type": (
        _tiny_text(_wrong_type),
        ("staff[1] (id 'P2').contract_hours:", "valid number"),
    ),
    "unknown-field": (
        _tiny_text(lambda data: data.update(colour="blue")),
        ("colour:", "Extra inputs are not permitted"),
    ),
    "huge-integer": (
        _tiny_text().replace('"count": 2', '"count": 1' + "0" * 5000),
        ("not valid JSON",),
    ),
}
"""Bad files, each rejected with one problem line holding all its fragments."""


def make_bad_file(directory, name: str):
    """Creates bad file ``name`` of `BAD_FILES` under ``directory``; returns its path."""
    content, _ = BAD_FILES[name]
    path = directory / f"{name}.json"
    if content == "<dir>":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return path

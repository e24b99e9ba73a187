"""Shared test data of the Curtois & Qu benchmark adapter: where the shared
instances are, their published results, and a hand-made instance."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

CURTOIS = Path(__file__).resolve().parents[1].parent / "shared/benchmarks/curtois"
"""The shared benchmark folder (``../shared/benchmarks/curtois`` from the root)."""

needs_curtois = pytest.mark.skipif(
    not CURTOIS.is_dir(), reason="../shared/benchmarks/curtois is absent"
)


def best_known() -> dict[str, dict[str, str]]:
    """Returns the rows of ``best_known.csv`` by instance name."""
    with (CURTOIS / "best_known.csv").open(newline="") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


def hand_text() -> str:
    """A 14-day instance small enough to reason about by hand.

    Shift types D and L (480 min; D may not follow L). Employee A: 960-4800 minutes,
    runs of 2-5 worked days, days off in runs of 2, one weekend, day 3 off, wants D
    on day 0 (weight 2). Employee B: never L, no minimum minutes, does not want D on
    day 1 (weight 3). Cover: one D on day 0, nobody elsewhere (100 under, 1 over).
    The optimum is 1: A works D on days 0 and 1 (two shifts, one of them extra).
    """
    cover = [
        f"{d},{s},{1 if (d, s) == (0, 'D') else 0},100,1"
        for d in range(14)
        for s in ("D", "L")
    ]
    return "\r\n".join(
        [
            "# hand-made",
            "SECTION_HORIZON",
            "# All instances start on a Monday",
            "# The horizon length in days:",
            "14",
            "",
            "SECTION_SHIFTS",
            "# ShiftID, Length in mins, Shifts which cannot follow this shift",
            "D,480,",
            "L,480,D",
            "",
            "SECTION_STAFF",
            "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, ...",
            "A,D=14|L=14,4800,960,5,2,2,1",
            "B,D=14|L=0,4800,0,5,1,1,2",
            "",
            "SECTION_DAYS_OFF",
            "# EmployeeID, DayIndexes (start at zero)",
            "A,3",
            "",
            "SECTION_SHIFT_ON_REQUESTS",
            "# EmployeeID, Day, ShiftID, Weight",
            "A,0,D,2",
            "",
            "SECTION_SHIFT_OFF_REQUESTS",
            "# EmployeeID, Day, ShiftID, Weight",
            "B,1,D,3",
            "",
            "SECTION_COVER",
            "# Day, ShiftID, Requirement, Weight for under, Weight for over",
            *cover,
            "",
        ]
    )

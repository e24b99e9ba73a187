"""HTML report of a solved roster: one self-contained page for planners (issue 6).

`write_report` reads what ``carecap solve`` wrote to a directory (``roster.csv``,
``summary.json``), optionally the region file and a what-if comparison table, and
writes ``report.html``:

* headline KPIs: open slots (*open diensten*) and how they were filled: by the
  regional flex pool (*flexpool*), by part-timers working extra hours (*meer uren
  werken*), by agency staff (*uitzendkrachten*), or left uncovered; hours and euros;
  the solver status and gap;
* open hours per ANW class (*avond, nacht, weekend*) and how they were filled;
* a heatmap of uncovered and agency hours per ward x day and shift class;
* a table per organisation;
* hours per person against contract and desired hours, for flex-pool members and
  employees who got new shifts (needs the region);
* ANW burden by employment type (needs the region);
* the what-if scenario comparison as bar charts (with ``--whatif``);
* the uncovered slots, with the reason when the roster gives one.

The page needs no network: plots are PNG images embedded as ``data:`` URIs, CSS is
inline, there is no script and no external font. People appear by staff id only,
never by name or age (data minimisation: the report goes to planners). Plots are
aggregated so the page stays readable for L and XL regions: the heaviest wards and
the most affected people are drawn and the rest summarised, with totals in tables.

Plots use `matplotlib.figure.Figure` directly, never ``pyplot``: no global state and
no GUI backend, so the report can be built in a batch job or a thread.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .csvfile import read_frame, read_records
from .exceptions import InputError
from .extras import require
from .io import format_validation_error, read_input_bytes, write_text_atomic
from .roster import check_run_pair

if TYPE_CHECKING:
    from matplotlib.axes import Axes

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
"""File name of the report inside the solve output directory."""

ROSTER_NAME = "roster.csv"
"""Roster file written by ``carecap solve``."""

SUMMARY_NAME = "summary.json"
"""Summary file written by ``carecap solve``."""

REQUIRED_ROSTER_COLUMNS = (
    "shift_id",
    "staff_id",
    "type",
    "organisation",
    "ward",
    "level",
    "start",
    "end",
    "paid_hours",
    "anw_class",
)
"""Roster columns the report reads (``cost_eur`` and ``reason`` are optional)."""

FILL_TYPES = ("pool", "extra_hours", "agency", "uncovered")
"""Values of the roster's ``type`` column, best first."""

FILL_LABELS = {
    "pool": "Flexpool",
    "extra_hours": "Meer uren (part-timers, extra hours)",
    "agency": "Uitzendkrachten (agency)",
    "uncovered": "Uncovered (onderbezetting)",
}
"""Planner wording of each fill type."""

FILL_COLOURS = {
    "pool": "#0072B2",
    "extra_hours": "#009E73",
    "agency": "#E69F00",
    "uncovered": "#D55E00",
}
"""Okabe-Ito colours, distinguishable with the common colour-vision deficiencies."""

ANW_ORDER = ("day", "evening", "night", "weekend", "holiday")
"""ANW classes in display order (the evaluator's code order)."""

ANW_LABELS = {
    "day": "day (dag)",
    "evening": "evening (avond)",
    "night": "night (nacht)",
    "weekend": "weekend",
    "holiday": "holiday (feestdag)",
}
"""Planner wording of each ANW class."""

ANW_SHORT = {
    "day": "day",
    "evening": "eve",
    "night": "night",
    "weekend": "wknd",
    "holiday": "hol",
}
"""Heatmap column labels of each ANW class."""

EMPLOYMENT_LABELS = {
    "employee": "Own employees",
    "flex_pool": "Flexpool members",
    "agency": "Named agency staff (PNIL)",
}
"""Planner wording of each employment type."""

REASON_LABELS = {
    "no_eligible_person": (
        "nobody in the flexpool or meer-uren group may take it "
        "(level, competence, induction, travel, availability, or no room left in "
        "the hours they offered)"
    ),
    "eligible_people_all_used": "people who may take it are all used elsewhere",
    "blocked_by_rest_or_hours": (
        "people who may take it are blocked by rest times, hour limits (ATW/CAO) "
        "or the hours they offered"
    ),
    "shift_breaks_working_time_rules": (
        "the shift is longer than the working-time rules allow (ATW/CAO), so nobody "
        "may work it, agency staff included"
    ),
}
"""Plain-language explanation of each uncovered-slot reason of the roster."""

LEVEL_LABELS = {
    "uncovered": "Uncovered care (onderbezetting)",
    "agency": "Agency cost (uitzendkrachten)",
    "pool_under_contract": "Flexpool hours left below contract",
    "extra_hours": "Extra hours against wishes (meer uren werken)",
    "fairness": "Fairness: most new ANW hours for one person",
    "travel_lending": "Travel and lending between organisations",
}
"""Planner wording of the solver's priority levels."""

STATUS_NOTES = {
    "OPTIMAL": "proven best roster at every priority level",
    "FEASIBLE": (
        "legal roster; the time limit stopped the search before every level was "
        "proven best (see the bounds below)"
    ),
    "INFEASIBLE": "no legal roster exists",
    "TIME_LIMIT": "no roster found within the time limit",
    "UNKNOWN": "no roster found",
}
"""What each solver status means for a planner."""

WHATIF_PRIORITY = ("uncovered_hours", "agency_hours", "agency_cost")
"""What-if KPI columns drawn first, when present."""

MAX_HEATMAP_WARDS = 25
"""Wards drawn in the heatmap (most uncovered, then agency hours); the rest are summed."""

MAX_PEOPLE_BARS = 30
"""People drawn per group in the hours-per-person chart; the rest are in the table."""

MAX_WHATIF_PANELS = 6
"""What-if KPI columns drawn; every column is in the table under the chart."""

MAX_TABLE_ROWS = 200
"""Rows of the uncovered-slot and organisation tables; the rest are counted."""

MAX_ANNOTATED_CELLS = 1200
"""Heatmap cells above which the hour values are not written into the cells."""

FULL_TIME_HOURS = 36.0
"""Full-time week (VVT and hospital CAO); employees below it are part-timers."""

PLOT_DPI = 150
"""Rendering resolution: sharp on high-density screens and in print."""

SCREEN_DPI = 100
"""CSS pixels per figure inch: the displayed width of a plot of width w is w x 100 px."""


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionFacts:
    """What the report needs from the region and the evaluated roster.

    Attributes
    ----------
    name
        Region name.
    horizon_start
        First day of the horizon.
    weeks
        Horizon length in weeks.
    num_wards
        Wards in the region.
    organisation_names
        Organisation id to ``"name (sector)"``.
    people
        One row per person: ``staff_id``, ``employment``, ``contract_hours``,
        ``desired_hours``, ``max_hours`` (per week), ``worked_hours`` and
        ``new_hours`` (per week, averaged over the horizon), ``anw_hours`` and
        ``new_anw_hours`` (horizon totals). No names, ages or home positions.
    cost_by_type
        Euros of the new work per roster ``type``: wage plus travel for people,
        the booking for agency.
    agency_cost_by_organisation
        Euros of the agency bookings per organisation id.
    """

    name: str
    horizon_start: dt.date
    weeks: int
    num_wards: int
    organisation_names: dict[str, str]
    people: pd.DataFrame
    cost_by_type: dict[str, float]
    agency_cost_by_organisation: dict[str, float]


def read_summary(out_dir: Path) -> dict[str, Any]:
    """Reads ``summary.json`` from a solve output directory.

    Raises
    ------
    InputError
        If the file is missing, not JSON or not an object.
    """
    path = out_dir / SUMMARY_NAME
    try:
        document = json.loads(read_input_bytes(path).decode("utf-8"))
    except FileNotFoundError:
        raise InputError(
            str(path),
            ["file not found; run `carecap solve REGION -o DIR` first"],
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            str(path), [f"line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except (OSError, UnicodeDecodeError, RecursionError, ValueError) as error:
        raise InputError(str(path), [f"cannot be read as JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise InputError(str(path), ["expected a JSON object"])
    try:
        _SummaryShape.model_validate(document)
    except ValidationError as error:
        raise InputError(
            str(path),
            [
                f"{line} (not the layout carecap solve writes)"
                for line in format_validation_error(error, document)
            ],
        ) from None
    return document


class _LevelShape(BaseModel):
    """The fields of a ``summary.json`` level the report reads, with their types."""

    model_config = ConfigDict(extra="allow")

    name: str | None = None
    unit: str = ""
    status: str = ""
    objective: float | None = None
    bound: float | None = None


class _AskShape(BaseModel):
    """One entry of the ask list as the report reads it."""

    model_config = ConfigDict(extra="allow")

    shift_id: str
    level: str
    competence: str = ""
    now: str
    week: str
    extra_hours: float


class _SummaryShape(BaseModel):
    """The fields of ``summary.json`` the report reads, with their types.

    Checked on reading so that a hand-edited or foreign file is refused with the
    field named, instead of failing half-way through the page.
    """

    model_config = ConfigDict(extra="allow")

    status: str = "UNKNOWN"
    backend: str | None = None
    gap: float | None = None
    levels: list[_LevelShape] | None = None
    kpis: dict[str, Any] | None = None
    ask: list[_AskShape] | None = None
    ask_total: int = 0
    region: str | None = None

    @field_validator("kpis")
    @classmethod
    def _kpis_not_text(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for name, kpi in (value or {}).items():
            if isinstance(kpi, str):
                raise ValueError(f"{name}: {kpi!r} is text, expected a number")
        return value


def read_roster_table(out_dir: Path) -> pd.DataFrame:
    """Reads ``roster.csv`` as written by ``carecap solve``.

    Returns
    -------
    pandas.DataFrame
        One row per open slot with the `REQUIRED_ROSTER_COLUMNS`, ``paid_hours``
        as float, and ``cost_eur`` (float) and ``reason`` when the file has them;
        plus ``date`` (local start day, ISO) and ``start_time`` (local ``HH:MM``).

    Raises
    ------
    InputError
        If the file is missing, lacks a column, or holds an unknown type or a bad
        number or time, naming the line and column of every problem.
    """
    path = out_dir / ROSTER_NAME
    try:
        frame = read_frame(path)
    except FileNotFoundError:
        raise InputError(
            str(path), ["file not found; run `carecap solve REGION -o DIR` first"]
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(str(path), [f"is not UTF-8 text: {error}"]) from None
    if frame.columns.empty:
        raise InputError(str(path), ["the file is empty; expected a header"])
    missing = [c for c in REQUIRED_ROSTER_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(str(path), [f"line 1: missing column(s) {', '.join(missing)}"])
    problems: list[str] = []
    frame["type"] = frame["type"].str.strip().str.lower()
    for line, kind in zip(_lines(frame), frame["type"], strict=True):
        if kind not in FILL_TYPES:
            problems.append(
                f"line {line}, column type: {kind!r} is not one of {', '.join(FILL_TYPES)}"
            )
    frame["paid_hours"] = _numbers(frame, "paid_hours", problems, required=True)
    if "cost_eur" in frame.columns:
        frame["cost_eur"] = _numbers(frame, "cost_eur", problems, required=False)
    frame["date"] = frame["start"].str.slice(0, 10)
    frame["start_time"] = frame["start"].str.slice(11, 16)
    for line, day in zip(_lines(frame), frame["date"], strict=True):
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            problems.append(f"line {line}, column start: {day!r} is not an ISO time")
    if problems:
        raise InputError(str(path), problems)
    return frame


def _lines(frame: pd.DataFrame) -> Sequence[int]:
    """Returns the file line on which each row starts (the header is line 1)."""
    return frame.attrs.get("lines") or range(2, len(frame) + 2)


def _numbers(
    frame: pd.DataFrame, column: str, problems: list[str], *, required: bool
) -> pd.Series:
    """Returns a column as floats, adding a problem per unreadable cell."""
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    for line, text, value in zip(_lines(frame), frame[column], values, strict=True):
        if math.isnan(value) and (required or text.strip()):
            problems.append(f"line {line}, column {column}: {text!r} is not a number")
    return values.astype(float)


def read_whatif_table(path: Path) -> pd.DataFrame:
    """Reads a what-if comparison table (CSV, or Parquet by its extension).

    The scenario name is the ``scenario`` column (or else the first text column);
    every other numeric column is a KPI.

    Raises
    ------
    InputError
        If the file cannot be read, is empty or has no numeric column.
    """
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            require("pyarrow", "a Parquet what-if table", str(path))
            # Read as a regular, bounded file, as every other input is.
            frame = pd.read_parquet(io.BytesIO(read_input_bytes(path)))
        else:
            frame = read_frame(path, infer=True)
    except FileNotFoundError:
        raise InputError(str(path), ["file not found"]) from None
    except (ValueError, OSError, ImportError) as error:
        raise InputError(str(path), [f"cannot read the table: {error}"]) from None
    if frame.empty:
        raise InputError(str(path), ["the table has no scenario rows"])
    name_column = _scenario_column(frame)
    frame = frame.rename(columns={name_column: "scenario"})
    frame["scenario"] = frame["scenario"].astype(str)
    if not _whatif_kpis(frame):
        raise InputError(
            str(path),
            [
                "no numeric KPI column; expected e.g. uncovered_hours, agency_hours, "
                f"agency_cost (found {', '.join(map(str, frame.columns))})"
            ],
        )
    return frame


def _scenario_column(frame: pd.DataFrame) -> str:
    if "scenario" in frame.columns:
        return "scenario"
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            return str(column)
    return str(frame.columns[0])


def _whatif_kpis(frame: pd.DataFrame) -> list[str]:
    """Returns the KPI columns to draw: the priority ones first, deltas left out."""
    numeric = [
        str(c)
        for c in frame.columns
        if c != "scenario"
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and not str(c).endswith("_delta")
    ]
    first = [c for c in WHATIF_PRIORITY if c in numeric]
    return first + [c for c in numeric if c not in first]


_EMPLOYMENT_TYPE = {"flex_pool": "pool", "employee": "extra_hours", "agency": "agency"}
"""Roster ``type`` of a new assignment by the person's employment (as `roster`)."""


def region_facts(region_path: Path, roster_path: Path) -> RegionFacts:
    """Reads the region, re-evaluates the roster and returns the per-person facts.

    Raises
    ------
    InputError
        If the region is invalid or the roster does not fit it (a roster of
        another region gets one line saying so, not a line per row).
    """
    from carecap.kernels.evaluate import evaluate_roster

    from .compile import compile_region
    from .io import read_region
    from .roster import read_roster

    region = read_region(region_path)
    try:
        _, records = read_records(roster_path)
        roster_shifts = {r["shift_id"] for _, r in records if r.get("shift_id")}
    except (OSError, UnicodeDecodeError):
        roster_shifts = set()  # read_roster below names the problem
    unknown = sorted(roster_shifts - region.shift_by_id.keys())
    if unknown:
        raise InputError(
            str(roster_path),
            [
                f"{len(unknown)} shift id(s) are not in region {region.name!r} "
                f"({region_path}), e.g. {unknown[0]!r}: pass the region this roster "
                "was solved for with --region"
            ],
        )
    compiled = compile_region(region)
    slot_assignee = read_roster(compiled, roster_path)
    evaluation = evaluate_roster(compiled, slot_assignee)
    weeks = region.horizon.weeks

    employment = np.array([p.employment.value for p in region.staff], dtype=object)
    new_anw_minutes = np.zeros(len(region.staff))
    cost_by_type = dict.fromkeys(FILL_TYPES, 0.0)
    people_cost = evaluation.slot_wage_cost + evaluation.slot_travel_cost
    for slot, who in enumerate(slot_assignee.tolist()):
        if who >= 0:
            shift = region.open_slots[slot].shift
            cls = region.shift_classes[shift]
            if cls.anw_class.value != "day":
                new_anw_minutes[who] += cls.paid_minutes
            kind = _EMPLOYMENT_TYPE[employment[who]]
            cost_by_type[kind] += float(people_cost[slot])
    cost_by_type["agency"] += evaluation.agency_cost
    agency_cost_by_organisation: dict[str, float] = {}
    for slot in np.flatnonzero(evaluation.slot_agency_cost).tolist():
        shift = region.shift_by_id[region.open_slots[slot].shift]
        org = region.ward_organisation(shift.ward).id
        agency_cost_by_organisation[org] = agency_cost_by_organisation.get(
            org, 0.0
        ) + float(evaluation.slot_agency_cost[slot])

    people = pd.DataFrame(
        {
            "staff_id": compiled.staff_ids,
            "employment": employment,
            "contract_hours": [p.contract_hours for p in region.staff],
            "desired_hours": [p.desired_hours for p in region.staff],
            "max_hours": [p.max_hours for p in region.staff],
            "worked_hours": evaluation.staff_horizon_minutes / 60 / weeks,
            "new_hours": evaluation.staff_new_minutes / 60 / weeks,
            "anw_hours": evaluation.staff_anw_minutes / 60,
            "new_anw_hours": new_anw_minutes / 60,
        }
    )
    return RegionFacts(
        name=region.name,
        horizon_start=region.horizon.start,
        weeks=weeks,
        num_wards=len(region.wards),
        organisation_names={
            o.id: f"{o.name or o.id} ({o.sector.value})" for o in region.organisations
        },
        people=people,
        cost_by_type=cost_by_type,
        agency_cost_by_organisation=agency_cost_by_organisation,
    )


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def _new_figure(width: float, height: float) -> Figure:
    """Returns an empty figure with a white background and constrained layout."""
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.set_facecolor("white")
    return figure


def _png_data_uri(figure: Figure) -> str:
    """Returns a figure as a base64 PNG ``data:`` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PLOT_DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _tidy(ax: Axes) -> None:
    """Drops the top and right frame lines, which carry no information."""
    ax.spines[["top", "right"]].set_visible(False)


def fill_by_class_figure(roster: pd.DataFrame) -> Figure:
    """Returns stacked bars of open hours per ANW class, split by how they were filled."""
    hours = roster.pivot_table(
        index="anw_class",
        columns="type",
        values="paid_hours",
        aggfunc="sum",
        fill_value=0.0,
    )
    classes = [c for c in ANW_ORDER if c in hours.index] + [
        c for c in hours.index if c not in ANW_ORDER
    ]
    hours = hours.reindex(index=classes, columns=list(FILL_TYPES), fill_value=0.0)
    figure = _new_figure(11, 0.55 * len(classes) + 1.4)
    ax = figure.add_subplot()
    left = np.zeros(len(classes))
    positions = np.arange(len(classes))
    for kind in FILL_TYPES:
        values = hours[kind].to_numpy()
        ax.barh(
            positions,
            values,
            left=left,
            color=FILL_COLOURS[kind],
            label=FILL_LABELS[kind],
            height=0.65,
        )
        left += values
    for y, total in zip(positions, left, strict=True):
        ax.text(total, y, f"  {total:,.0f} h", va="center", fontsize=9)
    ax.set_yticks(positions, [ANW_LABELS.get(c, c) for c in classes])
    ax.invert_yaxis()
    ax.set_xlabel("open hours (paid hours of the open slots)")
    ax.set_xlim(0, max(left.max(), 1) * 1.12)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False)
    _tidy(ax)
    return figure


@dataclass(frozen=True)
class CoverageGrid:
    """Hours per ward (rows) and day x ANW class (columns) for one fill type.

    When ``summed_rest`` is set, the last row is the sum of the wards not drawn.
    """

    wards: list[str]
    columns: list[tuple[str, str]]
    hours: np.ndarray
    summed_rest: bool = False


def coverage_grids(
    roster: pd.DataFrame, weeks: int, max_wards: int = MAX_HEATMAP_WARDS
) -> dict[str, CoverageGrid]:
    """Returns the uncovered and agency hours per ward x (day, ANW class).

    Columns are the (day, class) pairs that hold open slots, so the grid shows the
    shape of the open demand; horizons over two weeks are folded onto weekdays.
    Rows are the wards with uncovered or agency hours, most uncovered (then agency)
    hours first; beyond ``max_wards`` the rest are summed into one row.
    """
    frame = roster.copy()
    if weeks > 2:
        frame["day_key"] = [dt.date.fromisoformat(d).strftime("%a") for d in frame.date]
        day_order = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    else:
        frame["day_key"] = frame["date"]
        day_order = sorted(frame["date"].unique())
    class_rank = {c: k for k, c in enumerate(ANW_ORDER)}
    columns = sorted(
        set(zip(frame["day_key"], frame["anw_class"], strict=True)),
        key=lambda dc: (day_order.index(dc[0]), class_rank.get(dc[1], 99), dc[1]),
    )
    short = frame[frame["type"].isin(["uncovered", "agency"])]
    totals = short.pivot_table(
        index="ward", columns="type", values="paid_hours", aggfunc="sum", fill_value=0.0
    ).reindex(columns=["uncovered", "agency"], fill_value=0.0)
    totals = totals.sort_values(["uncovered", "agency"], ascending=False)
    wards = list(totals.index)
    shown = wards if len(wards) <= max_wards else wards[: max_wards - 1]
    rest = wards[len(shown) :]
    labels = list(shown) + ([f"other {len(rest)} wards"] if rest else [])
    row_of = {ward: k for k, ward in enumerate(shown)}
    col_of = {col: k for k, col in enumerate(columns)}
    grids = {}
    for kind in ("uncovered", "agency"):
        matrix = np.zeros((len(labels), len(columns)))
        rows = short[short["type"] == kind]
        for ward, day_key, anw, hours in zip(
            rows.ward, rows.day_key, rows.anw_class, rows.paid_hours, strict=True
        ):
            matrix[row_of.get(ward, len(labels) - 1), col_of[(day_key, anw)]] += hours
        grids[kind] = CoverageGrid(labels, columns, matrix, summed_rest=bool(rest))
    return grids


def coverage_heatmap_figure(
    grids: dict[str, CoverageGrid], folded: bool
) -> Figure | None:
    """Returns heatmaps of uncovered and agency hours, or None when there are none.

    A panel with no hours at all is left out (the caption says so).
    """
    panels = [
        (kind, grid)
        for kind, grid in grids.items()
        if grid.hours.size and grid.hours.any()
    ]
    if not panels:
        return None
    grid = panels[0][1]
    num_rows, num_cols = grid.hours.shape
    width = min(11.0, 2.6 + len(panels) * (0.24 * num_cols + 1.4))
    figure = _new_figure(max(width, 6.5), 0.27 * num_rows + 2.2)
    axes = figure.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    cmaps = {"uncovered": "Reds", "agency": "Oranges"}
    for ax, (kind, panel) in zip(axes, panels, strict=True):
        _heatmap(ax, panel, cmaps[kind], folded)
        ax.set_title(FILL_LABELS[kind] + ", hours", fontsize=11, pad=26)
    axes[0].set_yticks(range(num_rows), grid.wards, fontsize=8)
    return figure


def _heatmap(ax: Axes, grid: CoverageGrid, cmap: str, folded: bool) -> None:
    """Draws one ward x (day, class) heatmap with day labels above and class below."""
    num_rows, num_cols = grid.hours.shape
    values = np.ma.masked_equal(grid.hours, 0.0)
    wards = grid.hours
    if grid.summed_rest:
        # The summed row would set the colour scale and wash out every ward, so it
        # is left uncoloured, below a line, with its numbers written out.
        values[-1, :] = np.ma.masked
        wards = grid.hours[:-1]
        ax.axhline(num_rows - 1.5, color="#5b6673", linewidth=1.5)
    peak = float(wards.max()) if wards.size and wards.max() > 0 else 1.0
    image = ax.imshow(
        values, aspect="auto", cmap=cmap, vmin=0, vmax=peak, interpolation="none"
    )
    ax.set_facecolor("#f4f4f4")
    ax.set_xticks(
        range(num_cols), [ANW_SHORT.get(c, c) for _, c in grid.columns], fontsize=7
    )
    ax.tick_params(axis="x", rotation=90, length=0)
    ax.tick_params(axis="y", length=0)
    # Day groups: a separating line between days and the day's label on top.
    days = [d for d, _ in grid.columns]
    starts = [k for k in range(num_cols) if k == 0 or days[k] != days[k - 1]]
    for k in starts[1:]:
        ax.axvline(k - 0.5, color="white", linewidth=2)
    ends = [*starts[1:], num_cols]
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        [(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)],
        [days[s] if folded else _day_label(days[s]) for s in starts],
        fontsize=8,
    )
    top.tick_params(length=0)
    for spine in [*ax.spines.values(), *top.spines.values()]:
        spine.set_visible(False)
    if num_rows * num_cols <= MAX_ANNOTATED_CELLS:
        for r, c in zip(*np.nonzero(grid.hours), strict=True):
            value = float(grid.hours[r, c])
            rest_row = grid.summed_rest and r == num_rows - 1
            ax.text(
                c,
                r,
                f"{value:.0f}" if value >= 100 or rest_row else f"{value:g}",
                ha="center",
                va="center",
                fontsize=6 if value >= 100 else 6.5,
                color="white" if value > 0.6 * peak and not rest_row else "black",
            )
    colourbar = ax.figure.colorbar(image, ax=ax, shrink=0.6, pad=0.01)
    colourbar.set_label("hours", fontsize=8)
    colourbar.ax.tick_params(labelsize=7)


def _day_label(iso_day: str) -> str:
    """Returns ``'Mon\\n23 Mar'`` for an ISO date."""
    return dt.date.fromisoformat(iso_day).strftime("%a\n%d %b")


def hours_per_person_figure(
    pool: pd.DataFrame, extra: pd.DataFrame, weeks: int
) -> Figure | None:
    """Returns bars of weekly hours per person against contract and desired hours.

    Two panels: flex-pool members furthest below their contract first, and
    employees with the most new hours (meer uren werken). Each bar is base-roster
    hours plus new hours; a black tick marks the contract, a green diamond the
    desired hours. At most `MAX_PEOPLE_BARS` people per panel.
    """
    panels = [
        ("Flexpool members (furthest below contract first)", pool, "pool"),
        ("Meer uren: employees with the most new hours", extra, "extra_hours"),
    ]
    panels = [p for p in panels if not p[1].empty]
    if not panels:
        return None
    num_bars = max(min(len(p[1]), MAX_PEOPLE_BARS) for p in panels)
    figure = _new_figure(11, 0.22 * num_bars + 1.9)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, people, kind) in zip(axes, panels, strict=True):
        shown = people.head(MAX_PEOPLE_BARS)
        y = np.arange(len(shown))
        fixed = (shown["worked_hours"] - shown["new_hours"]).to_numpy()
        ax.barh(y, fixed, color="#b8b8b8", height=0.7, label="base roster")
        ax.barh(
            y,
            shown["new_hours"],
            left=fixed,
            color=FILL_COLOURS[kind],
            height=0.7,
            label=f"new shifts: {'flexpool' if kind == 'pool' else 'meer uren'}",
        )
        ax.scatter(
            shown["contract_hours"],
            y,
            marker="|",
            s=140,
            color="black",
            linewidths=2,
            label="contract",
            zorder=3,
        )
        ax.scatter(
            shown["desired_hours"],
            y,
            marker="D",
            s=22,
            color="#117733",
            edgecolors="white",
            label="desired",
            zorder=4,
        )
        ax.set_yticks(y, shown["staff_id"], fontsize=7)
        ax.invert_yaxis()
        per = "hours per week" if weeks == 1 else f"hours per week (mean of {weeks})"
        ax.set_xlabel(per)
        more = len(people) - len(shown)
        ax.set_title(
            title + (f"\n{len(shown)} of {len(people)} shown" if more else ""),
            fontsize=10,
        )
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        _tidy(ax)
    # One legend for both panels; each panel's new-shift colour is its own.
    legend: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    figure.legend(
        legend.values(),
        legend.keys(),
        loc="outside upper center",
        ncols=len(legend),
        frameon=False,
        fontsize=9,
    )
    return figure


def hours_gap_figure(pool: pd.DataFrame, extra: pd.DataFrame) -> Figure | None:
    """Returns histograms of worked minus contract (pool) and minus desired (meer uren)."""
    series = [
        ("Flexpool: worked minus contract hours", pool, "contract_hours", "pool"),
        (
            "Meer uren: worked minus desired hours",
            extra,
            "desired_hours",
            "extra_hours",
        ),
    ]
    series = [s for s in series if not s[1].empty]
    if not series:
        return None
    figure = _new_figure(11, 2.8)
    axes = figure.subplots(1, len(series), squeeze=False)[0]
    for ax, (title, people, reference, kind) in zip(axes, series, strict=True):
        gap = (people["worked_hours"] - people[reference]).to_numpy()
        low, high = math.floor(min(gap.min(), -1)), math.ceil(max(gap.max(), 1))
        bins = np.arange(low, high + 2) - 0.5 if high - low <= 40 else 30
        ax.hist(gap, bins=bins, color=FILL_COLOURS[kind], edgecolor="white")
        ax.axvline(0, color="black", linewidth=1)
        ax.set_title(f"{title} (n = {len(people)})", fontsize=10)
        ax.set_xlabel("hours per week (below 0: fewer hours than agreed or wished)")
        ax.set_ylabel("people")
        _tidy(ax)
    return figure


def anw_burden_figure(people: pd.DataFrame, weeks: int) -> Figure | None:
    """Returns the ANW burden per employment type of the people who worked.

    Left: the ANW share of each person's worked hours as a box plot per employment
    type. Right: mean ANW hours per person, split into base roster and new shifts.
    """
    worked = people[people["worked_hours"] > 0]
    groups = [g for g in EMPLOYMENT_LABELS if (worked["employment"] == g).any()]
    if not groups:
        return None
    figure = _new_figure(11, 0.6 * len(groups) + 2.2)
    share_ax, mean_ax = figure.subplots(1, 2, sharey=True)
    shares, means_fixed, means_new = [], [], []
    for group in groups:
        members = worked[worked["employment"] == group]
        total_hours = members["worked_hours"] * weeks
        shares.append((100 * members["anw_hours"] / total_hours).to_numpy())
        means_new.append(members["new_anw_hours"].mean())
        means_fixed.append(members["anw_hours"].mean() - means_new[-1])
    y = np.arange(len(groups))
    labels = [
        f"{EMPLOYMENT_LABELS[g]}\n(n = {len(s)})"
        for g, s in zip(groups, shares, strict=True)
    ]
    share_ax.boxplot(
        shares,
        positions=y,
        orientation="horizontal",
        widths=0.55,
        patch_artist=True,
        boxprops={"facecolor": "#cfe3f2", "edgecolor": "#0072B2"},
        medianprops={"color": "#0072B2", "linewidth": 2},
        flierprops={"markersize": 2, "markeredgecolor": "#888888"},
    )
    share_ax.set_yticks(y, labels, fontsize=9)
    share_ax.invert_yaxis()
    share_ax.set_xlabel("ANW share of each person's worked hours (%)")
    share_ax.set_xlim(0, 100)
    share_ax.set_title("How much of each person's work is ANW", fontsize=10)
    mean_ax.barh(y, means_fixed, color="#b8b8b8", height=0.55, label="base roster")
    mean_ax.barh(
        y, means_new, left=means_fixed, color="#0072B2", height=0.55, label="new shifts"
    )
    for pos, fixed, new in zip(y, means_fixed, means_new, strict=True):
        mean_ax.text(
            fixed + new, pos, f"  {fixed + new:.1f} h", va="center", fontsize=9
        )
    mean_ax.set_xlim(0, max(np.add(means_fixed, means_new).max(), 1) * 1.2)
    mean_ax.set_xlabel("mean ANW hours per person in the horizon")
    mean_ax.set_title("ANW hours per person", fontsize=10)
    mean_ax.legend(frameon=False, fontsize=8, loc="lower right")
    for ax in (share_ax, mean_ax):
        _tidy(ax)
    return figure


def whatif_figure(frame: pd.DataFrame) -> Figure:
    """Returns one bar chart per what-if KPI column, one bar per scenario.

    The first scenario (the baseline in a what-if table) is drawn grey, the others
    blue; at most `MAX_WHATIF_PANELS` KPI columns are drawn.
    """
    kpis = _whatif_kpis(frame)[:MAX_WHATIF_PANELS]
    num_cols = min(3, len(kpis))
    num_rows = math.ceil(len(kpis) / num_cols)
    scenarios = frame["scenario"].tolist()
    height_per_row = max(2.4, 0.3 * len(scenarios) + 1.2)
    figure = _new_figure(11, height_per_row * num_rows)
    axes = figure.subplots(num_rows, num_cols, squeeze=False).ravel()
    colours = ["#999999"] + ["#0072B2"] * (len(scenarios) - 1)
    y = np.arange(len(scenarios))
    for ax, kpi in zip(axes, kpis, strict=False):
        values = frame[kpi].astype(float).fillna(0.0).to_numpy()
        ax.barh(y, values, color=colours, height=0.65)
        for pos, value in zip(y, values, strict=True):
            ax.text(
                value,
                pos,
                " " + _kpi_text(kpi, value),
                va="center",
                ha="left" if value >= 0 else "right",
                fontsize=8,
            )
        ax.set_yticks(y, scenarios, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(_kpi_title(kpi), fontsize=10)
        extent = max(abs(values).max(), 1)
        ax.set_xlim(min(values.min() * 1.3, 0), max(values.max(), 0) + 0.35 * extent)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _tidy(ax)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    return figure


def _kpi_title(column: str) -> str:
    """Returns ``'Agency cost (EUR)'`` for ``'agency_cost'``."""
    words = column.replace("_", " ")
    if column.endswith("_cost") or column.endswith("_eur"):
        words = words.removesuffix(" eur") + " (EUR)"
    return words[:1].upper() + words[1:]


def _kpi_text(column: str, value: float) -> str:
    if column.endswith(("_cost", "_eur")):
        return _eur(value)
    if column.endswith("_hours"):
        return f"{value:,.1f} h"
    return f"{value:,.4g}"


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


def _eur(value: float) -> str:
    return f"€{value:,.0f}" if value >= 0 else f"-€{-value:,.0f}"


def _hours(value: float) -> str:
    return f"{value:,.1f} h"


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _img(uri: str, alt: str, figure: Figure) -> str:
    width = round(figure.get_figwidth() * SCREEN_DPI)
    return f'<img src="{uri}" alt="{_escape(alt)}" width="{width}">'


def _plot(figure: Figure | None, alt: str, caption: str) -> str:
    """Returns a ``<figure>`` with the plot embedded, or the caption alone."""
    if figure is None:
        return f'<p class="note">{caption}</p>'
    return (
        f"<figure>{_img(_png_data_uri(figure), alt, figure)}"
        f"<figcaption>{caption}</figcaption></figure>"
    )


_NUMBER_CELL = re.compile(r"^[-+]?[€]?-?\d[\d,.]*( ?(h|%))?( \([-+][\d,.]+\))?$")
"""A formatted number ("1,234.5 h", "€70,309", "68 %", "610.0 (-173.5)") or a dash."""


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Returns an HTML table; columns of formatted numbers align right."""
    body_rows = [[str(cell) for cell in row] for row in rows]
    numeric = [
        k > 0
        and any(row[k] != "-" for row in body_rows)
        and all(row[k] == "-" or _NUMBER_CELL.match(row[k]) for row in body_rows)
        for k in range(len(header))
    ]
    head = "".join(
        f"<th{' class=num' if numeric[k] else ''}>{_escape(h)}</th>"
        for k, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if numeric[k] else ''}>{_escape(c)}</td>"
            for k, c in enumerate(row)
        )
        + "</tr>"
        for row in body_rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _kpi(key: str, value: Any, text: str) -> str:
    """Returns ``text`` in a span that names the summary.json KPI it shows.

    The ``data-kpi``/``data-value`` attributes let tests (and scripts) check the
    page against ``summary.json`` without parsing formatted numbers.
    """
    raw = repr(float(value)) if isinstance(value, int | float) else str(value)
    return (
        f'<span data-kpi="{_escape(key)}" data-value="{_escape(raw)}">'
        f"{_escape(text)}</span>"
    )


def _tile(label: str, main_html: str, detail_html: str, tone: str = "") -> str:
    """Returns one headline tile (``main_html`` and ``detail_html`` are escaped)."""
    return (
        f'<div class="tile {tone}"><div class="label">{_escape(label)}</div>'
        f'<div class="main">{main_html}</div>'
        f'<div class="detail">{detail_html}</div></div>'
    )


def _headline(
    summary: dict[str, Any], roster: pd.DataFrame, facts: RegionFacts | None
) -> str:
    """Returns the KPI tiles: how the open slots were filled, then costs and checks."""
    kpis = summary.get("kpis") or {}
    counts = roster["type"].value_counts()
    hours = roster.groupby("type")["paid_hours"].sum()
    costs = _costs_by_type(roster, kpis, facts)
    num_slots = int(kpis.get("slots", len(roster)))
    filled = int(counts.get("pool", 0) + counts.get("extra_hours", 0))
    fill_tiles = [
        _tile(
            "Open slots (open diensten)",
            _kpi("slots", num_slots, f"{num_slots:,}"),
            f"{_escape(_hours(float(roster['paid_hours'].sum())))} of care to fill; "
            f"{_kpi('filled', kpis.get('filled', filled), f'{filled:,}')} filled by "
            "people from the region",
        )
    ]
    for kind in FILL_TYPES:
        num = int(counts.get(kind, 0))
        share = f"{100 * num / len(roster):.0f} %" if len(roster) else "-"
        main = f"{num:,}"
        hours_text = _hours(float(hours.get(kind, 0.0)))
        detail = f"{share} of slots · "
        if kind in ("agency", "uncovered"):
            main = _kpi(kind, kpis.get(kind, num), main)
            hours_text = _kpi(
                f"{kind}_hours", kpis.get(f"{kind}_hours", 0.0), hours_text
            )
            anw = kpis.get(f"{kind}_anw_hours")
            detail += hours_text + ("" if anw is None else f" (ANW {_hours(anw)})")
        else:
            detail += _escape(hours_text)
            if costs.get(kind) is not None:
                detail += f" · {_escape(_eur(costs[kind]))} wages and travel"
        tone = {"uncovered": "bad" if num else "good", "agency": "warn"}.get(kind, "")
        fill_tiles.append(_tile(FILL_LABELS[kind], f"{main} slots", detail, tone))

    cost_tiles = []
    if "agency_cost" in kpis:
        cost_tiles.append(
            _tile(
                "Agency cost (incl. VAT)",
                _kpi("agency_cost", kpis["agency_cost"], _eur(kpis["agency_cost"])),
                "uitzendkrachten booked from the agency supply",
                "warn",
            )
        )
    if "total_cost" in kpis:
        wage, travel = kpis.get("wage_cost", 0.0), kpis.get("travel_cost", 0.0)
        cost_tiles.append(
            _tile(
                "Total cost of the new work",
                _kpi("total_cost", kpis["total_cost"], _eur(kpis["total_cost"])),
                f"wages and ORT {_kpi('wage_cost', wage, _eur(wage))} · travel "
                f"{_kpi('travel_cost', travel, _eur(travel))} · agency "
                f"{_escape(_eur(kpis.get('agency_cost', 0.0)))}",
            )
        )
    status = str(summary.get("status", "UNKNOWN"))
    gap = summary.get("gap")
    levels = summary.get("levels") or [{}]
    first = LEVEL_LABELS.get(levels[0].get("name"), "first level").split(" (")[0]
    note = _escape(_status_note(summary))
    if gap is not None:
        note = (
            f"gap {_kpi('gap', gap, f'{100 * float(gap):.1f} %')} on "
            f"{_escape(first.lower())} · {note}"
        )
    cost_tiles.append(
        _tile(
            "Solver status",
            _kpi("status", status, status),
            note,
            "good" if status == "OPTIMAL" else "",
        )
    )
    if "violations" in kpis:
        num = int(kpis["violations"])
        cost_tiles.append(
            _tile(
                "Labour-law check (ATW/CAO)",
                _kpi("violations", num, "clean" if num == 0 else f"{num} violations"),
                "every roster is re-checked by the independent evaluator",
                "good" if num == 0 else "bad",
            )
        )
    return (
        '<div class="tiles">'
        + "".join(fill_tiles)
        + '</div><div class="tiles four">'
        + "".join(cost_tiles)
        + "</div>"
    )


def _status_note(summary: dict[str, Any]) -> str:
    """Returns what the solve status means for a planner."""
    if summary.get("backend") == "greedy":
        return "greedy filler (the baseline): a legal roster, not optimised"
    return STATUS_NOTES.get(str(summary.get("status")), "")


def _costs_by_type(
    roster: pd.DataFrame, kpis: dict[str, Any], facts: RegionFacts | None
) -> dict[str, float | None]:
    """Returns euros per fill type: from ``cost_eur``, else the evaluation, else KPIs."""
    if "cost_eur" in roster.columns:
        sums = roster.groupby("type")["cost_eur"].sum(min_count=1)
        return {
            k: (None if pd.isna(sums.get(k)) else float(sums[k])) for k in FILL_TYPES
        }
    if facts is not None:
        return dict(facts.cost_by_type)
    return {"agency": kpis.get("agency_cost")}


def _levels_table(summary: dict[str, Any]) -> str:
    """Returns the solver's priority levels with objective, bound and status."""
    rows = []
    for level in summary.get("levels") or []:
        objective, bound = level.get("objective"), level.get("bound")
        rows.append(
            (
                LEVEL_LABELS.get(level.get("name"), level.get("name")),
                level.get("unit", ""),
                _number(objective),
                _number(bound),
                _number(
                    None
                    if objective is None or bound is None
                    else abs(float(objective) - float(bound))
                ),
                level.get("status", ""),
            )
        )
    if not rows:
        return ""
    return _table(
        (
            "priority level (most important first)",
            "unit",
            "value",
            "bound",
            "gap",
            "status",
        ),
        rows,
    )


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{float(value):,.2f}"


def _organisation_table(roster: pd.DataFrame, facts: RegionFacts | None) -> str:
    """Returns open hours per organisation and how they were filled, most short first.

    Agency cost per organisation comes from the roster's ``cost_eur`` column, or
    else from the evaluation when the region is known.
    """
    hours = roster.pivot_table(
        index="organisation",
        columns="type",
        values="paid_hours",
        aggfunc="sum",
        fill_value=0.0,
    ).reindex(columns=list(FILL_TYPES), fill_value=0.0)
    slots = roster.groupby("organisation").size()
    hours = hours.sort_values(["uncovered", "agency"], ascending=False)
    agency_cost: dict[str, float] | None = None
    if "cost_eur" in roster.columns:
        agency = roster[roster["type"] == "agency"]
        agency_cost = agency.groupby("organisation")["cost_eur"].sum().to_dict()
    elif facts is not None:
        agency_cost = facts.agency_cost_by_organisation
    rows = []
    for org, row in hours.head(MAX_TABLE_ROWS).iterrows():
        name = "" if facts is None else facts.organisation_names.get(str(org), "")
        cells = [
            f"{org} · {name}" if name else str(org),
            f"{int(slots[org]):,}",
            _hours(float(row.sum())),
            *(_hours(float(row[k])) for k in FILL_TYPES),
        ]
        if agency_cost is not None:
            cells.append(_eur(float(agency_cost.get(org, 0.0))))
        rows.append(cells)
    header = [
        "organisation",
        "open slots",
        "open hours",
        "flexpool",
        "meer uren",
        "agency",
        "uncovered",
    ]
    if agency_cost is not None:
        header.append("agency cost")
    table = _table(header, rows)
    rest = len(hours) - len(rows)
    if rest > 0:
        table += f'<p class="note">… and {rest} more organisations.</p>'
    return table


def _people_groups(facts: RegionFacts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns the flex-pool members and the employees with new shifts, in chart order."""
    people = facts.people
    pool = people[people["employment"] == "flex_pool"].copy()
    pool["below_contract"] = pool["contract_hours"] - pool["worked_hours"]
    pool = pool.sort_values(["below_contract", "staff_id"], ascending=[False, True])
    extra = people[(people["employment"] == "employee") & (people["new_hours"] > 0)]
    extra = extra.sort_values(["new_hours", "staff_id"], ascending=[False, True])
    return pool, extra


def _people_table(facts: RegionFacts) -> str:
    """Returns the hours-against-contract-and-wishes totals of every person."""
    people = facts.people
    pool, extra = _people_groups(facts)
    below = (pool["contract_hours"] - pool["worked_hours"]).clip(lower=0)
    wanting = people[
        (people["employment"] == "employee")
        & (people["desired_hours"] > people["contract_hours"])
    ]
    left_out = wanting[wanting["new_hours"] == 0]
    short_of_wish = (extra["desired_hours"] - extra["worked_hours"]).clip(lower=0)
    above_wish = (extra["worked_hours"] - extra["desired_hours"]).clip(lower=0)
    per_week = "" if facts.weeks == 1 else " per week"
    rows = [
        (
            "Flexpool members",
            f"{len(pool):,}",
            f"{_hours(float(pool['worked_hours'].sum()))}{per_week} worked, "
            f"{_hours(float(pool['contract_hours'].sum()))}{per_week} contracted",
        ),
        (
            "… below their contract hours",
            f"{int((below > 0).sum()):,}",
            f"{_hours(float(below.sum()))}{per_week} paid but not worked",
        ),
        (
            "Employees who want more hours (meer uren werken)",
            f"{len(wanting):,}",
            "desired hours above contract",
        ),
        (
            "… who got new shifts",
            f"{len(extra):,}",
            f"{_hours(float(extra['new_hours'].sum()))}{per_week} new work",
        ),
        (
            "… of whom still below their desired hours",
            f"{int((short_of_wish > 0).sum()):,}",
            f"{_hours(float(short_of_wish.sum()))}{per_week} still wished for",
        ),
        (
            "… of whom above their desired hours",
            f"{int((above_wish > 0).sum()):,}",
            f"{_hours(float(above_wish.sum()))}{per_week} beyond the wish "
            "(never beyond their maximum)",
        ),
        (
            "… who got no new shift",
            f"{len(left_out):,}",
            f"{_hours(float((left_out['desired_hours'] - left_out['worked_hours']).clip(lower=0).sum()))}"
            f"{per_week} wished for but not offered",
        ),
    ]
    return _table(("group", "people", "hours"), rows)


def _anw_table(facts: RegionFacts, kpis: dict[str, Any]) -> str:
    """Returns ANW hours and shares per employment type, with the roster's Gini."""
    worked = facts.people[facts.people["worked_hours"] > 0]
    rows = []
    for group, label in EMPLOYMENT_LABELS.items():
        members = worked[worked["employment"] == group]
        if members.empty:
            continue
        share = 100 * members["anw_hours"] / (members["worked_hours"] * facts.weeks)
        gini = kpis.get(f"fairness_{group}_gini")
        rows.append(
            (
                label,
                f"{len(members):,}",
                _hours(float(members["anw_hours"].sum())),
                _hours(float(members["new_anw_hours"].sum())),
                f"{share.mean():.0f} %",
                f"{share.quantile(0.9):.0f} %",
                "-" if gini is None else f"{gini:.2f}",
            )
        )
    return _table(
        (
            "employment type",
            "people who worked",
            "ANW hours",
            "of which new",
            "mean ANW share",
            "P90 ANW share",
            "Gini of ANW share",
        ),
        rows,
    )


def _uncovered_section(roster: pd.DataFrame) -> str:
    """Returns the uncovered slots (with reasons when present), or a line saying none."""
    uncovered = roster[roster["type"] == "uncovered"]
    if uncovered.empty:
        return '<p class="note good">Every open slot is filled: no care is left uncovered.</p>'
    parts = []
    has_reason = "reason" in uncovered.columns
    if has_reason:
        by_reason = uncovered.groupby("reason")["paid_hours"].agg(["size", "sum"])
        parts.append(
            _table(
                ("reason", "slots", "hours", "meaning"),
                [
                    (
                        reason or "(none given)",
                        f"{int(row['size']):,}",
                        _hours(float(row["sum"])),
                        REASON_LABELS.get(reason, ""),
                    )
                    for reason, row in by_reason.sort_values(
                        "sum", ascending=False
                    ).iterrows()
                ],
            )
        )
    ordered = uncovered.sort_values(["date", "start_time", "ward", "level"])
    rows = []
    for row in ordered.head(MAX_TABLE_ROWS).itertuples(index=False):
        cells = [
            _day_label(row.date).replace("\n", " "),
            f"{row.start_time}-{str(row.end)[11:16]}",
            ANW_LABELS.get(row.anw_class, row.anw_class),
            row.organisation,
            row.ward,
            row.level,
            row.shift_id,
            _hours(float(row.paid_hours)),
        ]
        if has_reason:
            cells.append(row.reason or "-")
        rows.append(cells)
    header = ["day", "time", "class", "organisation", "ward", "level", "shift", "hours"]
    if has_reason:
        header.append("reason")
    parts.append(_table(header, rows))
    rest = len(ordered) - len(rows)
    if rest > 0:
        parts.append(
            f'<p class="note">… and {rest} more uncovered slots (all are in roster.csv).</p>'
        )
    return "".join(parts)


def _ask_section(summary: dict[str, Any]) -> str:
    """Returns the ask list by slot, counting people: their ids stay in summary.json.

    The page goes to planners of several organisations, so it names nobody; each
    employer's planner finds the people to phone in ``summary.json`` (``ask``).
    """
    asked = summary.get("ask")
    if asked is None:
        return '<p class="note">This solve predates the ask list.</p>'
    if not asked:
        return (
            '<p class="note">Nobody could take an agency or uncovered slot beyond '
            "the hours they offered without breaking another rule.</p>"
        )
    units: dict[tuple[str, str, str, str, str], list[float]] = {}
    for entry in asked:
        key = (
            entry["shift_id"],
            entry["level"],
            entry.get("competence", ""),
            entry["now"],
            entry["week"],
        )
        units.setdefault(key, []).append(float(entry["extra_hours"]))
    rows = [
        (
            shift_id,
            level + (f" ({competence})" if competence else ""),
            NOW_LABELS.get(now, now),
            week,
            f"{len(hours)}",
            _hours(min(hours)),
        )
        for (shift_id, level, competence, now, week), hours in list(units.items())[
            :MAX_TABLE_ROWS
        ]
    ]
    lead = (
        '<p class="lead">People are planned only up to the hours they offered '
        "(desired hours; <i>meer uren werken</i> is voluntary). For these slots, "
        "someone could take the shift if they agreed to more: taking it alone breaks "
        "no other rule. Their staff ids are in summary.json (<code>ask</code>), for "
        f"the planner of their employer to phone; {summary.get('ask_total', 0):,} "
        "(slot, person) pairs in all, up to 5 per slot listed there.</p>"
    )
    table = _table(
        ("shift", "level", "now", "week", "people to ask", "fewest extra hours"), rows
    )
    return lead + table


NOW_LABELS = {"agency": "agency (uitzendkracht)", "uncovered": "uncovered"}
"""How the ask list names what the roster does with a slot."""


_CSS = """
:root { --ink: #1d2733; --muted: #5b6673; --line: #dfe3e8; --bg: #f6f7f9;
  --good: #1a7f37; --warn: #b26b00; --bad: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
h2 { margin: 36px 0 8px; font-size: 20px; border-bottom: 2px solid var(--line);
  padding-bottom: 4px; }
h3 { margin: 20px 0 6px; font-size: 16px; }
p.lead { color: var(--muted); margin: 4px 0 12px; max-width: 80ch; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px;
  margin-top: 12px; }
@media (max-width: 900px) { .tiles { grid-template-columns: repeat(2, 1fr); } }
.tiles.four { grid-template-columns: repeat(4, 1fr); }
.scroll { overflow-x: auto; }
.tile { border: 1px solid var(--line); border-left: 5px solid #8a96a3;
  border-radius: 6px; padding: 10px 12px; background: #fff; }
.tile.good { border-left-color: var(--good); }
.tile.warn { border-left-color: var(--warn); }
.tile.bad { border-left-color: var(--bad); }
.tile .label { font-size: 12px; text-transform: uppercase; letter-spacing: .03em;
  color: var(--muted); }
.tile .main { font-size: 22px; font-weight: 650; margin: 2px 0; }
.tile .detail { font-size: 12.5px; color: var(--muted); }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; max-width: 90ch; }
table { border-collapse: collapse; margin: 10px 0; font-size: 13.5px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
.note { color: var(--muted); }
.note.good { color: var(--good); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def render_report(
    summary: dict[str, Any],
    roster: pd.DataFrame,
    facts: RegionFacts | None = None,
    whatif: pd.DataFrame | None = None,
    *,
    region_label: str = "",
) -> str:
    """Returns the report as one self-contained HTML document.

    Parameters
    ----------
    summary
        The solve summary (``summary.json``).
    roster
        The roster table (`read_roster_table`).
    facts
        Region facts (`region_facts`); without them the per-person and ANW
        sections say that the region is needed.
    whatif
        A what-if comparison table (`read_whatif_table`), drawn when given.
    region_label
        How to name the region when ``facts`` is None (e.g. its file name).

    Returns
    -------
    str
        The HTML document.
    """
    kpis = summary.get("kpis") or {}
    weeks = facts.weeks if facts is not None else 1
    if facts is not None:
        last = facts.horizon_start + dt.timedelta(days=7 * facts.weeks - 1)
        title = f"Roster report · {facts.name}"
        subtitle = (
            f"Horizon {facts.horizon_start:%a %d %b %Y} to {last:%a %d %b %Y} "
            f"({facts.weeks} week{'s' if facts.weeks > 1 else ''}) · "
            f"{len(facts.organisation_names)} organisations · {facts.num_wards} wards"
        )
    else:
        title = f"Roster report · {region_label or 'region'}"
        subtitle = "Region file not available: per-person sections are left out."
    sections = [
        f"<header><h1>{_escape(title)}</h1><p>{_escape(subtitle)}</p></header>",
        "<h2>At a glance</h2>",
        '<p class="lead">Open slots (<i>open diensten</i>) are the demand the base '
        "roster leaves open, through sickness or vacancies. Each is filled by a "
        "member of the regional <i>flexpool</i>, by a part-timer who wants more hours "
        "(<i>meer uren werken</i>), booked from an agency (<i>uitzendkrachten</i>), or "
        "stays uncovered. Hours are paid hours; costs are those of the new work.</p>",
        _headline(summary, roster, facts),
    ]
    if roster.empty:
        sections.append('<p class="note">The roster has no open slots.</p>')
    else:
        sections += _shortage_sections(roster, weeks, facts)
    sections += _people_sections(facts, kpis)
    if whatif is not None:
        sections += [
            "<h2>What-if scenarios</h2>",
            '<p class="lead">Each scenario solved with the same rules; the first row '
            "(grey) is the baseline. Lower is better for uncovered hours, agency hours "
            "and costs. In the table, the change against the baseline is in "
            "brackets.</p>",
            _plot(
                whatif_figure(whatif),
                "Bar charts of the what-if KPIs per scenario",
                "One panel per KPI column of the comparison table.",
            ),
            _whatif_table(whatif),
        ]
    sections += [
        "<h2>Uncovered slots (onderbezetting)</h2>",
        _uncovered_section(roster),
        "<h2>Could be covered if asked</h2>",
        _ask_section(summary),
        "<h2>Solver</h2>",
        f'<p class="lead">Status <b>{_escape(summary.get("status", "UNKNOWN"))}</b>: '
        f"{_escape(_status_note(summary))}. The solver "
        "works through the priority levels in order; each level's bound is the best "
        "value possible once the levels above are fixed.</p>",
        _levels_table(summary),
        "<footer>Written by carecap. People appear by staff id only; no names, "
        "ages or home addresses are in this report.</footer>",
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _whatif_table(frame: pd.DataFrame) -> str:
    """Returns the what-if table, each ``X_delta`` column shown beside ``X``.

    A delta column whose KPI column is missing keeps a column of its own.
    """
    columns = [str(c) for c in frame.columns]
    paired = {c[: -len("_delta")] for c in columns if c.endswith("_delta")}
    shown = [
        c
        for c in columns
        if not (c.endswith("_delta") and c[: -len("_delta")] in columns)
    ]
    rows = []
    for record in frame.to_dict(orient="records"):
        cells = []
        for column in shown:
            text = _whatif_cell(record[column])
            if column in paired and column != "scenario":
                delta = record[f"{column}_delta"]
                if _is_number(delta) and not math.isnan(delta):
                    text += f" ({_whatif_cell(delta, sign=True)})"
            cells.append(text)
        rows.append(cells)
    header = [_kpi_title(c) if c != "scenario" else c for c in shown]
    return _table(header, rows)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(
        value, bool | np.bool_
    )


def _whatif_cell(value: Any, *, sign: bool = False) -> str:
    """Returns a what-if cell: whole numbers as they are, others to 0.1."""
    plus = "+" if sign else ""
    if isinstance(value, int | np.integer) and _is_number(value):
        return f"{int(value):{plus},d}"
    if _is_number(value):
        return "-" if math.isnan(value) else f"{float(value):{plus},.1f}"
    return str(value)


def _shortage_sections(
    roster: pd.DataFrame, weeks: int, facts: RegionFacts | None
) -> list[str]:
    """Returns the sections on open hours per class, the ward heatmap and organisations."""
    grids = coverage_grids(roster, weeks)
    folded = weeks > 2
    wards_short = len(
        {w for w in roster.ward[roster.type.isin(["agency", "uncovered"])]}
    )
    num_wards = facts.num_wards if facts is not None else roster["ward"].nunique()
    caption = (
        f"{wards_short} of {num_wards} wards have agency or uncovered hours"
        + (
            f"; the {MAX_HEATMAP_WARDS - 1} with the most are drawn, the rest summed"
            if wards_short > MAX_HEATMAP_WARDS
            else ""
        )
        + (
            ". The summed row below the line is not coloured"
            if wards_short > MAX_HEATMAP_WARDS
            else ""
        )
        + ". Rows: most uncovered hours first, then most agency hours. Columns: "
        "each day's shift classes that hold open slots (day, eve = avond, night = "
        "nacht, wknd = weekend, hol = feestdag); grey cells have none."
        + (f" The {weeks} weeks are folded onto weekdays." if folded else "")
    )
    if not grids["uncovered"].hours.any():
        caption += " No slot is uncovered, so only agency hours are drawn."
    return [
        "<h2>Open hours by shift class (avond, nacht, weekend)</h2>",
        _plot(
            fill_by_class_figure(roster),
            "Stacked bars of open hours per ANW class by fill type",
            "How the open hours of each shift class were filled. ANW shifts "
            "(evening, night, weekend, holiday) are the hardest to fill.",
        ),
        "<h2>Where the region is short: agency and uncovered hours per ward</h2>",
        _plot(
            coverage_heatmap_figure(grids, folded),
            "Heatmap of uncovered and agency hours per ward, day and shift class",
            caption
            if wards_short
            else "No ward needs agency staff and nothing is uncovered.",
        ),
        "<h3>Per organisation</h3>",
        _organisation_table(roster, facts),
    ]


def _people_sections(facts: RegionFacts | None, kpis: dict[str, Any]) -> list[str]:
    """Returns the hours-per-person and ANW-burden sections (they need the region)."""
    head_hours = "<h2>Hours per person: contract and wishes (meer uren werken)</h2>"
    head_anw = "<h2>ANW burden by employment type</h2>"
    if facts is None:
        note = (
            '<p class="note">Needs the region file: run '
            "<code>carecap report DIR --region REGION.json</code>.</p>"
        )
        return [head_hours, note, head_anw, note]
    pool, extra = _people_groups(facts)
    per = (
        "per week"
        if facts.weeks == 1
        else f"per week, averaged over {facts.weeks} weeks"
    )
    return [
        head_hours,
        '<p class="lead">Flexpool members are paid for their contract hours whether '
        "they work them or not; employees who want more hours should get them up to "
        f"their wish. Hours are paid hours {per}, base roster plus new shifts; people "
        "by staff id only.</p>",
        _people_table(facts),
        _plot(
            hours_per_person_figure(pool, extra, facts.weeks),
            "Bars of weekly hours per person with contract and desired hours",
            "Grey: hours in the base roster; colour: new shifts from this roster. "
            "Black tick: contract hours; green diamond: desired hours.",
        ),
        _plot(
            hours_gap_figure(pool, extra),
            "Histograms of worked hours against contract and desired hours",
            "Every flexpool member and every employee with new shifts: left of the "
            "black line means fewer hours than the contract (flexpool) or the wish "
            "(meer uren).",
        ),
        head_anw,
        '<p class="lead">Evening, night, weekend and holiday work (ANW diensten) '
        "should be shared fairly. Shares are of each person's worked hours in the "
        "horizon; the Gini coefficient is 0 when everyone has the same share.</p>",
        _anw_table(facts, kpis),
        _plot(
            anw_burden_figure(facts.people, facts.weeks),
            "Box plots of ANW share and bars of mean ANW hours per employment type",
            "Left: the spread of ANW shares (box: middle half of the people; line: "
            "median). Right: mean ANW hours per person, base roster and new shifts.",
        ),
    ]


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def write_report(
    out_dir: Path,
    region_path: Path | None = None,
    whatif: Path | None = None,
    *,
    output: Path | None = None,
) -> Path:
    """Writes the HTML report of a solve output directory and returns its path.

    Parameters
    ----------
    out_dir
        Directory written by ``carecap solve`` (``roster.csv``, ``summary.json``).
    region_path
        The region file. When None, the path recorded in ``summary.json`` is
        used if that file still exists; otherwise the report leaves out the
        sections that need the region (hours per person, ANW burden, costs by
        fill type when the roster has no ``cost_eur`` column).
    whatif
        A what-if comparison table (CSV, or Parquet by extension) with a
        ``scenario`` column and numeric KPI columns; drawn as bar charts.
    output
        Where to write the report (default ``out_dir / "report.html"``).

    Returns
    -------
    Path
        The written report. It is written atomically and is self-contained:
        plots are embedded PNG images, CSS is inline, nothing is fetched.

    Raises
    ------
    InputError
        If a file is missing or unreadable, the roster does not fit the region, or
        roster and summary are not of one run (`check_run_pair`).
    """
    out_dir = Path(out_dir)
    summary = read_summary(out_dir)
    solved = summary.get("status") in ("OPTIMAL", "FEASIBLE")
    if not solved and not (out_dir / ROSTER_NAME).exists():
        # A failed solve writes only its summary; the report still shows why.
        roster = pd.DataFrame(columns=[*REQUIRED_ROSTER_COLUMNS, "date", "start_time"])
        roster["paid_hours"] = roster["paid_hours"].astype(float)
        region_path = None
    else:
        roster = read_roster_table(out_dir)
        check_run_pair(out_dir / ROSTER_NAME, summary, require=True)
    recorded = summary.get("region")
    if region_path is None and recorded and solved:
        candidate = Path(recorded)
        if candidate.is_file():
            region_path = candidate
        else:
            log.warning(
                "region file %s from summary.json not found; leaving out the "
                "sections that need it (pass --region)",
                candidate,
            )
    facts = (
        region_facts(Path(region_path), out_dir / ROSTER_NAME)
        if region_path is not None
        else None
    )
    table = read_whatif_table(Path(whatif)) if whatif is not None else None
    label = Path(recorded).stem if recorded else out_dir.name
    document = render_report(summary, roster, facts, table, region_label=label)
    target = Path(output) if output is not None else out_dir / REPORT_NAME
    write_text_atomic(target, document)
    log.info(
        "wrote a report of %d open slot(s) (%d kB)", len(roster), len(document) // 1024
    )
    return target


__all__ = [
    "REPORT_NAME",
    "CoverageGrid",
    "RegionFacts",
    "coverage_grids",
    "read_roster_table",
    "read_summary",
    "read_whatif_table",
    "region_facts",
    "render_report",
    "write_report",
]

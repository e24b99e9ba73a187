"""What-ifs: the baseline and every scenario solved alike, side by side.

`run_whatif` solves the base region and each scenario (`carecap.scenarios`) with the
same solver settings and seed, and compares each run's KPIs with the baseline's: the
value of every KPI and its delta to the baseline (`KPI_COLUMNS`). The headline is
how much of the extra hours offered actually landed in open (ANW) shifts, and what
that is worth in FTE.

Definitions (hours are paid hours over the whole horizon):

* *gap*: uncovered plus agency hours, the open hours the region's own people (staff
  and flex pool) do not fill. ``gap_fte`` is the gap per week in FTE of
  `FULL_TIME_HOURS` (36 h); ``fte_gain`` is the baseline's gap less the scenario's,
  in FTE: positive when the scenario closes part of the gap.
* *offered extra hours*: the uplift of a scenario's hours changes over the horizon;
  *usable* is the part whole shifts can use, the rest is *rounding loss*.
* *used extra hours*: per uplifted person, the new-shift hours they work beyond what
  they worked in the baseline, at most their offered hours; *used ANW hours* the part
  of those in evening, night, weekend and holiday shifts. ``used_share`` is used
  over offered.
* *pool utilisation*: hours worked by flex-pool members (base roster and new shifts)
  over their contract hours.
* *ANW share per employment type*: mean over the people of the type who worked of
  ANW hours per worked hour (the evaluator's fairness groups).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._arguments import check_region, check_seed
from .compile import CompiledRegion, compile_region
from .csvfile import frame_text
from .domain import Region
from .exceptions import InputError
from .extras import available, install_hint
from .io import write_atomic, write_text_atomic
from .params import SolveParams
from .scenarios import (
    BASELINE,
    FULL_TIME_HOURS,
    AppliedScenario,
    Scenario,
    prepare_scenario,
)

log = logging.getLogger(__name__)

KPI_COLUMNS: dict[str, str] = {
    "open_slots": "open slots to fill",
    "open_hours": "open hours to fill",
    "uncovered_hours": "hours left uncovered",
    "uncovered_anw_hours": "ANW hours left uncovered",
    "agency_hours": "hours booked from agencies",
    "agency_anw_hours": "ANW hours booked from agencies",
    "agency_cost": "agency cost (EUR)",
    "total_cost": "cost of new assignments and agency (EUR)",
    "gap_hours": "uncovered + agency hours",
    "gap_fte": "uncovered + agency hours per week, in FTE of 36 h",
    "offered_extra_hours": "extra hours offered by hours changes",
    "usable_extra_hours": "offered extra hours usable in whole shifts",
    "rounding_loss_hours": "offered extra hours lost to whole-shift rounding",
    "used_extra_hours": "offered extra hours that landed in open shifts",
    "used_extra_anw_hours": "offered extra hours that landed in open ANW shifts",
    "used_share": "used extra hours / offered extra hours",
    "pool_members": "flex-pool members",
    "pool_utilisation": "flex-pool hours worked / contract hours",
    "anw_share_employee": "ANW hours per worked hour, employees",
    "anw_share_flex_pool": "ANW hours per worked hour, flex pool",
    "anw_share_agency": "ANW hours per worked hour, named agency staff",
}
"""Every KPI of a run, with its meaning; each gets a ``<kpi>_delta`` column too."""

CONSOLE_KPIS = (
    "open_hours",
    "uncovered_hours",
    "uncovered_anw_hours",
    "agency_hours",
    "agency_cost",
    "gap_fte",
    "fte_gain",
    "offered_extra_hours",
    "rounding_loss_hours",
    "used_extra_hours",
    "used_extra_anw_hours",
    "used_share",
    "pool_utilisation",
    "anw_share_employee",
    "anw_share_flex_pool",
)
"""KPIs shown in the console table (all are in the files)."""

TIMING_COLUMNS = ("solve_seconds",)
"""Columns that differ between runs of the same input; left out of comparisons."""

_EMPLOYMENT_TYPES = ("employee", "flex_pool", "agency")
_FLEX_POOL_CODE = 1


@dataclass(frozen=True)
class WhatIfResult:
    """The comparison of a baseline and its scenarios.

    Attributes
    ----------
    region
        The base region's name.
    backend
        ``'cpsat'`` or ``'greedy'``.
    seed
        The seed of every solve and of the scenarios' random parts.
    params
        The solver settings shared by every run.
    rows
        One dict per run, the baseline first: scenario, description, status, the
        KPIs and their deltas, ``fte_gain`` and ``solve_seconds``.
    applied
        The applied scenarios, with their change reports.
    """

    region: str
    backend: str
    seed: int
    params: SolveParams
    rows: tuple[dict[str, Any], ...]
    applied: tuple[AppliedScenario, ...]

    @property
    def quick(self) -> bool:
        """Returns whether the greedy filler (quick screening) solved the runs."""
        return self.backend == "greedy"

    def to_frame(self) -> pd.DataFrame:
        """Returns one row per run (baseline first)."""
        return pd.DataFrame(list(self.rows), columns=result_columns())

    def to_document(self) -> dict[str, Any]:
        """Returns a JSON-ready document: settings, definitions, changes and rows."""
        return {
            "region": self.region,
            "backend": self.backend,
            "quick": self.quick,
            "quick_note": QUICK_NOTE if self.quick else None,
            "seed": self.seed,
            "params": self.params.as_dict(),
            "fte_hours_per_week": FULL_TIME_HOURS,
            "kpis": KPI_COLUMNS,
            "scenarios": [
                {
                    "name": applied.name,
                    "changes": [
                        {
                            "index": report.index,
                            "kind": report.kind,
                            "summary": report.summary,
                            "uplift": (
                                dataclasses.asdict(report.uplift)
                                if report.uplift
                                else None
                            ),
                        }
                        for report in applied.changes
                    ],
                    "solve_overrides": {
                        k: list(v) if isinstance(v, tuple) else v
                        for k, v in applied.solve_overrides.items()
                    },
                    "notes": list(applied.notes),
                }
                for applied in self.applied
            ],
            "rows": [dict(row) for row in self.rows],
        }


QUICK_NOTE = (
    "quick screening: solved with the greedy filler, not CP-SAT; figures are an "
    "upper bound on what stays open, and scenario rules the filler cannot follow "
    "(the ANW policy) are not enforced"
)
"""What ``--quick`` output says about itself."""


def result_columns() -> list[str]:
    """Returns the columns of a what-if table, in order."""
    columns = ["scenario", "description", "backend", "quick", "seed", "status"]
    for kpi in KPI_COLUMNS:
        columns += [kpi, f"{kpi}_delta"]
    return [*columns, "fte_gain", *TIMING_COLUMNS]


def run_kpis(compiled: CompiledRegion, result: Any) -> dict[str, Any]:
    """Returns the absolute KPIs of one solve (the what-if's per-run columns).

    Parameters
    ----------
    compiled
        The compiled region that was solved.
    result
        Its `carecap.solve.Result`.

    Returns
    -------
    dict
        The `KPI_COLUMNS` that do not depend on a baseline (the extra-hours ones
        are filled in by `run_whatif`).
    """
    arrays = compiled.arrays
    evaluation = result.evaluation
    summary = evaluation.summary()
    weeks = arrays.num_weeks
    slot_minutes = arrays.shift_paid[arrays.slot_shift]
    pool = arrays.staff_employment == _FLEX_POOL_CODE
    pool_contract = float(arrays.staff_contract_minutes[pool].sum()) * weeks
    pool_worked = float(evaluation.staff_horizon_minutes[pool].sum())
    gap = summary["uncovered_hours"] + summary["agency_hours"]
    kpis: dict[str, Any] = {
        "open_slots": int(slot_minutes.shape[0]),
        "open_hours": float(slot_minutes.sum()) / 60,
        "uncovered_hours": summary["uncovered_hours"],
        "uncovered_anw_hours": summary["uncovered_anw_hours"],
        "agency_hours": summary["agency_hours"],
        "agency_anw_hours": summary["agency_anw_hours"],
        "agency_cost": summary["agency_cost"],
        "total_cost": summary["total_cost"],
        "gap_hours": gap,
        "gap_fte": gap / weeks / FULL_TIME_HOURS,
        "pool_members": int(pool.sum()),
        "pool_utilisation": pool_worked / pool_contract if pool_contract else None,
    }
    for group, name in enumerate(_EMPLOYMENT_TYPES):
        value = float(evaluation.fairness_mean[group])
        kpis[f"anw_share_{name}"] = value if math.isfinite(value) else None
    return kpis


def new_minutes_by_staff(
    compiled: CompiledRegion, slot_assignee: np.ndarray
) -> dict[str, tuple[int, int]]:
    """Returns, per person with new shifts, (new paid minutes, of which ANW)."""
    arrays = compiled.arrays
    filled = slot_assignee >= 0
    people = slot_assignee[filled]
    shifts = arrays.slot_shift[filled]
    paid = arrays.shift_paid[shifts].astype(np.int64)
    anw = np.where(arrays.shift_anw[shifts] != 0, paid, 0)
    num_staff = len(compiled.staff_ids)
    total = np.bincount(people, weights=paid, minlength=num_staff)
    anw_total = np.bincount(people, weights=anw, minlength=num_staff)
    return {
        compiled.staff_ids[k]: (int(total[k]), int(anw_total[k]))
        for k in np.flatnonzero(total).tolist()
    }


def used_extra_minutes(
    applied: AppliedScenario,
    weeks: int,
    baseline_new: dict[str, tuple[int, int]],
    scenario_new: dict[str, tuple[int, int]],
) -> tuple[int, int]:
    """Returns the offered extra minutes that landed in open shifts, and in ANW ones.

    Per uplifted person: new minutes beyond their baseline new minutes, clipped to
    0..offered (weekly offer x weeks); the ANW part likewise, within that.
    """
    used = used_anw = 0
    for staff_id, weekly in applied.offered_minutes.items():
        offered = weekly * weeks
        before, before_anw = baseline_new.get(staff_id, (0, 0))
        after, after_anw = scenario_new.get(staff_id, (0, 0))
        landed = min(max(after - before, 0), offered)
        used += landed
        used_anw += min(max(after_anw - before_anw, 0), landed)
    return used, used_anw


def run_whatif(
    region: Region,
    scenarios: Sequence[Scenario],
    params: SolveParams | None = None,
    *,
    seed: int,
    backend: Literal["cpsat", "greedy"] = "cpsat",
    source: str = "<scenarios>",
) -> WhatIfResult:
    """Solves the baseline and each scenario alike and compares them.

    Parameters
    ----------
    region
        The base region (not modified).
    scenarios
        The scenarios, in the order of the table.
    params
        Solver settings shared by every run (`SolveParams()` when omitted); a
        scenario may override the level order (the ANW policy).
    seed
        Seed of every solve and of the scenarios' random parts.
    backend
        ``'cpsat'``, or ``'greedy'`` for quick screening.
    source
        The scenario file, for error messages.

    Returns
    -------
    WhatIfResult
        The table and the applied scenarios.

    Raises
    ------
    InputError
        When a scenario cannot be applied to the region.
    """
    from .solve import solve

    check_region(region)
    check_seed(seed)
    if isinstance(scenarios, str) or not isinstance(scenarios, Sequence):
        raise TypeError(
            "scenarios must be a list of Scenario, got "
            f"{type(scenarios).__name__}; read a file with "
            "carecap.scenarios.read_scenarios(path).scenarios"
        )
    params = SolveParams() if params is None else params
    applied = [prepare_scenario(region, s, seed, source) for s in scenarios]
    runs: list[tuple[str, str, dict[str, Any]]] = []

    def one_run(
        name: str, description: str, target: Region, run_params: SolveParams
    ) -> tuple[CompiledRegion, Any, dict[str, Any]]:
        started = time.perf_counter()
        compiled = compile_region(target)
        result = solve(compiled, run_params, seed=seed, backend=backend)
        kpis = run_kpis(compiled, result)
        kpis["status"] = result.status.value
        kpis["solve_seconds"] = time.perf_counter() - started
        runs.append((name, description, kpis))
        return compiled, result, kpis

    base_compiled, base_result, _ = one_run(BASELINE, "", region, params)
    baseline_new = new_minutes_by_staff(base_compiled, base_result.slot_assignee)
    weeks = region.horizon.weeks
    extra: dict[str, dict[str, Any]] = {BASELINE: _extra_columns(None, 0, 0)}
    for scenario, scenario_applied in zip(scenarios, applied, strict=True):
        run_params = params
        if backend == "cpsat" and scenario_applied.solve_overrides:
            run_params = _with_overrides(params, scenario_applied, source)
        compiled, result, _ = one_run(
            scenario.name, scenario.description, scenario_applied.region, run_params
        )
        scenario_new = new_minutes_by_staff(compiled, result.slot_assignee)
        used, used_anw = used_extra_minutes(
            scenario_applied, weeks, baseline_new, scenario_new
        )
        extra[scenario.name] = _extra_columns(scenario_applied, used, used_anw)

    baseline = {**runs[0][2], **extra[BASELINE]}
    rows = []
    for name, description, kpis in runs:
        values = {**kpis, **extra[name]}
        row: dict[str, Any] = {
            "scenario": name,
            "description": description,
            "backend": backend,
            "quick": backend == "greedy",
            "seed": seed,
            "status": values["status"],
        }
        for kpi in KPI_COLUMNS:
            row[kpi] = values[kpi]
            row[f"{kpi}_delta"] = _delta(values[kpi], baseline[kpi])
        row["fte_gain"] = baseline["gap_fte"] - values["gap_fte"]
        row["solve_seconds"] = values["solve_seconds"]
        rows.append(row)
    return WhatIfResult(
        region=region.name,
        backend=backend,
        seed=seed,
        params=params,
        rows=tuple(rows),
        applied=tuple(applied),
    )


def _extra_columns(
    applied: AppliedScenario | None, used_minutes: int, used_anw_minutes: int
) -> dict[str, Any]:
    offered = applied.offered_hours if applied else 0.0
    return {
        "offered_extra_hours": offered,
        "usable_extra_hours": applied.usable_hours if applied else 0.0,
        "rounding_loss_hours": applied.rounding_loss_hours if applied else 0.0,
        "used_extra_hours": used_minutes / 60,
        "used_extra_anw_hours": used_anw_minutes / 60,
        "used_share": used_minutes / 60 / offered if offered > 0 else None,
    }


def _with_overrides(
    params: SolveParams, applied: AppliedScenario, source: str
) -> SolveParams:
    try:
        return dataclasses.replace(params, **applied.solve_overrides)
    except (TypeError, ValueError) as error:
        raise InputError(
            source,
            [
                f"scenarios (name {applied.name!r}): this solver cannot take the "
                f"scenario's settings {sorted(applied.solve_overrides)}: {error}"
            ],
        ) from None


def _delta(value: Any, base: Any) -> float | None:
    if value is None or base is None:
        return None
    return float(value) - float(base)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def write_parquet_atomic(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Writes a frame as Parquet so that readers see the old file or the new one.

    Through `carecap.io.write_atomic`.
    """
    write_atomic(path, lambda handle: frame.to_parquet(handle, index=False))


def write_table(frame: pd.DataFrame, directory: Path, stem: str) -> list[Path]:
    """Writes ``stem.csv`` and, with pyarrow installed, ``stem.parquet`` atomically;
    returns the paths written.

    Without pyarrow (``carecap[parquet]``) only the CSV is written and a warning says
    how to get the Parquet copy: the CSV holds the same table.
    """
    csv_path = directory / f"{stem}.csv"
    write_text_atomic(csv_path, frame_text(frame))
    if not available("pyarrow"):
        log.warning(
            "%s.parquet not written: it needs pyarrow (%s)",
            stem,
            install_hint("pyarrow"),
        )
        return [csv_path]
    parquet_path = directory / f"{stem}.parquet"
    write_parquet_atomic(frame, parquet_path)
    return [csv_path, parquet_path]


def console_table(result: WhatIfResult) -> str:
    """Returns the comparison as text: one line per KPI, one column per run.

    Each scenario cell shows the value and, in brackets, the delta to the baseline.
    """
    names = [row["scenario"] for row in result.rows]
    lines = []
    cells: list[list[str]] = [["kpi", *names]]
    for kpi in CONSOLE_KPIS:
        line = [kpi]
        for row in result.rows:
            value = row[kpi]
            text = _number(value)
            delta = row.get(f"{kpi}_delta")
            if row["scenario"] != BASELINE and delta is not None and kpi != "fte_gain":
                text += f" ({_number(delta, signed=True)})"
            line.append(text)
        cells.append(line)
    cells.append(["status", *[row["status"] for row in result.rows]])
    widths = [max(len(line[k]) for line in cells) for k in range(len(cells[0]))]
    for line in cells:
        lines.append(
            "  "
            + line[0].ljust(widths[0])
            + "".join(
                "  " + cell.rjust(widths[k + 1]) for k, cell in enumerate(line[1:])
            )
        )
    return "\n".join(lines)


def _number(value: Any, signed: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return f"{value:+d}" if signed else f"{value:d}"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


__all__ = [
    "CONSOLE_KPIS",
    "KPI_COLUMNS",
    "QUICK_NOTE",
    "TIMING_COLUMNS",
    "WhatIfResult",
    "console_table",
    "new_minutes_by_staff",
    "result_columns",
    "run_kpis",
    "run_whatif",
    "used_extra_minutes",
    "write_parquet_atomic",
    "write_table",
]

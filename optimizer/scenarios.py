"""What-if scenarios: named lists of changes applied to a copy of a region.

A scenario file (YAML or JSON) holds named scenarios; each is a list of changes,
applied in order to a *copy* of a base region, which is never modified. Every change
goes through `Region.replace`, so the result is validated again (pydantic's
``model_copy(update=...)`` would not). The change kinds (issue 5):

``contract_uplift``
    More hours for a group of own employees: ``everyone``, ``wants_more`` (desired
    above contract), or ``conditional`` (those who would work more under conditions,
    `shared/domain.md` §7.6). ``hours`` per week, or for ``wants_more``
    ``up_to_desired`` (the size of each person's own wish), or for ``conditional``
    each person's ``conditional_extra_hours`` when ``hours`` is left out. A person's
    new weekly wish never passes ``cap_hours`` (default 36, a full-time week).
``minimum_contract``
    Every own employee below ``hours`` per week is raised to it (within ``cap_hours``).
``flex_pool``
    ``add`` members (negative removes), ``percent`` of the pool, or ``per_level``
    (e.g. ``{N3: 2, N4: -1}``). New members are copies of existing ones (the way
    `carecap.simulate.resize_flex_pool` grows a pool); removals are a seeded subset.
``absence``
    Replaces the sickness list by one sampled horizon at an absence ``rate`` (a share,
    ``sector`` or ``national``), drawn with the Monte-Carlo sampler
    (`carecap.kernels.sickness.sample_sick_days`) and the scenario seed (or ``seed``).
``agency``
    Caps agency hours at ``max_share`` of the open hours (0: no agency at all) by
    cutting the agency supply.
``induction``
    Each flex-pool member is inducted at every location of the ``organisations`` more
    organisations nearest to their home.
``travel``
    Scales (``factor``) or extends (``add_km``) the travel limit of a group.
``anw_policy``
    Equal ANW burden between employment types as a hard rule of the solver, within
    ``tolerance_hours`` (`AppliedScenario.solve_overrides`).

How an uplift is modelled. The base roster was built for today's contracts, so the
hours of an uplift are hours the person now *offers* for open shifts: their desired
hours go up by the uplift, their contract hours stay. (A bigger contract with the
same base roster would look like contract hours left unrostered, which the solver
does not offer for open shifts.) The uplift is stacked on today's wish: someone who
already wants 4 h more and gets "+4 h" may now take up to 8 h more, and their weekly
maximum moves up with it. Someone who wanted no more before becomes a candidate with
the new wish as weekly maximum (never below their heaviest base-roster week), so
"+1 h for everyone" does not open the CAO headroom above it. The new wish is also
the consent cap (CONSENT, `shared/domain.md` H16): a week with a new shift holds at
most the desired hours plus the region's ``hours_above_desired``. Hours become shifts
only in whole shifts and only week by week: `UpliftReport` gives for each change the
offered hours over the horizon, the part whole shifts can use (per person and ATW
week, the largest mix of the region's shift lengths within that week's headroom to
the cap, less what the headroom before the uplift already allowed), and the rest,
lost to rounding.
"""

from __future__ import annotations

import json
import math
import types
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .domain import Employment, Level, Region, Sector, SicknessEpisode, Staff
from .exceptions import InputError
from .io import NESTED_TOO_DEEPLY, format_validation_error, read_input_text

SCENARIO_FORMAT_VERSION = "1.0"
"""Version of the scenario file format."""

BASELINE = "baseline"
"""Name of the unchanged region in every comparison; no scenario may take it."""

FULL_TIME_HOURS = 36.0
"""Full-time week (VVT and hospital CAO, `shared/domain.md` §0): the default cap of an
uplift, and the hours of one FTE in the what-if tables."""

ScenarioName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s/\\][^/\\]*$"),
]
"""Scenario name: 1 to 64 characters, no slashes, not starting with a space."""

WeeklyHours = Annotated[float, Field(ge=0, le=60)]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ContractUplift(_Change):
    """More hours offered by a group of own employees (see the module docstring).

    Attributes
    ----------
    group
        ``everyone`` (every own employee), ``wants_more`` (desired above contract)
        or ``conditional`` (``conditional_extra_hours`` above 0).
    hours
        Extra hours per week per person. Required for ``everyone``; for
        ``wants_more`` give it or ``up_to_desired``; for ``conditional`` leaving it
        out uses each person's own ``conditional_extra_hours``.
    up_to_desired
        ``wants_more`` only: each person gets as many hours as they asked for
        (desired less contract) instead of a flat ``hours``.
    cap_hours
        A person's new weekly wish never passes this (never lowered below today's).
    """

    kind: Literal["contract_uplift"]
    group: Literal["everyone", "wants_more", "conditional"]
    hours: WeeklyHours | None = None
    up_to_desired: bool = False
    cap_hours: float = Field(default=FULL_TIME_HOURS, gt=0, le=60)

    @model_validator(mode="after")
    def _one_size(self) -> ContractUplift:
        if self.up_to_desired and self.group != "wants_more":
            raise ValueError("up_to_desired applies to group 'wants_more' only")
        if self.up_to_desired and self.hours is not None:
            raise ValueError("give hours or up_to_desired, not both")
        if self.group == "everyone" and self.hours is None:
            raise ValueError("hours is required for group 'everyone'")
        if self.group == "wants_more" and self.hours is None and not self.up_to_desired:
            raise ValueError("give hours or up_to_desired: true for group 'wants_more'")
        return self


class MinimumContract(_Change):
    """Own employees below ``hours`` per week are raised to it, within ``cap_hours``."""

    kind: Literal["minimum_contract"]
    hours: float = Field(gt=0, le=60)
    cap_hours: float = Field(default=FULL_TIME_HOURS, gt=0, le=60)


class FlexPoolChange(_Change):
    """A bigger or smaller regional flex pool; exactly one of the three sizes.

    Attributes
    ----------
    add
        Members to add (negative: to remove), any level.
    percent
        Change as a percentage of today's pool, rounded to whole people but at
        least one (+10: 10 % more).
    per_level
        Members to add (or remove) per qualification level.
    """

    kind: Literal["flex_pool"]
    add: int | None = Field(default=None, ge=-10_000, le=10_000)
    percent: float | None = Field(default=None, ge=-100, le=1_000)
    per_level: dict[Level, Annotated[int, Field(ge=-10_000, le=10_000)]] | None = None

    @model_validator(mode="after")
    def _one_size(self) -> FlexPoolChange:
        given = [
            name
            for name in ("add", "percent", "per_level")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of add, percent, per_level"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class AbsenceChange(_Change):
    """One sampled horizon of sickness at an absence rate replaces the sickness list.

    Attributes
    ----------
    rate
        Share of days sick: a number, ``sector`` (`SECTOR_ABSENCE_RATE`) or
        ``national`` (5.7 %), or a rate per sector.
    seed
        Seed of the draw; the scenario seed when left out.
    """

    kind: Literal["absence"]
    rate: (
        Annotated[float, Field(ge=0, lt=1)]
        | Literal["sector", "national"]
        | dict[Sector, Annotated[float, Field(ge=0, lt=1)]]
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class AgencyPolicy(_Change):
    """Agency hours capped at a share of the open hours; 0 means no agency at all.

    The cap is met by cutting the agency supply to ``max_share`` x open hours /
    the longest open shift, so the cap holds whichever shifts are booked.
    """

    kind: Literal["agency"]
    max_share: float = Field(ge=0, le=1)


class InductionChange(_Change):
    """Flex-pool members inducted at ``organisations`` more organisations each.

    The organisations nearest to the member's home (by their nearest location) are
    taken first; every location of a chosen organisation is added.
    """

    kind: Literal["induction"]
    organisations: int = Field(ge=1, le=1_000)


class TravelChange(_Change):
    """A longer or shorter travel limit; exactly one of ``factor`` and ``add_km``.

    People without a limit keep none.
    """

    kind: Literal["travel"]
    group: Literal["everyone", "flex_pool", "employees"] = "everyone"
    factor: float | None = Field(default=None, gt=0, le=10)
    add_km: float | None = Field(default=None, ge=-500, le=500)

    @model_validator(mode="after")
    def _one_size(self) -> TravelChange:
        if (self.factor is None) == (self.add_km is None):
            raise ValueError("give exactly one of factor, add_km")
        return self


class AnwPolicy(_Change):
    """Equal ANW burden between employment types, as a hard rule.

    The CP-SAT solver keeps the mean ANW excess of new work per candidate (ANW hours
    minus the region's ANW share of the hours) of flex-pool members and of employees
    working extra hours within ``tolerance_hours`` of each other
    (`SolveParams.anw_balance_hours`). The greedy filler has no such rule; a quick
    run says so.
    """

    kind: Literal["anw_policy"]
    equal_burden_between_employment_types: Literal[True] = True
    tolerance_hours: float = Field(default=2.0, ge=0, le=168)


Change = Annotated[
    ContractUplift
    | MinimumContract
    | FlexPoolChange
    | AbsenceChange
    | AgencyPolicy
    | InductionChange
    | TravelChange
    | AnwPolicy,
    Field(discriminator="kind"),
]
"""One change of a scenario, told apart by ``kind``."""


class Scenario(BaseModel):
    """A named list of changes to a base region.

    Attributes
    ----------
    name
        Unique in the file; ``baseline`` is reserved for the unchanged region.
    description
        Free text for tables and reports.
    changes
        Applied in order, each to the result of the one before.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: ScenarioName
    description: str = ""
    changes: tuple[Change, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_baseline(self) -> Scenario:
        if self.name == BASELINE:
            raise ValueError(f"the name {BASELINE!r} is reserved for the base region")
        return self


class ScenarioFile(BaseModel):
    """A scenario file: a format version and at least one scenario."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    format_version: Literal["1.0"] = SCENARIO_FORMAT_VERSION
    scenarios: tuple[Scenario, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> ScenarioFile:
        seen: set[str] = set()
        for scenario in self.scenarios:
            if scenario.name in seen:
                raise ValueError(f"duplicate scenario name {scenario.name!r}")
            seen.add(scenario.name)
        return self


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def load_structured_text(text: str, source: str) -> Any:
    """Parses YAML or JSON text (JSON is YAML, but JSON gets JSON's error messages).

    Raises
    ------
    InputError
        When the text is empty or parses as neither, with line and column.
    """
    import yaml

    if not text.strip():
        raise InputError(source, ["the file is empty"])
    if source.lower().endswith(".json"):
        try:
            return json.loads(text)
        except RecursionError:
            raise InputError(source, [NESTED_TOO_DEEPLY]) from None
        except json.JSONDecodeError as error:
            raise InputError(
                source,
                [
                    f"not valid JSON at line {error.lineno}, column {error.colno}: "
                    f"{error.msg}"
                ],
            ) from None
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise InputError(source, [NESTED_TOO_DEEPLY]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = (
            f" at line {mark.line + 1}, column {mark.column + 1}"
            if mark is not None
            else ""
        )
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(source, [f"not valid YAML{where}: {problem}"]) from None


def read_text_file(path: str | Path, what: str) -> str:
    """Returns a UTF-8 text file's content; `InputError` when it cannot be read.

    Only regular files within the input size limit are read
    (`carecap.io.read_input_text`).
    """
    return read_input_text(path, what)


def parse_scenarios(text: str, source: str = "<scenarios>") -> ScenarioFile:
    """Parses and validates scenario text (YAML or JSON); see `read_scenarios`."""
    raw = load_structured_text(text, source)
    if not isinstance(raw, dict):
        raise InputError(
            source,
            [f"expected a mapping with 'scenarios' at the top, found {_kind(raw)}"],
        )
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as error:
        raise InputError(source, format_validation_error(error, raw)) from None


def read_scenarios(path: str | Path) -> ScenarioFile:
    """Reads and validates a scenario file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` or ``.json`` file.

    Returns
    -------
    ScenarioFile
        The validated scenarios.

    Raises
    ------
    InputError
        If the file cannot be read or parsed, or a scenario is invalid; every line
        names the file, the scenario, the change and the field.
    """
    return parse_scenarios(read_text_file(path, "scenario file"), str(path))


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


# ---------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UpliftReport:
    """What an hours change offers, over the whole horizon.

    Attributes
    ----------
    people
        People whose offered hours went up.
    offered_hours
        Extra hours offered over the horizon (weekly uplift x weeks).
    usable_hours
        The part whole shifts can use: per person and ATW week, the largest sum of
        the region's shift lengths within the week's headroom to the consent cap
        (desired hours plus the allowance, at most the weekly maximum, after the
        worked base roster), less what the headroom allowed before the change.
    rounding_loss_hours
        ``offered_hours - usable_hours``: lost to whole shifts, to weeks whose base
        roster leaves no room, or to the weekly maximum.
    capped_people
        People whose uplift was cut by ``cap_hours``.
    """

    people: int
    offered_hours: float
    usable_hours: float
    rounding_loss_hours: float
    capped_people: int


@dataclass(frozen=True)
class ChangeReport:
    """What one change did, in numbers (no personal data)."""

    index: int
    kind: str
    summary: str
    uplift: UpliftReport | None = None


@dataclass(frozen=True)
class AppliedScenario:
    """A scenario applied to a base region.

    Attributes
    ----------
    name
        The scenario's name.
    region
        The changed copy (validated); the base region is untouched.
    changes
        One report per change, in order.
    offered_minutes
        Extra paid minutes per week offered, by staff id (uplifted people only).
    solve_overrides
        `SolveParams` fields the scenario sets (the ANW policy's level order).
    notes
        Caveats for the reader (e.g. a rule the greedy filler cannot enforce).
    """

    name: str
    region: Region
    changes: tuple[ChangeReport, ...]
    offered_minutes: dict[str, int] = field(default_factory=dict)
    solve_overrides: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def offered_hours(self) -> float:
        """Returns the extra hours offered over the horizon, all changes together."""
        return sum((c.uplift.offered_hours for c in self.changes if c.uplift), 0.0)

    @property
    def usable_hours(self) -> float:
        """Returns the offered hours that whole shifts can use."""
        return sum((c.uplift.usable_hours for c in self.changes if c.uplift), 0.0)

    @property
    def rounding_loss_hours(self) -> float:
        """Returns the offered hours lost to whole-shift rounding."""
        return sum(
            (c.uplift.rounding_loss_hours for c in self.changes if c.uplift), 0.0
        )


class _ScenarioError(ValueError):
    """A change that cannot be applied to this region; names the field."""

    def __init__(self, field_name: str, message: str):
        self.field_name = field_name
        super().__init__(message)


def apply_scenario(region: Region, scenario: Scenario, seed: int) -> Region:
    """Returns a validated copy of ``region`` with the scenario's changes applied.

    See `prepare_scenario` for the reports that come with it.
    """
    return prepare_scenario(region, scenario, seed).region


def prepare_scenario(
    region: Region, scenario: Scenario, seed: int, source: str = "<scenarios>"
) -> AppliedScenario:
    """Applies a scenario to a copy of a region and reports what each change did.

    Parameters
    ----------
    region
        The base region; never modified (it is frozen, and every change builds a new
        validated region with `Region.replace`).
    scenario
        The scenario.
    seed
        Seed of the random parts (new pool members, removals, sampled sickness).
    source
        The scenario file, for error messages.

    Returns
    -------
    AppliedScenario
        The changed region, one report per change and the solver overrides.

    Raises
    ------
    InputError
        When a change cannot be applied to this region (e.g. growing a pool the
        region does not have); the line names the file, scenario, change and field.
    """
    current = region
    reports: list[ChangeReport] = []
    offered: dict[str, int] = defaultdict(int)
    overrides: dict[str, Any] = {}
    notes: list[str] = []
    for index, change in enumerate(scenario.changes):
        # Each change has its own stream: adding a change leaves the others' draws.
        rng = np.random.default_rng([seed, index, 7_919])
        try:
            current, report = _APPLIERS[change.kind](
                current, change, rng, seed, index, offered, overrides, notes
            )
        except _ScenarioError as error:
            raise InputError(
                source,
                [
                    f"scenarios (name {scenario.name!r}).changes[{index}] "
                    f"(kind {change.kind!r}).{error.field_name}: {error}"
                ],
            ) from None
        except ValueError as error:
            # A change that leaves an invalid region: report the region's problems.
            lines = (
                format_validation_error(error, None)
                if isinstance(error, ValidationError)
                else str(error).splitlines()
            )
            raise InputError(
                source,
                [
                    f"scenarios (name {scenario.name!r}).changes[{index}] "
                    f"(kind {change.kind!r}): the changed region is invalid: {line}"
                    for line in lines
                ],
            ) from None
        reports.append(report)
    return AppliedScenario(
        name=scenario.name,
        region=current,
        changes=tuple(reports),
        offered_minutes=dict(offered),
        solve_overrides=overrides,
        notes=tuple(notes),
    )


def _apply_uplift(
    region: Region,
    change: ContractUplift | MinimumContract,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    weeks = region.horizon.weeks
    legal_week = region.rules.max_week_hours
    fixed_week = _fixed_week_hours(region)
    worked = _worked_week_minutes(region)
    lengths = _shift_lengths(region)
    staff: list[Staff] = []
    people = capped = 0
    offered_minutes = usable_minutes = 0
    for person in region.staff:
        wanted = _requested_uplift(person, change)
        if wanted <= 0:
            staff.append(person)
            continue
        ceiling = max(change.cap_hours, person.desired_hours)
        desired = min(person.desired_hours + wanted, ceiling)
        uplift = desired - person.desired_hours
        capped += uplift < wanted
        if uplift <= 0:
            staff.append(person)
            continue
        if person.wants_more_hours:
            # Already a candidate: the whole band (wish and headroom) moves up.
            max_hours = max(
                desired, min(person.max_hours + uplift, max(legal_week, desired))
            )
        else:
            # A new candidate offers the uplift, not the CAO headroom above it: the
            # new wish is the weekly maximum (never below the base roster's weeks).
            max_hours = min(
                person.max_hours + uplift,
                max(desired, fixed_week.get(person.id, 0.0)),
            )
        update: dict[str, Any] = {"desired_hours": desired, "max_hours": max_hours}
        if isinstance(change, ContractUplift) and change.group == "conditional":
            # Switched on: what is offered now is no longer conditional.
            update["conditional_extra_hours"] = max(
                0.0, person.conditional_extra_hours - uplift
            )
        uplifted = person.model_copy(update=update)
        staff.append(uplifted)
        people += 1
        minutes = round(uplift * 60)
        offered[person.id] += minutes
        offered_minutes += minutes * weeks
        usable_minutes += _unlocked_minutes(
            region,
            person,
            uplifted,
            [worked[(person.id, w)] for w in range(weeks)],
            lengths,
        )
    changed = region.replace(staff=tuple(staff)) if people else region
    report = UpliftReport(
        people=people,
        offered_hours=offered_minutes / 60,
        usable_hours=usable_minutes / 60,
        rounding_loss_hours=(offered_minutes - usable_minutes) / 60,
        capped_people=int(capped),
    )
    what = (
        f"minimum contract {change.hours:g} h"
        if isinstance(change, MinimumContract)
        else f"{change.group} "
        + (
            "up to desired"
            if change.up_to_desired
            else (f"+{change.hours:g} h" if change.hours is not None else "own hours")
        )
    )
    summary = (
        f"{what}: {people} people offer {report.offered_hours:g} h over the horizon, "
        f"{report.rounding_loss_hours:g} h of it lost to whole-shift rounding"
        + (f"; {capped} capped at {change.cap_hours:g} h/week" if capped else "")
    )
    return changed, ChangeReport(index, change.kind, summary, report)


def _unlocked_minutes(
    region: Region,
    before: Staff,
    after: Staff,
    worked: list[int],
    lengths: Sequence[int],
) -> int:
    """Returns the paid minutes of new shifts an uplift makes room for, week by week.

    New shifts fill a week only up to the hours the person offers (CONSENT: desired
    hours plus the region's allowance) and their weekly maximum, after the worked
    base roster of that week. Per ATW week, the usable minutes are the largest sum of
    whole shifts within that headroom; the uplift unlocks the difference between the
    headroom after and before it (before: none for someone who offered nothing), at
    most the uplift itself.
    """

    def headroom(person: Staff, week_minutes: int) -> int:
        if not person.offers_extra_shifts:
            return 0
        cap = min(
            person.desired_hours + region.rules.hours_above_desired,
            person.max_hours,
            region.rules.max_week_hours,
        )
        return max(0, round(cap * 60) - week_minutes)

    rooms = [headroom(p, m) for m in worked for p in (before, after)]
    usable = usable_shift_minutes(rooms, lengths)
    uplift = round((after.desired_hours - before.desired_hours) * 60)
    # A week's room can grow by more than the uplift (a new candidate whose base
    # roster leaves contract hours unused); only the uplift itself is counted.
    return sum(
        min(uplift, grown - had)
        for had, grown in zip(usable[0::2], usable[1::2], strict=True)
    )


def _worked_week_minutes(region: Region) -> dict[tuple[str, int], int]:
    """Returns the paid minutes of each person's worked base roster per ATW week."""
    classes = region.shift_classes
    weekly: dict[tuple[str, int], int] = defaultdict(int)
    for assignment in region.worked_roster:
        shift = region.shift_by_id[assignment.shift]
        week = (shift.date - region.horizon.start).days // 7
        weekly[(assignment.staff, week)] += classes[shift.id].paid_minutes
    return weekly


def _fixed_week_hours(region: Region) -> dict[str, float]:
    """Returns each person's most paid hours of base-roster shifts in one ATW week."""
    classes = region.shift_classes
    weekly: dict[tuple[str, int], int] = defaultdict(int)
    for assignment in region.base_roster:
        shift = region.shift_by_id[assignment.shift]
        week = (shift.date - region.horizon.start).days // 7
        weekly[(assignment.staff, week)] += classes[shift.id].paid_minutes
    most: dict[str, float] = {}
    for (staff_id, _), minutes in weekly.items():
        most[staff_id] = max(most.get(staff_id, 0.0), minutes / 60)
    return most


def _requested_uplift(person: Staff, change: ContractUplift | MinimumContract) -> float:
    """Returns the weekly hours a change asks of a person (0 when not in its group)."""
    if person.employment is not Employment.EMPLOYEE:
        return 0.0
    if isinstance(change, MinimumContract):
        return max(0.0, change.hours - person.contract_hours)
    if change.group == "everyone":
        return float(change.hours or 0.0)
    if change.group == "wants_more":
        if not person.wants_more_hours:
            return 0.0
        if change.up_to_desired:
            return person.desired_hours - person.contract_hours
        return float(change.hours or 0.0)
    if person.conditional_extra_hours <= 0:
        return 0.0
    return (
        float(change.hours)
        if change.hours is not None
        else person.conditional_extra_hours
    )


def _shift_lengths(region: Region) -> tuple[int, ...]:
    """Returns the distinct paid minutes of the region's shifts."""
    return tuple(sorted({cls.paid_minutes for cls in region.shift_classes.values()}))


def usable_shift_minutes(offered: Sequence[int], lengths: Sequence[int]) -> list[int]:
    """Returns, per offered total, the largest sum of whole shifts that fits in it.

    Parameters
    ----------
    offered
        Offered paid minutes (>= 0), e.g. one person's uplift over the horizon.
    lengths
        Paid minutes of the shifts that may be combined, each any number of times.
    """
    if not offered:
        return []
    reachable = whole_shift_sums(lengths, max(offered))
    totals = np.arange(reachable.shape[0])
    best_below = np.maximum.accumulate(np.where(reachable, totals, 0))
    return [int(best_below[minutes]) for minutes in offered]


def whole_shift_sums(lengths: Sequence[int], limit: int) -> np.ndarray:
    """Returns bool (limit + 1,): which minute totals whole shifts can make.

    Unbounded knapsack over the shift lengths; entry 0 (no shift) is always True.
    """
    reachable = np.zeros(max(limit, 0) + 1, dtype=bool)
    reachable[0] = True
    for length in lengths:
        if length <= 0:
            continue
        # Doubling the number of copies of this length each round: log(limit) rounds.
        step = length
        while step <= limit:
            reachable[step:] |= reachable[:-step].copy()
            step *= 2
    return reachable


def _apply_flex_pool(
    region: Region,
    change: FlexPoolChange,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    from .simulate import resize_flex_pool

    pool = [p for p in region.staff if p.employment is Employment.FLEX_POOL]
    if change.per_level is None:
        if change.add is not None:
            delta, name = change.add, "add"
        else:
            percent = change.percent or 0.0
            delta = round(len(pool) * percent / 100)
            if delta == 0 and percent != 0 and pool:
                # A change asked for must change something: one person at least.
                delta = 1 if percent > 0 else -1
            name = "percent"
        size = len(pool) + delta
        if size < 0:
            raise _ScenarioError(
                name, f"removes {-delta} members from a pool of {len(pool)}"
            )
        if delta > 0 and not pool:
            raise _ScenarioError(
                name, "the region has no flex-pool members to model new ones on"
            )
        changed = resize_flex_pool(region, size, seed + index)
        summary = f"flex pool {len(pool)} -> {size} ({delta:+d})"
        return changed, ChangeReport(index, change.kind, summary)

    others = [p for p in region.staff if p.employment is not Employment.FLEX_POOL]
    taken = {p.id for p in region.staff}
    members = list(pool)
    parts = []
    for level, delta in sorted(change.per_level.items(), key=lambda kv: kv[0].rank):
        at_level = [p for p in members if p.level is level]
        if delta < 0:
            if -delta > len(at_level):
                raise _ScenarioError(
                    f"per_level.{level.value}",
                    f"removes {-delta} members at {level.value}; the pool has "
                    f"{len(at_level)}",
                )
            drop = {at_level[k].id for k in rng.permutation(len(at_level))[:-delta]}
            members = [p for p in members if p.id not in drop]
        elif delta > 0:
            models = at_level or pool
            if not models:
                raise _ScenarioError(
                    f"per_level.{level.value}",
                    "the region has no flex-pool members to model new ones on",
                )
            for _ in range(delta):
                model = models[int(rng.integers(len(models)))]
                new_id = _new_id(model.id, taken)
                members.append(
                    model.model_copy(
                        update={"id": new_id, "name": None, "level": level}
                    )
                )
        parts.append(f"{level.value} {delta:+d}")
    changed = region.replace(staff=tuple(others + members))
    summary = f"flex pool {len(pool)} -> {len(members)} ({', '.join(parts)})"
    return changed, ChangeReport(index, change.kind, summary)


def _new_id(model_id: str, taken: set[str]) -> str:
    """Returns an unused id derived from a model member's id, and takes it."""
    k = 1
    while f"{model_id}-s{k}" in taken:
        k += 1
    new_id = f"{model_id}-s{k}"
    taken.add(new_id)
    return new_id


def _apply_absence(
    region: Region,
    change: AbsenceChange,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    import datetime as dt

    from carecap.kernels.sickness import sample_sick_days

    from .simulate import NATIONAL_ABSENCE_RATE, absence_rates

    rate: Any = change.rate
    if rate == "sector":
        rate = None
    elif rate == "national":
        rate = NATIONAL_ABSENCE_RATE
    # absence_rates reads only the region of a compiled region; no need to compile.
    rates = absence_rates(types.SimpleNamespace(region=region), rate)  # type: ignore[arg-type]
    draw_seed = change.seed if change.seed is not None else seed
    days = region.horizon.days
    masks = sample_sick_days(draw_seed, 1, rates, days)[0]
    episodes = []
    for person, mask in zip(region.staff, masks.tolist(), strict=True):
        day = 0
        while day < days:
            if mask >> day & 1:
                first = day
                while day + 1 < days and mask >> (day + 1) & 1:
                    day += 1
                episodes.append(
                    SicknessEpisode(
                        staff=person.id,
                        first_day=region.horizon.start + dt.timedelta(days=first),
                        last_day=region.horizon.start + dt.timedelta(days=day),
                    )
                )
            day += 1
    changed = region.replace(sickness=tuple(episodes))
    described = (
        change.rate
        if isinstance(change.rate, str)
        else (
            f"{change.rate:g}" if isinstance(change.rate, float | int) else "per sector"
        )
    )
    summary = (
        f"absence {described} (seed {draw_seed}): {len(episodes)} sick episode(s) "
        f"instead of {len(region.sickness)}; open slots {len(region.open_slots)} -> "
        f"{len(changed.open_slots)}"
    )
    return changed, ChangeReport(index, change.kind, summary)


def _apply_agency(
    region: Region,
    change: AgencyPolicy,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    classes = region.shift_classes
    open_minutes = [classes[slot.shift].paid_minutes for slot in region.open_slots]
    total = sum(s.count for s in region.agency_supply)
    if change.max_share == 0 or not open_minutes:
        allowed = 0
    else:
        allowed = math.floor(change.max_share * sum(open_minutes) / max(open_minutes))
    if total <= allowed:
        summary = (
            f"agency at most {change.max_share:.0%} of open hours: supply of {total} "
            "booking(s) already within the cap"
        )
        return region, ChangeReport(index, change.kind, summary)
    # Largest remainder: each (date, level) keeps its share of the allowed bookings.
    exact = [s.count * allowed / total for s in region.agency_supply]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[: allowed - sum(counts)]:
        counts[k] += 1
    supply = tuple(
        s.model_copy(update={"count": c})
        for s, c in zip(region.agency_supply, counts, strict=True)
        if c > 0
    )
    changed = region.replace(agency_supply=supply)
    summary = (
        f"agency at most {change.max_share:.0%} of open hours: supply cut from "
        f"{total} to {allowed} booking(s)"
    )
    return changed, ChangeReport(index, change.kind, summary)


def _apply_induction(
    region: Region,
    change: InductionChange,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    from carecap.kernels.eligibility import haversine_km

    locations_of: dict[str, list[str]] = defaultdict(list)
    for location in region.locations:
        locations_of[location.organisation].append(location.id)
    staff = []
    added = members = 0
    for person in region.staff:
        if person.employment is not Employment.FLEX_POOL:
            staff.append(person)
            continue
        members += 1
        inducted = set(person.inducted_locations)
        if person.ward is not None:
            inducted.add(region.ward_by_id[person.ward].location)
        inducted_orgs = {region.location_by_id[loc].organisation for loc in inducted}
        candidates = [o.id for o in region.organisations if o.id not in inducted_orgs]
        if person.home is not None:
            home = person.home

            def distance(org_id: str, home=home) -> float:
                return min(
                    haversine_km(
                        home.latitude,
                        home.longitude,
                        region.location_by_id[loc].latitude,
                        region.location_by_id[loc].longitude,
                    )
                    for loc in locations_of[org_id]
                )

            candidates.sort(key=lambda org_id: (distance(org_id), org_id))
        else:
            candidates = [candidates[k] for k in rng.permutation(len(candidates))]
        new = [
            loc
            for org_id in candidates[: change.organisations]
            for loc in locations_of[org_id]
        ]
        if not new:
            staff.append(person)
            continue
        added += len(new)
        staff.append(
            person.model_copy(
                update={
                    "inducted_locations": tuple(
                        sorted(set(person.inducted_locations) | set(new))
                    )
                }
            )
        )
    changed = region.replace(staff=tuple(staff)) if added else region
    summary = (
        f"{members} flex-pool member(s) inducted at up to {change.organisations} more "
        f"organisation(s): {added} induction(s) added"
    )
    return changed, ChangeReport(index, change.kind, summary)


def _apply_travel(
    region: Region,
    change: TravelChange,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    groups = {
        "everyone": (Employment.EMPLOYEE, Employment.FLEX_POOL),
        "flex_pool": (Employment.FLEX_POOL,),
        "employees": (Employment.EMPLOYEE,),
    }[change.group]
    staff = []
    changed_people = 0
    for person in region.staff:
        if person.employment not in groups or person.max_travel_km is None:
            staff.append(person)
            continue
        limit = (
            person.max_travel_km * change.factor
            if change.factor is not None
            else person.max_travel_km + (change.add_km or 0.0)
        )
        staff.append(person.model_copy(update={"max_travel_km": max(0.0, limit)}))
        changed_people += 1
    changed = region.replace(staff=tuple(staff)) if changed_people else region
    how = (
        f"x{change.factor:g}" if change.factor is not None else f"{change.add_km:+g} km"
    )
    summary = f"travel limit {how} for {changed_people} {change.group} person(s)"
    return changed, ChangeReport(index, change.kind, summary)


def _apply_anw_policy(
    region: Region,
    change: AnwPolicy,
    rng: np.random.Generator,
    seed: int,
    index: int,
    offered: dict[str, int],
    overrides: dict[str, Any],
    notes: list[str],
) -> tuple[Region, ChangeReport]:
    overrides["anw_balance_hours"] = change.tolerance_hours
    notes.append(
        "equal ANW burden between employment types is a hard rule for CP-SAT "
        f"(within {change.tolerance_hours:g} h per person); the greedy filler "
        "(--quick) cannot enforce it"
    )
    summary = (
        "equal ANW burden between employment types, hard rule within "
        f"{change.tolerance_hours:g} h"
    )
    return region, ChangeReport(index, change.kind, summary)


_APPLIERS = {
    "contract_uplift": _apply_uplift,
    "minimum_contract": _apply_uplift,
    "flex_pool": _apply_flex_pool,
    "absence": _apply_absence,
    "agency": _apply_agency,
    "induction": _apply_induction,
    "travel": _apply_travel,
    "anw_policy": _apply_anw_policy,
}
"""The function that applies each change kind."""


def scenario_json_schema() -> dict[str, Any]:
    """Returns the JSON Schema of the scenario file format."""
    return ScenarioFile.model_json_schema()


__all__ = [
    "BASELINE",
    "FULL_TIME_HOURS",
    "SCENARIO_FORMAT_VERSION",
    "AbsenceChange",
    "AgencyPolicy",
    "AnwPolicy",
    "AppliedScenario",
    "Change",
    "ChangeReport",
    "ContractUplift",
    "FlexPoolChange",
    "InductionChange",
    "MinimumContract",
    "Scenario",
    "ScenarioFile",
    "TravelChange",
    "UpliftReport",
    "apply_scenario",
    "parse_scenarios",
    "prepare_scenario",
    "read_scenarios",
    "scenario_json_schema",
    "usable_shift_minutes",
    "whole_shift_sums",
]

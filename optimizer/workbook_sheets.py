"""The planner workbook template: its sheets and columns, and how cells are read.

The template has one sheet (or, for a directory of CSV files, one file) per entity of
the region model (`carecap.domain`). Row 1 holds the column names; data starts on
row 2. Column and sheet names may be given in English (the template's own names) or
under a Dutch alias that planners use ("contracturen", "gewenste uren"); letter case,
spaces, underscores, hyphens and a unit in brackets do not matter.

Cells are read as planners type them: Dutch decimals ("7,5"), percentages ("21%"),
Excel dates and times as well as text ("23-03-2026", "07:00", "23:00-07:15"), "ja" /
"nee". A cell that cannot be read raises `CellError`, whose message completes the
sentence ``staff!C14: contract hours "abc" ...``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, get_origin

from .domain import Employment, Level, Preference, Sector

# ---------------------------------------------------------------------------
# Enumerations and their Dutch spellings
# ---------------------------------------------------------------------------

ORT_DAYS = ("weekday", "saturday", "sunday_holiday", "year_end_eve")
"""The ``days`` values of an ORT band (`carecap.domain.OrtBand`)."""

YES_NO = ("yes", "no")
"""How the template writes booleans (``ja``/``nee``, ``true``/``false``, 1/0 also read)."""

ENUM_CHOICES: dict[str, tuple[str, ...]] = {
    "level": tuple(level.value for level in Level),
    "sector": tuple(sector.value for sector in Sector),
    "employment": tuple(employment.value for employment in Employment),
    "preference": tuple(preference.value for preference in Preference),
    "ort_days": ORT_DAYS,
}
"""Canonical values of each enumeration kind, as written in the template lists."""

_ENUM_ALIASES: dict[str, dict[str, str]] = {
    "level": {
        **{f"{k}": f"N{k}" for k in range(1, 7)},
        **{f"niveau {k}": f"N{k}" for k in range(1, 7)},
    },
    "sector": {
        "ziekenhuis": "hospital",
        "zkh": "hospital",
        "umc": "hospital",
        "thuiszorg": "home_care",
        "wijkverpleging": "home_care",
        "home care": "home_care",
        "ouderenzorg": "VVT",
        "verpleeghuis": "VVT",
        "gehandicaptenzorg": "GHZ",
        "ggz": "GGZ",
    },
    "employment": {
        "medewerker": "employee",
        "werknemer": "employee",
        "loondienst": "employee",
        "in loondienst": "employee",
        "eigen medewerker": "employee",
        "flexpool": "flex_pool",
        "flex pool": "flex_pool",
        "regionale flexpool": "flex_pool",
        "pool": "flex_pool",
        "uitzend": "agency",
        "uitzendkracht": "agency",
        "zzp": "agency",
        "zzp er": "agency",
        "pnil": "agency",
    },
    "preference": {
        "voorkeur": "prefer",
        "graag": "prefer",
        "neutraal": "neutral",
        "geen voorkeur": "neutral",
        "liever niet": "avoid",
        "vermijden": "avoid",
        "niet": "avoid",
    },
    "ort_days": {
        "werkdag": "weekday",
        "werkdagen": "weekday",
        "doordeweeks": "weekday",
        "maandag tot vrijdag": "weekday",
        "zaterdag": "saturday",
        "zondag": "sunday_holiday",
        "zon en feestdag": "sunday_holiday",
        "zon en feestdagen": "sunday_holiday",
        "zondag en feestdag": "sunday_holiday",
        "24 en 31 december": "year_end_eve",
        "oudejaarsavond": "year_end_eve",
    },
}

_ENUM_NOUNS = {
    "level": "qualification level",
    "sector": "sector",
    "employment": "employment type",
    "preference": "preference",
    "ort_days": "kind of day",
}

_TRUE = {"yes", "y", "ja", "j", "true", "waar", "1", "x", "on"}
_FALSE = {"no", "n", "nee", "false", "onwaar", "0", "off", "-"}


def normalise_name(text: str) -> str:
    """Returns a sheet or column name folded for matching aliases.

    Letter case, surrounding spaces, underscores, hyphens, dots and a trailing unit
    in brackets ("pauze (min)") are ignored.
    """
    text = re.sub(r"\([^)]*\)\s*$", "", str(text)).strip().lower()
    text = re.sub(r"[_\-./]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _enum_lookup(kind: str) -> dict[str, str]:
    lookup = {value.lower(): value for value in ENUM_CHOICES[kind]}
    lookup.update((normalise_name(value), value) for value in ENUM_CHOICES[kind])
    lookup.update(
        (normalise_name(alias), value) for alias, value in _ENUM_ALIASES[kind].items()
    )
    return lookup


_ENUM_LOOKUP = {kind: _enum_lookup(kind) for kind in ENUM_CHOICES}

# ---------------------------------------------------------------------------
# Sheets and columns
# ---------------------------------------------------------------------------

KINDS = (
    "id",
    "ids",
    "text",
    "number",
    "integer",
    "bool",
    "date",
    "time",
    "times",
    "datetime",
    *ENUM_CHOICES,
)
"""Cell kinds; see `parse_cell`."""


@dataclass(frozen=True)
class Column:
    """One column of a template sheet.

    Attributes
    ----------
    name
        The template's header (English, snake_case).
    kind
        How cells are read (`KINDS`).
    help
        What the column means, for the explanation sheet and the header comment.
    required
        Whether every row must fill it.
    aliases
        Other accepted headers, mostly Dutch.
    """

    name: str
    kind: str
    help: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Returns the name as words, for messages ("contract hours")."""
        return self.name.replace("_", " ")

    @property
    def choices(self) -> tuple[str, ...]:
        """Returns the values offered in the template's drop-down list (or none)."""
        if self.kind == "bool":
            return YES_NO
        return ENUM_CHOICES.get(self.kind, ())


@dataclass(frozen=True)
class Sheet:
    """One template sheet (or CSV file ``<name>.csv``).

    Attributes
    ----------
    name
        The template's sheet name.
    help
        What one row means.
    columns
        The columns, in template order.
    required
        Whether a workbook must contain the sheet; an absent optional sheet means
        no rows (or, for the cost and rule tables, the defaults).
    aliases
        Other accepted sheet names, mostly Dutch.
    """

    name: str
    help: str
    columns: tuple[Column, ...]
    required: bool = False
    aliases: tuple[str, ...] = ()

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def column(self, name: str) -> Column:
        """Returns the column with template name ``name``."""
        return self._by_name[name]


def _c(
    name: str, kind: str, help: str, *aliases: str, required: bool = False
) -> Column:
    return Column(name, kind, help, required, aliases)


SETTINGS = Sheet(
    "settings",
    "One row per setting of the region: its name, horizon, costs and labour rules. "
    "The template lists every setting with its default; change the value column only.",
    (
        _c("setting", "text", "Name of the setting", "instelling", required=True),
        _c("value", "text", "Its value", "waarde", required=True),
        _c("explanation", "text", "What it means (not read)", "toelichting"),
    ),
    required=True,
    aliases=("instellingen", "regio", "region"),
)

ORGANISATIONS = Sheet(
    "organisations",
    "One row per care organisation taking part in the region.",
    (
        _c("id", "id", "Short code, no spaces (e.g. O001)", "code", required=True),
        _c("name", "text", "Name", "naam"),
        _c(
            "sector",
            "sector",
            "VVT, GHZ, hospital, GGZ or home_care; decides the ORT table and "
            "the night-exemption age",
            required=True,
        ),
    ),
    required=True,
    aliases=("organisaties", "organizations", "organisatie"),
)

LOCATIONS = Sheet(
    "locations",
    "One row per site of an organisation, with its position (for travel).",
    (
        _c("id", "id", "Short code, no spaces", "code", "locatie", required=True),
        _c(
            "organisation",
            "id",
            "Organisation code",
            "organisatie",
            "organization",
            required=True,
        ),
        _c("name", "text", "Name", "naam"),
        _c("town", "text", "Town", "plaats", "woonplaats", "stad"),
        _c(
            "latitude",
            "number",
            "WGS84 latitude, e.g. 52,0823",
            "breedtegraad",
            "lat",
            required=True,
        ),
        _c(
            "longitude",
            "number",
            "WGS84 longitude, e.g. 5,1150",
            "lengtegraad",
            "lon",
            "lng",
            required=True,
        ),
    ),
    required=True,
    aliases=("locaties", "locatie"),
)

WARDS = Sheet(
    "wards",
    "One row per ward or home-care team.",
    (
        _c("id", "id", "Short code, no spaces", "code", "afdeling", required=True),
        _c("location", "id", "Location code", "locatie", required=True),
        _c("name", "text", "Name", "naam"),
        _c(
            "allow_higher_level",
            "bool",
            "yes: a higher level may fill a lower-level slot; no: exact level only "
            "(empty = yes)",
            "hoger niveau toegestaan",
            "overkwalificatie toegestaan",
        ),
    ),
    required=True,
    aliases=("afdelingen", "teams", "afdeling"),
)

SHIFT_TEMPLATES = Sheet(
    "shift_templates",
    "One row per kind of shift (early, late, night): local start and end time and "
    "unpaid break. An end at or before the start ends the next day.",
    (
        _c("id", "id", "Short code, no spaces (e.g. VVT-N)", "code", required=True),
        _c("name", "text", "Name", "naam", "omschrijving"),
        _c(
            "start",
            "time",
            "Start time HH:MM; or the whole span 23:00-07:15 here with end empty",
            "begin",
            "begintijd",
            "van",
            "tijden",
            "times",
        ),
        _c("end", "time", "End time HH:MM", "eind", "eindtijd", "tot"),
        _c(
            "unpaid_break_minutes",
            "integer",
            "Unpaid break in minutes (empty = 0)",
            "onbetaalde pauze",
            "pauze",
            "pauze minuten",
        ),
    ),
    required=True,
    aliases=("diensttypen", "dienstsoorten", "diensttijden", "templates"),
)

SHIFTS = Sheet(
    "shifts",
    "Demand: one row per shift and qualification level. Repeat the shift id (with the "
    "same ward, date and template) for each further level or competence it needs.",
    (
        _c("id", "id", "Shift code, no spaces", "dienst", "dienst id", required=True),
        _c("ward", "id", "Ward code", "afdeling", required=True),
        _c("date", "date", "Date the shift starts", "datum", required=True),
        _c(
            "template",
            "id",
            "Shift template code",
            "diensttype",
            "dienstsoort",
            required=True,
        ),
        _c("level", "level", "Minimum level N1-N6", "niveau", required=True),
        _c("count", "integer", "People needed at this level", "aantal", required=True),
        _c(
            "competence",
            "id",
            "Competence needed on top of the level (empty = none)",
            "competentie",
            "deskundigheid",
        ),
    ),
    aliases=("diensten", "bezetting", "vraag", "demand"),
)

STAFF = Sheet(
    "staff",
    "One row per person who works, or may work, shifts in the region.",
    (
        _c(
            "id",
            "id",
            "Staff number, no spaces",
            "personeelsnummer",
            "medewerker",
            "code",
            required=True,
        ),
        _c("name", "text", "Name (optional; never logged)", "naam"),
        _c(
            "employment",
            "employment",
            "employee, flex_pool or agency",
            "dienstverband",
            "contractsoort",
            "soort",
            required=True,
        ),
        _c(
            "organisation",
            "id",
            "Employer code (empty for agency staff)",
            "organisatie",
            "werkgever",
            "organization",
        ),
        _c(
            "ward",
            "id",
            "Home ward code (employees only)",
            "afdeling",
            "thuisafdeling",
        ),
        _c("level", "level", "Qualification level N1-N6", "niveau", required=True),
        _c(
            "competences",
            "ids",
            "Competences, separated by commas (put one holding a comma in double quotes)",
            "competenties",
            "deskundigheden",
        ),
        _c(
            "contract_hours",
            "number",
            "Contract hours per week",
            "contracturen",
            "contract uren",
            "uren contract",
            required=True,
        ),
        _c(
            "desired_hours",
            "number",
            "Hours per week the person wants; above the contract = wants more hours "
            "(empty = contract hours)",
            "gewenste uren",
            "wensuren",
            "uren gewenst",
        ),
        _c(
            "max_hours",
            "number",
            "Most paid hours per week the person may be given",
            "maximale uren",
            "max uren",
            "maximum uren",
            required=True,
        ),
        _c(
            "conditional_extra_hours",
            "number",
            "Extra hours per week the person would work under conditions (what-ifs)",
            "extra uren onder voorwaarden",
            "voorwaardelijke extra uren",
        ),
        _c(
            "extra_shifts_opt_in",
            "bool",
            "Offers extra shifts up to the desired hours without wanting more "
            "contract hours (flex pool and 'wants more' offer them already)",
            "extra diensten akkoord",
            "wil extra diensten",
        ),
        _c("age", "integer", "Age in years (night exemption)", "leeftijd"),
        _c(
            "night_opt_in",
            "bool",
            "Exempt by age but agreed to nights",
            "nachtdiensten akkoord",
            "wil nachtdiensten",
        ),
        _c("pregnant", "bool", "Pregnant: no night or irregular shifts", "zwanger"),
        _c(
            "irregular_opt_in",
            "bool",
            "Pregnant but agreed to irregular shifts",
            "onregelmatig akkoord",
        ),
        _c(
            "home_latitude",
            "number",
            "Home position, postcode level (with home_longitude)",
            "woon breedtegraad",
            "thuis breedtegraad",
        ),
        _c(
            "home_longitude",
            "number",
            "Home position, postcode level (with home_latitude)",
            "woon lengtegraad",
            "thuis lengtegraad",
        ),
        _c(
            "max_travel_km",
            "number",
            "Longest acceptable home-to-work distance in km (empty = no limit)",
            "max reisafstand",
            "maximale reisafstand",
            "reisafstand",
        ),
        _c(
            "inducted_locations",
            "ids",
            "Locations (codes, comma-separated) where inducted besides the home "
            "ward's; flex-pool members have no home ward and work only here",
            "ingewerkte locaties",
            "inwerklocaties",
        ),
        _c(
            "day_shifts",
            "preference",
            "prefer, neutral or avoid (empty = neutral)",
            "dagdiensten",
        ),
        _c("evening_shifts", "preference", "prefer, neutral or avoid", "avonddiensten"),
        _c("night_shifts", "preference", "prefer, neutral or avoid", "nachtdiensten"),
        _c(
            "weekend_shifts",
            "preference",
            "prefer, neutral or avoid",
            "weekenddiensten",
        ),
        _c(
            "sundays_worked_52w",
            "integer",
            "Sundays worked in the 52 weeks before the horizon",
            "zondagen gewerkt",
            "gewerkte zondagen",
        ),
    ),
    aliases=("personeel", "medewerkers", "werknemers"),
)

UNAVAILABILITY = Sheet(
    "unavailability",
    "One row per period in which a person cannot work (leave, training, wishes). "
    "A date without a time means 00:00 of that day.",
    (
        _c(
            "staff",
            "id",
            "Staff number",
            "medewerker",
            "personeelsnummer",
            required=True,
        ),
        _c("start", "datetime", "From (date and time)", "van", "begin", required=True),
        _c("end", "datetime", "Until (date and time)", "tot", "eind", required=True),
    ),
    aliases=("afwezigheid", "niet beschikbaar", "onbeschikbaarheid", "verlof"),
)

BASE_ROSTER = Sheet(
    "base_roster",
    "The planned roster: one row per person on a shift. Fixed for the optimiser; "
    "demand not covered here (or lost to sickness) is the open work.",
    (
        _c(
            "staff",
            "id",
            "Staff number",
            "medewerker",
            "personeelsnummer",
            required=True,
        ),
        _c("shift", "id", "Shift code", "dienst", required=True),
    ),
    aliases=("basisrooster", "rooster", "planning"),
)

SICKNESS = Sheet(
    "sickness",
    "One row per sickness episode: the person works no shift starting on these days.",
    (
        _c(
            "staff",
            "id",
            "Staff number",
            "medewerker",
            "personeelsnummer",
            required=True,
        ),
        _c(
            "first_day",
            "date",
            "First sick day",
            "eerste ziektedag",
            "van",
            required=True,
        ),
        _c(
            "last_day",
            "date",
            "Last sick day",
            "laatste ziektedag",
            "tot en met",
            required=True,
        ),
    ),
    aliases=("ziekte", "ziekmeldingen", "verzuim"),
)

AGENCY_SUPPLY = Sheet(
    "agency_supply",
    "How many agency or zzp people of a level can be booked for shifts starting on "
    "a date.",
    (
        _c("date", "date", "Date", "datum", required=True),
        _c("level", "level", "Level N1-N6", "niveau", required=True),
        _c("count", "integer", "People available", "aantal", required=True),
    ),
    aliases=("uitzendaanbod", "uitzendkrachten", "inhuur"),
)

HOLIDAYS = Sheet(
    "holidays",
    "Public holidays in the horizon (holiday ORT and the holiday shift class).",
    (
        _c("date", "date", "Date", "datum", required=True),
        _c("name", "text", "Name", "naam"),
    ),
    aliases=("feestdagen",),
)

CARRY_IN_SHIFTS = Sheet(
    "carry_in_shifts",
    "Shifts each person worked in the 14 days before the horizon (rest and "
    "night-series rules at the horizon start). Empty means nothing worked.",
    (
        _c(
            "staff",
            "id",
            "Staff number",
            "medewerker",
            "personeelsnummer",
            required=True,
        ),
        _c("start", "datetime", "Start (date and time)", "begin", "van", required=True),
        _c("end", "datetime", "End (date and time)", "eind", "tot", required=True),
        _c(
            "unpaid_break_minutes",
            "integer",
            "Unpaid break in minutes (empty = 0)",
            "onbetaalde pauze",
            "pauze",
        ),
    ),
    aliases=("voorgaande diensten", "historie diensten"),
)

CARRY_IN_WEEKS = Sheet(
    "carry_in_weeks",
    "Worked hours and nights per ATW week before the horizon (1 = the week just "
    "before), for the 4- and 16-week averages. Give every week from 1 up.",
    (
        _c(
            "staff",
            "id",
            "Staff number",
            "medewerker",
            "personeelsnummer",
            required=True,
        ),
        _c(
            "weeks_before",
            "integer",
            "Weeks before the horizon, 1 to 15",
            "weken terug",
            "week",
            required=True,
        ),
        _c("worked_hours", "number", "Hours worked that week", "gewerkte uren", "uren"),
        _c(
            "nights",
            "integer",
            "Night shifts ending after 02:00 that week",
            "nachten",
            "nachtdiensten",
        ),
    ),
    aliases=("voorgaande weken", "historie weken"),
)

WAGES = Sheet(
    "wages",
    "Employer cost per paid hour by level, on-costs included, before ORT.",
    (
        _c("level", "level", "Level N1-N6", "niveau", required=True),
        _c("hourly_wage", "number", "Euros per hour", "uurloon", "loon", required=True),
    ),
    aliases=("lonen", "uurlonen", "loonkosten"),
)

ORT = Sheet(
    "ort",
    "ORT (irregular-hours premium) bands per sector: on which days, from when to "
    "when, and the premium as a share of the wage (0,44 or 44%). An end of 00:00 "
    "means midnight.",
    (
        _c("sector", "sector", "Sector", required=True),
        _c(
            "days",
            "ort_days",
            "weekday, saturday, sunday_holiday or year_end_eve",
            "dagen",
            required=True,
        ),
        _c("start", "time", "Band start HH:MM", "begin", "van", required=True),
        _c("end", "time", "Band end HH:MM", "eind", "tot", required=True),
        _c("premium", "number", "Premium, e.g. 0,44 or 44%", "toeslag", required=True),
    ),
    aliases=("ort tabel", "toeslagen", "onregelmatigheidstoeslag"),
)

NIGHT_EXEMPTION_AGES = Sheet(
    "night_exemption_ages",
    "The CAO age per sector from which nights are not rostered unless the person "
    "opts in.",
    (
        _c("sector", "sector", "Sector", required=True),
        _c("age", "integer", "Age in years", "leeftijd", required=True),
    ),
    aliases=("nachtdienst vrijstelling", "vrijstelling nachtdiensten"),
)

SHEETS: tuple[Sheet, ...] = (
    SETTINGS,
    ORGANISATIONS,
    LOCATIONS,
    WARDS,
    SHIFT_TEMPLATES,
    SHIFTS,
    STAFF,
    UNAVAILABILITY,
    BASE_ROSTER,
    SICKNESS,
    AGENCY_SUPPLY,
    HOLIDAYS,
    CARRY_IN_SHIFTS,
    CARRY_IN_WEEKS,
    WAGES,
    ORT,
    NIGHT_EXEMPTION_AGES,
)
"""Every template sheet, in template order."""

IGNORED_COLUMNS = frozenset(
    normalise_name(name)
    for name in ("notes", "note", "comment", "comments", "opmerking", "opmerkingen")
)
"""Headers of free-text columns that import skips (so do headers starting with #)."""


def sheet_for_name(name: str) -> Sheet | None:
    """Returns the template sheet a sheet (or CSV file stem) name stands for."""
    key = normalise_name(name)
    for sheet in SHEETS:
        if key in {normalise_name(n) for n in (sheet.name, *sheet.aliases)}:
            return sheet
    return None


def column_for_header(sheet: Sheet, header: str) -> Column | None:
    """Returns the column of ``sheet`` a header stands for, or None."""
    key = normalise_name(header)
    for column in sheet.columns:
        if key in {normalise_name(n) for n in (column.name, *column.aliases)}:
            return column
    return None


# ---------------------------------------------------------------------------
# Settings: the key/value rows of the settings sheet
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One row of the settings sheet.

    Attributes
    ----------
    key
        The name in the ``setting`` column.
    path
        Where the value goes in the region document, e.g. ``("costs", "agency_vat")``.
    kind
        How the value cell is read.
    help
        What it means.
    required
        Whether the row must be present with a value.
    """

    key: str
    path: tuple[str, ...]
    kind: str
    help: str
    required: bool = False


_COST_HELP = {
    "agency_factor": "Agency/zzp hour cost as a multiple of the hourly wage",
    "agency_vat": "VAT on agency hours (0,21 or 0)",
    "lending_vat_factor": "Cost factor when a person works for another organisation "
    "than the employer: 1,21 with VAT on lending, 1 without",
    "travel_cost_per_km": "Travel allowance in euros per km (return trip paid)",
    "detour_factor": "Road distance as a multiple of the straight-line distance",
}

_RULE_HELP = {
    "max_shift_hours": "H2: longest shift in hours (ATW 12)",
    "cao_max_shift_hours": "H2: longest shift under the CAO (VVT, GHZ: 10)",
    "max_night_shift_hours": "H3: longest night shift in hours",
    "min_rest_hours": "H4: rest between shifts in hours (at least 11)",
    "rest_after_night_hours": "H5: rest after a night ending after 02:00",
    "rest_after_night_series_hours": "H6: rest after a series of nights",
    "night_series_length": "H6: nights that make a series",
    "max_consecutive_shifts_with_night": "H7: most consecutive shifts with a night",
    "weekly_rest_hours": "H8: continuous rest in the 7 x 24 h from each series start",
    "weekly_rest_period": "H8: 7d (36 h in 7 x 24 h) or 14d (72 h in 14 x 24 h, "
    "blocks of at least 32 h)",
    "max_week_hours": "H9: most worked hours in one week",
    "max_avg_hours_4w": "H9: most hours per week on average over 4 weeks",
    "max_avg_hours_16w": "H9: most hours per week on average over 16 weeks",
    "max_avg_hours_16w_night_workers": "H11: 16-week average for night workers",
    "max_nights_16w": "H10: most nights in 16 weeks",
    "night_worker_threshold_16w": "H11: nights in 16 weeks that make a night worker",
    "min_free_sundays_52w": "ATW: free Sundays per 52 weeks",
    "max_weekends_per_4w": "CAO: most weekends worked per 4 weeks (soft)",
    "evening_min_hours": "Hours in 20:00-24:00 that make an evening shift",
    "hours_above_desired": "Hours a week with an extra shift may go above the "
    "desired hours (0: only what people offered)",
}


def _settings() -> tuple[Setting, ...]:
    from .domain import LabourRules

    rows = [
        Setting("region_name", ("name",), "text", "Name of the region", True),
        Setting(
            "horizon_start",
            ("horizon", "start"),
            "date",
            "First day of the planning horizon, a Monday",
            True,
        ),
        Setting(
            "horizon_weeks",
            ("horizon", "weeks"),
            "integer",
            "Number of weeks planned (1 to 6)",
            True,
        ),
        Setting(
            "format_version",
            ("format_version",),
            "text",
            "Version of the region format (1.0)",
        ),
    ]
    for key, help_text in _COST_HELP.items():
        rows.append(Setting(key, ("costs", key), "number", help_text))
    for key, help_text in _RULE_HELP.items():
        field = LabourRules.model_fields[key]
        if field.annotation in (int, "int"):
            kind = "integer"
        elif get_origin(field.annotation) is Literal:
            kind = "text"
        else:
            kind = "number"
        rows.append(Setting(key, ("rules", key), kind, help_text))
    return tuple(rows)


SETTINGS_ROWS: tuple[Setting, ...] = _settings()
"""Every row of the settings sheet, in template order."""

_SETTING_ALIASES = {
    "regio": "region_name",
    "naam regio": "region_name",
    "name": "region_name",
    "startdatum": "horizon_start",
    "start horizon": "horizon_start",
    "begindatum": "horizon_start",
    "weken": "horizon_weeks",
    "aantal weken": "horizon_weeks",
    "uitzendfactor": "agency_factor",
    "btw uitzend": "agency_vat",
    "btw inhuur": "agency_vat",
    "btw factor uitlenen": "lending_vat_factor",
    "reiskosten per km": "travel_cost_per_km",
    "omrijfactor": "detour_factor",
}


def setting_for_key(key: str) -> Setting | None:
    """Returns the setting a key in the ``setting`` column stands for, or None."""
    folded = normalise_name(key)
    folded = normalise_name(_SETTING_ALIASES.get(folded, folded))
    for setting in SETTINGS_ROWS:
        if normalise_name(setting.key) == folded:
            return setting
    return None


# ---------------------------------------------------------------------------
# Reading cells
# ---------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message completes ``<cell>: <label> "<text>"``."""


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_TIME_RE = re.compile(r"^(\d{1,2})[:.hu](\d{2})(?:[:.](\d{2}))?$")
_TIME_COMPACT_RE = re.compile(r"^(\d{2})(\d{2})$")
_RANGE_RE = re.compile(r"^\s*(.+?)\s*(?:-|\u2013|\u2014|tot| to )\s*(.+?)\s*$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MIDNIGHT_RE = re.compile(r"[ T]+0?0:00(:00)?$")
_DUTCH_DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DUTCH_DATETIME_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ T]+(.+)$")
_DATE_HINT = "is not a date (use 2026-03-23, 23-03-2026 or an Excel date)"
_TIME_HINT = "is not a time (use HH:MM, e.g. 07:00)"
_DATETIME_HINT = (
    "is not a date and time (use 2026-03-23 07:00, 23-03-2026 07:00 or an Excel "
    "date and time)"
)


def is_empty(value: Any) -> bool:
    """Returns whether a cell counts as empty (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """Returns a cell value as text for messages: numbers without a trailing .0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def parse_cell(kind: str, value: Any) -> Any:
    """Reads a non-empty cell as ``kind``.

    Parameters
    ----------
    kind
        One of `KINDS`.
    value
        The cell as openpyxl gives it (str, int, float, bool, date, datetime, time,
        timedelta) or the text of a CSV field.

    Returns
    -------
    Any
        ``id``/``text``: str; ``ids``: tuple of str; ``number``: float; ``integer``:
        int; ``bool``: bool; ``date``: date; ``time``: time; ``times``: (time, time);
        ``datetime``: datetime (naive local, or with the UTC offset given); an
        enumeration: its canonical value.

    Raises
    ------
    CellError
        If the cell cannot be read as ``kind``.
    """
    match kind:
        case "id":
            return _identifier(value)
        case "ids":
            return parse_ids(cell_text(value))
        case "text":
            return cell_text(value)
        case "number":
            return parse_number(value)
        case "integer":
            return _integer(value)
        case "bool":
            return _boolean(value)
        case "date":
            return parse_date(value)
        case "time":
            return parse_time(value)
        case "times":
            return parse_time_range(value)
        case "datetime":
            return parse_datetime(value)
        case _ if kind in ENUM_CHOICES:
            return _enumeration(kind, value)
    raise ValueError(f"unknown cell kind {kind!r}; use one of {', '.join(KINDS)}")


_LIST_ITEM = re.compile(r'"((?:[^"]|"")*)"|([^,;\s]+)')
"""One id of a list cell: double-quoted (``""`` for a quote inside) or bare."""


def parse_ids(text: str) -> tuple[str, ...]:
    """Reads a list of ids separated by commas, semicolons or spaces.

    An id holding ``,`` or ``;`` (or starting with ``"``) is written double-quoted
    by `ids_text`, so it comes back whole.
    """
    return tuple(
        quoted.replace('""', '"') if quoted is not None else bare
        for quoted, bare in (match.group(1, 2) for match in _LIST_ITEM.finditer(text))
        if (quoted or bare)
    )


def ids_text(values: Sequence[str]) -> str:
    """Returns ids as one list cell that `parse_ids` reads back exactly."""
    return ", ".join(
        '"' + value.replace('"', '""') + '"'
        if "," in value or ";" in value or value.startswith('"')
        else value
        for value in values
    )


def _identifier(value: Any) -> str:
    text = cell_text(value)
    if re.search(r"\s", text):
        raise CellError("contains a space; codes have no spaces")
    return text


def parse_number(value: Any) -> float:
    """Reads a number: Excel numbers, "7.5", Dutch "7,5" and "1.234,5", and "21%"."""
    if isinstance(value, bool):
        raise CellError("is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        if "," in text and "." in text:
            # The later separator is the decimal one: "1.234,5" or "1,234.5".
            thousands = "." if text.rindex(",") > text.rindex(".") else ","
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
            raise CellError("is not a number")
        number = float(text) * scale
    if not math.isfinite(number):
        raise CellError("is not a finite number")
    return number


def _integer(value: Any) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise CellError("is not a whole number")
    return int(number)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    folded = text if text in _TRUE or text in _FALSE else normalise_name(text)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("is not yes or no (ja/nee, true/false and 1/0 also work)")


def _enumeration(kind: str, value: Any) -> str:
    lookup = _ENUM_LOOKUP[kind]
    text = cell_text(value)
    # Most cells hold the canonical spelling; fold only the others.
    found = lookup.get(text.lower()) or lookup.get(normalise_name(text))
    if found is None:
        raise CellError(
            f"is not a {_ENUM_NOUNS[kind]}; use one of {', '.join(ENUM_CHOICES[kind])}"
        )
    return found


def parse_date(value: Any) -> dt.date:
    """Reads a date: Excel dates and serial numbers, ISO and Dutch day-month-year."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellError("has a time of day; give the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value, _DATE_HINT).date()
    # Spreadsheets save a date column to CSV as "23-03-2026 00:00" or "0:00:00".
    text = _MIDNIGHT_RE.sub("", cell_text(value))
    if match := _ISO_DATE_RE.match(text):
        year, month, day = match.groups()
    elif match := _DUTCH_DATE_RE.match(text):
        day, month, year = match.groups()
    else:
        raise CellError(_DATE_HINT)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as error:
        raise CellError(f"is not a date ({error})") from None


def _excel_serial(value: float, hint: str) -> dt.datetime:
    # Serial day numbers of the years 1950-2150; anything else is not a date typed in.
    if not 18264 <= value < 91311:
        raise CellError(hint)
    moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
    return moment.replace(microsecond=0) + dt.timedelta(
        seconds=round(moment.microsecond / 1e6)
    )


def parse_time(value: Any) -> dt.time:
    """Reads a time of day: Excel times, "07:00", "7.00", "0700"; "24:00" is 00:00."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        # Excel keeps times as fractions of a day since 1899-12-30.
        if value.date() > dt.date(1900, 1, 1):
            raise CellError("has a date; give the time of day only")
        return value.time()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        if not 0 <= seconds <= 24 * 3600:
            raise CellError(_TIME_HINT)
        return dt.time((seconds // 3600) % 24, seconds // 60 % 60, seconds % 60)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise CellError(_TIME_HINT)
        seconds = round(value * 24 * 3600)
        return dt.time((seconds // 3600) % 24, seconds // 60 % 60, seconds % 60)
    text = cell_text(value).lower()
    match = _TIME_RE.match(text) or _TIME_COMPACT_RE.match(text)
    if match is None:
        raise CellError(_TIME_HINT)
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0) if match.re is _TIME_RE else 0
    if (hour, minute, second) == (24, 0, 0):
        return dt.time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(_TIME_HINT)
    return dt.time(hour, minute, second)


def parse_time_range(value: Any) -> tuple[dt.time, dt.time]:
    """Reads a time span "23:00-07:15" (also "23:00 tot 07:15")."""
    match = _RANGE_RE.match(cell_text(value))
    if match is None:
        raise CellError("is not a time span (use HH:MM-HH:MM, e.g. 23:00-07:15)")
    return parse_time(match.group(1)), parse_time(match.group(2))


def looks_like_time_range(value: Any) -> bool:
    """Returns whether a text cell holds a span such as "23:00-07:15"."""
    if not isinstance(value, str):
        return False
    try:
        parse_time_range(value)
    except CellError:
        return False
    return True


def parse_datetime(value: Any) -> dt.datetime:
    """Reads a date and time: Excel, ISO 8601 (an offset is kept) or Dutch order."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value, _DATETIME_HINT)
    text = cell_text(value)
    if match := _DUTCH_DATETIME_RE.match(text):
        day, month, year, clock = match.groups()
        try:
            return dt.datetime.combine(
                dt.date(int(year), int(month), int(day)), parse_time(clock)
            )
        except ValueError:
            raise CellError(_DATETIME_HINT) from None
    try:
        return dt.datetime.combine(parse_date(text), dt.time(0, 0))
    except CellError:
        pass
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise CellError(_DATETIME_HINT) from None

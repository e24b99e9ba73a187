"""Subcommands for planner workbooks (issue 6): ``import``, ``template``, ``export``.

``import`` reads a region from an Excel workbook or a directory of CSV files,
``template`` writes the empty template, and ``export`` writes a region back in the
template, or, with ``--roster``, the roster workbooks per organisation after a solve.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``import``, ``template`` and ``export`` subcommands."""
    imp = subparsers.add_parser(
        "import",
        help="read a region from a planner workbook (.xlsx) or CSV directory",
        description=(
            "Read a region from an Excel workbook in the template layout (carecap "
            "template) or from a directory with one CSV file per sheet, and write "
            "it as a region JSON file. Every problem of the file is listed, each "
            "naming sheet, row and column (e.g. staff!C14); exit 2 when there are any."
        ),
    )
    imp.add_argument(
        "workbook", type=Path, metavar="WORKBOOK", help=".xlsx file or CSV directory"
    )
    imp.add_argument(
        "-o", "--output", type=Path, required=True, help="region JSON file to write"
    )
    imp.set_defaults(handler=_cmd_import)

    tpl = subparsers.add_parser(
        "template",
        help="write the empty planner template (.xlsx or CSV directory)",
        description=(
            "Write the empty planner template: one sheet per entity with its column "
            "names, an explanation sheet (README), header comments and drop-down "
            "lists for levels, sectors, employment types and yes/no. The settings, "
            "wage, ORT and night-exemption sheets hold the defaults. A path not "
            "ending in .xlsx receives one CSV file per sheet."
        ),
    )
    tpl.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="template.xlsx, or a directory for CSV files",
    )
    tpl.set_defaults(handler=_cmd_template)

    exp = subparsers.add_parser(
        "export",
        help="write a region as a planner workbook, or roster workbooks per organisation",
        description=(
            "Without --roster: write the region in the template layout (.xlsx, or "
            "CSV files for a directory); importing it gives the same region. With "
            "--roster (the roster.csv of carecap solve): write to the directory -o "
            "a roster workbook per organisation (organisations/ORG.xlsx and CSV: its "
            "open shifts and who fills them, agency bookings, uncovered shifts with "
            "reasons, own staff working elsewhere, settlement, a sheet per flex-pool "
            "member) and the regional agency booking list and settlement "
            "(region.xlsx and region/*.csv). An organisation's files hold no staff "
            "data of other organisations beyond the staff id and employer of the "
            "person filling its shift."
        ),
    )
    exp.add_argument("region", type=Path, metavar="REGION", help="region JSON file")
    exp.add_argument(
        "--roster",
        type=Path,
        metavar="ROSTER.csv",
        help="roster of the open slots (carecap solve's roster.csv)",
    )
    exp.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="workbook.xlsx or CSV directory (region); output directory (--roster)",
    )
    exp.set_defaults(handler=_cmd_export)


def _cmd_import(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK
    from .io import write_region
    from .workbook import read_workbook

    region = read_workbook(args.workbook)
    write_region(region, args.output)
    # Library modules may not print (tests/test_layering.py); results go to stdout.
    sys.stdout.write(f"wrote {args.output}\n{region.summary()}\n")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK
    from .workbook import write_workbook

    written = write_workbook(None, args.output)
    where = (
        args.output
        if len(written) == 1
        else f"{len(written)} CSV files in {args.output}"
    )
    sys.stdout.write(f"wrote {where}\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .cli import EXIT_BAD_INPUT, EXIT_OK
    from .io import read_region

    region = read_region(args.region)
    if args.roster is None:
        from .workbook import write_workbook

        written = write_workbook(region, args.output)
        where = (
            args.output
            if len(written) == 1
            else f"{len(written)} CSV files in {args.output}"
        )
        sys.stdout.write(f"wrote {where}\n")
        return EXIT_OK
    from .compile import compile_region
    from .roster import check_run_pair, read_roster
    from .workbook import is_workbook_path
    from .workbook_export import reasons_from_roster_csv, write_roster_exports

    if is_workbook_path(args.output):
        sys.stderr.write(
            "carecap: error: with --roster, -o is a directory (it receives a workbook "
            "per organisation), not an .xlsx file\n"
        )
        return EXIT_BAD_INPUT
    compiled = compile_region(region)
    check_run_pair(args.roster)
    assignee = read_roster(compiled, args.roster)
    reasons = reasons_from_roster_csv(compiled, assignee, args.roster)
    written = write_roster_exports(compiled, assignee, args.output, reasons)
    workbooks = sum(1 for path in written if path.suffix == ".xlsx")
    sys.stdout.write(
        f"wrote {workbooks} workbook(s) and {len(written) - workbooks} CSV file(s) "
        f"to {args.output}\n"
    )
    return EXIT_OK

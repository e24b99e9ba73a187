"""Subcommand ``carecap report``: the HTML report of a solve (issue 6)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a solve for planners",
        description=(
            "Write one self-contained report.html (no network needed to open it) from "
            "the roster.csv and summary.json that `carecap solve -o DIR` wrote: "
            "headline KPIs, agency and uncovered hours per ward x day x shift class, "
            "hours per person against contract and wishes, ANW burden by employment "
            "type, uncovered slots and, with --whatif, the scenario comparison."
        ),
    )
    parser.add_argument(
        "directory", type=Path, metavar="DIR", help="output directory of carecap solve"
    )
    parser.add_argument(
        "--region",
        type=Path,
        metavar="REGION",
        help="region JSON file (default: the path recorded in DIR/summary.json)",
    )
    parser.add_argument(
        "--whatif",
        type=Path,
        metavar="FILE",
        help="what-if comparison table (CSV or .parquet) to draw as bar charts",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="report file to write (default: DIR/report.html)",
    )
    parser.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    path = write_report(args.directory, args.region, args.whatif, output=args.output)
    # Library modules may not print (tests/test_layering.py); results go to stdout.
    sys.stdout.write(f"wrote {path}\n")
    return 0

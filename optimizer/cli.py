"""The ``carecap`` command line: one subcommand per job, thin over the library.

Exit codes (README): 0 success; 1 completed with findings; 2 bad input or usage;
3 no solution found within the limits. Tables and results go to stdout, messages
and logs to stderr; no personal data is ever logged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .domain import Region
from .exceptions import InputError
from .io import read_region, write_region, write_text_atomic

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_NO_SOLUTION = 3

log = logging.getLogger("carecap")


def carecap_version() -> str:
    """Returns the installed carecap version."""
    try:
        return version("carecap")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"carecap: error: {message}\n")


def _monday(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD)"
        ) from None
    if day.weekday() != 0:
        raise argparse.ArgumentTypeError(
            f"{text} is a {day.strftime('%A')}; the horizon starts on a Monday"
        )
    return day


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= weeks <= 6:
        raise argparse.ArgumentTypeError(f"weeks must be 1 to 6, got {weeks}")
    return weeks


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser with every subcommand."""
    from instances.presets import PRESETS

    parser = _Parser(
        prog="carecap",
        description=(
            "Regional care-capacity optimisation: assign flex-pool staff and "
            "part-timers who want more hours to open ANW shifts."
        ),
        epilog="Exit codes: 0 success, 1 findings, 2 bad input or usage, 3 no solution.",
    )
    parser.add_argument(
        "--version", action="version", version=f"carecap {carecap_version()}"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log progress to stderr"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    gen = sub.add_parser(
        "generate",
        help="generate a realistic region instance",
        description="Generate a region deterministically from a preset and a seed.",
    )
    gen.add_argument(
        "--preset", required=True, choices=list(PRESETS), help="region size"
    )
    gen.add_argument("--seed", required=True, type=int, help="random seed")
    gen.add_argument("--weeks", type=_weeks, help="horizon length in weeks (1-6)")
    gen.add_argument(
        "--start", type=_monday, help="horizon start, a Monday (YYYY-MM-DD)"
    )
    gen.add_argument(
        "-o", "--output", required=True, type=Path, help="region JSON to write"
    )
    gen.set_defaults(handler=_cmd_generate)

    val = sub.add_parser(
        "validate",
        help="check a region file and print its summary",
        description="Validate a region file: exit 0 when valid, 2 when not.",
    )
    val.add_argument("region", type=Path, help="region JSON file")
    val.add_argument("--json", action="store_true", help="print the summary as JSON")
    val.set_defaults(handler=_cmd_validate)

    sch = sub.add_parser(
        "schema",
        help="print the JSON Schema of the region format",
        description="Print (or write) the JSON Schema of the region file format.",
    )
    sch.add_argument("-o", "--output", type=Path, help="write the schema to this file")
    sch.set_defaults(handler=_cmd_schema)
    return parser


def _cmd_generate(args: argparse.Namespace) -> int:
    from instances.generator import generate_region

    started = time.perf_counter()
    region = generate_region(args.preset, args.seed, weeks=args.weeks, start=args.start)
    write_region(region, args.output)
    log.info("generated %s in %.2f s", region.name, time.perf_counter() - started)
    print(f"wrote {args.output}")
    print(region.summary())
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    region = read_region(args.region)
    if args.json:
        print(json.dumps(region_facts(region), indent=2))
    else:
        print(f"{args.region}: valid")
        print(region.summary())
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(Region.model_json_schema(), indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    return EXIT_OK


def region_facts(region: Region) -> dict[str, object]:
    """Returns the headline counts of a region as plain data (no personal data)."""
    classes = region.shift_classes
    open_hours: dict[str, float] = {}
    for slot in region.open_slots:
        name = classes[slot.shift].anw_class.value
        open_hours[name] = (
            open_hours.get(name, 0.0) + classes[slot.shift].paid_minutes / 60
        )
    return {
        "name": region.name,
        "format_version": region.format_version,
        "horizon_start": region.horizon.start.isoformat(),
        "weeks": region.horizon.weeks,
        "organisations": len(region.organisations),
        "wards": len(region.wards),
        "staff": len(region.staff),
        "shifts": len(region.shifts),
        "base_roster": len(region.base_roster),
        "open_slots": len(region.open_slots),
        "open_hours_by_class": {k: round(v, 2) for k, v in sorted(open_hours.items())},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns
    -------
    int
        The exit code (see the module docstring).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except InputError as error:
        for line in str(error).splitlines():
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        # An output path that cannot be written is a usage problem, not a bug.
        print(f"carecap: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

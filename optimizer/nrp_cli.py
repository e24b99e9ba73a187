"""Subcommand ``carecap nrp``: solve one Curtois & Qu benchmark instance (issue 7)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .cli import positive_int, seed_int


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``nrp`` subcommand."""
    parser = subparsers.add_parser(
        "nrp",
        help="solve a Curtois & Qu nurse-rostering benchmark instance",
        description=(
            "Solve one instance of the Curtois & Qu shift-scheduling benchmark "
            "(InstanceN.txt) with carecap's rule library and committed preset; "
            "print the penalty, the lower bound, the time to the best roster and the "
            "independent evaluator's verdict. Exit 2 on a malformed file, 3 when no "
            "roster was found."
        ),
    )
    parser.add_argument("instance", type=Path, help="benchmark instance file")
    parser.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=60.0,
        metavar="S",
        help="wall-clock seconds for the search (default 60)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        metavar="N",
        help="CP-SAT worker threads (default 2)",
    )
    parser.add_argument(
        "--seed", type=seed_int, default=0, metavar="N", help="random seed (default 0)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="directory to write roster.csv (employee,day,shift) to",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON object"
    )
    parser.set_defaults(handler=_cmd_nrp)


def _cmd_nrp(args: argparse.Namespace) -> int:
    from .cli import EXIT_NO_SOLUTION, EXIT_OK
    from .io import write_text_atomic
    from .nrp import read_nrp, roster_csv, solve_nrp

    instance = read_nrp(args.instance)
    result = solve_nrp(
        instance, time_limit=args.time_limit, workers=args.workers, seed=args.seed
    )
    found = math.isfinite(result.objective)
    written = None
    if found and args.output is not None:
        written = args.output / "roster.csv"
        write_text_atomic(written, roster_csv(instance, result.assignment))
    verdict = (
        "no roster"
        if result.evaluation is None
        else "legal, penalty recomputed and equal"
        if result.evaluation.is_feasible
        else "ILLEGAL"
    )
    summary = {
        "instance": instance.name,
        "status": result.status,
        "objective": result.objective if found else None,
        "bound": result.bound if math.isfinite(result.bound) else None,
        "gap": result.gap if found else None,
        "time_to_best_s": round(result.time_to_best, 3),
        "runtime_s": round(result.runtime, 3),
        "evaluator": verdict,
        "seed": args.seed,
        "workers": args.workers,
        "roster": str(written) if written else None,
    }
    if found:
        ev = result.evaluation
        summary["penalty_terms"] = {
            "on_requests": ev.on_request_penalty,
            "off_requests": ev.off_request_penalty,
            "under_cover": ev.under_cover_penalty,
            "over_cover": ev.over_cover_penalty,
        }
    if args.json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        lines = [
            instance.summary(),
            f"status        {result.status}",
            f"objective     {summary['objective']}",
            f"bound         {summary['bound']}",
            f"gap           {result.gap:.2%}" if found else "gap           -",
            f"time to best  {result.time_to_best:.2f} s of {result.runtime:.2f} s",
            f"evaluator     {verdict}",
        ]
        if written:
            lines.append(f"wrote         {written}")
        sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK if found else EXIT_NO_SOLUTION

"""Generate every preset once, time it, and compare its statistics with §7.6.

Usage: ``python benchmarks/generation_report.py [--presets S,M,L,XL] [--seed 1]``.
Prints a Markdown table and, with ``--write``, replaces the generation section of
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from carecap.instances import generate_region
from carecap.instances.statistics import TARGETS, region_statistics
from readme_section import replace_section

README = Path(__file__).parent / "README.md"
BEGIN = "<!-- generation-report:begin -->"
END = "<!-- generation-report:end -->"


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def build_table(presets: list[str], seed: int) -> str:
    generate_region("S", seed)  # compile the roster kernel outside the timings
    stats, seconds = {}, {}
    for preset in presets:
        started = time.perf_counter()
        region = generate_region(preset, seed)
        seconds[preset] = time.perf_counter() - started
        stats[preset] = region_statistics(region)
    header = "| statistic | target | " + " | ".join(presets) + " |"
    rule = "|---|---|" + "---|" * len(presets)
    rows = [
        "| generation time (s) | seconds | "
        + " | ".join(f"{seconds[p]:.2f}" for p in presets)
        + " |"
    ]
    for key in ("organisations", "employees", "flex_pool", "agency_people", "shifts"):
        rows.append(
            f"| {key} | | " + " | ".join(str(stats[p][key]) for p in presets) + " |"
        )
    for key, target in TARGETS.items():
        cells = []
        for p in presets:
            mark = "" if target.holds(stats[p][key]) else " (!)"
            cells.append(_fmt(stats[p][key]) + mark)
        rows.append(
            f"| {key} | {target.value:g} ± {target.tolerance:g} {target.source} | "
            + " | ".join(cells)
            + " |"
        )
    for key in (
        "anw_share_of_demand_hours",
        "anw_share_of_open_hours",
        "sickness_share_of_demand_hours",
        "agency_supply_per_open_slot",
    ):
        rows.append(
            f"| {key} | | " + " | ".join(_fmt(stats[p][key]) for p in presets) + " |"
        )
    for sector in ("VVT", "home_care", "GHZ", "hospital", "GGZ"):
        cells = []
        for p in presets:
            c = stats[p]["contracts"].get(sector)
            cells.append(
                "-"
                if c is None
                else f"{c['mean']:.1f} h; "
                + "/".join(f"{100 * b:.0f}" for b in c["bands"])
            )
        rows.append(
            f"| contracts {sector}: mean; % <12/12-20/20-35/35+ | §7.6 | "
            + " | ".join(cells)
            + " |"
        )
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    return "\n".join(
        [
            f"Seed {seed}; machine: {machine}; one run each after compiling the roster kernel.",
            "`(!)` marks a value outside the tolerance that the statistics test allows for M.",
            "",
            header,
            rule,
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presets", default="S,M,L,XL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--write", action="store_true", help="update benchmarks/README.md"
    )
    args = parser.parse_args()
    table = build_table(args.presets.split(","), args.seed)
    print(table)
    if args.write:
        replace_section(README, BEGIN, END, table)


if __name__ == "__main__":
    main()

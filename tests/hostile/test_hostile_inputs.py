"""Bad input files through the CLI (issue 28): exit 2, file and field named, no
traceback, existing outputs untouched.

Each case writes its files into ``tmp_path`` beside a folder of earlier outputs,
runs ``carecap`` in-process and checks the exit code, that stderr names the file
and the record and field (or argument), that it holds no traceback, and that every
file under ``tmp_path`` is byte-identical afterwards. A SIGALRM deadline turns a
read that blocks (a named pipe) into a failure instead of a hung test run.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from carecap.cli import main

from tests.helpers import tiny_region_data

ROOT = Path(__file__).resolve().parents[2]

DEADLINE_S = 20
"""Seconds a refused case may take before the test fails as a hang."""

EARLIER_OUTPUTS = ("roster.csv", "summary.json", "report.html", "region.xlsx")
"""Files of an earlier run in ``out/``, which a refused command must leave alone."""


@dataclass
class Ctx:
    """What a case builder gets: the folder to write into and pytest's monkeypatch."""

    tmp: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def out(self) -> Path:
        """Returns the folder of earlier outputs."""
        return self.tmp / "out"

    def region(
        self,
        change: Callable[[dict[str, Any]], object] | None = None,
        name: str = "region.json",
    ) -> Path:
        """Writes the tiny region (after ``change``) as JSON; floats as Python
        writes them, so ``inf`` becomes ``Infinity`` and ``nan`` ``NaN``."""
        data = tiny_region_data()
        if change is not None:
            change(data)
        path = self.tmp / name
        path.write_text(json.dumps(data))
        return path

    def file(self, name: str, content: str | bytes) -> Path:
        """Writes a file of text or bytes."""
        path = self.tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    def fifo(self, name: str) -> Path:
        """Makes a named pipe that nobody writes to."""
        path = self.tmp / name
        os.mkfifo(path)
        return path


Case = Callable[[Ctx], tuple[list[str], list[str]]]
"""Writes a case's files; returns the argv and the texts stderr must hold."""


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Returns a change that sets a dotted field (``costs.agency_factor``,
    ``staff.0.max_travel_km``) of the region dict."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = (
                node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
            )
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _rename_organisation(new: str) -> Callable[[dict[str, Any]], None]:
    """Returns a change that renames ORG-V everywhere (a valid region otherwise)."""

    def change(data: dict[str, Any]) -> None:
        text = json.dumps(data).replace('"ORG-V"', json.dumps(new))
        data.clear()
        data.update(json.loads(text))

    return change


TRUNCATED = json.dumps(tiny_region_data())[:700]

SCENARIO_HEAD = "scenarios:\n  - name: a\n    changes:\n"

# -- the cases ---------------------------------------------------------------


def _validate(change: Callable[[dict[str, Any]], object], *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        path = ctx.region(change)
        return ["validate", str(path)], [str(path), *needles]

    return case


def _solve(change: Callable[[dict[str, Any]], object], *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        path = ctx.region(change)
        argv = ["solve", str(path), "-o", str(ctx.out), "--time-limit", "5"]
        return argv, [str(path), *needles]

    return case


def _region_text(content: str | bytes, *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        path = ctx.file("region.json", content)
        return ["validate", str(path)], [str(path), *needles]

    return case


def _roster(content: str | bytes, *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        region = ctx.region()
        roster = ctx.file("roster_in.csv", content)
        argv = ["evaluate", str(region), str(roster), "-o", str(ctx.out)]
        return argv, [str(roster), *needles]

    return case


def _scenarios(content: str, *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        region = ctx.region()
        scenarios = ctx.file("scenarios.yaml", content)
        argv = ["whatif", str(region), str(scenarios), "-o", str(ctx.out), "--quick"]
        return argv, [str(scenarios), *needles]

    return case


def _manifest(content: str, *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        manifest = ctx.file("manifest.yaml", content)
        return ["batch", str(manifest), "-o", str(ctx.out)], [str(manifest), *needles]

    return case


def _summary(content: str, *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        summary = ctx.out / "summary.json"
        summary.write_text(content)
        return ["report", str(ctx.out)], [str(summary), *needles]

    return case


def _argv(argv: list[str], *needles: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        path = ctx.region()
        return [a.replace("REGION", str(path)) for a in argv], list(needles)

    return case


def _fifo_region(ctx: Ctx) -> tuple[list[str], list[str]]:
    pipe = ctx.fifo("region.json")
    return ["validate", str(pipe)], [str(pipe), "named pipe", "regular file"]


def _fifo_roster(ctx: Ctx) -> tuple[list[str], list[str]]:
    region = ctx.region()
    pipe = ctx.fifo("roster_in.csv")
    return ["evaluate", str(region), str(pipe)], [str(pipe), "named pipe"]


def _region_over_limit(ctx: Ctx) -> tuple[list[str], list[str]]:
    ctx.monkeypatch.setenv("CARECAP_MAX_INPUT_MB", "0.001")
    path = ctx.region()
    needles = [str(path), "larger than 0.001 MB", "CARECAP_MAX_INPUT_MB"]
    return ["validate", str(path)], needles


def _nrp_empty(ctx: Ctx) -> tuple[list[str], list[str]]:
    path = ctx.file("empty.txt", "")
    return ["nrp", str(path), "-o", str(ctx.out)], [str(path), "empty"]


def _export_dots(name: str) -> Case:
    def case(ctx: Ctx) -> tuple[list[str], list[str]]:
        path = ctx.region(_rename_organisation(name))
        needles = [str(path), f"organisations[0] (id {name!r}).id", "only dots"]
        return ["export", str(path), "-o", str(ctx.out / "planner")], needles

    return case


DEEP = 100_000

CASES: dict[str, Case] = {
    # Item 2: unbounded reads.
    "2-validate-named-pipe": _fifo_region,
    "2-evaluate-roster-named-pipe": _fifo_roster,
    "2-region-over-size-limit": _region_over_limit,
    # Item 6: numbers that are not numbers.
    "6-agency-factor-infinity": _solve(
        _set("costs.agency_factor", float("inf")), "costs.agency_factor", "finite"
    ),
    "6-agency-factor-1e15": _solve(
        _set("costs.agency_factor", 1e15), "costs.agency_factor", "less than or equal"
    ),
    "6-travel-cost-1e308": _validate(
        _set("costs.travel_cost_per_km", 1e308), "costs.travel_cost_per_km"
    ),
    "6-wage-nan": _validate(
        _set("costs.hourly_wage", {"N3": float("nan")}),
        "costs.hourly_wage.N3",
        "finite",
    ),
    "6-max-travel-infinity": _validate(
        _set("staff.0.max_travel_km", float("inf")),
        "staff[0] (id 'P1').max_travel_km",
    ),
    # Item 7: tracebacks where exit 2 is due.
    "7-region-nested-deeply": _region_text("[" * DEEP + "]" * DEEP, "nested"),
    "7-scenarios-nested-deeply": _scenarios(
        "scenarios: " + "[" * DEEP + "]" * DEEP + "\n", "nested"
    ),
    "7-horizon-year-1": _validate(
        _set("horizon.start", "0001-01-01"), "horizon.start", "0001-01-01"
    ),
    "7-horizon-year-9999": _solve(
        _set("horizon.start", "9999-12-27"), "horizon.start", "9999-12-27"
    ),
    "7-unavailability-year-1": _validate(
        _set(
            "staff.0.unavailability",
            [{"start": "0001-01-01T00:00", "end": "0001-01-02T00:00"}],
        ),
        "staff[0] (id 'P1').unavailability[0].start",
    ),
    "7-solve-seed-20-digits": _argv(
        ["solve", "REGION", "-o", "out", "--seed", "9" * 20], "--seed", "9" * 20
    ),
    "7-generate-seed-minus-1": _argv(
        ["generate", "--preset", "S", "--seed", "-1", "-o", "out/g.json"],
        "--seed",
        "-1",
    ),
    "7-generate-start-year-1": _argv(
        [
            *[
                "generate",
                "--preset",
                "S",
                "--seed",
                "1",
                "--start",
                "0001-01-01",
                "-o",
                "out/g.json",
            ]
        ],
        "--start",
        "0001-01-01",
    ),
    "7-nrp-empty-file": _nrp_empty,
    "7-report-summary-levels-not-a-list": _summary('{"levels": "x"}', "levels"),
    "7-report-summary-kpi-text": _summary(
        '{"status": "OPTIMAL", "kpis": {"agency_cost": "x"}}', "kpis", "agency_cost"
    ),
    "7-report-summary-nested-deeply": _summary("[" * DEEP + "]" * DEEP, "JSON"),
    # Item 9: ids that are not safe as file names.
    "9-export-organisation-dot-dot": _export_dots(".."),
    "9-export-organisation-dot": _export_dots("."),
    # Held cases that matter most.
    "held-region-truncated": _region_text(TRUNCATED, "not valid JSON at line"),
    "held-region-empty": _region_text("", "empty"),
    "held-region-binary": _region_text(bytes(range(256)) * 4, "not UTF-8"),
    "held-region-utf16": _region_text(
        json.dumps(tiny_region_data()).encode("utf-16"), "not UTF-8"
    ),
    "held-region-dangling-reference": _validate(
        _set("staff.0.organisation", "ORG-NONE"),
        "staff[0] (id 'P1').organisation",
        "ORG-NONE",
    ),
    "held-roster-empty": _roster("", "empty"),
    "held-roster-binary": _roster(bytes(range(256)) * 4, "not UTF-8"),
    "held-roster-utf16": _roster(
        "shift_id,staff_id\nS1,P1\n".encode("utf-16"), "not UTF-8"
    ),
    "held-roster-dangling-staff": _roster(
        "shift_id,staff_id\nS3,P9\n", "line 2", "staff_id", "P9"
    ),
    "held-scenarios-python-tag": _scenarios(
        "scenarios: !!python/object/apply:os.system ['echo owned']\n", "YAML"
    ),
    "held-scenarios-anchor-alias": _scenarios(
        "base: &b {kind: travel, factor: -1}\n" + SCENARIO_HEAD + "      - *b\n",
        "scenarios[0] (name 'a').changes[0]",
        "factor",
    ),
    "held-manifest-job-id-traversal": _manifest(
        'format_version: "1.0"\njobs:\n'
        "  - {id: ../../escape, generate: {preset: S, seed: 1}}\n",
        "jobs[0] (id '../../escape').id",
    ),
    "held-manifest-python-tag": _manifest(
        "jobs: !!python/object/apply:os.system ['echo owned']\n", "YAML"
    ),
}


class Blocked(BaseException):
    """A command ran past its deadline; not an OSError (as TimeoutError is), so the
    CLI's own error handling cannot turn a hang into an exit code."""


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fails a block that runs longer than ``seconds`` (a blocking read)."""

    def expire(signum: int, frame: Any) -> None:
        raise Blocked(f"the command blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(root: Path) -> dict[str, bytes]:
    """Returns every regular file under ``root`` with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str], root: Path
) -> tuple[int, str]:
    """Runs the CLI in-process within the deadline; returns exit code and stderr,
    after checking that nothing under ``root`` changed."""
    before = snapshot(root)
    capsys.readouterr()
    with _deadline(DEADLINE_S):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code if isinstance(stop.code, int) else 1
    err = capsys.readouterr().err
    assert snapshot(root) == before, "a refused command changed files"
    return code, err


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_exit_2(name, tmp_path, monkeypatch, capsys):
    """Tests that a bad input file or argument ends in exit 2, a message naming
    file and field (or argument), no traceback, and untouched earlier outputs."""
    ctx = Ctx(tmp_path, monkeypatch)
    ctx.out.mkdir()
    for output in EARLIER_OUTPUTS:
        (ctx.out / output).write_text(f"earlier {output}\n")
    monkeypatch.chdir(tmp_path)
    argv, needles = CASES[name](ctx)
    code, err = run_refused(argv, capsys, tmp_path)
    assert "Traceback" not in err
    assert code == 2, err
    for needle in needles:
        assert needle in err, (needle, err)


def _run_bounded(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs carecap in a process with 2 GB of address space and a deadline, so that
    a reader that does not stop at /dev/zero fails instead of exhausting memory."""
    limit = 2 * 2**30

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "carecap.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=bound,
        timeout=120,
        check=False,
    )


def test_validate_dev_zero_is_refused(tmp_path):
    """Tests that validate refuses /dev/zero as a device at once (item 2)."""
    done = _run_bounded(["validate", "/dev/zero"], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "/dev/zero: is a character device, not a regular file" in done.stderr


def test_batch_job_reading_dev_zero_fails_alone(tmp_path):
    """Tests that a batch job whose region is /dev/zero fails at once with an error
    naming manifest, job, field and why, instead of reading without end (item 2)."""
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        'format_version: "1.0"\njobs:\n  - {id: zero, region: /dev/zero}\n'
    )
    out = tmp_path / "out"
    done = _run_bounded(["batch", str(manifest), "-o", str(out)], tmp_path)
    # A failed job, not a bad manifest: exit 1 (README, batch exit codes).
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    error = json.loads((out / "jobs" / "zero.error.json").read_text())["error"]
    assert f"{manifest}: jobs[0] (id 'zero').region: /dev/zero" in error
    assert "character device" in error


def test_schema_documents_the_bounds(capsys):
    """Tests that the region schema states the bounds and meaning of cost fields."""
    assert main(["schema"]) == 0
    costs = json.loads(capsys.readouterr().out)["$defs"]["Costs"]["properties"]
    assert costs["agency_factor"]["maximum"] == 10
    assert "multiple of the hourly wage" in costs["agency_factor"]["description"]
    assert costs["travel_cost_per_km"]["maximum"] == 10
    wage = costs["hourly_wage"]["additionalProperties"]
    assert wage["maximum"] == 1000


@pytest.mark.parametrize(
    ("name", "value"),
    [("costs.agency_factor", 10), ("costs.travel_cost_per_km", 10)],
)
def test_highest_allowed_costs_still_solve(name, value, tmp_path, capsys):
    """Tests that the highest bound of a cost field gives a roster (exit 0), so the
    bounds keep CP-SAT's integer costs exact and the model feasible."""
    ctx = Ctx(tmp_path, pytest.MonkeyPatch())
    path = ctx.region(_set(name, value))
    code = main(["solve", str(path), "-o", str(tmp_path / "out"), "--time-limit", "5"])
    assert code == 0, capsys.readouterr().err

"""Ctrl-C and killed drivers (issue 28, items 3 and 4), on real processes.

Each case starts ``carecap`` on the generated M region, waits for a marker (a line
on stderr, or a worker that has used CPU time), signals it, and checks the exit
code, stderr, the files of the output folder, and, by process id, that no worker
outlives its driver by more than `GONE_WITHIN_S` seconds.
"""

from __future__ import annotations

import signal

import pytest

from tests.hostile.processes import (
    EARLIER,
    GONE_WITHIN_S,
    Carecap,
    busy_workers,
    children,
    medium_region,
    wait_until_gone,
)

INTERRUPTED = 130
"""The exit code of a run ended by Ctrl-C."""


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """The generated M region (see `medium_region`)."""
    return medium_region(tmp_path_factory)


@pytest.fixture
def out(tmp_path):
    """An output folder holding an earlier run's files (`EARLIER`)."""
    folder = tmp_path / "out"
    folder.mkdir()
    for name, content in EARLIER.items():
        (folder / name).write_bytes(content)
    return folder


def assert_untouched(folder):
    """Asserts that ``folder`` holds exactly the earlier run's files, unchanged."""
    found = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert found == EARLIER


def solve_argv(region, out):
    return ["-v", "solve", region, "-o", out, "--time-limit", 60, "--workers", 1]


def test_ctrl_c_during_a_level_ends_the_whole_solve(region, out):
    """Tests that Ctrl-C while CP-SAT solves the second level ends the run at once
    with exit 130 and writes nothing: before, only that level ended and the others
    went on to write a roster as if nothing had happened, with exit 0."""
    with Carecap(*solve_argv(region, out)) as run:
        run.wait_for("level agency")
        run.signal(signal.SIGINT, group=True)
        code = run.finish(timeout=15)
        assert code == INTERRUPTED, run.stderr[-2000:]
        assert "carecap: interrupted" in run.stderr
        assert "Traceback" not in run.stderr
        assert "status" not in run.stdout  # no result printed
    assert_untouched(out)


def test_ctrl_c_while_the_model_is_built(region, out):
    """Tests that Ctrl-C while the CP-SAT model is built exits 130 without a
    KeyboardInterrupt traceback and writes nothing."""
    with Carecap(*solve_argv(region, out)) as run:
        run.wait_for("building the CP-SAT model")
        run.signal(signal.SIGINT, group=True)
        assert run.finish(timeout=15) == INTERRUPTED, run.stderr[-2000:]
        assert "carecap: interrupted" in run.stderr
        assert "Traceback" not in run.stderr
    assert_untouched(out)


@pytest.fixture
def manifest(region, tmp_path):
    """A batch of one job on the M region with a minute's time limit."""
    path = tmp_path / "manifest.yaml"
    path.write_text(
        "solver: {backend: cpsat, time_limit: 60, workers: 1}\n"
        f"jobs:\n  - {{id: m1, region: {region}}}\n",
        encoding="utf-8",
    )
    return path


def batch_argv(manifest, tmp_path):
    return ["-v", "batch", manifest, "-o", tmp_path / "batch", "--workers", 1]


def test_ctrl_c_on_batch_ends_driver_and_workers(manifest, tmp_path):
    """Tests that Ctrl-C (SIGINT to the process group) on `carecap batch` with a job
    running exits 130 without a traceback, its worker gone and no results table."""
    with Carecap(*batch_argv(manifest, tmp_path)) as run:
        workers = busy_workers(run)
        run.signal(signal.SIGINT, group=True)
        assert run.finish(timeout=15) == INTERRUPTED, run.stderr[-2000:]
        assert wait_until_gone(workers, GONE_WITHIN_S) == []
        assert "carecap: interrupted" in run.stderr
        assert "Traceback" not in run.stderr
    assert not (tmp_path / "batch" / "results.csv").exists()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_driver(manifest, tmp_path, signum):
    """Tests that after ``kill -9`` or SIGTERM of the `carecap batch` driver, none of
    its children (workers, resource tracker) is alive 5 s later and nothing holds
    the caller's pipes open: before, each worker went on solving for nobody."""
    with Carecap(*batch_argv(manifest, tmp_path)) as run:
        workers = busy_workers(run)
        everyone = children(run.pid)
        run.signal(signum)
        assert run.process.wait(GONE_WITHIN_S) == -signum
        assert wait_until_gone(everyone, GONE_WITHIN_S) == []
        assert run.pipes_closed(GONE_WITHIN_S)
        # At -v each worker says who it is (how a planner finds it).
        for pid in workers:
            assert f"batch worker {pid} started" in run.stderr

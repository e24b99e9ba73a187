"""Tests of `carecap.batch` and ``carecap batch``: resuming, failures, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from carecap.batch import (
    JobEvent,
    comparable,
    input_hash,
    job_result_path,
    job_specs,
    read_manifest,
    run_batch,
)
from carecap.cli import main
from carecap.instances import EXAMPLE_REGION

from tests.helpers import record, tiny_region_data

SCENARIOS = """
scenarios:
  - name: plus4
    changes:
      - {kind: contract_uplift, group: wants_more, hours: 4}
  - name: no-agency
    changes:
      - {kind: agency, max_share: 0}
"""


def write_inputs(folder: Path, jobs: str, solver: str = "{backend: greedy}") -> Path:
    """Writes a scenario file and a manifest with ``jobs``; returns the manifest."""
    (folder / "scenarios.yaml").write_text(SCENARIOS)
    manifest = folder / "manifest.yaml"
    manifest.write_text(f'format_version: "1.0"\nsolver: {solver}\njobs:\n{jobs}')
    return manifest


GOOD_JOBS = f"""
  - id: example
    region: {EXAMPLE_REGION}
    scenarios: scenarios.yaml
  - id: example-seed1
    region: {EXAMPLE_REGION}
    scenarios: scenarios.yaml
    solver: {{seed: 1}}
  - id: generated
    generate: {{preset: S, seed: 2}}
"""

BROKEN_JOB = """
  - id: broken
    region: broken_region.json
"""


def write_broken_region(folder: Path) -> None:
    """Writes the tiny region with a staff record that breaks a rule (P2 wants less
    than the contract): a job on it fails on bad input."""
    data = tiny_region_data()
    record(data, "staff", "P2")["desired_hours"] = 8
    (folder / "broken_region.json").write_text(json.dumps(data))


def events_of(run) -> tuple[list[JobEvent], object]:
    """Returns a list that collects the events of a run, and the run's report."""
    events: list[JobEvent] = []
    return events, run(events.append)


def test_failing_job_is_isolated_and_resume_skips_finished_jobs(tmp_path):
    """Tests that a broken job fails alone, and a rerun reuses the finished jobs,
    retries the failed one and writes the same results table."""
    write_broken_region(tmp_path)
    manifest_path = write_inputs(tmp_path, GOOD_JOBS + BROKEN_JOB)
    manifest = read_manifest(manifest_path)
    out = tmp_path / "out"

    events, report = events_of(
        lambda cb: run_batch(manifest, manifest_path, out, on_event=cb)
    )
    assert [o["status"] for o in report.outcomes] == ["ok", "ok", "ok", "failed"]
    assert report.num_failed == 1 and report.num_skipped == 0
    assert sorted(e.status for e in events) == ["failed", "ok", "ok", "ok"]
    broken = report.outcomes[3]
    assert broken["error_type"] == "InputError"
    assert "staff[1] (id 'P2').desired_hours" in broken["error"]
    assert (out / "jobs" / "broken.error.json").exists()
    first = pd.read_parquet(out / "results.parquet")
    # One row per job and scenario (baseline included), one for the failed job.
    assert list(first["job_id"]) == ["example"] * 3 + ["example-seed1"] * 3 + [
        "generated",
        "broken",
    ]
    assert list(first["scenario"][:3]) == ["baseline", "plus4", "no-agency"]
    assert first.loc[first["job_id"] == "broken", "job_status"].item() == "failed"

    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "jobs").glob("*.json")}
    events, _ = events_of(
        lambda cb: run_batch(manifest, manifest_path, out, on_event=cb)
    )
    assert {e.job_id: e.status for e in events} == {
        "example": "skipped",
        "example-seed1": "skipped",
        "generated": "skipped",
        "broken": "failed",
    }
    for name in ("example.json", "example-seed1.json", "generated.json"):
        assert (out / "jobs" / name).stat().st_mtime_ns == mtimes[name]
    second = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(comparable(first), comparable(second))
    # Reused rows keep even their timings; only the retried job ran again.
    pd.testing.assert_frame_equal(first.iloc[:-1], second.iloc[:-1])


def test_half_written_result_is_not_trusted(tmp_path):
    """Tests that a truncated result file, or one for other input, is run again."""
    manifest_path = write_inputs(tmp_path, GOOD_JOBS)
    manifest = read_manifest(manifest_path)
    out = tmp_path / "out"
    run_batch(manifest, manifest_path, out)
    result = job_result_path(out, "example")
    result.write_text(result.read_text()[:100])
    stored = json.loads(job_result_path(out, "generated").read_text())
    stored["input_hash"] = "0" * 64
    job_result_path(out, "generated").write_text(json.dumps(stored))
    events, _ = events_of(
        lambda cb: run_batch(manifest, manifest_path, out, on_event=cb)
    )
    assert {e.job_id: e.status for e in events} == {
        "example": "ok",
        "example-seed1": "skipped",
        "generated": "ok",
    }
    json.loads(result.read_text())  # complete again


def test_input_hash_covers_input_settings_and_version(tmp_path):
    """Tests that the resume hash changes with the region, scenarios, settings and
    carecap version, and not with the file's name."""
    args = {
        "settings": {"seed": 0, "backend": "greedy"},
        "version": "1.0",
        "region_text": "{}",
        "generate": None,
        "scenario_text": "scenarios: []",
    }
    base = input_hash(**args)
    assert input_hash(**args) == base
    for key, value in (
        ("settings", {"seed": 1, "backend": "greedy"}),
        ("version", "1.1"),
        ("region_text", "{ }"),
        ("scenario_text", None),
        ("generate", {"preset": "S", "seed": 1}),
    ):
        assert input_hash(**{**args, key: value}) != base, key
    # The same content under two names gives the same hash.
    (tmp_path / "a.json").write_text(EXAMPLE_REGION.read_text())
    manifest_path = write_inputs(
        tmp_path,
        f"  - {{id: x, region: {EXAMPLE_REGION}}}\n  - {{id: y, region: a.json}}\n",
    )
    specs = job_specs(read_manifest(manifest_path), manifest_path, "1.0")
    assert specs[0].input_hash == specs[1].input_hash


def test_dask_cluster_gives_the_local_table(tmp_path):
    """Tests that jobs on a local Dask cluster (2 workers) give the same results
    table as local runs, timings aside, with deterministic CP-SAT solves."""
    from distributed import Client, LocalCluster

    jobs = f"""
  - id: example
    region: {EXAMPLE_REGION}
    scenarios: scenarios.yaml
  - id: example-greedy
    region: {EXAMPLE_REGION}
    solver: {{backend: greedy, seed: 3}}
"""
    manifest_path = write_inputs(
        tmp_path, jobs, "{backend: cpsat, time_limit: 5, deterministic: true}"
    )
    manifest = read_manifest(manifest_path)
    local = run_batch(manifest, manifest_path, tmp_path / "local")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        executor = client.get_executor(pure=False)
        remote = run_batch(
            manifest, manifest_path, tmp_path / "dask", executor=executor
        )
    assert remote.num_failed == 0
    pd.testing.assert_frame_equal(comparable(local.results), comparable(remote.results))


def test_cli_bad_manifest_exits_2(tmp_path, capsys):
    """Tests that an invalid manifest exits 2 naming the file, job and field."""
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "jobs:\n"
        "  - {id: a, generate: {preset: S, seed: 1}}\n"
        "  - {id: b, region: r.json, solver: {time_limit: -3}}\n"
        "  - {id: c}\n"
    )
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{manifest}: jobs[1] (id 'b').solver.time_limit:" in err
    assert f"{manifest}: jobs[2] (id 'c'): " in err and "exactly one of region" in err
    assert not (tmp_path / "out").exists()


def test_cli_batch_local_processes(tmp_path, capsys):
    """Tests `carecap batch` on local processes: exit 1 with one broken job, one
    progress line per job (no terminal), JSON lines, and no personal data logged."""
    write_broken_region(tmp_path)
    manifest = write_inputs(tmp_path, GOOD_JOBS + BROKEN_JOB)
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "--workers", "2"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 4
    assert any("job broken: FAILED (InputError)" in line for line in lines)
    assert "P2" not in captured.err and "desired_hours" not in captured.err
    assert "4 job(s): 3 ok" in captured.out
    results = pd.read_csv(out / "results.csv")
    assert results["job_status"].value_counts().to_dict() == {"ok": 7, "failed": 1}

    assert main(["batch", str(manifest), "-o", str(out), "--log-format", "json"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [r["event"] for r in records] == ["job"] * 4 + ["summary"]
    assert {r["status"] for r in records[:4]} == {"skipped", "failed"}
    assert records[-1]["skipped"] == 3 and records[-1]["failed"] == 1


def test_killed_batch_resumes_to_the_same_table(tmp_path):
    """Tests that a `carecap batch` process killed with SIGKILL part-way through,
    then started again, finishes with the same table as an uninterrupted run."""
    jobs = "".join(
        f"  - {{id: job{k}, region: {EXAMPLE_REGION}, scenarios: scenarios.yaml, "
        f"solver: {{seed: {k}}}}}\n"
        for k in range(6)
    )
    manifest = write_inputs(tmp_path, jobs)
    reference = run_batch(read_manifest(manifest), manifest, tmp_path / "reference")

    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "carecap.cli",
        "batch",
        str(manifest),
        "-o",
        str(out),
        "--workers",
        "1",
    ]
    cwd = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((out / "jobs").glob("job*.json")):
            assert process.poll() is None, "the batch ended before it was killed"
            assert time.monotonic() < deadline, "no job finished in time"
            time.sleep(0.02)
    finally:
        # The whole session: the driver and its worker process.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished_before = len(list((out / "jobs").glob("job*.json")))
    assert 1 <= finished_before < 6
    assert not (out / "results.parquet").exists()

    rerun = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"({finished_before} reused)" in rerun.stdout or finished_before == 0
    pd.testing.assert_frame_equal(
        comparable(pd.read_parquet(out / "results.parquet")),
        comparable(reference.results),
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("jobs: []\n", "jobs:"),
        ("jobs:\n  - {id: 'a b', region: r.json}\n", "jobs[0] (id 'a b').id:"),
        (
            "jobs:\n  - {id: a, region: r.json}\n  - {id: A, region: r.json}\n",
            "duplicate job id 'A'",
        ),
        (
            "jobs:\n  - {id: a, generate: {preset: XXL, seed: 1}}\n",
            "jobs[0] (id 'a').generate.preset: unknown preset 'XXL'",
        ),
        (
            "jobs:\n  - {id: a, generate: {preset: S, seed: 1, start: 2026-03-24}}\n",
            "generate.start: 2026-03-24 is not a Monday",
        ),
        (
            "solver: {backend: gurobi}\njobs:\n  - {id: a, region: r.json}\n",
            "solver.backend: 'gurobi' is not allowed",
        ),
    ],
)
def test_raises_on_bad_manifests(tmp_path, text, fragment):
    """Tests that manifest problems name the file, the job and the field."""
    from carecap.exceptions import InputError

    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_manifest(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert any(fragment in line for line in lines), lines

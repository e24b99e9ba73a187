"""Batch runs for schedulers: many what-ifs, unattended, locally or on Dask.

A manifest (YAML or JSON, `Manifest`) lists jobs: a region file or a generator preset
and seed, an optional scenario file, and solver settings. Each job is one what-if
(`carecap.whatif.run_whatif`: the baseline and every scenario). `run_batch` runs
the jobs on any `concurrent.futures.Executor`: a local process pool by default, or a
Dask cluster through ``distributed.Client(address).get_executor()``. Setting up a
cluster is beyond the scope of this library; the CLI only connects to one.

Guarantees for unattended runs:

* **Resumable.** Every job has an input hash over the region and scenario text, the
  generator settings, the solver settings and the carecap version. A job whose
  result file ``jobs/<id>.json`` holds the same hash is skipped; re-running after a
  crash or a kill finishes the rest and loses nothing.
* **Atomic.** Every file is written to a temporary file, flushed to disk and
  renamed; a killed run never leaves a half-written file that a later run trusts
  (a result file that does not parse is ignored and its job run again).
* **Failures isolated.** A job that fails (bad input, solver error, a lost worker)
  is recorded with its error in ``jobs/<id>.error.json`` and in the results table;
  the other jobs go on.
* **Reproducible.** Jobs read their inputs on the driver and ship the text to the
  workers, so a local pool and a cluster solve the very same input; with the
  deterministic settings (the batch default) they give the same table.
* **No personal data in logs.** Progress lines name the job, its status, counts
  and seconds, and for a failure the error type only.

Outputs in the output directory: ``jobs/<id>.json`` per finished job,
``jobs/<id>.error.json`` per failed one, and ``results.csv`` / ``results.parquet``
with one row per job and scenario (the baseline included), plus ``batch.json``.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from .domain import Day
from .exceptions import InputError
from .io import format_validation_error, write_text_atomic
from .scenarios import load_structured_text, read_text_file
from .whatif import TIMING_COLUMNS, result_columns, write_table

MANIFEST_FORMAT_VERSION = "1.0"
"""Version of the manifest format."""

JobId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$"),
]
"""Job id: letters, digits, ``_``, ``.`` and ``-``; it names the job's result file."""

JOB_COLUMNS = ("job_id", "job_status", "input_hash", "region")
"""Columns in front of the what-if columns in ``results``."""

ERROR_COLUMNS = ("error_type", "error", "job_seconds")
"""Columns after the what-if columns in ``results``."""

BATCH_TIMING_COLUMNS = (*TIMING_COLUMNS, "job_seconds")
"""Columns that differ between runs of the same input."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolverSettings(_Strict):
    """Solver settings of a job; fields left out come from the manifest's defaults.

    Defaults when neither sets them: ``cpsat``, seed 0, 30 s, 1 CP-SAT worker per job,
    lexicographic, deterministic (so reruns and backends give the same table).
    """

    backend: Literal["cpsat", "greedy"] | None = None
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    time_limit: float | None = Field(default=None, gt=0, le=86_400)
    workers: int | None = Field(default=None, ge=1, le=256)
    mode: Literal["lexicographic", "weighted"] | None = None
    deterministic: bool | None = None

    def over(self, defaults: SolverSettings) -> dict[str, Any]:
        """Returns the concrete settings: this, then ``defaults``, then the built-ins."""
        builtin = {
            "backend": "cpsat",
            "seed": 0,
            "time_limit": 30.0,
            "workers": 1,
            "mode": "lexicographic",
            "deterministic": True,
        }
        return {
            name: next(
                value
                for value in (getattr(self, name), getattr(defaults, name), default)
                if value is not None
            )
            for name, default in builtin.items()
        }


class GeneratorSpec(_Strict):
    """A generated region: preset, seed and optionally weeks and start (a Monday)."""

    preset: str
    seed: int = Field(ge=0, le=2**31 - 1)
    weeks: int | None = Field(default=None, ge=1, le=6)
    start: Day | None = None

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        from carecap.instances.presets import PRESETS

        if value not in PRESETS:
            raise ValueError(
                f"unknown preset {value!r}; use one of {', '.join(PRESETS)}"
            )
        return value

    @field_validator("start")
    @classmethod
    def _monday(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value.weekday() != 0:
            raise ValueError(f"{value.isoformat()} is not a Monday")
        return value


class Job(_Strict):
    """One job of a manifest: a region (file or generated), scenarios, settings.

    Attributes
    ----------
    id
        Unique in the manifest; names the job's files.
    region
        Region JSON file, relative to the manifest's folder (or absolute).
    generate
        A generated region instead of a file.
    scenarios
        Scenario file (YAML or JSON), relative to the manifest's folder; without
        one the job solves the baseline only.
    solver
        Settings over the manifest's ``solver`` defaults.
    """

    id: JobId
    region: str | None = Field(default=None, min_length=1)
    generate: GeneratorSpec | None = None
    scenarios: str | None = Field(default=None, min_length=1)
    solver: SolverSettings = SolverSettings()

    @model_validator(mode="after")
    def _one_region(self) -> Job:
        if (self.region is None) == (self.generate is None):
            raise ValueError("give exactly one of region, generate")
        return self


class Manifest(_Strict):
    """A batch manifest: default solver settings and the jobs."""

    format_version: Literal["1.0"] = MANIFEST_FORMAT_VERSION
    solver: SolverSettings = SolverSettings()
    jobs: tuple[Job, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Manifest:
        seen: set[str] = set()
        for job in self.jobs:
            # Ids name files: two that differ only in case clash on some disks.
            key = job.id.lower()
            if key in seen:
                raise ValueError(f"duplicate job id {job.id!r}")
            seen.add(key)
        return self


def parse_manifest(text: str, source: str = "<manifest>") -> Manifest:
    """Parses and validates manifest text (YAML or JSON); see `read_manifest`."""
    raw = load_structured_text(text, source)
    if not isinstance(raw, dict):
        raise InputError(source, ["expected a mapping with 'jobs' at the top level"])
    try:
        return Manifest.model_validate(raw)
    except ValidationError as error:
        raise InputError(source, format_validation_error(error, raw)) from None


def read_manifest(path: str | Path) -> Manifest:
    """Reads and validates a manifest file.

    Raises
    ------
    InputError
        If the file cannot be read or parsed, or is not a valid manifest; each
        line names the file, the job (with its id) and the field.
    """
    return parse_manifest(read_text_file(path, "manifest"), str(path))


# ---------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------


class JobInputError(InputError):
    """A job's input file cannot be read; the message names manifest, job and field."""

    def __init__(self, message: str):
        super().__init__("", message.splitlines())

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to run one job; plain data, so it pickles.

    Inputs travel as text, read on the driver: workers need no shared disk, and the
    input hash covers exactly what they solve.
    """

    job_id: str
    input_hash: str
    settings: dict[str, Any]
    region_text: str | None = None
    region_source: str | None = None
    generate: dict[str, Any] | None = None
    scenario_text: str | None = None
    scenario_source: str | None = None
    input_error: str | None = None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_hash(
    *,
    settings: dict[str, Any],
    version: str,
    region_text: str | None,
    generate: dict[str, Any] | None,
    scenario_text: str | None,
) -> str:
    """Returns the hash that decides whether a job's stored result still holds.

    It covers the region (file content, or the generator settings), the scenario
    file content, the solver settings and the carecap version; not file names.
    """
    document = {
        "carecap": version,
        "settings": settings,
        "region_sha256": _sha256(region_text) if region_text is not None else None,
        "generate": generate,
        "scenarios_sha256": (
            _sha256(scenario_text) if scenario_text is not None else None
        ),
    }
    canonical = json.dumps(document, sort_keys=True, default=str)
    return _sha256(canonical)


def job_specs(manifest: Manifest, manifest_path: Path, version: str) -> list[JobSpec]:
    """Reads every job's inputs and returns the specs, in manifest order.

    A job whose file cannot be read gets ``input_error`` and fails on its own.
    """
    folder = manifest_path.parent
    specs = []
    for job_idx, job in enumerate(manifest.jobs):
        settings = job.solver.over(manifest.solver)
        texts: dict[str, str | None] = {"region": None, "scenarios": None}
        sources: dict[str, str | None] = {"region": None, "scenarios": None}
        error = None
        for key, what in (
            ("region", "region JSON file"),
            ("scenarios", "scenario file"),
        ):
            name = getattr(job, key)
            if name is None:
                continue
            path = Path(name) if Path(name).is_absolute() else folder / name
            sources[key] = str(path)
            try:
                texts[key] = read_text_file(path, what)
            except InputError as problem:
                error = "\n".join(
                    f"{manifest_path}: jobs[{job_idx}] (id {job.id!r}).{key}: {line}"
                    for line in str(problem).splitlines()
                )
        generate = (
            job.generate.model_dump(mode="json") if job.generate is not None else None
        )
        specs.append(
            JobSpec(
                job_id=job.id,
                input_hash=input_hash(
                    settings=settings,
                    version=version,
                    region_text=texts["region"],
                    generate=generate,
                    scenario_text=texts["scenarios"],
                ),
                settings=settings,
                region_text=texts["region"],
                region_source=sources["region"],
                generate=generate,
                scenario_text=texts["scenarios"],
                scenario_source=sources["scenarios"],
                input_error=error,
            )
        )
    return specs


def run_job(spec: JobSpec) -> dict[str, Any]:
    """Runs one job (in a worker) and returns its outcome; never raises.

    Returns
    -------
    dict
        ``job_id``, ``input_hash``, ``status`` (``ok`` or ``failed``), ``region``
        (its name), ``rows`` (the what-if rows), ``error_type``, ``error``,
        ``traceback`` and ``seconds``.
    """
    started = time.perf_counter()
    outcome: dict[str, Any] = {
        "job_id": spec.job_id,
        "input_hash": spec.input_hash,
        "status": "failed",
        "region": None,
        "rows": [],
        "error_type": None,
        "error": None,
        "traceback": None,
    }
    try:
        if spec.input_error is not None:
            raise JobInputError(spec.input_error)
        rows, region_name = _solve_job(spec)
        outcome.update(status="ok", rows=rows, region=region_name)
    except Exception as error:  # one job's failure must not stop the batch
        outcome.update(
            error_type=type(error).__name__,
            error=str(error),
            traceback=traceback.format_exc(),
        )
    outcome["seconds"] = time.perf_counter() - started
    return outcome


def _solve_job(spec: JobSpec) -> tuple[list[dict[str, Any]], str]:
    from .io import parse_region
    from .params import SolveParams
    from .scenarios import parse_scenarios
    from .whatif import run_whatif

    if spec.region_text is not None:
        region = parse_region(spec.region_text, spec.region_source or spec.job_id)
    else:
        from carecap.instances.generator import generate_region

        generate = dict(spec.generate or {})
        start = generate.get("start")
        region = generate_region(
            generate["preset"],
            generate["seed"],
            weeks=generate.get("weeks"),
            start=dt.date.fromisoformat(start) if start else None,
        )
    scenarios = []
    if spec.scenario_text is not None:
        source = spec.scenario_source or spec.job_id
        scenarios = list(parse_scenarios(spec.scenario_text, source).scenarios)
    settings = spec.settings
    params = SolveParams(
        time_limit=float(settings["time_limit"]),
        workers=int(settings["workers"]),
        mode=settings["mode"],
        deterministic=bool(settings["deterministic"]),
    )
    result = run_whatif(
        region,
        scenarios,
        params,
        seed=int(settings["seed"]),
        backend=settings["backend"],
        source=spec.scenario_source or spec.job_id,
    )
    rows = [_json_ready(row) for row in result.rows]
    return rows, region.name


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """Returns a row with plain Python values and None for NaN (strict JSON)."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JobEvent:
    """Progress of one job, as the progress display sees it (no personal data)."""

    job_id: str
    status: Literal["ok", "skipped", "failed"]
    done: int
    total: int
    runs: int
    seconds: float
    error_type: str | None = None


@dataclass
class BatchReport:
    """What a batch run did.

    Attributes
    ----------
    outcomes
        One outcome per job, in manifest order (see `run_job`), with ``skipped``
        True where a stored result was reused.
    results
        The results table (one row per job and scenario).
    files
        The files written at the end.
    """

    outcomes: list[dict[str, Any]]
    results: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    @property
    def num_failed(self) -> int:
        """Returns the number of failed jobs."""
        return sum(o["status"] != "ok" for o in self.outcomes)

    @property
    def num_skipped(self) -> int:
        """Returns the number of jobs whose stored result was reused."""
        return sum(bool(o.get("skipped")) for o in self.outcomes)


def job_result_path(out_dir: Path, job_id: str) -> Path:
    """Returns the path of a job's result file."""
    return out_dir / "jobs" / f"{job_id}.json"


def job_error_path(out_dir: Path, job_id: str) -> Path:
    """Returns the path of a failed job's error file."""
    return out_dir / "jobs" / f"{job_id}.error.json"


def stored_outcome(out_dir: Path, spec: JobSpec) -> dict[str, Any] | None:
    """Returns a job's stored result when it is complete and for the same input.

    A file that does not parse, lacks fields, or has another hash is not trusted.
    """
    path = job_result_path(out_dir, spec.job_id)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(stored, dict)
        or stored.get("input_hash") != spec.input_hash
        or stored.get("status") != "ok"
        or not isinstance(stored.get("rows"), list)
    ):
        return None
    return stored


def run_batch(
    manifest: Manifest,
    manifest_path: str | Path,
    out_dir: str | Path,
    *,
    executor: cf.Executor | None = None,
    on_event: Callable[[JobEvent], None] | None = None,
    version: str | None = None,
) -> BatchReport:
    """Runs every job of a manifest that has no stored result for its input.

    Parameters
    ----------
    manifest
        The validated manifest.
    manifest_path
        Its path: relative region and scenario paths start from its folder.
    out_dir
        Output directory (created if needed).
    executor
        Where jobs run: a `concurrent.futures.ProcessPoolExecutor`, a Dask
        ``client.get_executor()``, or None to run them one by one here.
    on_event
        Called on the driver after each job (for progress displays).
    version
        carecap version for the input hash (the installed one when omitted).

    Returns
    -------
    BatchReport
        Outcomes per job and the results table (also written to ``out_dir``).
    """
    if version is None:
        from .cli import carecap_version

        version = carecap_version()
    out = Path(out_dir)
    specs = job_specs(manifest, Path(manifest_path), version)
    total = len(specs)
    outcomes: dict[str, dict[str, Any]] = {}
    done = 0

    def finished(outcome: dict[str, Any], status: str) -> None:
        nonlocal done
        done += 1
        outcomes[outcome["job_id"]] = outcome
        if on_event is not None:
            on_event(
                JobEvent(
                    job_id=outcome["job_id"],
                    status=status,  # type: ignore[arg-type]
                    done=done,
                    total=total,
                    runs=len(outcome.get("rows") or []),
                    seconds=float(outcome.get("seconds") or 0.0),
                    error_type=outcome.get("error_type"),
                )
            )

    pending = []
    for spec in specs:
        stored = stored_outcome(out, spec)
        if stored is not None:
            finished({**stored, "skipped": True}, "skipped")
        else:
            pending.append(spec)

    def record(spec: JobSpec, outcome: dict[str, Any]) -> None:
        if outcome["status"] == "ok":
            write_text_atomic(
                job_result_path(out, spec.job_id), _dumps(_stored(outcome))
            )
            job_error_path(out, spec.job_id).unlink(missing_ok=True)
        else:
            write_text_atomic(job_error_path(out, spec.job_id), _dumps(outcome))
        finished(outcome, outcome["status"])

    if executor is None:
        for spec in pending:
            record(spec, run_job(spec))
    else:
        futures = {executor.submit(run_job, spec): spec for spec in pending}
        for future in cf.as_completed(futures):
            spec = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # the worker itself died or was lost
                outcome = {
                    "job_id": spec.job_id,
                    "input_hash": spec.input_hash,
                    "status": "failed",
                    "region": None,
                    "rows": [],
                    "error_type": type(error).__name__,
                    "error": str(error) or type(error).__name__,
                    "traceback": "".join(traceback.format_exception(error)),
                    "seconds": 0.0,
                }
            record(spec, outcome)

    ordered = [outcomes[spec.job_id] for spec in specs]
    results = results_frame(ordered)
    files = write_table(results, out, "results")
    summary = {
        "jobs": total,
        "ok": sum(o["status"] == "ok" for o in ordered),
        "skipped": sum(bool(o.get("skipped")) for o in ordered),
        "failed": sum(o["status"] != "ok" for o in ordered),
        "failed_jobs": [o["job_id"] for o in ordered if o["status"] != "ok"],
        "carecap": version,
        "manifest": str(manifest_path),
    }
    write_text_atomic(out / "batch.json", _dumps(summary))
    return BatchReport(
        outcomes=ordered, results=results, files=[*files, out / "batch.json"]
    )


def _stored(outcome: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in outcome.items() if key != "skipped"}


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=1, allow_nan=False, default=str) + "\n"


def results_frame(outcomes: list[dict[str, Any]]) -> pd.DataFrame:
    """Returns one row per job and scenario; a failed job gets one row with its error."""
    columns = [*JOB_COLUMNS, *result_columns(), *ERROR_COLUMNS]
    records = []
    for outcome in outcomes:
        head = {
            "job_id": outcome["job_id"],
            "job_status": outcome["status"],
            "input_hash": outcome["input_hash"],
            "region": outcome.get("region"),
        }
        tail = {
            "error_type": outcome.get("error_type"),
            "error": outcome.get("error"),
            "job_seconds": outcome.get("seconds"),
        }
        rows = outcome.get("rows") or [{}]
        records.extend({**head, **row, **tail} for row in rows)
    return pd.DataFrame.from_records(records, columns=columns)


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------


class Progress:
    """Shows batch progress: a bar on a terminal, else one line (or JSON) per job.

    Parameters
    ----------
    total
        Number of jobs.
    stream
        Where progress goes (stderr in the CLI).
    style
        ``'bar'``, ``'lines'`` or ``'json'``.
    """

    BAR_WIDTH = 30

    def __init__(self, total: int, stream: IO[str], style: str):
        if style not in ("bar", "lines", "json"):
            raise ValueError(f"style {style!r} not understood; use bar, lines, json")
        self.total = total
        self.stream = stream
        self.style = style
        self.started = time.monotonic()
        self.counts = {"ok": 0, "skipped": 0, "failed": 0}
        if style == "bar":
            self._draw(0)

    def __call__(self, event: JobEvent) -> None:
        """Shows one finished (or skipped) job."""
        self.counts[event.status] += 1
        if self.style == "bar":
            self._draw(event.done)
        elif self.style == "json":
            self._write(
                json.dumps(
                    {
                        "event": "job",
                        "job": event.job_id,
                        "status": event.status,
                        "done": event.done,
                        "total": event.total,
                        "runs": event.runs,
                        "seconds": round(event.seconds, 3),
                        "error_type": event.error_type,
                    }
                )
                + "\n"
            )
        else:
            what = {
                "ok": f"ok, {event.runs} run(s) in {event.seconds:.1f} s",
                "skipped": "skipped (result for the same input exists)",
                "failed": f"FAILED ({event.error_type}); see jobs/{event.job_id}"
                ".error.json",
            }[event.status]
            self._write(f"[{event.done}/{event.total}] job {event.job_id}: {what}\n")

    def close(self) -> None:
        """Ends the display (a newline after the bar, or a JSON summary line)."""
        elapsed = time.monotonic() - self.started
        if self.style == "bar":
            self._write("\n")
        elif self.style == "json":
            self._write(
                json.dumps(
                    {
                        "event": "summary",
                        "total": self.total,
                        **self.counts,
                        "seconds": round(elapsed, 3),
                    }
                )
                + "\n"
            )

    def _draw(self, done: int) -> None:
        filled = self.BAR_WIDTH * done // self.total if self.total else self.BAR_WIDTH
        bar = "#" * filled + "." * (self.BAR_WIDTH - filled)
        elapsed = int(time.monotonic() - self.started)
        self._write(
            f"\r[{bar}] {done}/{self.total} jobs  ok {self.counts['ok']}  "
            f"skipped {self.counts['skipped']}  failed {self.counts['failed']}  "
            f"{elapsed // 60:02d}:{elapsed % 60:02d}"
        )

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def progress_style(stream: IO[str], log_format: str) -> str:
    """Returns ``json`` for JSON logs, ``bar`` on a terminal, else ``lines``."""
    if log_format == "json":
        return "json"
    isatty = getattr(stream, "isatty", None)
    return "bar" if isatty is not None and isatty() else "lines"


def comparable(results: pd.DataFrame) -> pd.DataFrame:
    """Returns the results without timing columns, for comparing two runs."""
    return results.drop(columns=[c for c in BATCH_TIMING_COLUMNS if c in results])


__all__ = [
    "BATCH_TIMING_COLUMNS",
    "MANIFEST_FORMAT_VERSION",
    "BatchReport",
    "GeneratorSpec",
    "Job",
    "JobEvent",
    "JobSpec",
    "Manifest",
    "Progress",
    "SolverSettings",
    "comparable",
    "input_hash",
    "job_specs",
    "parse_manifest",
    "progress_style",
    "read_manifest",
    "results_frame",
    "run_batch",
    "run_job",
    "stored_outcome",
]

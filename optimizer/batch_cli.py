"""``carecap batch``: scheduled what-if runs, on local processes or a Dask cluster."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""Environment variable naming the Dask scheduler when ``--scheduler`` is not given."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``batch`` subcommand."""
    from .cli import positive_int

    parser = subparsers.add_parser(
        "batch",
        help="run the jobs of a manifest (resumable; local processes or Dask)",
        description=(
            "Run every job of a manifest (YAML or JSON): a region file or generator "
            "preset + seed, an optional scenario file and solver settings; each job "
            "is a what-if. Jobs run on local processes, or on a Dask cluster with "
            f"--scheduler (or ${SCHEDULER_ENV}). A job whose result exists for the "
            "same input hash is skipped. Writes jobs/<id>.json per job and "
            "results.csv / results.parquet. Exit 0 when every job succeeded, 1 when "
            "some failed, 2 when the manifest is invalid."
        ),
    )
    parser.add_argument("manifest", type=Path, help="manifest file (YAML or JSON)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        required=True,
        help="output directory (job results, results.csv, results.parquet)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="local worker processes (default: one per core, at most one per job)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"Dask scheduler address, e.g. tcp://host:8786 (default: ${SCHEDULER_ENV})",
    )
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="progress as text (a bar on a terminal, else a line per job) or JSON lines",
    )
    parser.set_defaults(handler=_cmd_batch)


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import Progress, progress_style, read_manifest, run_batch
    from .cli import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, log

    manifest = read_manifest(args.manifest)
    address = args.scheduler or os.environ.get(SCHEDULER_ENV) or None
    progress = Progress(
        len(manifest.jobs), sys.stderr, progress_style(sys.stderr, args.log_format)
    )
    try:
        executor, closer = _executor(args, manifest, address)
    except (OSError, TimeoutError, ValueError) as error:
        print(
            f"carecap: error: cannot reach the Dask scheduler {address!r}: {error}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        report = run_batch(
            manifest, args.manifest, args.output, executor=executor, on_event=progress
        )
    finally:
        closer()
        progress.close()
    log.info(
        "batch finished: %d job(s), %d failed", len(report.outcomes), report.num_failed
    )
    ok = len(report.outcomes) - report.num_failed
    print(
        f"{len(report.outcomes)} job(s): {ok} ok ({report.num_skipped} reused), "
        f"{report.num_failed} failed; wrote results.csv and results.parquet to "
        f"{args.output}"
    )
    return EXIT_FINDINGS if report.num_failed else EXIT_OK


def _executor(
    args: argparse.Namespace, manifest: Any, address: str | None
) -> tuple[Any, Any]:
    """Returns the executor for the jobs and a function that releases it."""
    import concurrent.futures as cf
    import multiprocessing

    from .cli import log

    if address:
        from distributed import Client

        client = Client(address, timeout="30s")
        log.info("submitting jobs to the Dask scheduler")
        executor = client.get_executor(pure=False)

        def close() -> None:
            executor.shutdown(wait=True)
            client.close()

        return executor, close
    cores = os.cpu_count() or 1
    workers = args.workers or max(1, min(cores, len(manifest.jobs)))
    solver_workers = max(
        job.solver.over(manifest.solver)["workers"] for job in manifest.jobs
    )
    if workers * solver_workers > cores:
        log.warning(
            "%d worker process(es) x %d CP-SAT worker(s) per job is more than the "
            "%d core(s); jobs will compete for the CPU",
            workers,
            solver_workers,
            cores,
        )
    # Spawned, not forked: a fork of a process with solver or Numba threads can hang.
    executor = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )

    def close() -> None:
        executor.shutdown(wait=True, cancel_futures=True)

    return executor, close

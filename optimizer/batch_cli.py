"""``carecap batch``: scheduled what-if runs, on local processes or a Dask cluster."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""Environment variable naming the Dask scheduler when ``--scheduler`` is not given."""

HANDSHAKE_SECONDS = 10.0
"""Default of ``--connect-timeout``: the most a scheduler may take to answer Dask's
handshake and an identity request (issue 28: an HTTP server used to hang the batch
for minutes)."""


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
        "--connect-timeout",
        type=_seconds,
        default=HANDSHAKE_SECONDS,
        metavar="S",
        help=(
            "seconds the Dask scheduler may take to answer before the batch gives up "
            f"with exit 2 (default: {HANDSHAKE_SECONDS:g})"
        ),
    )
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="progress as text (a bar on a terminal, else a line per job) or JSON lines",
    )
    parser.set_defaults(handler=_cmd_batch)


def _seconds(text: str) -> float:
    """argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive number of seconds"
        )
    return value


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import Progress, progress_style, read_manifest, run_batch
    from .cli import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, log

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
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            # A second Ctrl-C must not cut the clean-up short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Running jobs are abandoned (their workers ended), not waited for.
        closer(abort=True)
        progress.close()
        if not isinstance(error, KeyboardInterrupt):
            raise
        print(
            f"carecap: interrupted; finished jobs are kept in {args.output / 'jobs'} "
            "and the same command resumes from them (results.csv not written)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    closer(abort=False)
    progress.close()
    log.info(
        "batch finished: %d job(s), %d failed", len(report.outcomes), report.num_failed
    )
    ok = len(report.outcomes) - report.num_failed
    print(
        f"{len(report.outcomes)} job(s): {ok} ok ({report.num_skipped} reused), "
        f"{report.num_failed} failed; wrote "
        f"{', '.join(p.name for p in report.files if p.stem == 'results')} to "
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
    from .extras import require

    if address:
        require("distributed", "--scheduler (a Dask cluster)", f"--scheduler {address}")
        from distributed import Client

        check_scheduler(address, args.connect_timeout)
        client = Client(address, timeout=args.connect_timeout)
        log.info("submitting jobs to the Dask scheduler")
        executor = client.get_executor(pure=False)

        def close(abort: bool) -> None:
            executor.shutdown(wait=not abort)
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
    # Workers are started from this (the main) thread, so their parent-death signal
    # fires only when the driver itself ends.
    executor = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_init,
        initargs=(os.getpid(), logging.getLogger("carecap").getEffectiveLevel()),
    )

    def close(abort: bool) -> None:
        if abort:
            # shutdown() would wait for the running jobs: end their workers first.
            for child in multiprocessing.active_children():
                child.terminate()
        executor.shutdown(wait=True, cancel_futures=True)

    return executor, close


def worker_init(driver_pid: int, log_level: int) -> None:
    """Prepares a local batch worker: it ends with its driver, leaves Ctrl-C to the
    driver, and logs as the driver does (``-v``: its process id, then its solves).

    Parameters
    ----------
    driver_pid
        The driver's process id (`carecap.lifetime.die_with_parent`).
    log_level
        The level of the driver's ``carecap`` logger.
    """
    from .cli import CARECAP_LOGGERS
    from .lifetime import die_with_parent

    # Ctrl-C reaches the whole process group; the driver ends its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(driver_pid)
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in CARECAP_LOGGERS:
        logging.getLogger(name).setLevel(log_level)
    logging.getLogger("carecap").info("batch worker %d started", os.getpid())


def check_scheduler(address: str, timeout: float) -> None:
    """Raises OSError unless a Dask scheduler at ``address`` answers Dask's
    handshake and an identity request within ``timeout`` seconds.

    ``distributed.Client`` waits without limit for the handshake of something that
    accepts the connection and never answers (an HTTP server), and fails with
    assorted errors on a service that answers other bytes.

    Raises
    ------
    ValueError
        If ``address`` is malformed (an unknown scheme, no port).
    OSError
        Naming what was wrong: no answer in time, or not a Dask scheduler.
    """
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import get_address_host_port

    get_address_host_port(address)  # ValueError naming what is malformed

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identity(), timeout))
    except TimeoutError:
        raise OSError(
            f"no Dask scheduler answered within {timeout:g} s (nothing accepts the "
            "connection, or what does is not a Dask scheduler; --connect-timeout "
            "sets the wait)"
        ) from None
    except OSError as error:
        raise OSError(str(error)) from None
    except Exception as error:  # bytes of another protocol fail in many ways
        raise OSError(
            "not a Dask scheduler: its answer could not be read "
            f"({type(error).__name__}: {error})"
        ) from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise OSError("not a Dask scheduler: it answered, but not as one")

"""Process lifetime: Ctrl-C ends the whole run, and batch workers end with their
driver (issue 28, items 3 and 4).

CP-SAT catches SIGINT by default and treats it as a time limit, so a Ctrl-C used to
end only the level that was running while the next levels went on. carecap turns
that off (``catch_sigint_signal``) and runs each search through `solve_interruptibly`:
the search runs in a helper thread while the main thread waits, so Python's own
handler raises `KeyboardInterrupt` in the main thread at once; the search is then
stopped and the interrupt goes on up to the command line, which exits 130.

Batch workers call `die_with_parent` when they start: a worker whose driver is gone
(``kill -9``, SIGTERM) ends too, instead of solving on for nobody and holding the
caller's pipes open.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

PARENT_POLL_SECONDS = 0.5
"""How often the watchdog of `die_with_parent` looks for its parent."""

_PR_SET_PDEATHSIG = 1
"""``prctl`` option of Linux: the signal a process gets when its parent ends."""


def solve_interruptibly(solver: Any, model: Any, callback: Any = None) -> int:
    """Returns ``solver.solve(model, callback)``, stopping the search on Ctrl-C.

    In the main thread the search runs in a helper thread while the main thread
    waits, so that a `KeyboardInterrupt` is raised at once; the search is stopped
    (`CpSolver.stop_search`) and the interrupt is raised again. Elsewhere (a Dask
    worker thread, where no signal arrives) the search runs directly.

    Parameters
    ----------
    solver
        A `cp_model.CpSolver`, with ``catch_sigint_signal`` off: CP-SAT's own
        handler would swallow the interrupt.
    model
        The `cp_model.CpModel`.
    callback
        A solution callback, or None.

    Returns
    -------
    int
        The CP-SAT status code.
    """
    if threading.current_thread() is not threading.main_thread():
        return solver.solve(model, callback)
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def search() -> None:
        try:
            outcome["code"] = solver.solve(model, callback)
        except BaseException as error:  # raised again in the main thread
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=search, name="carecap-cpsat", daemon=True).start()
    # An event, not Thread.join: on Python 3.11 a join cut by Ctrl-C may mark the
    # thread stopped while it still runs (the bpo-45274 handling in threading.py).
    try:
        done.wait()
    except BaseException:
        # Stop until it stops: a stop before the search has begun is not seen.
        while not done.wait(0.05):
            solver.stop_search()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["code"]


def die_with_parent(parent_pid: int) -> None:
    """Ends this process (SIGKILL) as soon as the process ``parent_pid`` has ended.

    On Linux the kernel sends the signal (``prctl(PR_SET_PDEATHSIG)``); a daemon
    thread that compares `os.getppid` with ``parent_pid`` every
    `PARENT_POLL_SECONDS` is the fallback elsewhere, and covers a parent that ended
    before the ``prctl`` call. The parent-death signal follows the parent *thread*
    that started this process, so the parent must start its workers from a thread
    that lives as long as it does (the CLI's main thread).

    Parameters
    ----------
    parent_pid
        The process id of the parent, as the parent saw itself (`os.getpid`).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
                log.debug(
                    "prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno()
                )
        except (OSError, AttributeError):  # no libc with prctl: the watchdog only
            log.debug("prctl not available; the parent watchdog alone ends workers")
    if os.getppid() != parent_pid:
        _end_now()
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="carecap-watchdog", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    # A process whose parent ended is handed to another (init or a subreaper).
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    _end_now()


def _end_now() -> None:
    # SIGKILL, not an exception or sys.exit: the search may be in native code, and
    # the driver that would take the result is gone.
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


__all__ = [
    "PARENT_POLL_SECONDS",
    "die_with_parent",
    "solve_interruptibly",
]

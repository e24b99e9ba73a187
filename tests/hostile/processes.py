"""Running ``carecap`` as a real process for the signal and kill cases of issue 28:
markers on stderr, signals at chosen moments, and its children by process id."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EARLIER = {"roster.csv": b"earlier roster\n", "summary.json": b'{"earlier": 1}\n'}
"""Files of an earlier run in an output folder, which a refused or interrupted run
must leave as they are."""

GONE_WITHIN_S = 5.0
"""Seconds after the driver's death by which its workers must be gone (issue 28)."""


def medium_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Returns the generated M region (seed 1, one week) as a file, written once per
    session: 503 open slots, whose lower levels CP-SAT cannot prove in seconds, so a
    solve is still running when it is signalled."""
    path = tmp_path_factory.getbasetemp() / "hostile-region-M1.json"
    if not path.exists():
        from carecap.instances.generator import generate_region
        from carecap.io import write_region

        write_region(generate_region("M", 1, weeks=1), path)
    return path


def is_alive(pid: int) -> bool:
    """Returns whether process ``pid`` exists and is not a zombie (a zombie has
    ended; only its parent has not collected it yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    """Returns the process ids whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """Returns the CPU seconds (user + system) process ``pid`` has used, 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _default_sigint() -> None:
    """Restores SIGINT's default disposition in the child before it starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Carecap:
    """``python -m carecap.cli ARGV`` in a session of its own, its output read by
    threads (so a full pipe never blocks it and lines can be waited for).

    Use as a context manager: on leaving, the whole session (the process and any
    worker it left behind) is killed.
    """

    def __init__(self, *argv: object):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "carecap.cli", *map(str, argv)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            # A test run started in the background (``cmd &``, nohup, some CI
            # runners) ignores SIGINT, and children inherit that; Python then
            # installs no Ctrl-C handler. Give the process the terminal's default.
            preexec_fn=_default_sigint,
        )
        self.pid = self.process.pid
        self._lines: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(name,), daemon=True)
            for name in self._lines
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str) -> None:
        for line in getattr(self.process, name):
            with self._changed:
                self._lines[name].append(line)
                self._changed.notify_all()
        with self._changed:
            self._lines[name].append("")  # end of file: every writer has closed it
            self._changed.notify_all()

    @property
    def stderr(self) -> str:
        """Returns the stderr read so far."""
        with self._changed:
            return "".join(self._lines["stderr"])

    @property
    def stdout(self) -> str:
        """Returns the stdout read so far."""
        with self._changed:
            return "".join(self._lines["stdout"])

    def wait_for(self, marker: str, timeout: float = 60.0) -> str:
        """Returns the first stderr line holding ``marker``; fails if the process
        ends or ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self._lines["stderr"]:
                    if marker in line:
                        return line
                left = deadline - time.monotonic()
                if self.process.poll() is not None or left <= 0:
                    pytest.fail(
                        f"no {marker!r} on stderr (exit {self.process.poll()}):\n"
                        + "".join(self._lines["stderr"])[-2000:]
                    )
                self._changed.wait(min(left, 0.2))

    def signal(self, signum: int, group: bool = False) -> None:
        """Sends ``signum`` to the process, or (as Ctrl-C does) to its whole group."""
        if group:
            os.killpg(self.pid, signum)
        else:
            os.kill(self.pid, signum)

    def finish(self, timeout: float) -> int:
        """Returns the exit code once the process has ended and both pipes are closed
        (no child holds them), failing after ``timeout`` seconds."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {timeout:g} s later:\n" + self.stderr[-2000:])
        if not self.pipes_closed(GONE_WITHIN_S):
            pytest.fail(
                f"the process ended, but {GONE_WITHIN_S:g} s later something still "
                "holds its stdout or stderr open"
            )
        return code

    def pipes_closed(self, timeout: float) -> bool:
        """Returns whether every writer of stdout and stderr closed them within
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        return not any(reader.is_alive() for reader in self._readers)

    def __enter__(self) -> Carecap:
        return self

    def __exit__(self, *exc: object) -> None:
        # The whole session: workers a killed driver left behind are in it too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()
        if self.pipes_closed(GONE_WITHIN_S):
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def wait_until_gone(pids: list[int], timeout: float) -> list[int]:
    """Returns the processes of ``pids`` still alive after ``timeout`` seconds (none
    as soon as all are gone)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [pid for pid in pids if is_alive(pid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def busy_workers(driver: Carecap, cpu: float = 2.0, timeout: float = 60.0) -> list[int]:
    """Returns the multiprocessing workers among the driver's children once one of
    them has used ``cpu`` CPU seconds (it is past its imports, at work on a job);
    fails if the driver ends or ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        workers = [
            pid for pid in children(driver.pid) if b"spawn_main" in _cmdline(pid)
        ]
        if any(cpu_seconds(pid) >= cpu for pid in workers):
            return workers
        if driver.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(
                f"no busy worker (exit {driver.process.poll()}):\n"
                + driver.stderr[-2000:]
            )
        time.sleep(0.05)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""

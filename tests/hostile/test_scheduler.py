"""``carecap batch --scheduler`` at something that is not a Dask scheduler (issue 28,
item 5): exit 2 naming the address within the handshake timeout, no traceback.

Services that accept the connection and never answer Dask's handshake (an HTTP
server, a silent port) used to hang the batch for minutes, so they run the CLI as a
process with a deadline; services that answer other bytes run it in-process.
"""

from __future__ import annotations

import http.server
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from carecap.cli import main

from tests.hostile.processes import EARLIER, ROOT

CONNECT_TIMEOUT_S = 1.0
"""``--connect-timeout`` of these cases."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        """Logs nothing (the test output stays clean)."""


def _serve(answer: bytes | None) -> tuple[socket.socket, list[socket.socket]]:
    """Returns a listening socket on a free local port whose thread answers every
    connection with ``answer`` (None: says nothing and keeps it open)."""
    listener = socket.create_server(("127.0.0.1", 0))
    kept: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            kept.append(conn)
            if answer is not None:
                conn.sendall(answer)

    threading.Thread(target=accept, daemon=True).start()
    return listener, kept


ANSWERS = {
    "silent": None,
    "ssh": b"SSH-2.0-OpenSSH_9.6\r\n",
    "short_frame": struct.pack("<QQ", 1, 5) + b"\xc1" * 5,
}
"""What the fake services answer: nothing (the port stays open), an SSH banner
(read as a frame of exabytes), a Dask-like frame header with too few bytes after."""


@contextmanager
def service(kind: str) -> Iterator[str]:
    """Yields the address of a local service of ``kind``: ``http`` (a server that
    waits for a request line, as a Dask dashboard does) or one of `ANSWERS`."""
    if kind == "http":
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"tcp://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
        return
    listener, kept = _serve(ANSWERS[kind])
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in kept:
            conn.close()


@pytest.fixture
def manifest(tmp_path):
    """A batch of one job (never run), and an output folder holding an earlier
    run's files."""
    path = tmp_path / "manifest.yaml"
    path.write_text("jobs:\n  - {id: a, generate: {preset: S, seed: 1}}\n")
    out = tmp_path / "out"
    out.mkdir()
    for name, content in EARLIER.items():
        (out / name).write_bytes(content)
    return path


def _argv(manifest, address) -> list[str]:
    return [
        "batch",
        str(manifest),
        "-o",
        str(manifest.parent / "out"),
        "--scheduler",
        address,
        "--connect-timeout",
        str(CONNECT_TIMEOUT_S),
    ]


def _assert_refused(code: int, err: str, address: str, out) -> None:
    assert code == 2, err
    assert address in err and "Dask scheduler" in err
    assert "Traceback" not in err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == EARLIER


@pytest.mark.parametrize("kind", ["http", "silent"])
def test_service_that_never_answers_exits_2_in_time(manifest, kind):
    """Tests that an HTTP server or a silent port given as the scheduler is refused
    with exit 2 and the address within the handshake timeout, where the batch used
    to wait for minutes."""
    with service(kind) as address:
        try:
            run = subprocess.run(
                [sys.executable, "-m", "carecap.cli", *_argv(manifest, address)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("carecap batch still waits for the scheduler after 30 s")
    _assert_refused(run.returncode, run.stderr, address, manifest.parent / "out")


@pytest.mark.parametrize("kind", ["ssh", "short_frame"])
def test_service_answering_other_bytes_exits_2(manifest, kind, capsys):
    """Tests that a service answering bytes of another protocol is refused with exit
    2 naming the address, without a traceback (a MemoryError or struct.error used to
    end the batch with exit 1)."""
    started = time.monotonic()
    with service(kind) as address:
        code = main(_argv(manifest, address))
    _assert_refused(code, capsys.readouterr().err, address, manifest.parent / "out")
    assert time.monotonic() - started < CONNECT_TIMEOUT_S + 5

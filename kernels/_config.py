"""Numba options for every kernel, in one place.

Kernels take their options from here and never hard-code them, so a test can check
that no ``@njit`` in ``kernels/`` sets ``fastmath=`` or ``cache=`` itself.

Environment variables (read at import):

* ``CARECAP_NUMBA_CACHE`` (default ``1``): cache compiled kernels on disk next to the
  sources, so only the first run pays for compilation;
* ``CARECAP_NUMBA_PARALLEL`` (default ``1``): let kernels marked parallel use threads;
* ``CARECAP_NUMBA_FASTMATH`` (default ``0``): allow reassociating floating-point
  maths. Off by default: kernel results must equal the NumPy reference exactly.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# Idle OpenMP workers would otherwise spin after each parallel kernel and take the
# CPU from the Python code between calls (seen: 3x slower tests on 2 busy cores).
# Set before Numba loads its threading layer; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


CACHE = _flag("CARECAP_NUMBA_CACHE", True)
"""Whether compiled kernels are cached on disk."""

PARALLEL = _flag("CARECAP_NUMBA_PARALLEL", True)
"""Whether kernels marked parallel may run on several threads."""

FASTMATH = _flag("CARECAP_NUMBA_FASTMATH", False)
"""Whether kernels may reassociate floating-point maths (results then differ slightly)."""

if FASTMATH:
    warnings.warn(
        "CARECAP_NUMBA_FASTMATH is on: kernel results may differ from the reference "
        "in the last digits",
        stacklevel=1,
    )

JIT_OPTIONS = {"cache": CACHE, "fastmath": FASTMATH, "nogil": True}
"""Options for serial kernels: ``@njit(**JIT_OPTIONS)``."""

PARALLEL_JIT_OPTIONS = {**JIT_OPTIONS, "parallel": PARALLEL}
"""Options for kernels with ``prange`` loops: ``@njit(**PARALLEL_JIT_OPTIONS)``."""


SERIAL_BELOW_WORK = 100_000
"""Below this many inner-loop steps a parallel kernel runs on the calling thread only:
waking the worker threads costs about 0.2 ms a loop, more than a small input takes
(measured: eligibility on S 0.69 ms with 2 threads, 0.11 ms with one)."""


@contextmanager
def threads_for(work: int) -> Iterator[None]:
    """Runs the block's parallel kernels on one thread when ``work`` is small.

    Numba's thread count is per calling thread, so this is safe under threads too.
    """
    import numba

    before = numba.get_num_threads()
    if work < SERIAL_BELOW_WORK and before > 1:
        numba.set_num_threads(1)
        try:
            yield
        finally:
            numba.set_num_threads(before)
    else:
        yield

"""Optional dependencies: a feature that needs an extra says which one to install.

The default install stays lean; Parquet tables need ``pyarrow`` (``carecap[parquet]``)
and ``batch --scheduler`` needs Dask's ``distributed`` (``carecap[dask]``);
``carecap[all]`` installs both.
"""

from __future__ import annotations

import importlib

from .exceptions import InputError

EXTRA_OF = {"pyarrow": "parquet", "distributed": "dask"}
"""The extra that installs each optional module."""


def available(module: str) -> bool:
    """Returns whether an optional module can be imported."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def install_hint(module: str) -> str:
    """Returns how to install the extra that provides ``module``."""
    return f"pip install 'carecap[{EXTRA_OF[module]}]'"


def require(module: str, feature: str, source: str = "") -> None:
    """Raises `InputError` naming the extra when ``feature`` needs a missing module.

    Parameters
    ----------
    module
        The optional module (a key of `EXTRA_OF`).
    feature
        What needs it, in words (e.g. "--scheduler").
    source
        The file or argument the message names.
    """
    if not available(module):
        raise InputError(
            source or feature,
            [
                f"{feature} needs {module}, which is not installed: {install_hint(module)}"
            ],
        )

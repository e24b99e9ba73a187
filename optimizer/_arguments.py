"""Checks of the arguments of carecap's public functions, with a fix in each message.

The library is called from notebooks and scripts, where a path instead of a region
or a string instead of a list of rule ids would otherwise fail deep inside with
"'str' object has no attribute 'horizon'", or be iterated letter by letter.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

MAX_SEED = 2**31 - 1
"""Largest seed: CP-SAT's ``random_seed`` is a 32-bit signed integer."""


def check_region(value: Any, *, compiled: bool = False, name: str = "region") -> None:
    """Raises `TypeError` unless ``value`` is a `Region` (or, with ``compiled``, a
    `CompiledRegion`); the message says how to get one.
    """
    from .compile import CompiledRegion
    from .domain import Region

    accepted: tuple[type, ...] = (Region, CompiledRegion) if compiled else (Region,)
    if isinstance(value, accepted):
        return
    wanted = "a Region or CompiledRegion" if compiled else "a Region"
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        hint = "read the file first: optimizer.read_region(path)"
    elif isinstance(value, dict):
        hint = "validate the dict first: optimizer.Region.model_validate(data)"
    else:
        hint = "read one with optimizer.read_region(path)"
    raise TypeError(f"{name} must be {wanted}, got {type(value).__name__}; {hint}")


def check_seed(value: Any, name: str = "seed") -> int:
    """Returns ``value`` as an int when it is a whole number from 0 to `MAX_SEED`.

    Raises
    ------
    TypeError
        If it is not an integer (a float such as ``1.5``, a bool, a string).
    ValueError
        If it is outside 0 to `MAX_SEED`.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        seed = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r})"
        ) from None
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{name} must be from 0 to {MAX_SEED}, got {seed}")
    return seed


def check_rule_ids(value: Any, name: str = "skip_rules") -> frozenset[str]:
    """Returns a collection of rule ids as a set, each checked against `RULE_IDS`.

    Raises
    ------
    TypeError
        If ``value`` is a single string (it would be read letter by letter) or not
        an iterable of strings.
    ValueError
        If an id is not a rule id.
    """
    from carecap.kernels.evaluate import RULE_IDS

    if isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be a collection of rule ids, got the string {value!r}; "
            f"write {name}={{{value!r}}}"
        )
    if not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a collection of rule ids, got {type(value).__name__}"
        )
    ids = frozenset(value)
    unknown = sorted(map(repr, ids - set(RULE_IDS)))
    if unknown:
        raise ValueError(
            f"{name}: {', '.join(unknown)} not a rule id; use {', '.join(RULE_IDS)}"
        )
    return ids

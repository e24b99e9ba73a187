"""Reading and writing region files: strict on the way in, atomic on the way out."""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from .domain import FORMAT_VERSION, Region
from .exceptions import InputError

MAX_INPUT_ENV = "CARECAP_MAX_INPUT_MB"
"""Environment variable that raises (or lowers) the size limit of input files."""

DEFAULT_MAX_INPUT_MB = 200
"""Largest input file carecap reads, in MB, unless `MAX_INPUT_ENV` says otherwise.

An L region is about 10 MB; the limit stops a wrong path (``/dev/zero``, a disk
image) from filling the memory before anything can be said about it."""

_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

# mkstemp creates files readable by the owner only; finished files get the usual
# permissions, as if written with open().
_UMASK = os.umask(0)
os.umask(_UMASK)


def read_region(path: str | os.PathLike[str]) -> Region:
    """Reads and validates a region file.

    Parameters
    ----------
    path
        Path of a region JSON file.

    Returns
    -------
    Region
        The validated region.

    Raises
    ------
    InputError
        If the file is missing, empty, not JSON, or not a valid region; the error
        lists every problem with the record and field.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a str or os.PathLike, got {type(path).__name__}; "
            "use parse_region(text) for JSON text or Region.model_validate(data) "
            "for a dict"
        )
    source = str(path)
    text = read_input_text(path, "region JSON file")
    return parse_region(text, source)


def parse_region(text: str, source: str = "<region>") -> Region:
    """Parses and validates region JSON text; see `read_region`.

    Raises
    ------
    TypeError
        If ``text`` is not a str (a dict goes to ``Region.model_validate``, a path
        to `read_region`).
    InputError
        As `read_region`.
    """
    if not isinstance(text, str):
        hint = (
            "Region.model_validate(data) validates a dict"
            if isinstance(text, dict)
            else "read_region(path) reads a file"
        )
        raise TypeError(
            f"text must be region JSON as a str, got {type(text).__name__}; {hint}"
        )
    if not text.strip():
        raise InputError(source, ["the file is empty; expected a region JSON object"])
    try:
        return Region.model_validate_json(text)
    except ValidationError as error:
        raw = _load_json(text, source)  # raises with line and column
        if not isinstance(raw, dict):
            raise InputError(
                source,
                [
                    f"expected a JSON object at the top level, found {type(raw).__name__}"
                ],
            ) from None
        version = raw.get("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise InputError(
                source,
                [
                    f"format_version: unsupported version {version!r}; this carecap "
                    f"reads version {FORMAT_VERSION!r}"
                ],
            ) from None
        raise InputError(source, format_validation_error(error, raw)) from None


def write_region(region: Region, path: str | os.PathLike[str]) -> None:
    """Writes a region as JSON, atomically (temporary file, then rename).

    Fields at their default value are left out to keep large regions small; the
    format version is always written. The output is byte-identical for equal regions.
    """
    data = region.model_dump(mode="json", exclude_defaults=True)
    data = {"format_version": region.format_version, **data}
    write_text_atomic(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def write_atomic(
    path: str | os.PathLike[str], write: Callable[[BinaryIO], object]
) -> Path:
    """Writes a file through ``write(handle)`` so that readers see the old file or
    the new one.

    The bytes go to a temporary file in the same directory, are flushed to disk and
    then renamed over ``path``; a crash never leaves a half-written file behind.
    Returns the path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_UMASK)
        os.replace(tmp_name, target)
    except BaseException as error:
        Path(tmp_name).unlink(missing_ok=True)
        if (
            isinstance(error, OSError)
            and error.errno is not None
            and error.filename is None
        ):
            # A full disk says only "No space left on device"; name the file.
            error.filename = str(target)
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Writes UTF-8 ``text`` atomically (`write_atomic`)."""
    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


def format_validation_error(error: ValidationError, raw: Any) -> list[str]:
    """Turns a pydantic error into lines naming the record and the field.

    Records are named by the first of `RECORD_LABELS` they have (``id``, or ``name``
    and ``kind`` in scenario files and manifests).

    Parameters
    ----------
    error
        The validation error.
    raw
        The parsed JSON the error refers to, used to look up record ids.

    Returns
    -------
    list of str
        One line per problem, e.g. ``staff[3] (id 'P3').desired_hours: ...``.
    """
    lines = []
    for item in error.errors(include_url=False):
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if not item["loc"]:
            # Region-level checks already name record and field, one per line.
            listed = [line for line in message.splitlines()[1:] if line]
            lines.extend(listed or [message])
            continue
        if item["type"] in ("enum", "literal_error") and isinstance(
            item.get("input"), str
        ):
            message = f"{item['input']!r} is not allowed. {message}"
        lines.append(f"{_describe_location(item['loc'], raw)}: {message}")
    return lines


RECORD_LABELS = ("id", "name", "kind")
"""Fields that name a record in messages, the first present one wins."""


def _describe_location(loc: Sequence[int | str], raw: Any) -> str:
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict):
                for label in RECORD_LABELS:
                    if isinstance(node.get(label), str):
                        parts.append(f" ({label} {node[label]!r})")
                        break
            continue
        if isinstance(node, dict) and key not in node and node.get("kind") == key:
            continue  # the discriminator tag pydantic puts in a tagged union's location
        parts.append(f".{key}" if parts else str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def max_input_bytes() -> int:
    """Returns the size limit of input files in bytes (`MAX_INPUT_ENV`, in MB).

    Raises
    ------
    InputError
        If the environment variable is set but is not a positive number.
    """
    text = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_INPUT_MB * 1_000_000
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = math.nan
    if not 0 < megabytes < math.inf:
        raise InputError(
            MAX_INPUT_ENV,
            [
                f"{text!r} is not a positive number of MB (default {DEFAULT_MAX_INPUT_MB})"
            ],
        )
    return int(megabytes * 1_000_000)


def read_input_bytes(path: str | os.PathLike[str]) -> bytes:
    """Returns the content of an input file: a regular file within the size limit.

    The file is checked with ``stat`` before it is opened, so a named pipe never
    blocks the reader and a device (``/dev/zero``) is never read; at most the limit
    plus one byte is read, so a file that grows while it is read is refused too.

    Raises
    ------
    InputError
        If ``path`` is a pipe, device or socket, or larger than `max_input_bytes`;
        the message names the file and how to raise the limit.
    OSError
        As ``os.stat`` and ``open`` raise them (``FileNotFoundError``, a directory
        gives ``IsADirectoryError``); callers name the file in their own words.
    """
    source = str(path)
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", source)
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a file")
        raise InputError(
            source, [f"is {kind}, not a regular file; carecap reads regular files only"]
        )
    limit = max_input_bytes()
    with open(path, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            # Swapped for something else between stat and open.
            raise InputError(source, ["is not a regular file"])
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            source,
            [
                f"is larger than {limit / 1_000_000:g} MB, the limit for input files; "
                f"set {MAX_INPUT_ENV} (in MB) to raise it"
            ],
        )
    return data


def read_input_text(path: str | os.PathLike[str], what: str) -> str:
    """Returns a UTF-8 input file's text (`read_input_bytes`), naming every problem.

    Parameters
    ----------
    what
        What the file should be (``"region JSON file"``), for the messages.

    Raises
    ------
    InputError
        If the file is missing, a directory, not a regular file, too large or not
        UTF-8.
    """
    source = str(path)
    try:
        raw = read_input_bytes(path)
    except FileNotFoundError:
        raise InputError(source, ["no such file"]) from None
    except IsADirectoryError:
        raise InputError(source, [f"is a directory, expected a {what}"]) from None
    except OSError as error:
        raise InputError(source, [f"cannot be read: {error.strerror}"]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            source, [f"not UTF-8 text (byte {error.start}); expected a {what}"]
        ) from None


def _load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            source,
            [
                f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ],
        ) from None
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        raise InputError(source, [f"not valid JSON: {error}"]) from None
    except RecursionError:
        raise InputError(source, [NESTED_TOO_DEEPLY]) from None


NESTED_TOO_DEEPLY = "not valid input: arrays or objects nested too deeply"
"""The message for JSON or YAML whose nesting exhausts the parser's recursion."""

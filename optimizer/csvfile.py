"""CSV files carecap writes and reads back: formula-safe cells, exact round trips.

Spreadsheet programs run a text cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some, TAB or CR) as a formula, so an id such as ``=HYPERLINK(..)`` in a
roster could act when a planner opens the file. Every text cell carecap writes to a
CSV goes through `neutralise`, which prefixes one ``'``; every carecap reader of its
own CSVs undoes it with `restore`. The pair is exact: ``restore(neutralise(v)) == v``
for every string, so ids such as a staff number ``-0042`` stay valid input and come
back unchanged. Numbers are written as numbers, never prefixed.

Readers open files with ``newline=''`` and let the `csv` module split records, so a
quoted line break inside a cell stays in the cell and no Unicode line separator
(U+2028, U+0085, form feed...) splits a record.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .io import write_text_atomic

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""

QUOTE = "'"
"""The prefix that makes a spreadsheet show a cell as text."""


def neutralise(text: str) -> str:
    """Returns ``text`` safe for a spreadsheet cell: one ``'`` before a formula start.

    A text that already starts with ``'`` followed by a formula start or another
    ``'`` is prefixed too, so that `restore` gives it back unchanged; other texts
    (``'t Hart``, ``N3``) are returned as they are.
    """
    if text.startswith(FORMULA_TRIGGERS) or _restorable(text):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """Returns the text that `neutralise` turned into ``text`` (strips one ``'``)."""
    if _restorable(text):
        return text[1:]
    return text


def _restorable(text: str) -> bool:
    """Whether ``text`` is a ``'`` that `neutralise` would have put there."""
    return (
        len(text) > 1
        and text[0] == QUOTE
        and (text[1] == QUOTE or text[1:].startswith(FORMULA_TRIGGERS))
    )


def cell(value: Any) -> Any:
    """Returns a CSV cell value: text neutralised, numbers and empties as they are."""
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_text(
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    numeric: Iterable[str] = (),
) -> str:
    """Returns CSV text with a header of ``columns`` and one line per record.

    Parameters
    ----------
    numeric
        Columns whose values are numbers even when given as formatted strings
        (``"-12.50"``); they are written as they are. Every other text is neutralised.
    """
    numbers = set(numeric)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for record in records:
        writer.writerow(
            [
                record.get(c, "") if c in numbers else cell(record.get(c, ""))
                for c in columns
            ]
        )
    return buffer.getvalue()


def rows_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Returns CSV text of a header and positional rows; text cells neutralised.

    Numbers must be given as numbers (``int``, ``float``) to stay unprefixed.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell(c) for c in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()


def frame_text(frame: Any) -> str:
    """Returns a pandas DataFrame as CSV text; text cells neutralised, numbers kept."""
    safe = frame.copy()
    safe.columns = [cell(c) for c in safe.columns]
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or str(column.dtype) in ("string", "str"):
            safe[name] = column.map(cell)
    return safe.to_csv(index=False, lineterminator="\n")


def write_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    numeric: Iterable[str] = (),
) -> None:
    """Writes `csv_text` atomically: readers see the old file or the whole new one."""
    write_text_atomic(path, csv_text(columns, records, numeric))


def read_records(path: str | os.PathLike[str]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Reads a CSV file carecap wrote (or a planner saved) as restored records.

    Returns
    -------
    tuple
        The header (stripped, restored) and an iterator of ``(line, record)``
        pairs, where ``line`` is the 1-based line on which the record starts and
        ``record`` maps each header name to its restored, stripped text.

    Raises
    ------
    UnicodeDecodeError
        When the file is not UTF-8; callers name the file in their error.
    """
    text = Path(path).read_text(encoding="utf-8-sig", newline="")
    return parse_records(text)


def parse_records(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Parses CSV text as `read_records` does."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [restore(h.strip()) for h in next(reader)]
    except StopIteration:
        return [], iter(())

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num + 1
        for values in reader:
            if values and any(v.strip() for v in values):
                yield (
                    line,
                    {
                        name: restore(value.strip())
                        for name, value in zip(header, values, strict=False)
                        if name
                    },
                )
            line = reader.line_num + 1

    return header, records()

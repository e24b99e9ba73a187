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

Workbooks need no prefix: `xlsx_cell` stores such a text as a text-typed cell with
Excel's quote prefix, value unchanged, so it reads back as written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .io import read_input_bytes, write_text_atomic

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""

QUOTE = "'"
"""The prefix that makes a spreadsheet show a cell as text."""


def starts_formula(text: str) -> bool:
    """Returns whether a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """Returns ``text`` safe for a spreadsheet cell: one ``'`` before a formula start.

    A text that already starts with ``'`` followed by a formula start or another
    ``'`` is prefixed too, so that `restore` gives it back unchanged; other texts
    (``'t Hart``, ``N3``) are returned as they are.
    """
    if starts_formula(text) or _restorable(text):
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


def xlsx_cell(worksheet: Any, value: Any) -> Any:
    """Returns a value to append to a write-only openpyxl worksheet, formula-safe.

    openpyxl writes a text starting with ``=`` as a formula, and a spreadsheet turns
    a typed ``+31..`` or ``-1`` into one; a text that `starts_formula` therefore
    becomes a text-typed cell with the quote prefix (shown as text, value unchanged,
    read back as written). Other values are returned as they are.
    """
    if not isinstance(value, str) or not starts_formula(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    text = WriteOnlyCell(worksheet, value=value)
    # Set after the value: assigning a text that starts with = types the cell "f".
    text.data_type = "s"
    text.quotePrefix = True
    return text


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
    writer = _Writer(buffer)
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
    writer = _Writer(buffer)
    writer.writerow([cell(c) for c in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()


def frame_text(frame: Any) -> str:
    """Returns a pandas DataFrame as CSV text; text cells neutralised, numbers kept."""
    safe = frame.copy()
    safe.columns = [cell(c) for c in safe.columns]
    bare_cr = any("\r" in str(c) for c in safe.columns)
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or str(column.dtype) in ("string", "str"):
            safe[name] = column.map(cell)
            bare_cr = bare_cr or bool(column.map(_has_cr).any())
    # pandas quotes like `csv.writer`, which leaves a bare CR unquoted; quoting every
    # text then is the only way to keep the record whole.
    quoting = csv.QUOTE_NONNUMERIC if bare_cr else csv.QUOTE_MINIMAL
    return safe.to_csv(index=False, lineterminator="\n", quoting=quoting)


def _has_cr(value: Any) -> bool:
    return isinstance(value, str) and "\r" in value


class _Writer:
    """Writes CSV records with LF line ends, quoting as RFC 4180 asks.

    `csv.writer` with ``lineterminator="\\n"`` quotes a field holding LF but not one
    holding a bare CR, which every reader then takes for a line end.
    """

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    def writerow(self, values: Sequence[Any]) -> None:
        fields = [_field(v) for v in values]
        if fields == [""]:
            # A lone empty field would read as a blank line.
            fields = ['""']
        self._stream.write(",".join(fields) + "\n")


def _field(value: Any) -> str:
    text = "" if value is None else str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
    numeric: Iterable[str] = (),
) -> None:
    """Writes `csv_text` atomically: readers see the old file or the whole new one."""
    write_text_atomic(path, csv_text(columns, records, numeric))


def read_records(
    path: str | os.PathLike[str],
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
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
    InputError
        When the file is not a regular file or is too large (`read_input_bytes`).
    """
    # Decoding the bytes keeps every line end as it is (newline=''), so the csv
    # module sees quoted line breaks inside cells.
    text = read_input_bytes(path).decode("utf-8-sig")
    return parse_records(text)


def parse_rows(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Parses CSV text into ``(line, values)`` pairs, values restored, not stripped.

    ``line`` is the 1-based line on which the record starts (a quoted line break
    makes a record span lines); records whose cells are all blank are left out.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for values in reader:
        restored = [restore(v) for v in values]
        if any(v.strip() for v in restored):
            yield line, restored
        line = reader.line_num + 1


def read_frame(path: str | os.PathLike[str], infer: bool = False) -> Any:
    """Reads a CSV file carecap wrote as a pandas DataFrame of restored text.

    Parameters
    ----------
    infer
        Turn columns whose non-empty cells are all numbers into numbers (empty cells
        NaN) and columns of only ``True``/``False`` into booleans; without it every
        column is text (stripped, ``''`` where empty).

    Returns
    -------
    pandas.DataFrame
        The records, with ``frame.attrs["lines"]`` the line on which each starts.

    Raises
    ------
    FileNotFoundError, UnicodeDecodeError
        As opening and decoding the file raises them.
    """
    import pandas as pd

    header, records = read_records(path)
    lines, rows = [], []
    for line, record in records:
        lines.append(line)
        rows.append([record.get(name, "") for name in header])
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    if infer:
        for name in header:
            frame[name] = _inferred(frame[name])
    frame.attrs["lines"] = lines
    return frame


def _inferred(column: Any) -> Any:
    """Returns a text column as booleans or numbers where every cell is one."""
    import pandas as pd

    filled = column[column != ""]
    if filled.empty:
        return column
    if filled.isin(("True", "False")).all():
        return column == "True"
    numbers = pd.to_numeric(column.where(column != ""), errors="coerce")
    if numbers[column != ""].notna().all():
        return numbers
    return column


def parse_records(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Parses CSV text as `read_records` does."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [restore(h).strip() for h in next(reader)]
    except StopIteration:
        return [], iter(())

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num + 1
        for values in reader:
            # Restore before stripping: a written "'\t" is a TAB, so a blank cell.
            cells = [restore(value).strip() for value in values]
            if any(cells):
                yield (
                    line,
                    {
                        name: value
                        for name, value in zip(header, cells, strict=False)
                        if name
                    },
                )
            line = reader.line_num + 1

    return header, records()

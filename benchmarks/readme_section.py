"""Replaces a generated section of ``benchmarks/README.md``: the text between a
begin and an end marker comment, shared by every report script."""

from __future__ import annotations

from pathlib import Path

from carecap.io import write_text_atomic


def replace_section(readme: Path, begin: str, end: str, section: str) -> None:
    """Replaces the text between the ``begin`` and ``end`` markers of ``readme``
    with ``section``, written atomically (a report stopped half-way leaves the old
    README). Exits with a message naming the file and the marker when one is
    missing, before anything is written."""
    text = readme.read_text(encoding="utf-8")
    head, found, rest = text.partition(begin)
    if not found:
        raise SystemExit(f"{readme}: marker {begin} not found")
    _, found, tail = rest.partition(end)
    if not found:
        raise SystemExit(f"{readme}: marker {end} not found after {begin}")
    write_text_atomic(readme, f"{head}{begin}\n{section}\n{end}{tail}")

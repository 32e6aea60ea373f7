"""CSV files that are safe to open in Excel or LibreOffice: a cell that starts with a formula
character is written as text (OWASP "CSV Injection": prefix a single quote).

Every CSV draaibot writes goes through `writer` here. (The defusedcsv package does the same but
leaves tab and carriage return alone and rewrites '|' inside cells.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made plain text; numbers and
    other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell neutralised."""

    def __init__(self, file: _Writable, delimiter: str = ";") -> None:
        self._writer = csv.writer(file, delimiter=delimiter)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: _Writable, delimiter: str = ";") -> SafeWriter:
    return SafeWriter(file, delimiter)

"""What "Toon bron" shows of a section: its whole text with the rows of its tables in place.

A table row is a section of its own (see index.documents), so a row's source is the section its
table is in, with the row marked: a row alone ('Pannenset') says little without its table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from index.documents import Document, Section, Unit

ROW_MARK = "▶ "


@dataclass(frozen=True)
class Source:
    citation: str
    text: str  # blocks separated by blank lines; a table's rows one per line


class Sources:
    def __init__(self, documents: list[Document], by_id: Mapping[str, Section]) -> None:
        self._by_id = by_id  # every section of the documents by its id
        self._parent_of: dict[str, str] = {}  # a table row's id -> its section's id
        self._rows_of: dict[str, list[Section]] = {}  # a section's id -> its tables' rows
        for d in documents:
            by_path = {s.path: s.id for s in d.sections if not s.row}
            for row in (s for s in d.sections if s.row):
                parent = by_path.get(row.path[:-1])
                if parent is not None:
                    self._parent_of[row.id] = parent
                    self._rows_of.setdefault(parent, []).append(row)

    def of(self, section_id: str) -> Source | None:
        section = self._by_id.get(section_id)
        if section is None:
            return None
        parent = self._by_id.get(self._parent_of.get(section.id, "")) if section.row else None
        shown = parent or section
        # A row's own unit is its first; the notes after it are also the parent's.
        units: list[tuple[int, Unit, bool]] = [(u.line, u, False) for u in shown.units]
        units += [
            (row.units[0].line, row.units[0], row is section)
            for row in self._rows_of.get(shown.id, [])
        ]
        blocks: list[str] = []
        previous_row = False
        for _, unit, marked in sorted(units, key=lambda t: t[0]):
            text = ROW_MARK + unit.text if marked else unit.text
            is_row = unit.kind == "row"
            if is_row and previous_row:
                blocks[-1] += "\n" + text
            else:
                blocks.append(text)
            previous_row = is_row
        return Source(shown.citation, "\n\n".join(blocks))

"""What "Toon bron" shows: a section whole, with its tables; a row in its table, marked."""

from __future__ import annotations

from pathlib import Path

from index.sources import Source
from tests.conftest import one_document_index


def test_a_source_shows_its_tables_and_a_row_is_shown_in_its_table(tmp_path: Path) -> None:
    index = one_document_index(
        tmp_path,
        "Lijst",
        "# Keuken\n\nDe aanbieder schaft aan:\n\n| Artikel | Aantal |\n|---|---|\n"
        "| Waterkoker | 1 |\n| Pannenset* | |\n| Stoelen | 12 |\n\n"
        "\\* In overleg meer.\n\n# Tuin\n\nEen eenvoudig te onderhouden tuin.\n",
    )
    row = next(s for s in index.sections if s.heading == "Pannenset*")
    source = index.source(row.id)
    assert source is not None
    assert source.citation == "Lijst › Keuken"
    assert source.text == (
        "De aanbieder schaft aan:\n\n"
        "Waterkoker | 1\n▶ Pannenset*\nStoelen | 12\n\n"
        "* In overleg meer."
    )
    keuken = index.source(row.id.removesuffix("-pannenset"))
    assert keuken is not None and keuken.text == source.text.replace("▶ ", "")  # whole table
    tuin = next(s for s in index.sections if s.heading == "Tuin")
    assert index.source(tuin.id) == Source("Lijst › Tuin", "Een eenvoudig te onderhouden tuin.")
    assert index.source("lijst#bestaat-niet") is None

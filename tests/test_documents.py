"""Parsing Markdown into citable sections (markdown-it-py token stream, source lines)."""

from __future__ import annotations

from pathlib import Path

from index.documents import heading_slug, parse_document, slugify
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE


def test_slugs_are_short_and_stable() -> None:
    assert slugify("8.1 KWG") == "8-1-kwg"
    assert slugify("KWE+") == "kwe-plus"
    assert heading_slug("8.1 KWG") == ("8-1", True)
    assert heading_slug("4.6.21 Brandmeldinstallatie") == ("4-6-21", True)
    assert heading_slug("Norm 1.2 – De woonbegeleider bespreekt de zes leefgebieden") == (
        "norm-1-2",
        True,
    )
    assert heading_slug("Principe 1: Zelfredzaamheid") == ("principe-1", True)
    assert heading_slug("Rol Gemeente") == ("rol-gemeente", False)


def test_pve_room_table_rows_become_cited_sections(shipped_index: KnowledgeIndex) -> None:
    section = shipped_index.by_id["pve-huisvesting#8-1-keukenruimte"]
    assert section.citation == (
        "PvE Huisvesting › 8. Benodigde ruimten en vereisten per woonvorm › 8.1 KWG › "
        "Keukenruimte 11,5 m2"
    )
    assert "elektrisch of keramisch koken" in section.text
    source = (KNOWLEDGE / "documenten" / "pve-huisvesting.md").read_text("utf-8").splitlines()
    assert source[section.line - 1].startswith("| Keukenruimte 11,5 m2 |")


def test_headings_mirror_the_documents_numbering(shipped_index: KnowledgeIndex) -> None:
    ids = set(shipped_index.by_id)
    for i in range(1, 23):
        assert any(x.startswith(f"pve-huisvesting#4-6-{i}") for x in ids), f"4.6.{i}"
    for norm in ["0-1", "1-10", "4-3", "8-3"]:
        assert f"kwaliteitsbeleid-kso#norm-{norm}" in ids
    assert "kwaliteitsbeleid-kso#principe-0" in ids
    assert "draaiboek-kso#de-eerstvolgende-stap-voor-u-als-gemeente-stappenplan" in ids


def test_section_lines_point_at_their_heading(shipped_index: KnowledgeIndex) -> None:
    for doc in shipped_index.documents:
        lines = doc.path.read_text("utf-8").splitlines()
        for section in doc.sections:
            if section.path and not section.row:
                assert lines[section.line - 1].lstrip("#").strip() == section.heading


def test_list_items_and_footnotes_are_kept(shipped_index: KnowledgeIndex) -> None:
    norm = shipped_index.by_id["kwaliteitsbeleid-kso#norm-1-1"]
    assert norm.units[0].text.startswith("- a. De woonbegeleider stelt na de verkenningsfase")
    notes = shipped_index.by_id["kwaliteitsbeleid-kso#voetnoten"]
    assert notes.units[0].text.startswith("[1] Brief staatssecretaris")


def test_a_table_note_belongs_to_the_rows_it_marks(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "---\ntitle: T\n---\n# Woonvormen\n\n| | KWG | KWE |\n| --- | --- | --- |\n"
        "| Aantal | 9 - 12* | 3 - 5 |\n| Pand | Zorgpand | Rijtjeshuis |\n\n"
        "\\* In overleg kan worden afgeweken.\n",
        encoding="utf-8",
    )
    rows = {s.heading: s for s in parse_document(path).sections}
    assert rows["Aantal"].text.endswith("* In overleg kan worden afgeweken.")
    assert rows["Aantal"].units[-1].line == 11
    assert "afgeweken" not in rows["Pand"].text
    assert "afgeweken" in rows["Woonvormen"].text  # the note stays under its heading too


def test_a_table_note_is_not_given_to_another_table(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "---\ntitle: T\n---\n# Ruimten\n\n| Ruimte | Eis |\n| --- | --- |\n"
        "| Keuken | 11,5 m2* |\n\nTekst tussen de tabellen.\n\n"
        "| Ruimte | Eis |\n| --- | --- |\n| Tuin | hek* |\n\n\\* Tenzij anders afgesproken.\n",
        encoding="utf-8",
    )
    rows = {s.heading: s for s in parse_document(path).sections}
    assert rows["Tuin"].text.endswith("* Tenzij anders afgesproken.")
    assert "Tenzij" not in rows["Keuken"].text


def test_front_matter_and_untitled_opening(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "---\ntitle: T\nshort: S\n---\nOpening zonder kop.\n\n## Kop\n\nTekst.\n", "utf-8"
    )
    doc = parse_document(path)
    assert doc.short == "S"
    assert [s.id for s in doc.sections] == ["doc#begin", "doc#kop"]
    assert doc.sections[1].citation == "S › Kop"
    assert doc.sections[1].line == 7

"""`draaibot check`: the shipped folder passes; each kind of breakage is reported as file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build_index
from index.checks import check_folder
from index.search import InvalidKnowledge
from tests.conftest import KNOWLEDGE, MINIMAL_DOC


def error_lines(folder: Path) -> list[str]:
    _, problems = check_folder(folder)
    return [str(p) for p in problems if p.is_error]


def test_shipped_knowledge_has_no_problems() -> None:
    documents, problems = check_folder(KNOWLEDGE)
    assert problems == []
    assert {d.slug for d in documents} == {
        "draaiboek-kso",
        "kwaliteitsbeleid-kso",
        "pve-huisvesting",
        "vng-presentatie-2026",
    }


def test_missing_front_matter(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_text(MINIMAL_DOC.split("---\n", 2)[2], "utf-8")
    assert error_lines(small_knowledge) == [
        f"{doc}:1: fout: front matter ontbreekt: begin het bestand met --- en title, short, ..."
    ]


def test_incomplete_front_matter(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_text(MINIMAL_DOC.replace("short: Test\n", "").replace('version: "1"\n', ""), "utf-8")
    assert error_lines(small_knowledge) == [
        f"{doc}:1: fout: front matter mist 'short'",
        f"{doc}:1: fout: front matter mist 'version' of 'date'",
    ]


def test_duplicate_heading_id(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_text(MINIMAL_DOC + "\n## 1. Keuken\n\nNog eens.\n", "utf-8")
    (line,) = error_lines(small_knowledge)
    assert line.startswith(f"{doc}:17: fout: sectie-id 'test#1' bestaat al (regel 9)")


def test_non_utf8_file(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_bytes(MINIMAL_DOC.encode("utf-8") + "Café\n".encode("latin-1"))
    assert error_lines(small_knowledge) == [
        f"{doc}:16: fout: bestand is geen UTF-8 (sla het op als UTF-8)"
    ]


def test_empty_document(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_text(MINIMAL_DOC.split("## 1.")[0], "utf-8")
    assert error_lines(small_knowledge) == [
        f"{doc}:1: fout: document is leeg: geen tekst onder de koppen"
    ]


def test_empty_section_warns_and_all_errors_come_at_once(small_knowledge: Path) -> None:
    docs = small_knowledge / "documenten"
    (docs / "test.md").write_text(MINIMAL_DOC + "\n## 3. Leeg\n", "utf-8")
    (docs / "kapot.md").write_bytes(b"\xff\xfe")
    lines = error_lines(small_knowledge)
    assert any(line.startswith(f"{docs / 'kapot.md'}:1:") for line in lines)
    _, problems = check_folder(small_knowledge)
    warning = f"{docs / 'test.md'}:17: waarschuwing: kop zonder tekst eronder: '3. Leeg'"
    assert warning in [str(p) for p in problems]


def test_broken_yaml_front_matter(small_knowledge: Path) -> None:
    doc = small_knowledge / "documenten" / "test.md"
    doc.write_text(MINIMAL_DOC.replace("title: Testdocument", "title: [onaf"), "utf-8")
    (line,) = error_lines(small_knowledge)
    assert line.startswith(f"{doc}:")
    assert "front matter is geen geldige YAML" in line


def test_index_refuses_a_broken_folder(small_knowledge: Path) -> None:
    (small_knowledge / "documenten" / "test.md").write_text("", "utf-8")
    with pytest.raises(InvalidKnowledge) as info:
        build_index(small_knowledge)
    assert "document is leeg" in str(info.value)


def test_synonym_file_problems_have_lines(small_knowledge: Path) -> None:
    path = small_knowledge / "synoniemen.yaml"
    path.write_text("synoniemen:\n  - [kwg, kinderwoongroep]\n  - [alleen]\nonzin: 1\n", "utf-8")
    assert error_lines(small_knowledge) == [
        f"{path}:3: fout: een synoniemengroep heeft minstens twee woorden nodig",
        f"{path}:4: fout: onbekende sleutel 'onzin' "
        "(verwacht 'synoniemen', 'stopwoorden' of 'alternatieven')",
    ]

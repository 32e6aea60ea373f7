"""Question wordings: how people ask for a section, a field of its own with a lower weight."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.knowledge import check_knowledge
from index.search import KnowledgeIndex
from tests.conftest import ROOT, one_document_index

BODY = """
## 1. Oplevertermijn

De termijn tussen de kenbaar gemaakte behoefte en de ingebruikname is korter dan drie maanden.

## 2. Tuin

Een eenvoudig te onderhouden tuin bij de locatie.
"""


def test_a_wording_finds_a_section_in_other_words(tmp_path: Path) -> None:
    plain = one_document_index(tmp_path / "k", "Eisen", BODY)
    question = "wanneer moet het huis af zijn?"
    assert not plain.search(question).answered
    wordings = {"eisen#1": ["wanneer moet het huis af zijn voor de kinderen"]}
    index = KnowledgeIndex(plain.documents, plain.synonym_data, wordings)
    result = index.search(question)
    assert result.answered
    assert result.passages[0].section.id == "eisen#1"
    # the passage shown is still the document's text, never the wording
    assert "ingebruikname" in result.passages[0].extract.text


def test_wordings_weigh_less_than_the_text(tmp_path: Path) -> None:
    plain = one_document_index(tmp_path / "k", "Eisen", BODY)
    wordings = {"eisen#1": ["hoe ziet de tuin eruit"]}
    index = KnowledgeIndex(plain.documents, plain.synonym_data, wordings)
    assert index.search("tuin").passages[0].section.id == "eisen#2"


def test_wordings_of_unknown_sections_are_ignored(tmp_path: Path) -> None:
    plain = one_document_index(tmp_path / "k", "Eisen", BODY)
    index = KnowledgeIndex(plain.documents, plain.synonym_data, {"bestaat#niet": ["vraag"]})
    assert index.wordings == {}


def test_check_reports_wordings_of_sections_that_do_not_exist(knowledge_copy: Path) -> None:
    (knowledge_copy / "vraagvormen.yaml").write_text(
        "vraagvormen:\n"
        "  pve-huisvesting#7:\n"
        "    - wanneer moet het huis af zijn?\n"
        "  pve-huisvesting#99-bestaat-niet:\n"
        "    - een vraag\n"
        "  pve-huisvesting#6:\n"
        "    - [geen, tekst]\n"
        "    - wanneer moet het huis af zijn?\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_knowledge(knowledge_copy)]
    assert any(
        "vraagvormen.yaml:4: fout: sectie 'pve-huisvesting#99-bestaat-niet' bestaat niet" in p
        for p in problems
    ), problems
    assert any("vraagvormen.yaml:7: fout: verwacht een vraag als tekst" in p for p in problems)
    assert any(
        "vraagvormen.yaml:8: waarschuwing: dezelfde vraag staat ook op regel 3" in p
        for p in problems
    )


def test_a_broken_wordings_file_never_raises(knowledge_copy: Path) -> None:
    for text in ("vraagvormen: [a, b]\n", "- a\n", "vraagvormen:\n  x: 3\n", "a: &x 1\nb: *x\n"):
        (knowledge_copy / "vraagvormen.yaml").write_text(text, encoding="utf-8")
        assert any(p.is_error for p in check_knowledge(knowledge_copy)), text


def test_the_shipped_wordings_are_indexed(shipped_index: KnowledgeIndex) -> None:
    assert len(shipped_index.wordings) >= 70
    assert all(2 <= len(ws) <= 4 for ws in shipped_index.wordings.values())


def test_index_lists_section_ids_for_staff() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "index", "--secties"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "pve-huisvesting#7\tPvE Huisvesting › 7. Oplevertermijn" in result.stdout.splitlines()

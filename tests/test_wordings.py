"""Question wordings: how people ask for a section, a field of its own with a lower weight."""

from __future__ import annotations

from pathlib import Path

from index.search import KnowledgeIndex
from tests.conftest import one_document_index

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

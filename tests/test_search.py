"""Answers: the right passage on top, short extracts with marks, honest refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.search import KnowledgeIndex
from tests.conftest import one_document_index
from tests.fixtures.eval.score import score

EVAL = Path(__file__).parent / "fixtures" / "eval"


def test_dev_set_regression_floor(shipped_index: KnowledgeIndex) -> None:
    """A later change must not silently make answers worse (snapshot of the shared dev set)."""
    questions = [json.loads(line) for line in (EVAL / "dev_questions.jsonl").open() if line.strip()]
    result = score(questions, [shipped_index.search(q["question"]).as_json() for q in questions])
    assert result["hit@1"] >= 0.88, result
    assert result["hit@3"] >= 0.97, result
    assert result["answer@1"] >= 0.80, result
    assert result["sure_precision"] >= 0.95, result
    assert result["sure_in_scope"] >= 0.85, result
    assert result["rejected_out_of_scope"] >= 0.9, result


@pytest.mark.parametrize(
    "question,citation_part,phrase",
    [
        ("hoeveel m2 moet de keuken van een kwg zijn?", "8.1 KWG › Keukenruimte", "11,5 m2"),
        ("aan welke norm moet de brandmeldinstallatie voldoen?", "4.6.21", "NEN 2535"),
        (
            "hoelang hebben we om een woning te regelen voor een jongere?",
            "Opgave en taakstelling",
            "12 maanden",
        ),
        (  # the sentence after the one that matches holds the answer: context
            "wat doen we als het niet lukt om binnen de termijn vervolghuisvesting te vinden?",
            "Wat als een gemeente niet tijdig voor vervolghuisvesting zorgt?",
            "tijdig in overleg met Nidos",
        ),
        (  # the table's note belongs to the row it marks
            "met hoeveel jongeren mag een kwe afwijken van het aantal?",
            "De drie woonvormen van de KSO › Aantal jongeren",
            "afgeweken worden van de aantallen",
        ),
    ],
)
def test_right_passage_on_top(
    shipped_index: KnowledgeIndex, question: str, citation_part: str, phrase: str
) -> None:
    result = shipped_index.search(question)
    assert result.answered
    assert citation_part in result.passages[0].section.citation
    assert phrase in result.passages[0].extract.text


def test_definition_is_among_the_passages(shipped_index: KnowledgeIndex) -> None:
    result = shipped_index.search("wat is een driegesprek?")
    assert any("Driegesprek: Een gesprek tussen" in p.extract.text for p in result.passages)


def test_extract_is_short_marked_and_from_the_section(shipped_index: KnowledgeIndex) -> None:
    result = shipped_index.search("wanneer moet de tweede schouw plaatsvinden na opening?")
    top = result.passages[0]
    assert "6. Schouw locaties" in top.section.citation
    assert len(top.extract.text) <= 1000
    assert len(top.extract.text) < len(top.section.text)
    marked = {top.extract.text[a:b].lower() for a, b in top.extract.marks}
    assert {"tweede", "schouw", "opening"} <= marked
    for piece in top.extract.text.split("\n…\n"):
        assert piece.split(" ")[0] in top.section.text


@pytest.mark.parametrize(
    "question",
    [
        "wat is het recept voor appeltaart?",
        "hoe laat vertrekt de trein naar Utrecht?",
        "wie heeft het WK voetbal gewonnen?",
        "Wat verdient een woonbegeleider, welke cao geldt?",
        # near the documents, but their most specific word is in none of them
        "moet er een lift in het pand zitten?",
        "welke cao geldt voor de woonbegeleiders?",
    ],
)
def test_out_of_scope_questions_are_refused(shipped_index: KnowledgeIndex, question: str) -> None:
    assert not shipped_index.search(question).answered


def test_only_relevant_passages_are_returned(shipped_index: KnowledgeIndex) -> None:
    result = shipped_index.search("NEN 3140")
    assert result.answered
    best = result.passages[0].score
    assert all(p.score >= 0.3 * best for p in result.passages)


def test_extra_questions_regression_floor(shipped_index: KnowledgeIndex) -> None:
    """Our own questions, beside the dev set: everyday phrasing and off-topic questions."""
    path = Path(__file__).parent / "fixtures" / "extra_questions.jsonl"
    questions = [json.loads(line) for line in path.open() if line.strip()]
    result = score(questions, [shipped_index.search(q["question"]).as_json() for q in questions])
    assert result["hit@1"] >= 0.80, result
    assert result["hit@3"] >= 0.88, result
    assert result["answered_in_scope"] >= 0.95, result
    assert result["rejected_out_of_scope"] >= 0.78, result


def test_an_answer_without_the_questions_most_specific_word_needs_more_confidence(
    shipped_index: KnowledgeIndex,
) -> None:
    query = shipped_index.analyse("welke energielabel moet het pand minimaal hebben?")
    assert [w.surface for w in query.focus_words()] == ["energielabel"]
    assert not query.holds_focus(shipped_index.analyzer.terms("Het pand is minimaal 10 m2."))
    assert query.holds_focus(shipped_index.analyzer.terms("Het energielabel van de woning"))


def test_a_synonym_phrase_counts_only_whole(tmp_path: Path) -> None:
    index = one_document_index(
        tmp_path,
        "Opvang",
        "# Gastenopvang\n\nDe opvang van gasten regelt de receptie.\n\n"
        "# Kleinschalige opvang\n\nKleinschalige opvang is voor jongeren met status.\n\n"
        "# Tuin\n\nDe tuin is eenvoudig te onderhouden.\n",
        "synoniemen:\n  - [kso, kleinschalige opvang]\nstopwoorden: [wat]\n",
    )
    query = index.analyse("wat is kso?")
    scored = {
        index.sections[index.windows[w].section].heading
        for w in index.scores(index.alternatives(query))[0]
    }
    assert scored == {"Kleinschalige opvang"}


def test_a_row_with_only_its_label_does_not_outweigh_a_row_that_says_something(
    tmp_path: Path,
) -> None:
    """A heading weighs more than the text under it; a row that is only a label has no text
    under it, so its label must not count three times in an otherwise empty passage."""
    index = one_document_index(
        tmp_path,
        "Eisen",
        "# Ruimten\n\n| Ruimte | Eis |\n|---|---|\n"
        "| Gordijnen | Brandvertragend. Gordijnen en rolgordijnen hebben een certificaat. |\n"
        "| Tuin | Eenvoudig te onderhouden. |\n\n"
        "# Inventarislijst\n\n| Artikel | Aantal |\n|---|---|\n"
        "| Brandvertragende gordijnen | |\n| Bankstel | 1 |\n| Stoelen | 12 |\n",
    )
    result = index.search("moeten de gordijnen brandvertragend zijn?")
    assert [p.section.citation for p in result.passages][:2] == [
        "Eisen › Ruimten › Gordijnen",
        "Eisen › Inventarislijst › Brandvertragende gordijnen",
    ]


def test_the_same_text_in_two_places_is_one_passage_cited_in_both(tmp_path: Path) -> None:
    table = "| Ruimte | Eis |\n|---|---|\n| Tuin | Een eenvoudig te onderhouden tuin. |\n"
    index = one_document_index(
        tmp_path,
        "Eisen",
        f"# Eisen\n\n## 8.1 KWG\n\n{table}\n## 8.2 KWE\n\n{table}\n"
        "## Tienermoederopvang\n\nDe tuin is veilig: geen vijver.\n",
    )
    result = index.search("hoe moet de tuin zijn?")
    tuin = next(p for p in result.passages if p.section.heading == "Tuin")
    assert [p.section.heading for p in result.passages].count("Tuin") == 1
    assert tuin.citation == "Eisen › Eisen › 8.1 KWG › Tuin (ook 8.2 KWE › Tuin)"
    assert tuin.as_json()["citation"] == "Eisen › Eisen › 8.1 KWG › Tuin"
    assert tuin.as_json()["also"] == ["Eisen › Eisen › 8.2 KWE › Tuin"]
    assert len(result.passages) == 2  # the veilige tuin of the tienermoederopvang as well


def test_the_verb_gelden_is_not_read_as_money(shipped_index: KnowledgeIndex) -> None:
    """'Welke eisen gelden ...' asks what applies; Snowball stems 'geldt' to 'geld' (money)."""
    for question in ("welke eisen gelden voor de tuin?", "wat geldt er voor de tuin van een kwe?"):
        terms = shipped_index.search(question).terms
        assert "vergoed" not in terms and "geld" not in terms, question

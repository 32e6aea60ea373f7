"""The answer line: the sentence, item or table cell that answers, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answerline import value_spans
from index.search import KnowledgeIndex
from tests.conftest import one_document_index

TABLE = """
## 3. Begeleiding

| Onderdeel | KWG | KWE |
| --- | --- | --- |
| Toezicht | Continu toezicht door een team. | Minimaal 6 uur per week per jongere. |
| Ruimte | Een werkplek van 8 m2. Deze ruimte moet afsluitbaar zijn. | Geen eis. |

## 4. Oplevering

De gemeente zoekt een pand. De oplevering is altijd binnen drie maanden na de aanvraag.
Daarna volgt de schouw.
"""


@pytest.fixture(scope="module")
def table_index(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    return one_document_index(tmp_path_factory.mktemp("k") / "kennis", "Handboek", TABLE)


def line(index: KnowledgeIndex, question: str) -> str:
    result = index.search(question)
    assert result.answer is not None, question
    return result.answer.text


def test_the_cell_of_the_column_the_question_names(table_index: KnowledgeIndex) -> None:
    assert line(table_index, "hoeveel uur toezicht bij een kwe?") == (
        "Toezicht — KWE: Minimaal 6 uur per week per jongere."
    )
    assert line(table_index, "hoe zit het met toezicht in een kwg") == (
        "Toezicht — KWG: Continu toezicht door een team."
    )


def test_a_cell_of_several_sentences_gives_the_sentence_with_its_labels(
    table_index: KnowledgeIndex,
) -> None:
    assert line(table_index, "moet de ruimte in de kwg afsluitbaar zijn?") == (
        "Ruimte — KWG: Deze ruimte moet afsluitbaar zijn."
    )


def test_a_paragraph_gives_the_sentence_that_answers(table_index: KnowledgeIndex) -> None:
    assert line(table_index, "wanneer is de oplevering?") == (
        "De oplevering is altijd binnen drie maanden na de aanvraag."
    )


def test_json_carries_the_answer_with_its_citation(table_index: KnowledgeIndex) -> None:
    reply = table_index.search("hoeveel uur toezicht bij een kwe?").as_json()
    assert reply["unsure"] is False
    answer = reply["answer"]
    assert isinstance(answer, dict)
    assert answer["citation"] == "Handboek › 3. Begeleiding › Toezicht"
    assert answer["id"] == reply["passages"][0]["id"]  # type: ignore[index]


def test_no_answer_line_without_an_answer(table_index: KnowledgeIndex) -> None:
    reply = table_index.search("wat kost een parkeervergunning in Utrecht?").as_json()
    assert reply["answered"] is False
    assert reply["answer"] is None


@pytest.mark.parametrize(
    "question,expected",
    [
        ("hoeveel m2 moet de keuken van een kwg zijn?", "Keukenruimte 11,5 m2"),
        ("hoeveel uur begeleiding krijgt een kwe?", "KWE): Minimaal 7 uur per week"),
        ("mag een jongere zijn kamer op slot doen?", "afgesloten kunnen worden (cilinderslot)"),
    ],
)
def test_shipped_knowledge_answers_first(
    shipped_index: KnowledgeIndex, question: str, expected: str
) -> None:
    text = line(shipped_index, question)
    assert expected in text
    assert len(text) < 500


@pytest.mark.parametrize(
    "text,values",
    [
        ("Keukenruimte 11,5 m2 groot", ["11,5 m2"]),
        ("per 1 juli 2022 verplicht", ["1 juli 2022"]),
        ("binnen drie maanden na opening", ["drie maanden"]),
        ("9 - 12 jongeren, 60% vooraf", ["9 - 12 jongeren", "60%"]),
        ("geen getal hier", []),
        ("met 24/7 bereikbaarheid", ["24/7"]),
    ],
)
def test_values_are_marked(text: str, values: list[str]) -> None:
    assert [text[a:b] for a, b in value_spans(text)] == values


def test_every_answer_line_is_word_for_word_from_its_section(
    shipped_index: KnowledgeIndex, tmp_path: Path
) -> None:
    """Whatever is asked, the line's words stand in the section it cites (labels aside)."""
    for question in ("brandblusser keuken", "schouw", "taakstelling gemeente", "tuin kwe"):
        result = shipped_index.search(question)
        assert result.answer is not None
        section = result.answer.section
        body = result.answer.text.split(" — ")[-1].split(": ", 1)[-1]
        assert body in section.text, (question, body)


def test_doubt_is_said(shipped_index: KnowledgeIndex) -> None:
    """Three tiers: a clear question is answered without doubt; a near-scope one that shares
    only topic words is at most a suggestion; one about nothing in the documents is refused."""
    sure = shipped_index.search("hoeveel m2 moet de keuken van een kwg zijn?")
    assert sure.answered and not sure.unsure
    vague = shipped_index.search("welke kleur moeten de muren van de huiskamer hebben?")
    assert not vague.answered or vague.unsure
    assert not shipped_index.search("hoe laat vertrekt de trein naar Utrecht?").answered


def test_a_numbered_sentence_keeps_its_number_out_of_the_line(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Eisen",
        "## 4.6 Brand\n\n4.6.21. Er is een brandmeldinstallatie volgens NEN 2535. Zij wordt "
        "jaarlijks gecontroleerd.\n",
    )
    assert line(index, "aan welke norm voldoet de brandmeldinstallatie?") == (
        "Er is een brandmeldinstallatie volgens NEN 2535."
    )


def test_a_cost_question_is_not_sure_of_a_passage_without_an_amount(tmp_path: Path) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Eisen",
        "## 6. Schouw\n\nBinnen drie maanden na opening volgt een tweede schouw van de locatie.\n\n"
        "## 7. Vergoeding\n\nNa de schouw wordt 60% van de vergoeding betaald.\n",
    )
    assert index.search("hoeveel procent van de vergoeding wordt betaald?").passages[0].section.id
    cost = index.search("wat kost een schouw van de locatie?")
    assert not cost.answered or cost.unsure


def test_a_question_in_the_document_is_answered_by_the_sentence_after_it(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Gids",
        "## 2. Opvang\n\nIs een kind jonger dan 15 jaar? Dan wordt het in een pleeggezin "
        "opgevangen. Oudere jongeren gaan naar een woongroep.\n",
    )
    assert line(index, "waar wordt een kind jonger dan 15 jaar opgevangen?") == (
        "Dan wordt het in een pleeggezin opgevangen."
    )


def test_a_terse_cell_gets_the_sentence_after_it(tmp_path: Path) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Eisen",
        "## 8. Ruimten\n\n| Onderdeel | Vereisten |\n| --- | --- |\n"
        "| Gordijnen | Brandvertragend. Met een certificaat van de leverancier. |\n",
    )
    assert line(index, "moeten de gordijnen brandvertragend zijn?") == (
        "Gordijnen — Brandvertragend. Met een certificaat van de leverancier."
    )


def test_a_question_about_one_woonvorm_is_not_answered_from_another(
    shipped_index: KnowledgeIndex,
) -> None:
    result = shipped_index.search("hoeveel m2 moet de keuken van een kwe zijn?")
    assert "8.2 KWE(+)" in result.passages[0].section.citation
    assert result.unsure  # the KWE table states no size for its kitchen: said with doubt


def test_a_unit_asks_the_kind_of_answer_the_topic_decides(shipped_index: KnowledgeIndex) -> None:
    top = shipped_index.search("hoeveel m2 moet de keuken van een kwg zijn?").passages[0]
    assert top.section.heading == "Keukenruimte 11,5 m2"


def test_a_size_question_gets_the_sentence_with_the_size_not_the_rows_label(
    shipped_index: KnowledgeIndex,
) -> None:
    text = line(shipped_index, "hoe groot moet een slaapkamer zijn?")
    assert "circa 5m2" in text.rpartition(" — ")[2]


def test_a_short_cell_is_given_whole_where_the_question_spans_its_sentences(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Eisen",
        "## 5. Inrichting\n\n| Onderdeel | Eis |\n| --- | --- |\n"
        "| Vloerkleed | Antislip. Het kleed moet op 60 graden wasbaar zijn. Norm: NEN 1234. |\n",
    )
    assert line(index, "moet het vloerkleed antislip zijn?") == (
        "Vloerkleed — Antislip. Het kleed moet op 60 graden wasbaar zijn. Norm: NEN 1234."
    )
    assert line(index, "moet het vloerkleed wasbaar zijn?") == (
        "Vloerkleed — Het kleed moet op 60 graden wasbaar zijn."
    )


def test_the_headings_words_decide_between_items_that_are_equal_otherwise(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Verslag",
        "## Belangrijke les uit de pilot\n\n- Drie gemeenten deden mee aan de pilot\n"
        "- De pilot liep een jaar\n- Vroeg beginnen met de buurt is de belangrijkste les\n",
    )
    assert line(index, "wat was de belangrijkste les uit de pilot van de provincie?") == (
        "- Vroeg beginnen met de buurt is de belangrijkste les"
    )


def test_a_sentence_that_only_repeats_the_question_gets_the_one_after_it(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Gids",
        "## Tijdelijke woonruimte\n\nOok tijdelijke woonruimte voor jongeren in een krappe "
        "markt is mogelijk. Denk aan een kamer bij een gastgezin of een unit op een "
        "doorstroomlocatie.\n",
    )
    assert line(index, "welke tijdelijke woonruimte is er voor jongeren in een krappe markt?") == (
        "Ook tijdelijke woonruimte voor jongeren in een krappe markt is mogelijk. Denk aan een "
        "kamer bij een gastgezin of een unit op een doorstroomlocatie."
    )


def test_the_passage_behind_the_answer_shows_the_answer(tmp_path: Path) -> None:
    filler = "".join(
        f"In {regio} werkt Nidos samen met partners in het netwerk; de opvang daar verloopt "
        "goed en jongeren wonen er in kleine groepen.\n\n"
        for regio in ("Drenthe", "Friesland", "Groningen", "Limburg", "Utrecht", "Zeeland")
    )
    index = one_document_index(
        tmp_path / "k",
        "Jaarbeeld",
        f"## Netwerk\n\n{filler}- Het zijn 31 partners in het hele land\n",
    )
    result = index.search("met hoeveel partners werkt nidos samen in het netwerk?")
    assert result.answer is not None
    assert "31 partners" in result.answer.text
    assert "31 partners" in result.passages[0].extract.text


def test_what_a_thing_is_is_not_asserted_from_a_line_that_only_names_it(
    tmp_path: Path,
) -> None:
    index = one_document_index(
        tmp_path / "k",
        "Gids",
        "## Overleg\n\nDe coördinator plant het overleg samen met de wijkagent en de school.\n\n"
        "## Buurt\n\nEen buurtmentor is een vrijwilliger die nieuwe bewoners wegwijs maakt.\n\n"
        "## Wonen\n\nJongeren wonen in een Kleine Woonunit (KWU) in de wijk.\n",
    )
    named_only = index.search("wie is de wijkagent?")
    assert named_only.answered and named_only.unsure
    defined = index.search("wat is een buurtmentor?")
    assert defined.answered and not defined.unsure
    spelled_out = index.search("wat is een kwu?")
    assert spelled_out.answered and not spelled_out.unsure

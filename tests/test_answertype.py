"""Questions that ask how many, how long or when prefer passages that state a number."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.answertype import asks_for_quantity, states_quantity
from tests.conftest import one_document_index


@pytest.mark.parametrize(
    "question",
    [
        "Hoeveel jongeren wonen er in een KWG?",
        "hoe lang hebben we de tijd?",
        "Hoelang duurt het?",
        "Sinds wanneer geldt dit?",
        "binnen welke termijn moet het klaar zijn?",
        "hoe vaak is er overleg?",
        "wat is de minimale grootte van een slaapkamer?",
    ],
)
def test_questions_asking_for_a_quantity(question: str) -> None:
    assert asks_for_quantity(question)


@pytest.mark.parametrize(
    "question",
    ["mag een jongere roken?", "wie betaalt de inburgering?", "wat is een driegesprek?", ""],
)
def test_questions_asking_for_something_else(question: str) -> None:
    assert not asks_for_quantity(question)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Binnen drie maanden na opening", True),
        ("9 - 12 jongeren", True),
        ("per 1 juli 2022", True),
        ("ieder kwartaal samen", True),
        ("4.6.21. Er is een brandmeldinstallatie aanwezig.", False),  # its numbering only
        ("Een eenvoudig te onderhouden tuin.", False),
    ],
)
def test_texts_stating_a_quantity(text: str, expected: bool) -> None:
    assert states_quantity(text) is expected


@given(st.text(max_size=300))
def test_never_crash_on_any_text(text: str) -> None:
    assert asks_for_quantity(text) in (True, False)
    assert states_quantity(text) in (True, False)


def test_a_quantity_question_ranks_the_passage_with_the_number_first(tmp_path: Path) -> None:
    index = one_document_index(
        tmp_path,
        "Overleg",
        "# Samenwerking\n\nHet overleg met de gemeente gaat over de locatie, de buurt "
        "en het overleg met de buren.\n\n"
        "# Planning\n\nHet overleg met de gemeente vindt vier keer per jaar plaats.\n",
        "synoniemen:\n  - [gemeente, municipality]\nstopwoorden: [hoe, vaak, waarover]\n",
    )
    plain = index.search("waarover gaat het overleg met de gemeente?")
    assert plain.passages[0].section.heading == "Samenwerking"
    how_often = index.search("hoe vaak is er overleg met de gemeente?")
    assert how_often.passages[0].section.heading == "Planning"

"""The analyser and the search never crash, whatever a user types."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analysis import normalise, word_spans, words
from index.search import KnowledgeIndex

EMOJI = st.text(st.sampled_from("😀👍🏽🇳🇱❤️‍🔥🙈🏠🔥"), min_size=1, max_size=50)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(st.text())
@SETTINGS
def test_tokens_are_normalised_and_nonempty(text: str) -> None:
    for token in words(text):
        assert token and token == token.lower()
        assert " " not in token
    assert isinstance(normalise(text), str)


@given(st.text())
@SETTINGS
def test_word_spans_point_into_the_text(text: str) -> None:
    for start, end, _ in word_spans(text):
        assert 0 <= start < end <= len(text)


@given(st.one_of(st.text(), EMOJI, st.just(""), st.just("   \n\t")))
@SETTINGS
def test_search_never_crashes_and_keeps_the_contract(
    shipped_index: KnowledgeIndex, text: str
) -> None:
    result = shipped_index.search(text)
    reply = json.loads(json.dumps(result.as_json(), ensure_ascii=False))
    assert reply["question"] == text
    assert isinstance(reply["answered"], bool)
    for passage in reply["passages"]:
        assert len(passage["text"]) <= 1000
        assert passage["citation"]
    if not reply["answered"]:
        assert result.confidence < 1


def test_only_emoji_is_not_answered(shipped_index: KnowledgeIndex) -> None:
    assert not shipped_index.search("😀👍🏽🏠🔥").answered


def test_100kb_question_is_answered_quickly_and_safely(shipped_index: KnowledgeIndex) -> None:
    huge = ("hoeveel m2 moet de keuken van een kwg zijn? " * 3000)[:100_000]
    result = shipped_index.search(huge)
    assert result.passages
    assert len(result.passages[0].extract.text) <= 1000


def test_analyser_is_linear_on_one_huge_word() -> None:
    """A 100 KB run without spaces (a pasted hash, a long number) once took minutes: a pattern
    that backtracked from every position of the run. Now it is one pass."""
    for text in (
        "1" * 100_000,
        "a" * 100_000 + " KWE(+)",
        "1," * 50_000,
        "jonger dan " + "9" * 99_000,
    ):
        assert words(text)
        assert [t for _, _, t in word_spans(text)]

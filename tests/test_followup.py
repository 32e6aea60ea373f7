"""Follow-up questions read with the previous question of the same user in the same chat."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.assistant import Assistant, Chat
from bot.followup import FOLLOW_UP_SECONDS, Asked, combine
from bot.knowledge import KnowledgeBase
from bot.store import Store
from tests.conftest import KNOWLEDGE

KEUKEN = Asked("hoeveel m2 moet de keuken van een kwg zijn?", ("keuken",), 0.0)


@pytest.mark.parametrize(
    "follow_up,full",
    [
        ("en bij een KWE?", "hoeveel m2 moet de keuken van een KWE zijn?"),
        ("en voor de kwe plus?", "hoeveel m2 moet de keuken van een kwe plus zijn?"),
        ("en de badkamer?", "hoeveel m2 moet de badkamer van een kwg zijn?"),
        ("En de huiskamer", "hoeveel m2 moet de huiskamer van een kwg zijn?"),
    ],
)
def test_a_follow_up_takes_the_place_of_what_it_replaces(follow_up: str, full: str) -> None:
    assert combine(follow_up, KEUKEN) == full


@pytest.mark.parametrize(
    "text", ["wat is een kwe?", "en", "en en en en en en en en", "badkamer?", ""]
)
def test_other_messages_are_no_follow_up(text: str) -> None:
    assert combine(text, KEUKEN) is None


@given(st.text(max_size=200))
def test_any_text_is_a_question_or_none(text: str) -> None:
    full = combine(text, KEUKEN)
    assert full is None or isinstance(full, str)


def test_the_assistant_answers_in_context_and_says_how_it_read_it() -> None:
    now = [1_000.0]
    assistant = Assistant(KnowledgeBase(KNOWLEDGE), Store(None), clock=lambda: now[0])
    alice, bob = Chat(5, "private", 5), Chat(6, "private", 6)
    assistant.ask(alice, "hoeveel uur begeleiding krijgt een kwe?")
    (reply,) = assistant.ask(alice, "en voor de kwe plus?").replies
    assert reply.answer is not None and "11,25 uur" in reply.answer.text
    assert "(Ik las dit als: hoeveel uur begeleiding krijgt een kwe plus?)" in reply.text
    # another user's follow-up is not read with Alice's question
    (other,) = assistant.ask(bob, "en voor de kwe plus?").replies
    assert "Ik las dit als" not in other.text
    # nor one that comes after a pause
    now[0] += FOLLOW_UP_SECONDS + 1
    (late,) = assistant.ask(alice, "en bij een kwg?").replies
    assert "Ik las dit als" not in late.text


def test_a_follow_up_after_a_misspelt_question_keeps_the_rest() -> None:
    assistant = Assistant(KnowledgeBase(KNOWLEDGE), Store(None))
    me = Chat(5, "private", 5)
    assistant.ask(me, "hoevel m2 moet de keukn zijn kwg")
    (reply,) = assistant.ask(me, "en de huiskamer?").replies
    assert "(Ik las dit als: hoevel m2 moet de huiskamer zijn kwg)" in reply.text
    assert reply.answer is not None and "8.1 KWG" in reply.answer.citation


@pytest.mark.parametrize(
    "text,expected",
    [
        ("hallo", texts.HELLO),
        ("Goedemorgen!", texts.HELLO),
        ("ok bedankt", texts.YOU_ARE_WELCOME),
        ("dank u wel.", texts.YOU_ARE_WELCOME),
    ],
)
def test_small_talk_gets_a_short_reply(text: str, expected: str) -> None:
    assistant = Assistant(KnowledgeBase(KNOWLEDGE), Store(None))
    (reply,) = assistant.ask(Chat(5, "private", 5), text).replies
    assert reply.text == expected


def test_a_greeting_with_a_question_is_a_question() -> None:
    assistant = Assistant(KnowledgeBase(KNOWLEDGE), Store(None))
    (reply,) = assistant.ask(
        Chat(5, "private", 5), "hallo, hoeveel m2 moet de keuken zijn?"
    ).replies
    assert reply.answer is not None

"""What a user reads first: the answer, honest doubt, and why there is no answer (end to end)."""

from __future__ import annotations

from pathlib import Path

from bot import texts
from bot.knowledge import KnowledgeBase
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import running_bot

USER = 7


async def ask(fake: FakeBotAPI, db: Path, index: KnowledgeIndex, question: str) -> str:
    async with running_bot(fake, db, index):
        fake.text(question, user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
    return answer.text


async def test_the_cell_of_the_woonvorm_asked_comes_first(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    text = await ask(
        fake, tmp_path / "d.db", shipped_index, "hoeveel uurtjes begeleiding krijgt een kwe plus?"
    )
    first = plain(text).splitlines()[0]
    assert first.startswith("Begeleiding — Kleinschalige Wooneenheid + (KWE+): Minimaal 11,25 uur")
    assert "<b>11,25 uur</b>" in text
    assert "KWG" not in first


async def test_a_doubtful_answer_is_offered_as_a_suggestion(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "d.db", shipped_index):
        fake.text("wie betaalt de huur?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
    shown = plain(answer.text)
    assert shown.startswith(texts.UNSURE)
    assert texts.CONTACT in shown
    assert {"👍", "👎"} <= {label for label, _ in answer.buttons()}


async def test_no_answer_says_why_and_what_the_documents_cover(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    text = await ask(
        fake, tmp_path / "d.db", shipped_index, "hoe laat vertrekt de trein naar Utrecht?"
    )
    assert plain(text) == texts.NO_ANSWER
    assert "📄" not in text


async def test_words_that_are_not_understood_are_named(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    text = await ask(
        fake, tmp_path / "d.db", shipped_index, "hoeveel m2 moet de fietzenstalling zijn?"
    )
    shown = plain(text)
    assert "'fietzenstalling'" in shown and "andere woorden" in shown


async def test_meer_opens_the_passages_behind_the_answer(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "d.db", shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        fake.press(dict(answer.buttons())["Meer"], fake.bot_message(answer), USER)
        more = (await fake.wait_sent(2, chat=USER))[1]
    assert more.text.startswith("<b>1.</b> ")
    assert "Keukenruimte 11,5 m2 | Elke wooneenheid" in plain(more.text)


async def test_a_deadline_question_offers_the_deadline_flow(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "d.db", shipped_index):
        fake.text("wat is onze huisvestingsdeadline?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        buttons = dict(answer.buttons())
        assert plain(answer.text) == texts.FLOW_INSTEAD
        fake.press(
            buttons["Start: Wat is onze huisvestingsdeadline?"], fake.bot_message(answer), USER
        )
        first = (await fake.wait_sent(2, chat=USER))[1]
    assert "verzoek om vervolghuisvesting" in plain(first.text)


def test_every_flow_can_be_offered() -> None:
    assert all(flow.offer_when for flow in KnowledgeBase(KNOWLEDGE).flows.values())


async def test_a_when_question_gets_the_term_first(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    text = await ask(
        fake,
        tmp_path / "d.db",
        shipped_index,
        "binnen welke termijn moet een nieuwe locatie opgeleverd zijn?",
    )
    first = text.splitlines()[0]
    assert "<b>3 maanden</b>" in first and "oplevertermijn" in first.lower()


async def test_a_follow_up_is_answered_in_context(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "d.db", shipped_index):
        fake.text("hoeveel uur begeleiding krijgt een kwe?", user=USER)
        await fake.wait_sent(1, chat=USER)
        fake.text("en bij een kwe plus?", user=USER)
        follow = (await fake.wait_sent(2, chat=USER))[1]
    shown = plain(follow.text)
    assert "11,25 uur" in shown.splitlines()[0]
    assert "(Ik las dit als: hoeveel uur begeleiding krijgt een kwe plus?)" in shown

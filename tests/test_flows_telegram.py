"""Every flow end to end through Telegram, in a private chat and in a group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from telegram.ext import AIORateLimiter

from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import BOT_USERNAME, Call, FakeBotAPI
from tests.telegram_harness import running_bot

USER, OTHER, GROUP = 41, 42, -400
NAVIGATION = {"↩ Vorige", "Stoppen", "Opnieuw beginnen", "Weet ik niet", "Overslaan"}


def typed_answer(question: str) -> str:
    """What a civil servant would type for a question that wants a number or a date."""
    question = [p for p in question.split("\n\n") if "?" in p][-1] if "?" in question else question
    if "geboortedatum" in question:
        return "31 augustus 2009"
    if "datum" in question:
        return "15-3-2026"
    if "m2" in question:
        return "60 m2"
    if "meter" in question:
        return "12"
    return "10"


async def drive(fake: FakeBotAPI, chat: int, users: list[int], limit: int = 60) -> str:
    """Answer every question (buttons by alternating members, typed answers as replies in a
    group) until the outcome arrives; return it as the user reads it."""
    seen = len(fake.sent(chat=chat))
    for turn in range(limit):
        messages = await fake.wait_sent(seen + 1, chat=chat, timeout=15)
        seen = len(messages)
        last: Call = messages[-1]
        text = plain(last.text)
        if text.startswith("Uitkomst") or "\nUitkomst" in text:
            return text
        user = users[turn % len(users)]
        options = [(label, data) for label, data in last.buttons() if label not in NAVIGATION]
        if last.markup.get("force_reply"):
            fake.text(typed_answer(text), user=user, chat=chat, reply_to=fake.bot_message(last))
        elif options:
            fake.press(options[0][1], fake.bot_message(last), user)
        else:
            fake.text(typed_answer(text), user=user, chat=chat)
    raise AssertionError("the flow did not finish")


@pytest.mark.parametrize("flow", ["pandcheck", "deadline", "woonvorm", "termijnen"])
@pytest.mark.parametrize("where", ["private", "group"])
async def test_each_flow_runs_to_a_cited_outcome(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex, flow: str, where: str
) -> None:
    chat = USER if where == "private" else GROUP
    users = [USER] if where == "private" else [USER, OTHER]
    # Telegram's group limit (20 a minute) paces the group flows; the same limiter with a
    # limit per second keeps that path without half a minute of waiting.
    limiter = AIORateLimiter(max_retries=0, group_max_rate=20, group_time_period=1)
    async with running_bot(
        fake, tmp_path / "f.db", shipped_index, app_options={"rate_limiter": limiter}
    ):
        command = f"/{flow}" if where == "private" else f"/{flow}@{BOT_USERNAME}"
        fake.text(command, user=USER, chat=chat)
        outcome = await drive(fake, chat, users)
    assert "Bron: " in outcome
    expected = {
        "pandcheck": "Uitkomst: Is dit pand geschikt? (KWG, 10 jongeren)",
        "deadline": "📅 15 september 2026",
        "woonvorm": "Kinderwoongroep (KWG): 9 tot 12 jongeren",
        "termijnen": "Oplevertermijn van een locatie: hooguit 3 maanden",
    }[flow]
    assert expected in outcome
    if flow == "pandcheck":
        assert re.search(r"Voldoet \(\d+\):", outcome) and "Hoe verder:" in outcome


async def test_a_question_about_a_pand_offers_the_pandcheck(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "o.db", shipped_index):
        fake.text("is dit pand geschikt voor een kwe?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        start = dict(answer.buttons())["Start: Is dit pand geschikt?"]
        fake.press(start, fake.bot_message(answer), USER)
        question = (await fake.wait_sent(2, chat=USER))[1]
    assert "Voor welke woonvorm is het pand bedoeld?" in plain(question.text)

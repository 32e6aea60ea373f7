"""Every flow end to end through Telegram, in a private chat and in a group."""

from __future__ import annotations

import datetime as dt
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
    if "keukenruimte" in question:
        return "9 m2"  # too small for a KWG (11,5 m2)
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
        if any(label.startswith("☐") for label, _ in options):  # vink aan: all present
            options = [(label, data) for label, data in options if label == "Alles aanwezig"]
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
        if flow == "pandcheck":  # a long outcome comes in two messages
            await fake.wait_for(
                lambda f: any("Hoe verder:" in plain(c.text) for c in f.sent(chat=chat)), 15
            )
            outcome = (
                "\n\n".join(
                    plain(c.text) for c in fake.sent(chat=chat) if "Uitkomst" in plain(c.text)
                )
                + "\n\n"
                + plain(fake.sent(chat=chat)[-1].text)
            )
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
        # a KWG with a 9 m2 kitchen: the first line is the verdict, naming the kitchen
        assert outcome.split("\n")[0] == (
            "Voldoet niet op 1 punt: Keukenruimte van minimaal 11,5 m2 (u gaf 9 m2)."
        )


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


FIXED_NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize("where", ["private", "group"])
async def test_the_deadline_leads_with_the_date_that_matters(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex, where: str
) -> None:
    chat = USER if where == "private" else GROUP
    options = {"clock": lambda: FIXED_NOW}
    async with running_bot(fake, tmp_path / "d.db", shipped_index, assistant_options=options):
        fake.text("/deadline" if where == "private" else f"/deadline@{BOT_USERNAME}", USER, chat)
        outcome = await drive(fake, chat, [USER])
    first, second = outcome.split("\n")[:2]
    assert first == (
        "Uw deadline: 15 maart 2027 (over 3 maanden): Einde van de termijn met de "
        "tijdelijke verlenging (sinds 1 januari 2025 maximaal 12 maanden)"
    )
    assert second.startswith("Al verstreken: ") and "15 september 2026" in second


@pytest.mark.parametrize("where", ["private", "group"])
@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("25", "Meer dan 12 jongeren past niet in één woonvorm"),
        ("2", "De kleinste woonvorm, de KWE, is voor 3 tot 5 jongeren"),
    ],
)
async def test_woonvorm_with_too_many_or_too_few_jongeren_explains_and_never_stops(
    fake: FakeBotAPI,
    tmp_path: Path,
    shipped_index: KnowledgeIndex,
    where: str,
    number: str,
    expected: str,
) -> None:
    chat = USER if where == "private" else GROUP
    async with running_bot(fake, tmp_path / "w.db", shipped_index):
        fake.text("/woonvorm" if where == "private" else f"/woonvorm@{BOT_USERNAME}", USER, chat)
        (question,) = await fake.wait_sent(1, chat=chat)
        reply_to = fake.bot_message(question) if where == "group" else None
        fake.text(number, user=USER, chat=chat, reply_to=reply_to)
        second = (await fake.wait_sent(2, chat=chat))[1]
        assert "Hoe zelfstandig zijn de jongeren?" in plain(second.text)  # not stopped
        ertussenin = dict(second.buttons())["Ertussenin"]
        fake.press(ertussenin, fake.bot_message(second), USER)
        outcome = plain((await fake.wait_sent(3, chat=chat))[2].text)
    assert outcome.startswith("Uitkomst: Welke woonvorm past?")
    assert expected in outcome and "Gestopt" not in outcome


@pytest.mark.parametrize("where", ["private", "group"])
async def test_a_question_typed_mid_flow_gets_its_answer_and_the_flow_question_again(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex, where: str
) -> None:
    chat = USER if where == "private" else GROUP
    async with running_bot(fake, tmp_path / "q.db", shipped_index):
        fake.text("/woonvorm" if where == "private" else f"/woonvorm@{BOT_USERNAME}", USER, chat)
        (question,) = await fake.wait_sent(1, chat=chat)
        reply_to = fake.bot_message(question) if where == "group" else None
        fake.text(
            "hoe groot moet de keuken van een kwg zijn?", user=USER, chat=chat, reply_to=reply_to
        )
        answer, again = (await fake.wait_sent(3, chat=chat))[1:]
    assert "11,5 m2" in plain(answer.text)
    assert "Voor hoeveel jongeren zoekt u een plek?" in plain(again.text)


async def test_ticks_edit_the_question_in_place(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "t.db", shipped_index):
        fake.text("/pandcheck", user=USER)
        answers = ("KWG", "10", "Ja", "Ja", "Ja", "8", "60", "12", "2", "2", "12")
        for n, answer in enumerate(answers, start=1):
            last = (await fake.wait_sent(n, chat=USER))[-1]
            buttons = dict(last.buttons())
            if answer in buttons:
                fake.press(buttons[answer], fake.bot_message(last), USER)
            else:
                fake.text(answer, user=USER)
        ticks = (await fake.wait_sent(len(answers) + 1, chat=USER))[-1]
        assert "Ruimten en inrichting: vink aan wat aanwezig is." in plain(ticks.text)
        first = next(data for label, data in ticks.buttons() if label.startswith("☐ 1."))
        fake.press(first, fake.bot_message(ticks), USER)
        (edit,) = await fake.wait_sent(1, method="editMessageText", chat=USER)
        assert "1. ☑ Slaapkamers circa 5 m2" in plain(edit.text)
        done = dict(edit.buttons())["Klaar (1 aangevinkt)"]
        fake.press(done, fake.bot_message(ticks), USER)
        following = (await fake.wait_sent(len(answers) + 2, chat=USER))[-1]
    assert "Elektra en water: vink aan wat aanwezig is." in plain(following.text)


async def test_after_a_restart_an_open_flow_asks_first(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "r.db"
    async with running_bot(fake, db, shipped_index):
        fake.text("/pandcheck", user=USER)
        (first,) = await fake.wait_sent(1, chat=USER)
        fake.press(dict(first.buttons())["KWG"], fake.bot_message(first), USER)
        await fake.wait_sent(2, chat=USER)
        fake.text(f"/woonvorm@{BOT_USERNAME}", user=USER, chat=GROUP)
        await fake.wait_sent(1, chat=GROUP)
    async with running_bot(fake, db, shipped_index):
        fake.text("hoe groot moet de huiskamer zijn?", user=USER)
        answer, paused = (await fake.wait_sent(4, chat=USER))[2:]
        assert "5" in plain(answer.text)  # the question got its answer
        assert plain(paused.text) == (
            "U was bezig met 'Is dit pand geschikt?' (vraag 2 van ongeveer 16). "
            "Verdergaan of stoppen?"
        )
        fake.press(dict(paused.buttons())["Verdergaan"], fake.bot_message(paused), USER)
        resumed = (await fake.wait_sent(5, chat=USER))[4]
        assert "Voor hoeveel jongeren is het pand bedoeld?" in plain(resumed.text)
        fake.text(f"/start@{BOT_USERNAME}", user=USER, chat=GROUP)  # in the group: /start
        group = await fake.wait_sent(3, chat=GROUP)
    assert plain(group[-1].text).startswith("U was bezig met 'Welke woonvorm past?' (vraag 1")

"""Buttons end to end: forged and malformed callback data, roles, prompts asked of one member,
and the caps on what a button may create."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot import texts
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import running_bot

ALICE, BOB, ADMIN = 21, 22, 23
GROUP = -300


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "draaibot.db"


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the update log and the transport (outbox, health): what a
    press may or may not change."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute("select name from sqlite_master where type = 'table'")
            if r[0] not in ("updates", "outbox", "health")
        ]
        return {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def toasts(fake: FakeBotAPI) -> list[str]:
    return [str(c.params.get("text")) for c in fake.sent("answerCallbackQuery")]


async def group_with_data(fake: FakeBotAPI, db: Path) -> dict[str, object]:
    """A group with an answer (id 1), a flow session (id 1) and a checklist (id 1)."""
    fake.text("/vraag hoeveel m2 moet de keuken van een kwg zijn?", user=ALICE, chat=GROUP)
    (answer,) = await fake.wait_sent(1, chat=GROUP)
    fake.text("/pandcheck", user=ALICE, chat=GROUP)
    await fake.wait_sent(2, chat=GROUP)
    fake.text("/checklist", user=ALICE, chat=GROUP)
    offer = (await fake.wait_sent(3, chat=GROUP))[-1]
    fake.press(dict(offer.buttons())["Stappenplan opstarten KSO"], fake.bot_message(offer), ALICE)
    await fake.wait_sent(4, chat=GROUP)
    await fake.wait_sent(1, "answerCallbackQuery")
    await fake.wait_for(lambda f: dump(db)["checklist_messages"] != [])  # the handler is done
    return fake.bot_message(answer)


async def test_malformed_digits_are_stale_buttons_not_crashes(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    forged = ["b:1:²", "m:1:³", "c:1:p:²", "q:1:²:0", "c:1:t:²:g:0", "b:1:1 ", "B:1:1"]
    async with running_bot(fake, db, shipped_index):
        message = await group_with_data(fake, db)
        sent_before = len(fake.sent())
        for data in forged:
            fake.press(data, message, ALICE)
        await fake.wait_sent(1 + len(forged), "answerCallbackQuery")
        assert len(fake.sent()) == sent_before  # no apology, no message at all
    assert toasts(fake)[1:] == [texts.UNKNOWN_BUTTON] * len(forged)


async def test_the_same_presses_in_a_private_chat_get_no_apology(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=ALICE)
        (answer,) = await fake.wait_sent(1, chat=ALICE)
        for data in ["b:1:²", "m:1:³"]:
            fake.press(data, fake.bot_message(answer), ALICE)
        await fake.wait_sent(2, "answerCallbackQuery")
    assert len(fake.sent(chat=ALICE)) == 1
    assert toasts(fake) == [texts.UNKNOWN_BUTTON] * 2


@pytest.mark.parametrize("data", ["v:ja:", "v:ja:x", "v:ja:ja", "v:ja:1:2"])
async def test_an_ordinary_member_cannot_wipe_the_group_with_forged_data(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex, data: str
) -> None:
    fake.group_admins.add(ADMIN)
    async with running_bot(fake, db, shipped_index):
        message = await group_with_data(fake, db)
        before = dump(db)
        fake.press(data, message, BOB)
        fake.press("v:ja", message, BOB)
        await fake.wait_sent(3, "answerCallbackQuery")
        assert dump(db) == before
        fake.press("v:ja", message, ADMIN)  # the group's administrator may
        await fake.wait_for(
            lambda f: any("alles van deze chat is gewist" in c.text for c in f.sent(chat=GROUP))
        )
    assert toasts(fake)[1:3] in (
        [texts.UNKNOWN_BUTTON, texts.FORGET_GROUP_ADMINS],
        [texts.FORGET_GROUP_ADMINS, texts.FORGET_GROUP_ADMINS],
    )
    assert dump(db)["checklists"] == []


async def test_a_prompt_in_a_group_is_answered_only_by_whom_it_asked(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("/vraag hoeveel m2 moet de keuken van een kwg zijn?", user=ALICE, chat=GROUP)
        (answer,) = await fake.wait_sent(1, chat=GROUP)
        fake.press(dict(answer.buttons())["👎"], fake.bot_message(answer), ALICE)
        prompt = (await fake.wait_sent(2, chat=GROUP))[1]
        assert plain(prompt.text).endswith(texts.ASK_MISSING)
        fake.text("onzin van Bob", user=BOB, chat=GROUP, reply_to=fake.bot_message(prompt))
        refused = (await fake.wait_sent(3, chat=GROUP))[2]
        assert plain(refused.text) == texts.PROMPT_FOR_OTHER
        fake.text(
            "de maat van de keuken", user=ALICE, chat=GROUP, reply_to=fake.bot_message(prompt)
        )
        thanks = (await fake.wait_sent(4, chat=GROUP))[3]
        assert plain(thanks.text) == texts.THANKS_MISSING
    store = Store(db)
    (row,) = list(store.db["feedback"].rows)
    assert row["missing"] == "de maat van de keuken"
    store.close()


async def test_forged_reminder_buttons_create_nothing(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        message = await group_with_data(fake, db)
        for day in range(1, 6):
            fake.press(f"r:209901{day:02d}:d:0", message, BOB)
        await fake.wait_sent(6, "answerCallbackQuery")
    store = Store(db)
    assert store.flows.reminders(GROUP) == []
    store.close()


async def test_reminders_from_a_finished_deadline_flow_in_a_group(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    today = dt.date.today()
    async with running_bot(fake, db, shipped_index):
        fake.text("/deadline", user=ALICE, chat=GROUP)
        asked = (await fake.wait_sent(1, chat=GROUP))[-1]
        fake.text(f"{today:%d-%m-%Y}", user=ALICE, chat=GROUP, reply_to=fake.bot_message(asked))
        asked = (await fake.wait_sent(2, chat=GROUP))[-1]
        birth = f"{min(today.day, 28)}-{today.month}-{today.year - 16}"
        fake.text(birth, user=ALICE, chat=GROUP, reply_to=fake.bot_message(asked))
        outcome = (await fake.wait_sent(3, chat=GROUP))[-1]
        assert "\nUitkomst: Wat is onze huisvestingsdeadline?" in plain(outcome.text), outcome.text
        bells = [d for label, d in outcome.buttons() if label.startswith("🔔")]
        assert bells and all(d.count(":") == 4 for d in bells)  # they carry the session
        fake.press(bells[0], fake.bot_message(outcome), BOB)
        await fake.wait_for(lambda f: "Herinnering gezet" in toasts(f))
        old_format = bells[1].split(":", 2)[0] + ":" + bells[1].split(":", 2)[2]
        fake.press(old_format, fake.bot_message(outcome), BOB)  # today's buttons keep working
        await fake.wait_for(lambda f: toasts(f).count("Herinnering gezet") == 2)
        wrong_day = bells[0][:-1] + str((int(bells[0][-1]) + 1) % 6)
        fake.press(wrong_day, fake.bot_message(outcome), BOB)
        await fake.wait_sent(3, "answerCallbackQuery")
    store = Store(db)
    assert len(store.flows.reminders(GROUP)) == 2
    store.close()


async def test_a_stale_button_whose_query_is_too_old_gets_no_apology(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=ALICE)
        (answer,) = await fake.wait_sent(1, chat=ALICE)
        fake.inject("answerCallbackQuery", "not_modified")  # a 400, as for a query too old
        fake.press("b:1:²", fake.bot_message(answer), ALICE)
        await fake.wait_for(lambda f: len(f.failed) == 1)
        fake.text("/privacy", user=ALICE)
        await fake.wait_sent(2, chat=ALICE)
    assert not any("Er ging iets mis" in c.text for c in fake.sent(chat=ALICE))


def test_the_terminal_presses_buttons_through_the_same_codec() -> None:
    from tests.test_cli import run

    lines = [
        "hoeveel m2 moet de keuken van een kwg zijn?",
        "#1",  # Toon bron
        "/checklist",
        "#1",  # the first template
        "/1",  # tick its first item
        "/vergeet",
        "#1",  # Ja, wis alles
    ]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(Bron wordt getoond)" in out and "▶ Keukenruimte 11,5 m2" in out
    assert "(Inventaris KWE/KWE+ gestart)" in out and "1. Wasmachine: aanwezig" in out
    assert "Gedaan: alles van deze chat is gewist" in out


@pytest.mark.parametrize("fault", ["500", "hang"])
async def test_when_telegram_cannot_say_who_is_admin_the_wipe_is_answered_and_refused(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex, fault: str
) -> None:
    fake.group_admins.add(ADMIN)
    async with running_bot(fake, db, shipped_index):
        message = await group_with_data(fake, db)
        before = dump(db)
        fake.inject("getChatMember", fault, times=2)
        fake.text("/vergeet", user=ADMIN, chat=GROUP)
        refusal = (await fake.wait_sent(5, chat=GROUP))[4]
        fake.press("v:ja", message, ADMIN)
        await fake.wait_for(lambda f: texts.ADMIN_CHECK_FAILED in toasts(f))
        assert dump(db) == before
    assert plain(refusal.text) == texts.ADMIN_CHECK_FAILED

"""Buttons end to end: forged and malformed callback data, roles, prompts asked of one member,
and the caps on what a button may create."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import texts
from bot.storage import Store
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
    """Every row of every table but the update log: what a press may or may not change."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute("select name from sqlite_master where type = 'table'")
            if r[0] != "updates"
        ]
        return {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def toasts(fake: FakeBotAPI) -> list[str]:
    return [str(c.params.get("text")) for c in fake.sent("answerCallbackQuery")]


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

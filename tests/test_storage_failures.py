"""The database cannot write (read-only file, full disk): a clear Dutch error at start-up, an
answer to every press and question while it lasts, and back to normal when it is over.

Tests run as root, which writes a chmod-444 file anyway: a `mode=ro` URI connection stands in
for a read-only file, `PRAGMA max_page_count` for a full disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils

from bot import texts
from bot.assistant import Assistant
from bot.faces.terminal import TerminalChat
from bot.knowledge import KnowledgeBase
from bot.store import Store
from handlers.chat import ASSISTANT
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, plain
from tests.fakebot import BOT_USERNAME, FakeBotAPI
from tests.telegram_harness import running_bot
from tests.test_checklists import ANNA, GROUP, start_checklist
from tests.test_cli import run

USER = 77
LONG_QUESTION = "wat zijn de eisen aan de keuken van een kwg " * 40  # needs new pages


@contextmanager
def read_only(store: Store, db: Path) -> Iterator[None]:
    """The store's database turns read-only for a while."""
    writable = store.db
    store.db = sqlite_utils.Database(sqlite3.connect(f"file:{db}?mode=ro", uri=True))
    try:
        yield
    finally:
        store.db.close()
        store.db = writable


def callback_answers(fake: FakeBotAPI) -> list[str]:
    return [str(c.params.get("text")) for c in fake.sent("answerCallbackQuery")]


async def test_every_press_and_question_is_answered_while_the_database_is_read_only(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "ro.db"
    async with running_bot(fake, db, shipped_index) as app:
        store = app.bot_data[ASSISTANT].store
        checklist = await start_checklist(fake, "Inventaris KWG")
        message = fake.bot_message(checklist)
        tick = next(data for label, data in checklist.buttons() if label.startswith("☐ 1."))
        await fake.wait_for(  # the handler has finished writing
            lambda _: (
                store.checklists.checklist_of_message(GROUP, message["message_id"]) is not None
            )
        )
        with read_only(store, db):
            fake.press(tick, message, ANNA)  # a tick in a group
            await fake.wait_for(lambda f: texts.STORAGE_FAILED in callback_answers(f))
            fake.text(f"/vraag@{BOT_USERNAME} wat is een kwg?", user=ANNA, chat=GROUP)
            in_group = (await fake.wait_sent(3, chat=GROUP))[2]
            assert plain(in_group.text) == texts.STORAGE_FAILED
            fake.text("wat is een kwg?", user=USER)
            (in_private,) = await fake.wait_sent(1, chat=USER)
            assert plain(in_private.text) == texts.STORAGE_FAILED
        # writable again: the same press and question work
        fake.press(tick, message, ANNA)
        await fake.wait_for(lambda f: "1. Wasmachine: aanwezig" in callback_answers(f))
        fake.text("wat is een kwg?", user=USER)
        answer = (await fake.wait_sent(2, chat=USER))[1]
        assert "📄" in answer.text
    assert callback_answers(fake) == [  # every press answered, once
        "Inventaris KWG gestart",
        texts.STORAGE_FAILED,
        "1. Wasmachine: aanwezig",
    ]


async def test_a_full_disk_is_answered_and_recovers_when_space_returns(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "full.db"
    small = sqlite3.connect(db)  # small pages: a long question needs new ones
    small.execute("pragma page_size = 512")
    small.execute("vacuum")
    small.close()
    async with running_bot(fake, db, shipped_index) as app:
        store = app.bot_data[ASSISTANT].store
        store.db.execute("pragma max_page_count = 1")  # no page more than there are now
        fake.text(LONG_QUESTION, user=USER)
        (full,) = await fake.wait_sent(1, chat=USER)
        assert plain(full.text) == texts.STORAGE_FAILED
        store.db.execute("pragma max_page_count = 1000000")  # space returns
        fake.text(LONG_QUESTION, user=USER)
        answer = (await fake.wait_sent(2, chat=USER))[1]
        assert "📄" in answer.text


def test_the_terminal_chat_answers_while_the_database_is_read_only(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store = Store(db)
    chat = TerminalChat(Assistant(KnowledgeBase(KNOWLEDGE), store))
    with read_only(store, db):
        assert chat.respond("wat is een kwg?") == texts.STORAGE_FAILED
    assert "Toon bron" in (chat.respond("wat is een kwg?") or "")
    store.close()


@pytest.mark.parametrize("command", ["chat", "run"])
@pytest.mark.parametrize("kind", ["read-only", "not a database", "folder is a file"])
def test_a_database_that_cannot_be_written_stops_start_up_with_one_line(
    tmp_path: Path, command: str, kind: str
) -> None:
    db = tmp_path / "draaibot.db"
    if kind == "read-only":
        Store(db).close()
        setting = f"file:{db}?mode=ro"
    elif kind == "not a database":
        db.write_bytes(b"dit is geen database" * 100)
        setting = str(db)
    else:
        (tmp_path / "bestand").write_text("x")
        setting = str(tmp_path / "bestand" / "draaibot.db")
    env = {"DRAAIBOT_DB": setting}
    if command == "run":  # the database fails before Telegram is ever called
        env |= {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
    result = run(command, env=env)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("draaibot: de database ") and "kan niet worden geopend" in line

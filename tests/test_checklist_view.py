"""A checklist is one message with its buttons, whatever the members wrote in it: the view is
paged and long texts are shortened (in full under Details), so an edit never loses its keyboard;
and the message converges to the database through restarts, shutdowns and failing calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from bot.actions import ChecklistPage, encode
from bot.checklists.item import Item
from bot.checklists.service import ChecklistChat
from bot.checklists.view import PAGE
from bot.store import Store
from handlers.outbox import RetryPolicy
from handlers.render import render
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import Call, FakeBotAPI
from tests.telegram_harness import checklist_of, running_bot, tick

TEXT = st.text(alphabet=st.sampled_from("ab &<>\"'é🙂\n"), min_size=200, max_size=500)


@settings(max_examples=40, deadline=None)
@given(
    remarks=st.lists(TEXT, min_size=PAGE, max_size=PAGE),
    labels=st.lists(
        st.text(alphabet="x&<", min_size=100, max_size=300), min_size=PAGE, max_size=PAGE
    ),
)
def test_a_checklist_page_is_one_message_with_its_buttons(
    remarks: list[str], labels: list[str]
) -> None:
    store = Store(None)
    items = [Item(t, amount="2", section="S" * 80) for t in labels]
    checklist_id = store.checklists.create_checklist(-1, "t", "Inventaris", "inventaris", items * 2)
    for n, remark in enumerate(remarks, start=1):
        if remark.strip():
            store.checklists.add_remark(checklist_id, n, remark, "Anna")
    view = ChecklistChat(lambda: {}, store, str, lambda: dt.datetime.now(dt.UTC))
    (message,) = render(view.render(checklist_id, 0))
    assert len(message.html) <= MessageLimit.MAX_TEXT_LENGTH
    assert message.keyboard is not None
    assert message.html.startswith("Inventaris — 0 van 16 aanwezig")
    assert "Pagina 1 van 2" in message.html
    store.close()


# -- the message converges to the database --------------------------------------------------

GROUP = -210
ANNA, BART = 11, 12
FAST = {"retry": RetryPolicy(first=0.2, cap=1.0), "read_timeout": 2.0}


async def start_checklist(fake: FakeBotAPI) -> tuple[Call, int]:
    fake.text("/checklist", user=ANNA, chat=GROUP)
    offer = (await fake.wait_sent(1, chat=GROUP))[-1]
    fake.press(dict(offer.buttons())["Stappenplan opstarten KSO"], fake.bot_message(offer), ANNA)
    checklist = (await fake.wait_sent(2, chat=GROUP))[-1]
    return checklist, checklist_of(dict(checklist.buttons())["Details"])


def latest_view(fake: FakeBotAPI, checklist: Call) -> str:
    edits = [
        c
        for c in fake.sent("editMessageText")
        if int(c.params["message_id"]) == checklist.result["message_id"]
    ]
    return plain(edits[-1].text) if edits else plain(checklist.text)


async def test_a_message_left_behind_by_kill_9_is_redrawn_at_start(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "behind.db"
    async with running_bot(fake, db, shipped_index):
        checklist, cid = await start_checklist(fake)
    store = Store(db)  # ticks committed, their edit never sent (the bot was killed)
    for item in (1, 2, 3):
        store.checklists.tick(cid, item, "gedaan", ANNA, "Anna")
    store.close()
    async with running_bot(fake, db, shipped_index):  # nobody presses anything
        await fake.wait_for(lambda f: "— 3 van 19 gedaan" in latest_view(f, checklist))
    edits = len(fake.sent("editMessageText"))
    async with running_bot(fake, db, shipped_index):  # up to date now: no edit at start
        fake.text("/help", user=ANNA)
        await fake.wait_sent(1, chat=ANNA)
    assert len(fake.sent("editMessageText")) == edits


async def test_a_pending_edit_is_sent_before_shutdown(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "sigterm.db"
    async with running_bot(fake, db, shipped_index):
        checklist, cid = await start_checklist(fake)
        message = fake.bot_message(checklist)
        fake.press(tick(cid, 1), message, ANNA)
        await fake.wait_for(lambda f: "— 1 van 19 gedaan" in latest_view(f, checklist))
        fake.press(tick(cid, 2), message, BART)  # its edit waits (3 s a group message)
        await fake.wait_for(lambda f: len(f.sent("answerCallbackQuery", chat=0)) >= 3)
        assert "— 1 van 19 gedaan" in latest_view(fake, checklist)
    # stopped (as on SIGTERM) within the pace: the waiting edit went out before HTTP closed
    assert "— 2 van 19 gedaan" in latest_view(fake, checklist)


async def test_redraws_are_retried_when_telegram_fails_repeatedly(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "fails.db"
    async with running_bot(fake, db, shipped_index, app_options=FAST):
        checklist, cid = await start_checklist(fake)
        fake.inject("answerCallbackQuery", "500", times=6)
        fake.inject("editMessageText", "500", times=6)
        fake.press(tick(cid, 4), fake.bot_message(checklist), ANNA)
        await fake.wait_for(lambda f: "— 1 van 19 gedaan" in latest_view(f, checklist))
        await fake.wait_for(lambda f: len(f.sent("answerCallbackQuery")) >= 2)  # toast too
    assert len(fake.failed) == 12


async def test_not_modified_counts_as_shown_and_is_not_retried(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "same.db"
    async with running_bot(fake, db, shipped_index, app_options=FAST):
        checklist, cid = await start_checklist(fake)
        fake.inject("editMessageText", "not_modified")
        fake.press(
            encode(ChecklistPage(cid, 0)), fake.bot_message(checklist), ANNA
        )  # the page it shows
        await fake.wait_for(lambda f: len(f.failed) == 1)
        await fake.wait_for(lambda f: f.busy == 0)
        fake.text("/help", user=ANNA)  # something later goes out; the edit is not tried again
        await fake.wait_sent(1, chat=ANNA)
    assert fake.sent("editMessageText") == []
    store = Store(db)
    assert store.db.execute("select count(*) from outbox").fetchone()[0] == 0
    store.close()

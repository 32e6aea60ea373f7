"""Nothing a user was promised is lost: every send goes through the persistent outbox, which
retries network errors, timeouts, 5xx and 429 in order per chat, across a restart."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import Counter
from functools import partial
from pathlib import Path

from bot.outbox import Outbox, last_api_ok
from bot.store import Store
from handlers.outbox import RetryPolicy
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import BOT_USERNAME, Call, FakeBotAPI
from tests.telegram_harness import checklist_of, running_bot, tick
from tests.test_checklists import latest_view, start_checklist

USERS = (21, 22, 23)
FLOW_USER = 24
GROUP = -300
ANNA, BART = 31, 32
QUESTIONS = ("wat is een kwg?", "wat is een kwe?", "hoeveel m2 moet de keuken van een kwg zijn?")
OUTAGE = 60.0  # seconds of 500s and timeouts
FAST = {"retry": RetryPolicy(first=0.2, cap=2.0), "read_timeout": 1.0}


def outbox_rows(db: Path) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from outbox order by id")]


def queued(db: Path, chat: int) -> list[str]:
    """The texts of the messages waiting in the outbox for a chat, in order."""
    return [
        json.loads(str(r["payload"]))["text"] for r in outbox_rows(db) if r["lane"] == f"c{chat}"
    ]


def all_queued(db: Path, n: int, fake: FakeBotAPI) -> bool:
    """Every user has at least `n` replies waiting in the outbox."""
    return all(len(queued(db, u)) >= n for u in USERS)


def ticks_stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from ticks where state = 'gedaan'").fetchone()[0])


def delivered(fake: FakeBotAPI, chat: int, since: float) -> list[Call]:
    return [c for c in fake.sent(chat=chat) if c.at >= since]


STAPPENPLAN = "Stappenplan opstarten KSO"


async def test_a_minute_of_500s_and_timeouts_loses_nothing(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "outage.db"
    async with running_bot(fake, db, shipped_index, app_options=FAST):
        checklist = await start_checklist(fake, STAPPENPLAN)
        message = fake.bot_message(checklist)
        cid = checklist_of(dict(checklist.buttons())["Details"])
        fake.outage(("500", 0), ("timeout", 1.5))  # everything but getUpdates fails
        start = time.monotonic()
        # three users ask three questions each, each after the previous one was handled
        for n, question in enumerate(QUESTIONS, start=1):
            for user in USERS:
                fake.text(question, user=user)
            await fake.wait_for(partial(all_queued, db, n))
        # two members tick five items of the group checklist
        for item in range(1, 6):
            fake.press(tick(cid, item), message, (ANNA, BART)[item % 2])
        await fake.wait_for(lambda f: ticks_stored(db) == 5)
        # a flow in a private chat: the question, the user's answer, the next question
        fake.text("/woonvorm", user=FLOW_USER)
        await fake.wait_for(lambda f: len(queued(db, FLOW_USER)) == 1)
        fake.text("4", user=FLOW_USER)
        await fake.wait_for(lambda f: len(queued(db, FLOW_USER)) == 2)
        acknowledged = {chat: queued(db, chat) for chat in (*USERS, FLOW_USER)}
        await asyncio.sleep(OUTAGE - (time.monotonic() - start))
        failures = len(fake.failed)
        assert failures > 50  # the outbox kept trying, with back-off
        fake.recover()
        await fake.wait_for(lambda f: outbox_rows(db) == [], timeout=30)
        await fake.wait_for(lambda f: "— 5 van 19 gedaan" in latest_view(f, checklist))
    for chat, texts in acknowledged.items():
        calls = delivered(fake, chat, start)
        in_order = [c.text for i, c in enumerate(calls) if i == 0 or c.text != calls[i - 1].text]
        assert in_order == texts, chat  # all of them, in order; a late copy just repeats one
        answered = Counter(c.text for c in calls if not c.late)
        assert all(answered[t] == 1 for t in texts), chat  # never twice where answered
    assert len(acknowledged[USERS[0]]) == 3 and len(acknowledged[FLOW_USER]) == 2
    assert "Voor hoeveel jongeren" in plain(acknowledged[FLOW_USER][0])
    store = Store(db)
    assert last_api_ok(store) is not None
    store.close()


async def test_a_reply_waiting_in_the_outbox_is_sent_after_a_restart(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "restart.db"
    fake.outage(("500", 0), spare=("getUpdates", "getMe", "deleteWebhook"))
    async with running_bot(fake, db, shipped_index, app_options=FAST):
        fake.text(f"/woonvorm@{BOT_USERNAME}", user=USERS[0], chat=GROUP)  # a prompt
        await fake.wait_for(lambda f: len(queued(db, GROUP)) == 1 and len(f.failed) >= 2)
    assert len(queued(db, GROUP)) == 1  # stopped: the reply is kept, not lost
    fake.recover()
    async with running_bot(fake, db, shipped_index, app_options=FAST):  # a new Application
        (question,) = await fake.wait_sent(1, chat=GROUP)
        assert "Voor hoeveel jongeren" in plain(question.text)
        assert question.markup.get("force_reply")
        # the prompt was recorded when it was sent: a reply to it answers the flow
        fake.text("4", user=USERS[0], chat=GROUP, reply_to=fake.bot_message(question))
        (_, following) = await fake.wait_sent(2, chat=GROUP)
    assert "Ik verwacht een getal" not in plain(following.text)
    assert "Voor hoeveel jongeren" not in plain(following.text)
    assert outbox_rows(db) == []


async def test_a_slow_server_is_awaited_and_the_reply_sent_once(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    fake.inject("sendMessage", "slow", 7)
    async with running_bot(fake, tmp_path / "slow.db", shipped_index):
        fake.text("wat is een kwg?", user=USERS[0])
        await fake.wait_sent(1, chat=USERS[0], timeout=20)
        fake.text("wat is een kwe?", user=USERS[0])
        await fake.wait_sent(2, chat=USERS[0])
        await fake.wait_for(lambda f: f.busy == 0)  # no slow request still under way
    texts = [c.text for c in fake.sent(chat=USERS[0])]
    assert len(texts) == len(set(texts)) == 2


async def test_429_waits_retry_after_and_refusals_are_not_retried(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "refused.db"
    fake.inject("sendMessage", "429", 2)
    fake.inject("sendMessage", "forbidden")
    async with running_bot(fake, db, shipped_index, app_options=FAST):
        fake.text("wat is een kwg?", user=USERS[0])  # 429, then (2 s later) refused: dropped
        await fake.wait_for(lambda f: len(f.failed) == 2 and outbox_rows(db) == [])
        fake.text("wat is een kwe?", user=USERS[0])
        (reply,) = await fake.wait_sent(1, chat=USERS[0])
    first, second = fake.failed
    assert second.at - first.at >= 2  # retry_after honoured
    assert "KWE" in plain(reply.text)


def test_rows_wait_in_order_per_chat_and_are_kept_ten_minutes() -> None:
    now = [1000.0]
    store = Store(None)
    outbox = Outbox(store, clock=lambda: now[0])
    first = outbox.add(1, {"kind": "message", "text": "een"})
    outbox.add(1, {"kind": "message", "text": "twee"})
    outbox.add(2, {"kind": "message", "text": "drie"})
    heads = outbox.heads()
    assert [h.payload["text"] for h in heads] == ["een", "drie"]  # one head per chat
    (head,) = [h for h in heads if h.id == first]
    policy = RetryPolicy()
    for attempt in range(60):  # failing for ten minutes and more: still kept, still first
        outbox.postpone(head, policy.delay(attempt), "NetworkError")
        now[0] += policy.delay(attempt)
        (head,) = [h for h in outbox.heads() if h.lane == "c1"]
    assert now[0] - 1000.0 > 600 and head.payload["text"] == "een"
    assert policy.delay(100) == policy.cap
    # an edit waiting for a message is replaced, not queued twice; a send in flight of the
    # older version does not delete the newer one
    outbox.add_edit(1, 50, {"kind": "checklist", "page": 0})
    (edit,) = [h for h in outbox.heads() if h.lane == "e1:50"]
    outbox.add_edit(1, 50, {"kind": "checklist", "page": 1})
    assert not outbox.done(edit)
    (edit,) = [h for h in outbox.heads() if h.lane == "e1:50"]
    assert edit.payload["page"] == 1 and outbox.done(edit)
    store.close()


async def test_the_last_successful_bot_api_call_is_recorded_even_when_nothing_is_sent(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "health.db"
    started = time.time()
    async with running_bot(fake, db, shipped_index):
        store = Store(db)
        await fake.wait_for(lambda f: (last_api_ok(store) or 0) >= started)
        store.close()


def test_a_database_of_the_previous_version_gains_the_outbox_without_loss(tmp_path: Path) -> None:
    db = tmp_path / "v4.db"
    store = Store(db)  # made like the previous version made it: schema 4, no outbox
    store.db.execute("drop table outbox")
    store.db.execute("drop table health")
    store.db.execute("alter table checklist_messages drop column shown")
    store.db.execute("PRAGMA user_version = 4")
    store.db.table("checklist_messages").insert(  # a row as version 4 wrote it
        {"chat_id": -5, "message_id": 77, "checklist_id": 3, "page": 1}
    )
    store.close()
    for _ in range(2):  # migrating twice changes nothing
        store = Store(db)
        assert store.db.execute("PRAGMA user_version").fetchone()[0] >= 5
        (row,) = store.checklists.checklist_messages()
        assert (row.chat_id, row.message_id, row.checklist_id, row.page) == (
            -5,
            77,
            3,
            1,
        )
        assert row.shown is None  # unknown: redrawn once at the next start
        assert Outbox.of(store).count() == 0 and last_api_ok(store) is None
        store.close()

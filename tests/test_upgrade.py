"""Upgrade: a database written by an older draaibot opens with today's Store, migrated to the
newest schema, with every row still there and readable through the Store.

tests/fixtures/db_v4.sqlite was made once with the schema-4 code (commit 3e96700): one row in
every table (chat -100123, user 4242, at 1_790_000_000). Never regenerate it with newer code:
it stands for the databases in use today. When a later schema becomes the one in use, add a
fixture for it beside this one.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, Store
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
CHAT, USER, AT = -100123, 4242, 1_790_000_000.0
V4_TABLES = {
    "answers",
    "questions",
    "feedback",
    "pending",
    "admin_log",
    "updates",
    "flow_sessions",
    "reminders",
    "checklists",
    "ticks",
    "checklist_messages",
}


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    target = tmp_path / "data" / "draaibot.db"
    target.parent.mkdir()
    shutil.copyfile(FIXTURES / "db_v4.sqlite", target)
    return target


def test_the_fixture_is_a_schema_4_database_with_a_row_in_every_table() -> None:
    with sqlite3.connect(FIXTURES / "db_v4.sqlite") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert tables == V4_TABLES
        for table in tables:
            assert conn.execute(f"select count(*) from {table}").fetchone()[0] == 1, table
    conn.close()


def test_newest_store_migrates_a_v4_database_without_loss(old_db: Path) -> None:
    store = Store(old_db, clock=lambda: AT + 60)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = set(store.db.table_names())
        assert tables >= V4_TABLES

        answer = store.answers.answer(1)
        assert answer is not None and answer.chat_id == CHAT
        assert answer.question == "hoeveel m2 moet de keuken van een kwg zijn?"
        assert answer.section_ids == ["pve-huisvesting#8-1-kwg-keukenruimte"]
        assert store.answers.question_counts(since=0) == (1, 0)
        (down,) = store.answers.thumbs_down(since=0)
        assert down.question == answer.question and down.missing == "de maat voor een KWE"
        assert down.citations == ["PvE Huisvesting › 8.1 KWG › Keukenruimte"]

        session = store.flows.session(1)
        assert session is not None and session.chat_id == CHAT and session.flow == "woonvorm"
        assert session.status == "done" and session.answers == {"aantal_jongeren": 8}

        (reminder,) = store.flows.reminders(CHAT)
        assert (reminder.label, reminder.due, reminder.send_on) == (
            "Jongere wordt 18",
            dt.date(2027, 3, 1),
            dt.date(2027, 2, 1),
        )

        (checklist,) = store.checklists.checklists(CHAT)
        assert checklist.title == "Inventaris KWG" and checklist.status == "open"
        assert checklist.items[0].text == "Wasmachine"
        tick = store.checklists.ticks(checklist.id)[0]
        assert (tick.state, tick.by_name, tick.remark) == (
            "aanwezig",
            "Alice",
            "levering 12 mei",
        )
        assert store.checklists.checklist_of_message(CHAT, 78) == checklist.id

        assert store.first_time(555001) is False  # an update handled before the upgrade
        (pending,) = store.db.table("pending").rows
        assert (pending["chat_id"], pending["message_id"], pending["user_id"]) == (CHAT, 77, USER)
        (admin,) = store.db.table("admin_log").rows
        assert (admin["user_id"], admin["command"]) == (USER, "status")
    finally:
        store.close()


def test_migrating_twice_changes_nothing(old_db: Path) -> None:
    Store(old_db).close()
    with sqlite3.connect(old_db) as conn:
        before = conn.execute("select sql from sqlite_master order by name").fetchall()
    conn.close()
    Store(old_db).close()
    with sqlite3.connect(old_db) as conn:
        assert conn.execute("select sql from sqlite_master order by name").fetchall() == before
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()

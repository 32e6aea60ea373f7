"""Privacy: what /vergeet wipes is gone from the database files, a date of birth never reaches
the disk, retention covers every table, and the log holds no question text or names."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import running_bot

USER = 7
NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
QUESTION = "hoeveel m2 moet de keuken van een kwg zijn volgens xylofoonbanaan?"
COMMENT = "ik miste de kwispelstaartnorm"
LABEL = "dossier fluitketel77"
BIRTH = "31 augustus 2009"
WIPED = ["xylofoonbanaan", "kwispelstaartnorm", "fluitketel77", "2009-08-31", BIRTH]


def database_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its WAL and shared memory."""
    return b"".join(
        path.read_bytes()
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"))
        if path.exists()
    )


def found_in(db: Path, texts_: list[str]) -> list[str]:
    content = database_bytes(db)
    return [t for t in texts_ if t.encode() in content]


async def test_vergeet_leaves_no_trace_in_the_database_files(
    fake: FakeBotAPI,
    tmp_path: Path,
    shipped_index: KnowledgeIndex,
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = tmp_path / "draaibot.db"
    options = {"clock": NOW.timestamp}
    caplog.set_level(logging.INFO)
    async with running_bot(fake, db, shipped_index, assistant_options=options):
        fake.text(QUESTION, user=USER, first_name="Xaveria")
        (answer,) = await fake.wait_sent(1, chat=USER)
        fake.press(dict(answer.buttons())["👎"], fake.bot_message(answer), USER)
        prompt = (await fake.wait_sent(2, chat=USER))[1]
        fake.text(COMMENT, user=USER, reply_to=fake.bot_message(prompt))
        await fake.wait_sent(3, chat=USER)

        fake.text("/deadline", user=USER)
        await fake.wait_sent(4, chat=USER)
        fake.text("15-3-2026", user=USER)
        birth_question = (await fake.wait_sent(5, chat=USER))[4]
        assert "geboortedatum" in plain(birth_question.text)
        fake.text(BIRTH, user=USER)
        result = (await fake.wait_sent(6, chat=USER))[5]
        assert "📅 28 februari 2027" in plain(result.text)  # 17,5 years: the date was used
        assert found_in(db, ["2009-08-31", BIRTH]) == []  # ... and never written to disk
        fake.press(dict(result.buttons())["🔔 op 15 maart 2027"], fake.bot_message(result), USER)
        confirm = (await fake.wait_sent(7, chat=USER))[6]
        fake.text(LABEL, user=USER, reply_to=fake.bot_message(confirm))
        renamed = (await fake.wait_sent(8, chat=USER))[7]
        assert plain(renamed.text) == f"De herinnering heet nu: {LABEL}"
        assert found_in(db, WIPED) != []  # the test can see stored text

        fake.text("/vergeet", user=USER)
        ask = (await fake.wait_sent(9, chat=USER))[8]
        fake.press(dict(ask.buttons())["Ja, wis alles"], fake.bot_message(ask), USER)
        done = (await fake.wait_sent(10, chat=USER))[9]
        assert plain(done.text).startswith("Gedaan: alles van deze chat is gewist")
        assert found_in(db, WIPED) == []  # while the bot runs: database and WAL
    assert found_in(db, WIPED) == []  # after shutdown
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert [t for t in [*WIPED, "Xaveria"] if t in logged] == []


def birth_date_first(folder: Path) -> None:
    """The deadline flow with the (private) date of birth asked before the request date."""
    path = folder / "flows" / "deadline.yaml"
    text = path.read_text(encoding="utf-8")
    start, middle, end = (
        text.index("  - id: verzoekdatum"),
        text.index("  - id: geboortedatum"),
        text.index("\ndates:"),
    )
    first, second = text[start:middle], text[middle:end].rstrip("\n") + "\n"
    path.write_text(text[:start] + second + first + text[end:], encoding="utf-8")


def test_a_private_answer_lives_in_memory_only_and_is_asked_again_after_a_restart(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    from bot.assistant import Assistant, Chat
    from bot.knowledge import KnowledgeBase
    from bot.store import Store

    birth_date_first(knowledge_copy)
    kb, db, chat = KnowledgeBase(knowledge_copy), tmp_path / "p.db", Chat(5, "private", 5)
    assistant = Assistant(kb, Store(db), clock=NOW.timestamp)
    assert "geboortedatum" in assistant.start_flow(chat, "deadline").replies[0].text
    asked = assistant.message(chat, BIRTH)
    assert "verzoek om vervolghuisvesting" in asked.replies[0].text
    assert found_in(db, ["2009-08-31", BIRTH]) == []
    # the same process still knows it: the outcome uses it
    done = assistant.message(chat, "15-3-2026")
    assert "📅 28 februari 2027" in done.replies[0].text
    assert found_in(db, ["2009-08-31", BIRTH]) == []

    assistant.start_flow(chat, "deadline")
    assistant.message(chat, BIRTH)
    assistant.store.close()
    restarted = Assistant(kb, Store(db), clock=NOW.timestamp)  # a restart: memory is gone
    again = restarted.start_flow(chat, "deadline")  # no date of birth known: asked again
    assert "Wat is de geboortedatum" in again.replies[0].text
    restarted.store.close()
    assert found_in(db, ["2009-08-31", BIRTH]) == []


def test_retention_covers_every_table(tmp_path: Path) -> None:
    from bot.checklists.item import Item
    from bot.store import DAY, Store

    now = [NOW.timestamp()]
    db = tmp_path / "r.db"
    store = Store(db, clock=lambda: now[0])

    def fill(tag: str) -> dict[str, int]:
        answer = store.answers.save_answer(1, "private", f"vraag {tag}", True, [], [], 0)
        feedback = store.answers.add_feedback(answer, 1, -1)
        store.answers.add_missing(feedback, f"miste {tag}")
        store.prompts.add_pending(1, answer, 1, "missing", feedback)
        store.admin.log_admin(42, f"rapport-{tag}", True)
        session = store.flows.start_session(len(tag), "deadline")  # one chat each
        sent = store.flows.add_reminder(
            1,
            f"verzonden {tag}",
            dt.date.fromisoformat("2027-01-01"),
            dt.date.fromisoformat("2027-01-01"),
        )
        store.flows.mark_reminder_sent(sent)
        store.flows.add_reminder(
            1,
            f"gepland {tag}",
            dt.date.fromisoformat("2027-06-01"),
            dt.date.fromisoformat("2027-06-01"),
        )
        closed = store.checklists.create_checklist(
            -5, "t", f"gesloten {tag}", "afvinken", [Item("a")]
        )
        store.checklists.tick(closed, 1, "gedaan", 7, f"Anna {tag}")
        store.checklists.checklist_shown(-5, closed, closed, 0, "digest")
        store.checklists.set_checklist_status(closed, "closed")
        kept_open = store.checklists.create_checklist(
            -5, "t", f"open {tag}", "afvinken", [Item("a")]
        )
        return {"session": session.id, "closed": closed, "open": kept_open}

    old = fill("oud")
    now[0] += 200 * DAY
    late = store.checklists.create_checklist(-5, "t", "laat gesloten", "afvinken", [Item("a")])
    closed_late = store.checklists.create_checklist(-5, "t", "nu gesloten", "afvinken", [Item("a")])
    now[0] += 100 * DAY
    store.checklists.set_checklist_status(late, "closed")
    store.checklists.tick(
        late, 1, "gedaan", 7, "Bart"
    )  # closed, created long ago, ticked today: kept
    store.checklists.set_checklist_status(
        closed_late, "closed"
    )  # created long ago, closed today: kept
    new = fill("nieuw")
    assert store.purge_older_than(180) > 0

    def rows(sql: str) -> list[tuple[object, ...]]:
        return [tuple(r) for r in store.db.execute(sql).fetchall()]

    assert rows("select question from questions") == [("vraag nieuw",)]
    assert rows("select question from answers") == [("vraag nieuw",)]
    assert rows("select missing from feedback") == [("miste nieuw",)]
    assert len(rows("select * from pending")) == 1
    assert rows("select command from admin_log") == [("rapport-nieuw",)]
    assert rows("select id from flow_sessions") == [(new["session"],)]
    assert rows("select label from reminders order by id") == [
        ("gepland oud",),  # not sent yet: still needed
        ("verzonden nieuw",),
        ("gepland nieuw",),
    ]
    assert {r[0] for r in rows("select id from checklists")} == {
        old["open"],
        late,
        closed_late,
        new["closed"],
        new["open"],
    }
    assert {r[0] for r in rows("select checklist_id from ticks")} == {late, new["closed"]}
    assert rows("select checklist_id from checklist_messages") == [(new["closed"],)]
    store.close()
    assert found_in(db, ["vraag oud", "miste oud", "verzonden oud", "Anna oud"]) == []


def test_upgrading_an_old_database_rewrites_its_free_space(tmp_path: Path) -> None:
    import sqlite3

    from bot.store import Store

    db = tmp_path / "oud.db"
    Store(db).close()
    old = sqlite3.connect(db)  # as the code before version 6 wrote: no secure_delete
    old.execute("pragma secure_delete = off")
    old.execute("pragma user_version = 4")
    old.execute("alter table checklists drop column closed_at")  # as version 4 had it
    with old:
        old.execute(
            "insert into questions (chat_id, question, created_at) "
            "values (1, 'vraag zwanenhals', 0)"
        )
    with old:
        old.execute("delete from questions")
    old.close()
    assert found_in(db, ["zwanenhals"]) == ["zwanenhals"]
    store = Store(db)
    assert store.db.execute("pragma user_version").fetchone()[0] >= 6
    assert store.db.execute("pragma secure_delete").fetchone()[0] == 1
    assert "closed_at" in store.db.table("checklists").columns_dict
    store.close()
    assert found_in(db, ["zwanenhals"]) == []


def test_every_table_has_a_retention() -> None:
    """A new table needs a line in Store.purge_older_than (and in /privacy and the README)."""
    import inspect

    from bot.store import Store

    store = Store(None)
    tables = {r[0] for r in store.db.execute("select name from sqlite_master where type='table'")}
    purge = inspect.getsource(Store.purge_older_than)
    assert tables and [t for t in sorted(tables) if f"from {t} " not in purge] == []


def test_a_reader_delays_emptying_the_wal_until_the_next_purge(tmp_path: Path) -> None:
    import sqlite3

    from bot.store import Store

    db = tmp_path / "w.db"
    store = Store(db)
    store.answers.save_answer(3, "private", "vraag over de ooievaarsnest-norm", True, [], [], 0)
    reader = sqlite3.connect(db)  # a backup reading an older snapshot
    reader.execute("begin")
    reader.execute("select count(*) from questions").fetchone()
    store.answers.save_answer(4, "private", "een tweede vraag", True, [], [], 0)
    store.forget_chat(3)
    assert not store.checkpoint()  # busy: the reader still needs the WAL
    reader.rollback()
    reader.close()
    store.purge_older_than(180)  # the daily purge empties it
    assert db.with_name("w.db-wal").stat().st_size == 0
    assert found_in(db, ["ooievaarsnest"]) == []
    store.close()


def test_vergeet_keeps_what_an_admin_changed_for_everybody(tmp_path: Path) -> None:
    """An admin cannot hide through /vergeet whom they made admin or what they published; a
    refused attempt is theirs to wipe."""
    from bot.store import Store

    store = Store(tmp_path / "a.db")
    store.admin.log_admin(42, "beheerder_toevoegen 7", True)
    store.admin.log_admin(42, "status", False)
    store.forget_chat(42)
    rows = store.db.execute("select command, allowed from admin_log").fetchall()
    assert rows == [("beheerder_toevoegen 7", 1)]

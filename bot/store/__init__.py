"""All state in one SQLite database (sqlite-utils, WAL), one small module per aggregate:

- `db`: the connection, the schema and its migrations, emptying the WAL
- `answers`: answers, the question log and feedback, and the counts /status and /rapport read
- `prompts`: messages of ours that wait for a reply
- `flows`: flow sessions and reminders
- `checklists`: checklists, ticks, remarks and the messages that show them
- `admin`: the admin log (the admins themselves: bot/admin/admins.py; the outbox: bot/outbox.py)

`Store` opens the connection and hands each repository the same connection and clock
(`store.answers`, `store.flows`, ...); it also keeps the update ids and does what spans all
tables: /vergeet and the retention. Every repository returns dataclasses.

Questions are stored without names or usernames: only chat ids (needed for /vergeet), chat
types, user ids where a pending prompt or an admin check needs them, questions, outcomes,
citations and times. Checklists do store names: who ticked an item (the name as shown in
Telegram, and the user id) and who wrote a remark (the name), while the checklist is kept.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from bot.store import db as database
from bot.store.admin import AdminLog
from bot.store.answers import Answers, StoredAnswer, ThumbsDown
from bot.store.checklists import (
    NO_TICK,
    ChecklistMessage,
    Checklists,
    StoredChecklist,
    Tick,
)
from bot.store.db import DAY, SCHEMA_VERSION, Clock, StorageError, is_write_failure
from bot.store.flows import Flows, FlowSession, FlowStatus, Reminder
from bot.store.links import Link, Links
from bot.store.prompts import PendingPrompt, Prompts

__all__ = [
    "DAY",
    "NO_TICK",
    "SCHEMA_VERSION",
    "ChecklistMessage",
    "FlowSession",
    "FlowStatus",
    "Link",
    "PendingPrompt",
    "Reminder",
    "StorageError",
    "Store",
    "StoredAnswer",
    "StoredChecklist",
    "ThumbsDown",
    "Tick",
    "is_write_failure",
]

UPDATE_IDS_KEPT_DAYS = 7  # repeated updates after a restart are recognised this long

log = logging.getLogger(__name__)


class Store:
    def __init__(self, path: Path | None, clock: Clock = time.time) -> None:
        """`path` None keeps everything in memory (tests); a path that starts with 'file:' is
        an SQLite URI. Raises StorageError when the database cannot be opened or migrated."""
        self.clock = clock
        self.db = database.connect(path)
        self.answers = Answers(self)
        self.prompts = Prompts(self)
        self.flows = Flows(self)
        self.checklists = Checklists(self)
        self.admin = AdminLog(self)
        self.links = Links(self)

    def close(self) -> None:
        self.db.close()

    def migrate(self) -> None:
        database.migrate(self.db)

    def checkpoint(self) -> bool:
        return database.checkpoint(self.db)

    # -- updates -------------------------------------------------------------------------

    def first_time(self, update_id: int) -> bool:
        """Record an update id; False when it was handled before (Telegram may repeat updates
        after a restart). When the database cannot write (disk full), True: the update is
        handled, and a handler that must write answers that saving fails."""
        try:
            with self.db.conn:
                cursor = self.db.execute(
                    "insert or ignore into updates (update_id, created_at) values (?, ?)",
                    [update_id, self.clock()],
                )
        except sqlite3.OperationalError as exc:
            if not is_write_failure(exc):
                raise
            log.warning("update %s not recorded: %s", update_id, exc)
            return True
        return cursor.rowcount == 1

    # -- privacy: /vergeet and the retention ---------------------------------------------

    def forget_chat(self, chat_id: int) -> int:
        """Delete everything stored for a chat; returns the number of rows deleted."""
        deleted = 0
        with self.db.conn:
            deleted += self.db.execute(
                "delete from ticks where checklist_id in "
                "(select id from checklists where chat_id = ?)",
                [chat_id],
            ).rowcount
            # links made in this chat, and links of this chat's questions (bot/admin/linking.py)
            deleted += self.db.execute(
                "delete from links where chat_id = ? or answer_id in "
                "(select id from answers where chat_id = ?) "
                "or answer_id not in (select id from answers)",
                [chat_id, chat_id],
            ).rowcount
            for table in (
                "questions",
                "feedback",
                "answers",
                "pending",
                "flow_sessions",
                "reminders",
                "checklists",
                "checklist_messages",
                "outbox",  # what was not yet sent to this chat
            ):
                deleted += self.db.execute(
                    f"delete from {table} where chat_id = ?", [chat_id]
                ).rowcount
            if chat_id > 0:  # a private chat: its id is the user's id
                # what an admin changed for everybody stays as the audit trail, for the
                # retention (/privacy says so); refused attempts go
                deleted += self.db.execute(
                    "delete from admin_log where user_id = ? and not allowed", [chat_id]
                ).rowcount
        self.checkpoint()
        return deleted

    def purge_older_than(self, days: float) -> int:
        """Delete what is older than the retention: the question log, answers, feedback,
        pending prompts, the admin log, flow sessions untouched that long, reminders sent that
        long ago, and closed checklists (with their ticks and messages) untouched that long
        (created, ticked, remarked, closed).
        Open checklists and unsent reminders stay. Update ids are kept 7 days; unsent messages
        (the outbox) at most as long as the retention."""
        now = self.clock()
        cutoff = now - days * DAY
        deleted = 0
        statements = [
            ("delete from questions where created_at < ?", [cutoff]),
            ("delete from feedback where created_at < ?", [cutoff]),
            ("delete from answers where created_at < ?", [cutoff]),
            ("delete from pending where created_at < ?", [cutoff]),
            ("delete from admin_log where created_at < ?", [cutoff]),
            # an admin stays until removed; who was removed, and by whom, as long as the log
            # a linked question (the reviewed wording itself is knowledge: vraagvormen.yaml)
            # ... and as the question it came from: gone with it
            (
                "delete from links where updated_at < ? or answer_id not in "
                "(select id from answers)",
                [cutoff],
            ),
            ("delete from admins where removed_at is not null and removed_at < ?", [cutoff]),
            ("delete from flow_sessions where updated_at < ?", [cutoff]),
            ("delete from reminders where sent_at is not null and sent_at < ?", [cutoff]),
            (
                "delete from ticks where checklist_id in (select c.id from checklists c "
                "where c.status != 'open' and max(c.created_at, coalesce(c.closed_at, 0)) < ? "
                "and not exists (select 1 from ticks t where t.checklist_id = c.id and "
                "max(coalesce(t.at, 0), coalesce(t.remark_at, 0)) >= ?))",
                [cutoff, cutoff],
            ),
            (
                "delete from checklists where status != 'open' "
                "and max(created_at, coalesce(closed_at, 0)) < ? "
                "and id not in (select checklist_id from ticks)",
                [cutoff],
            ),
            (
                "delete from checklist_messages where checklist_id not in "
                "(select id from checklists)",
                [],
            ),
            # the outbox gives a message up after a day itself; this is the backstop
            ("delete from outbox where created_at < ?", [cutoff]),
            # health holds no personal data: only facts such as the last Bot API call
            ("delete from health where key not in ('last_api_ok')", []),
        ]
        with self.db.conn:
            self.db.execute(
                "delete from updates where created_at < ?", [now - UPDATE_IDS_KEPT_DAYS * DAY]
            )
            for sql, args in statements:
                deleted += self.db.execute(sql, args).rowcount
        self.checkpoint()  # also empties what a busy checkpoint after a wipe left behind
        return deleted

"""The SQLite connection (sqlite-utils, WAL) and the schema: created and migrated at start-up.

Deleted means gone from the files: every connection runs with `secure_delete` (deleted content
is overwritten with zeros) and after a wipe or purge the WAL is emptied (`checkpoint`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

SCHEMA_VERSION = 11
DAY = 86_400.0
CHECKPOINT_ATTEMPTS = 3
CHECKPOINT_WAIT_MS = 200

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class StorageError(Exception):
    """The database cannot be opened or written; the message says so in Dutch."""


_WRITE_FAILURES = ("database or disk is full", "readonly", "disk i/o error", "database is locked")


def is_write_failure(error: BaseException | None) -> bool:
    """True for the SQLite errors of a full disk, a read-only file or a failing disk (also
    when raised as the cause of another error): the write can succeed later."""
    while error is not None:
        if isinstance(error, sqlite3.OperationalError) and any(
            text in str(error).lower() for text in _WRITE_FAILURES
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def connect(path: Path | None) -> sqlite_utils.Database:
    """Open and migrate the database. `path` None keeps everything in memory (tests); a path
    that starts with 'file:' is an SQLite URI. Raises StorageError when the database cannot be
    opened or migrated."""
    try:
        db = open_db(path)
        migrate(db)
        # A read-only file opens and reads fine: find out now, not at the first tick.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute(f"PRAGMA user_version = {int(version)}")
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(
            f"de database {path} kan niet worden geopend of bijgewerkt ({exc}). Controleer "
            "of de schijf vol is en of draaibot in die map mag schrijven (DRAAIBOT_DB)."
        ) from exc
    return db


def open_db(path: Path | None) -> sqlite_utils.Database:
    """The connection, in WAL mode with secure_delete; not yet migrated."""
    if path is None:
        db = sqlite_utils.Database(memory=True)
    else:
        if str(path).startswith("file:"):
            db = sqlite_utils.Database(sqlite3.connect(str(path), uri=True))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(path)
        db.enable_wal()
        # WAL with synchronous=NORMAL: every commit survives a crash of the bot (kill -9);
        # only a power cut may lose the last commits. One fsync per checkpoint, not per tick.
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not just freed
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Create or upgrade the schema; PRAGMA user_version holds its version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version < 1:
        db.table("answers").create(
            {
                "id": int,
                "chat_id": int,
                "question": str,
                "section_ids": str,
                "shown": int,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("questions").create(
            {
                "id": int,
                "chat_id": int,
                "chat_type": str,
                "question": str,
                "answered": int,
                "citations": str,
                "answer_id": int,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("feedback").create(
            {
                "id": int,
                "answer_id": int,
                "chat_id": int,
                "vote": int,
                "missing": str,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("pending").create(
            {
                "chat_id": int,
                "message_id": int,
                "user_id": int,
                "kind": str,
                "ref": int,
                "created_at": float,
            },
            pk=("chat_id", "message_id"),
            if_not_exists=True,
        )
        db.table("admin_log").create(
            {"id": int, "user_id": int, "command": str, "allowed": int, "created_at": float},
            pk="id",
            if_not_exists=True,
        )
        for table, column in (
            ("questions", "chat_id"),
            ("questions", "created_at"),
            ("answers", "chat_id"),
            ("feedback", "chat_id"),
        ):
            db.table(table).create_index([column], if_not_exists=True)
    if version < 2:
        db.table("updates").create(
            {"update_id": int, "created_at": float}, pk="update_id", if_not_exists=True
        )
    if version < 3:
        db.table("flow_sessions").create(
            {
                "id": int,
                "chat_id": int,
                "flow": str,
                "answers": str,
                "history": str,
                "status": str,
                "created_at": float,
                "updated_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("flow_sessions").create_index(["chat_id", "status"], if_not_exists=True)
        db.table("reminders").create(
            {
                "id": int,
                "chat_id": int,
                "label": str,
                "due": str,
                "send_on": str,
                "sent_at": float,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
    if version < 4:
        db.table("checklists").create(
            {
                "id": int,
                "chat_id": int,
                "template": str,
                "title": str,
                "kind": str,
                "items": str,
                "status": str,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("checklists").create_index(["chat_id"], if_not_exists=True)
        db.table("ticks").create(
            {
                "checklist_id": int,
                "item": int,
                "state": str,
                "by_user": int,
                "by_name": str,
                "at": float,
                "remark": str,
                "remark_by": str,
                "remark_at": float,
            },
            pk=("checklist_id", "item"),
            if_not_exists=True,
        )
        db.table("checklist_messages").create(
            {"chat_id": int, "message_id": int, "checklist_id": int, "page": int},
            pk=("chat_id", "message_id"),
            if_not_exists=True,
        )
    if version < 5:
        # Replies not yet accepted by Telegram, in order per lane (a chat's messages, or the
        # edits of one message); and small facts for `draaibot status` (last_api_ok).
        db.table("outbox").create(
            {
                "id": int,
                "lane": str,
                "chat_id": int,
                "payload": str,
                "content": bytes,
                "rev": int,
                "attempts": int,
                "next_try": float,
                "last_error": str,
                "created_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        db.table("outbox").create_index(["lane", "id"], if_not_exists=True)
        db.table("health").create({"key": str, "value": str}, pk="key", if_not_exists=True)
        if "shown" not in db.table("checklist_messages").columns_dict:
            db.table("checklist_messages").add_column("shown", str)
    if version < 6 and "closed_at" not in db.table("checklists").columns_dict:
        db.table("checklists").add_column("closed_at", float)  # for the retention
    if version < 6 and version > 0:
        # A database from before secure_delete may hold deleted text in its free space:
        # rewrite it once, then empty the WAL.
        db.vacuum()
        checkpoint(db)
    if version < 7 and "dates" not in db.table("flow_sessions").columns_dict:
        # the dates a finished flow computed: reminders are set only for these
        db.table("flow_sessions").add_column("dates", str)
    if version < 10:
        # admins managed from the chat (bot/admin/admins.py); and whether an answer was offered
        # as a suggestion (unsure), for the /rapport chart
        db.table("admins").create(
            {
                "user_id": int,
                "added_by": int,
                "added_at": float,
                "removed_by": int,
                "removed_at": float,
            },
            pk="user_id",
            if_not_exists=True,
        )
        if "unsure" not in db.table("questions").columns_dict:
            db.table("questions").add_column("unsure", int)
    if version < 11:
        # questions from /rapport linked to a section by an admin (bot/admin/linking.py)
        db.table("links").create(
            {
                "id": int,
                "chat_id": int,  # the admin's chat
                "answer_id": int,  # the question in the log
                "question": str,
                "candidates": str,  # JSON: the proposed section ids
                "section_id": str,
                "wording": str,
                "state": str,  # open, review, confirmed, published, dropped
                "created_at": float,
                "updated_at": float,
                "published_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
    if version < SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def checkpoint(db: sqlite_utils.Database) -> bool:
    """Copy the WAL into the database and empty it: TRUNCATE is the only mode that leaves
    no old page in the -wal file. A reader may keep it busy: tried a few times."""
    # Wait briefly for readers (a backup): the bot's event loop waits with us.
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        for attempt in range(1, CHECKPOINT_ATTEMPTS + 1):
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return True
            if attempt < CHECKPOINT_ATTEMPTS:
                time.sleep(0.05 * attempt)
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    log.warning("the WAL could not be emptied now: a reader keeps it busy; next purge again")
    return False


class Connected(Protocol):
    """What a repository works on: the one connection and clock the Store holds."""

    db: sqlite_utils.Database
    clock: Clock


class Repository:
    """One aggregate's tables, on the connection all repositories share (read through the
    Store at each use, so one connection serves all, also after it is replaced)."""

    def __init__(self, store: Connected) -> None:
        self._store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self._store.db

    @property
    def clock(self) -> Clock:
        return self._store.clock

    def insert(self, table: str, row: dict[str, object]) -> int:
        """Insert a row (inside the caller's transaction); its new id."""
        new_id: Any = self.db.table(table).insert(row).last_pk
        return int(new_id)

    def upsert(self, table: str, row: dict[str, object], pk: tuple[str, ...]) -> None:
        """Insert a row, or update the one with the same primary key; committed."""
        with self.db.conn:
            self.db.table(table).upsert(row, pk=pk)

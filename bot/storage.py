"""All state in one SQLite database (sqlite-utils, WAL): answers, question log, feedback,
pending prompts and the admin log. Schema created and migrated at start-up.

Questions are stored without names or usernames: only chat ids (needed for /vergeet), chat
types, user ids where a pending prompt or an admin check needs them, questions, outcomes,
citations and times. Checklists do store names: who ticked an item (the name as shown in
Telegram, and the user id) and who wrote a remark (the name), while the checklist is kept.

Deleted means gone from the files: every connection runs with `secure_delete` (deleted content
is overwritten with zeros) and after a wipe or purge the WAL is emptied (`checkpoint`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlite_utils

SCHEMA_VERSION = 11
DAY = 86_400.0
CHECKPOINT_ATTEMPTS = 3
CHECKPOINT_WAIT_MS = 200
UPDATE_IDS_KEPT_DAYS = 7  # repeated updates after a restart are recognised this long

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class FlowStatus(StrEnum):
    """A flow session's status; stored as its value."""

    ACTIVE = "active"
    DONE = "done"
    STOPPED = "stopped"


@dataclass
class FlowSession:
    id: int
    chat_id: int
    flow: str
    answers: dict[str, Any]
    history: list[str]
    status: FlowStatus
    updated_at: float = 0.0  # the last answer or move: a user away long is asked first


def _session(row: dict[str, Any]) -> FlowSession:
    return FlowSession(
        id=row["id"],
        chat_id=row["chat_id"],
        flow=row["flow"],
        answers=json.loads(row["answers"]),
        history=json.loads(row["history"]),
        status=FlowStatus(row["status"]),
        updated_at=float(row["updated_at"] or 0.0),
    )


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    chat_id: int
    question: str
    section_ids: list[str]  # all relevant passages, shown and "more"
    shown: int  # how many are shown in the first message
    created_at: float


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


class Store:
    def __init__(self, path: Path | None, clock: Clock = time.time) -> None:
        """`path` None keeps everything in memory (tests); a path that starts with 'file:' is
        an SQLite URI. Raises StorageError when the database cannot be opened or migrated."""
        self.clock = clock
        try:
            self.db = self._open(path)
            self.migrate()
            # A read-only file opens and reads fine: find out now, not at the first tick.
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute(f"PRAGMA user_version = {int(version)}")
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(
                f"de database {path} kan niet worden geopend of bijgewerkt ({exc}). Controleer "
                "of de schijf vol is en of draaibot in die map mag schrijven (DRAAIBOT_DB)."
            ) from exc

    @staticmethod
    def _open(path: Path | None) -> sqlite_utils.Database:
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

    def close(self) -> None:
        self.db.close()

    # -- schema ------------------------------------------------------------------------------

    def migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:
            self.db.table("answers").create(
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
            self.db.table("questions").create(
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
            self.db.table("feedback").create(
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
            self.db.table("pending").create(
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
            self.db.table("admin_log").create(
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
                self.db.table(table).create_index([column], if_not_exists=True)
        if version < 2:
            self.db.table("updates").create(
                {"update_id": int, "created_at": float}, pk="update_id", if_not_exists=True
            )
        if version < 3:
            self.db.table("flow_sessions").create(
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
            self.db.table("flow_sessions").create_index(["chat_id", "status"], if_not_exists=True)
            self.db.table("reminders").create(
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
            self.db.table("checklists").create(
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
            self.db.table("checklists").create_index(["chat_id"], if_not_exists=True)
            self.db.table("ticks").create(
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
            self.db.table("checklist_messages").create(
                {"chat_id": int, "message_id": int, "checklist_id": int, "page": int},
                pk=("chat_id", "message_id"),
                if_not_exists=True,
            )
        if version < 5:
            # Replies not yet accepted by Telegram, in order per lane (a chat's messages, or the
            # edits of one message); and small facts for `draaibot status` (last_api_ok).
            self.db.table("outbox").create(
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
            self.db.table("outbox").create_index(["lane", "id"], if_not_exists=True)
            self.db.table("health").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            if "shown" not in self.db.table("checklist_messages").columns_dict:
                self.db.table("checklist_messages").add_column("shown", str)
        if version < 6 and "closed_at" not in self.db.table("checklists").columns_dict:
            self.db.table("checklists").add_column("closed_at", float)  # for the retention
        if version < 6 and version > 0:
            # A database from before secure_delete may hold deleted text in its free space:
            # rewrite it once, then empty the WAL.
            self.db.vacuum()
            self.checkpoint()
        if version < 7 and "dates" not in self.db.table("flow_sessions").columns_dict:
            # the dates a finished flow computed: reminders are set only for these
            self.db.table("flow_sessions").add_column("dates", str)
        if version < 10:
            # admins managed from the chat (bot/admins.py); and whether an answer was offered
            # as a suggestion (unsure), for the /rapport chart
            self.db.table("admins").create(
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
            if "unsure" not in self.db.table("questions").columns_dict:
                self.db.table("questions").add_column("unsure", int)
        if version < 11:
            # questions from /rapport linked to a section by an admin (bot/linking.py)
            self.db.table("links").create(
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
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    # -- answers and the question log -------------------------------------------------------

    def save_answer(
        self,
        chat_id: int,
        chat_type: str,
        question: str,
        answered: bool,
        section_ids: list[str],
        citations: list[str],
        shown: int,
        unsure: bool = False,
    ) -> int:
        now = self.clock()
        with self.db.conn:
            answer_id: Any = (
                self.db.table("answers")
                .insert(
                    {
                        "chat_id": chat_id,
                        "question": question,
                        "section_ids": json.dumps(section_ids),
                        "shown": shown,
                        "created_at": now,
                    }
                )
                .last_pk
            )
            self.db.table("questions").insert(
                {
                    "chat_id": chat_id,
                    "chat_type": chat_type,
                    "question": question,
                    "answered": int(answered),
                    "unsure": int(unsure),
                    "citations": json.dumps(citations, ensure_ascii=False),
                    "answer_id": answer_id,
                    "created_at": now,
                }
            )
        return int(answer_id)

    def answer(self, answer_id: int) -> StoredAnswer | None:
        rows = list(self.db.table("answers").rows_where("id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        return StoredAnswer(
            id=row["id"],
            chat_id=row["chat_id"],
            question=row["question"],
            section_ids=json.loads(row["section_ids"]),
            shown=row["shown"],
            created_at=row["created_at"],
        )

    def add_feedback(self, answer_id: int, chat_id: int, vote: int) -> int:
        with self.db.conn:
            existing = list(
                self.db.table("feedback").rows_where(
                    "answer_id = ? and chat_id = ?", [answer_id, chat_id]
                )
            )
            if existing:
                self.db.table("feedback").update(
                    existing[0]["id"], {"vote": vote, "created_at": self.clock()}
                )
                return int(existing[0]["id"])
            new_id: Any = (
                self.db.table("feedback")
                .insert(
                    {
                        "answer_id": answer_id,
                        "chat_id": chat_id,
                        "vote": vote,
                        "missing": None,
                        "created_at": self.clock(),
                    }
                )
                .last_pk
            )
            return int(new_id)

    def add_missing(self, feedback_id: int, text: str) -> None:
        with self.db.conn:
            self.db.table("feedback").update(feedback_id, {"missing": text})

    # -- pending prompts (a reply to a bot question, such as "Wat miste u?") ---------------

    def add_pending(self, chat_id: int, message_id: int, user_id: int, kind: str, ref: int) -> None:
        with self.db.conn:
            self.db.table("pending").upsert(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "user_id": user_id,
                    "kind": kind,
                    "ref": ref,
                    "created_at": self.clock(),
                },
                pk=("chat_id", "message_id"),
            )

    def pending(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The prompt a message asked (kind, ref, the user it asked: 0 for anybody)."""
        rows = list(
            self.db.table("pending").rows_where(
                "chat_id = ? and message_id = ?", [chat_id, message_id]
            )
        )
        return rows[0] if rows else None

    def drop_pending(self, chat_id: int, user_id: int, private: bool) -> None:
        """Forget the prompts waiting for this user's reply (in a private chat: all of them)."""
        anybody = 0 if private else user_id  # prompts in a private chat ask user 0: anybody
        with self.db.conn:
            self.db.execute(
                "delete from pending where chat_id = ? and user_id in (?, ?)",
                [chat_id, anybody, user_id],
            )

    def take_pending(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        row = self.pending(chat_id, message_id)
        if row is None:
            return None
        with self.db.conn:
            self.db.table("pending").delete((chat_id, message_id))
        return row

    # -- admin ---------------------------------------------------------------------------

    def log_admin(self, user_id: int, command: str, allowed: bool) -> None:
        with self.db.conn:
            self.db.table("admin_log").insert(
                {
                    "user_id": user_id,
                    "command": command,
                    "allowed": int(allowed),
                    "created_at": self.clock(),
                }
            )

    def question_counts(self, since: float) -> tuple[int, int]:
        row = self.db.execute(
            "select count(*), coalesce(sum(answered = 0), 0) from questions where created_at >= ?",
            [since],
        ).fetchone()
        return int(row[0]), int(row[1])

    def unanswered(self, since: float, limit: int = 20) -> list[tuple[str, int]]:
        rows = self.db.execute(
            "select lower(trim(question)) as q, count(*) as n from questions "
            "where answered = 0 and created_at >= ? and trim(question) != '' "
            "group by q order by n desc, max(created_at) desc limit ?",
            [since, limit],
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def question_log(self, since: float) -> list[tuple[float, bool, bool]]:
        """(time, answered, unsure) of every question since `since`."""
        rows = self.db.execute(
            "select created_at, answered, coalesce(unsure, 0) from questions "
            "where created_at >= ? order by created_at",
            [since],
        ).fetchall()
        return [(float(t), bool(a), bool(u)) for t, a, u in rows]

    def votes(self, since: float) -> list[tuple[float, int]]:
        """(time, +1 or -1) of every 👍/👎 since `since`."""
        rows = self.db.execute(
            "select created_at, vote from feedback where created_at >= ? order by created_at",
            [since],
        ).fetchall()
        return [(float(t), int(v)) for t, v in rows]

    def flagged_questions(self, since: float) -> list[tuple[str, str]]:
        """(question, kind) of the questions staff should look at: 'geen antwoord',
        'onzeker' (offered as a suggestion) and '👎', one row per occurrence."""
        rows = self.db.execute(
            "select question, case when answered = 0 then 'geen antwoord' else 'onzeker' end "
            "from questions where created_at >= ? and trim(question) != '' "
            "and (answered = 0 or coalesce(unsure, 0) = 1) "
            "union all select a.question, '👎' from feedback f join answers a "
            "on a.id = f.answer_id where f.vote < 0 and f.created_at >= ?",
            [since, since],
        ).fetchall()
        return [(str(q), str(k)) for q, k in rows]

    def thumbs_down(self, since: float) -> Iterator[dict[str, Any]]:
        sql = (
            "select a.question, q.citations, f.missing, f.created_at from feedback f "
            "join answers a on a.id = f.answer_id "
            "left join questions q on q.answer_id = a.id "
            "where f.vote < 0 and f.created_at >= ? order by f.created_at desc"
        )
        for question, citations, missing, created_at in self.db.execute(sql, [since]).fetchall():
            yield {
                "question": question,
                "citations": json.loads(citations or "[]"),
                "missing": missing or "",
                "created_at": created_at,
            }

    # -- flow sessions ---------------------------------------------------------------------

    def start_session(self, chat_id: int, flow: str) -> FlowSession:
        """A new session; any other active session of the chat is stopped (one at a time)."""
        now = self.clock()
        with self.db.conn:
            self.db.execute(
                "update flow_sessions set status = 'stopped', answers = '{}', updated_at = ? "
                "where chat_id = ? and status = 'active'",
                [now, chat_id],
            )
            new_id: Any = (
                self.db.table("flow_sessions")
                .insert(
                    {
                        "chat_id": chat_id,
                        "flow": flow,
                        "answers": "{}",
                        "history": "[]",
                        "status": FlowStatus.ACTIVE,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                .last_pk
            )
        return FlowSession(int(new_id), chat_id, flow, {}, [], FlowStatus.ACTIVE, now)

    def session(self, session_id: int) -> FlowSession | None:
        rows = list(self.db.table("flow_sessions").rows_where("id = ?", [session_id]))
        return _session(rows[0]) if rows else None

    def active_session(self, chat_id: int) -> FlowSession | None:
        rows = list(
            self.db.table("flow_sessions").rows_where(
                "chat_id = ? and status = 'active'", [chat_id], order_by="id desc", limit=1
            )
        )
        return _session(rows[0]) if rows else None

    def latest_session(self, chat_id: int, status: FlowStatus) -> FlowSession | None:
        rows = list(
            self.db.table("flow_sessions").rows_where(
                "chat_id = ? and status = ?", [chat_id, status], order_by="id desc", limit=1
            )
        )
        return _session(rows[0]) if rows else None

    def set_session_dates(self, session_id: int, dates: list[tuple[int, dt.date]]) -> None:
        """The (date term index, day) pairs a finished session computed."""
        data = json.dumps([[index, day.isoformat()] for index, day in dates])
        with self.db.conn:
            self.db.table("flow_sessions").update(session_id, {"dates": data})

    def session_dates(self, session_id: int) -> list[tuple[int, dt.date]] | None:
        """None for a session finished before its dates were kept."""
        row = self.db.execute(
            "select dates from flow_sessions where id = ?", [session_id]
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return [(int(index), dt.date.fromisoformat(day)) for index, day in json.loads(row[0])]

    def save_session(self, session: FlowSession) -> None:
        with self.db.conn:
            self.db.table("flow_sessions").update(
                session.id,
                {
                    "answers": json.dumps(session.answers, ensure_ascii=False),
                    "history": json.dumps(session.history),
                    "status": session.status,
                    "updated_at": self.clock(),
                },
            )

    # -- reminders -------------------------------------------------------------------------

    def add_reminder(self, chat_id: int, label: str, due: str, send_on: str) -> int:
        with self.db.conn:
            existing = list(
                self.db.table("reminders").rows_where(
                    "chat_id = ? and due = ? and send_on = ? and label = ?",
                    [chat_id, due, send_on, label],
                )
            )
            if existing:
                return int(existing[0]["id"])
            new_id: Any = (
                self.db.table("reminders")
                .insert(
                    {
                        "chat_id": chat_id,
                        "label": label,
                        "due": due,
                        "send_on": send_on,
                        "sent_at": None,
                        "created_at": self.clock(),
                    }
                )
                .last_pk
            )
        return int(new_id)

    def reminders(self, chat_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.table("reminders").rows_where(
                "chat_id = ? and sent_at is null", [chat_id], order_by="send_on"
            )
        )

    def due_reminders(self, on_or_before: str) -> list[dict[str, Any]]:
        return list(
            self.db.table("reminders").rows_where(
                "sent_at is null and send_on <= ?", [on_or_before], order_by="send_on"
            )
        )

    def mark_reminder_sent(self, reminder_id: int) -> None:
        with self.db.conn:
            self.db.table("reminders").update(reminder_id, {"sent_at": self.clock()})

    def delete_reminder(self, reminder_id: int, chat_id: int | None = None) -> bool:
        with self.db.conn:
            if chat_id is None:
                cursor = self.db.execute("delete from reminders where id = ?", [reminder_id])
            else:
                cursor = self.db.execute(
                    "delete from reminders where id = ? and chat_id = ?", [reminder_id, chat_id]
                )
        return cursor.rowcount > 0

    def rename_reminder(self, reminder_id: int, label: str) -> None:
        with self.db.conn:
            self.db.table("reminders").update(reminder_id, {"label": label})

    # -- checklists ----------------------------------------------------------------------------

    def create_checklist(
        self, chat_id: int, template: str, title: str, kind: str, items: list[dict[str, str]]
    ) -> int:
        with self.db.conn:
            new_id: Any = (
                self.db.table("checklists")
                .insert(
                    {
                        "chat_id": chat_id,
                        "template": template,
                        "title": title,
                        "kind": kind,
                        "items": json.dumps(items, ensure_ascii=False),
                        "status": "open",
                        "created_at": self.clock(),
                    }
                )
                .last_pk
            )
        return int(new_id)

    def checklist(self, checklist_id: int) -> dict[str, Any] | None:
        rows = list(self.db.table("checklists").rows_where("id = ?", [checklist_id]))
        return rows[0] if rows else None

    def checklists(self, chat_id: int, status: str | None = None) -> list[dict[str, Any]]:
        where, args = "chat_id = ?", list[object]([chat_id])
        if status is not None:
            where += " and status = ?"
            args.append(status)
        return list(self.db.table("checklists").rows_where(where, args, order_by="id"))

    def set_checklist_status(self, checklist_id: int, status: str) -> None:
        closed_at = self.clock() if status != "open" else None
        with self.db.conn:
            self.db.table("checklists").update(
                checklist_id, {"status": status, "closed_at": closed_at}
            )

    def tick(
        self, checklist_id: int, item: int, state: str | None, user_id: int, name: str
    ) -> None:
        """Set an item's state; committed before anything is shown."""
        with self.db.conn:
            self.db.execute(
                "insert into ticks (checklist_id, item, state, by_user, by_name, at) "
                "values (?, ?, ?, ?, ?, ?) on conflict (checklist_id, item) do update set "
                "state = excluded.state, by_user = excluded.by_user, by_name = excluded.by_name, "
                "at = excluded.at",
                [checklist_id, item, state, user_id, name, self.clock()],
            )

    def add_remark(self, checklist_id: int, item: int, remark: str, name: str) -> None:
        """A remark on an item, with the name of who wrote it (no user id is kept)."""
        with self.db.conn:
            self.db.execute(
                "insert into ticks (checklist_id, item, remark, remark_by, remark_at) "
                "values (?, ?, ?, ?, ?) on conflict (checklist_id, item) do update set "
                "remark = excluded.remark, remark_by = excluded.remark_by, "
                "remark_at = excluded.remark_at",
                [checklist_id, item, remark, name, self.clock()],
            )

    def ticks(self, checklist_id: int) -> dict[int, dict[str, Any]]:
        return {
            row["item"]: row
            for row in self.db.table("ticks").rows_where("checklist_id = ?", [checklist_id])
        }

    def add_checklist_message(
        self, chat_id: int, message_id: int, checklist_id: int, page: int
    ) -> None:
        with self.db.conn:
            self.db.table("checklist_messages").upsert(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "checklist_id": checklist_id,
                    "page": page,
                },
                pk=("chat_id", "message_id"),
            )

    def checklist_shown(
        self, chat_id: int, message_id: int, checklist_id: int, page: int, shown: str
    ) -> None:
        """Record what a checklist message shows now (page and a digest of its text), so a
        message left behind (kill -9, lost edit) can be redrawn at start-up."""
        with self.db.conn:
            self.db.table("checklist_messages").upsert(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "checklist_id": checklist_id,
                    "page": page,
                    "shown": shown,
                },
                pk=("chat_id", "message_id"),
            )

    def checklist_messages(self) -> list[dict[str, Any]]:
        """Every checklist message with what it showed when last drawn."""
        return list(self.db.table("checklist_messages").rows)

    def checklist_of_message(self, chat_id: int, message_id: int) -> int | None:
        rows = list(
            self.db.table("checklist_messages").rows_where(
                "chat_id = ? and message_id = ?", [chat_id, message_id]
            )
        )
        return int(rows[0]["checklist_id"]) if rows else None

    # -- privacy -------------------------------------------------------------------------

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and empty it: TRUNCATE is the only mode that leaves
        no old page in the -wal file. A reader may keep it busy: tried a few times."""
        # Wait briefly for readers (a backup): the bot's event loop waits with us.
        timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(1, CHECKPOINT_ATTEMPTS + 1):
                busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return True
                if attempt < CHECKPOINT_ATTEMPTS:
                    time.sleep(0.05 * attempt)
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        log.warning("the WAL could not be emptied now: a reader keeps it busy; next purge again")
        return False

    def forget_chat(self, chat_id: int) -> int:
        """Delete everything stored for a chat; returns the number of rows deleted."""
        deleted = 0
        with self.db.conn:
            deleted += self.db.execute(
                "delete from ticks where checklist_id in "
                "(select id from checklists where chat_id = ?)",
                [chat_id],
            ).rowcount
            # links made in this chat, and links of this chat's questions (bot/linking.py)
            deleted += self.db.execute(
                "delete from links where chat_id = ? or answer_id in "
                "(select id from answers where chat_id = ?)",
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
                deleted += self.db.execute(
                    "delete from admin_log where user_id = ?", [chat_id]
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
            # a linked question (the reviewed wording itself is knowledge: vraagvormen.yaml)
            ("delete from links where updated_at < ?", [cutoff]),
            # an admin stays until removed; who was removed, and by whom, as long as the log
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

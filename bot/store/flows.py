"""Flow sessions (the answers of a flow in progress, and the dates a finished flow computed)
and the reminders set for those dates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.store.db import Repository


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
class Reminder:
    id: int
    chat_id: int
    label: str
    due: dt.date  # the date the reminder is about
    send_on: dt.date  # the day it is sent (at 09:00 Amsterdam time)


def _reminder(row: dict[str, Any]) -> Reminder:
    return Reminder(
        id=int(row["id"]),
        chat_id=int(row["chat_id"]),
        label=str(row["label"]),
        due=dt.date.fromisoformat(row["due"]),
        send_on=dt.date.fromisoformat(row["send_on"]),
    )


class Flows(Repository):
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
            new_id = self.insert(
                "flow_sessions",
                {
                    "chat_id": chat_id,
                    "flow": flow,
                    "answers": "{}",
                    "history": "[]",
                    "status": FlowStatus.ACTIVE,
                    "created_at": now,
                    "updated_at": now,
                },
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

    def add_reminder(self, chat_id: int, label: str, due: dt.date, send_on: dt.date) -> int:
        with self.db.conn:
            existing = list(
                self.db.table("reminders").rows_where(
                    "chat_id = ? and due = ? and send_on = ? and label = ?",
                    [chat_id, due.isoformat(), send_on.isoformat(), label],
                )
            )
            if existing:
                return int(existing[0]["id"])
            new_id = self.insert(
                "reminders",
                {
                    "chat_id": chat_id,
                    "label": label,
                    "due": due.isoformat(),
                    "send_on": send_on.isoformat(),
                    "sent_at": None,
                    "created_at": self.clock(),
                },
            )
        return int(new_id)

    def reminders(self, chat_id: int) -> list[Reminder]:
        """The chat's reminders not yet sent, the first to send first."""
        rows = self.db.table("reminders").rows_where(
            "chat_id = ? and sent_at is null", [chat_id], order_by="send_on"
        )
        return [_reminder(row) for row in rows]

    def due_reminders(self, on_or_before: dt.date) -> list[Reminder]:
        """Every reminder not yet sent whose day is `on_or_before` or earlier."""
        rows = self.db.table("reminders").rows_where(
            "sent_at is null and send_on <= ?", [on_or_before.isoformat()], order_by="send_on"
        )
        return [_reminder(row) for row in rows]

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

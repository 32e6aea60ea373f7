"""The outbox: every message for Telegram is written here first and deleted only when Telegram
has accepted it, so a reply survives an unreachable Bot API and a restart.

Rows are sent in order per lane: a chat's new messages form one lane (a later message never
overtakes an earlier unsent one); the edits of one checklist message form a lane of their own,
holding at most one unsent row whose content is drawn when it is sent (always the newest state).
Pure storage: no Telegram types here (the sender is handlers/outbox.py).
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.store import Store

LAST_API_OK = "last_api_ok"

Listener = Callable[[], None]


@dataclass(frozen=True)
class Entry:
    id: int
    lane: str
    chat_id: int
    payload: dict[str, Any]
    content: bytes | None
    rev: int
    attempts: int
    next_try: float
    created_at: float


@dataclass(frozen=True)
class Head:
    """The first row of a lane, as far as the sender needs it to plan."""

    lane: str
    next_try: float
    attempts: int


def _entry(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        lane=row["lane"],
        chat_id=row["chat_id"],
        payload=json.loads(row["payload"]),
        content=row["content"],
        rev=row["rev"] or 0,
        attempts=row["attempts"] or 0,
        next_try=row["next_try"] or 0.0,
        created_at=row["created_at"],
    )


_OUTBOXES: weakref.WeakKeyDictionary[Store, Outbox] = weakref.WeakKeyDictionary()


class Outbox:
    """The `outbox` table of a Store. `Outbox.of(store)` gives the one instance per store, so
    whoever adds a row wakes the sender listening on it."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._listeners: list[Listener] = []
        self._health_written = 0.0

    @classmethod
    def of(cls, store: Store) -> Outbox:
        outbox = _OUTBOXES.get(store)
        if outbox is None:
            outbox = _OUTBOXES[store] = cls(store)
        return outbox

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _wake(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- adding -----------------------------------------------------------------------------

    def add(self, chat_id: int, payload: dict[str, Any], content: bytes | None = None) -> int:
        """A new message for a chat, after every unsent message of that chat."""
        return self.add_to(f"c{chat_id}", chat_id, payload, content)

    def add_to(
        self, lane: str, chat_id: int, payload: dict[str, Any], content: bytes | None = None
    ) -> int:
        """A row at the end of `lane`."""
        with self.store.db.conn:
            cursor = self.store.db.execute(
                "insert into outbox (lane, chat_id, payload, content, rev, attempts, next_try, "
                "created_at) values (?, ?, ?, ?, 0, 0, 0, ?)",
                [lane, chat_id, json.dumps(payload, ensure_ascii=False), content, self.clock()],
            )
        self._wake()
        return int(cursor.lastrowid or 0)

    def add_edit(
        self, chat_id: int, message_id: int, payload: dict[str, Any], not_before: float = 0.0
    ) -> bool:
        """Redraw a message: one unsent row per message; a newer request replaces the payload
        of the waiting one (and bumps its revision, so a send in flight is not taken for it).
        True when a new row was queued."""
        lane = f"e{chat_id}:{message_id}"
        text = json.dumps(payload, ensure_ascii=False)
        with self.store.db.conn:
            updated = self.store.db.execute(
                "update outbox set payload = ?, rev = rev + 1 where lane = ?", [text, lane]
            ).rowcount
            if not updated:
                self.store.db.execute(
                    "insert into outbox (lane, chat_id, payload, rev, attempts, next_try, "
                    "created_at) values (?, ?, ?, 0, 0, ?, ?)",
                    [lane, chat_id, text, not_before, self.clock()],
                )
        self._wake()
        return not updated

    # -- sending ----------------------------------------------------------------------------

    def heads(self) -> list[Entry]:
        """The first unsent row of every lane, oldest first."""
        rows = self.store.db.execute(
            "select * from outbox where id in (select min(id) from outbox group by lane) "
            "order by id"
        )
        columns = [c[0] for c in rows.description]
        return [_entry(dict(zip(columns, row, strict=True))) for row in rows.fetchall()]

    def waiting(self) -> list[Head]:
        """When the first row of each lane may be tried (cheap: no payloads read)."""
        rows = self.store.db.execute(
            "select lane, min(id), next_try, attempts from outbox group by lane"
        ).fetchall()
        return [Head(lane, next_try or 0.0, attempts or 0) for lane, _, next_try, attempts in rows]

    def head(self, lane: str) -> Entry | None:
        rows = list(
            self.store.db.table("outbox").rows_where("lane = ?", [lane], order_by="id", limit=1)
        )
        return _entry(rows[0]) if rows else None

    def done(self, entry: Entry, after: Callable[[], None] | None = None) -> bool:
        """Telegram accepted `entry`: delete it (unless it was replaced meanwhile: then it is
        sent again) and run `after` (record prompts, checklist messages) in the same commit."""
        with self.store.db.conn:
            deleted = self.store.db.execute(
                "delete from outbox where id = ? and rev = ?", [entry.id, entry.rev]
            ).rowcount
            if after is not None:
                after()
        return deleted > 0

    def drop(self, entry: Entry) -> None:
        """Telegram refused `entry` for good (bad request, bot blocked): it is not retried."""
        with self.store.db.conn:
            self.store.db.execute("delete from outbox where id = ?", [entry.id])

    def postpone(self, entry: Entry, delay: float, error: str) -> None:
        with self.store.db.conn:
            self.store.db.execute(
                "update outbox set attempts = attempts + 1, next_try = ?, last_error = ? "
                "where id = ?",
                [self.clock() + delay, error[:200], entry.id],
            )

    def count(self) -> int:
        return int(self.store.db.execute("select count(*) from outbox").fetchone()[0])

    def pending(self) -> list[Entry]:
        return [_entry(r) for r in self.store.db.table("outbox").rows_where(order_by="id")]

    # -- health -----------------------------------------------------------------------------

    def api_ok(self, every: float = 1.0) -> None:
        """Record the time of the last successful Bot API call (at most once a second)."""
        now = self.clock()
        if now - self._health_written < every:
            return
        self._health_written = now
        with self.store.db.conn:
            self.store.db.execute(
                "insert into health (key, value) values (?, ?) "
                "on conflict (key) do update set value = excluded.value",
                [LAST_API_OK, repr(now)],
            )


def last_api_ok(store: Store) -> float | None:
    """When the Bot API last answered (seconds since the epoch), if ever."""
    row = store.db.execute("select value from health where key = ?", [LAST_API_OK]).fetchone()
    return float(row[0]) if row else None

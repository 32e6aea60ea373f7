"""Shared checklists: the list (a copy of its template's items), the ticks and remarks on its
items, and the messages that show it. Ticks keep who ticked (the name as shown in Telegram, and
the user id) and remarks who wrote them (the name), while the checklist is kept."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.checklists.item import Item
from bot.store.db import Repository


@dataclass(frozen=True)
class StoredChecklist:
    id: int
    chat_id: int
    template: str
    title: str
    kind: str  # the template's kind: "inventaris" or a list of steps
    items: list[Item]
    status: str  # "open" or "closed"

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Tick:
    """What is known of one item: its state (None: open), who set it and when, a remark."""

    state: str | None = None
    by_user: int | None = None
    by_name: str = ""
    at: float | None = None
    remark: str = ""
    remark_by: str = ""
    remark_at: float | None = None


NO_TICK = Tick()


@dataclass(frozen=True)
class ChecklistMessage:
    chat_id: int
    message_id: int
    checklist_id: int
    page: int
    shown: str | None  # a digest of what it showed when last drawn (None: not known)


def _item(data: dict[str, Any]) -> Item:
    return Item(
        text=str(data["text"]),
        amount=str(data.get("amount") or ""),
        source=str(data.get("source") or ""),
        section=str(data.get("section") or ""),
    )


def _checklist(row: dict[str, Any]) -> StoredChecklist:
    return StoredChecklist(
        id=int(row["id"]),
        chat_id=int(row["chat_id"]),
        template=str(row["template"]),
        title=str(row["title"]),
        kind=str(row["kind"]),
        items=[_item(item) for item in json.loads(row["items"])],
        status=str(row["status"]),
    )


def _tick(row: dict[str, Any]) -> Tick:
    return Tick(
        state=row["state"],
        by_user=row["by_user"],
        by_name=row["by_name"] or "",
        at=row["at"],
        remark=row["remark"] or "",
        remark_by=row["remark_by"] or "",
        remark_at=row["remark_at"],
    )


class Checklists(Repository):
    def create_checklist(
        self, chat_id: int, template: str, title: str, kind: str, items: list[Item]
    ) -> int:
        with self.db.conn:
            new_id = self.insert(
                "checklists",
                {
                    "chat_id": chat_id,
                    "template": template,
                    "title": title,
                    "kind": kind,
                    "items": json.dumps([asdict(i) for i in items], ensure_ascii=False),
                    "status": "open",
                    "created_at": self.clock(),
                },
            )
        return int(new_id)

    def checklist(self, checklist_id: int) -> StoredChecklist | None:
        rows = list(self.db.table("checklists").rows_where("id = ?", [checklist_id]))
        return _checklist(rows[0]) if rows else None

    def checklists(self, chat_id: int, status: str | None = None) -> list[StoredChecklist]:
        where, args = "chat_id = ?", list[object]([chat_id])
        if status is not None:
            where += " and status = ?"
            args.append(status)
        return [
            _checklist(row)
            for row in self.db.table("checklists").rows_where(where, args, order_by="id")
        ]

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

    def ticks(self, checklist_id: int) -> dict[int, Tick]:
        """The items someone ticked or remarked on, by number (from 1); see NO_TICK."""
        return {
            int(row["item"]): _tick(row)
            for row in self.db.table("ticks").rows_where("checklist_id = ?", [checklist_id])
        }

    def checklist_shown(
        self, chat_id: int, message_id: int, checklist_id: int, page: int, shown: str
    ) -> None:
        """Record what a checklist message shows now (page and a digest of its text), so a
        message left behind (kill -9, lost edit) can be redrawn at start-up."""
        self.upsert(
            "checklist_messages",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "checklist_id": checklist_id,
                "page": page,
                "shown": shown,
            },
            pk=("chat_id", "message_id"),
        )

    def checklist_messages(self) -> list[ChecklistMessage]:
        """Every checklist message with what it showed when last drawn."""
        return [
            ChecklistMessage(
                chat_id=int(row["chat_id"]),
                message_id=int(row["message_id"]),
                checklist_id=int(row["checklist_id"]),
                page=int(row["page"] or 0),
                shown=row.get("shown"),
            )
            for row in self.db.table("checklist_messages").rows
        ]

    def checklist_of_message(self, chat_id: int, message_id: int) -> int | None:
        rows = list(
            self.db.table("checklist_messages").rows_where(
                "chat_id = ? and message_id = ?", [chat_id, message_id]
            )
        )
        return int(rows[0]["checklist_id"]) if rows else None

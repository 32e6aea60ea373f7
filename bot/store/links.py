"""Questions from /rapport that an admin links to a section (bot/admin/linking.py): the
question as asked, the sections proposed, the one chosen, the reviewed wording and its state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.store.db import Repository


@dataclass(frozen=True)
class Link:
    id: int
    chat_id: int
    answer_id: int
    question: str
    candidates: tuple[str, ...]
    section_id: str
    wording: str
    state: str
    published_at: float | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Link:
        return cls(
            id=int(row["id"]),
            chat_id=int(row["chat_id"]),
            answer_id=int(row["answer_id"]),
            question=str(row["question"]),
            candidates=tuple(json.loads(row["candidates"] or "[]")),
            section_id=str(row["section_id"] or ""),
            wording=str(row["wording"] or ""),
            state=str(row["state"]),
            published_at=row["published_at"],
        )


class Links(Repository):
    """The `links` table (created by bot.store.db.migrate)."""

    def add(self, chat_id: int, answer_id: int, question: str, candidates: list[str]) -> Link:
        now = self.clock()
        with self.db.conn:
            link_id = self.insert(
                "links",
                {
                    "chat_id": chat_id,
                    "answer_id": answer_id,
                    "question": question,
                    "candidates": json.dumps(candidates),
                    "section_id": "",
                    "wording": "",
                    "state": "open",
                    "created_at": now,
                    "updated_at": now,
                    "published_at": None,
                },
            )
        found = self.get(link_id)
        if found is None:  # pragma: no cover - just inserted
            raise LookupError(link_id)
        return found

    def get(self, link_id: int) -> Link | None:
        rows = list(self.db.table("links").rows_where("id = ?", [link_id]))
        return Link.of(rows[0]) if rows else None

    def update(self, link_id: int, **values: Any) -> None:
        if "candidates" in values:
            values["candidates"] = json.dumps(values["candidates"])
        with self.db.conn:
            self.db.table("links").update(link_id, {**values, "updated_at": self.clock()})

    def in_state(self, state: str) -> list[Link]:
        rows = self.db.table("links").rows_where("state = ?", [state], order_by="id")
        return [Link.of(r) for r in rows]

    def latest_answers(self, since: float) -> list[tuple[int, str]]:
        """(question log id, question) of the questions since `since`, oldest first."""
        rows = self.db.execute(
            "select id, question from answers where created_at >= ? order by id", [since]
        ).fetchall()
        return [(int(i), str(q)) for i, q in rows]

    def asked_since(self, since: float) -> list[tuple[str, float, bool]]:
        """(question, time, answered) of the questions since `since`."""
        rows = self.db.execute(
            "select question, created_at, answered from questions where created_at >= ?", [since]
        ).fetchall()
        return [(str(q), float(t), bool(a)) for q, t, a in rows]

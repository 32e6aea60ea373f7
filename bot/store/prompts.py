"""Pending prompts: a message of ours that waits for a reply (such as "Wat miste u?", a flow
question in a group, a reminder's name). The user id is kept to tell who was asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.db import Repository


@dataclass(frozen=True)
class PendingPrompt:
    chat_id: int
    message_id: int
    user_id: int  # the user asked; 0 for anybody
    kind: str  # a PromptKind value
    ref: int  # what the reply is about: a feedback, reminder, checklist or flow session id
    created_at: float


def _prompt(row: dict[str, Any]) -> PendingPrompt:
    return PendingPrompt(
        chat_id=int(row["chat_id"]),
        message_id=int(row["message_id"]),
        user_id=int(row["user_id"] or 0),
        kind=str(row["kind"]),
        ref=int(row["ref"]),
        created_at=float(row["created_at"] or 0.0),
    )


class Prompts(Repository):
    def add_pending(self, chat_id: int, message_id: int, user_id: int, kind: str, ref: int) -> None:
        self.upsert(
            "pending",
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

    def pending(self, chat_id: int, message_id: int) -> PendingPrompt | None:
        """The prompt a message asked (kind, ref, the user it asked: 0 for anybody)."""
        rows = list(
            self.db.table("pending").rows_where(
                "chat_id = ? and message_id = ?", [chat_id, message_id]
            )
        )
        return _prompt(rows[0]) if rows else None

    def drop_pending(self, chat_id: int, user_id: int, private: bool) -> None:
        """Forget the prompts waiting for this user's reply (in a private chat: all of them)."""
        anybody = 0 if private else user_id  # prompts in a private chat ask user 0: anybody
        with self.db.conn:
            self.db.execute(
                "delete from pending where chat_id = ? and user_id in (?, ?)",
                [chat_id, anybody, user_id],
            )

    def take_pending(self, chat_id: int, message_id: int) -> PendingPrompt | None:
        prompt = self.pending(chat_id, message_id)
        if prompt is None:
            return None
        with self.db.conn:
            self.db.table("pending").delete((chat_id, message_id))
        return prompt

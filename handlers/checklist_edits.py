"""Checklist messages are edited, not re-posted, on every tick; edits are coalesced so a burst
of ticks stays within Telegram's limits (about 20 messages a minute in a group).

A redraw is a row in the outbox (bot/outbox.py), not a timer in memory: at most one waiting
row per message, drawn from the database when it is sent, so the message always converges to
the stored state, through failures (retried like every send), SIGTERM and kill -9.
"""

from __future__ import annotations

import time

from bot.outbox import Outbox
from bot.store import Store

GROUP_INTERVAL = 3.0  # seconds between edits of one message in a group (20 a minute)
PRIVATE_INTERVAL = 1.0


class EditCoalescer:
    """Paces the redraws of each checklist message; the outbox keeps at most one waiting."""

    def __init__(
        self,
        store: Store,
        group_interval: float = GROUP_INTERVAL,
        private_interval: float = PRIVATE_INTERVAL,
    ) -> None:
        self.outbox = Outbox.of(store)
        self.group_interval = group_interval
        self.private_interval = private_interval
        self._next: dict[tuple[int, int], float] = {}

    def schedule(self, chat_id: int, message_id: int, checklist_id: int, page: int) -> None:
        """Redraw checklist message `message_id` showing `page`, no sooner than the pace allows."""
        key = (chat_id, message_id)
        now = time.time()
        interval = self.group_interval if chat_id < 0 else self.private_interval
        not_before = max(now, self._next.get(key, 0.0))
        queued = self.outbox.add_edit(
            chat_id,
            message_id,
            {
                "kind": "checklist",
                "message_id": message_id,
                "checklist": checklist_id,
                "page": page,
            },
            not_before=not_before,
        )
        if queued:
            self._next[key] = not_before + interval

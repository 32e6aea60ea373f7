"""Checklist messages are edited, not re-posted, on every tick; edits are coalesced so a burst
of ticks stays within Telegram's limits (about 20 messages a minute in a group)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.replies import Reply
from handlers.render import render
from handlers.send import with_retry

log = logging.getLogger(__name__)

GROUP_INTERVAL = 3.0  # seconds between edits of one message in a group (20 a minute)
PRIVATE_INTERVAL = 1.0


class EditCoalescer:
    """At most one pending edit per message; it shows the state at the moment it is sent."""

    def __init__(
        self, group_interval: float = GROUP_INTERVAL, private_interval: float = PRIVATE_INTERVAL
    ) -> None:
        self.group_interval = group_interval
        self.private_interval = private_interval
        self._pending: dict[tuple[int, int], asyncio.Task[None]] = {}
        self._latest: dict[tuple[int, int], Callable[[], Reply]] = {}
        self._last_edit: dict[tuple[int, int], float] = {}
        self.edits = 0

    def schedule(self, bot: Bot, chat_id: int, message_id: int, draw: Callable[[], Reply]) -> None:
        key = (chat_id, message_id)
        self._latest[key] = draw
        if key in self._pending and not self._pending[key].done():
            return  # the pending edit will draw the newest state
        interval = self.group_interval if chat_id < 0 else self.private_interval
        wait = max(0.0, self._last_edit.get(key, 0.0) + interval - time.monotonic())
        self._pending[key] = asyncio.create_task(self._edit_later(bot, key, wait))

    async def _edit_later(self, bot: Bot, key: tuple[int, int], wait: float) -> None:
        await asyncio.sleep(wait)
        draw = self._latest.pop(key)
        self._last_edit[key] = time.monotonic()
        (rendered, *_) = render(draw())
        chat_id, message_id = key
        try:
            await with_retry(
                lambda: bot.edit_message_text(
                    rendered.html,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.keyboard,
                )
            )
            self.edits += 1
        except BadRequest as exc:
            # "message is not modified" is fine; a deleted message loses nothing: the state is
            # in SQLite and /checklists shows it again.
            if "not modified" not in str(exc).lower():
                log.warning("checklist message %s not edited: %s", key, exc)
        except Exception as exc:
            log.warning("checklist message %s not edited: %r", key, exc)
        finally:
            if key in self._latest:  # ticks arrived while we were editing: draw again
                self._pending.pop(key, None)
                self.schedule(bot, chat_id, message_id, self._latest[key])

    async def flush(self) -> None:
        """Wait for every pending edit (shutdown, tests)."""
        while pending := [t for t in self._pending.values() if not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

"""Live reload of the knowledge folder in the Telegram bot: the watcher and reload of
bot/reloading.py, with the admins told by Telegram message (the changes, or the errors)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from telegram import Bot

from bot import texts
from bot.admin.publishing import Publisher
from bot.assistant import Assistant
from bot.reloading import KnowledgeReloader
from bot.replies import Outcome
from handlers.send import send_outcome

log = logging.getLogger(__name__)

SHOWN_PROBLEMS = 30


class Reloader(KnowledgeReloader):
    def __init__(
        self,
        assistant: Assistant,
        admins: Iterable[int],
        after_swap: Callable[[], Awaitable[None]] | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        super().__init__(assistant, after_swap, publisher)
        self.admins = admins

    async def report_startup(self, bot: Bot) -> None:
        """Tell the admins when the bot started from the last good knowledge, and why."""
        problems = self.assistant.knowledge.startup_problems
        if not problems:
            return
        shown = "\n".join(str(p) for p in problems[:SHOWN_PROBLEMS])
        if len(problems) > SHOWN_PROBLEMS:
            shown += f"\n… en nog {len(problems) - SHOWN_PROBLEMS}"
        await self.notify_admins(
            bot, Outcome.say(texts.STARTED_FROM_LAST_GOOD.format(problems=shown))
        )

    async def notify_admins(self, bot: Bot, outcome: Outcome) -> None:
        for admin in self.admins:
            try:
                await send_outcome(bot, self.assistant.outbox, admin, outcome)
            except Exception as exc:
                log.warning("could not tell admin %s about the reload: %r", admin, exc)

    def start_watching(self, bot: Bot, folder: Path) -> None:
        async def notify(outcome: Outcome) -> None:
            await self.notify_admins(bot, outcome)

        self.watch(folder, notify)

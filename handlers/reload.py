"""Live reload of the knowledge folder: on a change (watchfiles, debounced) or on /herlaad.
The new index is built in a worker thread beside the old one, which keeps answering; it is
swapped in only when complete and valid. Admins get the summary of changes or the errors.

The watcher never stops by itself: a failed reload is reported and watching goes on; when the
watching itself fails (the folder was moved away), it starts again after a pause."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from pathlib import Path

from telegram import Bot
from watchfiles import Change, awatch

from bot import texts
from bot.assistant import Assistant
from bot.replies import Outcome
from handlers.send import send_outcome
from index.search import InvalidKnowledge

log = logging.getLogger(__name__)

DEBOUNCE_MS = 1500
WATCHED = (".md", ".yaml", ".yml")
TICK_MS = 1000  # the watcher wakes this often when nothing changes (and then counts as ready)
RETRY_SECONDS = 5.0  # pause before watching again after the watcher itself failed
SHOWN_PROBLEMS = 30


class Reloader:
    def __init__(self, assistant: Assistant, admins: Iterable[int]) -> None:
        self.assistant = assistant
        self.admins = admins
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.watching = asyncio.Event()  # set once changes in the folder are being seen

    async def reload(self, reason: str) -> Outcome:
        """Build beside the old knowledge and swap; never leaves a half-built index in place."""
        knowledge = self.assistant.knowledge
        async with self._lock:
            try:
                fresh = await asyncio.to_thread(knowledge.prepare)
            except InvalidKnowledge as exc:
                log.warning("reload refused (%s): %d errors", reason, len(exc.problems))
                return self.assistant.reload_failed(exc.problems)
            except Exception as exc:  # a fault in our code must not end reloading for good
                log.exception("reload failed (%s)", reason)
                return Outcome.say(texts.RELOAD_CRASHED.format(error=type(exc).__name__))
            changes = knowledge.swap(fresh)
        log.info("knowledge reloaded (%s)", reason)
        return self.assistant.reload_done(changes, reason)

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
                await send_outcome(bot, self.assistant.store, admin, outcome)
            except Exception as exc:
                log.warning("could not tell admin %s about the reload: %r", admin, exc)

    def start_watching(self, bot: Bot, folder: Path) -> None:
        self._task = asyncio.create_task(self._watch(bot, folder))

    async def stop_watching(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _watch(self, bot: Bot, folder: Path) -> None:
        def relevant(change: Change, path: str) -> bool:
            return path.endswith(WATCHED) and "/." not in path

        while not self._stop.is_set():
            try:
                async for changes in awatch(
                    folder,
                    watch_filter=relevant,
                    debounce=DEBOUNCE_MS,
                    stop_event=self._stop,
                    rust_timeout=TICK_MS,
                    yield_on_timeout=True,
                ):
                    self.watching.set()
                    if changes:
                        await self._changed(bot, changes)
            except Exception as exc:
                log.error("watching %s failed, trying again: %r", folder, exc)
                self.watching.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), RETRY_SECONDS)

    async def _changed(self, bot: Bot, changes: set[tuple[Change, str]]) -> None:
        names = sorted({Path(p).name for _, p in changes})
        outcome = await self.reload("gewijzigd: " + ", ".join(names[:5]))
        await self.notify_admins(bot, outcome)

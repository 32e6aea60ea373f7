"""Live reload of the knowledge folder, for every face (the Telegram bot, the terminal chat):
on a change (watchfiles, debounced) or on request. The new index is built in a worker thread
beside the old one, which keeps answering; it is swapped in only when complete and valid. What
happened (the summary of changes, or the errors) goes to `notify`: the admins in Telegram, the
screen in the terminal.

The watcher never stops by itself: a failed reload is reported and watching goes on; when the
watching itself fails (the folder was moved away), it starts again after a pause."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, awatch

from bot import texts
from bot.admin.publishing import DRAFTS_DIR, Publisher
from bot.assistant import Assistant
from bot.replies import Outcome
from index.search import InvalidKnowledge

log = logging.getLogger(__name__)

DEBOUNCE_MS = 1500
WATCHED = (".md", ".yaml", ".yml")
TICK_MS = 1000  # the watcher wakes this often when nothing changes (and then counts as ready)
RETRY_SECONDS = 5.0  # pause before watching again after the watcher itself failed

Notify = Callable[[Outcome], Awaitable[None]]


class KnowledgeReloader:
    def __init__(
        self,
        assistant: Assistant,
        after_swap: Callable[[], Awaitable[None]] | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.assistant = assistant
        self.after_swap = after_swap  # e.g. refresh the command menus: flows are commands
        self.publisher = publisher  # records every reload that changed files as a version
        self.lock = asyncio.Lock()  # one reload, publish or rollback at a time
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.watching = asyncio.Event()  # set once changes in the folder are being seen

    async def reload(self, reason: str, who: str = "/herlaad") -> Outcome:
        """Build beside the old knowledge and swap; never leaves a half-built index in place."""
        outcome = await self._reload(reason, who, quiet=False)
        return outcome or Outcome.say(texts.RELOAD_CRASHED.format(error="-"))

    async def _reload(self, reason: str, who: str, quiet: bool) -> Outcome | None:
        """`quiet`: None when nothing changed (a file saved again, a publish already loaded)."""
        knowledge = self.assistant.knowledge
        async with self.lock:
            try:
                fresh = await asyncio.to_thread(knowledge.prepare)
            except InvalidKnowledge as exc:
                log.warning("reload refused (%s): %d errors", reason, len(exc.problems))
                return self.assistant.staff.reload_failed(exc.problems)
            except Exception as exc:  # a fault in our code must not end reloading for good
                log.exception("reload failed (%s)", reason)
                return Outcome.say(texts.RELOAD_CRASHED.format(error=type(exc).__name__))
            changes = knowledge.swap(fresh)
            version = None
            if self.publisher is not None:
                try:  # in a thread: it may wait for a publish of another process
                    version = await asyncio.to_thread(self.publisher.record, changes, who, reason)
                except OSError as exc:
                    log.warning("version not recorded: %r", exc)
        if quiet and self.publisher is not None and version is None and changes.empty:
            return None  # no file changed since the last version: nothing to tell
        log.info("knowledge reloaded (%s)", reason)
        if self.after_swap is not None:
            await self.after_swap()
        return self.assistant.staff.reload_done(changes, reason)

    def watch(self, folder: Path, notify: Notify) -> None:
        """Watch `folder` until `stop_watching`; every reload's outcome goes to `notify`."""
        self._task = asyncio.create_task(self._watch(folder, notify))

    async def stop_watching(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _watch(self, folder: Path, notify: Notify) -> None:
        root = os.path.abspath(folder)

        def relevant(change: Change, path: str) -> bool:
            if not path.endswith(WATCHED) or "/." in path:
                return False
            # drafts are never live: a draft written or removed is no change of the knowledge
            return os.path.relpath(os.path.abspath(path), root).split(os.sep)[0] != DRAFTS_DIR

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
                        names = sorted({Path(p).name for _, p in changes})
                        outcome = await self._reload(
                            "gewijzigd: " + ", ".join(names[:5]),
                            "map gewijzigd (watcher)",
                            quiet=True,
                        )
                        if outcome is not None:
                            await notify(outcome)
            except Exception as exc:
                log.error("watching %s failed, trying again: %r", folder, exc)
                self.watching.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), RETRY_SECONDS)

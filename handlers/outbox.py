"""The outbox sender: one task that sends what handlers put in the outbox (bot/outbox.py).

One retry policy for the whole bot: a send that fails with a network error, a timeout, a
server error (5xx) or flood control (429, honouring retry_after) stays in the outbox and is
tried again with back-off, in order per lane, across restarts; it is given up only after
`RetryPolicy.give_up` seconds. Bad requests and chats the bot may no longer write to are not
retried. Telegram has no idempotency key: a message whose fate is unknown (the request went
out, the answer did not come back) is sent again, so delivery is at least once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from bot.outbox import Entry, Head, Outbox
from bot.replies import Prompt, PromptKind, Reply
from bot.store import Store
from handlers.render import Rendered, render

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
Draw = Callable[[int, int], Reply]  # (checklist, page) -> the checklist view
# Assistant.delivered: (chat, message id, prompt, asked user, checklist, page, digest shown)
Delivered = Callable[[int, int, Prompt | None, int, int | None, int, str], None]


@dataclass(frozen=True)
class RetryPolicy:
    first: float = 1.0  # seconds before the first retry, doubled on each failure
    cap: float = 60.0  # the longest wait between two tries
    give_up: float = 24 * 3600.0  # an entry older than this is dropped (logged)
    lanes: int = 16  # lanes sent at the same time (as many as the connection pool holds)

    def delay(self, attempts: int) -> float:
        return float(min(self.cap, self.first * 2 ** min(attempts, 30)))


def markup_json(markup: InlineKeyboardMarkup | ForceReply | None) -> dict[str, Any] | None:
    return markup.to_dict() if markup is not None else None


def markup_of(data: dict[str, Any] | None) -> InlineKeyboardMarkup | ForceReply | None:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data)
    return ForceReply.de_json(data)


def digest(rendered: Rendered) -> str:
    """What a checklist message shows, in a few bytes: compared at start-up."""
    shown = json.dumps([rendered.html, markup_json(rendered.keyboard)], ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def checklist_view(reply: Reply) -> Rendered:
    """A checklist is always one message (bot/checklists/view.py keeps it within the limit)."""
    return render(reply)[0]


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        draw: Draw,
        delivered: Delivered,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot = bot
        self.delivered = delivered  # the core's bookkeeping once a message is in the chat
        self.store = store
        self.outbox = Outbox.of(store)
        self.draw = draw
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._busy: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._urgent = False  # flushing: paced rows (never failed) are due now
        self._slots = asyncio.Semaphore(self.policy.lanes)
        # Rows Telegram accepted whose deletion failed (the database read-only or full): they
        # are not sent again, their deletion is retried (id -> (rev, what to record)).
        self._accepted: dict[int, tuple[int, Callable[[], None] | None]] = {}

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start sending; resumes whatever a previous run left in the outbox."""
        self.outbox.listen(self._wake.set)
        self._runner = asyncio.create_task(self._run(), name="outbox")

    async def flush(self, timeout: float) -> None:
        """Before shutdown: send what can be sent within `timeout` seconds (pending checklist
        edits included); what fails stays in the outbox for the next start."""
        self._urgent = True
        self._wake.set()
        deadline = time.monotonic() + timeout
        while (self._busy or self._due_now()) and time.monotonic() < deadline:
            self._changed.clear()
            await _wait(self._changed, deadline - time.monotonic())

    async def stop(self) -> None:
        """Stop at once: a send in flight is abandoned and stays in the outbox."""
        self.outbox.unlisten(self._wake.set)
        tasks = [*self._tasks, *([self._runner] if self._runner else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None

    # -- the loop ---------------------------------------------------------------------------

    def _due_now(self) -> bool:
        now = self.clock()
        return any(self._is_due(e, now) for e in self.outbox.waiting() if e.lane not in self._busy)

    def _is_due(self, entry: Entry | Head, now: float) -> bool:
        return entry.next_try <= now or (self._urgent and entry.attempts == 0)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = self._start_due()
            except Exception:  # the database busy or full: the loop must not die
                log.exception("outbox: could not read the waiting messages")
                wait = self.policy.first
            await _wait(self._wake, wait)

    def _start_due(self) -> float | None:
        """Start a sending task for every lane whose first row is due; the seconds until the
        next row that waits (None: nothing waits)."""
        now = self.clock()
        wait: float | None = None
        for entry in self.outbox.waiting():
            if entry.lane in self._busy:
                continue
            if self._is_due(entry, now):
                self._busy.add(entry.lane)
                task = asyncio.create_task(self._drain(entry.lane))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            else:
                left = entry.next_try - now
                wait = left if wait is None else min(wait, left)
        return wait

    async def _drain(self, lane: str) -> None:
        """Send a lane's rows in order until it is empty or a row must wait."""
        try:
            async with self._slots:
                while (entry := self.outbox.head(lane)) is not None:
                    if not self._is_due(entry, self.clock()):
                        break
                    if not await self._deliver(entry):
                        break
        except Exception:  # recording the result failed (database full?): try again later
            log.exception("outbox: lane %s stopped", lane)
            await asyncio.sleep(self.policy.first)
        finally:
            self._busy.discard(lane)
            self._wake.set()
            self._changed.set()

    async def _deliver(self, entry: Entry) -> bool:
        """Try one row; True when the lane may go on (sent or given up)."""
        accepted = self._accepted.get(entry.id)
        if accepted is not None and accepted[0] == entry.rev:  # sent; only its deletion failed
            self.outbox.done(entry, accepted[1])
            del self._accepted[entry.id]
            return True
        try:
            after = await self._send(entry)
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.info("outbox %s (%s): flood control, waiting %g s", entry.id, entry.lane, wait)
            self.outbox.postpone(entry, max(wait, self.policy.delay(0)), str(exc))
            return False
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                self.outbox.done(entry, self._after_unchanged(entry))
                return True
            log.warning("outbox %s (%s) refused, not retried: %s", entry.id, entry.lane, exc)
            self.outbox.drop(entry)
            return True
        except (Forbidden, ChatMigrated) as exc:
            log.info("outbox %s (%s): chat unreachable, dropped: %s", entry.id, entry.lane, exc)
            self.outbox.drop(entry)
            return True
        except Exception as exc:  # network error, timeout, 5xx, or anything unforeseen
            expires = entry.payload.get("expires")
            if expires is not None and self.clock() > expires:
                log.info("outbox %s (%s) expired: %r", entry.id, entry.lane, exc)
                self.outbox.drop(entry)
                return True
            if self.clock() - entry.created_at > self.policy.give_up:
                log.error(
                    "outbox %s (%s) given up after %d tries: %r",
                    entry.id,
                    entry.lane,
                    entry.attempts + 1,
                    exc,
                )
                self.outbox.drop(entry)
                return True
            delay = self.policy.delay(entry.attempts)
            log.warning(
                "outbox %s (%s) not sent (%r); try %d again in %.1f s",
                entry.id,
                entry.lane,
                exc,
                entry.attempts + 2,
                delay,
            )
            self.outbox.postpone(entry, delay, repr(exc))
            return False
        self._accepted[entry.id] = (entry.rev, after)
        self.outbox.done(entry, after)  # raises when the database cannot write: kept above
        del self._accepted[entry.id]
        return True

    # -- the calls --------------------------------------------------------------------------

    async def _send(self, entry: Entry) -> Callable[[], None] | None:
        """Make the Bot API call of a row; returns what to record once it is sent."""
        p = entry.payload
        kind = p.get("kind")
        if kind == "checklist":
            rendered = checklist_view(self.draw(p["checklist"], p["page"]))
            await self.bot.edit_message_text(
                rendered.html,
                chat_id=entry.chat_id,
                message_id=p["message_id"],
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.keyboard,
                link_preview_options=NO_PREVIEW,
            )
            return self._record_shown(entry.chat_id, p["message_id"], p, digest(rendered))
        if kind == "edit":
            keyboard = markup_of(p.get("markup"))
            await self.bot.edit_message_text(
                p["text"],
                chat_id=entry.chat_id,
                message_id=p["message_id"],
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if isinstance(keyboard, InlineKeyboardMarkup) else None,
                link_preview_options=NO_PREVIEW,
            )
            return None
        if kind == "answer":
            await self.bot.answer_callback_query(
                p["query_id"], p.get("text"), show_alert=bool(p.get("alert"))
            )
            return None
        if kind == "photo":
            await self.bot.send_photo(
                entry.chat_id,
                InputFile(entry.content or b"", filename=p["filename"]),
                caption=p.get("caption") or None,
            )
            return None
        if kind == "document":
            await self.bot.send_document(
                entry.chat_id,
                InputFile(entry.content or b"", filename=p["filename"]),
                caption=p.get("caption") or None,
            )
            return None
        message = await self.bot.send_message(
            entry.chat_id,
            p["text"],
            parse_mode=ParseMode.HTML if p.get("html", True) else None,
            reply_markup=markup_of(p.get("markup")),
            reply_parameters=(
                ReplyParameters(p["reply_to"], allow_sending_without_reply=True)
                if p.get("reply_to")
                else None
            ),
            link_preview_options=NO_PREVIEW,
        )
        return self._record_sent(entry, message)

    def _record_sent(self, entry: Entry, message: Message) -> Callable[[], None] | None:
        p = entry.payload

        def after() -> None:
            prompt, asked = None, 0
            if p.get("prompt") is not None:
                asked, kind, ref = p["prompt"]
                prompt = Prompt(PromptKind(kind), ref)
            self.delivered(
                entry.chat_id,
                message.message_id,
                prompt,
                asked,
                p.get("checklist"),
                0,
                p.get("shown", ""),
            )

        return after

    def _record_shown(
        self, chat_id: int, message_id: int, p: dict[str, Any], shown: str
    ) -> Callable[[], None]:
        def after() -> None:  # (a checklist wiped meanwhile is not recorded)
            self.delivered(chat_id, message_id, None, 0, p["checklist"], p["page"], shown)

        return after

    def _after_unchanged(self, entry: Entry) -> Callable[[], None] | None:
        """'message is not modified': the message already shows what we drew."""
        p = entry.payload
        if p.get("kind") != "checklist":
            return None
        shown = digest(checklist_view(self.draw(p["checklist"], p["page"])))
        return self._record_shown(entry.chat_id, p["message_id"], p, shown)


def redraw_behind(store: Store, draw: Draw) -> int:
    """At start-up: queue an edit for every checklist message that does not show what the
    database holds (the bot was killed before its edit went out). Returns how many."""
    outbox = Outbox.of(store)
    behind = 0
    for row in store.checklists.checklist_messages():
        shown = digest(checklist_view(draw(row.checklist_id, row.page)))
        if row.shown != shown:
            outbox.add_edit(
                row.chat_id,
                row.message_id,
                {
                    "kind": "checklist",
                    "message_id": row.message_id,
                    "checklist": row.checklist_id,
                    "page": row.page,
                },
            )
            behind += 1
    return behind


async def _wait(event: asyncio.Event, timeout: float | None) -> None:
    """Wait for `event` at most `timeout` seconds. (asyncio.wait_for on Python 3.11 may swallow
    a cancellation that arrives as the event is set: the sender could then not be stopped.)"""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)

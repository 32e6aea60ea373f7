"""Send an `Outcome` to Telegram: render, retry what can be retried, remember prompts."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

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
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.replies import Outcome, Reply
from bot.storage import Store
from handlers.render import render

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
ATTEMPTS = 4
FIRST_DELAY = 0.5


async def with_retry(call: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """Retry a Bot API call on flood control (429), timeouts and network or server errors.

    Bad requests are not retried: they would fail again the same way.
    """
    delay = FIRST_DELAY
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            log.warning("Bot API call failed (%s), attempt %d of %d", exc, attempt, attempts)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def send_outcome(
    bot: Bot,
    store: Store,
    chat_id: int,
    outcome: Outcome,
    reply_to: int | None = None,
    prompt_user: tuple[int, str] | None = None,
) -> list[Message]:
    """Send every reply of an outcome; prompts become ForceReply messages whose reply the
    store will recognise (selective in groups, so only `prompt_user` is asked)."""
    sent: list[Message] = []
    for reply in outcome.replies:
        sent.extend(await send_reply(bot, store, chat_id, reply, reply_to, prompt_user))
    return sent


async def send_reply(
    bot: Bot,
    store: Store,
    chat_id: int,
    reply: Reply,
    reply_to: int | None = None,
    prompt_user: tuple[int, str] | None = None,
) -> list[Message]:
    parameters = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    sent: list[Message] = []
    if reply.attachment is not None:
        attachment = reply.attachment
        message = await with_retry(
            lambda: bot.send_document(
                chat_id,
                InputFile(attachment.content, filename=attachment.filename),
                caption=attachment.caption or None,
            )
        )
        sent.append(message)
    messages = render(reply)
    for i, rendered in enumerate(messages):
        markup: InlineKeyboardMarkup | ForceReply | None = rendered.keyboard
        text = rendered.html
        if reply.prompt is not None and i == len(messages) - 1:
            markup = ForceReply(selective=prompt_user is not None)
            if prompt_user is not None:
                user_id, name = prompt_user
                text = f'<a href="tg://user?id={user_id}">{html.escape(name)}</a>: {text}'
        sent.append(
            await with_retry(
                partial(
                    bot.send_message,
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=parameters if i == 0 else None,
                    link_preview_options=NO_PREVIEW,
                )
            )
        )
    if reply.checklist is not None and sent:
        store.add_checklist_message(chat_id, sent[-1].message_id, reply.checklist, 0)
    if reply.prompt is not None and sent:
        store.add_pending(
            chat_id,
            sent[-1].message_id,
            prompt_user[0] if prompt_user else 0,
            reply.prompt.kind,
            reply.prompt.ref,
        )
    return sent

"""Send an `Outcome` to Telegram: render it and hand every message to the outbox, which sends
it (and retries it) in order per chat; prompts and checklist messages are recorded once sent.

Handlers never wait for Telegram here, so a slow or unreachable Bot API never holds up a
handler or the shutdown; the outbox (handlers/outbox.py) owns the one retry policy.
"""

from __future__ import annotations

import html
import time
from typing import Any

from telegram import Bot, CallbackQuery, ForceReply, InlineKeyboardMarkup

from bot.outbox import Outbox
from bot.replies import Outcome, Reply
from handlers.outbox import digest, markup_json
from handlers.render import render

QUERY_LIFETIME = 15.0  # Telegram refuses to answer a button press older than this


async def send_outcome(
    bot: Bot,
    outbox: Outbox,
    chat_id: int,
    outcome: Outcome,
    reply_to: int | None = None,
    prompt_user: tuple[int, str] | None = None,
) -> None:
    """Queue every reply of an outcome; prompts become ForceReply messages whose reply the
    assistant will recognise (selective in groups, so only `prompt_user` is asked). `bot` is
    not called: the outbox sender sends."""
    for reply in outcome.replies:
        await send_reply(bot, outbox, chat_id, reply, reply_to, prompt_user)


async def send_reply(
    bot: Bot,
    outbox: Outbox,
    chat_id: int,
    reply: Reply,
    reply_to: int | None = None,
    prompt_user: tuple[int, str] | None = None,
) -> None:
    if reply.attachment is not None:
        attachment = reply.attachment
        outbox.add(
            chat_id,
            {
                "kind": "photo" if attachment.photo else "document",
                "filename": attachment.filename,
                "caption": attachment.caption,
            },
            attachment.content,
        )
    messages = render(reply)
    for i, rendered in enumerate(messages):
        markup: InlineKeyboardMarkup | ForceReply | None = rendered.keyboard
        text = rendered.html
        last = i == len(messages) - 1
        payload: dict[str, Any] = {"kind": "message", "reply_to": reply_to if i == 0 else None}
        if reply.prompt is not None and last:
            markup = ForceReply(selective=prompt_user is not None)
            if prompt_user is not None:
                user_id, name = prompt_user
                text = f'<a href="tg://user?id={user_id}">{html.escape(name)}</a>: {text}'
            payload["prompt"] = [
                prompt_user[0] if prompt_user else 0,
                reply.prompt.kind,
                reply.prompt.ref,
            ]
        if reply.checklist is not None and last:
            payload["checklist"] = reply.checklist
            payload["shown"] = digest(rendered)
        payload.update(text=text, markup=markup_json(markup))
        outbox.add(chat_id, payload)


async def edit_reply(outbox: Outbox, chat_id: int, message_id: int, reply: Reply) -> None:
    """Replace a message of ours (its text and buttons) by `reply`, through the outbox."""
    rendered = render(reply)[-1]
    outbox.add(
        chat_id,
        {
            "kind": "edit",
            "message_id": message_id,
            "text": rendered.html,
            "markup": markup_json(rendered.keyboard),
        },
    )


def send_text(outbox: Outbox, chat_id: int, text: str) -> None:
    """A plain text message (no HTML), e.g. an apology."""
    outbox.add(chat_id, {"kind": "message", "text": text, "html": False})


def answer_query(
    outbox: Outbox, query: CallbackQuery, text: str | None = None, alert: bool = False
) -> None:
    """Answer a button press through the outbox, in a lane of its own: retried like every
    call, but only for QUERY_LIFETIME seconds (Telegram refuses older answers), and never in
    the way of the press's effect (a redraw is queued separately)."""
    outbox.add_to(
        f"q{query.id}",
        query.message.chat.id if query.message is not None else 0,
        {
            "kind": "answer",
            "query_id": query.id,
            "text": text,
            "alert": alert,
            "expires": time.time() + QUERY_LIFETIME,
        },
    )

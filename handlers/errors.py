"""The central error handler: log with context (never the token), tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.store import is_write_failure
from handlers.chat import assistant_of
from handlers.send import send_text

log = logging.getLogger(__name__)

SORRY = "Er ging iets mis bij het verwerken van uw bericht. Probeert u het nog eens?"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with the update id and chat type; apologise in a private chat. When the
    database cannot write (disk full, read-only), every press and message gets an answer."""
    error = context.error
    if isinstance(update, Update) and is_write_failure(error):
        log.error("update %s: the database cannot write: %s", update.update_id, error)
        await _storage_failed(update, context)
    elif isinstance(update, Update):
        chat = update.effective_chat
        log.error(
            "error handling update %s (chat type %s): %r",
            update.update_id,
            chat.type if chat else "-",
            error,
            exc_info=error if not isinstance(error, NetworkError | Forbidden) else None,
        )
        if chat is not None and chat.type == ChatType.PRIVATE and not isinstance(error, Forbidden):
            try:
                send_text(assistant_of(context).outbox, chat.id, SORRY)
            except Exception as exc:
                log.warning("could not queue the apology: %r", exc)
    else:
        log.error("error outside an update: %r", error, exc_info=error)


async def _storage_failed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button gets its callback query answered; a message gets a reply, in a group too.
    Sent directly: anything that would store it first fails the same way."""
    query, chat, message = update.callback_query, update.effective_chat, update.effective_message
    try:
        if query is not None:
            await query.answer(texts.STORAGE_FAILED, show_alert=True)
        elif chat is not None and message is not None:
            in_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
            await message.reply_text(texts.STORAGE_FAILED, do_quote=in_group)
    except TelegramError as exc:
        log.warning("could not say that saving fails: %r", exc)

"""The central error handler: log with context (never the token), tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError
from telegram.ext import ContextTypes

from handlers.chat import assistant_of
from handlers.send import send_text

log = logging.getLogger(__name__)

SORRY = "Er ging iets mis bij het verwerken van uw bericht. Probeert u het nog eens?"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with the update id and chat type; apologise in a private chat."""
    error = context.error
    if isinstance(update, Update):
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
                send_text(assistant_of(context).store, chat.id, SORRY)
            except Exception as exc:
                log.warning("could not queue the apology: %r", exc)
    else:
        log.error("error outside an update: %r", error, exc_info=error)

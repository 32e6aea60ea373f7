"""Telegram side of keeping the knowledge up to date: admins send a file (a draft), review it,
try it, publish it, list versions and roll back. The work is done by bot/admin/publishing.py; a
publish or rollback holds the reload lock, so it never runs beside a reload."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from telegram import Document, Message, Update
from telegram.constants import ChatType, FileSizeLimit
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.actions import KNOWLEDGE_ACTIONS, LINK_ACTIONS, LinkPublish, decode
from bot.admin import publishing_replies as say
from bot.admin.publishing import Publisher, PublishError
from bot.assistant import Assistant
from bot.replies import Outcome
from handlers.chat import ASSISTANT, RELOADER, assistant_of, chat_of, on_text, reply
from handlers.reload import Reloader
from handlers.send import answer_query

log = logging.getLogger(__name__)

def publisher_of(context: ContextTypes.DEFAULT_TYPE) -> Publisher:
    return assistant_of(context).publisher


def _who(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "onbekend"
    return f"{user.full_name[:40]} ({user.id})"


# -- upload -----------------------------------------------------------------------------------


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent to the bot: from an admin in a private chat it becomes a draft, checked and
    summarised; anybody else gets a friendly refusal."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.document is None:
        return
    the_chat = chat_of(update, context)
    assistant_of(context).log_admin(
        the_chat.user_id, "upload", the_chat.is_admin and chat.type == ChatType.PRIVATE
    )
    if not the_chat.is_admin:
        await reply(update, context, Outcome.say(say.UPLOAD_NOT_ADMIN))
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, context, Outcome.say(say.UPLOAD_NOT_PRIVATE))
        return
    await reply(update, context, await _take_upload(message.document, update, context))


MAX_NAME_BYTES = 200  # a file name on disk may have 255


def upload_name(file_name: str | None) -> str:
    """The name of an uploaded file as the bot shows and stores it: no folders, no control
    characters (a NUL cannot even be in a file name), no leading dots, not too long."""
    printable = "".join(c for c in (file_name or "") if c.isprintable())
    name = Path(printable.replace("\\", "/")).name.lstrip(". ")
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name.removesuffix(suffix) if suffix else name
    while stem and len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem + suffix) if stem else "bestand"


async def _take_upload(
    document: Document, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Outcome:
    name = upload_name(document.file_name)
    size = document.file_size or 0
    if size > FileSizeLimit.FILESIZE_DOWNLOAD:  # Telegram will not hand it out: do not ask
        return Outcome.say(say.UPLOAD_TOO_BIG.format(name=name, size=f"{size / 1e6:.0f} MB"))
    publisher = publisher_of(context)
    try:
        with tempfile.TemporaryDirectory(prefix="draaibot-upload-") as tmp:
            path = Path(tmp) / name
            try:
                telegram_file = await context.bot.get_file(document.file_id)
                await telegram_file.download_to_drive(path)
            except (TelegramError, OSError, ValueError) as exc:
                log.warning("upload could not be downloaded: %r", exc)
                return Outcome.say(say.UPLOAD_FAILED.format(name=name))
            draft = await asyncio.to_thread(publisher.add_upload, path, name, _who(update))
        review = await asyncio.to_thread(publisher.review, draft)
    except PublishError as exc:
        return say.error_outcome(exc)
    return say.review_outcome(review)


# -- commands ---------------------------------------------------------------------------------


# -- buttons ----------------------------------------------------------------------------------


def _is_knowledge_button(data: object) -> bool:
    return isinstance(data, str) and isinstance(decode(data), KNOWLEDGE_ACTIONS + LINK_ACTIONS)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Publiceren, Bekijk concept, Verwerpen, Probeer, Stop proberen, and the rollback
    confirmation; admins only, in a private chat. One at a time with every reload."""
    query = update.callback_query
    if query is None:
        return
    action = decode(query.data or "")
    assistant = assistant_of(context)
    chat = chat_of(update, context)
    if isinstance(action, LINK_ACTIONS):  # 'Koppel aan sectie' (bot/admin/linking.py)
        linked = assistant.link_refusal(chat, action)
        if linked is None and isinstance(action, LinkPublish):
            # the files are written in a worker thread; the database stays on this thread
            reloading: Reloader = context.application.bot_data[RELOADER]
            async with reloading.lock:
                plan = assistant.linking.plan()
                if isinstance(plan, Outcome):
                    linked = plan
                else:
                    done = await asyncio.to_thread(assistant.linking.write, plan, _who(update))
                    linked = assistant.linking.finish(plan, done)
        elif linked is None:
            linked = assistant.linking.press(chat.id, action, _who(update))
        answer_query(assistant.outbox, query, linked.notice or None, linked.alert)
        if linked.replies:
            await reply(update, context, linked)
        return
    if not isinstance(action, KNOWLEDGE_ACTIONS):
        return
    allowed = chat.is_admin and chat.type == ChatType.PRIVATE
    assistant.log_admin(chat.user_id, f"knop {type(action).__name__}", allowed)
    if not allowed:
        answer_query(assistant.outbox, query, say.NOT_ADMIN_BUTTON, alert=True)
        return
    reloader: Reloader = context.application.bot_data[RELOADER]
    async with reloader.lock:
        outcome = await asyncio.to_thread(
            say.press, publisher_of(context), action, _who(update), chat.user_id
        )
    answer_query(assistant.outbox, query, outcome.notice or None, outcome.alert)
    if outcome.replies:
        await reply(update, context, outcome)


# -- trying a draft ---------------------------------------------------------------------------


class _Trying(filters.MessageFilter):
    """A message of an admin who is trying a draft."""

    def __init__(self, publisher: Publisher) -> None:
        super().__init__(name="trying_a_draft")
        self.publisher = publisher

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and user.id in self.publisher.trying


async def on_trying_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question of an admin trying a draft: answered from the draft, marked as such."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    outcome = await asyncio.to_thread(say.try_answer, publisher_of(context), user.id, message.text)
    if outcome is None:  # the draft is gone: a question like any other
        await on_text(update, context)
        return
    await reply(update, context, outcome)


async def on_trying_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop while trying a draft: back to the published knowledge."""
    user = update.effective_user
    await reply(update, context, say.stop_trying(publisher_of(context), user.id if user else 0))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Before the general handlers: files, a trying admin's messages, knowledge buttons."""
    assistant: Assistant = application.bot_data[ASSISTANT]
    publisher = assistant.publisher
    message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    trying = _Trying(publisher)
    application.add_handler(MessageHandler(message & filters.Document.ALL, on_document))
    application.add_handler(
        CommandHandler("stop", on_trying_stop, filters=message & private & trying)
    )
    application.add_handler(
        MessageHandler(message & private & trying & filters.TEXT & ~filters.COMMAND, on_trying_text)
    )
    application.add_handler(CallbackQueryHandler(on_button, pattern=_is_knowledge_button))

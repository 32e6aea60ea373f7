"""Telegram side of keeping the knowledge up to date: admins send a file (a draft), review it,
try it, publish it, list versions and roll back. The work is done by bot/publishing.py; a
publish or rollback holds the reload lock, so it never runs beside a reload."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from telegram import Message, Update
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

from bot import publishing_replies as say
from bot.actions import (
    DraftOp,
    DraftPublish,
    KnowledgeAction,
    RestoreCancel,
    RestoreConfirm,
    decode,
)
from bot.publishing import DRAFT_GONE, Publisher, PublishError, StaleDraft
from bot.render_text import answer_text
from bot.replies import Button, Outcome, Reply
from handlers.chat import RELOADER, assistant_of, chat_of, reply
from handlers.reload import Reloader
from handlers.send import answer_query

log = logging.getLogger(__name__)

PUBLISHER = "publisher"


def publisher_of(context: ContextTypes.DEFAULT_TYPE) -> Publisher:
    publisher: Publisher = context.application.bot_data[PUBLISHER]
    return publisher


def _who(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return "onbekend"
    return f"{user.full_name[:40]} ({user.id})"


def _refusal(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> Outcome | None:
    return assistant_of(context).admin_allowed(chat_of(update, context), command)


# -- upload -----------------------------------------------------------------------------------


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent to the bot: from an admin in a private chat it becomes a draft, checked and
    summarised; anybody else gets a friendly refusal."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.document is None:
        return
    the_chat = chat_of(update, context)
    assistant_of(context).store.log_admin(
        the_chat.user_id, "upload", the_chat.is_admin and chat.type == ChatType.PRIVATE
    )
    if not the_chat.is_admin:
        await reply(update, context, Outcome.say(say.UPLOAD_NOT_ADMIN))
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, context, Outcome.say(say.UPLOAD_NOT_PRIVATE))
        return
    await reply(update, context, await _take_upload(message, update, context))


async def _take_upload(
    message: Message, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Outcome:
    document = message.document
    assert document is not None  # checked by the caller
    name = Path(document.file_name or "bestand").name
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
            except (TelegramError, OSError) as exc:
                log.warning("upload could not be downloaded: %r", exc)
                return Outcome.say(say.UPLOAD_FAILED.format(name=name))
            draft = await asyncio.to_thread(publisher.add_upload, path, name, _who(update))
        review = await asyncio.to_thread(publisher.review, draft)
    except PublishError as exc:
        return say.error_outcome(exc)
    return say.review_outcome(review)


# -- commands ---------------------------------------------------------------------------------


async def on_concepten(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/concepten (admins, private chat): every draft waiting, with its check and buttons."""
    refusal = _refusal(update, context, "concepten")
    if refusal is not None:
        await reply(update, context, refusal)
        return
    publisher = publisher_of(context)
    drafts = publisher.drafts()
    if not drafts:
        await reply(update, context, Outcome.say(say.NO_DRAFTS))
        return
    for draft in drafts[:10]:
        review = await asyncio.to_thread(publisher.review, draft)
        await reply(update, context, say.review_outcome(review))


async def on_versies(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/versies (admins, private chat): the last versions of the knowledge."""
    refusal = _refusal(update, context, "versies")
    await reply(update, context, refusal or say.versions_outcome(publisher_of(context).versions()))


async def on_terugzetten(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/terugzetten N (admins, private chat): what would change, and a confirmation button."""
    refusal = _refusal(update, context, "terugzetten")
    if refusal is not None:
        await reply(update, context, refusal)
        return
    args = context.args or []
    if len(args) != 1 or not args[0].isascii() or not args[0].isdigit():
        await reply(update, context, Outcome.say(say.RESTORE_USAGE))
        return
    await reply(update, context, _restore_question(publisher_of(context), int(args[0])))


def _restore_question(publisher: Publisher, number: int) -> Outcome:
    try:
        changes = publisher.restore_changes(number)
    except PublishError as exc:
        return say.error_outcome(exc)
    if not changes:
        return Outcome.say(f"De kennis is nu al wat ze was direct na versie {number}.")
    version = next(v for v in publisher.versions() if v.number == number)
    return say.restore_confirm_outcome(version, changes)


# -- buttons ----------------------------------------------------------------------------------


def _is_knowledge_button(data: object) -> bool:
    return isinstance(data, str) and isinstance(
        decode(data), DraftPublish | DraftOp | RestoreConfirm | RestoreCancel
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Publiceren, Bekijk concept, Verwerpen, Probeer, Stop proberen, and the rollback
    confirmation; admins only, in a private chat."""
    query = update.callback_query
    if query is None:
        return
    action = decode(query.data or "")
    store = assistant_of(context).store
    chat = chat_of(update, context)
    if not isinstance(action, DraftPublish | DraftOp | RestoreConfirm | RestoreCancel):
        return
    allowed = chat.is_admin and chat.type == ChatType.PRIVATE
    store.log_admin(chat.user_id, f"knop {type(action).__name__}", allowed)
    if not allowed:
        answer_query(store, query, say.NOT_ADMIN_BUTTON, alert=True)
        return
    outcome = await _press(update, context, action)
    answer_query(store, query, outcome.notice or None, outcome.alert)
    if outcome.replies:
        await reply(update, context, outcome)


async def _press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: KnowledgeAction
) -> Outcome:
    publisher = publisher_of(context)
    reloader: Reloader = context.application.bot_data[RELOADER]
    user = chat_of(update, context).user_id
    match action:
        case RestoreCancel():
            return Outcome.say(say.RESTORE_CANCELLED)
        case RestoreConfirm(number):
            async with reloader.lock:
                try:
                    done = await asyncio.to_thread(publisher.restore, number, _who(update))
                except PublishError as exc:
                    return say.error_outcome(exc)
            return say.published_outcome(done)
        case DraftPublish(name, base):
            async with reloader.lock:
                try:
                    done = await asyncio.to_thread(publisher.publish, name, _who(update), base)
                except StaleDraft as exc:
                    return say.review_outcome(exc.review, stale=True)
                except PublishError as exc:
                    if str(exc) == DRAFT_GONE:
                        return Outcome(notice=DRAFT_GONE, alert=True)
                    return say.error_outcome(exc)
            return say.published_outcome(done)
        case DraftOp(name, op):
            draft = publisher.get(name)
            if op == "stop":
                publisher.trying.pop(user, None)
                return Outcome.say(say.TRY_STOPPED)
            if draft is None:
                return Outcome(notice=DRAFT_GONE, alert=True)
            if op == "view":
                return say.draft_file(name, draft.target, publisher.text(draft))
            if op == "discard":
                publisher.discard(name)
                return Outcome.say(f"Concept {name} is verworpen; de kennis is niet veranderd.")
            try:
                await asyncio.to_thread(publisher.trial, name)
            except PublishError as exc:
                return say.error_outcome(exc)
            publisher.trying[user] = name
            return Outcome.say(
                f"U probeert nu concept {name}: uw volgende vragen beantwoord ik uit het concept, "
                "gemarkeerd als CONCEPT. Stop met de knop 'Stop proberen' of /stop.",
                buttons=((Button("Stop proberen", DraftOp(name, "stop")),),),
            )


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
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    publisher = publisher_of(context)
    name = publisher.trying.get(user.id)
    if name is None:
        return
    try:
        kb = await asyncio.to_thread(publisher.trial, name)
    except PublishError as exc:
        publisher.trying.pop(user.id, None)
        await reply(update, context, say.error_outcome(exc))
        return
    result = await asyncio.to_thread(kb.ask, message.text)
    text = say.TRY_MARK.format(name=name) + "\n\n" + answer_text(result)
    stop = ((Button("Stop proberen", DraftOp(name, "stop")),),)
    await reply(update, context, Outcome([Reply(text=text, buttons=stop)]))


async def on_trying_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop while trying a draft: back to the published knowledge."""
    user = update.effective_user
    if user is not None:
        publisher_of(context).trying.pop(user.id, None)
    await reply(update, context, Outcome.say(say.TRY_STOPPED))


COMMANDS = {"concepten": on_concepten, "versies": on_versies, "terugzetten": on_terugzetten}


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Before the general handlers: files, a trying admin's messages, knowledge buttons."""
    publisher: Publisher = application.bot_data[PUBLISHER]
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

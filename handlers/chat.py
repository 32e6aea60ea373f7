"""Telegram handlers: turn Updates into calls on the assistant and its outcomes into messages.

No domain logic here: deciding what to answer is the assistant's job (bot/assistant.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Container, Coroutine, Iterable
from dataclasses import replace
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes
from telegram.ext.filters import BaseFilter

from bot import texts
from bot.actions import Role, decode
from bot.admin.admins import ADMIN_COMMANDS
from bot.assistant import Assistant, Chat
from bot.replies import Outcome
from handlers.admins import follow_admin_change
from handlers.checklist_edits import EditCoalescer
from handlers.reload import Reloader
from handlers.send import answer_query, edit_reply, send_outcome

log = logging.getLogger(__name__)

ADMIN_CHECK_SECONDS = 3  # getChatMember: a short wait, then "probeer het zo opnieuw"
ASSISTANT = "assistant"
ADMINS = "admins"
EDITS = "checklist_edits"
RELOADER = "reloader"


def assistant_of(context: ContextTypes.DEFAULT_TYPE) -> Assistant:
    assistant: Assistant = context.application.bot_data[ASSISTANT]
    return assistant


def chat_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Chat:
    chat = update.effective_chat
    user = update.effective_user
    user_id = user.id if user else 0
    admins: Container[int] = context.application.bot_data.get(ADMINS, frozenset())
    return Chat(
        id=chat.id if chat else 0,
        type=chat.type if chat else "private",
        user_id=user_id,
        is_admin=user_id in admins,
        user_name=(user.full_name if user else "")[:60],
    )


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return
    in_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    await send_outcome(
        context.bot,
        assistant_of(context).outbox,
        chat.id,
        outcome,
        reply_to=message.message_id if message is not None and in_group else None,
        prompt_user=_prompt_user(update) if in_group else None,
    )


def _prompt_user(update: Update) -> tuple[int, str] | None:
    user = update.effective_user
    return (user.id, user.first_name or "u") if user else None


async def skip_repeated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before all handlers: an update handled before (repeated after a restart) is dropped."""
    if not assistant_of(context).first_time(update.update_id):
        log.info("update %s was handled before: skipped", update.update_id)
        raise ApplicationHandlerStop


# -- commands ---------------------------------------------------------------------------------


class TableCommandHandler(CommandHandler):  # type: ignore[type-arg]
    """PTB's CommandHandler over the command table as it is at each update: the built-in
    commands and every flow file (also one added by a live reload)."""

    def __init__(
        self,
        names: Callable[[], Iterable[str]],
        callback: Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]],
        filters: BaseFilter,
    ) -> None:
        self._names = names
        super().__init__((), callback, filters=filters)

    @property
    def commands(self) -> frozenset[str]:
        return frozenset(self._names())

    @commands.setter
    def commands(self, value: frozenset[str]) -> None:
        """PTB sets a fixed set in __init__: the table is read at each update instead."""


def command_names(application: Application) -> Callable[[], list[str]]:  # type: ignore[type-arg]
    def names() -> list[str]:
        assistant: Assistant = application.bot_data[ASSISTANT]
        return [c.name for c in assistant.commands()]

    return names


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command of the table: the same checks and core action as in the terminal. In a
    group, a command marked `group_admin` is only for the group's administrators."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    assistant = assistant_of(context)
    command = assistant.find_command(name)
    chat = chat_of(update, context)
    if command is None:  # gone with a reload between matching and now
        await reply(update, context, assistant.command(chat, name))
        return
    if command.group_admin:
        allowed = await _may_wipe(update, context)
        if not allowed:
            refusal = texts.FORGET_GROUP_ADMINS if allowed is False else texts.ADMIN_CHECK_FAILED
            await reply(update, context, Outcome.say(refusal))
            return
    args = " ".join(context.args or [])
    edge = EDGE.get(command.name)
    if edge is None:
        before = set(assistant.admins) if command.name in ADMIN_COMMANDS else None
        await reply(update, context, assistant.command(chat, name, args))
        if before is not None:  # the menus of who became or stopped being an admin
            await follow_admin_change(context.bot, assistant, before)
        return
    refused = assistant.refusal(chat, command)
    await reply(update, context, refused or await edge(context))


async def _reload(context: ContextTypes.DEFAULT_TYPE) -> Outcome:
    """/herlaad in Telegram: built in a worker thread beside the old knowledge, one reload at
    a time with the file watcher, and the command menus refreshed after."""
    reloader: Reloader = context.application.bot_data[RELOADER]
    return await reloader.reload("op verzoek")


# Where Telegram runs a command differently from the core action (after the same checks):
# what must not block the event loop.
EDGE: dict[str, Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[Outcome]]] = {
    "herlaad": _reload,
}


async def _may_wipe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool | None:
    """Is the sender an administrator of the group (always true in a private chat)? None when
    Telegram cannot tell us now: asked with a short timeout, so that a hanging Bot API neither
    leaves the user without an answer nor holds up a shutdown."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type == ChatType.PRIVATE:
        return True
    try:
        member = await context.bot.get_chat_member(
            chat.id,
            user.id,
            read_timeout=ADMIN_CHECK_SECONDS,
            connect_timeout=ADMIN_CHECK_SECONDS,
            pool_timeout=ADMIN_CHECK_SECONDS,
        )
    except TelegramError as exc:
        log.warning("could not check the group administrators: %r", exc)
        return None
    return member.status in ("administrator", "creator")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: explained in a private chat, ignored in a group unless meant for us."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    command = message.text.split()[0]
    if chat.type != ChatType.PRIVATE and "@" not in command:
        return
    name = command.split("@")[0]
    await reply(update, context, Outcome.say(texts.UNKNOWN_COMMAND.format(name=name)))


# -- messages ---------------------------------------------------------------------------------


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: a question in a private chat; in a group only when it mentions the bot
    or replies to it (privacy mode). A reply to one of our prompts answers that prompt."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    me = context.bot
    assistant = assistant_of(context)
    the_chat = chat_of(update, context)
    replied = message.reply_to_message
    to_us = replied is not None and replied.from_user is not None and replied.from_user.id == me.id
    if to_us and replied is not None:
        outcome = assistant.reply_to_prompt(the_chat, replied.message_id, message.text)
        if outcome is not None:
            await reply(update, context, outcome)
            return
    text = message.text
    if chat.type != ChatType.PRIVATE:
        stripped = _without_mention(message, me.username or "")
        if stripped is None and not to_us:
            return  # group chatter: stay silent
        text = stripped if stripped is not None else text
    await reply(update, context, assistant.message(the_chat, text))


def _without_mention(message: Message, username: str) -> str | None:
    """The text without '@botname' if the message mentions the bot, else None."""
    text = message.text or ""
    wanted = f"@{username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        if value.lower() == wanted:
            return (text[: entity.offset] + text[entity.offset + entity.length :]).strip(" ,:")
    return None


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice...: explained in a private chat, ignored in a group."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, context, Outcome.say(texts.NOT_TEXT))


# -- buttons ----------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: the assistant decides; stale buttons get a clear toast."""
    query = update.callback_query
    if query is None:
        return
    action = decode(query.data or "")
    if action is None:  # stale (an old version's button) or forged
        answer_query(assistant_of(context).outbox, query, texts.UNKNOWN_BUTTON, alert=True)
        return
    chat = chat_of(update, context)
    if action.role is Role.GROUP_ADMIN and chat.is_group:
        allowed = await _may_wipe(update, context)
        if not allowed:
            refusal = texts.FORGET_GROUP_ADMINS if allowed is False else texts.ADMIN_CHECK_FAILED
            answer_query(assistant_of(context).outbox, query, refusal, alert=True)
            return
        chat = replace(chat, group_admin=True)
    outcome = assistant_of(context).press(chat, action)
    answer_query(assistant_of(context).outbox, query, outcome.notice or None, outcome.alert)
    if outcome.refresh is not None and query.message is not None:
        checklist_id, page = outcome.refresh
        edits: EditCoalescer = context.application.bot_data[EDITS]
        edits.schedule(query.message.chat.id, query.message.message_id, checklist_id, page)
    if outcome.edit and outcome.replies and query.message is not None:  # a tick: redrawn
        first, *rest = outcome.replies
        await edit_reply(
            assistant_of(context).outbox, query.message.chat.id, query.message.message_id, first
        )
        outcome = replace(outcome, replies=rest)
    if outcome.replies:
        await reply(update, context, outcome)

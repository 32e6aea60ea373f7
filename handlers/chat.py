"""Telegram handlers: turn Updates into calls on the assistant and its outcomes into messages.

No domain logic here: deciding what to answer is the assistant's job (bot/assistant.py).
"""

from __future__ import annotations

import logging
from collections.abc import Container
from dataclasses import replace

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot.actions import Role, decode
from bot.assistant import Assistant, Chat
from bot.replies import Outcome
from handlers.checklist_edits import EditCoalescer
from handlers.reload import Reloader
from handlers.send import answer_query, send_outcome

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
        assistant_of(context).store,
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
    if not assistant_of(context).store.first_time(update.update_id):
        log.info("update %s was handled before: skipped", update.update_id)
        raise ApplicationHandlerStop


# -- commands ---------------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome with buttons for the main actions."""
    await reply(update, context, assistant_of(context).start())


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: the commands, one line each."""
    await reply(update, context, Outcome.say(texts.help_text(chat_of(update, context).is_admin)))


async def on_vraag(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/vraag <vraag>: a question, the way to ask in a group."""
    question = " ".join(context.args or [])
    chat = chat_of(update, context)
    if not question.strip():
        hint = texts.ASK_IN_GROUP if chat.is_group else texts.ASK_IN_PRIVATE
        await reply(update, context, Outcome.say(hint))
        return
    await reply(update, context, assistant_of(context).ask(chat, question))


async def on_bronnen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bronnen: the documents and their versions."""
    await reply(update, context, assistant_of(context).sources())


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: what is stored and for how long."""
    await reply(update, context, assistant_of(context).privacy())


async def on_vergeet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/vergeet: delete everything of this chat, after a confirmation button. In a group only
    its administrators may: it wipes the group's checklists too."""
    allowed = await _may_wipe(update, context)
    if not allowed:
        refusal = texts.FORGET_GROUP_ADMINS if allowed is False else texts.ADMIN_CHECK_FAILED
        await reply(update, context, Outcome.say(refusal))
        return
    await reply(update, context, assistant_of(context).forget_confirm())


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


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status (admins, private chat): knowledge and usage figures."""
    assistant = assistant_of(context)
    refusal = assistant.admin_allowed(chat_of(update, context), "status")
    await reply(update, context, refusal or assistant.status())


async def on_rapport(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rapport (admins, private chat): unanswered questions and 👎, as text and CSV."""
    assistant = assistant_of(context)
    refusal = assistant.admin_allowed(chat_of(update, context), "rapport")
    await reply(update, context, refusal or assistant.report())


async def on_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pandcheck, /deadline, /woonvorm, /termijnen: start (or resume) a guided flow."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    await reply(update, context, assistant_of(context).start_flow(chat_of(update, context), name))


async def on_vorige(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/vorige: back to the previous question of the running flow."""
    await reply(update, context, assistant_of(context).back(chat_of(update, context)))


async def on_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: stop the running flow."""
    await reply(update, context, assistant_of(context).stop(chat_of(update, context)))


async def on_checklist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checklist: choose a template to start, or an open checklist to continue."""
    await reply(update, context, assistant_of(context).checklist(chat_of(update, context)))


async def on_checklists(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checklists: the chat's checklists with their progress."""
    await reply(update, context, assistant_of(context).checklist_overview(chat_of(update, context)))


async def on_herinneringen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/herinneringen: list the chat's reminders, with buttons to delete them."""
    await reply(update, context, assistant_of(context).reminders(chat_of(update, context)))


async def on_herlaad(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/herlaad (admins, private chat): reload the knowledge now and show what changed."""
    assistant = assistant_of(context)
    refusal = assistant.admin_allowed(chat_of(update, context), "herlaad")
    if refusal is not None:
        await reply(update, context, refusal)
        return
    reloader: Reloader = context.application.bot_data[RELOADER]
    await reply(update, context, await reloader.reload("op verzoek"))


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
    await reply(
        update, context, Outcome.say(f"Het commando {name} ken ik niet. Typ /help voor wat ik kan.")
    )


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
        answer_query(assistant_of(context).store, query, texts.UNKNOWN_BUTTON, alert=True)
        return
    chat = chat_of(update, context)
    if action.role is Role.GROUP_ADMIN and chat.is_group:
        allowed = await _may_wipe(update, context)
        if not allowed:
            refusal = texts.FORGET_GROUP_ADMINS if allowed is False else texts.ADMIN_CHECK_FAILED
            answer_query(assistant_of(context).store, query, refusal, alert=True)
            return
        chat = replace(chat, group_admin=True)
    outcome = assistant_of(context).press(chat, action)
    answer_query(assistant_of(context).store, query, outcome.notice or None, outcome.alert)
    if outcome.refresh is not None and query.message is not None:
        checklist_id, page = outcome.refresh
        edits: EditCoalescer = context.application.bot_data[EDITS]
        edits.schedule(query.message.chat.id, query.message.message_id, checklist_id, page)
    if outcome.replies:
        await reply(update, context, outcome)


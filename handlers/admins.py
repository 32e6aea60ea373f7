"""Telegram handlers for managing admins: /beheerders, /beheerder_toevoegen <id>,
/beheerder_verwijderen <id> (admins, private chat). The list lives in the database
(bot/admins.py); a new admin gets the admin command menu at once, a removed one loses it."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import admins as admin_list
from bot.commands import for_scope
from bot.replies import Outcome
from handlers.chat import ADMINS, assistant_of, chat_of, reply

log = logging.getLogger(__name__)

MENU_SECONDS = 5  # setMyCommands for one admin: a short wait, the change itself is saved


async def on_admins(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/beheerders, /beheerder_toevoegen <id>, /beheerder_verwijderen <id>."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    argument = " ".join(context.args or [])
    chat = chat_of(update, context)
    assistant = assistant_of(context)
    refusal = assistant.admin_allowed(chat, name)  # a change is logged with its target
    if refusal is not None:
        if not chat.is_admin and chat.type == ChatType.PRIVATE:
            refusal = Outcome.say(admin_list.YOUR_ID.format(id=chat.user_id))
        await reply(update, context, refusal)
        return
    admins: admin_list.Admins = context.application.bot_data[ADMINS]
    outcome, change = admin_list.command(admins, chat.user_id, name, argument)
    await reply(update, context, outcome)
    if change.changed:
        target = admin_list.parse_id(argument)
        if target is not None:
            await _menu(context, target, admin=name == "beheerder_toevoegen")


async def _menu(context: ContextTypes.DEFAULT_TYPE, user_id: int, admin: bool) -> None:
    """The command menu of one user's private chat: with the admin commands, or back to the
    default. Telegram refuses it for someone who never started a chat with the bot: then the
    menu follows at the next start; the admin rights count already."""
    scope = BotCommandScopeChat(user_id)
    try:
        if admin:
            commands = [BotCommand(c.name, c.description) for c in for_scope("admin")]
            await context.bot.set_my_commands(
                commands, scope=scope, read_timeout=MENU_SECONDS, connect_timeout=MENU_SECONDS
            )
        else:
            await context.bot.delete_my_commands(
                scope=scope, read_timeout=MENU_SECONDS, connect_timeout=MENU_SECONDS
            )
    except TelegramError as exc:
        log.warning("could not set the command menu of %s: %r", user_id, exc)

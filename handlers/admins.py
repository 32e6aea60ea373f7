"""Telegram's side of managing admins (/beheerders, /beheerder_toevoegen <id>,
/beheerder_verwijderen <id>, rows of the command table; the list lives in the database,
bot/admin/admins.py): a new admin gets the admin command menu at once, a removed one loses it."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.assistant import Assistant
from bot.commands import for_scope

log = logging.getLogger(__name__)

MENU_SECONDS = 5  # setMyCommands for one admin: a short wait, the change itself is saved


async def follow_admin_change(bot: Bot, assistant: Assistant, before: set[int]) -> None:
    """The command menus of who became or stopped being an admin since `before`. Telegram
    refuses a menu for someone who never started a chat with the bot: then it follows at the
    next start; the admin rights count already."""
    after = set(assistant.admins)
    table = for_scope(assistant.commands(), "admin")
    admin_menu = [BotCommand(c.name, c.description) for c in table]
    for user_id in sorted(after ^ before):
        scope = BotCommandScopeChat(user_id)
        try:
            if user_id in after:
                await bot.set_my_commands(
                    admin_menu, scope=scope, read_timeout=MENU_SECONDS, connect_timeout=MENU_SECONDS
                )
            else:
                await bot.delete_my_commands(
                    scope=scope, read_timeout=MENU_SECONDS, connect_timeout=MENU_SECONDS
                )
        except TelegramError as exc:
            log.warning("could not set the command menu of %s: %r", user_id, exc)

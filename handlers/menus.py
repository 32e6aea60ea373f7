"""Telegram's command menus, from the command table: one per scope (private chats, groups,
and each admin's private chat). Set at start-up and again after every reload, so a new flow
file shows up in the menu as its command."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)

from bot.assistant import Assistant
from bot.commands import for_scope

log = logging.getLogger(__name__)


async def set_menus(bot: Bot, assistant: Assistant, admins: Iterable[int]) -> None:
    table = assistant.commands()

    def menu(scope: str) -> list[BotCommand]:
        return [BotCommand(c.name, c.description) for c in for_scope(table, scope)]

    menus: list[tuple[list[BotCommand], BotCommandScope]] = [
        (menu("private"), BotCommandScopeAllPrivateChats()),
        (menu("group"), BotCommandScopeAllGroupChats()),
        *((menu("admin"), BotCommandScopeChat(a)) for a in sorted(admins)),
    ]
    for commands, scope in menus:
        try:  # the menus are set again at the next start: never a reason not to start
            await bot.set_my_commands(commands, scope=scope)
        except Exception as exc:
            log.warning("could not set the command menu (%s): %r", scope.type, exc)

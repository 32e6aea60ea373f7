"""The terminal chat while it runs: reminders that fall due are shown, and an edited knowledge
folder is reloaded, as in the Telegram bot (the same watcher)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import shutil
from pathlib import Path

from bot.assistant import Assistant
from bot.faces.terminal import TERMINAL_CHAT, run_chat
from bot.knowledge import KnowledgeBase
from bot.reloading import KnowledgeReloader
from bot.store import Store
from tests.conftest import KNOWLEDGE


class Screen(io.StringIO):
    """The terminal's output; `shown` is set once `wanted` appears on it."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.shown = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.wanted in self.getvalue():
            self.shown.set()
        return written


async def test_the_terminal_shows_due_reminders_and_reloads_edited_knowledge(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    store = Store(tmp_path / "t.db")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    store.flows.add_reminder(TERMINAL_CHAT.id, "Einde termijn dossier 12", yesterday, yesterday)
    store.flows.add_reminder(99, "Van een andere chat", yesterday, yesterday)
    assistant = Assistant(KnowledgeBase(folder), store)
    reloader = KnowledgeReloader(assistant)
    read, write = os.pipe()
    with os.fdopen(read, "r") as stdin, os.fdopen(write, "w") as typed:
        screen = Screen("De kennis is opnieuw geladen")
        chat = asyncio.create_task(run_chat(assistant, stdin, screen, reloader))
        await reloader.watching.wait()
        shown = screen.getvalue()
        assert "🔔 Herinnering" in shown and "Einde termijn dossier 12" in shown
        assert "Van een andere chat" not in shown  # the bot sends that one
        flow = folder / "flows" / "woonvorm.yaml"
        flow.write_text(
            flow.read_text("utf-8").replace("title: Welke woonvorm past?", "title: Welke past?"),
            "utf-8",
        )
        await asyncio.wait_for(screen.shown.wait(), timeout=30)
        typed.write("/woonvorm\n/exit\n")
        typed.flush()
        assert await asyncio.wait_for(chat, timeout=30) == 0
    assert "Welke past? · vraag 1" in screen.getvalue()  # the edited flow runs
    assert store.flows.reminders(99)  # not marked as sent by the terminal

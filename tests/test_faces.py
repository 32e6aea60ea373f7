"""The two faces (Telegram, terminal) call the Assistant only: never its store, and what they
record after sending (a prompt waiting for a reply, a checklist message) goes through one core
hook, `Assistant.delivered`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.assistant import Assistant
from bot.faces.terminal import TerminalChat
from bot.knowledge import KnowledgeBase
from bot.replies import Prompt, PromptKind
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, ROOT, plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import running_bot

USER, GROUP = 51, -500
FACES = [*sorted((ROOT / "handlers").glob("*.py")), *sorted((ROOT / "bot" / "faces").glob("*.py"))]


@pytest.mark.parametrize("face", FACES, ids=lambda p: p.name)
def test_the_faces_never_reach_into_the_assistants_store(face: Path) -> None:
    source = face.read_text("utf-8")
    assert re.findall(r"assistant(?:_of\(context\))?\.store\b", source) == []


def spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    real = Assistant.delivered

    def delivered(self: Assistant, *args: Any, **kwargs: Any) -> None:
        calls.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "delivered", delivered)
    return calls


async def test_telegram_records_prompts_and_checklists_through_delivered(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy(monkeypatch)
    async with running_bot(fake, tmp_path / "d.db", shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        fake.press(dict(answer.buttons())["👎"], fake.bot_message(answer), USER)
        prompt = (await fake.wait_sent(2, chat=USER))[1]
        await fake.wait_for(lambda f: any(c[1] == prompt.result["message_id"] for c in calls))
        fake.text("/checklist", user=USER, chat=GROUP)
        offer = (await fake.wait_sent(1, chat=GROUP))[0]
        fake.press(
            dict(offer.buttons())["Stappenplan opstarten KSO"], fake.bot_message(offer), USER
        )
        checklist = (await fake.wait_sent(2, chat=GROUP))[1]
        await fake.wait_for(lambda f: any(c[1] == checklist.result["message_id"] for c in calls))
        # the reply to the prompt is recognised: the hook recorded it
        fake.text("de maat van de koelkast", user=USER, reply_to=fake.bot_message(prompt))
        assert "Dank u wel" in plain((await fake.wait_sent(3, chat=USER))[2].text)
    (on_prompt,) = [c for c in calls if c[1] == prompt.result["message_id"]]
    assert on_prompt[:2] == (USER, prompt.result["message_id"])
    assert isinstance(on_prompt[2], Prompt) and on_prompt[2].kind is PromptKind.MISSING
    (on_checklist,) = [c for c in calls if c[1] == checklist.result["message_id"]]
    assert on_checklist[2] is None and isinstance(on_checklist[4], int)


def test_the_terminal_records_prompts_through_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy(monkeypatch)
    chat = TerminalChat(Assistant(KnowledgeBase(KNOWLEDGE), Store(tmp_path / "t.db")))
    shown = chat.respond("hoeveel m2 moet de keuken van een kwg zijn?") or ""
    number = re.search(r"#(\d+) 👎", shown)
    assert number is not None
    assert "Wat miste u?" in (chat.respond(f"#{number.group(1)}") or "")
    ((chat_id, message_id, prompt, *_),) = calls
    assert (chat_id, message_id) == (0, -1)
    assert isinstance(prompt, Prompt) and prompt.kind is PromptKind.MISSING
    assert "Dank u wel" in (chat.respond("de maat van de koelkast") or "")

"""The command table: a flow file is a command by itself (Telegram and the terminal, also after
a live reload), a row added to the table shows up everywhere, and `check` keeps flow ids
usable as commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import commands
from bot.assistant import Assistant, Chat
from bot.commands import Command
from bot.faces.terminal import TerminalChat
from bot.knowledge import KnowledgeBase, check_knowledge
from bot.replies import Outcome
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, ROOT, plain
from tests.fakebot import Call, FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot

USER = 31
GROUP = -100


def flow_yaml(flow_id: str, title: str, line: str) -> str:
    return (
        f"id: {flow_id}\ntitle: {title}\ndescription: {title} (test)\nsteps: []\n"
        f"result:\n  - text: {line}\n    source: draaiboek-kso#opgave-en-taakstelling\n"
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The shipped knowledge with one flow file more, written by the test."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    (target / "flows" / "huisdier.yaml").write_text(
        flow_yaml("huisdier", "Huisdieren", "Een huisdier overleggen met Nidos."), "utf-8"
    )
    return target


def menu(call: Call) -> list[str]:
    raw = call.params["commands"]
    listed = json.loads(raw) if isinstance(raw, str) else raw
    return [c["command"] for c in listed]


def menus(fake: FakeBotAPI) -> list[list[str]]:
    return [menu(c) for c in fake.sent("setMyCommands")]


async def test_a_new_flow_file_is_a_command_in_telegram_also_after_a_reload(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    kb = KnowledgeBase(folder)
    async with running_bot(fake, tmp_path / "c.db", shipped_index, knowledge=kb):
        assert all("huisdier" in m for m in menus(fake))  # private, group, the admin
        fake.text("/huisdier", user=USER)
        (result,) = await fake.wait_sent(1, chat=USER)
        assert "Een huisdier overleggen met Nidos." in plain(result.text)
        fake.text("/help", user=USER)
        assert "/huisdier - Huisdieren (test)" in plain(
            (await fake.wait_sent(2, chat=USER))[1].text
        )

        # a live reload adds another flow: a command at once, and the menus are set again
        (folder / "flows" / "tuin.yaml").write_text(
            flow_yaml("tuin", "Tuin", "Een tuin is eenvoudig te onderhouden."), "utf-8"
        )
        fake.text("/tuin", user=USER)
        assert "ken ik niet" in plain((await fake.wait_sent(3, chat=USER))[2].text)
        before = len(fake.sent("setMyCommands"))
        fake.text("/herlaad", user=ADMIN_ID)
        await fake.wait_sent(1, chat=ADMIN_ID, timeout=30)
        assert len(fake.sent("setMyCommands")) == before + 3
        assert all("tuin" in m for m in menus(fake)[before:])
        fake.text("/tuin", user=USER, chat=GROUP)
        (in_group,) = await fake.wait_sent(1, chat=GROUP)
        assert "Een tuin is eenvoudig te onderhouden." in plain(in_group.text)


def test_a_new_flow_file_is_a_command_in_the_terminal(folder: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env["DRAAIBOT_DB"] = str(tmp_path / "t.db")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(folder), "chat"],
        input="/help\n/huisdier\n/stop\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "/huisdier - Huisdieren (test)" in result.stdout
    assert "Een huisdier overleggen met Nidos." in result.stdout
    assert "ken ik niet" not in result.stdout


def _hello(assistant: Assistant, chat: Chat, args: str) -> Outcome:
    flows = len(assistant.knowledge.flows)
    return Outcome.say(f"Hallo {args or 'iedereen'}, de kennis heeft {flows} vragenrondes.")


ROW = Command("groet", "Zeg gedag (test)", _hello)


async def test_a_row_added_to_the_table_is_in_the_menu_help_and_the_terminal(
    fake: FakeBotAPI,
    tmp_path: Path,
    shipped_index: KnowledgeIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, ROW))
    monkeypatch.setattr(commands, "BUILT_IN", commands.BUILT_IN | {"groet"})
    async with running_bot(fake, tmp_path / "m.db", shipped_index):
        assert all("groet" in m for m in menus(fake))
        fake.text("/help", user=USER)
        assert "/groet - Zeg gedag (test)" in plain((await fake.wait_sent(1, chat=USER))[0].text)
        fake.text("/groet Anna", user=USER)
        assert "Hallo Anna, de kennis heeft 4 vragenrondes." in plain(
            (await fake.wait_sent(2, chat=USER))[1].text
        )
    chat = TerminalChat(Assistant(KnowledgeBase(KNOWLEDGE), Store(tmp_path / "t.db")))
    assert "/groet - Zeg gedag (test)" in (chat.respond("/help") or "")
    assert "Hallo iedereen" in (chat.respond("/groet") or "")


async def test_admin_only_and_private_only_rows_are_checked_from_the_table(
    fake: FakeBotAPI,
    tmp_path: Path,
    shipped_index: KnowledgeIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_row = Command("alleenprive", "Alleen privé (test)", _hello, group=False)
    admin_row = Command("beheer", "Beheer (test)", _hello, admin=True, group=False)
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, private_row, admin_row))
    async with running_bot(fake, tmp_path / "a.db", shipped_index):
        group_menu, admin_menu = menus(fake)[1], menus(fake)[2]
        assert "alleenprive" not in group_menu and "beheer" in admin_menu
        fake.text("/alleenprive", user=USER, chat=GROUP)
        assert "alleen in een privéchat" in plain((await fake.wait_sent(1, chat=GROUP))[0].text)
        fake.text("/beheer", user=USER)
        assert "alleen voor medewerkers van Nidos" in plain(
            (await fake.wait_sent(1, chat=USER))[0].text
        )
        fake.text("/beheer", user=ADMIN_ID)
        assert "Hallo" in plain((await fake.wait_sent(1, chat=ADMIN_ID))[0].text)


@pytest.mark.parametrize(
    ("flow_id", "message"),
    [
        ("Pand-Check", "mag alleen kleine letters, cijfers en _ bevatten"),
        ("help", "is al een vast commando (/help)"),
        ("a" * 33, "hoogstens 32 tekens"),
    ],
)
def test_check_rejects_flow_ids_that_cannot_be_commands(
    tmp_path: Path, flow_id: str, message: str
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "flows" / "nieuw.yaml").write_text(
        "# een nieuwe flow\n" + flow_yaml(flow_id, "Nieuw", "Iets."), "utf-8"
    )
    problems = [str(p) for p in check_knowledge(folder) if p.is_error]
    assert any(
        p.startswith(f"{folder / 'flows' / 'nieuw.yaml'}:2: fout:") and message in p
        for p in problems
    ), problems


def test_reminders_belong_to_every_flow_with_dates(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    deadline = folder / "flows" / "deadline.yaml"
    text = deadline.read_text("utf-8").replace("id: deadline", "id: termijn_check")
    deadline.rename(folder / "flows" / "termijn_check.yaml")
    (folder / "flows" / "termijn_check.yaml").write_text(
        text.replace("reminders: true\n", ""), "utf-8"
    )
    kb = KnowledgeBase(folder)
    assert kb.flows["termijn_check"].reminders
    assert not kb.flows["woonvorm"].reminders
    chat = TerminalChat(Assistant(kb, Store(tmp_path / "r.db")))
    assert "Zet er een met /termijn_check." in (chat.respond("/herinneringen") or "")
    assert "Kies /pandcheck, /termijn_check, /termijnen of /woonvorm." in (
        chat.respond("/vorige") or ""
    )


def test_the_harness_reuses_the_session_index(shipped_index: KnowledgeIndex) -> None:
    from tests.telegram_harness import knowledge_with

    kb = knowledge_with(shipped_index)
    assert kb.index is shipped_index  # not built again for every end-to-end test
    assert set(kb.flows) == {"pandcheck", "deadline", "woonvorm", "termijnen"}
    assert kb.templates

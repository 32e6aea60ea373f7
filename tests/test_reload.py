"""Knowledge maintenance while the bot runs: real file changes in a temporary folder."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot

USER = 31


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def admin_messages(fake: FakeBotAPI) -> list[str]:
    return [plain(c.text) for c in fake.sent(chat=ADMIN_ID)]


async def ask(fake: FakeBotAPI, question: str, n: int) -> str:
    fake.text(question, user=USER)
    return plain((await fake.wait_sent(n, chat=USER, timeout=20))[n - 1].text)


async def test_answers_switch_to_edited_knowledge_and_admins_see_the_changes(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    pve = folder / "documenten" / "pve-huisvesting.md"
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder):
        assert "11,5 m2" in await ask(fake, "hoe groot moet de keuken van een kwg zijn?", 1)
        await asyncio.sleep(0.3)  # the watcher is up
        pve.write_text(
            pve.read_text("utf-8").replace("Keukenruimte 11,5 m2 |", "Keukenruimte 12,5 m2 |"),
            "utf-8",
        )
        await fake.wait_for(
            lambda f: any("opnieuw geladen" in m for m in admin_messages(f)), timeout=20
        )
        summary = next(m for m in admin_messages(fake) if "opnieuw geladen" in m)
        assert (
            "Secties gewijzigd (1):\n- PvE Huisvesting › 8. Benodigde ruimten en vereisten per "
            "woonvorm › 8.1 KWG › Keukenruimte 12,5 m2" in summary
        )
        assert (
            "pandcheck › Keukenruimte van minimaal 11,5 m2 verwijst naar een gewijzigde sectie"
            in summary
        )
        assert (
            "Schouw-voorbereiding KWG › Keukenruimte van minimaal 11,5 m2 verwijst naar een "
            "gewijzigde sectie" in summary
        )
        assert "12,5 m2" in await ask(fake, "hoe groot moet de keuken van een kwg zijn?", 2)

        # a new document is found; a deleted one is gone
        (folder / "documenten" / "huisdieren.md").write_text(
            "---\ntitle: Huisdierenbeleid\nshort: Huisdieren\npublisher: Nidos\nversion: '1'\n"
            "source: test\n---\n\n## Huisdieren\n\n"
            "Jongeren mogen op een KWE geen huisdier houden.\n",
            "utf-8",
        )
        await fake.wait_for(
            lambda f: any(
                "Documenten toegevoegd (1):\n- Huisdierenbeleid" in m for m in admin_messages(f)
            ),
            timeout=20,
        )
        assert "Huisdieren › Huisdieren" in await ask(
            fake, "mogen jongeren een huisdier houden op een kwe?", 3
        )
        (folder / "documenten" / "huisdieren.md").unlink()
        await fake.wait_for(
            lambda f: any(
                "Documenten verwijderd (1):\n- Huisdierenbeleid" in m for m in admin_messages(f)
            ),
            timeout=20,
        )


async def test_a_broken_file_keeps_the_old_knowledge_and_reports_to_admins(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    pve = folder / "documenten" / "pve-huisvesting.md"
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder):
        await asyncio.sleep(0.3)
        pve.write_text(pve.read_text("utf-8").replace("short: PvE Huisvesting\n", ""), "utf-8")
        await fake.wait_for(
            lambda f: any("NIET opnieuw geladen" in m for m in admin_messages(f)), timeout=20
        )
        report = next(m for m in admin_messages(fake) if "NIET" in m)
        assert f"{pve}:1: fout: front matter mist 'short'" in report
        answer = await ask(fake, "hoe groot moet de keuken van een kwg zijn?", 1)
        assert "PvE Huisvesting ›" in answer and "11,5 m2" in answer  # the old index serves
        # /herlaad after the fix; a non-admin is refused
        pve.write_text(
            (KNOWLEDGE / "documenten" / "pve-huisvesting.md").read_text("utf-8"), "utf-8"
        )
        fake.text("/herlaad", user=USER)
        refusal = (await fake.wait_sent(2, chat=USER))[1]
        assert "alleen voor medewerkers van Nidos" in plain(refusal.text)
        fake.text("/herlaad", user=ADMIN_ID)
        await fake.wait_for(
            lambda f: any("opnieuw geladen (op verzoek)" in m for m in admin_messages(f)),
            timeout=20,
        )


async def test_questions_during_a_swap_all_get_complete_answers(folder: Path) -> None:
    kb = KnowledgeBase(folder)
    kb.index  # noqa: B018
    questions = [
        "wat is een kwg?",
        "hoeveel toiletten heeft een kwe?",
        "wanneer is de tweede schouw?",
    ] * 20
    results = []

    async def asker() -> None:
        for q in questions:
            results.append(kb.ask(q))
            await asyncio.sleep(0)

    async def reloader() -> None:
        for _ in range(3):
            kb.swap(await asyncio.to_thread(kb.prepare))

    await asyncio.gather(asker(), reloader())
    assert len(results) == len(questions)
    assert all(r.answered and r.passages and r.passages[0].extract.text for r in results)


async def test_a_broken_flow_file_is_reported_and_the_flows_keep_working(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    flow = folder / "flows" / "pandcheck.yaml"
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder):
        await asyncio.sleep(0.3)
        flow.write_text(
            flow.read_text("utf-8").replace("type: oppervlakte", "type: vierkant", 1), "utf-8"
        )
        await fake.wait_for(
            lambda f: any("NIET opnieuw geladen" in m for m in admin_messages(f)), timeout=20
        )
        report = next(m for m in admin_messages(fake) if "NIET" in m)
        assert f"{flow}:" in report and "onbekend type 'vierkant'" in report
        fake.text("/pandcheck", user=USER)
        question = await fake.wait_sent(1, chat=USER)
        assert "Voor welke woonvorm" in plain(question[0].text)  # the old flows keep serving

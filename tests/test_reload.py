"""Knowledge maintenance while the bot runs: real file changes in a temporary folder."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.knowledge import LAST_GOOD, KnowledgeBase, Snapshot, check_knowledge, start_knowledge
from handlers.chat import ASSISTANT, RELOADER
from handlers.reload import Reloader
from index.search import InvalidKnowledge, KnowledgeIndex
from tests.conftest import KNOWLEDGE, MAX_LINE, plain
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
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder) as app:
        assert "11,5 m2" in await ask(fake, "hoe groot moet de keuken van een kwg zijn?", 1)
        await reloader_of(app).watching.wait()
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
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder) as app:
        await reloader_of(app).watching.wait()
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
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder) as app:
        await reloader_of(app).watching.wait()
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


def reloader_of(application: object) -> Reloader:
    return application.bot_data[RELOADER]  # type: ignore[attr-defined, no-any-return]


async def test_a_typo_in_a_flow_is_reported_and_the_watcher_keeps_watching(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    flow = folder / "flows" / "woonvorm.yaml"
    good = flow.read_text("utf-8")
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder) as app:
        await reloader_of(app).watching.wait()
        flow.write_text(good.replace("max: 30", "max: veel"), "utf-8")
        problem = f"{flow}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal"
        await fake.wait_for(lambda f: any(problem in m for m in admin_messages(f)), timeout=20)
        # /herlaad reports the same problem, not an apology
        fake.text("/herlaad", user=ADMIN_ID)
        await fake.wait_for(lambda f: sum(problem in m for m in admin_messages(f)) >= 2, timeout=20)
        # the watcher is still there: the fixed file is picked up
        flow.write_text(good.replace("max: 30", "max: 25"), "utf-8")
        await fake.wait_for(
            lambda f: any(
                "opnieuw geladen (gewijzigd: woonvorm.yaml)" in m for m in admin_messages(f)
            ),
            timeout=20,
        )
        assert not any("Er ging iets mis" in m for m in admin_messages(fake))
        assert app.bot_data[ASSISTANT].knowledge.flows["woonvorm"].steps[0].maximum == 25


async def test_an_unexpected_fault_in_a_reload_is_reported_and_watching_goes_on(
    fake: FakeBotAPI,
    tmp_path: Path,
    folder: Path,
    shipped_index: KnowledgeIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb = KnowledgeBase(folder)
    kb.index  # noqa: B018
    calls: list[int] = []
    prepare = kb.prepare

    def failing_once() -> Snapshot:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("kapot")
        return prepare()

    monkeypatch.setattr(kb, "prepare", failing_once)
    pve = folder / "documenten" / "pve-huisvesting.md"
    async with running_bot(
        fake, tmp_path / "r.db", shipped_index, folder=folder, knowledge=kb
    ) as app:
        await reloader_of(app).watching.wait()
        pve.write_text(pve.read_text("utf-8") + "\nNog een zin.\n", "utf-8")
        await fake.wait_for(
            lambda f: any("onverwacht mis (RuntimeError)" in m for m in admin_messages(f)),
            timeout=20,
        )
        pve.write_text(pve.read_text("utf-8") + "\nEn nog een.\n", "utf-8")
        await fake.wait_for(
            lambda f: any("opnieuw geladen (gewijzigd" in m for m in admin_messages(f)),
            timeout=20,
        )


def test_a_good_load_leaves_a_copy_and_a_broken_start_uses_it(tmp_path: Path, folder: Path) -> None:
    last_good = tmp_path / "data" / LAST_GOOD
    start_knowledge(folder, last_good)
    assert (last_good / "flows" / "woonvorm.yaml").read_text("utf-8") == (
        folder / "flows" / "woonvorm.yaml"
    ).read_text("utf-8")
    flow = folder / "flows" / "woonvorm.yaml"
    flow.write_text(flow.read_text("utf-8").replace("max: 30", "max: veel"), "utf-8")
    kb = start_knowledge(folder, last_good)
    assert [str(p) for p in kb.startup_problems] == [
        f"{flow}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal"
    ]
    assert kb.flows["woonvorm"].steps[0].maximum == 30  # the last good version serves
    assert "max: 30" in (last_good / "flows" / "woonvorm.yaml").read_text("utf-8")
    # once fixed, a reload reads the live folder again and renews the copy
    flow.write_text(flow.read_text("utf-8").replace("max: veel", "max: 20"), "utf-8")
    kb.reload()
    assert kb.flows["woonvorm"].steps[0].maximum == 20
    assert kb.startup_problems == ()
    assert "max: 20" in (last_good / "flows" / "woonvorm.yaml").read_text("utf-8")
    names = sorted(p.name for p in last_good.parent.iterdir())  # the link and one version
    assert len(names) == 2 and names[0].startswith(f".{LAST_GOOD}.") and names[1] == LAST_GOOD
    assert last_good.is_symlink()


def test_without_a_good_copy_a_broken_start_raises(tmp_path: Path, folder: Path) -> None:
    flow = folder / "flows" / "woonvorm.yaml"
    flow.write_text(flow.read_text("utf-8").replace("max: 30", "max: veel"), "utf-8")
    with pytest.raises(InvalidKnowledge):
        start_knowledge(folder, tmp_path / "data" / LAST_GOOD)


async def test_admins_hear_at_start_up_that_the_last_good_knowledge_serves(
    fake: FakeBotAPI, tmp_path: Path, folder: Path, shipped_index: KnowledgeIndex
) -> None:
    last_good = tmp_path / LAST_GOOD
    start_knowledge(folder, last_good)
    flow = folder / "flows" / "woonvorm.yaml"
    flow.write_text(flow.read_text("utf-8").replace("max: 30", "max: veel"), "utf-8")
    kb = start_knowledge(folder, last_good)
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder, knowledge=kb):
        await fake.wait_for(
            lambda f: any("laatst goede versie" in m for m in admin_messages(f)), timeout=20
        )
        (report,) = [m for m in admin_messages(fake) if "laatst goede versie" in m]
        assert f"{flow}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal" in report
        fake.text("/woonvorm", user=USER)
        assert "Voor hoeveel jongeren" in plain((await fake.wait_sent(1, chat=USER))[0].text)


def test_a_copy_inside_the_knowledge_folder_does_not_copy_itself(folder: Path) -> None:
    last_good = folder / LAST_GOOD  # a database kept inside the knowledge folder
    for _ in range(3):
        kb = start_knowledge(folder, last_good)
        kb.reload()
    assert not (last_good / LAST_GOOD).exists()
    assert not any(p.name.startswith(".") for p in last_good.iterdir())
    assert len(list(folder.glob(f".{LAST_GOOD}.*"))) == 1
    assert check_knowledge(folder) == []

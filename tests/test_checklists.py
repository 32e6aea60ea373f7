"""Shared checklists end to end in a group: three members, concurrency, bursts, restarts, faults."""

from __future__ import annotations

import re
from pathlib import Path

from bot.actions import ChecklistOp, encode
from bot.checklists.templates import load_templates
from bot.knowledge import check_knowledge
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE, plain
from tests.fakebot import Call, FakeBotAPI
from tests.telegram_harness import checklist_of, running_bot, tick

GROUP = -200
ANNA, BART, CEES = 11, 12, 13


def test_all_templates_load_and_cite_real_sections() -> None:
    templates, problems = load_templates(KNOWLEDGE)
    assert problems == [] and check_knowledge(KNOWLEDGE) == []
    by_id = {t.id: t for t in templates}
    assert set(by_id) == {
        "stappenplan",
        "inventaris-kwg",
        "inventaris-kwe",
        "schouw-kwg",
        "schouw-kwe",
        "regionale-afspraken",
    }
    assert len(by_id["inventaris-kwg"].items) == 34 and by_id["inventaris-kwg"].kind == "inventaris"
    assert all(i.source for t in templates for i in t.items)


def test_a_broken_template_is_reported_with_lines(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "k"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "checklists" / "kapot.yaml"
    path.write_text(
        "id: kapot\ntitle: Kapot\nkind: lijstje\nitems:\n"
        "  - text: Iets\n    source: draaiboek-kso#nergens\n  - text: ''\n",
        "utf-8",
    )
    shown = [str(p) for p in check_knowledge(folder)]
    assert f"{path}:3: fout: onbekende soort 'lijstje' (kies uit afvinken, inventaris)" in shown
    assert (
        f"{path}:5: fout: bron 'draaiboek-kso#nergens' van item 'Iets' "
        "bestaat niet in de documenten" in shown
    )
    assert f"{path}:7: fout: item zonder text" in shown


async def start_checklist(fake: FakeBotAPI, template_label: str) -> Call:
    fake.text("/checklist", user=ANNA, chat=GROUP)
    offer = (await fake.wait_sent(1, chat=GROUP))[-1]
    fake.press(dict(offer.buttons())[template_label], fake.bot_message(offer), ANNA)
    return (await fake.wait_sent(2, chat=GROUP))[-1]


def latest_view(fake: FakeBotAPI, checklist: Call) -> str:
    edits = [
        c
        for c in fake.sent("editMessageText")
        if int(c.params["message_id"]) == checklist.result["message_id"]
    ]
    return plain(edits[-1].text) if edits else plain(checklist.text)


async def test_three_members_tick_at_once_and_nothing_is_lost(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "c.db"
    async with running_bot(fake, db, shipped_index):
        checklist = await start_checklist(fake, "Inventaris KWG")
        assert plain(checklist.text).startswith("Inventaris KWG — 0 van 34 aanwezig")
        buttons = dict(checklist.buttons())
        message = fake.bot_message(checklist)
        items = [data for label, data in buttons.items() if re.match(r"☐ \d+\.", label)]
        assert len(items) == 8  # paged: 8 items a page
        for user, data in zip([ANNA, BART, CEES, ANNA, BART, CEES], items[:6], strict=True):
            fake.press(data, message, user)
        await fake.wait_sent(1 + 6, "answerCallbackQuery")
        await fake.wait_for(lambda f: "6 van 34 aanwezig" in latest_view(f, checklist), timeout=15)
        view = latest_view(fake, checklist)
        assert "✅ 1. Wasmachine (2)" in view and "✅ 6. Strijkijzer en strijkplank (1)" in view
        # untick: the button now sets 'niet aanwezig', the next one clears it
        fake.press(items[0].replace(":j:", ":n:"), message, BART)
        await fake.wait_for(lambda f: "❌ 1. Wasmachine" in latest_view(f, checklist), timeout=15)
        assert "5 van 34 aanwezig, 1 niet aanwezig" in latest_view(fake, checklist)
        fake.press(items[0].replace(":j:", ":0:"), message, CEES)
        await fake.wait_for(lambda f: "☐ 1. Wasmachine" in latest_view(f, checklist), timeout=15)

        # remark as a reply to the checklist message
        fake.text("3: stofzuiger besteld, levering 12 mei", user=BART, chat=GROUP, reply_to=message)
        await fake.wait_for(
            lambda f: any(
                "Opmerking bij 3. Stofzuiger opgeslagen" in c.text for c in f.sent(chat=GROUP)
            )
        )
        # paging
        fake.press(buttons["Volgende ▶"], message, ANNA)
        await fake.wait_for(lambda f: "Pagina 2 van 5" in latest_view(f, checklist), timeout=15)
        # details: who ticked what and when
        fake.press(buttons["Details"], message, CEES)
        await fake.wait_for(
            lambda f: any(c.text.startswith("Details: Inventaris KWG") for c in f.sent(chat=GROUP))
        )
        detail = next(plain(c.text) for c in fake.sent(chat=GROUP) if c.text.startswith("Details"))
        assert re.search(r"✅ 2\. Wasdroger: aanwezig, Anna op \d+ \w+ 20\d\d \d\d:\d\d", detail)
        assert "Opmerking (Anna): stofzuiger besteld, levering 12 mei" in detail
        # export: CSV and Markdown
        fake.press(buttons["Exporteer"], message, ANNA)
        docs = await fake.wait_sent(2, "sendDocument", chat=GROUP)
        names = sorted(d.params["document"]["filename"] for d in docs)
        assert names[0].endswith(".csv") and names[1].endswith(".md")
        csv_text = next(
            d.params["document"]["content"].decode("utf-8-sig")
            for d in docs
            if d.params["document"]["filename"].endswith(".csv")
        )
        assert "3;Huishoudelijk apparatuur;Stofzuiger;2;aanwezig;Anna" in csv_text
        assert "stofzuiger besteld, levering 12 mei" in csv_text
        # close and reopen
        fake.press(buttons["Sluiten"], message, ANNA)
        await fake.wait_for(
            lambda f: "Deze checklist is gesloten." in latest_view(f, checklist), timeout=15
        )
        fake.press(items[7], message, BART)  # ticking a closed checklist is refused
        await fake.wait_for(
            lambda f: any(
                "gesloten" in str(c.params.get("text")) for c in f.sent("answerCallbackQuery")
            )
        )
        fake.press(encode(ChecklistOp(checklist_of(items[0]), "reopen")), message, ANNA)
        await fake.wait_for(
            lambda f: "Deze checklist is gesloten." not in latest_view(f, checklist), timeout=15
        )
    store = Store(db)
    (row,) = list(store.db["checklists"].rows)
    assert row["status"] == "open"
    ticks = store.checklists.ticks(row["id"])
    assert [n for n, t in sorted(ticks.items()) if t.state == "aanwezig"] == [2, 3, 4, 5, 6]
    store.close()


async def test_burst_of_50_ticks_gives_few_edits_and_survives_restart_and_faults(
    fake: FakeBotAPI, tmp_path: Path, shipped_index: KnowledgeIndex
) -> None:
    db = tmp_path / "burst.db"
    async with running_bot(fake, db, shipped_index):
        checklist = await start_checklist(fake, "Stappenplan opstarten KSO")
    message = fake.bot_message(checklist)
    cid = checklist_of(dict(checklist.buttons())["Details"])
    # a restart between ticks: a new Application on the same database; the old buttons work
    fake.inject("editMessageText", "500")
    fake.inject("editMessageText", "429", 1)
    async with running_bot(fake, db, shipped_index):
        before = fake.counts.get("editMessageText", 0)
        # 50 presses by three members at once; presses carry the state they set, so members
        # who tick the same item at the same moment agree (items 1-12 are ticked two or three
        # times, 13-19 twice)
        for i in range(50):
            fake.press(tick(cid, i % 19 + 1), message, [ANNA, BART, CEES][i % 3])
        await fake.wait_sent(50, "answerCallbackQuery", timeout=30)
        await fake.wait_for(lambda f: "— 19 van 19 gedaan" in latest_view(f, checklist), timeout=30)
        edits = fake.counts.get("editMessageText", 0) - before
    assert edits <= 5, edits  # coalesced: a burst is a handful of edits, within 20 a minute
    assert len(fake.failed) == 2  # the refused edits (500, 429) lost nothing
    store = Store(db)
    ticks = store.checklists.ticks(cid)
    assert sorted(n for n, t in ticks.items() if t.state == "gedaan") == list(range(1, 20))
    store.close()


def test_item_buttons_are_shortened_at_a_word_boundary() -> None:
    from bot.render_text import at_word

    label = at_word("☐ 2. Ov, ISK-school, winkels en medische zorg op fietsafstand", 60)
    assert label == "☐ 2. Ov, ISK-school, winkels en medische zorg op…"
    assert len(label) <= 60
    assert at_word("kort", 60) == "kort"

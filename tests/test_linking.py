"""Learning from questions: /rapport links an unanswered question to a section, the admin reviews
the wording, a batch is published as one version, and the same question is then answered from
that section. End to end through the fake Bot API and the terminal; the pure parts on their own."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.admin.linking import add_wordings, answered_since, clean_wording
from bot.store import Store
from index.search import KnowledgeIndex
from index.wordings import MAX_WORDING
from tests.conftest import KNOWLEDGE, plain
from tests.fakebot import Call, FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot
from tests.test_cli import terminal_chat
from tests.test_publishing import press, press_data, say

USER = 7
QUESTION = "waar stallen de jongeren hun fietsen?"
EDITED = "waar stallen jongeren hun fiets?"
GARDEN = "Test › 2. Tuin"


def links(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select state, wording from links order by id").fetchall()


async def answer_prompt(fake: FakeBotAPI, prompt: Call, text: str, count: int = 1) -> list[Call]:
    """Reply to one of the bot's messages (as Telegram's reply field does); the next `count`
    messages the bot sends."""
    before = len(fake.sent(chat=ADMIN_ID))
    fake.text(text, user=ADMIN_ID, reply_to=FakeBotAPI.bot_message(prompt))
    return (await fake.wait_sent(before + count, chat=ADMIN_ID, timeout=20))[before:]


async def press_for_two(fake: FakeBotAPI, call: Call, label: str) -> list[Call]:
    """Press a button whose answer is two messages (the review and the edit question; what
    was added and the publish summary)."""
    before = len(fake.sent(chat=ADMIN_ID))
    await press(fake, call, label)
    return (await fake.wait_sent(before + 2, chat=ADMIN_ID, timeout=20))[before:]


def pick_label(proposal: Call, citation: str) -> str:
    found = re.search(rf"^(\d)\. {re.escape(citation)}$", plain(proposal.text), re.MULTILINE)
    assert found is not None, plain(proposal.text)
    return found.group(1)


async def test_an_unanswered_question_is_linked_reviewed_published_and_then_answered(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    folder, db = small_knowledge, tmp_path / "l.db"
    async with running_bot(fake, db, shipped_index, folder=folder):
        first = plain((await say(fake, QUESTION, chat=USER)).text)
        assert "geen betrouwbaar antwoord" in first
        report = await say(fake, "/rapport")
        (start,) = [d for label, d in report.buttons() if label.startswith("Koppel aan sectie:")]

        # a forged press by a non-admin changes nothing
        for data in (start, "l:p", "l:k:1:1"):
            refused = await press_data(fake, report, data, user=USER)
            assert refused.method == "answerCallbackQuery"
            assert "beheerder" in refused.params["text"]
        assert links(db) == []

        proposal = await press_data(fake, report, start)
        assert f"Vraag: {QUESTION}" in plain(proposal.text)
        asked = await press(fake, proposal, "Zoek een andere sectie")
        assert "Typ een paar woorden" in plain(asked.text)
        assert "force_reply" in asked.params["reply_markup"]
        (found,) = await answer_prompt(fake, asked, "tuin")
        assert "Gezocht op: tuin" in plain(found.text)
        review, edit = await press_for_two(fake, found, pick_label(found, GARDEN))
        assert f"Sectie: {GARDEN}" in plain(review.text)
        assert f"Deze vraagvorm voeg ik toe:\n{QUESTION}" in plain(review.text)
        assert next(label for label, _ in review.buttons()) == "Bevestigen"
        assert "Antwoord dan op dit bericht" in plain(edit.text)
        review, _ = await answer_prompt(fake, edit, f"  {EDITED.upper()} ", count=2)
        assert f"Deze vraagvorm voeg ik toe:\n{EDITED}" in plain(review.text)
        assert links(db) == [("review", EDITED)]
        assert "vraagvormen.yaml" not in os.listdir(folder)  # nothing live before publishing

    # a restart in between loses nothing: the buttons from before still work
    async with running_bot(fake, db, shipped_index, folder=folder):
        stale = await press_data(fake, review, "l:j:zz")
        assert "bestaat niet meer" in stale.params["text"]
        confirmed = await press(fake, review, "Bevestigen")
        assert f"Bevestigd: '{EDITED}' bij {GARDEN}" in plain(confirmed.text)
        report = await say(fake, "/rapport")
        assert "Bevestigde koppelingen, nog niet gepubliceerd: 1" in plain(report.text)
        done, published = await press_for_two(fake, confirmed, "Publiceer koppelingen (1)")
        assert f"Vraagvormen toegevoegd (1):\n- {EDITED} → {GARDEN}" in plain(done.text)
        assert "Gepubliceerd en geladen als versie 1" in plain(published.text)
        wordings = yaml.safe_load((folder / "vraagvormen.yaml").read_text("utf-8"))
        assert wordings == {"vraagvormen": {"test#2": [EDITED]}}  # reviewed, not as asked
        again = await press(fake, confirmed, "Publiceer koppelingen (1)")
        assert "geen bevestigde koppelingen" in again.params["text"]

        answer = plain((await say(fake, QUESTION, chat=USER)).text)
        assert GARDEN in answer and "geen betrouwbaar antwoord" not in answer
        # asked as the reviewed wording (not the first wording: 'fietsen' is not 'fiets'): sure
        worded = plain((await say(fake, EDITED, chat=USER)).text)
        assert GARDEN in worded and "niet zeker" not in worded
        shown = plain((await say(fake, "/rapport")).text)
        assert "Sinds koppelen beantwoord: 2 van 2" in shown
        versions = plain((await say(fake, "/versies")).text)
        assert "concept koppelingen gepubliceerd (1 koppeling uit /rapport)" in versions
        assert "vraagvormen.yaml" in versions


def test_the_terminal_links_with_numbered_options_and_typed_edits(
    tmp_path: Path, small_knowledge: Path
) -> None:
    from bot.admin.publishing import Publisher
    from bot.knowledge import KnowledgeBase

    # a colleague's upload happens to be called 'koppelingen': publishing links leaves it be
    upload = Publisher(KnowledgeBase(small_knowledge))
    upload.save_draft("koppelingen", "documenten/koppelingen.md", "# Koppelingen\n", "Bea", "", [])
    lines = [
        QUESTION,
        "/rapport",  # #1 Koppel aan sectie
        "#1",  # no section fits these words: #1 Zoek een andere sectie
        "#1",
        "tuin",  # #1 is the Tuin
        "#1",
        EDITED,  # typed: the wording as it will be saved
        "#1",  # Bevestigen
        "#1",  # Publiceer koppelingen (1)
        QUESTION,
        "/exit",
    ]
    result = terminal_chat(small_knowledge, lines, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Kies: #1 Koppel aan sectie" in out
    assert f"Aangepast.\n\nSectie: {GARDEN}\n\nDeze vraagvorm voeg ik toe:\n{EDITED}" in out
    assert "Gepubliceerd en geladen als versie 1" in out
    assert GARDEN in out.split("Gepubliceerd en geladen")[1]
    assert EDITED in (small_knowledge / "vraagvormen.yaml").read_text("utf-8")
    kept = Publisher(KnowledgeBase(small_knowledge)).get("koppelingen")
    assert kept is not None and kept.target == "documenten/koppelingen.md"


# -- the pure parts ---------------------------------------------------------------------------


def test_the_cleaned_wording_drops_contact_details_and_numbers() -> None:
    raw = "Mag  Jan (BSN 123456789) bellen met 06-12345678 of jan@gemeente.nl, @draaibot?"
    assert clean_wording(raw) == "mag jan (bsn) bellen met of?"  # the name: the admin edits
    assert clean_wording(" Wat is een  KWE? ") == "wat is een kwe?"


@given(st.text(max_size=600))
def test_a_cleaned_wording_is_short_lower_case_and_without_addresses(text: str) -> None:
    wording = clean_wording(text)
    assert len(wording) <= MAX_WORDING
    assert wording == wording.strip() and "  " not in wording
    assert re.search(r"\S+@\S+\.\S+|\d{7,}", wording) is None
    assert wording == wording.lower()


def test_wordings_are_added_under_their_section_keeping_every_line() -> None:
    live = (KNOWLEDGE / "vraagvormen.yaml").read_text("utf-8")
    new = {
        "pve-huisvesting#2-kwe": [
            "mag een kwe: in een flat? #3",
            "hoe vaak zijn de mentoren aanwezig in een kwe?",
        ],  # the second one is there already
        "test#nieuw": ["een nieuwe vraag?"],
    }
    text = add_wordings(live, new)
    kept = iter(text.splitlines())
    assert all(line in kept for line in live.splitlines())  # every line, in order
    data = yaml.safe_load(text)["vraagvormen"]
    assert data["pve-huisvesting#2-kwe"] == [
        "hoe vaak zijn de mentoren aanwezig in een kwe?",
        "kwe hoeveel jongeren en hoeveel dagen begeleiding",
        "mag een kwe: in een flat? #3",
    ]
    assert data["test#nieuw"] == ["een nieuwe vraag?"]
    assert yaml.safe_load(add_wordings("", {"a#b": ["x?"]})) == {"vraagvormen": {"a#b": ["x?"]}}


def test_answered_since_counts_only_questions_after_the_link_that_resemble_it() -> None:
    linked = [("waar stallen de jongeren hun fietsen?", "waar staan fietsen?", 100.0)]
    log = [
        ("waar stallen de jongeren hun fietsen", 50.0, False),  # before linking
        ("Waar stallen de jongeren hun fietsen?", 150.0, True),
        ("waar staan fietsen", 160.0, True),
        ("waar stallen de jongeren hun fietsen??", 170.0, False),
        ("hoe groot is de keuken?", 180.0, True),  # another question
    ]
    assert answered_since(linked, log) == (2, 3)


def test_links_are_forgotten_and_purged_with_the_questions(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = Store(tmp_path / "p.db", clock=lambda: now[0])
    answer = store.answers.save_answer(USER, "private", QUESTION, False, [], [], 0)
    other = store.answers.save_answer(USER + 1, "private", "een andere vraag", False, [], [], 0)
    for chat in (ADMIN_ID, ADMIN_ID + 1):
        store.db.table("links").insert(
            {
                "chat_id": chat,
                "answer_id": answer if chat == ADMIN_ID else other,
                "question": "q",
                "candidates": "[]",
                "state": "open",
                "created_at": now[0],
                "updated_at": now[0],
            }
        )
    store.forget_chat(USER)  # the user who asked: the link of that question goes
    assert [r["chat_id"] for r in store.db.table("links").rows] == [ADMIN_ID + 1]
    now[0] += 31 * 86400
    store.purge_older_than(30)
    assert list(store.db.table("links").rows) == []
    assert "vraagvorm" in texts.PRIVACY and "deel van de kennis" in texts.PRIVACY


def test_a_link_goes_with_its_question_when_the_question_ages_out_first(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = Store(tmp_path / "p.db", clock=lambda: now[0])
    answer = store.answers.save_answer(USER, "private", "mijn dochter vraagt", False, [], [], 0)
    now[0] += 170 * 86400  # linked late, just before the question's retention ends
    store.db.table("links").insert(
        {
            "chat_id": ADMIN_ID,
            "answer_id": answer,
            "question": "mijn dochter vraagt",
            "candidates": "[]",
            "state": "open",
            "created_at": now[0],
            "updated_at": now[0],
        }
    )
    now[0] += 15 * 86400
    store.purge_older_than(180)  # the question goes, and the copy of it in the link too
    assert list(store.db.table("links").rows) == []


def test_the_guide_names_the_buttons_and_lines_the_bot_shows() -> None:
    import inspect

    from bot.admin import linking
    from tests.conftest import ROOT

    guide = " ".join((ROOT / "docs" / "kennisbeheer.md").read_text("utf-8").split())
    code = inspect.getsource(linking)
    for shown in (
        "Koppel aan sectie",
        "Zoek een andere sectie",
        "Bevestigen",
        "Publiceer koppelingen (",
        "Sinds koppelen beantwoord: ",
        "Staan er namen of details van een casus in de vraag?",
    ):
        assert shown in guide and shown in code, shown


@pytest.mark.parametrize(
    "text",
    [
        "vraagvormen: {test#1: [hoe groot is het kookgedeelte], test#2: [waar is de tuin]}\n",
        "vraagvormen:\n  'test#2':\n    - waar is de tuin\n"
        "  test#1:\n    - hoe groot is het kookgedeelte\n",
        "vraagvormen:\n  test#2: [waar is de tuin]\n  test#1: [hoe groot is het kookgedeelte]\n",
    ],
)
def test_wordings_are_added_to_a_file_in_any_yaml_style_without_losing_one(text: str) -> None:
    from bot.admin.linking import _existing

    added = add_wordings(text, {"test#2": ["waar stallen jongeren hun fiets"]})
    assert _existing(added) == {
        "test#1": ["hoe groot is het kookgedeelte"],
        "test#2": ["waar is de tuin", "waar stallen jongeren hun fiets"],
    }


def test_a_question_that_cleans_to_nothing_asks_for_a_wording(
    tmp_path: Path, small_knowledge: Path
) -> None:
    lines = ["0612345678", "/rapport", "#1", "#1", "tuin", "#1", "#1", "/exit"]
    result = terminal_chat(small_knowledge, lines, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Van deze vraag blijft na het opschonen niets over" in result.stdout
    assert "Een lege vraagvorm kan ik niet opslaan" in result.stdout  # Bevestigen pressed
    assert "Kies eerst een sectie" not in result.stdout

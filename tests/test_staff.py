"""Staff tools: one section count everywhere, the /rapport chart and groups, admins managed
from the chat."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.clock import AMSTERDAM
from bot.report import WEEKS, first_moment, group_questions, weekly_counts
from index.documents import SectionCount
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot
from tests.test_cli import run

COUNT = re.compile(r"(\d+) secties \(waarvan (\d+) tabelrijen; (\d+) koppen zonder eigen tekst")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "draaibot.db"


async def test_check_index_and_status_report_the_same_section_count(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    expected = SectionCount.of(shipped_index.documents)
    assert expected.searchable == len(shipped_index.sections)
    assert expected.empty_headings > 0 and expected.rows > 0  # both kinds are named
    check = run("check")
    index = run("index")
    status = run("status")
    assert check.returncode == 0, check.stderr
    assert index.returncode == 0, index.stderr
    async with running_bot(fake, db, shipped_index):
        fake.text("/status", user=ADMIN_ID)
        (in_chat,) = await fake.wait_sent(1, chat=ADMIN_ID)
    found = [
        COUNT.findall(text)
        for text in (check.stdout, index.stdout, status.stdout, plain(in_chat.text))
    ]
    wanted = (str(expected.searchable), str(expected.rows), str(expected.empty_headings))
    assert found == [[wanted]] * 4
    # the index's own table adds up to the same number
    assert re.search(rf"^totaal\s+{expected.searchable}\s", index.stdout, re.MULTILINE)


# -- the /rapport chart -----------------------------------------------------------------------


def _at(text: str) -> float:
    """A moment on a Dutch clock ('2026-03-29 01:30') as a Unix time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM).timestamp()


def test_weekly_counts_follow_amsterdam_weeks() -> None:
    now = _at("2026-11-25 10:00")  # a Wednesday; its week starts Monday 23 November
    questions = [
        (_at("2026-11-23 00:10"), True, False),  # Monday just after midnight (Sunday 23:10 UTC)
        (_at("2026-11-22 23:50"), False, False),  # Sunday evening: the week before
        (_at("2026-11-24 12:00"), True, True),
        (_at("2026-11-25 09:00"), False, False),
        (_at("2026-09-07 08:00"), True, False),  # the Monday of the oldest of 12 weeks
        (_at("2026-09-06 08:00"), True, False),  # 13 weeks ago: left out
        (_at("2026-03-29 03:30"), True, False),  # long before (and just after a DST change)
    ]
    votes = [(_at("2026-11-24 13:00"), 1), (_at("2026-11-24 14:00"), -1), (_at("2026-11-16"), -1)]
    weeks = weekly_counts(questions, votes, now)
    assert len(weeks) == WEEKS
    assert [w.monday for w in weeks][::11] == [dt.date(2026, 9, 7), dt.date(2026, 11, 23)]
    assert all(w.monday.weekday() == 0 for w in weeks)
    this, before = weeks[-1], weeks[-2]
    assert (this.answered, this.unsure, this.unanswered, this.up, this.down) == (1, 1, 1, 1, 1)
    assert (before.answered, before.unsure, before.unanswered, before.down) == (0, 0, 1, 1)
    assert weeks[0].answered == 1
    assert sum(w.answered + w.unsure + w.unanswered for w in weeks) == 5
    assert first_moment(now) == _at("2026-09-07 00:00")


def test_questions_are_grouped_by_similarity_with_counts_per_kind() -> None:
    flagged = [
        ("Hoeveel kost een appeltaart?", "geen antwoord"),
        ("hoeveel kost een appeltaart", "geen antwoord"),
        ("hoeveel kost een appeltaartje?", "onzeker"),
        ("Hoeveel kost een appeltaart?", "👎"),
        ("mag een hond in de woning", "geen antwoord"),
        ("Mag een hond in de woning?", "👎"),
        ("wie betaalt de gemeentelijke belastingen", "onzeker"),
        ("   ", "geen antwoord"),
    ]
    groups = group_questions(flagged)
    assert [(g.question, g.count) for g in groups] == [
        ("hoeveel kost een appeltaart", 4),
        ("mag een hond in de woning", 2),
        ("wie betaalt de gemeentelijke belastingen", 1),
    ]
    first = groups[0]
    assert first.kinds == {"geen antwoord": 2, "onzeker": 1, "👎": 1}
    assert first.text() == (
        "hoeveel kost een appeltaart (4x: 2 geen antwoord, 1 onzeker, 1 👎); "
        "ook: hoeveel kost een appeltaartje"
    )
    assert group_questions([]) == []


async def test_rapport_sends_a_chart_and_groups_through_telegram(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        for question in ("appeltaart met kaneel bakken", "appeltaart bakken met kaneel?"):
            fake.text(question, user=7)
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=8)
        answer = (await fake.wait_sent(3))[-1]
        fake.press(dict(answer.buttons())["👎"], fake.bot_message(answer), 8)
        await fake.wait_sent(1, "answerCallbackQuery")
        fake.text("/rapport", user=ADMIN_ID)
        (photo,) = await fake.wait_sent(1, "sendPhoto", chat=ADMIN_ID)
        (report,) = await fake.wait_sent(1, chat=ADMIN_ID)
        fake.text("/status", user=ADMIN_ID)
        await fake.wait_sent(2, chat=ADMIN_ID)
    image = photo.params["photo"]
    assert image["filename"].endswith(".png")
    assert image["content"].startswith(b"\x89PNG\r\n\x1a\n") and len(image["content"]) > 10_000
    assert photo.params["caption"] == "Vragen per week, 12 weken: 3 vragen; 👍 0, 👎 1"
    shown = plain(report.text)
    assert (
        "- appeltaart bakken met kaneel (2x: 2 geen antwoord); "
        "ook: appeltaart met kaneel bakken" in shown
    )
    assert "- hoeveel m2 moet de keuken van een kwg zijn (1x: 1 👎)" in shown
    assert fake.sent("sendPhoto") == [photo]  # /status stays text


def test_an_unsure_answer_is_logged_as_unsure(shipped_index: KnowledgeIndex) -> None:
    from bot.assistant import Assistant, Chat
    from bot.storage import Store
    from tests.telegram_harness import knowledge_with

    store = Store(None)
    assistant = Assistant(knowledge_with(shipped_index), store)
    kb = assistant.knowledge
    asked = [
        "hoeveel m2 moet de keuken van een kwg zijn?",
        "appeltaart met kaneel bakken",
        "mag een pand in een bedrijventerrein liggen?",
    ]
    results = [kb.ask(q) for q in asked]
    for question in asked:
        assistant.ask(Chat(1, "private", 1), question)
    logged = [(a, u) for _, a, u in store.question_log(0)]
    assert logged == [(r.answered, r.answered and r.unsure) for r in results]
    assert (True, True) in logged and (False, False) in logged

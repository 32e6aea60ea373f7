"""Staff tools: one section count everywhere, the /rapport chart and groups, admins managed
from the chat."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.admin.admins import ADDED, LAST_ONE, REMOVED, YOUR_ID, Admins, parse_id
from bot.admin.report import WEEKS, first_moment, group_questions, weekly_counts
from bot.clock import AMSTERDAM
from bot.store import Store
from index.documents import SectionCount
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import Call, FakeBotAPI
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
    logged = [(a, u) for _, a, u in store.answers.question_log(0)]
    assert logged == [(r.answered, r.answered and r.unsure) for r in results]
    assert (True, True) in logged and (False, False) in logged
    # and the report's CSV lists each as what it was
    replies = assistant.staff.report().replies
    (table,) = [r.attachment for r in replies if r.attachment and not r.attachment.photo]
    rows = table.content.decode("utf-8-sig").splitlines()
    for question, result in zip(asked, results, strict=True):
        kind = "geen antwoord" if not result.answered else "onzeker" if result.unsure else ""
        if kind:
            assert f"{kind};{question};1;;;" in rows, (kind, question)


# -- admins without a restart -----------------------------------------------------------------


async def test_an_admin_adds_and_removes_admins_live_and_it_survives_a_restart(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    new = 7
    async with running_bot(fake, db, shipped_index):
        fake.text("/beheerders", user=new)
        (refusal,) = await fake.wait_sent(1, chat=new)
        assert plain(refusal.text) == YOUR_ID.format(id=new)
        fake.text("/beheerder_toevoegen zeven", user=ADMIN_ID)
        fake.text(f"/beheerder_toevoegen {new}", user=ADMIN_ID)
        bad, added = await fake.wait_sent(2, chat=ADMIN_ID)
        assert "'zeven' is geen gebruikersnummer" in plain(bad.text)
        assert plain(added.text) == ADDED.format(id=new)
        await fake.wait_for(lambda f: any(_scope_chat(c) == new for c in f.sent("setMyCommands")))
        menu = next(c for c in fake.sent("setMyCommands") if _scope_chat(c) == new)
        assert "beheerder_toevoegen" in str(menu.params["commands"])
        fake.text("/status", user=new)  # no restart needed
        status = (await fake.wait_sent(2, chat=new))[1]
        assert plain(status.text).startswith("Status van draaibot")
        fake.text(f"/beheerder_verwijderen {ADMIN_ID}", user=new)
        removed = (await fake.wait_sent(3, chat=new))[2]
        assert plain(removed.text) == REMOVED.format(id=ADMIN_ID)
        await fake.wait_for(lambda f: bool(f.sent("deleteMyCommands")))
        assert _scope_chat(fake.sent("deleteMyCommands")[0]) == ADMIN_ID
        fake.text("/status", user=ADMIN_ID)
        gone = (await fake.wait_sent(3, chat=ADMIN_ID))[2]
        assert plain(gone.text) == texts.ADMIN_ONLY
        fake.text(f"/beheerder_verwijderen {new}", user=new)  # the last one stays
        last = (await fake.wait_sent(4, chat=new))[3]
        assert plain(last.text) == LAST_ONE.format(id=new)
    # DRAAIBOT_ADMINS still names ADMIN_ID: a restart does not undo the removal
    async with running_bot(fake, db, shipped_index):
        fake.text("/beheerders", user=new)
        listing = (await fake.wait_sent(5, chat=new))[4]
        fake.text("/status", user=ADMIN_ID)
        again = (await fake.wait_sent(4, chat=ADMIN_ID))[3]
    assert plain(listing.text).startswith(f"Beheerders (1):\n- {new} (u)")
    assert plain(again.text) == texts.ADMIN_ONLY
    store = Store(db)
    log = {(r["user_id"], r["command"]) for r in store.db["admin_log"].rows if r["allowed"]}
    assert log >= {
        (ADMIN_ID, f"beheerder_toevoegen {new}"),
        (new, f"beheerder_verwijderen {ADMIN_ID}"),
    }
    rows = [(r["user_id"], r["command"], r["allowed"]) for r in store.db["admin_log"].rows]
    assert rows.count((ADMIN_ID, f"beheerder_toevoegen {new}", 1)) == 1
    assert (new, "beheerders", 0) in rows  # the refused attempt before
    store.close()


def _scope_chat(call: Call) -> int | None:
    scope = call.params.get("scope")
    scope = json.loads(scope) if isinstance(scope, str) else scope
    return int(scope["chat_id"]) if scope and scope.get("type") == "chat" else None


def test_admins_from_the_shell(tmp_path: Path) -> None:
    env = {"DRAAIBOT_DB": str(tmp_path / "d.db"), "DRAAIBOT_ADMINS": "11"}
    assert run("beheerders", env=env).stdout == "Beheerders (1):\n- 11\n"
    added = run("beheerders", "toevoegen", "12", env=env)
    assert added.returncode == 0 and ADDED.format(id=12) in added.stdout
    removed = run("beheerders", "verwijderen", "11", env=env)
    assert removed.returncode == 0, removed.stderr
    last = run("beheerders", "verwijderen", "12", env=env)
    assert last.returncode == 1 and LAST_ONE.format(id=12) in last.stderr
    wrong = run("beheerders", "toevoegen", "@anna", env=env)
    assert wrong.returncode == 2 and "geen gebruikersnummer" in wrong.stderr
    assert run("beheerders", env=env).stdout == "Beheerders (1):\n- 12\n"
    store = Store(tmp_path / "d.db")
    assert ("beheerder_verwijderen 11", 0) in {
        (r["command"], r["user_id"]) for r in store.db["admin_log"].rows
    }
    store.close()


def test_the_last_admin_cannot_be_removed_and_a_removal_is_purged_with_the_log() -> None:
    now = [1_000_000.0]
    store = Store(None, clock=lambda: now[0])
    admins = Admins(store)
    admins.seed([1, 2])
    assert admins.remove(1, 2).changed and 1 not in admins and 2 in admins
    assert not admins.remove(2, 2).changed and admins.ids() == [2]
    admins.seed([1, 2])  # a restart with DRAAIBOT_ADMINS=1,2
    assert admins.ids() == [2]
    now[0] += 200 * 86_400
    store.purge_older_than(180)
    assert store.db.execute("select count(*) from admins").fetchone()[0] == 1
    assert admins.add(1, 2).changed and admins.ids() == [2, 1]


def test_the_terminal_writes_the_chart_and_manages_admins(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import KNOWLEDGE, ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(
        DRAAIBOT_DB=str(tmp_path / "d.db"),
        DRAAIBOT_KNOWLEDGE=str(KNOWLEDGE),
        DRAAIBOT_ADMINS="21",
        PYTHONPATH=str(ROOT),
    )
    lines = ["appeltaart bakken", "/rapport", "/beheerder_toevoegen 22", "/beheerders"]
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    charts = list((tmp_path / "uitvoer").glob("draaibot-vragen-per-week-*.png"))
    assert len(charts) == 1 and charts[0].read_bytes().startswith(b"\x89PNG")
    assert f"(bestand opgeslagen: uitvoer/{charts[0].name})" in done.stdout
    assert "- appeltaart bakken (1x: 1 geen antwoord)" in done.stdout
    assert ADDED.format(id=22) in done.stdout
    assert "Beheerders (2):\n- 21\n- 22" in done.stdout
    assert "In deze terminal (draaibot chat) bent u altijd beheerder" in done.stdout


@given(st.text(max_size=20))
def test_a_typed_user_id_is_digits_only_and_positive(text: str) -> None:
    user_id = parse_id(text)
    if user_id is not None:
        assert user_id > 0 and str(user_id) == text.strip().lstrip("0")


@given(st.integers(min_value=1, max_value=2**52))
def test_every_user_id_reads_back(user_id: int) -> None:
    assert parse_id(f" {user_id} ") == user_id
    assert parse_id(f"-{user_id}") is None and parse_id(f"{user_id}²") is None

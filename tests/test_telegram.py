"""The bot end to end: the real Application and python-telegram-bot's HTTP stack against a fake
Bot API server on 127.0.0.1. Assertions are on what a user would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from bot.ratelimit import SlidingWindowLimit
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import BOT_USERNAME, FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot

USER = 7
OTHER = 8
GROUP = -100


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "draaibot.db"


async def test_private_question_gets_cited_answer_with_buttons(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
    assert answer.params["parse_mode"] == "HTML"
    # the answer first, its value in bold, a short citation; the passages one tap away
    assert answer.text.startswith("Keukenruimte <b>11,5 m2</b> — Elke wooneenheid")
    assert "📄 <i>PvE Huisvesting › 8.1 KWG › Keukenruimte 11,5 m2</i>" in answer.text
    assert len(plain(answer.text)) < 500
    labels = [label for label, _ in answer.buttons()]
    assert labels == ["Toon bron", "Meer", "👍", "👎"]
    assert all(len(data.encode()) <= 64 for _, data in answer.buttons())
    scopes = [c.params.get("scope") for c in fake.sent("setMyCommands")]
    assert len(scopes) == 3  # private chats, groups, the admin


async def test_the_source_of_a_row_shows_its_table(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("hoeveel m2 moet de keuken van een kwg zijn?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        buttons = dict(answer.buttons())
        fake.press(buttons["Toon bron"], fake.bot_message(answer), USER)
        source = (await fake.wait_sent(2, chat=USER))[1]
    assert source.text.startswith(
        "📄 <b>PvE Huisvesting › 8. Benodigde ruimten en vereisten per woonvorm › 8.1 KWG</b>"
    )
    shown = plain(source.text)
    assert "▶ Keukenruimte 11,5 m2 | Elke wooneenheid" in shown
    assert "\nTuin | Een eenvoudig te onderhouden tuin." in shown  # the other rows, unmarked


async def test_a_row_in_two_tables_is_shown_once_with_both_places(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("moeten de gordijnen brandvertragend zijn?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
    assert "8.1 KWG › (Rol)gordijnen (ook 8.2 KWE(+) › (Rol)gordijnen)</i>" in answer.text
    assert plain(answer.text).count("Brandvertragend/brandwerend") == 1


async def test_every_button(fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("wat zijn de eisen voor de brandveiligheid in een kwe?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
        buttons = dict((label, data) for label, data in answer.buttons())
        message = fake.bot_message(answer)

        fake.press(
            next(d for label, d in buttons.items() if label.startswith("Toon bron")), message, USER
        )
        source = (await fake.wait_sent(2, chat=USER))[1]
        assert source.text.startswith("📄 <b>PvE Huisvesting › ")
        await fake.wait_sent(1, "answerCallbackQuery")

        assert "Meer" in buttons
        fake.press(buttons["Meer"], message, USER)
        more = (await fake.wait_sent(3, chat=USER))[2]
        assert more.text.startswith("<b>1.</b>")  # the passages behind the answer
        assert "📄 <i>PvE Huisvesting › 4. Veiligheidseisen huisvesting" in more.text

        fake.press(buttons["👍"], message, USER)
        await fake.wait_for(
            lambda f: any(
                c.params.get("text") == "Dank u wel voor uw 👍"
                for c in f.sent("answerCallbackQuery")
            )
        )

        fake.press(buttons["👎"], message, USER)
        prompt = (await fake.wait_sent(4, chat=USER))[3]
        assert plain(prompt.text) == texts.ASK_MISSING
        assert prompt.markup.get("force_reply") is True

        fake.text("de eis voor een blusdeken", user=USER, reply_to=fake.bot_message(prompt))
        thanks = (await fake.wait_sent(5, chat=USER))[4]
        assert plain(thanks.text) == texts.THANKS_MISSING
    store = Store(db)
    (row,) = list(store.db["feedback"].rows)
    assert row["vote"] == -1 and row["missing"] == "de eis voor een blusdeken"
    store.close()


async def test_group_answers_only_when_addressed(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("goedemorgen allemaal, hoe gaat het met de keuken?", user=USER, chat=GROUP)
        fake.sticker(user=USER, chat=GROUP)
        fake.mention("hoeveel toiletten heeft een kwg?", user=USER, chat=GROUP)
        (first,) = await fake.wait_sent(1, chat=GROUP)
        assert "Toilet (minimaal 2)" in plain(first.text)
        assert first.params.get("reply_parameters")  # answers the asker's message
        fake.text(
            f"/vraag@{BOT_USERNAME} hoe groot moet de huiskamer zijn per jongere?",
            user=OTHER,
            chat=GROUP,
        )
        second = (await fake.wait_sent(2, chat=GROUP))[1]
        assert "5m2" in plain(second.text)
        fake.text("en voor een kwe?", user=OTHER, chat=GROUP, reply_to=fake.bot_message(second))
        third = (await fake.wait_sent(3, chat=GROUP))[2]
        assert (
            "📄" in third.text or plain(third.text) == texts.NO_ANSWER
        )  # a reply to us is a question
        fake.text("/onbekend", user=OTHER, chat=GROUP)
        fake.text("nog meer gepraat", user=OTHER, chat=GROUP)
        fake.text("/vraag", user=OTHER, chat=GROUP)
        fourth = (await fake.wait_sent(4, chat=GROUP))[3]
        assert plain(fourth.text) == texts.ASK_IN_GROUP
    assert len(fake.sent(chat=GROUP)) == 4  # chatter, sticker and the unknown command: silence


async def test_stale_buttons_after_a_restart(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("wat is een kwe+?", user=USER)
        (answer,) = await fake.wait_sent(1, chat=USER)
    buttons = dict(answer.buttons())
    source_button = next(d for label, d in buttons.items() if label.startswith("Toon bron"))
    async with running_bot(fake, db, shipped_index):  # a new Application on the same database
        fake.redeliver(fake.pushed[0])  # Telegram repeats the question: it is not answered twice
        fake.press(source_button, fake.bot_message(answer), USER)
        source = (await fake.wait_sent(2, chat=USER))[1]
        assert source.text.startswith("📄 <b>")
        fake.press("x:onzin", fake.bot_message(answer), USER)
        fake.press("b:zzzz:1", fake.bot_message(answer), USER)
        await fake.wait_sent(3, "answerCallbackQuery")
    toasts = [c.params.get("text") for c in fake.sent("answerCallbackQuery")]
    assert texts.UNKNOWN_BUTTON in toasts and texts.STALE_BUTTON in toasts


async def test_admin_commands_and_refusals(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("appeltaart met kaneel bakken", user=USER)
        fake.text("appeltaart met kaneel bakken", user=OTHER)
        await fake.wait_sent(2)
        fake.text("/status", user=USER)
        refusal = (await fake.wait_sent(2, chat=USER))[1]
        assert plain(refusal.text) == texts.ADMIN_ONLY
        fake.text("/status", user=ADMIN_ID)
        (status,) = await fake.wait_sent(1, chat=ADMIN_ID)
        assert (
            "4 documenten" in status.text
            and "Vragen vandaag: 2 (zonder antwoord: 2)" in status.text
        )
        fake.text("/rapport", user=ADMIN_ID)
        report = (await fake.wait_sent(2, chat=ADMIN_ID))[1]
        assert "appeltaart met kaneel bakken (2x: 2 geen antwoord)" in plain(report.text)
        (document,) = await fake.wait_sent(1, "sendDocument", chat=ADMIN_ID)
        csv_file = document.params["document"]
        assert csv_file["filename"].endswith(".csv")
        assert "appeltaart met kaneel bakken" in csv_file["content"].decode("utf-8-sig")
        fake.text("/status", user=ADMIN_ID, chat=GROUP)
        (in_group,) = await fake.wait_sent(1, chat=GROUP)
        assert plain(in_group.text) == texts.ADMIN_PRIVATE_ONLY
    store = Store(db)
    log = [(r["user_id"], r["allowed"]) for r in store.db["admin_log"].rows]
    assert (USER, 0) in log and (ADMIN_ID, 1) in log and (ADMIN_ID, 0) in log
    store.close()


async def test_vergeet_deletes_everything_after_confirmation(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("wat is een kwg?", user=USER)
        fake.text("wat is een kwg?", user=OTHER)
        await fake.wait_sent(2)
        fake.text("/vergeet", user=USER)
        confirm = (await fake.wait_sent(2, chat=USER))[1]
        choices = dict(confirm.buttons())
        assert set(choices) == {"Ja, wis alles", "Nee"}
        fake.press(choices["Ja, wis alles"], fake.bot_message(confirm), USER)
        done = (await fake.wait_sent(3, chat=USER))[2]
        assert plain(done.text).startswith("Gedaan: alles van deze chat is gewist")
    store = Store(db)
    assert (
        store.db.execute("select count(*) from questions where chat_id = ?", [USER]).fetchone()[0]
        == 0
    )
    assert (
        store.db.execute("select count(*) from questions where chat_id = ?", [OTHER]).fetchone()[0]
        == 1
    )
    store.close()


async def test_bad_input_gets_short_replies(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.sticker(user=USER)
        (reply,) = await fake.wait_sent(1, chat=USER)
        assert plain(reply.text) == texts.NOT_TEXT
        fake.text("😀🙈🔥", user=USER)
        fake.text("<b>keuken</b> *kwg* <script>", user=USER)
        fake.text("keuken kwg " * 400, user=USER)
        fake.text("/onbekend iets", user=USER)
        fake.text("/start", user=USER)
        fake.text("/help", user=USER)
        fake.text("/bronnen", user=USER)
        fake.text("/privacy", user=USER)
        replies = await fake.wait_sent(9, chat=USER)
    shown = [plain(c.text) for c in replies]
    assert texts.NO_ANSWER in shown
    assert "<script>" not in "".join(c.text for c in replies)
    assert any("ken ik niet" in s for s in shown)
    assert any(s.startswith(texts.WELCOME) for s in shown)
    assert any("/vergeet - " in s for s in shown)
    assert any("Programma van Eisen Huisvesting (versie 2027)" in s for s in shown)
    assert any("180 dagen" in s for s in shown)
    assert all(len(c.text) <= 4096 for c in replies)


async def test_per_user_limit_says_slow_down(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    options = {"question_limit": SlidingWindowLimit(limit=3, period=60)}
    async with running_bot(fake, db, shipped_index, assistant_options=options):
        for _ in range(4):
            fake.text("wat is een kwg?", user=USER)
        replies = await fake.wait_sent(4, chat=USER)
        fake.text("wat is een kwg?", user=OTHER)
        (other,) = await fake.wait_sent(1, chat=OTHER)
    assert [plain(c.text) for c in replies].count(texts.SLOW_DOWN) == 1
    assert plain(other.text) != texts.SLOW_DOWN


async def test_faults_lose_no_reply(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    fake.inject("sendMessage", "429", 1)
    fake.inject("sendMessage", "500", times=2)
    fake.inject("sendMessage", "slow", 1.5)
    async with running_bot(fake, db, shipped_index):
        for i, question in enumerate(["wat is een kwg?", "wat is een kwe?", "wat is een kwe+?"]):
            fake.text(question, user=USER + i)
        for i in range(3):
            (reply,) = await fake.wait_sent(1, chat=USER + i, timeout=20)
            assert "📄" in reply.text
        fake.inject("answerCallbackQuery", "500")
        fake.press(dict(reply.buttons())["👍"], fake.bot_message(reply), USER + 2)
        await fake.wait_sent(1, "answerCallbackQuery", timeout=10)
    assert len(fake.failed) == 4  # the 429, two 500s and the failed answerCallbackQuery


async def test_flow_in_a_private_chat(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, db, shipped_index):
        fake.text("/woonvorm", user=USER)
        (question,) = await fake.wait_sent(1, chat=USER)
        assert "Voor hoeveel jongeren" in plain(question.text)
        fake.text("veel", user=USER)
        correction = (await fake.wait_sent(2, chat=USER))[1]
        assert plain(correction.text).startswith("Ik verwacht een getal, bijvoorbeeld 12.")
        fake.text("4", user=USER)
        choice = (await fake.wait_sent(3, chat=USER))[2]
        options = dict(choice.buttons())
        fake.press(
            options[
                "Zij zijn al vrij zelfstandig en hebben vooral hulp nodig bij administratieve zaken"
            ],
            fake.bot_message(choice),
            USER,
        )
        result = (await fake.wait_sent(4, chat=USER))[3]
        assert "Kleinschalige wooneenheid (KWE)" in plain(result.text)
        assert "Bron: Draaiboek KSO › De drie woonvormen van de KSO" in plain(result.text)
        fake.press(options["Ertussenin"], fake.bot_message(choice), USER)  # stale: the flow is done
        await fake.wait_for(
            lambda f: any(
                "afgelopen of gestopt" in str(c.params.get("text"))
                for c in f.sent("answerCallbackQuery")
            )
        )


async def test_deadline_in_a_group_and_reminder_firing(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    import datetime as dt

    now = [dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)]
    options = {"clock": lambda: now[0].timestamp()}
    async with running_bot(fake, db, shipped_index, assistant_options=options) as app:
        fake.text(f"/deadline@{BOT_USERNAME}", user=USER, chat=GROUP)
        (first,) = await fake.wait_sent(1, chat=GROUP)
        assert first.markup.get("force_reply") is True  # privacy mode: typed answers are replies
        fake.text("gisteren", user=OTHER, chat=GROUP)  # not a reply: group chatter, ignored
        fake.text("15-3-2026", user=OTHER, chat=GROUP, reply_to=fake.bot_message(first))
        second = (await fake.wait_sent(2, chat=GROUP))[1]
        assert "geboortedatum" in plain(second.text)
        fake.text("overslaan", user=USER, chat=GROUP, reply_to=fake.bot_message(second))
        result = (await fake.wait_sent(3, chat=GROUP))[2]
        text = plain(result.text)
        assert "📅 15 september 2026 (2 maanden geleden)" in text
        assert "📅 15 maart 2027 (over 3 maanden)" in text
        buttons = dict(result.buttons())
        fake.press(buttons["🔔 op 15 maart 2027"], fake.bot_message(result), OTHER)
        confirm = (await fake.wait_sent(4, chat=GROUP))[3]
        assert "op 15 maart 2027 om 9:00 uur" in plain(confirm.text)
        fake.text("dossier 12", user=OTHER, chat=GROUP, reply_to=fake.bot_message(confirm))
        renamed = (await fake.wait_sent(5, chat=GROUP))[4]
        assert plain(renamed.text) == "De herinnering heet nu: dossier 12"

        from bot.faces.telegram_app import send_due_reminders

        now[0] = dt.datetime(2027, 3, 15, 8, 0, 30, tzinfo=dt.UTC)  # 09:00 in Amsterdam
        assert app.job_queue is not None
        app.job_queue.run_once(send_due_reminders, 0)
        reminder = (await fake.wait_sent(6, chat=GROUP))[5]
        assert plain(reminder.text) == "🔔 Herinnering: 15 maart 2027 (vandaag)\ndossier 12"
        app.job_queue.run_once(send_due_reminders, 0)  # sent once, not again
        fake.text("/herinneringen", user=USER, chat=GROUP)
        listing = (await fake.wait_sent(7, chat=GROUP))[6]
        assert "Er staan geen herinneringen" in plain(listing.text)


async def test_reminder_for_a_chat_that_removed_the_bot_is_dropped(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    import datetime as dt

    from bot.faces.telegram_app import send_due_reminders

    store = Store(db)
    store.flows.add_reminder(
        -555,
        "Einde termijn",
        dt.date.fromisoformat("2027-03-15"),
        dt.date.fromisoformat("2027-03-15"),
    )
    store.close()
    now = [dt.datetime(2027, 3, 15, 9, tzinfo=dt.UTC)]
    fake.inject("sendMessage", "forbidden")
    async with running_bot(
        fake, db, shipped_index, assistant_options={"clock": lambda: now[0].timestamp()}
    ) as app:
        assert app.job_queue is not None
        app.job_queue.run_once(send_due_reminders, 0)
        await fake.wait_for(lambda f: len(f.failed) == 1)
        await fake.wait_for(lambda f: Store(db).flows.reminders(-555) == [])


async def test_vergeet_in_a_group_is_for_its_administrators(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    fake.group_admins.add(OTHER)
    async with running_bot(fake, db, shipped_index):
        fake.text("/vergeet", user=USER, chat=GROUP)
        (refused,) = await fake.wait_sent(1, chat=GROUP)
        assert plain(refused.text) == texts.FORGET_GROUP_ADMINS
        fake.text("/vergeet", user=OTHER, chat=GROUP)
        confirm = (await fake.wait_sent(2, chat=GROUP))[1]
        yes = dict(confirm.buttons())["Ja, wis alles"]
        fake.press(yes, fake.bot_message(confirm), USER)  # a member presses the admin's button
        await fake.wait_for(
            lambda f: any(
                c.params.get("text") == texts.FORGET_GROUP_ADMINS
                for c in f.sent("answerCallbackQuery")
            )
        )
        fake.press(yes, fake.bot_message(confirm), OTHER)
        done = (await fake.wait_sent(3, chat=GROUP))[2]
        assert plain(done.text).startswith("Gedaan: alles van deze chat is gewist")


async def test_reminders_from_before_a_restart_are_sent_by_the_scheduled_check(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    import datetime as dt

    store = Store(db)
    store.flows.add_reminder(
        USER,
        "Einde termijn",
        dt.date.fromisoformat("2027-03-15"),
        dt.date.fromisoformat("2027-02-15"),
    )
    store.close()
    now = dt.datetime(2027, 2, 15, 8, 30, tzinfo=dt.UTC)  # 09:30 in Amsterdam
    options = {"clock": lambda: now.timestamp()}
    async with running_bot(fake, db, shipped_index, assistant_options=options):
        (reminder,) = await fake.wait_sent(1, chat=USER, timeout=15)  # no command: the job runs
    assert plain(reminder.text) == "🔔 Herinnering: 15 maart 2027 (over 1 maand)\nEinde termijn"

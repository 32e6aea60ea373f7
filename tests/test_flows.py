"""The flow engine, the flow files and flows in a conversation (without Telegram)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.assistant import Assistant, Chat
from bot.flows import engine
from bot.knowledge import KnowledgeBase, check_knowledge
from bot.parsing import ParseError
from bot.replies import Outcome
from bot.store import FlowStatus, Store
from tests.conftest import KNOWLEDGE

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(KNOWLEDGE)


def clock_at(day: dt.date, hour: int = 12) -> float:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    "start,years,months,expected",
    [
        ("2025-08-31", 0, 6, "2026-02-28"),  # month end: no 31 February
        ("2027-08-31", 0, 6, "2028-02-29"),  # leap year
        ("2026-03-31", 0, 6, "2026-09-30"),
        ("2026-03-15", 0, 12, "2027-03-15"),  # the temporary extension: 6 + 6 months
        ("2024-02-29", 0, 12, "2025-02-28"),
        ("2008-02-29", 18, 0, "2026-02-28"),  # an 18th birthday on 29 February
        ("2009-08-31", 17, 6, "2027-02-28"),  # 17,5 years
        ("2009-01-31", 21, 0, "2030-01-31"),
    ],
)
def test_deadline_terms(
    kb: KnowledgeBase, start: str, years: int, months: int, expected: str
) -> None:
    flow = kb.flows["deadline"]
    term = next(d for d in flow.dates if d.years == years and d.months == months)
    answers = {term.start: start}
    result = engine.result(flow, answers, TODAY)
    assert any(d.day.isoformat() == expected and d.label == term.label for d in result.dates)


@pytest.mark.parametrize(
    "day,expected",
    [
        (dt.date(2026, 11, 22), "vandaag"),
        (dt.date(2027, 3, 22), "over 4 maanden"),
        (dt.date(2026, 12, 4), "over 12 dagen"),
        (dt.date(2026, 11, 10), "12 dagen geleden"),
        (dt.date(2029, 12, 1), "over 3 jaar"),
        (dt.date(2026, 12, 23), "over 1 maand"),
    ],
)
def test_relative_descriptions(day: dt.date, expected: str) -> None:
    assert engine.relative(day, TODAY) == expected


def test_pandcheck_verdicts_cite_their_articles(kb: KnowledgeBase) -> None:
    flow = kb.flows["pandcheck"]
    answers = {
        "woonvorm": "Weet ik niet",
        "aantal_jongeren": 10,
        "huiskamer": "40",
        "keuken": "11.5",
        "woonwijk": "ja",
        "installaties": ["legionella"],  # ticked: present; not ticked: absent
        "brandveiligheid": "weet ik niet",  # the whole group still to check
    }
    assert engine.effective(flow, answers)["woonvorm"] == "KWG"  # derived from 10 jongeren
    verdicts = {v.label: v for v in engine.result(flow, answers, TODAY).verdicts}
    assert verdicts["Huiskamer van minimaal 5 m2 per jongere"].status == engine.FAIL
    assert "nodig 50 m2" in verdicts["Huiskamer van minimaal 5 m2 per jongere"].detail
    assert verdicts["Keukenruimte van minimaal 11,5 m2"].status == engine.PASS
    assert verdicts["Elektrische installatie volgens NEN 3140"].status == engine.FAIL
    assert verdicts["Legionellapreventie volgens NEN 6265"].status == engine.PASS
    assert verdicts["Elektrische installatie volgens NEN 3140"].source == "pve-huisvesting#4-4"
    fire = [v for v in verdicts.values() if v.source.startswith("pve-huisvesting#4-6")]
    assert fire and {v.status for v in fire} == {engine.OPEN}  # only the KWG's fire items
    assert "Sproeischuimblusser van 2 kg en blusdeken in de keuken" not in verdicts
    assert (
        verdicts["Keukenruimte van minimaal 11,5 m2"].source == "pve-huisvesting#8-1-keukenruimte"
    )


def test_requirements_follow_the_woonvorm(kb: KnowledgeBase) -> None:
    flow = kb.flows["pandcheck"]
    kwe = {"woonvorm": "KWE", "aantal_jongeren": 4}
    ids = {s.id for s in flow.steps if engine.applies(flow, s, kwe)}
    assert "keuken" not in ids and "inrichting" in ids and "tweede_vluchtweg" not in ids
    inrichting = flow.step("inrichting")
    assert inrichting is not None
    shown = {i.id for i in engine.items_for(inrichting, kwe)}
    assert "kookvoorziening" in shown  # a KWE item of the group
    kwg = {i.id for i in engine.items_for(inrichting, {"woonvorm": "KWG"})}
    assert "kookvoorziening" not in kwg
    assert "tweede_vluchtweg" in {
        s.id for s in flow.steps if engine.applies(flow, s, {**kwe, "loopafstand": "30"})
    }
    assert "tienermoeder_veiligheid" in {
        s.id for s in flow.steps if engine.applies(flow, s, {**kwe, "tienermoeder": "ja"})
    }


def test_shipped_flows_have_no_problems() -> None:
    assert check_knowledge(KNOWLEDGE) == []


def test_broken_flow_files_are_reported_with_lines(tmp_path: Path) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "flows" / "kapot.yaml"
    path.write_text(
        "id: kapot\ntitle: Kapot\nsteps:\n"
        "  - id: a\n    ask: Vraag?\n    type: raadsel\n"
        "  - id: b\n    ask: Hoe groot?\n    type: oppervlakte\n    applies_to: [KWX]\n"
        "    rule: {min: 5}\n    label: Groot\n    source: pve-huisvesting#bestaat-niet\n"
        "  - id: c\n    ask: Hoeveel?\n    type: getal\n    when: {onbekend: ja}\n"
        "    rule: {min: 3}\n    label: Genoeg\n    source: pve-huisvesting#6\n",
        "utf-8",
    )
    shown = [str(p) for p in check_knowledge(folder)]
    assert (
        f"{path}:4: fout: onbekend type 'raadsel' "
        "(kies uit ja_nee, keuze, aantal, getal, oppervlakte, afstand, datum, aanvinken)" in shown
    )
    assert any(s.startswith(f"{path}:7: fout: onbekende woonvorm 'KWX'") for s in shown)
    assert any(s.startswith(f"{path}:7: fout: bron 'pve-huisvesting#bestaat-niet'") for s in shown)
    assert any(
        s.startswith(f"{path}:14: fout: 'when' verwijst naar onbekende stap 'onbekend'")
        for s in shown
    )
    assert any(s.startswith(f"{path}:14: waarschuwing: drempel zonder eenheid") for s in shown)


@pytest.fixture
def assistant(kb: KnowledgeBase, tmp_path: Path) -> Assistant:
    return Assistant(kb, Store(tmp_path / "flows.db"), clock=lambda: clock_at(TODAY))


CHAT = Chat(5, "private", 5)


def press(a: Assistant, label: str, outcome: Outcome) -> Outcome:
    buttons = [b for r in outcome.replies for row in r.buttons for b in row]
    (button,) = [b for b in buttons if b.label == label]
    return a.press(CHAT, button.action)


def test_woonvorm_flow_with_buttons_and_typing(assistant: Assistant) -> None:
    first = assistant.start_flow(CHAT, "woonvorm")
    assert "Voor hoeveel jongeren" in first.replies[0].text
    second = assistant.message(CHAT, "heel veel")
    assert second.replies[0].text.startswith("Ik verwacht een getal, bijvoorbeeld 12.")
    assert "Voor hoeveel jongeren" in second.replies[0].text  # the question again
    second = assistant.message(CHAT, "zeven")
    assert "Hoe zelfstandig" in second.replies[0].text
    done = press(assistant, "Ertussenin", second)
    text = done.replies[0].text
    assert "Kleinschalige wooneenheid+ (KWE+): 6 tot 8 jongeren" in text
    assert "Bron: Draaiboek KSO › De drie woonvormen van de KSO › Begeleiding" in text
    assert assistant.store.flows.active_session(CHAT.id) is None


def test_back_stop_resume_and_stale_buttons(
    assistant: Assistant, kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = assistant.start_flow(CHAT, "pandcheck")
    press(assistant, "KWE", first)
    third = assistant.message(CHAT, "4")
    assert "stedelijk gebied" in third.replies[0].text
    back = press(assistant, "↩ Vorige", third)
    assert "Voor hoeveel jongeren" in back.replies[0].text
    stale = press(assistant, "Ja", third)  # a button of a question that is no longer current
    assert stale.notice == "Deze vraag is al beantwoord."
    assistant.message(CHAT, "4")
    # a restart: a new assistant on the same database resumes where the user was
    again = Assistant(kb, Store(tmp_path / "flows.db"), clock=lambda: clock_at(TODAY))
    resumed = again.start_flow(CHAT, "pandcheck")
    assert resumed.replies[0].text.startswith("U was hier gebleven")
    assert "stedelijk gebied" in resumed.replies[0].text
    stopped = again.stop(CHAT)
    assert stopped.replies[0].text.startswith("Gestopt met 'Is dit pand geschikt?'")
    late = press(again, "Ja", resumed)
    assert late.alert and "afgelopen of gestopt" in late.notice


def test_full_pandcheck_gives_verdict_and_document(assistant: Assistant) -> None:
    outcome = assistant.start_flow(CHAT, "pandcheck")
    outcome = press(assistant, "KWG", outcome)
    typed = {
        "Voor hoeveel jongeren": "10",
        "Hoeveel slaapkamers": "10",
        "Hoe groot is de huiskamer": "45 m2",
        "Hoe groot is de keukenruimte": "12m²",
        "kantoor en slaapwacht": "8",
        "Hoeveel badkamers": "2",
        "Hoeveel toiletten": "1",
        "in een woonwijk": "ja",  # a typed answer to a button question counts too
    }
    for _ in range(60):
        reply = outcome.replies[0]
        if "Uitkomst" in reply.text:
            break
        answer = next((v for k, v in typed.items() if k in reply.text), None)
        if "Elektra en water" in reply.text:  # tick the first, then Klaar
            ticked = press(assistant, "☐ 1. Elektrische installatie volgens NEN 3140", outcome)
            assert ticked.edit and "1. ☑ Elektrische" in ticked.replies[0].text
            outcome = press(assistant, "Klaar (1 aangevinkt)", ticked)
        elif "vink aan wat aanwezig is" in reply.text:
            outcome = press(assistant, "Alles aanwezig", outcome)
        else:
            outcome = assistant.message(CHAT, answer) if answer else press(assistant, "Ja", outcome)
    text = outcome.replies[0].text
    # the verdict first, naming what fails, then what fails before what complies
    failing = text.count("❌")
    assert failing == 4
    first = text.split("\n\n")[0]
    assert first.startswith("Voldoet niet op 4 punten: Huiskamer van minimaal 5 m2 per jongere")
    assert "Legionellapreventie volgens NEN 6265" in text.split("Voldoet niet (4):")[1]
    assert text.index("❌ Minimaal 2 toiletten") < text.index("✅ Keukenruimte")
    assert "❌ Huiskamer van minimaal 5 m2 per jongere (u gaf 45 m2, nodig 50 m2)" in text
    assert "❌ Minimaal 2 toiletten (u gaf 1)" in text
    assert "✅ Keukenruimte van minimaal 11,5 m2" in text
    assert (
        "Bron: PvE Huisvesting › 8. Benodigde ruimten en vereisten per woonvorm › 8.1 KWG › "
        "Keukenruimte 11,5 m2" in text
    )
    assert "60% van de inrichtingsvergoeding" in text
    document = press(assistant, "Als document", outcome)
    attachment = document.replies[0].attachment
    assert attachment is not None
    assert attachment.filename.endswith(".md") and b"# Is dit pand geschikt?" in attachment.content


def test_deadline_forgets_the_birth_date_and_sets_reminders(assistant: Assistant) -> None:
    assistant.start_flow(CHAT, "deadline")
    wrong = assistant.message(CHAT, "1-1-2027")
    assert "ligt in de toekomst" in wrong.replies[0].text
    assistant.message(CHAT, "15-3-2026")
    too_old = assistant.message(CHAT, "1-1-1996")
    assert "is de jongere nu 30 jaar" in too_old.replies[0].text
    done = assistant.message(CHAT, "31 augustus 2009")
    text = done.replies[0].text
    assert (
        "📅 15 maart 2027 (over 3 maanden): Einde van de termijn met de tijdelijke verlenging"
        in text
    )
    assert "📅 28 februari 2027" in text
    session = assistant.store.db.execute("select answers from flow_sessions").fetchall()[-1][0]
    assert "2009" not in session and "verzoekdatum" in session
    reminder = press(assistant, "🔔 15 maart 2027: 1 maand vooraf", done)
    assert "op 15 februari 2027 om 9:00 uur" in reminder.replies[0].text
    listing = assistant.reminders(CHAT)
    assert "15 februari 2027 over 15 maart 2027" in listing.replies[0].text
    (row,) = assistant.store.db.execute("select due, send_on, label from reminders").fetchall()
    assert row[:2] == ("2027-03-15", "2027-02-15") and "2009" not in str(row)
    # the name prompt: a question typed there is answered, and the name stays
    prompt = reminder.replies[0].prompt
    assert prompt is not None
    assistant.delivered(CHAT.id, 555, prompt, asked=CHAT.user_id)
    answer = assistant.reply_to_prompt(CHAT, 555, "hoeveel m2 moet de keuken van een kwg zijn")
    assert answer is not None and answer.replies[0].answer is not None
    assert "11,5" in answer.replies[0].answer.text
    assert assistant.store.db.execute("select label from reminders").fetchone() == (row[2],)


def test_reminders_are_due_at_nine_in_amsterdam(kb: KnowledgeBase, tmp_path: Path) -> None:
    now = [dt.datetime(2027, 2, 15, 7, 59, tzinfo=dt.UTC)]  # 08:59 in Amsterdam (winter time)
    a = Assistant(kb, Store(tmp_path / "r.db"), clock=lambda: now[0].timestamp())
    a.store.flows.add_reminder(
        CHAT.id,
        "Einde termijn",
        dt.date.fromisoformat("2027-03-15"),
        dt.date.fromisoformat("2027-02-15"),
    )
    assert a.flows.reminders.due() == []
    now[0] = dt.datetime(2027, 2, 15, 8, 0, tzinfo=dt.UTC)  # 09:00 in Amsterdam
    ((_, chat_id, message),) = a.flows.reminders.due()
    assert chat_id == CHAT.id and "15 maart 2027 (over 1 maand)" in message.text


def test_the_deadline_leads_with_the_next_date_and_says_what_has_passed(
    assistant: Assistant,
) -> None:
    assistant.start_flow(CHAT, "deadline")
    request = TODAY - dt.timedelta(days=200)  # the regular 6 months have passed, 12 have not
    assistant.message(CHAT, request.strftime("%d-%m-%Y"))
    outcome = assistant.message(CHAT, "weet ik niet")  # no date of birth
    text = outcome.replies[0].text
    first, second = text.splitlines()[:2]
    assert first.startswith("Eerstvolgende datum: ")
    assert "tijdelijke verlenging" in first
    assert second.startswith("Al verstreken: Einde van de reguliere termijn van 6 maanden")


@pytest.mark.parametrize(
    "number,independent,expected,not_expected",
    [
        ("25", False, "Meer dan 12 jongeren past niet in één woonvorm", "Let op"),
        ("2", False, "Voor 1 of 2 jongeren: overleg met Nidos", "Meer dan 12"),
        ("10", True, "Let op: het aantal past bij een KWG", "Voor jongeren voor wie continue"),
    ],
)
def test_woonvorm_explains_numbers_that_do_not_fit(
    assistant: Assistant, number: str, independent: bool, expected: str, not_expected: str
) -> None:
    outcome = assistant.start_flow(CHAT, "woonvorm")
    outcome = assistant.message(CHAT, number)
    assert "Hoe zelfstandig" in outcome.replies[0].text  # the flow goes on, whatever the number
    label = "Zij zijn al vrij zelfstandig" if independent else "Ertussenin"
    buttons = [b for r in outcome.replies for row in r.buttons for b in row]
    (button,) = [b for b in buttons if b.label.startswith(label)]
    text = assistant.press(CHAT, button.action).replies[0].text
    assert expected in text and not_expected not in text


def test_vorige_shows_the_answer_given(assistant: Assistant) -> None:
    assistant.start_flow(CHAT, "woonvorm")
    assistant.message(CHAT, "7")
    text = assistant.back(CHAT).replies[0].text
    assert text.startswith("Terug naar de vorige vraag. U antwoordde eerder: 7.")
    assert "Voor hoeveel jongeren" in text


def _pandcheck_until(assistant: Assistant, woonvorm: str, jongeren: str) -> Outcome:
    """Start a pandcheck with this woonvorm and number of jongeren, then answer every question
    with a typed answer that fits it ('ja', 'alles', '3', '30 m2') until the outcome."""
    outcome = press(assistant, woonvorm, assistant.start_flow(CHAT, "pandcheck"))
    outcome = assistant.message(CHAT, jongeren)
    for _ in range(40):
        text = outcome.replies[0].text
        if "Uitkomst" in text:
            return outcome
        if "vink aan" in text:
            answer = "alles"
        elif "m2" in text or "meters" in text:
            answer = "30"
        elif "Hoeveel" in text:
            answer = "3"
        else:
            answer = "ja"
        outcome = assistant.message(CHAT, answer)
    raise AssertionError("the pandcheck did not finish")


def test_an_unknown_woonvorm_is_derived_from_the_number_and_the_assumption_said(
    assistant: Assistant,
) -> None:
    text = _pandcheck_until(assistant, "Weet ik niet", "10").replies[0].text
    assert "U wist de woonvorm niet. Ik ben uitgegaan van een KWG, afgeleid uit het aantal " in text
    assert "Keukenruimte van minimaal 11,5 m2" in text  # the KWG's requirements are checked


def test_an_unknown_woonvorm_and_number_check_every_woonvorm(assistant: Assistant) -> None:
    outcome = _pandcheck_until(assistant, "Weet ik niet", "weet ik niet")
    text = outcome.replies[0].text
    assert "getoetst aan de eisen van alle woonvormen (KWG, KWE en KWE+)" in text
    # the kitchen, bathroom and fire requirements are not dropped, and say whose they are
    assert "Keukenruimte van minimaal 11,5 m2 (bij een KWG)" in text
    assert "Minimaal 1 badkamer (bij een KWE of KWE+)" in text
    assert "Rookmelders op alle verdiepingen in de gangen (verkeersruimten) (bij een KWG)" in text
    # 'Hoeveel badkamers?' is asked once for both
    session = assistant.store.flows.latest_session(CHAT.id, FlowStatus.DONE)
    assert session is not None and "badkamers_kwg" in session.answers
    assert "badkamers_kwe" not in session.answers
    # a requirement of every woonvorm cites both rows, never the KWG's alone
    for line in text.splitlines():
        if "8.1 KWG" in line and "(bij een KWG)" not in text.split(line)[0].splitlines()[-1]:
            assert "8.2 KWE(+)" in line, line


def test_a_kwe_pandcheck_cites_the_kwe_rows(assistant: Assistant) -> None:
    text = _pandcheck_until(assistant, "KWE", "4").replies[0].text
    assert "8.2 KWE(+) › Huiskamer minimaal 5m2 per jongere" in text
    assert "8.2 KWE(+) › Internet" in text
    assert "8.1 KWG" not in text


def test_ticks_typed_as_numbers_words_or_dont_know(assistant: Assistant) -> None:
    flow = assistant.knowledge.flows["pandcheck"]
    step = flow.step("brandveiligheid")
    assert step is not None
    kwg = engine.items_for(step, {"woonvorm": "KWG"})
    assert engine.answer_text(step, "1 3", TODAY, kwg) == [kwg[0].id, kwg[2].id]
    assert engine.answer_text(step, "1, 2 en 4", TODAY, kwg) == [kwg[0].id, kwg[1].id, kwg[3].id]
    assert engine.answer_text(step, "alles", TODAY, kwg) == [i.id for i in kwg]  # shown only
    assert engine.answer_text(step, "niets", TODAY, kwg) == []
    assert engine.answer_text(step, "geen idee", TODAY, kwg) == "weet ik niet"
    for wrong in ("9", "1 x", "brandblusser", "1 " + "9" * 5000):  # no int() of 5000 digits
        with pytest.raises(ParseError, match="bijvoorbeeld 1 3"):
            engine.answer_text(step, wrong, TODAY, kwg)


def _until_the_first_tick_question(assistant: Assistant) -> Outcome:
    """A KWG pandcheck for 10 jongeren, answered by typing, up to its first 'vink aan'."""
    outcome = press(assistant, "KWG", assistant.start_flow(CHAT, "pandcheck"))
    outcome = assistant.message(CHAT, "10")
    for _ in range(30):
        text = outcome.replies[0].text
        if "vink aan" in text:
            return outcome
        typed = "30" if "m2" in text else "3" if "Hoeveel" in text else "ja"
        outcome = assistant.message(CHAT, typed)
    raise AssertionError("no 'vink aan' question")


def test_a_forged_tick_of_an_item_not_shown_changes_nothing(assistant: Assistant) -> None:
    from bot.actions import FlowTick

    _until_the_first_tick_question(assistant)
    session = assistant.store.flows.active_session(CHAT.id)
    assert session is not None
    flow = assistant.knowledge.flows["pandcheck"]
    step = engine.current_step(flow, session.answers)
    assert step is not None
    shown = engine.items_for(step, engine.effective(flow, session.answers))
    hidden = [n for n, item in enumerate(step.items) if item not in shown]
    assert hidden, "the KWG skips an item of this question"
    number = len(session.history) + 1
    forged = assistant.press(CHAT, FlowTick(session.id, number, hidden[0]))
    assert forged.notice == "Deze vraag is al beantwoord." and not forged.replies
    after = assistant.store.flows.active_session(CHAT.id)
    assert after is not None and not after.answers.get(engine.DRAFT + step.id)


def test_a_user_back_after_a_while_is_asked_first(kb: KnowledgeBase) -> None:
    now = [clock_at(TODAY)]
    store = Store(None, clock=lambda: now[0])
    assistant = Assistant(kb, store, clock=lambda: now[0])
    assistant.start_flow(CHAT, "pandcheck")
    assistant.message(CHAT, "KWG")
    now[0] += 31 * 60  # away for 31 minutes
    asked = assistant.message(CHAT, "hoe groot moet de keuken van een kwg zijn?")
    last = asked.replies[-1]
    assert last.text.startswith("U was bezig met 'Is dit pand geschikt?' (vraag 2 van ongeveer")
    assert last.text.endswith("Verdergaan of stoppen?")
    assert asked.replies[0].answer is not None  # the question got its answer first
    go_on = press(assistant, "Verdergaan", asked)
    assert "Voor hoeveel jongeren" in go_on.replies[0].text
    now[0] += 3600
    taken = assistant.message(CHAT, "10")  # a valid answer is taken, and said so
    assert taken.replies[0].text.startswith(
        "Dit antwoord hoort bij 'Is dit pand geschikt?': daar ga ik mee verder."
    )
    assert "vraag 3" in taken.replies[0].text
    # not away: a text that is no answer just gets the question again
    again = assistant.message(CHAT, "banaan")
    assert "U was bezig" not in again.replies[-1].text


def test_start_with_a_flow_open_asks_whether_to_go_on(assistant: Assistant) -> None:
    assistant.start_flow(CHAT, "deadline")
    started = assistant.start(CHAT)
    assert started.replies[-1].text.startswith("U was bezig met")
    stop = press(assistant, "Stoppen", started)
    assert "Gestopt met" in stop.replies[0].text
    assert len(assistant.start(CHAT).replies) == 1  # nothing open: only the welcome


def test_a_result_as_a_word_document(assistant: Assistant) -> None:
    import io

    import docx

    outcome = _pandcheck_until(assistant, "KWG", "10")
    document = press(assistant, "Als Word-document", outcome)
    attachment = document.replies[0].attachment
    assert attachment is not None
    assert attachment.filename.endswith(".docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(attachment.content)).paragraphs]
    assert paragraphs[0] == "Is dit pand geschikt?"
    verdict = paragraphs[2]
    assert verdict.startswith("Voldoet niet op 2 punten: Minimaal 6 slaapkamers")
    body = "\n".join(paragraphs)
    assert (
        "Bron: PvE Huisvesting › 8. Benodigde ruimten en vereisten per woonvorm › 8.1 KWG" in body
    )


def test_the_readme_and_help_show_the_flows_as_they_behave(assistant: Assistant) -> None:
    from bot.flows.definitions import TYPES
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    assert all(kind in readme for kind in TYPES)  # every step type staff may use
    for shown in ("vink aan wat aanwezig is", "Als Word-document", "Verdergaan of stoppen?"):
        assert shown in readme
    shown_help = assistant.help(CHAT).replies[0].text
    assert "vink aan wat aanwezig is" in shown_help and "Word" in shown_help


def test_statuses_prompt_kinds_and_step_types_are_typed_and_old_rows_still_load(
    tmp_path: Path,
) -> None:
    from bot.flows.definitions import StepType, load_flows
    from bot.replies import PromptKind
    from bot.store import FlowStatus, Store

    store = Store(tmp_path / "v.db")
    session = store.flows.start_session(7, "woonvorm")
    assert session.status is FlowStatus.ACTIVE
    with store.db.conn:  # a row as an older version wrote it: a bare string
        store.db.execute("update flow_sessions set status = 'done' where id = ?", [session.id])
    done = store.flows.latest_session(7, FlowStatus.DONE)
    assert done is not None and done.status is FlowStatus.DONE
    store.prompts.add_pending(7, 99, 1, PromptKind.MISSING, 3)
    row = store.db.execute("select kind from pending").fetchone()
    assert row == ("missing",) and type(row[0]) is str  # stored readable, as before
    pending = store.prompts.pending(7, 99)
    assert pending is not None and PromptKind(pending.kind) is PromptKind.MISSING
    store.close()
    steps = load_flows(KNOWLEDGE)[0]
    assert all(isinstance(s.type, StepType) for f in steps for s in f.steps)


def test_vorige_at_the_first_question_says_there_is_none(assistant: Assistant) -> None:
    assistant.start_flow(CHAT, "woonvorm")
    text = assistant.back(CHAT).replies[0].text
    assert text.startswith("Dit is de eerste vraag: er is geen vorige.")
    assert "Terug naar de vorige vraag" not in text


def test_a_pandcheck_of_only_unknowns_checked_nothing(assistant: Assistant) -> None:
    outcome = press(assistant, "Weet ik niet", assistant.start_flow(CHAT, "pandcheck"))
    for _ in range(40):
        text = outcome.replies[0].text
        if "Uitkomst" in text:
            break
        outcome = assistant.message(CHAT, "weet ik niet")
    first = outcome.replies[0].text.split("\n\n")[0]
    assert first.startswith("Nog niets getoetst: alle ") and "Voldoet" not in first


def test_klaar_typed_at_a_tick_question_is_the_klaar_button(assistant: Assistant) -> None:
    outcome = _until_the_first_tick_question(assistant)
    first_tick = outcome.replies[0].text.split("vink aan")[0]
    ticked = press(
        assistant,
        next(
            b.label
            for r in outcome.replies
            for row in r.buttons
            for b in row
            if b.label.startswith("☐ 1.")
        ),
        outcome,
    )
    assert ticked.edit
    done = assistant.message(CHAT, "klaar")
    assert first_tick not in done.replies[-1].text  # the next question, not an answer
    assert "Dit antwoord" not in done.replies[0].text
    session = assistant.store.flows.active_session(CHAT.id)
    assert session is not None and len(session.answers[session.history[-1]]) == 1


def test_a_flow_resumed_by_its_command_takes_the_next_answer_without_a_note(
    kb: KnowledgeBase,
) -> None:
    now = [clock_at(TODAY)]
    store = Store(None, clock=lambda: now[0])
    assistant = Assistant(kb, store, clock=lambda: now[0])
    assistant.start_flow(CHAT, "pandcheck")
    assistant.message(CHAT, "KWG")
    now[0] += 31 * 60  # away, then back through /pandcheck itself
    resumed = assistant.start_flow(CHAT, "pandcheck")
    assert "U was hier gebleven" in resumed.replies[0].text
    taken = assistant.message(CHAT, "10")
    assert not taken.replies[0].text.startswith("Dit antwoord hoort bij")
    assert "vraag 3" in taken.replies[0].text


def test_a_lone_surrogate_in_typed_text_is_stored_as_a_replacement(assistant: Assistant) -> None:
    """No real client sends one, a forged update can: it must not fail every database write."""
    outcome = assistant.message(CHAT, "hoeveel m2 \ud800 keuken kwg?")
    assert outcome.replies
    ((logged,),) = assistant.store.db.execute("select question from questions").fetchall()
    assert "\ufffd" in logged and "\ud800" not in logged


@pytest.mark.parametrize("typed", ["weet ik niet", "geen idee", "Weet ik niet."])
def test_weet_ik_niet_with_no_flow_open_is_no_question(assistant: Assistant, typed: str) -> None:
    reply = assistant.message(CHAT, typed).replies[0]
    assert reply.answer is None and reply.text.startswith("Er loopt nu geen vragenronde.")


def test_a_choice_typed_by_number_or_by_its_words(assistant: Assistant) -> None:
    flow = assistant.knowledge.flows["woonvorm"]
    step = next(s for s in flow.steps if s.type == "keuze")
    assert engine.answer_text(step, "2", TODAY) == step.options[1]
    assert engine.answer_text(step, "vrij zelfstandig", TODAY) == step.options[1]
    with pytest.raises(ParseError, match=r"typ het nummer: 1 "):
        engine.answer_text(step, "99", TODAY)
    with pytest.raises(ParseError, match=r"typ het nummer"):
        engine.answer_text(step, "zij", TODAY)  # in more than one option: which?


def test_klaar_with_nothing_ticked_asks_instead_of_failing_every_item(
    assistant: Assistant,
) -> None:
    outcome = _until_the_first_tick_question(assistant)
    asked = assistant.message(CHAT, "klaar")
    assert asked.replies[0].text.startswith("U hebt nog niets aangevinkt.")
    pressed = press(assistant, "Klaar (0 aangevinkt)", outcome)
    assert pressed.notice.startswith("U hebt nog niets aangevinkt.") and not pressed.replies
    assistant.message(CHAT, "niets")  # said on purpose: recorded as nothing present
    session = assistant.store.flows.active_session(CHAT.id)
    assert session is not None and session.answers[session.history[-1]] == []

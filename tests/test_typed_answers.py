"""Typed answers in a flow as people write them: table-driven, and never a crash or a lost
state whatever is typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.actions import FlowTick
from bot.assistant import Assistant, Chat
from bot.faces.terminal import TerminalChat
from bot.flows import engine
from bot.flows.definitions import NO, UNKNOWN, YES, Step, StepType
from bot.knowledge import KnowledgeBase
from bot.parsing import ParseError, parse_count, parse_number
from bot.store import Store
from tests.conftest import KNOWLEDGE

TODAY = dt.date(2026, 11, 28)
YES_NO = Step(id="q", ask="Is er een rookmelder?", type=StepType.YES_NO, line=1)
COUNT = Step(id="n", ask="Hoeveel slaapkamers?", type=StepType.COUNT, line=1, maximum=30)
AREA = Step(id="a", ask="Hoe groot is de keuken (m2)?", type=StepType.AREA, line=1)


@pytest.mark.parametrize(
    "typed,meant",
    [
        *[(t, YES) for t in ("ja", "Ja hoor!", "jazeker", "klopt", "ja, dat klopt", "zeker")],
        *[(t, NO) for t in ("nee", "Nee hoor.", "niet", "helaas niet", "neen")],
        *[(t, UNKNOWN) for t in ("weet niet", "geen idee", "?", "Weet ik niet.", "onbekend")],
    ],
)
def test_yes_no_and_dont_know_as_people_type_them(typed: str, meant: str) -> None:
    assert engine.answer_text(YES_NO, typed, TODAY) == meant


@pytest.mark.parametrize(
    "typed,number",
    [
        ("6", 6),
        ("zes", 6),
        ("6 slaapkamers", 6),
        ("ongeveer 10", 10),
        ("twaalf", 12),
        ("ruim 4", 4),
        ("drie jongeren", 3),
    ],
)
def test_counts_in_words_and_with_what_they_count(typed: str, number: int) -> None:
    assert parse_count(typed, maximum=30) == number


@pytest.mark.parametrize(
    "typed,area",
    [
        ("11,5", "11.5"),
        ("ruim 60 m2", "60"),
        ("12m²", "12"),
        ("zestig vierkante meter", "60"),
        ("circa 9 m2", "9"),
    ],
)
def test_areas_with_units_and_approximations(typed: str, area: str) -> None:
    assert parse_number(typed, unit="m2") == Decimal(area)


@pytest.mark.parametrize(
    "step,typed,example",
    [
        (YES_NO, "misschien", "Antwoord met ja, nee of weet ik niet."),
        (COUNT, "heel veel", "bijvoorbeeld 12"),
        (AREA, "20 kg", "bijvoorbeeld 11,5"),
        (COUNT, "31", "tot en met 30"),
    ],
)
def test_what_is_no_answer_is_refused_with_an_example(step: Step, typed: str, example: str) -> None:
    with pytest.raises(ParseError) as refused:
        engine.answer_text(step, typed, TODAY)
    assert example in str(refused.value)


SHIPPED = KnowledgeBase(KNOWLEDGE)  # loaded once: each example gets a fresh database


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_no_typed_text_crashes_a_flow_or_loses_its_place(text: str) -> None:
    assistant = Assistant(SHIPPED, Store(None))
    chat = Chat(5, "private", 5)
    assistant.start_flow(chat, "woonvorm")
    assistant.message(chat, "7")  # question 1 answered
    before = assistant.store.flows.active_session(chat.id)
    outcome = assistant.message(chat, text)
    after = assistant.store.flows.active_session(chat.id)
    assert outcome.replies  # always an answer
    if after is not None and before is not None:
        assert len(after.history) >= len(before.history)  # never a step back by itself


def test_a_flow_started_ends_the_prompts_waiting_for_that_users_reply() -> None:
    store = Store(None)
    assistant = Assistant(SHIPPED, store)
    alice, bob = Chat(-9, "group", 1), Chat(-9, "group", 2)
    store.prompts.add_pending(-9, 100, 1, "reminder", 1)
    store.prompts.add_pending(-9, 101, 2, "missing", 1)
    assistant.start_flow(alice, "deadline")
    assert store.prompts.pending(-9, 100) is None  # Alice's own prompt is gone
    assert store.prompts.pending(-9, 101) is not None  # Bob's stays
    assistant.start_flow(bob, "woonvorm")
    assert store.prompts.pending(-9, 101) is None


def test_in_the_terminal_a_command_ends_the_prompt() -> None:
    chat = TerminalChat(Assistant(SHIPPED, Store(None)))
    chat.prompt_ref = 1  # as after "Herinnering gezet … Wilt u er een eigen naam aan geven?"
    chat.respond("/deadline")
    shown = chat.respond("15-03-2026") or ""
    assert "vraag 2" in shown  # the flow's answer, not the reminder's new name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=40, max_size=40))
def test_the_number_of_questions_left_never_goes_up(picks: list[int]) -> None:
    for flow in SHIPPED.flows.values():
        answers: dict[str, object] = {}
        left = engine.remaining(flow, answers)
        for pick in picks:
            step = engine.current_step(flow, answers)
            if step is None:
                break
            options = engine.choices(step)
            if options:
                answers[step.id] = engine.answer_choice(step, pick % len(options))
            else:
                answers[step.id] = engine.answer_text(step, str(pick + 3), TODAY)
            now = engine.remaining(flow, answers)
            assert now <= left, (flow.id, step.id)
            left = now


def test_the_terminal_writes_what_telegram_would_send_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    chat = TerminalChat(Assistant(SHIPPED, Store(None)))
    chat.respond("/checklist")
    chat.respond("#1")  # the first template
    export = next(i for i, b in enumerate(chat.options, start=1) if b.label == "Exporteer")
    shown = chat.respond(f"#{export}") or ""
    assert "(bestand opgeslagen: uitvoer/checklist-" in shown
    files = sorted(p.suffix for p in (tmp_path / "uitvoer").iterdir())
    assert files == [".csv", ".md"]
    chat.respond(f"#{export}")  # again: a new file, never over the first
    assert len(list((tmp_path / "uitvoer").iterdir())) == 4


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
@example("¹")  # a digit to str.isdigit, no number to int()
@example("1 ٣")
def test_no_typed_text_crashes_a_tick_question_or_loses_its_ticks(text: str) -> None:
    assistant = Assistant(SHIPPED, Store(None))
    chat = Chat(6, "private", 6)
    assistant.start_flow(chat, "pandcheck")
    for answer in ("KWG", "10", "ja", "ja", "ja", "8", "60", "12", "2", "2", "12"):
        assistant.message(chat, answer)
    session = assistant.store.flows.active_session(chat.id)
    assert session is not None
    assistant.press(chat, FlowTick(session.id, len(session.history) + 1, 0))  # one ticked
    before = assistant.store.flows.active_session(chat.id)
    outcome = assistant.message(chat, text)
    after = assistant.store.flows.active_session(chat.id)
    assert outcome.replies  # always an answer
    assert before is not None and after is not None
    if after.history == before.history:  # not taken as an answer: the ticks stay
        assert after.answers == before.answers
    else:  # taken: one answer more, the question's ticks replaced by it
        assert after.history == [*before.history, "inrichting"]
        given = after.answers["inrichting"]
        assert isinstance(given, list) or given == "weet ik niet"
        assert "~inrichting" not in after.answers  # the ticks in progress are gone


def test_the_terminal_writes_a_result_as_a_word_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    monkeypatch.chdir(tmp_path)
    chat = TerminalChat(Assistant(SHIPPED, Store(None)))
    chat.respond("/deadline")
    chat.respond("15-3-2026")
    chat.respond("31 augustus 2009")
    word = next(i for i, b in enumerate(chat.options, start=1) if b.label == "Als Word-document")
    shown = chat.respond(f"#{word}") or ""
    assert "(bestand opgeslagen: uitvoer/deadline-" in shown
    (path,) = (tmp_path / "uitvoer").iterdir()
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Eerstvolgende datum:" in text and "Bron: " in text

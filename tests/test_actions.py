"""The callback codec (bot/actions.py) and what a press may change: strict decoding, today's
formats, roles, the checks behind reminder buttons and the caps per chat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.constants import InlineKeyboardButtonLimit

from bot import actions, texts
from bot.actions import (
    Action,
    ChecklistOp,
    ChecklistPage,
    ChecklistTick,
    DeleteReminder,
    DraftOp,
    DraftPublish,
    Feedback,
    FlowChoice,
    FlowDocument,
    FlowMove,
    FlowTick,
    ForgetCancel,
    ForgetConfirm,
    LinkOp,
    LinkPick,
    LinkPublish,
    LinkStart,
    MorePassages,
    NewChecklist,
    Remind,
    RestoreCancel,
    RestoreConfirm,
    Role,
    ShowSource,
    Start,
    StartFlow,
    decode,
    encode,
)
from bot.assistant import Assistant, Chat
from bot.checklists.service import MAX_OPEN
from bot.flows.reminders import MAX_REMINDERS
from bot.knowledge import KnowledgeBase
from bot.replies import Button, Outcome
from bot.store import SCHEMA_VERSION, FlowStatus, Store
from tests.conftest import KNOWLEDGE

# Every format today's version writes, with the action it stands for.
TODAYS_FORMATS: list[tuple[str, Action]] = [
    ("b:1z:3", ShowSource(71, 3)),
    ("m:1z:4", MorePassages(71, 4)),
    ("f:1z:+", Feedback(71, True)),
    ("f:1z:-", Feedback(71, False)),
    ("v:ja", ForgetConfirm()),
    ("v:nee", ForgetCancel()),
    ("q:a:2:0", FlowChoice(10, 2, 0)),
    ("q:a:2:11", FlowChoice(10, 2, 11)),
    ("q:a:2:b", FlowMove(10, 2, "back")),
    ("q:a:2:x", FlowMove(10, 2, "stop")),
    ("q:a:1:n", FlowMove(10, 1, "restart")),
    ("d:a", FlowDocument(10)),
    ("d:a:w", FlowDocument(10, word=True)),
    ("q:a:3:t0", FlowTick(10, 3, 0)),
    ("q:a:3:k", FlowMove(10, 3, "done")),
    ("q:a:3:v", FlowMove(10, 3, "resume")),
    ("r:20270315:m:1", Remind(dt.date(2027, 3, 15), True, 1)),
    ("r:20270315:d:0", Remind(dt.date(2027, 3, 15), False, 0)),
    ("h:0", DeleteReminder(0)),
    ("n:inventaris-kwg", NewChecklist("inventaris-kwg")),
    ("c:5:s", ChecklistOp(5, "show")),
    ("c:5:d", ChecklistOp(5, "details")),
    ("c:5:r", ChecklistOp(5, "remark")),
    ("c:5:e", ChecklistOp(5, "export")),
    ("c:5:x", ChecklistOp(5, "close")),
    ("c:5:o", ChecklistOp(5, "reopen")),
    ("c:5:p:2", ChecklistPage(5, 2)),
    ("c:5:t:12:0:1", ChecklistTick(5, 12, "open", 1)),
    ("c:5:t:12:g:1", ChecklistTick(5, 12, "done", 1)),
    ("c:5:t:3:j:0", ChecklistTick(5, 3, "present", 0)),
    ("c:5:t:3:n:0", ChecklistTick(5, 3, "absent", 0)),
    ("s:vraag", Start("vraag")),
    ("s:bronnen", Start("bronnen")),
    ("s:privacy", Start("privacy")),
    ("s:help", Start("help")),
    ("s:flow:pandcheck", StartFlow("pandcheck")),
    # new: a reminder button names the session it comes from
    ("r:7:20270315:d:0", Remind(dt.date(2027, 3, 15), False, 0, 7)),
]

MALFORMED = [
    "",
    "b:1:²",  # str.isdigit() says yes
    "m:1:³",
    "c:1:p:²",
    "q:1:²:0",
    "q:1:1:²",
    "c:1:t:1:g:²",
    "b:1:٣",  # an Arabic-Indic digit
    "b:1:01",  # leading zero: not what encode writes
    "b:01:1",
    "b:A:1",  # int('A', 36) would accept it
    "b:1_0:1",  # and this
    "b: 1:1",
    "b:-1:1",
    "b:+1:1",
    "b:1:1\n",
    "b:1:1:",
    "b:1",
    "b:zzzzzzzzzzzzz:1",  # beyond SQLite's integer
    "v:ja:",
    "v:ja:x",
    "v:JA",
    "v:",
    "f:1:*",
    "r:20270230:d:0",  # 30 February
    "r:2027031:d:0",
    "r:X:20270315:d:0",
    "r:20270315:w:0",
    "n:",
    "n:Inventaris",
    "n:a:b",
    "c:1:z",
    "c:1:p",
    "c:1:t:1:q:0",
    "s:flow:",
    "s:flow:Pand check",
    "s:onzin",
    "x:onzin",
]


def test_the_limit_is_telegrams() -> None:
    assert actions.MAX_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


@pytest.mark.parametrize(("data", "action"), TODAYS_FORMATS)
def test_todays_buttons_keep_decoding_and_round_trip(data: str, action: Action) -> None:
    assert decode(data) == action
    assert encode(action) == data


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_data_is_a_stale_button(data: str) -> None:
    assert decode(data) is None


@pytest.mark.parametrize(
    "action",
    [
        ShowSource(-1, 1),
        ShowSource(2**63, 1),
        ShowSource(1, 10**6),
        NewChecklist("Inventaris KWG"),
        StartFlow("pand:check"),
        StartFlow("x" * 41),
    ],
)
def test_encode_refuses_what_decode_would_not_take(action: Action) -> None:
    with pytest.raises(ValueError, match=r"outside|cannot be put in a button"):
        encode(action)
    with pytest.raises(ValueError):
        Button("knop", action)  # a button is checked where it is made


def test_encode_checks_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "MAX_BYTES", 10)
    with pytest.raises(ValueError, match="Telegram allows 10"):
        encode(StartFlow("pandcheck"))


def test_a_restore_button_carries_the_version_number_as_versies_shows_it() -> None:
    assert decode("k:z:999") == RestoreConfirm(999)  # not base 36 (11997)
    assert encode(RestoreConfirm(11997)) == "k:z:11997"
    assert decode("k:z:0999") is None and decode("k:z:a") is None
    with pytest.raises(ValueError, match="outside"):
        encode(RestoreConfirm(actions.MAX_VERSION + 1))


def test_only_the_wipe_needs_a_role() -> None:
    needing = [a for _, a in TODAYS_FORMATS if a.role is not Role.MEMBER]
    assert needing == [ForgetConfirm()]
    assert not actions.allowed(ForgetConfirm(), in_group=True, group_admin=False)
    assert actions.allowed(ForgetConfirm(), in_group=True, group_admin=True)
    assert actions.allowed(ForgetConfirm(), in_group=False, group_admin=False)


ids = st.integers(0, actions.MAX_ID)
numbers = st.integers(0, actions.MAX_NUMBER)
names = st.from_regex(actions.NAME, fullmatch=True)
any_action = st.one_of(
    st.builds(ShowSource, ids, numbers),
    st.builds(MorePassages, ids, numbers),
    st.builds(Feedback, ids, st.booleans()),
    st.just(ForgetConfirm()),
    st.just(ForgetCancel()),
    st.builds(FlowChoice, ids, numbers, numbers),
    st.builds(
        FlowMove, ids, numbers, st.sampled_from(["back", "stop", "restart", "done", "resume"])
    ),
    st.builds(FlowTick, ids, numbers, numbers),
    st.builds(FlowDocument, ids, st.booleans()),
    st.builds(Remind, st.dates(), st.booleans(), numbers, st.none() | ids),
    st.builds(DeleteReminder, ids),
    st.builds(NewChecklist, names),
    st.builds(
        ChecklistOp,
        ids,
        st.sampled_from(["show", "details", "remark", "export", "close", "reopen"]),
    ),
    st.builds(ChecklistPage, ids, numbers),
    st.builds(
        ChecklistTick, ids, numbers, st.sampled_from(["open", "done", "present", "absent"]), numbers
    ),
    st.builds(Start, st.sampled_from(["vraag", "bronnen", "privacy", "help"])),
    st.builds(StartFlow, names),
    st.builds(
        DraftPublish,
        st.from_regex(actions.DRAFT, fullmatch=True),
        st.from_regex(r"0|[0-9a-f]{8}", fullmatch=True),
    ),
    st.builds(
        DraftOp,
        st.from_regex(actions.DRAFT, fullmatch=True),
        st.sampled_from(["view", "discard", "try", "stop"]),
    ),
    st.builds(RestoreConfirm, st.integers(0, actions.MAX_VERSION)),
    st.just(RestoreCancel()),
    st.builds(LinkStart, ids),
    st.builds(LinkPick, ids, numbers),
    st.builds(LinkOp, ids, st.sampled_from(["search", "confirm", "drop"])),
    st.just(LinkPublish()),
)


@given(any_action)
@settings(max_examples=300, deadline=None)
def test_every_action_fits_and_comes_back(action: Action) -> None:
    data = encode(action)
    assert len(data.encode()) <= actions.MAX_BYTES
    assert decode(data) == action


# Strings of up to 64 bytes: random text, and near-misses of real data (the codec's own
# alphabet, today's formats with a character changed or added).
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABZ:+-_ ²³٣\n" + "bmfvqdrhncsk"
near_miss = st.builds(
    lambda data, i, c: data[:i] + c + data[i + 1 :],
    st.sampled_from([d for d, _ in TODAYS_FORMATS]),
    st.integers(0, 20),
    st.sampled_from(["", ":", "0", "1", "z", "²", "x", ":x", "ja", "A", " "]),
)
callback_data = st.one_of(
    st.text(max_size=64),
    st.text(ALPHABET, max_size=64),
    near_miss,
    st.sampled_from([d for d, _ in TODAYS_FORMATS] + MALFORMED),
    any_action.map(encode),
).filter(lambda s: len(s.encode("utf-8", "surrogatepass")) <= 64)


@given(callback_data)
@settings(max_examples=500, deadline=None)
def test_any_data_is_an_exact_action_or_stale(data: str) -> None:
    action = decode(data)
    assert action is None or encode(action) == data


# -- pressing: what a button may change ------------------------------------------------------

GROUP = -77
MEMBER = Chat(GROUP, "group", user_id=5, user_name="Bob")
TODAY = dt.date(2026, 11, 22)


def clock() -> float:
    return dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC).timestamp()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(KNOWLEDGE)


def rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = [
        r[0]
        for r in store.db.execute("select name from sqlite_master where type = 'table'")
        if r[0] != "updates"
    ]
    return {t: sorted(store.db.execute(f"select * from {t}").fetchall(), key=repr) for t in tables}


@pytest.fixture(scope="module")
def group_assistant(kb: KnowledgeBase) -> Assistant:
    """A group with an answer, a running flow, a finished deadline flow and a checklist."""
    a = Assistant(kb, Store(None), clock=clock)
    a.ask(MEMBER, "hoeveel m2 moet de keuken van een kwg zijn?")
    a.start_flow(MEMBER, "deadline")
    a.flows.typed(GROUP, True, "15-3-2026")
    a.flows.typed(GROUP, True, "31 augustus 2009")
    a.start_flow(MEMBER, "pandcheck")
    offer = a.checklist(MEMBER)
    button = offer.replies[0].buttons[0][0]
    a.press(MEMBER, button.action)
    return a


@given(callback_data)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_member_presses_anything_and_nothing_needing_a_role_changes(
    group_assistant: Assistant, data: str
) -> None:
    """As the Telegram adapter does: decode once; stale data changes nothing; an action that
    needs a role the presser lacks changes nothing; nothing raises."""
    before = rows(group_assistant.store)
    action = decode(data)
    if action is None:
        return  # answered as a stale button (tests/test_buttons.py)
    outcome = group_assistant.press(MEMBER, action)
    assert isinstance(outcome, Outcome)
    if action.role is not Role.MEMBER:
        assert rows(group_assistant.store) == before
        assert outcome.notice == texts.FORGET_GROUP_ADMINS


def test_forged_wipes_change_nothing_and_the_real_one_needs_the_role(kb: KnowledgeBase) -> None:
    a = Assistant(kb, Store(None), clock=clock)
    a.ask(MEMBER, "hoeveel m2 moet de keuken van een kwg zijn?")
    before = rows(a.store)
    for data in ["v:ja:", "v:ja:x", "v:ja"]:
        action = decode(data)
        if action is not None:
            a.press(MEMBER, action)
    assert rows(a.store) == before
    a.press(Chat(GROUP, "group", 6, group_admin=True), ForgetConfirm())
    assert rows(a.store)["answers"] == []


# -- reminders only for dates a finished flow computed; caps per chat ----------------------


def finished_deadline(a: Assistant, chat: Chat) -> Outcome:
    a.start_flow(chat, "deadline")
    a.message(chat, "15-3-2026")
    return a.message(chat, "31 augustus 2009")


def reminder_buttons(outcome: Outcome) -> list[Remind]:
    return [
        b.action
        for r in outcome.replies
        for row in r.buttons
        for b in row
        if isinstance(b.action, Remind)
    ]


def test_reminders_only_for_a_finished_flows_dates(kb: KnowledgeBase) -> None:
    a = Assistant(kb, Store(None), clock=clock)
    chat = Chat(9, "private", 9)
    forged = Remind(dt.date(2099, 1, 1), False, 0)
    assert a.press(chat, forged).notice == texts.STALE_FLOW  # no finished flow at all
    done = finished_deadline(a, chat)
    buttons = reminder_buttons(done)
    assert buttons and all(b.session is not None for b in buttons)
    assert a.press(chat, forged).notice == texts.STALE_FLOW  # a date the flow did not compute
    wrong_index = Remind(buttons[0].due, False, buttons[0].index + 1, buttons[0].session)
    assert a.press(chat, wrong_index).notice == texts.STALE_FLOW
    other_chat = Chat(10, "private", 10)
    assert a.press(other_chat, buttons[0]).notice == texts.STALE_FLOW  # another chat's session
    assert a.press(chat, buttons[0]).notice == "Herinnering gezet"
    old_format = Remind(buttons[1].due, buttons[1].month_before, buttons[1].index)
    assert a.press(chat, old_format).notice == "Herinnering gezet"
    assert len(a.store.flows.reminders(chat.id)) == 2


def test_a_session_finished_before_dates_were_kept_is_computed_again(
    kb: KnowledgeBase,
) -> None:
    """Old buttons of a session without kept dates: the request date's terms are computed
    again; terms from the date of birth cannot be (it is not kept), so they are stale."""
    a = Assistant(kb, Store(None), clock=clock)
    chat = Chat(9, "private", 9)
    buttons = reminder_buttons(finished_deadline(a, chat))
    a.store.db.execute("update flow_sessions set dates = null")
    by_request = next(b for b in buttons if b.index == 1)
    by_birth = next(b for b in buttons if b.index >= 2)
    old = Remind(by_request.due, by_request.month_before, by_request.index)
    assert a.press(chat, old).notice == "Herinnering gezet"
    old = Remind(by_birth.due, by_birth.month_before, by_birth.index)
    assert a.press(chat, old).notice == texts.STALE_FLOW


def test_at_most_50_reminders_per_chat(kb: KnowledgeBase) -> None:
    a = Assistant(kb, Store(None), clock=clock)
    chat = Chat(9, "private", 9)
    buttons = reminder_buttons(finished_deadline(a, chat))
    for n in range(MAX_REMINDERS):
        a.store.flows.add_reminder(
            chat.id,
            f"eigen {n}",
            dt.date.fromisoformat("2030-01-01"),
            dt.date.fromisoformat("2030-01-01"),
        )
    refused = a.press(chat, buttons[0])
    assert refused.notice == texts.REMINDER_CAP.format(n=50) and refused.alert
    assert len(a.store.flows.reminders(chat.id)) == MAX_REMINDERS


def test_at_most_50_open_checklists_per_chat(kb: KnowledgeBase) -> None:
    a = Assistant(kb, Store(None), clock=clock)
    new = NewChecklist("stappenplan")
    for _ in range(MAX_OPEN):
        assert a.press(MEMBER, new).notice.endswith("gestart")
    refused = a.press(MEMBER, new)
    assert refused.notice == texts.CHECKLIST_CAP.format(n=50) and refused.alert
    first = a.store.checklists.checklists(GROUP)[0].id
    assert a.press(MEMBER, ChecklistOp(first, "close")).notice == "Checklist gesloten"
    assert a.press(MEMBER, new).notice.endswith("gestart")  # room again
    refused = a.press(MEMBER, ChecklistOp(first, "reopen"))  # reopening counts too
    assert refused.notice == texts.CHECKLIST_CAP.format(n=50)
    assert len(a.store.checklists.checklists(GROUP, "open")) == MAX_OPEN


def test_a_database_of_todays_schema_migrates_and_keeps_its_sessions(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    store = Store(path)
    session = store.flows.start_session(9, "deadline")
    session.answers["verzoekdatum"] = "2026-03-15"
    session.status = FlowStatus.DONE
    store.flows.save_session(session)
    store.db.execute("alter table flow_sessions drop column dates")  # as version 4 made it
    store.db.execute("pragma user_version = 4")
    store.close()
    a = Assistant(kb, Store(path), clock=clock)
    assert a.store.db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION >= 7
    assert a.store.flows.session_dates(session.id) is None
    old_button = Remind(dt.date(2027, 3, 15), False, 1)  # sent by today's version
    assert a.press(Chat(9, "private", 9), old_button).notice == "Herinnering gezet"
    a.store.close()
    Store(path).close()  # migrating again is harmless


def test_flow_and_checklist_ids_that_cannot_be_a_button_are_knowledge_errors(
    knowledge_copy: Path,
) -> None:
    from bot.knowledge import check_knowledge

    checklist = knowledge_copy / "checklists" / "stappenplan.yaml"
    text = checklist.read_text("utf-8")
    checklist.write_text(text.replace("id: stappenplan", "id: Stappen plan", 1), "utf-8")
    flow = knowledge_copy / "flows" / "woonvorm.yaml"
    flow.write_text(flow.read_text("utf-8").replace("id: woonvorm", "id: woon:vorm", 1), "utf-8")
    shown = [str(p) for p in check_knowledge(knowledge_copy)]
    assert f"{checklist}:3: fout: checklist-id 'Stappen plan': gebruik kleine letters" in " ".join(
        shown
    )
    assert any(s.startswith(f"{flow}:") and "flow-id 'woon:vorm'" in s for s in shown)

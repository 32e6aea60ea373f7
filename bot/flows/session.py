"""Guided flows in a conversation: start, ask, take answers (buttons or typed), go back, stop,
resume after a restart, show the cited outcome, send it as a document, and set reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot import texts
from bot.actions import FlowChoice, FlowDocument, FlowMove, FlowTick
from bot.clock import AMSTERDAM
from bot.flows import engine
from bot.flows.definitions import MULTI, Flow, Step, StepType
from bot.flows.outcome import result_text, word_document
from bot.flows.reminders import Reminders, one_of
from bot.parsing import ParseError, format_date
from bot.render_text import at_word
from bot.replies import Attachment, Button, Outcome, Prompt, PromptKind, Reply
from bot.store import FlowSession, FlowStatus, Store

ANSWERED = "Deze vraag is al beantwoord."
FIRST_QUESTION = "Dit is de eerste vraag: er is geen vorige."
NOTHING_TICKED = (
    "U hebt nog niets aangevinkt. Is er niets van aanwezig, typ dan niets; weet u het niet, kies "
    "dan Weet ik niet."
)
NO_FLOW = "Er loopt nu geen vragenronde."
MAX_PRIVATE_SESSIONS = 10_000  # running sessions whose private answers are held in memory
AWAY_SECONDS = 30 * 60  # idle this long, a typed text is not silently taken as a flow answer
TICK_LABEL = 40  # characters of an item's button; the full text stands in the message


def _as_typed(value: Any) -> str:
    """An answer as the user would say it: a date as '15 maart 2026', a number as typed."""
    if isinstance(value, list):
        return f"{len(value)} aangevinkt"
    text = str(value)
    try:
        return format_date(dt.date.fromisoformat(text))
    except ValueError:
        return text.replace(".", ",") if text.replace(".", "", 1).isdigit() else text


class FlowChat:
    def __init__(
        self,
        flows: Mapping[str, Flow],
        store: Store,
        cite: Callable[[str], str],
        now: Callable[[], dt.datetime],
    ) -> None:
        self.flows = flows
        self.store = store
        self.cite = cite
        self.now = now  # timezone-aware, for "today" and reminders
        # Answers to questions marked `private: true` (a date of birth) are never written to
        # disk: session id -> (chat id, answers), held only while the session runs.
        self._private: dict[int, tuple[int, dict[str, Any]]] = {}
        self.started = store.clock()  # a session untouched since is one the user left
        self.reminders = Reminders(flows, store, now)

    def no_flow(self) -> str:
        """'Er loopt nu geen vragenronde. Kies /deadline, /pandcheck …': the flow files."""
        choice = one_of(f"/{flow_id}" for flow_id in self.flows)
        return f"{NO_FLOW} Kies {choice}." if choice else NO_FLOW

    def today(self) -> dt.date:
        return self.now().astimezone(AMSTERDAM).date()

    # -- starting and resuming ---------------------------------------------------------------

    def start(self, chat_id: int, is_group: bool, flow_id: str, restart: bool = False) -> Outcome:
        flow = self.flows.get(flow_id)
        if flow is None:
            return Outcome.say(f"De vragenronde '{flow_id}' bestaat niet (meer).")
        active = self._active(chat_id)
        if active is not None and active.flow == flow_id and not restart and active.history:
            note = "U was hier gebleven. Wilt u opnieuw beginnen, kies dan Opnieuw beginnen."
            self._save(flow, active)  # back with it now: the next answer is no return from away
            return self._ask(flow, active, is_group, note=note, restart_button=True)
        if active is not None:
            self._private.pop(active.id, None)
        session = self.store.flows.start_session(chat_id, flow_id)
        intro = flow.intro if flow.steps else ""
        if active is not None and active.flow != flow_id:
            previous = self.flows.get(active.flow)
            title = previous.title if previous else active.flow
            intro = f"De vragenronde '{title}' is gestopt.\n\n{intro}"
        return self._ask(flow, session, is_group, note=intro.strip())

    def _ask(
        self,
        flow: Flow,
        session: FlowSession,
        is_group: bool,
        note: str = "",
        restart_button: bool = False,
    ) -> Outcome:
        step = engine.current_step(flow, session.answers)
        if step is None:
            return self._finish(flow, session, note)
        number = len(session.history) + 1
        left = engine.remaining(flow, session.answers) - 1
        progress = f"{flow.title} · vraag {number}" + (
            f" (nog ongeveer {left})" if left > 0 else ""
        )
        text = "\n\n".join(filter(None, [note, progress, step.ask, step.help]))
        sid = session.id
        options = engine.choices(step)
        buttons: list[tuple[Button, ...]] = []
        if step.type == MULTI:
            text, buttons = self._ticks(flow, session, step, number, text)
        elif step.type == StepType.CHOICE:
            buttons.extend((Button(o, FlowChoice(sid, number, i)),) for i, o in enumerate(options))
        elif options:
            buttons.append(
                tuple(Button(o, FlowChoice(sid, number, i)) for i, o in enumerate(options))
            )
        navigation = [Button("↩ Vorige", FlowMove(sid, number, "back"))] if session.history else []
        navigation.append(Button("Stoppen", FlowMove(sid, number, "stop")))
        if restart_button:
            navigation.append(Button("Opnieuw beginnen", FlowMove(sid, number, "restart")))
        buttons.append(tuple(navigation))
        if engine.typed(step):
            hint = "Typ uw antwoord"
            if is_group:
                # Privacy mode: a bot sees only replies to its own messages in a group.
                return Outcome(
                    [
                        Reply(
                            text=f"{text}\n\n{hint} als antwoord op dit bericht, "
                            "of typ 'weet ik niet'. "
                            "Terug: /vorige, stoppen: /stop.",
                            prompt=Prompt(PromptKind.FLOW, session.id),
                        )
                    ]
                )
            text += f"\n\n{hint}."
        return Outcome([Reply(text=text, buttons=tuple(buttons))])

    def _ticks(
        self, flow: Flow, session: FlowSession, step: Step, number: int, text: str
    ) -> tuple[str, list[tuple[Button, ...]]]:
        """A question that asks what is present: the items the woonvorm needs, numbered, each
        a button that ticks or unticks it; then 'Alles aanwezig', 'Weet ik niet', 'Klaar'."""
        values = engine.effective(flow, session.answers)
        ticked = set(session.answers.get(engine.DRAFT + step.id, []))
        shown = engine.items_for(step, values)
        lines = [f"{n}. {'☑' if i.id in ticked else '☐'} {i.label}" for n, i in enumerate(shown, 1)]
        text += (
            "\n\n" + "\n".join(lines) + "\n\nVink aan wat aanwezig is en kies Klaar (of typ "
            "klaar); of typ de nummers, bijvoorbeeld 1 3, of alles, niets of weet ik niet."
        )
        sid = session.id
        buttons: list[tuple[Button, ...]] = [
            (
                Button(
                    f"{'☑' if i.id in ticked else '☐'} {n}. {at_word(i.label, TICK_LABEL)}",
                    FlowTick(sid, number, step.items.index(i)),
                ),
            )
            for n, i in enumerate(shown, 1)
        ]
        buttons.append(
            (
                Button("Alles aanwezig", FlowChoice(sid, number, 0)),
                Button("Weet ik niet", FlowChoice(sid, number, 1)),
            )
        )
        buttons.append(
            (Button(f"Klaar ({len(ticked)} aangevinkt)", FlowMove(sid, number, "done")),)
        )
        return text, buttons

    # -- answers -----------------------------------------------------------------------------

    def press(
        self, chat_id: int, is_group: bool, action: FlowChoice | FlowMove | FlowTick
    ) -> Outcome:
        """An option of a question, a tick, or back, stop, restart, done and resume."""
        found = self._session_of(chat_id, action.session, FlowStatus.ACTIVE)
        if found is None:
            return Outcome(notice=texts.STALE_FLOW, alert=True)
        session, flow = found
        if action.question != len(session.history) + 1:
            return Outcome(notice=ANSWERED)
        if isinstance(action, FlowMove):
            if action.move == "stop":
                return self.stop(chat_id)
            if action.move == "back":
                return self.back(chat_id, is_group)
            if action.move == "resume":
                self._save(flow, session)  # the user is back: not asked again
                return self._ask(flow, session, is_group, note=f"Verder met '{flow.title}'.")
            if action.move == "restart":
                return self.start(chat_id, is_group, flow.id, restart=True)
        step = engine.current_step(flow, session.answers)
        if step is None:
            return Outcome(notice=ANSWERED)
        draft = engine.DRAFT + step.id
        if isinstance(action, FlowTick):
            shown = engine.items_for(step, engine.effective(flow, session.answers))
            if step.type != MULTI or not 0 <= action.item < len(step.items):
                return Outcome(notice=ANSWERED)
            if step.items[action.item] not in shown:  # not a button of this question
                return Outcome(notice=ANSWERED)
            item = step.items[action.item].id
            ticked = list(session.answers.get(draft, []))
            session.answers[draft] = (
                [t for t in ticked if t != item] if item in ticked else [*ticked, item]
            )
            self._save(flow, session)
            mark = "aangevinkt" if item not in ticked else "uitgevinkt"
            return replace(self._ask(flow, session, is_group), notice=mark, edit=True)
        if isinstance(action, FlowMove):  # done: the ticks as they stand
            if step.type != MULTI:
                return Outcome(notice=ANSWERED)
            ticked = list(session.answers.get(draft, []))
            if not ticked:  # most who press Klaar at once mean 'skip': nothing is not 'not there'
                return Outcome(notice=NOTHING_TICKED, alert=True)
            return self._record(flow, session, step, ticked, is_group)
        try:
            shown_items = engine.items_for(step, engine.effective(flow, session.answers))
            value = engine.answer_choice(step, action.option, shown_items)
        except ParseError as exc:
            return Outcome(notice=str(exc), alert=True)
        return self._record(flow, session, step, value, is_group)

    def _session_of(
        self, chat_id: int, session_id: int, status: str
    ) -> tuple[FlowSession, Flow] | None:
        """The session a button names, if it belongs to this chat, has this status and its
        flow still exists; None for a stale button."""
        session = self._load(self.store.flows.session(session_id))
        if session is None or session.chat_id != chat_id or session.status != status:
            return None
        flow = self.flows.get(session.flow)
        return (session, flow) if flow is not None else None

    def _open(self, chat_id: int) -> tuple[Flow, FlowSession] | None:
        """The chat's running flow and its session, if its flow still exists."""
        session = self._active(chat_id)
        flow = self.flows.get(session.flow) if session is not None else None
        return (flow, session) if flow is not None and session is not None else None

    def attempt(self, chat_id: int, text: str, is_group: bool = False) -> Outcome | str | None:
        """A typed text while a flow waits: the next question when it is an answer, the
        correction (what is expected, with an example) when it is not, None when no question
        waits. An answer after the user was away says which flow it continued."""
        found = self._open(chat_id)
        step = engine.current_step(found[0], found[1].answers) if found else None
        if found is None or step is None:
            return None
        flow, session = found
        shown = engine.items_for(step, engine.effective(flow, session.answers))
        try:
            if step.type == MULTI and engine.done_ticking(text):  # the Klaar button, typed
                value: Any = list(session.answers.get(engine.DRAFT + step.id, []))
                if not value:
                    return NOTHING_TICKED
            else:
                value = engine.answer_text(step, text, self.today(), shown)
        except ParseError as exc:
            return str(exc)
        note = (
            f"Dit antwoord hoort bij '{flow.title}': daar ga ik mee verder."
            if (not is_group and self.away(session))
            else ""
        )
        return self._record(flow, session, step, value, is_group, note)

    def away(self, session: FlowSession) -> bool:
        """Has the user left this session: untouched since this process started (a restart)
        or for AWAY_SECONDS?"""
        return (
            session.updated_at < self.started
            or self.store.clock() - session.updated_at >= AWAY_SECONDS
        )

    def paused(self, chat_id: int, always: bool = False) -> Outcome | None:
        """'U was bezig met … Verdergaan of stoppen?' when a flow is open and the user was away
        (or `always`: after /start); None otherwise. Asked once: the session counts as seen."""
        found = self._open(chat_id)
        if found is None:
            return None
        flow, session = found
        if engine.current_step(flow, session.answers) is None or not (always or self.away(session)):
            return None
        self._save(flow, session)
        number = len(session.history) + 1
        total = number + max(engine.remaining(flow, session.answers) - 1, 0)
        text = (
            f"U was bezig met '{flow.title}' (vraag {number} van ongeveer {total}). "
            "Verdergaan of stoppen?"
        )
        buttons = (
            (
                Button("Verdergaan", FlowMove(session.id, number, "resume")),
                Button("Stoppen", FlowMove(session.id, number, "stop")),
            ),
        )
        return Outcome([Reply(text=text, buttons=buttons)])

    def again(self, chat_id: int, note: str = "", is_group: bool = False) -> Outcome | None:
        """The open question again (with its buttons), after `note`; None without one."""
        found = self._open(chat_id)
        return self._ask(*found, is_group, note=note) if found else None

    def typed(self, chat_id: int, is_group: bool, text: str) -> Outcome | None:
        """A reply to the flow's question (a prompt: in a group): recorded and the next
        question, or the question again with what is expected; None when none waits."""
        result = self.attempt(chat_id, text, is_group)
        return self.again(chat_id, result, is_group) if isinstance(result, str) else result

    def _record(
        self,
        flow: Flow,
        session: FlowSession,
        step: Step,
        value: Any,
        is_group: bool,
        note: str = "",
    ) -> Outcome:
        session.answers.pop(engine.DRAFT + step.id, None)
        session.answers[step.id] = value
        session.history.append(step.id)
        self._save(flow, session)
        return self._ask(flow, session, is_group, note=note)

    def back(self, chat_id: int, is_group: bool) -> Outcome:
        session = self._active(chat_id)
        if session is None:
            return Outcome.say(self.no_flow())
        flow = self.flows.get(session.flow)
        if flow is None:
            return Outcome.say(self.no_flow())
        note = "Terug naar de vorige vraag." if session.history else FIRST_QUESTION
        if session.history:
            last = session.history.pop()
            given = session.answers.pop(last, None)
            if isinstance(given, list):  # the ticks given stand again, to change
                session.answers[engine.DRAFT + last] = given
            if given is not None:
                note += f" U antwoordde eerder: {_as_typed(given)}."
            # answers that no longer apply (a changed woonvorm) are dropped too
            for step_id in list(session.answers):
                step = flow.step(step_id)
                if step is not None and not engine.applies(
                    flow, step, {k: v for k, v in session.answers.items() if k != step_id}
                ):
                    session.answers.pop(step_id)
                    if step_id in session.history:
                        session.history.remove(step_id)
            self._save(flow, session)
        return self._ask(flow, session, is_group, note=note)

    def stop(self, chat_id: int) -> Outcome:
        session = self._active(chat_id)
        if session is None:
            return Outcome.say(self.no_flow())
        flow = self.flows.get(session.flow)
        session.status = FlowStatus.STOPPED
        self._save(flow, session)
        title = flow.title if flow else session.flow
        return Outcome.say(f"Gestopt met '{title}'. Wat u invulde, is niet bewaard als uitkomst.")

    # -- the outcome ---------------------------------------------------------------------------

    def _finish(self, flow: Flow, session: FlowSession, note: str) -> Outcome:
        outcome = engine.result(flow, session.answers, self.today())
        session.status = FlowStatus.DONE
        self._save(flow, session)
        # the dates a reminder may be set for (a date of birth is not kept, its dates are)
        self.store.flows.set_session_dates(session.id, [(d.index, d.day) for d in outcome.dates])
        text = result_text(flow, session.answers, outcome, self.today(), self.cite)
        buttons: list[tuple[Button, ...]] = []
        if outcome.verdicts or outcome.dates:  # what a municipality shares
            buttons.append(
                (
                    Button("Als document", FlowDocument(session.id)),
                    Button("Als Word-document", FlowDocument(session.id, word=True)),
                )
            )
        if flow.reminders:
            buttons.extend(self.reminders.buttons(session.id, outcome, self.today()))
        return Outcome(
            [Reply(text="\n\n".join(filter(None, [note, text])), buttons=tuple(buttons))]
        )

    # -- private answers: in memory only ---------------------------------------------------

    def _active(self, chat_id: int) -> FlowSession | None:
        return self._load(self.store.flows.active_session(chat_id))

    def _load(self, session: FlowSession | None) -> FlowSession | None:
        """A stored session with the private answers this process holds. A private answer lost
        in a restart is asked again: its question leaves the history."""
        if session is None:
            return None
        held = self._private.get(session.id)
        if held is not None:
            session.answers.update(held[1])
        flow = self.flows.get(session.flow)
        for step in flow.steps if flow is not None else []:
            if step.private and step.id not in session.answers and step.id in session.history:
                session.history.remove(step.id)
        return session

    def _save(self, flow: Flow | None, session: FlowSession) -> None:
        """Store the session without its private answers; hold those in memory while the
        session runs, and drop them when it ends (done or stopped)."""
        private = {s.id for s in flow.steps if s.private} if flow is not None else set()
        held = {k: v for k, v in session.answers.items() if k in private}
        self._private.pop(session.id, None)
        if held and session.status == FlowStatus.ACTIVE:
            if len(self._private) >= MAX_PRIVATE_SESSIONS:
                self._private.pop(next(iter(self._private)))  # the oldest: asked again
            self._private[session.id] = (session.chat_id, held)
        public = {k: v for k, v in session.answers.items() if k not in private}
        self.store.flows.save_session(replace(session, answers=public))

    def forget_chat(self, chat_id: int) -> None:
        """/vergeet: the private answers held for this chat go too."""
        for session_id, (owner, _) in list(self._private.items()):
            if owner == chat_id:
                del self._private[session_id]

    def document(self, chat_id: int, action: FlowDocument) -> Outcome:
        """The outcome as a Markdown file or a Word document to forward to colleagues."""
        found = self._session_of(chat_id, action.session, FlowStatus.DONE)
        if found is None:
            return Outcome(notice=texts.STALE_FLOW, alert=True)
        session, flow = found
        outcome = engine.result(flow, session.answers, self.today())
        body = result_text(flow, session.answers, outcome, self.today(), self.cite)
        if action.word:
            name = f"{flow.id}-{self.today().isoformat()}.docx"
            content = word_document(
                flow.title, f"Opgesteld met draaibot op {format_date(self.today())}.", body
            )
            return Outcome(
                [Reply(attachment=Attachment(name, content, "Uitkomst als Word-document"))],
                notice="Document wordt gestuurd",
            )
        markdown = (
            f"# {flow.title}\n\nOpgesteld met draaibot op {format_date(self.today())}.\n\n{body}\n"
        )
        name = f"{flow.id}-{self.today().isoformat()}.md"
        return Outcome(
            [Reply(attachment=Attachment(name, markdown.encode("utf-8"), "Uitkomst als document"))],
            notice="Document wordt gestuurd",
        )

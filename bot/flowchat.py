"""Guided flows in a conversation: start, ask, take answers (buttons or typed), go back, stop,
resume after a restart, show the cited outcome, send it as a document, and set reminders."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import docx
from dateutil.relativedelta import relativedelta

from bot import flowengine as engine
from bot import texts
from bot.actions import DeleteReminder, FlowChoice, FlowDocument, FlowMove, FlowTick, Remind
from bot.clock import AMSTERDAM
from bot.flows import MULTI, UNKNOWN, WOONVORMEN, Flow, Step, StepType
from bot.parsing import ParseError, format_date
from bot.replies import Attachment, Button, Outcome, Prompt, PromptKind, Reply
from bot.store import FlowSession, FlowStatus, Store

REMINDER_HOUR = 9
ICONS = {engine.PASS: "✅", engine.FAIL: "❌", engine.OPEN: "❔"}
STALE_FLOW = "Deze vragenronde is afgelopen of gestopt. Start opnieuw met het commando."
ANSWERED = "Deze vraag is al beantwoord."
NO_FLOW = "Er loopt nu geen vragenronde."
MAX_PRIVATE_SESSIONS = 10_000  # running sessions whose private answers are held in memory
MAX_REMINDERS = 50  # per chat, not yet sent
AWAY_SECONDS = 30 * 60  # idle this long, a typed text is not silently taken as a flow answer
NAMED_FAILS = 3  # failing requirements named in the first line of a verdict
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


def _verdict_line(outcome: engine.Result) -> str:
    """'Voldoet niet op 1 punt' / 'Voldoet op alle getoetste punten, 3 nog na te gaan'."""
    if not outcome.verdicts:
        return ""
    fails = [v for v in outcome.verdicts if v.status == engine.FAIL]
    open_ = sum(v.status == engine.OPEN for v in outcome.verdicts)
    still = f" ({open_} nog na te gaan)" if open_ else ""
    if fails:
        named = "; ".join(
            v.label + (f" ({v.detail})" if v.detail else "") for v in fails[:NAMED_FAILS]
        )
        more = f"; en nog {len(fails) - NAMED_FAILS}" if len(fails) > NAMED_FAILS else ""
        points = "punt" if len(fails) == 1 else "punten"
        return f"Voldoet niet op {len(fails)} {points}{still}: {named}{more}."
    return (
        f"Voldoet op alle getoetste punten{', ' + str(open_) + ' nog na te gaan' if open_ else ''}."
    )


def _next_date_line(flow: Flow, outcome: engine.Result, today: dt.date) -> str:
    """The next date that matters first, and which dates have passed. The terms counted from
    the flow's first date come first (the request date: the housing deadline), then the rest
    (from a date of birth: the choice before 17,5, then 18)."""
    if not outcome.dates:
        return ""
    primary = flow.dates[min(d.index for d in outcome.dates)].start

    def order(d: engine.DateLine) -> tuple[bool, dt.date]:
        return flow.dates[d.index].start != primary, d.day

    coming = sorted((d for d in outcome.dates if d.day >= today), key=order)
    passed = [d for d in outcome.dates if d.day < today]
    lines = []
    if coming:
        first = coming[0]
        lines.append(
            f"Eerstvolgende datum: {format_date(first.day)} ({first.relative}): {first.label}"
        )
    else:
        lines.append("Alle data liggen al achter ons.")
    if passed:
        lines.append(
            "Al verstreken: " + "; ".join(f"{d.label} ({format_date(d.day)})" for d in passed)
        )
    return "\n".join(lines)


def _woonvorm_assumption(answers: dict[str, Any], values: dict[str, Any]) -> str:
    """Which woonvorm the pandcheck assumed when the user did not know it."""
    if "woonvorm" not in answers or not engine._same(answers["woonvorm"], UNKNOWN):
        return ""
    if values.get("woonvorm") in WOONVORMEN:
        return (
            f"U wist de woonvorm niet. Ik ben uitgegaan van een {values['woonvorm']}, afgeleid "
            f"uit het aantal jongeren ({values.get('aantal_jongeren')})."
        )
    return (
        "De woonvorm is onbekend. Ik heb daarom getoetst aan de eisen van alle woonvormen "
        "(KWG, KWE en KWE+); bij een eis die niet voor elke woonvorm geldt, staat erbij voor welke."
    )


def _at_word(text: str, most: int) -> str:
    """`text` shortened at a word boundary to at most `most` characters, with an ellipsis."""
    if len(text) <= most:
        return text
    cut = text[: most - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


def word_document(title: str, subtitle: str, body: str) -> bytes:
    """The outcome as a Word document (python-docx): the title, then each block of the
    outcome as paragraphs, its first line (the verdict) in bold."""
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    for n, block in enumerate(body.split("\n\n")):
        paragraph = document.add_paragraph()
        for i, line in enumerate(block.splitlines()):
            if i:
                paragraph.add_run().add_break()
            run = paragraph.add_run(line.strip() if line.lstrip().startswith("Bron:") else line)
            run.bold = n == 0
            run.italic = line.lstrip().startswith("Bron:")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _one_of(names: Iterable[str]) -> str:
    """'/a', '/a of /b', '/a, /b of /c'."""
    listed = list(names)
    if len(listed) < 2:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} of {listed[-1]}"


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

    def no_flow(self) -> str:
        """'Er loopt nu geen vragenronde. Kies /deadline, /pandcheck …': the flow files."""
        choice = _one_of(f"/{flow_id}" for flow_id in self.flows)
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
            "\n\n" + "\n".join(lines) + "\n\nVink aan wat aanwezig is en kies Klaar; of typ de "
            "nummers, bijvoorbeeld 1 3, of alles, niets of weet ik niet."
        )
        sid = session.id
        buttons: list[tuple[Button, ...]] = [
            (
                Button(
                    f"{'☑' if i.id in ticked else '☐'} {n}. {_at_word(i.label, TICK_LABEL)}",
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
            return Outcome(notice=STALE_FLOW, alert=True)
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
            if step.type != MULTI or not 0 <= action.item < len(step.items):
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
            return self._record(flow, session, step, list(session.answers.get(draft, [])), is_group)
        try:
            value = engine.answer_choice(step, action.option)
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
        note = "Terug naar de vorige vraag."
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
        text = self.result_text(flow, session.answers, outcome)
        buttons: list[tuple[Button, ...]] = []
        if outcome.verdicts or outcome.dates:  # what a municipality shares
            buttons.append(
                (
                    Button("Als document", FlowDocument(session.id)),
                    Button("Als Word-document", FlowDocument(session.id, word=True)),
                )
            )
        if flow.reminders:
            buttons.extend(self._reminder_buttons(session.id, outcome))
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

    def result_text(self, flow: Flow, answers: dict[str, Any], outcome: engine.Result) -> str:
        """The outcome, verdict first: what fails and what is still to check, then what
        complies; for dates, the next one that matters and what has passed."""
        values = engine.effective(flow, answers)
        heading = f"Uitkomst: {flow.title}"
        if "woonvorm" in values and values["woonvorm"] != UNKNOWN:
            heading += f" ({values['woonvorm']}"
            if values.get("aantal_jongeren") not in (None, UNKNOWN):
                heading += f", {values['aantal_jongeren']} jongeren"
            heading += ")"
        next_date = _next_date_line(flow, outcome, self.today())
        parts = [p for p in (_verdict_line(outcome), next_date) if p]
        parts.append(heading)
        assumption = _woonvorm_assumption(answers, values)
        if assumption:
            parts.append(assumption)
        for status in (engine.FAIL, engine.OPEN, engine.PASS):
            group = [v for v in outcome.verdicts if v.status == status]
            if group:
                lines = [f"{status.capitalize()} ({len(group)}):"]
                for v in group:
                    detail = f" ({v.detail})" if v.detail and status != engine.PASS else ""
                    cited = "; ".join(self.cite(s) for s in (v.source, *v.also))
                    lines.append(f"{ICONS[status]} {v.label}{detail}\n   Bron: {cited}")
                parts.append("\n".join(lines))
        if outcome.dates:
            lines = ["Data:"]
            for d in outcome.dates:
                lines.append(
                    f"📅 {format_date(d.day)} ({d.relative}): {d.label}\n"
                    f"   Bron: {self.cite(d.source)}"
                )
            parts.append("\n".join(lines))
        elif flow.dates:
            parts.append(
                f"Zonder datum kan ik geen termijnen uitrekenen. Start opnieuw met /{flow.id}."
            )
        if outcome.lines:
            parts.append(
                "\n".join(
                    f"- {text}\n   Bron: {self.cite(source)}" for text, source in outcome.lines
                )
            )
        if outcome.next_steps:
            parts.append(
                "Hoe verder:\n"
                + "\n".join(
                    f"- {text}\n   Bron: {self.cite(source)}" for text, source in outcome.next_steps
                )
            )
        return "\n\n".join(parts)

    def document(self, chat_id: int, action: FlowDocument) -> Outcome:
        """The outcome as a Markdown file or a Word document to forward to colleagues."""
        found = self._session_of(chat_id, action.session, FlowStatus.DONE)
        if found is None:
            return Outcome(notice=STALE_FLOW, alert=True)
        session, flow = found
        outcome = engine.result(flow, session.answers, self.today())
        body = self.result_text(flow, session.answers, outcome)
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

    # -- reminders ----------------------------------------------------------------------------

    def _reminder_buttons(
        self, session_id: int, outcome: engine.Result
    ) -> list[tuple[Button, ...]]:
        rows: list[tuple[Button, ...]] = []
        today = self.today()
        for d in outcome.dates:
            if d.day < today:
                continue
            row = []
            if d.day - relativedelta(months=1) >= today:
                row.append(
                    Button(
                        f"🔔 {format_date(d.day)}: 1 maand vooraf",
                        Remind(d.day, True, d.index, session_id),
                    )
                )
            row.append(
                Button(f"🔔 op {format_date(d.day)}", Remind(d.day, False, d.index, session_id))
            )
            rows.append(tuple(row))
        return rows

    def remind(self, chat_id: int, action: Remind) -> Outcome:
        """A reminder for a date of a finished flow of this chat: only a date that flow
        computed (the button names its session; older buttons mean the latest one)."""
        session = (
            self.store.flows.session(action.session)
            if action.session is not None
            else self.store.flows.latest_session(chat_id, FlowStatus.DONE)
        )
        if session is None or session.chat_id != chat_id or session.status != FlowStatus.DONE:
            return Outcome(notice=STALE_FLOW, alert=True)
        flow = self.flows.get(session.flow)
        if flow is None or not flow.reminders or not 0 <= action.index < len(flow.dates):
            return Outcome(notice=STALE_FLOW, alert=True)
        dates = self.store.flows.session_dates(session.id)
        if dates is None:  # finished before its dates were kept: compute them again,
            private = {s.id for s in flow.steps if s.private}  # without what was not kept
            kept = {k: v for k, v in session.answers.items() if k not in private}
            dates = [(d.index, d.day) for d in engine.result(flow, kept, self.today()).dates]
        if (action.index, action.due) not in dates:
            return Outcome(notice=STALE_FLOW, alert=True)
        due = action.due
        send_on = due - relativedelta(months=1) if action.month_before else due
        if send_on < self.today():
            return Outcome(notice="Die datum is al voorbij.", alert=True)
        if len(self.store.flows.reminders(chat_id)) >= MAX_REMINDERS:
            return Outcome(notice=texts.REMINDER_CAP.format(n=MAX_REMINDERS), alert=True)
        label = flow.dates[action.index].label
        reminder_id = self.store.flows.add_reminder(chat_id, label, due, send_on)
        text = (
            f"Herinnering gezet: op {format_date(send_on)} om 9:00 uur stuur ik een bericht over "
            f"{format_date(due)}. Overzicht en verwijderen: /herinneringen.\n\n"
            "Wilt u er een eigen naam aan geven (bijvoorbeeld initialen of een dossiernummer, geen "
            "volledige naam)? Antwoord dan op dit bericht."
        )
        return Outcome(
            [Reply(text=text, prompt=Prompt(PromptKind.REMINDER, reminder_id))],
            notice="Herinnering gezet",
        )

    def rename_reminder(self, reminder_id: int, text: str) -> Outcome:
        label = " ".join(text.split())[:100]
        self.store.flows.rename_reminder(reminder_id, label)
        return Outcome.say(f"De herinnering heet nu: {label}")

    def list_reminders(self, chat_id: int) -> Outcome:
        rows = self.store.flows.reminders(chat_id)
        if not rows:
            with_dates = _one_of(f"/{f.id}" for f in self.flows.values() if f.reminders)
            how = f" Zet er een met {with_dates}." if with_dates else ""
            return Outcome.say(f"Er staan geen herinneringen.{how}")
        lines = ["Uw herinneringen:"]
        buttons = []
        for n, r in enumerate(rows, start=1):
            lines.append(f"{n}. {format_date(r.send_on)} over {format_date(r.due)}: {r.label}")
            buttons.append((Button(f"Verwijder {n}", DeleteReminder(r.id)),))
        return Outcome([Reply(text="\n".join(lines), buttons=tuple(buttons))])

    def delete_reminder(self, chat_id: int, action: DeleteReminder) -> Outcome:
        if not self.store.flows.delete_reminder(action.reminder, chat_id):
            return Outcome(notice="Deze herinnering bestaat niet meer.", alert=True)
        return Outcome(notice="Herinnering verwijderd")

    def due_reminders(self) -> list[tuple[int, int, Reply]]:
        """(reminder id, chat id, message) of every reminder due now: 09:00 Amsterdam time."""
        local = self.now().astimezone(AMSTERDAM)
        on_or_before = (
            local.date() if local.hour >= REMINDER_HOUR else local.date() - dt.timedelta(days=1)
        )
        due = []
        for r in self.store.flows.due_reminders(on_or_before):
            day = r.due
            when = "vandaag" if day == local.date() else engine.relative(day, local.date())
            text = f"🔔 Herinnering: {format_date(day)} ({when})\n{r.label}"
            due.append((r.id, r.chat_id, Reply(text=text)))
        return due

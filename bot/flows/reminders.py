"""Reminders for the dates a finished flow computed (any flow with `reminders: true` that
declares dates): set from the result's buttons, listed with /herinneringen, sent at 09:00
Amsterdam time on the day itself or a month before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from dateutil.relativedelta import relativedelta

from bot import texts
from bot.actions import DeleteReminder, Remind
from bot.clock import AMSTERDAM
from bot.flows import engine
from bot.flows.definitions import Flow
from bot.parsing import format_date
from bot.replies import Button, Outcome, Prompt, PromptKind, Reply
from bot.store import FlowStatus, Store

REMINDER_HOUR = 9
MAX_REMINDERS = 50  # per chat, not yet sent


def one_of(names: Iterable[str]) -> str:
    """'/a', '/a of /b', '/a, /b of /c'."""
    listed = list(names)
    if len(listed) < 2:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} of {listed[-1]}"


class Reminders:
    def __init__(
        self, flows: Mapping[str, Flow], store: Store, now: Callable[[], dt.datetime]
    ) -> None:
        self.flows = flows
        self.store = store
        self.now = now  # timezone-aware

    def today(self) -> dt.date:
        return self.now().astimezone(AMSTERDAM).date()

    def buttons(
        self, session_id: int, outcome: engine.Result, today: dt.date
    ) -> list[tuple[Button, ...]]:
        """A finished flow's buttons to set a reminder for each date still to come."""
        rows: list[tuple[Button, ...]] = []
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
            return Outcome(notice=texts.STALE_FLOW, alert=True)
        flow = self.flows.get(session.flow)
        if flow is None or not flow.reminders or not 0 <= action.index < len(flow.dates):
            return Outcome(notice=texts.STALE_FLOW, alert=True)
        dates = self.store.flows.session_dates(session.id)
        if dates is None:  # finished before its dates were kept: compute them again,
            private = {s.id for s in flow.steps if s.private}  # without what was not kept
            kept = {k: v for k, v in session.answers.items() if k not in private}
            dates = [(d.index, d.day) for d in engine.result(flow, kept, self.today()).dates]
        if (action.index, action.due) not in dates:
            return Outcome(notice=texts.STALE_FLOW, alert=True)
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

    def rename(self, reminder_id: int, text: str) -> Outcome:
        label = " ".join(text.split())[:100]
        self.store.flows.rename_reminder(reminder_id, label)
        return Outcome.say(f"De herinnering heet nu: {label}")

    def listing(self, chat_id: int) -> Outcome:
        rows = self.store.flows.reminders(chat_id)
        if not rows:
            with_dates = one_of(f"/{f.id}" for f in self.flows.values() if f.reminders)
            how = f" Zet er een met {with_dates}." if with_dates else ""
            return Outcome.say(f"Er staan geen herinneringen.{how}")
        lines = ["Uw herinneringen:"]
        buttons = []
        for n, r in enumerate(rows, start=1):
            when = (
                f"op {format_date(r.due)}"
                if r.send_on == r.due
                else f"{format_date(r.send_on)} over {format_date(r.due)}"
            )
            lines.append(f"{n}. {when}: {r.label}")
            buttons.append((Button(f"Verwijder {n}", DeleteReminder(r.id)),))
        return Outcome([Reply(text="\n".join(lines), buttons=tuple(buttons))])

    def delete(self, chat_id: int, action: DeleteReminder) -> Outcome:
        if not self.store.flows.delete_reminder(action.reminder, chat_id):
            return Outcome(notice="Deze herinnering bestaat niet meer.", alert=True)
        return Outcome(notice="Herinnering verwijderd")

    def due(self) -> list[tuple[int, int, Reply]]:
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

"""Shared checklists in a chat: offering and starting one, ticks, remarks, closing and
reopening. Pure of Telegram; state in SQLite (bot/store/checklists.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from bot import texts
from bot.actions import ChecklistOp, ChecklistPage, ChecklistTick, NewChecklist, TickState
from bot.checklists.templates import ABSENT, DONE, PRESENT, Template
from bot.checklists.view import STALE, ChecklistView
from bot.replies import Button, Outcome, Prompt, PromptKind, Reply
from bot.store import Store

REMARK = re.compile(r"^\s*(\d{1,3})\s*[:.)\-]\s*(.+)$", re.S)
MAX_OPEN = 50  # open checklists per chat
STATES: dict[TickState, str | None] = {
    "open": None,
    "done": DONE,
    "present": PRESENT,
    "absent": ABSENT,
}


class ChecklistChat(ChecklistView):
    def __init__(
        self,
        templates: Callable[[], Mapping[str, Template]],
        store: Store,
        cite: Callable[[str], str],
        now: Callable[[], dt.datetime],
    ) -> None:
        super().__init__(store.checklists, cite, now)
        self.templates = templates

    def offer(self, chat_id: int) -> Outcome:
        """/checklist: the templates, and this chat's open checklists."""
        rows = [(Button(t.title, NewChecklist(t.id)),) for t in self.templates().values()]
        open_lists = self.lists.checklists(chat_id, status="open")
        text = "Welke checklist wilt u starten?"
        if open_lists:
            text += " Of ga verder met een open checklist."
            rows += [(Button(f"Verder: {c.title}", ChecklistOp(c.id, "show")),) for c in open_lists]
        return Outcome([Reply(text=text, buttons=tuple(rows))])

    def overview(self, chat_id: int) -> Outcome:
        """/checklists: this chat's checklists, open and closed."""
        rows = self.lists.checklists(chat_id)
        if not rows:
            return Outcome.say(
                "Er zijn nog geen checklists in deze chat. Start er een met /checklist."
            )
        lines, buttons = ["Checklists in deze chat:"], []
        for c in rows:
            ticks = self.lists.ticks(c.id)
            items = c.items
            done = sum(1 for t in ticks.values() if t.state in (DONE, PRESENT))
            state = "open" if c.status == "open" else "gesloten"
            lines.append(f"- {c.title}: {done} van {len(items)} ({state})")
            buttons.append((Button(f"Toon: {c.title}", ChecklistOp(c.id, "show")),))
        return Outcome([Reply(text="\n".join(lines), buttons=tuple(buttons))])

    def create(self, chat_id: int, action: NewChecklist) -> Outcome:
        template = self.templates().get(action.template)
        if template is None:
            return Outcome(notice="Deze checklist bestaat niet (meer).", alert=True)
        if len(self.lists.checklists(chat_id, status="open")) >= MAX_OPEN:
            return Outcome(notice=texts.CHECKLIST_CAP.format(n=MAX_OPEN), alert=True)
        checklist_id = self.lists.create_checklist(
            chat_id, template.id, template.title, template.kind, list(template.items)
        )
        return Outcome([self.render(checklist_id, 0)], notice=f"{template.title} gestart")

    def press(
        self,
        chat_id: int,
        user: tuple[int, str],
        action: ChecklistOp | ChecklistPage | ChecklistTick,
    ) -> tuple[Outcome, int | None]:
        """A checklist button. Returns the outcome and, when the checklist message itself must
        be refreshed, the page to show."""
        checklist_id = action.checklist
        row = self.lists.checklist(checklist_id)
        if row is None or row.chat_id != chat_id:
            return Outcome(notice=STALE, alert=True), None
        items = row.items
        if isinstance(action, ChecklistTick):
            number = action.item
            if row.status != "open":
                return Outcome(
                    notice="Deze checklist is gesloten. Heropen hem eerst.", alert=True
                ), None
            if not 1 <= number <= len(items):
                return Outcome(notice=STALE, alert=True), None
            state = STATES[action.state]
            self.lists.tick(checklist_id, number, state, user[0], user[1])  # committed first
            text = items[number - 1].text
            notice = f"{number}. {text}: {state or 'open'}"
            return Outcome(notice=notice[:190]), action.page
        if isinstance(action, ChecklistPage):
            return Outcome(), action.page
        if action.op == "show":
            return Outcome([self.render(checklist_id, 0)]), None
        if action.op == "details":
            return self.details(checklist_id), None
        if action.op == "export":
            return self.export(checklist_id), None
        if action.op == "remark":
            prompt = (
                "Typ het nummer en uw opmerking als antwoord op dit bericht, "
                "bijvoorbeeld: 3: wasmachine besteld, levering 12 mei"
            )
            return Outcome(
                [Reply(text=prompt, prompt=Prompt(PromptKind.REMARK, checklist_id))]
            ), None
        if action.op == "reopen" and len(self.lists.checklists(chat_id, "open")) >= MAX_OPEN:
            return Outcome(notice=texts.CHECKLIST_CAP.format(n=MAX_OPEN), alert=True), None
        closing = action.op == "close"
        self.lists.set_checklist_status(checklist_id, "closed" if closing else "open")
        return Outcome(notice="Checklist gesloten" if closing else "Checklist heropend"), 0

    def remark(self, checklist_id: int, user: tuple[int, str], text: str) -> Outcome:
        """'3: wasmachine besteld' as a reply to the checklist (or to the remark prompt)."""
        row = self.lists.checklist(checklist_id)
        if row is None:
            return Outcome.say(STALE)
        match = REMARK.match(text)
        items = row.items
        if not match or not 1 <= int(match.group(1)) <= len(items):
            return Outcome.say(
                f"Begin uw opmerking met het nummer van het item (1 tot en met {len(items)}), "
                "bijvoorbeeld: 3: wasmachine besteld, levering 12 mei"
            )
        number, remark = int(match.group(1)), " ".join(match.group(2).split())[:500]
        self.lists.add_remark(checklist_id, number, remark, user[1])
        return Outcome.say(f"Opmerking bij {number}. {items[number - 1].text} opgeslagen.")

"""How a checklist looks: one page as one message with its buttons, the details, and the
export as CSV and Markdown. Reads the store, writes nothing."""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable

from bot import csvsafe
from bot.actions import ChecklistOp, ChecklistPage, ChecklistTick, TickState
from bot.checklists.templates import ABSENT, DONE, PRESENT
from bot.clock import AMSTERDAM, local
from bot.parsing import format_date
from bot.render_text import at_word
from bot.replies import Attachment, Button, Outcome, Reply
from bot.store import NO_TICK, StoredChecklist, Tick
from bot.store.checklists import Checklists

PAGE = 8  # items per page: 8 buttons, plus navigation, stays well under Telegram's 100
MARKS = {None: "☐", DONE: "✅", PRESENT: "✅", ABSENT: "❌"}
STALE = "Deze checklist bestaat niet meer in deze chat."
# Telegram's MessageLimit.MAX_TEXT_LENGTH (the domain does not import telegram): a checklist
# page is always one message, so an edit keeps its buttons.
VIEW_LIMIT = 4096


class ChecklistView:
    def __init__(
        self, lists: Checklists, cite: Callable[[str], str], now: Callable[[], dt.datetime]
    ) -> None:
        self.lists = lists
        self.cite = cite
        self.now = now

    def progress(self, row: StoredChecklist, ticks: dict[int, Tick]) -> str:
        items = row.items
        if row.kind == "inventaris":
            present = sum(1 for t in ticks.values() if t.state == PRESENT)
            absent = sum(1 for t in ticks.values() if t.state == ABSENT)
            line = f"{row.title} — {present} van {len(items)} aanwezig"
            return line + (f", {absent} niet aanwezig" if absent else "")
        done = sum(1 for t in ticks.values() if t.state == DONE)
        return f"{row.title} — {done} van {len(items)} gedaan"

    def render(self, checklist_id: int, page: int) -> Reply:
        row = self.lists.checklist(checklist_id)
        if row is None:
            return Reply(text=STALE)
        items = row.items
        ticks = self.lists.ticks(checklist_id)
        pages = max(1, -(-len(items) // PAGE))
        page = min(max(page, 0), pages - 1)
        cid = checklist_id
        lines = [self.progress(row, ticks)]
        if row.status != "open":
            lines.append("Deze checklist is gesloten.")
        first = page * PAGE
        shown = items[first : first + PAGE]
        section = ""
        rows: list[tuple[str, str, str]] = []  # (section heading or "", item line, remark)
        for n, item in enumerate(shown, start=first + 1):
            heading = ""
            if item.section and item.section != section:
                section = heading = item.section
            tick = ticks.get(n, NO_TICK)
            label = item.label
            rows.append((heading, f"{MARKS[tick.state]} {n}. {label}", tick.remark or ""))
        footer = [f"\nPagina {page + 1} van {pages}"] if pages > 1 else []
        lines = _fit(lines, rows, footer)
        buttons: list[tuple[Button, ...]] = []
        if row.status == "open":
            for n, item in enumerate(shown, start=first + 1):
                state = ticks.get(n, NO_TICK).state
                following = _next_state(row.kind, state)
                label = at_word(f"{MARKS[state]} {n}. {item.text}", BUTTON_LABEL)
                buttons.append((Button(label, ChecklistTick(cid, n, following, page)),))
        navigation = []
        if page > 0:
            navigation.append(Button("◀ Vorige", ChecklistPage(cid, page - 1)))
        if page < pages - 1:
            navigation.append(Button("Volgende ▶", ChecklistPage(cid, page + 1)))
        if navigation:
            buttons.append(tuple(navigation))
        buttons.append(
            (
                Button("Details", ChecklistOp(cid, "details")),
                Button("Opmerking", ChecklistOp(cid, "remark")),
                Button("Exporteer", ChecklistOp(cid, "export")),
            )
        )
        buttons.append(
            (Button("Sluiten", ChecklistOp(cid, "close")),)
            if row.status == "open"
            else (Button("Heropenen", ChecklistOp(cid, "reopen")),)
        )
        return Reply(text="\n".join(lines), buttons=tuple(buttons), checklist=checklist_id)

    def details(self, checklist_id: int) -> Outcome:
        row = self.lists.checklist(checklist_id)
        if row is None:
            return Outcome(notice=STALE, alert=True)
        items = row.items
        ticks = self.lists.ticks(checklist_id)
        lines = [f"Details: {row.title}"]
        for n, item in enumerate(items, start=1):
            tick = ticks.get(n, NO_TICK)
            state = tick.state or "open"
            who = f", {tick.by_name} op {self._when(tick.at or 0.0)}" if tick.state else ""
            remark = f"\n   Opmerking ({tick.remark_by}): {tick.remark}" if tick.remark else ""
            lines.append(f"{MARKS[tick.state]} {n}. {item.text}: {state}{who}{remark}")
        return Outcome([Reply(text="\n".join(lines))])

    def export(self, checklist_id: int) -> Outcome:
        row = self.lists.checklist(checklist_id)
        if row is None:
            return Outcome(notice=STALE, alert=True)
        items = row.items
        ticks = self.lists.ticks(checklist_id)
        buffer = io.StringIO()
        writer = csvsafe.writer(buffer)
        writer.writerow(
            ["nr", "onderdeel", "item", "aantal", "status", "door", "wanneer", "opmerking", "bron"]
        )
        md = [
            f"# {row.title}",
            "",
            self.progress(row, ticks),
            f"Geëxporteerd op {self._when(self.now().timestamp())}.",
            "",
        ]
        md += [
            "| nr | item | status | door | wanneer | opmerking | bron |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for n, item in enumerate(items, start=1):
            tick = ticks.get(n, NO_TICK)
            state = tick.state or "open"
            who = tick.by_name or ""
            when = self._when(tick.at or 0.0) if tick.state else ""
            remark = tick.remark or ""
            source = self.cite(item.source) if item.source else ""
            writer.writerow(
                [
                    n,
                    item.section,
                    item.text,
                    item.amount,
                    state,
                    who,
                    when,
                    remark,
                    source,
                ]
            )
            label = item.label
            cells = [str(n), _cell(label), state, _cell(who), when, _cell(remark), _cell(source)]
            md.append("| " + " | ".join(cells) + " |")
        stem = f"checklist-{row.template}-{self.now().astimezone(AMSTERDAM).date().isoformat()}"
        return Outcome(
            [
                Reply(
                    attachment=Attachment(
                        f"{stem}.csv", buffer.getvalue().encode("utf-8-sig"), "Checklist als CSV"
                    )
                ),
                Reply(
                    attachment=Attachment(
                        f"{stem}.md", "\n".join(md).encode("utf-8"), "Checklist als Markdown"
                    )
                ),
            ],
            notice="Export wordt gestuurd",
        )

    def _when(self, timestamp: float) -> str:
        moment = local(timestamp)
        return f"{format_date(moment.date())} {moment:%H:%M}"


def _fit(header: list[str], rows: list[tuple[str, str, str]], footer: list[str]) -> list[str]:
    """The lines of a checklist page, shortened until the page is one Telegram message:
    first the remarks, then headings and item texts (everything stays whole under Details).
    Measured as the adapter sends it: HTML-escaped."""

    def build(remark: int, text: int) -> list[str]:
        out = list(header)
        for heading, line, note in rows:
            if heading:
                out.append("\n" + _shorten(heading, text))
            out.append(_shorten(line, text) + (f" — {_shorten(note, remark)}" if note else ""))
        return out + footer

    def size(lines: list[str]) -> int:
        return len(html.escape("\n".join(lines)))

    longest_remark = max((len(note) for _, _, note in rows), default=0)
    longest_text = max((len(x) for heading, line, _ in rows for x in (heading, line)), default=0)
    if size(build(longest_remark, longest_text)) <= VIEW_LIMIT:
        return build(longest_remark, longest_text)
    remark = _largest(lambda m: size(build(m, longest_text)) <= VIEW_LIMIT, longest_remark)
    if remark > 0:
        return build(remark, longest_text)
    text = _largest(lambda m: size(build(0, m)) <= VIEW_LIMIT, longest_text)
    return build(0, text)


def _largest(fits: Callable[[int], bool], upper: int) -> int:
    """The largest m in 0..upper with fits(m) (fits is monotonic), or 0."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


BUTTON_LABEL = 60  # characters of an item's button; the full text stands in the message


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[: max(most - 1, 0)].rstrip() + "…"


def _next_state(kind: str, state: str | None) -> TickState:
    """The state a press sets (in the button, so that two presses at once agree)."""
    if kind == "inventaris":
        following: dict[str | None, TickState] = {
            None: "present",
            PRESENT: "absent",
            ABSENT: "open",
        }
        return following[state]
    return "open" if state == DONE else "done"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")

"""Shared checklists: templates as data (knowledge/checklists/*.yaml) and the logic of ticking,
remarks, details, export, paging, closing and reopening. Pure of Telegram; state in SQLite.

    id: inventaris-kwg
    title: Inventaris KWG
    kind: inventaris          # afvinken (gedaan) or inventaris (aanwezig ja/nee)
    items:
      - section: Huishoudelijk apparatuur
      - text: Wasmachine
        amount: "2"
        source: pve-huisvesting#bijlage-1-...-wasmachine
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import csvsafe, texts
from bot.actions import NAME, ChecklistOp, ChecklistPage, ChecklistTick, NewChecklist, TickState
from bot.clock import AMSTERDAM, local
from bot.parsing import format_date
from bot.replies import Attachment, Button, Outcome, Prompt, PromptKind, Reply
from bot.store import NO_TICK, Store, StoredChecklist, StoredItem, Tick
from index.files import files_in
from index.problems import Problem
from index.yamlfile import YamlList, YamlMap, load_yaml

CHECKLISTS_DIR = "checklists"
KINDS = ("afvinken", "inventaris")
PAGE = 8  # items per page: 8 buttons, plus navigation, stays well under Telegram's 100
DONE, PRESENT, ABSENT = "gedaan", "aanwezig", "niet aanwezig"
MARKS = {None: "☐", DONE: "✅", PRESENT: "✅", ABSENT: "❌"}
REMARK = re.compile(r"^\s*(\d{1,3})\s*[:.)\-]\s*(.+)$", re.S)
STALE = "Deze checklist bestaat niet meer in deze chat."
MAX_OPEN = 50  # open checklists per chat
STATES: dict[TickState, str | None] = {
    "open": None,
    "done": DONE,
    "present": PRESENT,
    "absent": ABSENT,
}
# Telegram's MessageLimit.MAX_TEXT_LENGTH (the domain does not import telegram): a checklist
# page is always one message, so an edit keeps its buttons.
VIEW_LIMIT = 4096


@dataclass(frozen=True)
class Item:
    text: str
    source: str = ""
    amount: str = ""
    section: str = ""

    @property
    def label(self) -> str:
        return f"{self.text} ({self.amount})" if self.amount else self.text


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    kind: str
    items: tuple[Item, ...]
    path: Path
    intro: str = ""

    def sources(self) -> list[tuple[str, str]]:
        return [(i.source, i.text) for i in self.items if i.source]


def load_templates(
    folder: Path, section_ids: set[str] | None = None, skip_docs: set[str] | None = None
) -> tuple[list[Template], list[Problem]]:
    """Every checklist template of a knowledge folder; never raises on what a file holds."""
    templates: list[Template] = []
    paths, problems = files_in(folder, CHECKLISTS_DIR, (".yaml", ".yml"))
    for path in paths:
        template, found = _load(path, section_ids, skip_docs or set())
        problems.extend(found)
        if template is not None:
            templates.append(template)
    ids = [t.id for t in templates]
    for template in templates:
        if ids.count(template.id) > 1:
            problems.append(
                Problem(template.path, 1, f"checklist-id '{template.id}' komt vaker voor")
            )
    return templates, problems


def _load(
    path: Path, section_ids: set[str] | None, skip_docs: set[str]
) -> tuple[Template | None, list[Problem]]:
    root, problems = load_yaml(path)
    if root is None and problems:
        return None, problems
    if not isinstance(root, YamlMap):
        return None, [Problem(path, 1, "een checklist begint met id:, title:, kind: en items:")]
    problems += [
        Problem(path, 1, f"'{key}' ontbreekt")
        for key in ("id", "title", "items")
        if key not in root
    ]
    for key in ("id", "title", "kind", "intro"):
        if isinstance(root.get(key), YamlMap | YamlList):
            problems.append(Problem(path, root.line_of(key), f"'{key}' is een tekst"))
    if any(p.is_error for p in problems):
        return None, problems
    if NAME.fullmatch(root.text("id")) is None:
        problems.append(
            Problem(
                path,
                root.line_of("id"),
                f"checklist-id '{root.text('id')}': gebruik kleine letters, cijfers, - en _ "
                "(hoogstens 40 tekens)",
            )
        )
    kind = root.text("kind", "afvinken")
    if kind not in KINDS:
        problems.append(
            Problem(
                path,
                root.line_of("kind"),
                f"onbekende soort '{kind}' (kies uit {', '.join(KINDS)})",
            )
        )
    items_list = root["items"]
    if not isinstance(items_list, YamlList):
        return None, [
            *problems,
            Problem(path, root.line_of("items"), "'items' moet een lijst zijn"),
        ]
    items: list[Item] = []
    section = ""
    for i, node in enumerate(items_list):
        line = items_list.line_at(i)
        if not isinstance(node, YamlMap):
            problems.append(Problem(path, line, "elk item is een blok met text: en source:"))
            continue
        wrong = [
            k
            for k in ("text", "source", "amount", "section")
            if isinstance(node.get(k), YamlMap | YamlList)
        ]
        if wrong:
            problems.append(Problem(path, line, f"'{wrong[0]}' is een tekst, geen lijst of blok"))
            continue
        if "section" in node and "text" not in node:
            section = node.text("section")
            continue
        text = node.text("text").strip()
        if not text:
            problems.append(Problem(path, line, "item zonder text"))
            continue
        source = node.text("source")
        if not source:
            problems.append(Problem(path, line, f"item '{text}' noemt geen bron (source)"))
        elif (
            section_ids is not None
            and source not in section_ids
            and source.split("#")[0] not in skip_docs
        ):
            problems.append(
                Problem(
                    path,
                    line,
                    f"bron '{source}' van item '{text}' bestaat niet in de documenten",
                )
            )
        items.append(Item(text, source, node.text("amount"), section))
    if not items:
        problems.append(Problem(path, items_list.line, "de checklist heeft geen items"))
    template = Template(
        id=root.text("id"),
        title=root.text("title"),
        kind=kind,
        items=tuple(items),
        path=path,
        intro=root.text("intro"),
    )
    return template, problems


# -- checklists in a chat ------------------------------------------------------------------------


class ChecklistChat:
    def __init__(
        self,
        templates: Callable[[], Mapping[str, Template]],
        store: Store,
        cite: Callable[[str], str],
        now: Callable[[], dt.datetime],
    ) -> None:
        self.templates = templates
        self.lists = store.checklists
        self.cite = cite
        self.now = now

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
        items = [StoredItem(i.text, i.amount, i.source, i.section) for i in template.items]
        checklist_id = self.lists.create_checklist(
            chat_id, template.id, template.title, template.kind, items
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

    # -- rendering ---------------------------------------------------------------------------

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
                label = _at_word(f"{MARKS[state]} {n}. {item.text}", BUTTON_LABEL)
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


def _at_word(text: str, most: int) -> str:
    """`text` shortened at a word boundary to at most `most` characters, with an ellipsis."""
    if len(text) <= most:
        return text
    cut = text[: most - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"


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

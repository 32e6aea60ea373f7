"""Learning from questions: an admin links a question from /rapport to a section.

'Koppel aan sectie' under a /rapport group proposes the five sections the search finds for the
question (or those for words the admin types); the admin picks one, sees the question wording
that will be added (cleaned), may replace it by replying with a text of their own (a user's
question can hold names or case details: nothing is stored in the knowledge unreviewed), and
confirms. Confirmed links wait until 'Publiceer koppelingen (N)' writes them all as one draft
of vraagvormen.yaml, published through the draft/check/swap path (bot/publishing.py) as one
version. The links are kept in the database (table `links`), so buttons work after a restart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.actions import LinkAction, LinkOp, LinkPick, LinkPublish, LinkStart
from bot.admin import publishing_replies
from bot.admin.publishing import Published, Publisher, PublishError, live_files
from bot.admin.report import SIMILAR, QuestionGroup, plain
from bot.knowledge import KnowledgeBase
from bot.replies import Button, Outcome, Prompt, PromptKind, Reply
from bot.store import Link, Store
from index.wordings import KEY, MAX_WORDING, WORDINGS_FILE
from index.yamlfile import parse_yaml

PROPOSED = 5  # sections proposed for a question
DRAFT = "koppelingen"  # the draft of vraagvormen.yaml that collects confirmed links
BUTTON_QUESTION = 32  # characters of the question on a 'Koppel aan sectie' button

LINK_GONE = "Deze koppeling bestaat niet meer (verlopen of gewist). Open /rapport opnieuw."
QUESTION_GONE = "Deze vraag staat niet meer in het logboek. Open /rapport opnieuw."
LINK_DONE = "Deze koppeling is al {state}. Open /rapport voor de vragen van nu."
NOTHING_TO_PUBLISH = "Er zijn geen bevestigde koppelingen om te publiceren."
ASK_SEARCH = (
    "Typ een paar woorden waarmee ik de juiste sectie kan vinden (antwoord op dit bericht)."
)
EMPTY_WORDING = "Een lege vraagvorm kan ik niet opslaan. Typ de vraag zoals iemand hem zou stellen."
ASK_EDIT = (
    "Staan er namen of details van een casus in de vraag? Antwoord dan op dit bericht met de "
    "vraag zoals u hem wilt opslaan."
)
NOT_ADMIN = "Koppelen aan een sectie kan alleen een beheerder van draaibot, in een privéchat."

_STATES = {"published": "gepubliceerd", "dropped": "verworpen", "confirmed": "bevestigd"}
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_MENTION = re.compile(r"@\w+")
_LONG_NUMBER = re.compile(r"\+?\d[\d\s-]{5,}\d")  # phone, BSN, case numbers


# -- pure parts ---------------------------------------------------------------------------------


def clean_wording(text: str) -> str:
    """A question as a wording: without e-mail addresses, mentions and long numbers (phone,
    BSN, case numbers), whitespace collapsed, in lower case, cut at a word boundary."""
    text = _LONG_NUMBER.sub(" ", _MENTION.sub(" ", _EMAIL.sub(" ", text)))
    text = re.sub(r"\s+([?,.!;:)])", r"\1", " ".join(text.split()))  # no space before a mark
    text = re.sub(r"\(\s*\)", "", text).replace("( ", "(")
    text = " ".join(text.split()).lower().strip(" ,;:")
    if len(text) > MAX_WORDING:
        text = text[:MAX_WORDING].rsplit(" ", 1)[0]
    return text


def _scalar(wording: str) -> str:
    """A YAML list item for the wording: plain when that reads back the same, else quoted."""
    try:
        if yaml.safe_load(f"- {wording}") == [wording]:
            return wording
    except (yaml.YAMLError, RecursionError):  # '[[[[…': quoted below
        pass
    return json.dumps(wording, ensure_ascii=False)  # a JSON string is a YAML scalar


def add_wordings(text: str, new: dict[str, list[str]]) -> str:
    """vraagvormen.yaml with `new` wordings added under their sections, keeping every comment
    and line as it was: after the section's last item, or as a new section at the end. A
    wording the section already has is not added twice. A file not written in that block style
    (a flow-style mapping, a quoted key) is written anew as a whole, so no wording is lost."""
    lines = text.splitlines()
    if not any(re.match(rf"{KEY}:\s*(#.*)?$", line) for line in lines):
        lines = [*lines, f"{KEY}:"]
    existing = _existing(text)
    wanted = {k: list(v) for k, v in existing.items()}
    for section_id, wordings in new.items():
        have = {" ".join(w.lower().split()) for w in existing.get(section_id, [])}
        fresh = []
        for wording in wordings:
            normal = " ".join(wording.lower().split())
            if normal and normal not in have:
                have.add(normal)
                fresh.append(wording)
        if not fresh:
            continue
        wanted.setdefault(section_id, []).extend(fresh)
        key = re.compile(rf"(\s+){re.escape(section_id)}:\s*(#.*)?$")
        at = next((i for i, line in enumerate(lines) if key.fullmatch(line)), None)
        if at is None:
            lines += [f"  {section_id}:", *(f"    - {_scalar(w)}" for w in fresh)]
            continue
        indent = len(lines[at]) - len(lines[at].lstrip())
        last, item_indent = at, indent + 2
        for i in range(at + 1, len(lines)):
            line = lines[i]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            here = len(line) - len(line.lstrip())
            if here <= indent:
                break
            last = i
            if line.lstrip().startswith("- "):
                item_indent = here
        lines[last + 1 : last + 1] = [f"{' ' * item_indent}- {_scalar(w)}" for w in fresh]
    edited = "\n".join(lines) + "\n"
    readable = parse_yaml(text, Path(WORDINGS_FILE))[0] is not None
    if _existing(edited) == wanted or not readable:  # a broken file: its check will say why
        return edited
    return yaml.safe_dump({KEY: wanted}, allow_unicode=True, sort_keys=False, width=100)


def _existing(text: str) -> dict[str, list[str]]:
    # the project's loader: a broken or too deeply nested file is no crash (the publish that
    # follows reports it with its line)
    data, _ = parse_yaml(text, Path(WORDINGS_FILE))
    sections = data.get(KEY) if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        return {}
    return {str(k): [str(w) for w in v] for k, v in sections.items() if isinstance(v, list)}


def answered_since(
    links: Iterable[tuple[str, str, float]],
    log: Iterable[tuple[str, float, bool]],
    key: Callable[[str], str] = plain,
) -> tuple[int, int]:
    """(answered, asked): of the questions in the log ((question, time, answered)) asked after
    a link was published that resemble its question or wording ((question, wording,
    published_at)), how many were answered."""
    keys = [(key(plain(q)), key(plain(w)), at) for q, w, at in links]
    answered = asked = 0
    for question, moment, was_answered in log:
        own = key(plain(question))
        if any(
            moment >= at
            and (
                fuzz.token_sort_ratio(own, q) >= SIMILAR or fuzz.token_sort_ratio(own, w) >= SIMILAR
            )
            for q, w, at in keys
        ):
            asked += 1
            answered += was_answered
    return answered, asked


# -- the conversation ---------------------------------------------------------------------------


class Linking:
    """What the bot says and does for 'Koppel aan sectie', for every face."""

    def __init__(self, knowledge: KnowledgeBase, store: Store, publisher: Publisher) -> None:
        self.knowledge = knowledge
        self.store = store
        self.links = store.links
        self.publisher = publisher

    def _key(self, question: str) -> str:
        analyzer = self.knowledge.index.analyzer
        return " ".join(sorted(set(analyzer.terms(question)))) or question

    # /rapport

    def report(self, groups: list[QuestionGroup], since: float) -> tuple[list[str], list[Button]]:
        """Lines for /rapport (answered since linking, links waiting) and a 'Koppel aan sectie'
        button for each group shown."""
        published = [
            (link.question, link.wording, link.published_at or 0.0)
            for link in self.links.in_state("published")
        ]
        lines: list[str] = []
        if published:
            first = min(at for _, _, at in published)
            answered, asked = answered_since(
                published, self.links.asked_since(max(first, since)), self._key
            )
            lines.append(
                f"Sinds koppelen beantwoord: {answered} van {asked}"
                if asked
                else "Sinds koppelen beantwoord: de gekoppelde vragen zijn nog niet opnieuw gesteld"
            )
        waiting = len(self.links.in_state("confirmed"))
        buttons: list[Button] = []
        ids = {plain(q): i for i, q in self.links.latest_answers(since)}
        for group in groups:
            answer_id = ids.get(group.question)
            if answer_id is not None:
                label = group.question
                if len(label) > BUTTON_QUESTION:
                    label = label[: BUTTON_QUESTION - 1].rsplit(" ", 1)[0] + "…"
                buttons.append(Button(f"Koppel aan sectie: {label}", LinkStart(answer_id)))
        if waiting:
            lines.append(f"Bevestigde koppelingen, nog niet gepubliceerd: {waiting}")
            buttons.append(Button(f"Publiceer koppelingen ({waiting})", LinkPublish()))
        return lines, buttons

    # buttons

    def press(self, chat_id: int, action: LinkAction, who: str) -> Outcome:
        """A link button of an admin (the caller checked that, and holds the reload lock)."""
        if isinstance(action, LinkPublish):
            return self.publish(who)
        if isinstance(action, LinkStart):
            return self.start(chat_id, action.answer)
        link = self.links.get(action.link)
        if link is None:
            return Outcome(notice=LINK_GONE, alert=True)
        if link.state in _STATES and not (
            link.state == "confirmed" and isinstance(action, LinkOp) and action.op == "drop"
        ):
            return Outcome(notice=LINK_DONE.format(state=_STATES[link.state]), alert=True)
        match action:
            case LinkPick(number=number):
                return self.pick(link, number)
            case LinkOp(op="search"):
                return Outcome(
                    [Reply(text=ASK_SEARCH, prompt=Prompt(PromptKind.LINK_SEARCH, link.id))]
                )
            case LinkOp(op="confirm"):
                return self.confirm(link)
            case LinkOp(op="drop"):
                self.links.update(link.id, state="dropped")
                return Outcome.say(
                    "Niet gekoppeld; er is niets opgeslagen in de kennis.\n\n" + self._waiting()
                )
        return Outcome(notice=LINK_GONE, alert=True)  # pragma: no cover - every op is handled

    def start(self, chat_id: int, answer_id: int) -> Outcome:
        stored = self.store.answers.answer(answer_id)
        if stored is None:
            return Outcome(notice=QUESTION_GONE, alert=True)
        candidates = self._find(stored.question)
        link = self.links.add(chat_id, answer_id, stored.question, candidates)
        return self._proposal(link, f"Vraag: {stored.question}")

    def _find(self, words: str) -> list[str]:
        result = self.knowledge.ask(words, top=PROPOSED)
        found: list[str] = []
        for passage in result.passages + result.more:
            if passage.section.id not in found:
                found.append(passage.section.id)
        return found[:PROPOSED]

    def _proposal(self, link: Link, head: str) -> Outcome:
        index = self.knowledge.index
        shown = [(n, sid) for n, sid in enumerate(link.candidates, 1) if sid in index.by_id]
        search = Button("Zoek een andere sectie", LinkOp(link.id, "search"))
        stop = Button("Niet koppelen", LinkOp(link.id, "drop"))
        if not shown:
            text = f"{head}\n\nIk vind geen sectie die past. Zoek met eigen woorden."
            return Outcome([Reply(text=text, buttons=((search, stop),))])
        lines = [f"{n}. {index.by_id[sid].citation}" for n, sid in shown]
        text = f"{head}\n\nAan welke sectie koppelt u deze vraag?\n" + "\n".join(lines)
        picks = tuple(Button(str(n), LinkPick(link.id, n)) for n, _ in shown)
        return Outcome([Reply(text=text, buttons=(picks, (search, stop)))])

    def pick(self, link: Link, number: int) -> Outcome:
        if not 1 <= number <= len(link.candidates):
            return Outcome(notice=LINK_GONE, alert=True)
        section_id = link.candidates[number - 1]
        if section_id not in self.knowledge.index.by_id:
            return Outcome(notice="Deze sectie bestaat niet meer. Zoek een andere.", alert=True)
        wording = link.wording or clean_wording(link.question)
        self.links.update(link.id, section_id=section_id, wording=wording, state="review")
        return self._review(link.id)

    def _review(self, link_id: int, note: str = "") -> Outcome:
        link = self.links.get(link_id)
        if link is None:
            return Outcome(notice=LINK_GONE, alert=True)
        text = "\n\n".join(
            filter(
                None,
                [
                    note,
                    f"Sectie: {self.knowledge.cite(link.section_id)}",
                    f"Deze vraagvorm voeg ik toe:\n{link.wording}"
                    if link.wording
                    else "Van deze vraag blijft na het opschonen niets over (alleen een nummer of "
                    "adres): typ hieronder de vraag zoals iemand hem zou stellen.",
                    "Klopt hij, tik dan op Bevestigen." if link.wording else "",
                ],
            )
        )
        buttons = (
            (Button("Bevestigen", LinkOp(link.id, "confirm")),),
            (
                Button("Andere sectie", LinkOp(link.id, "search")),
                Button("Niet koppelen", LinkOp(link.id, "drop")),
            ),
        )
        # Telegram shows either buttons or a reply field under a message: the edit is asked
        # in a message of its own
        prompt = Prompt(PromptKind.LINK_WORDING, link.id)
        return Outcome([Reply(text=text, buttons=buttons), Reply(text=ASK_EDIT, prompt=prompt)])

    def confirm(self, link: Link) -> Outcome:
        if link.state != "review":
            return Outcome(notice="Kies eerst een sectie.", alert=True)
        if not link.wording:  # the question was only a number or an address: type one
            return Outcome(notice=EMPTY_WORDING, alert=True)
        self.links.update(link.id, state="confirmed")
        return Outcome(
            [
                Reply(
                    text=f"Bevestigd: '{link.wording}' bij {self.knowledge.cite(link.section_id)}."
                    "\n\n" + self._waiting(),
                    buttons=self._publish_button(),
                )
            ]
        )

    def _waiting(self) -> str:
        n = len(self.links.in_state("confirmed"))
        if not n:
            return "Er wachten geen koppelingen op publicatie."
        return (
            f"Klaar om te publiceren: {n} koppeling{'en' if n != 1 else ''}. Koppel eerst meer "
            "vragen via /rapport, of publiceer ze nu samen als één versie."
        )

    def _publish_button(self) -> tuple[tuple[Button, ...], ...]:
        n = len(self.links.in_state("confirmed"))
        return ((Button(f"Publiceer koppelingen ({n})", LinkPublish()),),) if n else ()

    # typed replies

    def reply(self, kind: PromptKind, link_id: int, text: str) -> Outcome | None:
        """A reply to 'typ woorden' (search) or to the wording shown (an edit); None when the
        link is gone or done: the text is then an ordinary message."""
        link = self.links.get(link_id)
        if link is None or link.state in _STATES:
            return None
        if kind == PromptKind.LINK_SEARCH:
            words = " ".join(text.split())
            candidates = self._find(words) if words else []
            self.links.update(link.id, candidates=candidates, state="open")
            fresh = self.links.get(link.id)
            if fresh is None:  # pragma: no cover - just updated
                return Outcome.say(LINK_GONE)
            return self._proposal(fresh, f"Vraag: {link.question}\nGezocht op: {words}")
        if link.state != "review":
            return Outcome.say("Kies eerst een sectie voor deze vraag.")
        wording = clean_wording(text)
        if not wording:
            return Outcome.say(EMPTY_WORDING)
        self.links.update(link.id, wording=wording)
        return self._review(link.id, note="Aangepast.")

    # publishing

    def publish(self, who: str) -> Outcome:
        """Every confirmed link as one draft of vraagvormen.yaml, published as one version.
        The Telegram face runs the three steps itself, `write` in a worker thread (the
        database is used from the event loop's thread only)."""
        plan = self.plan()
        if isinstance(plan, Outcome):
            return plan
        return self.finish(plan, self.write(plan, who))

    def plan(self) -> PublishPlan | Outcome:
        """The confirmed links that can be published (those whose section is gone are
        dropped), or why there is nothing to publish."""
        confirmed = self.links.in_state("confirmed")
        known = self.knowledge.index.by_id
        gone = [link for link in confirmed if link.section_id not in known]
        for link in gone:
            self.links.update(link.id, state="dropped")
        ready = [link for link in confirmed if link.section_id in known]
        if not ready:
            return Outcome(notice=NOTHING_TO_PUBLISH, alert=True)
        return PublishPlan(ready, len(gone))

    def write(self, plan: PublishPlan, who: str) -> Published | PublishError:
        """The draft of vraagvormen.yaml, checked and published (files only, no database)."""
        new: dict[str, list[str]] = {}
        for link in plan.ready:
            new.setdefault(link.section_id, []).append(link.wording)
        live = live_files(self.publisher.folder).get(WORDINGS_FILE, f"{KEY}:\n")
        n = len(plan.ready)
        source = f"{n} koppeling{'en' if n != 1 else ''} uit /rapport"
        try:
            # never over a draft someone uploaded under this name: a free name beside it
            name = DRAFT if self.publisher.get(DRAFT) is None else self.publisher.free_name(DRAFT)
            self.publisher.save_draft(name, WORDINGS_FILE, add_wordings(live, new), who, source, [])
            return self.publisher.publish(name, who)
        except PublishError as exc:
            return exc

    def finish(self, plan: PublishPlan, done: Published | PublishError) -> Outcome:
        if isinstance(done, PublishError):
            return publishing_replies.error_outcome(done)
        now = self.store.clock()
        for link in plan.ready:
            self.links.update(link.id, state="published", published_at=now)
        outcome = publishing_replies.published_outcome(done)
        added = "\n".join(
            f"- {link.wording} → {self.knowledge.cite(link.section_id)}" for link in plan.ready
        )
        skipped = (
            f"\n\nNiet meegenomen (sectie bestaat niet meer): {plan.gone}" if plan.gone else ""
        )
        head = f"Vraagvormen toegevoegd ({len(plan.ready)}):\n{added}{skipped}"
        return Outcome([Reply(text=head), *outcome.replies])


@dataclass(frozen=True)
class PublishPlan:
    ready: list[Link]
    gone: int  # confirmed links left out: their section no longer exists

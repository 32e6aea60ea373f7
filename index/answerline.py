"""The answer line: the one sentence, list item or table cell of a passage that answers the
question, word for word, with the value in it (number and unit, date, term) marked.

A civil servant reads this line first; the passages behind it are one tap away. It is chosen by
the question's words (what the heading already says does not count twice), the kind of answer
the question asks for (a number for 'hoeveel', a date for 'wanneer', a rule for 'mag' or 'moet')
and the column the question names in a table (KWG, KWE, KWE+).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from index.analysis import Analyzer, words
from index.answertype import UNITS, states_quantity
from index.documents import Section, Unit
from index.query import Query

CELL_SEPARATOR = " | "
LABEL_SEPARATOR = " — "  # between a row's label and the cell's text in an answer line
MAX_ANSWER = 400  # characters: a longer sentence is still given whole, as the document says it
QUANTITY_BONUS = 0.5  # share of the question's weight a stated number adds when one is asked
RULE_BONUS = 0.25  # likewise a rule ('moet', 'mag niet') for a yes/no question
EXTRACT_BONUS = 0.05  # a piece the extract shows beats an equal one it does not
ASKED_FACTOR = 0.5  # a sentence that asks a question counts this much of its coverage
SHORT_ANSWER = 40  # characters: a shorter sentence gets the next one of its unit with it
WHOLE_CELL = 250  # characters: a table cell this short is one answer, all its sentences
CONTEXT_FACTOR = 0.1  # the heading's words, which the section already covers, break ties
ECHO_SHARE = 1 / 3  # a sentence whose terms are less new than this only echoes the question

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9‘“'(ÉÖ•-])")
_COLUMN = re.compile(r"^[^.:|]{1,60}: ")
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")  # '4.6.21. Er is ...'
_ASKS_RULE = re.compile(
    r"^\s*(?:mag|mogen|moet|moeten|is|zijn|kan|kunnen|hoeft|hoeven|geldt|heeft|hebben|"
    r"wordt|worden|dient|dienen)\b",
    re.IGNORECASE,
)
_ASKS_SIZE = re.compile(r"\b(?:hoe groot|oppervlakte|afmeting)", re.IGNORECASE)
_STATES_RULE = re.compile(
    r"\b(?:moet|moeten|mag|mogen|niet|geen|verplicht|dient|dienen|toegestaan|verboden|"
    r"minimaal|maximaal|uiterlijk|altijd|nooit)\b",
    re.IGNORECASE,
)
_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_NUMBER_WORDS = (
    "een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|vijftien|twintig|dertig|"
    "anderhalf|half"
)
_UNITS = (
    r"m2|m²|m3|m|meter|km|kg|liter|uur|uren|jaar|jaren|maand|maanden|week|weken|dag|dagen|"
    r"minuten|minuut|seconden|keer|procent|%|euro|personen|jongeren|kinderen|bedden|plaatsen"
)
_VALUE = re.compile(
    rf"(?:€\s?)?\b\d{{1,2}}\s(?:{_MONTHS})(?:\s\d{{4}})?\b"  # 1 juli 2022
    r"|\b\d+/\d+\b"  # 24/7
    rf"|(?:€\s?)?\b\d+(?:[.,]\d+)?(?:\s?(?:-|tot|t/m)\s?\d+(?:[.,]\d+)?)?"
    rf"(?:\s?(?:{_UNITS})(?![\w]))?"  # 11,5 m2 · 9 - 12 jongeren · 60%
    rf"|\b(?:{_NUMBER_WORDS})\s(?:{_UNITS})\b",  # drie maanden
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerLine:
    text: str  # word for word from the document (a cell with its row and column label)
    values: tuple[tuple[int, int], ...]  # spans of the value(s) in `text`, shown in bold
    section: Section
    unit: int = 0  # the unit of the section it comes from

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "citation": self.section.citation, "id": self.section.id}


def candidates(section: Section, query: Query, analyzer: Analyzer) -> list[list[str]]:
    """What of a section can be an answer line, per unit: its sentences, list items and table
    rows; a row with named columns gives the cell of the column the question names, with its
    labels."""
    named = _named_columns(query, analyzer)
    return [_unit_candidates(unit, named, analyzer) for unit in section.units]


def _unit_candidates(unit: Unit, named: Collection[str], analyzer: Analyzer) -> list[str]:
    if unit.kind == "head":
        return []
    if unit.kind == "row":
        cells = unit.text.split(CELL_SEPARATOR)
        label, values = cells[0], cells[1:]
        if not values:
            return [label]
        # Several values each name their column ('KWG: 90 uur | KWE: 7 uur', see
        # index.documents): one value is the whole cell.
        labelled = [c for c in values if _COLUMN.match(c)] if len(values) > 1 else []
        if named and labelled:
            wanted = [c for c in labelled if _column_terms(c, analyzer) & set(named)]
            values = wanted or values
        # A cell of several sentences gives each with the row's label ('Slaapkamer 12: De kamer
        # moet ...'), and a short cell also itself whole ('Brandvertragend. ... EN 13501-1').
        out: list[str] = []
        for cell in values:
            head, sep, body = cell.partition(": ") if cell in labelled else ("", "", cell)
            prefix = f"{label}{LABEL_SEPARATOR}" if label else ""
            parts = _sentences(body)
            if len(parts) > 1 and len(body) <= WHOLE_CELL:
                parts.append(body)  # after its sentences: it wins only where it says more
            out.extend(f"{prefix}{head}{sep}{sentence}" for sentence in parts)
        return out
    if unit.kind == "p":
        return _sentences(unit.text)
    return [unit.text]


def _sentences(text: str) -> list[str]:
    """A text's sentences; a leading number ('4.6.21.') stays with the sentence it numbers."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if out and _NUMBERING.fullmatch(out[-1] + " "):
            out[-1] = f"{out[-1]} {sentence}"
        elif sentence.strip():
            out.append(sentence)
    return out


def _column_terms(cell: str, analyzer: Analyzer) -> set[str]:
    head = cell.split(":", 1)[0]
    return set(analyzer.terms(head))


def _named_columns(query: Query, analyzer: Analyzer) -> set[str]:
    """The question's terms, as they can stand in a column header ('KWE+' -> 'kwe+')."""
    return set(analyzer.terms(query.text))


def asks_for_rule(question: str) -> bool:
    """A yes/no question ('mag er ...', 'moet de ...'): a rule answers it."""
    return bool(_ASKS_RULE.search(question))


def choose(
    section: Section, query: Query, analyzer: Analyzer, shown: str = ""
) -> AnswerLine | None:
    """The best answer line of a section for the question, or None for a section without text.

    `shown` is the extract the user can open: of two equal pieces, the one it shows wins."""
    units = candidates(section, query, analyzer)
    if not any(units):
        return None
    heading_terms = set(analyzer.terms(" ".join(section.path)))
    own = [w for w in query.words if not w.covered_by(heading_terms)] or query.words
    context = [w for w in query.words if w not in own]
    total = sum(w.weight for w in query.words) or 1.0
    rule = asks_for_rule(query.text)
    asked_units = {w.stem for w in query.words if w.surface in UNITS} | (
        {"m2"} if _ASKS_SIZE.search(query.text) else set()
    )
    best, best_score = (0, 0), -1.0
    for u, options in enumerate(units):
        asked = 0.0  # the coverage of a question the document asks itself ('Is een kind ...?')
        for i, option in enumerate(options):
            body = _NUMBERING.sub("", option)
            own_text = body.rpartition(LABEL_SEPARATOR)[2]  # without the row's label
            terms = set(analyzer.terms(body))
            coverage = sum(w.weight for w in own if w.covered_by(terms)) / total
            # what the heading says does not count twice, but of pieces equal on the rest the
            # one that also names it ('belangrijkste' under 'Belangrijk inzicht') is meant
            named = sum(w.weight for w in context if w.covered_by(terms))
            coverage += CONTEXT_FACTOR * named / total
            # A sentence that asks is no answer; the one after it answers what it asked.
            score = coverage * ASKED_FACTOR if body.rstrip().endswith("?") else max(coverage, asked)
            asked = coverage if body.rstrip().endswith("?") else 0.0
            if query.wants_quantity and states_quantity(own_text):
                score += QUANTITY_BONUS
                if asked_units and not asked_units.isdisjoint(analyzer.terms(own_text)):
                    score += QUANTITY_BONUS / 2  # the unit asked for: m2, not a count
            if rule and _STATES_RULE.search(body):
                score += RULE_BONUS
            if shown and option in shown:
                score += EXTRACT_BONUS
            if score > best_score:  # the first of equals: document order
                best, best_score = (u, i), score
    u, i = best
    text = _NUMBERING.sub("", units[u][i]).strip()
    said = heading_terms | query.terms()
    own_terms = set(analyzer.terms(text.rpartition(LABEL_SEPARATOR)[2]))
    # ('moet ... wasbaar zijn' repeats a yes/no question's words and still answers it)
    echo = not rule and len(own_terms - said) < ECHO_SHARE * len(own_terms)
    short = len(text.rpartition(LABEL_SEPARATOR)[2]) < SHORT_ANSWER
    if (short or echo) and i + 1 < len(units[u]):
        # 'Brandvertragend/brandwerend.' says little alone, and a sentence that only repeats the
        # question ('Creatieve oplossingen voor ...') answers nothing: the sentence after it in
        # the same paragraph or cell belongs to it (a cell's sentences share the row's label)
        label, _, _ = units[u][i].rpartition(LABEL_SEPARATOR)
        following = units[u][i + 1].removeprefix(label + LABEL_SEPARATOR if label else "")
        if f"{text.rpartition(LABEL_SEPARATOR)[2]} {following}" in section.units[u].text:
            text = f"{text} {following}"
    return AnswerLine(text=text, values=value_spans(text), section=section, unit=u)


_DEFINING_VERBS = frozenset(
    ("is", "zijn", "betekent", "betekenen", "doet", "doen", "staat", "houdt", "heet", "wordt")
)
_ABBREVIATION = re.compile(r"\w\s\(([^()\s]{2,10})\)")
DEFINING_REACH = 4  # words between the thing and the verb that says what it is


def defines(text: str, query: Query, analyzer: Analyzer) -> bool:
    """Does the text say what one of the question's things is or does ('Een amv is een kind
    ...', 'De voogd doet ...'), rather than merely name it ('... samen met de voogd uit')?"""
    tokens = words(text)
    asked = query.terms()
    for spelled_out in _ABBREVIATION.finditer(text):  # 'Kleinschalige woonvoorziening (KWV)'
        if not asked.isdisjoint(analyzer.terms(spelled_out.group(1))):
            return True
    for i, token in enumerate(tokens):
        if asked.isdisjoint(analyzer.terms_of_word(token)):
            continue
        if not _DEFINING_VERBS.isdisjoint(tokens[i + 1 : i + 1 + DEFINING_REACH]):
            return True
        if i + 1 < len(tokens) and tokens[i + 1] in ("of", "oftewel", "ofwel"):
            return True
    return False


def value_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the values a reader looks for: numbers with their unit, dates, 'drie maanden'."""
    spans = []
    for match in _VALUE.finditer(text):
        start, end = match.span()
        value = match.group().strip()
        if not value:
            continue
        end = start + len(match.group().rstrip())
        spans.append((start, end))
    return tuple(spans)

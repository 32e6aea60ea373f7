"""Choose what of a section to show: the sentences, list items or table rows that cover the
question's words best, in document order, within a length budget; and mark the query words."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from index.analysis import Analyzer, word_spans
from index.documents import Section, Unit
from index.query import Query

MAX_CHARS = 1000
MIN_CONTEXT = 400  # an extract shorter than this gets its neighbouring pieces as context
GAP = " … "

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9‘“'(ÉÖ])")


@dataclass(frozen=True)
class Piece:
    text: str
    unit: int  # index of the unit it comes from
    terms: frozenset[str]


@dataclass(frozen=True)
class Extract:
    text: str
    marks: tuple[tuple[int, int], ...]  # character spans of query words in `text`
    units: frozenset[int] = frozenset()  # the section's units it shows (whole or in part)


def pieces(section: Section, analyzer: Analyzer) -> list[Piece]:
    """A section cut into sentences (paragraphs) or whole items and rows, with their terms."""
    out: list[Piece] = []
    for i, unit in enumerate(section.units):
        for text in _split(unit):
            out.append(Piece(text, i, frozenset(analyzer.terms(text))))
    return out


def _split(unit: Unit) -> list[str]:
    if unit.kind != "p" or len(unit.text) < 200:
        return [unit.text]
    return [s for s in _SENTENCE_END.split(unit.text) if s]


def choose(
    section_pieces: list[Piece],
    query: Query,
    budget: int = MAX_CHARS,
    preferred: Collection[int] = (),
) -> list[int]:
    """Greedy cover: take the piece that adds most uncovered query weight, until none adds any.

    Pieces of the `preferred` units (the window that ranked the section) are taken first.
    """
    chosen: list[int] = []
    covered: set[int] = set()
    used = 0
    allowed = [i for i, p in enumerate(section_pieces) if p.unit in preferred]
    while True:
        best, best_gain = -1, 0.0
        for i in allowed or range(len(section_pieces)):
            piece = section_pieces[i]
            if i in chosen or used + len(piece.text) + len(GAP) > budget:
                continue
            gain = 0.0
            newly: set[int] = set()
            for j, word in enumerate(query.words):
                if j not in covered and word.covered_by(piece.terms):
                    gain += word.weight
                    newly.add(j)
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            if allowed:
                allowed = []  # the preferred window is exhausted: look in the whole section
                continue
            break
        chosen.append(best)
        used += len(section_pieces[best].text) + len(GAP)
        covered |= {
            j for j, w in enumerate(query.words) if w.covered_by(section_pieces[best].terms)
        }
    if not chosen and section_pieces:
        # matched on the heading only: show the preferred window's opening, or the section's
        start = min((i for i, p in enumerate(section_pieces) if p.unit in preferred), default=0)
        chosen = [start]
        used = len(section_pieces[start].text)
    # Context: grow a short extract with the pieces that follow (or precede) what was chosen.
    for step in (1, -1):
        changed = True
        while changed and used < MIN_CONTEXT:
            changed = False
            for i in sorted(chosen, reverse=step < 0):
                j = i + step
                if 0 <= j < len(section_pieces) and j not in chosen:
                    extra = len(section_pieces[j].text) + 1
                    if used + extra <= budget:
                        chosen.append(j)
                        used += extra
                        changed = True
                        break
    return sorted(chosen)


def build_extract(
    section: Section,
    query: Query,
    analyzer: Analyzer,
    sec_pieces: list[Piece],
    preferred: Collection[int] = (),
) -> Extract:
    indices = choose(sec_pieces, query, preferred=preferred)
    text = ""
    previous = -2
    for i in indices:
        piece = sec_pieces[i]
        if text:
            adjacent = i == previous + 1
            same_unit = adjacent and sec_pieces[previous].unit == piece.unit
            text += " " if same_unit else ("\n" if adjacent else "\n…\n")
        text += piece.text
        previous = i
    text = text[:MAX_CHARS]
    units = frozenset(sec_pieces[i].unit for i in indices)
    return Extract(text=text, marks=tuple(mark_spans(text, query, analyzer)), units=units)


def mark_spans(text: str, query: Query, analyzer: Analyzer) -> list[tuple[int, int]]:
    wanted = query.terms()
    spans: list[tuple[int, int]] = []
    for start, end, token in word_spans(text):
        if token in analyzer.stopwords or (len(token) < 2 and not token.isdigit()):
            continue
        if wanted.intersection(analyzer.terms_of_word(token)):
            spans.append((start, end))
    return spans

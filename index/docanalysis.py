"""What the index needs of one document, analysed once and kept while the document is unchanged.

Everything here depends on the document alone, never on the rest of the corpus: the words of
each search window (normalised, stopwords dropped, not yet stemmed or split: compound parts
depend on the whole corpus's vocabulary), which units state a quantity, and the words the
document adds to the vocabulary. A reload re-analyses only the documents that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.analysis import Analyzer, build_vocabulary
from index.answertype import states_quantity
from index.documents import Document, Section

WINDOW_CHARS = 600  # the length of text BM25 ranks at once


@dataclass(frozen=True)
class Window:
    """What BM25 ranks: a run of a section's units (paragraphs, items, rows) of limited length,
    with the section's headings. Long sections so compete by their best part, not their length."""

    section: int
    first: int
    last: int


def windows(index: int, section: Section) -> list[Window]:
    out: list[Window] = []
    units = section.units
    for first in range(len(units)):
        length, last = len(units[first].text), first
        while last + 1 < len(units) and length + len(units[last + 1].text) <= WINDOW_CHARS:
            last += 1
            length += len(units[last].text)
        if not out or last > out[-1].last:  # skip windows inside the previous one
            out.append(Window(index, first, last))
    return out


def window_text(section: Section, window: Window) -> str:
    return "\n".join(u.text for u in section.units[window.first : window.last + 1])


@dataclass(frozen=True)
class SectionWords:
    """A searchable section's words: of each of its windows, of its heading, of the headings
    above it."""

    windows: tuple[tuple[str, ...], ...]
    heading: tuple[str, ...]
    path: tuple[str, ...]
    quantity: tuple[bool, ...]  # per unit: does it state a number, a duration or a date?


@dataclass(frozen=True)
class DocumentAnalysis:
    sections: tuple[SectionWords, ...]  # one per section with units, in order
    vocabulary: frozenset[str]

    def fits(self, document: Document) -> bool:
        """Is this the analysis of a document shaped like `document` (a cache file changed by
        hand is not)?"""
        searchable = [s for s in document.sections if s.units]
        return len(searchable) == len(self.sections) and all(
            len(s.units) == len(words.quantity) and len(windows(0, s)) == len(words.windows)
            for s, words in zip(searchable, self.sections, strict=True)
        )


_WORDS = Analyzer()  # content words need no vocabulary


def analyse_document(document: Document) -> DocumentAnalysis:
    searchable = [s for s in document.sections if s.units]
    out = []
    for section in searchable:
        words = _WORDS.content_words
        out.append(
            SectionWords(
                windows=tuple(tuple(words(window_text(section, w))) for w in windows(0, section)),
                heading=tuple(words(section.heading)),
                path=tuple(words(" ".join(section.path[:-1]))),
                quantity=tuple(states_quantity(u.text) for u in section.units),
            )
        )
    vocabulary = build_vocabulary(s.text + "\n" + " ".join(s.path) for s in searchable)
    return DocumentAnalysis(tuple(out), vocabulary)

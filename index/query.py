"""A question analysed for search: its content words with stems, compound parts and synonyms."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from index.analysis import Analyzer, specificity
from index.answertype import asks_for_definition, asks_for_quantity

PART_WEIGHT = 0.5  # a compound part of a known word
SYNONYM_WEIGHT = 0.6  # a term brought in by a synonym group


@dataclass
class QueryWord:
    surface: str
    stem: str
    parts: tuple[str, ...] = ()
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    weight: float = 1.0  # idf-like importance, set against the index
    specificity: float = 1.0  # how topical the word is in everyday Dutch (0.15..1)

    def covered_by(self, terms: Collection[str]) -> bool:
        """Does a text with these terms answer for this word (itself, all its parts, a synonym)?"""
        if self.stem in terms:
            return True
        if self.parts and all(p in terms for p in self.parts):
            return True
        return any(all(t in terms for t in alt) for alt in self.synonyms)

    def all_terms(self) -> set[str]:
        terms = {self.stem, *self.parts}
        for alt in self.synonyms:
            terms.update(alt)
        return terms


@dataclass
class Query:
    text: str
    words: list[QueryWord]
    wants_quantity: bool = False  # asks how many, how long, when: see index.answertype
    wants_definition: bool = False  # asks what a thing is ('wat is een KWG?')

    def coverage(self, terms: Collection[str]) -> float:
        """Share of the question's weight that a text with these terms covers (0..1)."""
        total = sum(w.weight for w in self.words)
        if total <= 0:
            return 0.0
        return sum(w.weight for w in self.words if w.covered_by(terms)) / total

    def focus_words(self) -> list[QueryWord]:
        """The question's most specific words: those of the highest weight (ties included)."""
        top = max((w.weight for w in self.words), default=0.0)
        return [w for w in self.words if w.weight >= top * 0.999]

    def holds_focus(self, terms: Collection[str]) -> bool:
        """Does a text with these terms hold one of the question's most specific words?"""
        return any(w.covered_by(terms) for w in self.focus_words())

    def terms(self) -> set[str]:
        out: set[str] = set()
        for w in self.words:
            out |= w.all_terms()
        return out


class SynonymTable:
    """Synonym groups as stem sequences, looked up by their first stem."""

    def __init__(self, groups: Iterable[tuple[str, ...]], analyzer: Analyzer) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], list[tuple[str, ...]]]]] = {}
        for group in groups:
            phrases = [tuple(analyzer.stem(w) for w in analyzer.content_words(p)) for p in group]
            phrases = [p for p in phrases if p]
            for phrase in phrases:
                others = [o for o in phrases if o != phrase]
                self._by_first.setdefault(phrase[0], []).append((phrase, others))

    def expand(self, stems: list[str]) -> list[list[tuple[str, ...]]]:
        """For each position, the alternatives of a synonym phrase that starts there."""
        out: list[list[tuple[str, ...]]] = [[] for _ in stems]
        for i, stem in enumerate(stems):
            for phrase, others in self._by_first.get(stem, []):
                if tuple(stems[i : i + len(phrase)]) == phrase:
                    out[i].extend(o for o in others if o not in out[i])
        return out


def analyse_question(
    text: str,
    analyzer: Analyzer,
    synonyms: SynonymTable,
    extra_stopwords: Collection[str],
    correct: Callable[[str], str | None] = lambda word: None,
) -> Query:
    """A question's content words; `correct` gives the word a misspelt one means, if any."""
    surfaces = [correct(w) or w for w in analyzer.content_words(text) if w not in extra_stopwords]
    seen: set[str] = set()
    unique: list[str] = []
    for s in surfaces:
        stem = analyzer.stem(s)
        if stem not in seen:
            seen.add(stem)
            unique.append(s)
    stems = [analyzer.stem(s) for s in unique]
    expansions = synonyms.expand(stems)
    words = [
        QueryWord(
            surface=s,
            stem=stem,
            parts=tuple(analyzer.stem(p) for p in analyzer.parts(s) if p not in analyzer.stopwords),
            synonyms=alts,
            specificity=specificity(s),
        )
        for s, stem, alts in zip(unique, stems, expansions, strict=True)
    ]
    return Query(
        text=text,
        words=words,
        wants_quantity=asks_for_quantity(text),
        wants_definition=asks_for_definition(text),
    )

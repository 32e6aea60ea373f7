"""Spelling mistakes in a question, corrected against the words of the documents.

'huiskamr' is 'huiskamer', 'brandblusser' stays itself. Only longer words that are not Dutch
words of their own and not compounds of corpus words are corrected, and only to a corpus word
within a small edit distance: numbers, short words and real words are never touched, so an
out-of-scope word ('energielabel') is not bent into an in-scope one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from index.analysis import dutch_zipf

MIN_LENGTH = 5  # shorter words are too easily another word
KNOWN_ZIPF = 1.5  # a word at least this common in Dutch is a word, not a typo


def is_dutch_word(word: str) -> bool:
    """A word of everyday Dutch (wordfreq), whether or not the documents use it."""
    return dutch_zipf(word) >= KNOWN_ZIPF


def max_edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


class Speller:
    def __init__(self, vocabulary: Iterable[str], is_compound: Callable[[str], bool]) -> None:
        self.words = sorted(w for w in vocabulary if len(w) >= MIN_LENGTH - 1)
        self._known = frozenset(self.words)
        self.is_compound = is_compound
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The corpus word meant by a misspelt `word`, or None when it is no typo (or unclear)."""
        if word in self._cache:
            return self._cache[word]
        found = self._correct(word)
        if len(self._cache) < 50_000:
            self._cache[word] = found
        return found

    def _correct(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._known:
            return None
        if is_dutch_word(word) or self.is_compound(word):
            return None
        limit = max_edits(word)
        matches = process.extract(
            word, self.words, scorer=Levenshtein.distance, score_cutoff=limit, limit=5
        )
        if not matches:
            return None
        best = min(distance for _, distance, _ in matches)
        closest = [w for w, distance, _ in matches if distance == best]
        # Of equally close words, the most common in Dutch: 'grote' rather than 'grate'.
        return max(closest, key=lambda w: (dutch_zipf(w), w))

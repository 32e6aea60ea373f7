"""Dutch text analysis for search: normalise, tokenise, drop stopwords, lemmatise and stem,
split compounds.

Documents and questions go through the same steps, so a question's 'keuken' meets the
document's 'Keukenruimte' (compound split), 'woningen' meets 'woning' (stemmer) and '11,5 m²'
meets '11,5 m2' (normalisation).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import Stemmer
from stop_words import get_stop_words
from text_to_num import alpha2digit

STEMMER_ALGORITHM = (
    "dutch_porter"  # Snowball's 'dutch' conflates gemeente/menen, begeleiding/beleid
)
MIN_PART = 4  # shortest compound part
MIN_COMPOUND = 8  # shortest word worth splitting
NEGATION = "on"  # the prefix that negates adjectives and participles: on-veilig
MIN_NEGATED = 6  # shortest word left after it: not 'on-rust', 'on-geval'
LINKS = ("s", "e", "en")  # Dutch linking morphemes: huisvesting-s-termijn
LEXICON_ZIPF = 3.3  # a part outside the corpus must be at least this common in Dutch ...
LEXICALISED_ZIPF = 3.5  # ... and a word this common is split into corpus words only

_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[a-z]+(?:_[a-z]+)+|[a-z]+\+|[a-z][a-z0-9]*|\d+")
_POSSESSIVE = re.compile(r"([\w+])['’]s\b")
_SURFACE = re.compile(r"[\w+]+(?:[.,]\d+)*")
_PROPER_NAME = re.compile(r"\b([A-Z][a-z]+)-([A-Z][a-z]+)\b")
_DIGIT = re.compile(r"\d")
_AGE_WORDS = ("jaar", "+", "jonger", "onder de", "beneden", "ouder", "boven", "vanaf")
_URL = re.compile(r"\bhttps?://[^\s)]+|\bwww\.[^\s)]+")  # addresses are not words of the text
_OPTIONAL_PLUS = re.compile(r"\b(\w+)\(\+\)")  # KWE(+) means KWE and KWE+
# Age limits are said in many ways; each becomes one term, so 'jonger dan 15' meets 'kinderen
# tot 15 jaar' and not '15 t/m 18 jaar'. 'tot N jaar' after a number is a range: left alone.
_AGE_BELOW = re.compile(
    r"\b(?:jonger dan|onder de|beneden de)\s+(\d+)\b(?![.,]\d)|(?<!\d )\btot\s+(\d+)(?=\s+jaar\b)"
)
_AGE_FROM = re.compile(
    r"\b(?:ouder dan|boven de|vanaf(?: het)?)\s+(\d+)(?:e\b)?(?![.,]\d)(?=\s+(?:jaar|levensjaar)\b)"
    r"|\b(?:ouder dan|boven de)\s+(\d+)\b(?![.,]\d)|(?<![\w.,])(\d+)\+"
)


# Numbers said in words become digits, as the documents mostly write them: 'zes' -> 6,
# 'vijfentwintig' -> 25 (text2num). It leaves 'een' (also an article) and 'twee' alone and
# does not know halves: 'twee' -> 2, 'anderhalf' -> 1,5, '17 en 1 half' -> 17,5 here.
_NUMBER_WORD = re.compile(
    r"\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|zestien|"
    r"achttien|twintig|dertig|veertig|zestig|zeventig|tachtig|negentig|honderd|duizend|anderhalf)"
)
_TWO = re.compile(r"\btwee\b")
_ONE_AND_A_HALF = re.compile(r"\banderhalf\b")
_AND_A_HALF = re.compile(r"\b(\d+) en (?:1|een) half\b")
# Units as people say or type them: 'vierkante meter' is m2, 'uurtjes' are uur, 'kwe plus' KWE+.
_SPOKEN_UNITS = (
    (re.compile(r"\bvierkante meters?\b"), "m2"),
    (re.compile(r"\bkubieke meters?\b"), "m3"),
    (re.compile(r"\buurtjes?\b"), "uur"),
    (re.compile(r"\b(kwe|kwg)[ -]?plus\b"), r"\1+"),
)


class WordStemmer(Protocol):
    def stemWord(self, word: str) -> str: ...


def normalise(text: str) -> str:
    """Lowercase, strip accents, unify units and quotes: 'Ruimte 12m²' -> 'ruimte 12m2'."""
    text = unicodedata.normalize("NFKC", text)  # m² -> m2, ﬁ -> fi
    if "%" in text:
        text = text.replace("%", " procent ")  # '60%' meets 'zestig procent'
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    text = _PROPER_NAME.sub(r"\1_\2", text)  # Schouwen-Duivenland is a place, not 'schouwen'
    text = text.replace("\u00ad", "").lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # hyphenation across a line break
    if "(+)" in text:
        text = _OPTIONAL_PLUS.sub(r"\1 \1+", text)
    if _NUMBER_WORD.search(text):
        text = _digits(text)
    for spoken, unit in _SPOKEN_UNITS:
        text = spoken.sub(unit, text)
    if _DIGIT.search(text) and any(w in text for w in _AGE_WORDS):  # cheap test first
        text = _AGE_BELOW.sub(lambda m: _age_limit("onder", m), text)
        text = _AGE_FROM.sub(lambda m: _age_limit("vanaf", m), text)
    return _POSSESSIVE.sub(r"\1", text)  # amv's -> amv


def number_words_as_digits(text: str) -> str:
    """Number words as digits: 'zes slaapkamers' -> '6 slaapkamers' (lowercase text)."""
    return _digits(text) if _NUMBER_WORD.search(text) else text


def _digits(text: str) -> str:
    """Number words as digits: 'zes slaapkamers' -> '6 slaapkamers'."""
    text = alpha2digit(_ONE_AND_A_HALF.sub("1,5", _TWO.sub("2", text)), "nl")
    return _AND_A_HALF.sub(r"\1,5", text)


def _age_limit(kind: str, match: re.Match[str]) -> str:
    """'jonger dan 15' -> 'onder15 15': the limit as one term, and the number itself."""
    number = next(g for g in match.groups() if g)
    return f"{kind}{number} {number}"


def words(text: str) -> list[str]:
    """Surface tokens of normalised text; decimals and section numbers stay whole."""
    return [_canonical_number(t) for t in _TOKEN.findall(normalise(text))]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Tokens with their character spans in the *original* text (for marking them bold)."""
    spans: list[tuple[int, int, str]] = []
    urls = [m.span() for m in _URL.finditer(text)]
    for match in _SURFACE.finditer(text):
        if any(start <= match.start() < end for start, end in urls):
            continue
        token = _first_word(match.group())
        if token:
            spans.append((match.start(), match.end(), token))
    return spans


@lru_cache(maxsize=100_000)
def _first_word(surface: str) -> str:
    found = words(surface)
    return found[0] if found else ""


# Zipf frequencies in everyday Dutch known without wordfreq: a built index keeps those of its
# words (see index.build), so a question in the documents' words never loads wordfreq's list.
_KNOWN_ZIPF: dict[str, float] = {}


def known_zipf(table: dict[str, float]) -> None:
    """Remember Zipf frequencies computed earlier (facts about Dutch, not about the corpus)."""
    _KNOWN_ZIPF.update(table)


@lru_cache(maxsize=200_000)
def dutch_zipf(word: str) -> float:
    """How common `word` is in everyday Dutch (wordfreq's Zipf scale, 0 for unknown words).

    wordfreq is imported on first need: it costs a quarter second to load."""
    known = _KNOWN_ZIPF.get(word)
    if known is not None:
        return known
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "nl"))


@lru_cache(maxsize=100_000)
def specificity(word: str) -> float:
    """How much a question word says about its topic, from its frequency in everyday Dutch.

    'komt', 'lang', 'keer' (Zipf 5.5-6) say little; 'huisdier', 'cao', 'gordijnen' (Zipf < 4.2)
    say a lot, even where the documents use them rarely. 1.0 for specific words, down to 0.15.
    """
    if not word[0].isalpha():
        return 1.0
    zipf = dutch_zipf(word)
    return min(1.0, max(0.15, (6.4 - zipf) / 2.2))


def _canonical_number(token: str) -> str:
    return token.replace(",", ".") if token[0].isdigit() else token


@dataclass
class Analyzer:
    """Turns text into index terms. `vocabulary` holds the corpus words compounds split into."""

    stopwords: frozenset[str] = field(default_factory=lambda: frozenset(get_stop_words("dutch")))
    vocabulary: frozenset[str] = frozenset()
    stemmer: WordStemmer = field(default_factory=lambda: Stemmer.Stemmer(STEMMER_ALGORITHM))

    # Stems and compound parts computed before, for this vocabulary (see index.build): looked up
    # first, so a question in the documents' words needs no lemmatiser. While `learning`, every
    # word analysed is added to them.
    stems: dict[str, str] = field(default_factory=dict)
    compounds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    learning: bool = False

    def __post_init__(self) -> None:
        self._stem = lru_cache(maxsize=200_000)(self._stem_uncached)
        self._parts = lru_cache(maxsize=200_000)(self._split_uncached)

    def content_words(self, text: str) -> list[str]:
        """Surface words that carry meaning: no stopwords, no single letters."""
        return [w for w in words(text) if w not in self.stopwords and (len(w) > 1 or w.isdigit())]

    def stem(self, word: str) -> str:
        known = self.stems.get(word)
        if known is None:
            known = self._stem(word)
            if self.learning:
                self.stems[word] = known
        return known

    def _stem_uncached(self, word: str) -> str:
        """Lemma first ('afgeweken' -> 'afwijken', 'voldoet' -> 'voldoen'), then the stem."""
        if not word.isalpha():
            return word  # numbers, age limits 'onder15', 'kwe+', 'schouwen_duivenland'
        import simplemma  # its dictionary costs half a second: loaded on first need

        lemma = simplemma.lemmatize(word, lang="nl").lower().replace("_", "")
        return self.stemmer.stemWord(lemma if lemma.isalpha() else word)

    def parts(self, word: str) -> tuple[str, ...]:
        """Compound parts found in the vocabulary ('keukenruimte' -> ('keuken', 'ruimte'))."""
        known = self.compounds.get(word)
        if known is None:
            known = self._parts(word)
            if self.learning:
                self.compounds[word] = known
        return known

    def _split_uncached(self, word: str) -> tuple[str, ...]:
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return ()
        vocabulary = self.vocabulary
        if dutch_zipf(word) >= LEXICALISED_ZIPF:
            # A common word of its own ('huisvesting', 'onderwijs'): only split it into words of
            # the documents, or 'huisvesting' would become 'huis' + 'vesting'.
            return _split(word, vocabulary.__contains__) or ()

        def is_word(part: str) -> bool:
            return part in vocabulary or dutch_zipf(part) >= LEXICON_ZIPF

        if word.startswith(NEGATION) and len(word) - len(NEGATION) >= MIN_NEGATED:
            # 'onaangekondigd' is about 'aangekondigd' (and 'aankondiging'), 'onveilig' about
            # 'veilig': the word without its negating prefix is a part of it.
            rest = word[len(NEGATION) :]
            if is_word(rest):
                return (rest,)
        return _split(word, is_word) or ()

    def terms_of_word(self, word: str) -> list[str]:
        """The whole word's stem, then the stems of its compound parts."""
        terms = [self.stem(word)]
        terms.extend(self.stem(p) for p in self.parts(word) if p not in self.stopwords)
        return terms

    def terms(self, text: str) -> list[str]:
        """Index terms of a text: every content word's stem plus its compound parts' stems."""
        out: list[str] = []
        for word in self.content_words(text):
            out.extend(self.terms_of_word(word))
        return out


def _split(word: str, is_word: Callable[[str], bool], depth: int = 0) -> tuple[str, ...] | None:
    """Split into the fewest known words, allowing a linking -s-, -e- or -en-."""
    if depth > 3:
        return None
    best: tuple[str, ...] | None = None
    best_rank = (99, True)
    for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        left, right = word[:i], word[i:]
        heads = [left] + [left[: -len(link)] for link in LINKS if left.endswith(link)]
        heads.append(left + "en")  # a verb stem: oplever-termijn is opleveren + termijn
        head = next((h for h in heads if len(h) >= MIN_PART and is_word(h)), None)
        if head is None:
            continue
        if is_word(right):
            candidate: tuple[str, ...] | None = (head, right)
        elif best_rank[0] == 2:
            continue  # a two-part split is known: only another two-part split can beat it
        else:
            rest = _split(right, is_word, depth + 1) if len(right) >= 2 * MIN_PART else None
            candidate = (head, *rest) if rest else None
        # Fewest parts first; then a split without a linking morpheme: taak-stelling, not
        # taak-s-telling.
        rank = (len(candidate), head != left) if candidate else None
        if rank and rank < best_rank:
            best, best_rank = candidate, rank
            if rank == (2, False):
                break
    return best


def build_vocabulary(texts: Iterable[str], min_length: int = MIN_PART) -> frozenset[str]:
    """The words compounds may split into: every alphabetic corpus word of sufficient length."""
    vocab: set[str] = set()
    for text in texts:
        vocab.update(w for w in words(text) if len(w) >= min_length and w.isalpha())
    return frozenset(vocab)

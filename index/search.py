"""The searchable index over a knowledge folder: build it once, ask it many questions."""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

from index import answerline
from index.analysis import Analyzer, dutch_zipf, known_zipf
from index.answerline import AnswerLine
from index.answertype import UNITS, asks_for_money, states_money
from index.docanalysis import (
    DocumentAnalysis,
    SectionWords,
    Window,
    analyse_document,
    window_text,
    windows,
)
from index.documents import CITATION_SEPARATOR, Document, Section
from index.extract import Extract, Piece, build_extract, pieces
from index.problems import Problem
from index.query import PART_WEIGHT, SYNONYM_WEIGHT, Query, SynonymTable, analyse_question
from index.ranking import SectionBM25
from index.sources import Source, Sources
from index.spelling import Speller, is_dutch_word
from index.synonyms import SynonymData

if TYPE_CHECKING:
    from index.build import IndexCache

HEADING_WEIGHT = 3  # a section's own heading counts this many times its body
PATH_WEIGHT = 1  # the headings above it count once
# Question wordings (knowledge/vraagvormen.yaml: how people ask for a section) are a field of
# their own, ranked with BM25 among themselves and added to the section's text score at this
# weight: they bridge the user's words and the document's, without outweighing the text.
# With wordings for every section (2026-11) the dev set and our own 93 questions rank best from
# 0.7 to 1.0 alike (at 0.5: dev hit@1 0.854, at 0.8: 0.902); 0.8 is the middle of that plateau.
WORDING_WEIGHT = 0.8
WORDING_EXTRA_WORDS = 1  # a question asked as worded may leave out this many of its words
CANDIDATES = 80  # BM25's best sections that are re-ranked by coverage
COORDINATION = 1.0  # exponent of the coverage factor in the final score
IDF_POWER = 1.0  # a question word's weight grows with idf to this power
# "No answer": the confidence is the geometric mean of two measures of the best passage, its
# coverage (share of the question's weight it holds) and its strength (its score as a share of
# what an average passage holding every question term once would get). How much confidence an
# answer needs depends on whether the passage holds the question's most specific word (or a
# synonym or all parts of it): without it, a passage on 'pand' and 'minimaal' is no answer to a
# question about the energielabel of the pand. Calibrated on the shared dev set plus our own 93
# questions (tests/fixtures/extra_questions.jsonl). Passages holding the specific word: right
# answers 0.24 and up, out-of-scope questions at most 0.21 (three near-scope ones 0.28-0.69).
# Without it: right answers 0.25-0.61, out-of-scope up to 0.38 ('energielabel'); 0.3 refuses
# most of those and two right answers (0.25, 0.29).
MIN_CONFIDENCE = 0.22
MIN_CONFIDENCE_WITHOUT_FOCUS = 0.3
# Below this confidence an answer is offered as a suggestion ("Ik weet het niet zeker. Bedoelt u
# misschien ..."), not stated. Calibrated on the dev set and our own 93 questions: at 0.36, 88%
# and 92% of their in-scope questions are answered without doubt, 100% and 95% of those rightly,
# and no out-of-scope question is asserted.
SURE_CONFIDENCE = 0.36
RELATIVE_CUTOFF = 0.45  # further passages must score at least this share of the best
# A question asking how many, how long or when prefers passages that state a number, a duration
# or a date by this factor (see index.answertype).
QUANTITY_BONUS = 1.5
# A question what a thing is ('wat is een KWG?') prefers the section named after that thing
# (heading 'KWG') over one that merely mentions it ('Bijlage 1 Inventarislijst KWG').
DEFINITION_BONUS = 1.5
# 'Wat is een X?' with X of at most this many words is answered without doubt only by the section
# named after X or by a line that says what X is or does (not one that merely names it).
DEFINITION_WORDS = 2
UNIT_WEIGHT = 0.4  # a unit in a question asking how much ('hoeveel m2') against a topic word
# A question about one of a set of alternatives (synoniemen.yaml 'alternatieven': KWG, KWE,
# KWE+) ranks a section whose headings name only others of the set this much lower: the KWG's
# kitchen size is no answer to a question about the KWE.
OTHER_ALTERNATIVE = 0.35
MAX_QUESTION_CHARS = 2000  # longer input is cut: nobody types a question this long


@dataclass(frozen=True)
class Way:
    """One way a text can hold a question word: these terms, with this weight."""

    terms: tuple[str, ...]
    weight: float
    whole: bool = False  # all terms needed (a synonym phrase), or each counts (compound parts)


class Candidate(NamedTuple):
    """A section's best window for a question, with what ranking and confidence need of it."""

    final: float  # the ranking score: evidence with the answer-type bonus
    coverage: float
    window: int
    evidence: float  # BM25 score times coverage: what the confidence is measured on
    text_evidence: float  # the same for the document's text alone, without question wordings


class InvalidKnowledge(Exception):
    """The knowledge folder has errors; `problems` lists them as `file:line: message`."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Passage:
    section: Section
    score: float
    coverage: float
    extract: Extract
    # Sections of the same document with the very same text ('Tuin' in the tables of the KWG
    # and of the KWE(+)): shown once, cited in every place.
    also: tuple[Section, ...] = ()

    def repeated_by(self, other: Section) -> bool:
        return other.doc == self.section.doc and other.text == self.section.text

    @property
    def citation(self) -> str:
        """The citation as shown: '… › 8.1 KWG › Tuin (ook 8.2 KWE(+) › Tuin)'."""
        if not self.also:
            return self.section.citation
        path = self.section.path
        elsewhere = []
        for other in self.also:
            common = next(
                (i for i, (a, b) in enumerate(zip(path, other.path, strict=False)) if a != b),
                min(len(path), len(other.path)),
            )
            elsewhere.append(CITATION_SEPARATOR.join(other.path[common:]))
        return f"{self.section.citation} (ook {'; '.join(elsewhere)})"

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "citation": self.section.citation,
            "id": self.section.id,
            "doc": self.section.doc,
            "text": self.extract.text,
            "score": round(self.score, 3),
        }
        if self.also:
            out["also"] = [s.citation for s in self.also]
        return out


@dataclass(frozen=True)
class SearchResult:
    question: str
    answered: bool
    confidence: float
    passages: list[Passage]
    more: list[Passage] = field(default_factory=list)  # relevant passages beyond the top
    answer: AnswerLine | None = None  # the line read first (see index.answerline)
    unsure: bool = False  # answered, but offered as a suggestion rather than stated
    terms: frozenset[str] = frozenset()  # the question's terms as searched (stems, parts, synonyms)
    # question words that are neither in the documents (in any form) nor Dutch words: a typo
    # too far off, or jargon; "probeer het met andere woorden" is about these
    not_understood: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        answer = self.answer if self.answered else None
        return {
            "question": self.question,
            "answered": self.answered,
            "unsure": self.unsure if self.answered else False,
            "answer": answer.as_json() if answer is not None else None,
            "passages": [p.as_json() for p in self.passages],
        }


@dataclass
class Known:
    """What an index learnt about its words, to be given to the next index: stems (the same for
    every corpus), compound parts (valid for one vocabulary) and Zipf frequencies."""

    stems: dict[str, str] = field(default_factory=dict)
    compounds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()  # the vocabulary `compounds` were split against
    zipf: dict[str, float] = field(default_factory=dict)


class KnowledgeIndex:
    """The searchable index. Build it with index.build.build_index from a knowledge folder;
    `analysed` (one per document, in order) and `known` let it skip work done before."""

    def __init__(
        self,
        documents: list[Document],
        synonyms: SynonymData,
        wordings: Mapping[str, Sequence[str]] | None = None,
        analysed: Sequence[DocumentAnalysis] | None = None,
        known: Known | None = None,
    ) -> None:
        self.documents = documents
        self.synonym_data = synonyms
        self.sections = [s for d in documents for s in d.sections if s.units]
        if not self.sections:
            raise ValueError("de kennismap bevat geen secties om in te zoeken")
        if analysed is None:
            analysed = [analyse_document(d) for d in documents]
        self.analysed = list(analysed)
        vocabulary = frozenset().union(*(a.vocabulary for a in self.analysed))
        known = known or Known()
        known_zipf(known.zipf)
        self.analyzer = Analyzer(
            vocabulary=vocabulary,
            stems=dict(known.stems),
            compounds=dict(known.compounds) if known.vocabulary == vocabulary else {},
            learning=True,
        )
        self.speller = Speller(self.analyzer.vocabulary, lambda w: bool(self.analyzer.parts(w)))
        self.extra_stopwords = frozenset(synonyms.stopwords)
        self.exclusive = [
            frozenset(t for w in group for t in self.analyzer.terms(w))
            for group in synonyms.exclusive
        ]
        self._path_terms: dict[int, frozenset[str]] = {}
        self.synonyms = SynonymTable(synonyms.groups, self.analyzer)
        self.windows = [w for i, s in enumerate(self.sections) for w in windows(i, s)]
        section_words = [sw for a in self.analysed for sw in a.sections]
        corpus, corpus_words = self._corpus(section_words)
        self.bm25 = SectionBM25(corpus)
        self.states_quantity = [
            any(section_words[w.section].quantity[w.first : w.last + 1]) for w in self.windows
        ]
        self._pieces: dict[int, list[Piece]] = {}
        self.by_id = {s.id: s for d in documents for s in d.sections}
        self.sources = Sources(documents, self.by_id)
        self._position = {s.id: i for i, s in enumerate(self.sections)}
        self._windows_of: dict[int, list[int]] = {}
        for i, window in enumerate(self.windows):
            self._windows_of.setdefault(window.section, []).append(i)
        self.wordings = {
            sid: list(ws) for sid, ws in (wordings or {}).items() if sid in self._position and ws
        }
        # Each wording's terms, analysed once: for BM25 and for a question asked as worded.
        wording_terms = {
            sid: [self.analyzer.terms(w) for w in ws] for sid, ws in self.wordings.items()
        }
        self._wording_sets = {
            sid: [frozenset(terms) for terms in each] for sid, each in wording_terms.items()
        }
        # One wording document per section that has wordings; `_wording_owner[d]` is its section.
        self._wording_owner = [self._position[sid] for sid in self.wordings]
        self.wording_bm25 = (
            SectionBM25([[t for terms in each for t in terms] for each in wording_terms.values()])
            if self.wordings
            else None
        )
        self._wording_terms = {
            owner: self.wording_bm25.terms_of(d) if self.wording_bm25 else {}
            for d, owner in enumerate(self._wording_owner)
        }
        self.analyzer.learning = False
        self.known = Known(
            self.analyzer.stems,
            self.analyzer.compounds,
            vocabulary,
            {**known.zipf, **{w: dutch_zipf(w) for w in corpus_words if w not in known.zipf}},
        )
        self.built_at = time.time()
        self.warnings: list[Problem] = []
        self.cache: IndexCache | None = None  # what index.build_index may reuse of this build

    def _corpus(self, section_words: list[SectionWords]) -> tuple[list[list[str]], Collection[str]]:
        """Every window's terms: its words stemmed and split, its headings weighted."""
        terms_of: dict[str, list[str]] = {}
        terms_of_word = self.analyzer.terms_of_word

        def terms(words: tuple[str, ...]) -> list[str]:
            out: list[str] = []
            for word in words:
                found = terms_of.get(word)
                if found is None:
                    found = terms_of[word] = terms_of_word(word)
                out.extend(found)
            return out

        corpus: list[list[str]] = []
        for section, words in zip(self.sections, section_words, strict=True):
            heading = terms(words.heading)
            path = terms(words.path) * PATH_WEIGHT
            for window_words in words.windows:
                text = terms(window_words)
                if any(t.isalpha() for t in set(text) - set(heading)):
                    # A heading weighs more than the text under it. A table row's label is its
                    # first cell, already in its text: count it once less.
                    text += heading * (HEADING_WEIGHT - section.row)
                elif not section.row:
                    # No text beyond the heading ('Brandvertragende gordijnen', 'Wasmachine |
                    # 2'): nothing to weigh it against, and repeating it would only inflate a
                    # near-empty passage above the rows that say something about the same words.
                    text += heading
                corpus.append(text + path)
        return corpus, terms_of.keys()

    def _window_text(self, window: Window) -> str:
        return window_text(self.sections[window.section], window)

    def analyse(self, question: str) -> Query:
        query = analyse_question(
            question[:MAX_QUESTION_CHARS],
            self.analyzer,
            self.synonyms,
            self.extra_stopwords,
            correct=self.speller.correct,
        )
        idf = self.bm25.idf
        unknown = self.bm25.max_idf
        for w in query.words:
            if w.stem in idf:
                w.weight = idf[w.stem]
            elif w.parts and all(p in idf for p in w.parts):
                w.weight = max(idf[p] for p in w.parts)
            elif any(all(t in idf for t in alt) for alt in w.synonyms):
                w.weight = max(
                    max(idf[t] for t in alt) for alt in w.synonyms if all(t in idf for t in alt)
                )
            else:
                w.weight = unknown
            w.weight = w.weight**IDF_POWER * w.specificity
            if query.wants_quantity and w.surface in UNITS:
                w.weight *= UNIT_WEIGHT  # the kind of answer, not its topic
        return query

    def alternatives(self, query: Query) -> list[list[Way]]:
        """For each question word, the ways a text can hold it, each with its weight: the word
        itself, its compound parts (each part counts: 'keuken' of 'keukenvloer'), each synonym
        phrase (only whole: 'opvang' alone is not 'kleinschalige opvang')."""
        idf = self.bm25.idf
        out: list[list[Way]] = []
        for w in query.words:
            ways = [Way((w.stem,), w.specificity)]
            if w.parts:
                # Parts weigh less beside a known whole word; for a word the documents never
                # use ('keukenvloer'), they are all there is.
                weight = (PART_WEIGHT if w.stem in idf else 1.0) * w.specificity
                ways.append(Way(tuple(dict.fromkeys(w.parts)), weight))
            for alt in w.synonyms:
                ways.append(Way(tuple(dict.fromkeys(alt)), SYNONYM_WEIGHT * w.specificity, True))
            out.append(ways)
        return out

    def scores(self, alternatives: list[list[Way]]) -> tuple[dict[int, float], dict[int, float]]:
        """BM25 score of every window, one concept per question word: a word counts with the
        best of its alternatives, so 'kso' found as 'KSO' and as 'kleinschalige opvang' (or
        'woning' and 'pand') is not counted twice. Returns the score with the question
        wordings and that of the text alone."""
        text = self._field_scores(self.bm25, alternatives)
        total = dict(text)
        if self.wording_bm25 is not None:
            for doc, value in self._field_scores(self.wording_bm25, alternatives).items():
                for win in self._windows_of[self._wording_owner[doc]]:
                    total[win] = total.get(win, 0.0) + WORDING_WEIGHT * value
        return total, text

    def _field_scores(self, bm25: SectionBM25, alternatives: list[list[Way]]) -> dict[int, float]:
        total: dict[int, float] = {}
        gains: dict[str, dict[int, float]] = {}  # a term's BM25 gain per document, asked once
        for ways in alternatives:
            best: dict[int, float] = {}
            for way in ways:
                for doc, value in self._way_scores(bm25, way, gains).items():
                    if value > best.get(doc, 0.0):
                        best[doc] = value
            for doc, value in best.items():
                total[doc] = total.get(doc, 0.0) + value
        return total

    @staticmethod
    def _way_scores(
        bm25: SectionBM25, way: Way, gains: dict[str, dict[int, float]]
    ) -> dict[int, float]:
        found: dict[int, float] = {}
        for term in way.terms:
            if term not in gains:
                gains[term] = bm25.term_scores(term)
            for win, gain in gains[term].items():
                found[win] = found.get(win, 0.0) + way.weight * gain
        if way.whole and len(way.terms) > 1:  # a synonym phrase: only where all its terms are
            found = {
                win: value
                for win, value in found.items()
                if all(win in gains[term] for term in way.terms)
            }
        return found

    def _about_another(self, section: int, asked: list[frozenset[str]]) -> bool:
        """Do the section's headings name only alternatives the question did not ask about?"""
        if section not in self._path_terms:
            path = " ".join(self.sections[section].path)
            self._path_terms[section] = frozenset(self.analyzer.terms(path))
        path_terms = self._path_terms[section]
        for group, wanted in zip(self.exclusive, asked, strict=True):
            named = group & path_terms
            if wanted and named and not named & wanted:
                return True
        return False

    def _named_after(self, section: int, asked: frozenset[str]) -> bool:
        """Is the section's own heading made of the question's terms (or their synonyms)?"""
        heading = set(self.analyzer.terms(self.sections[section].heading))
        return bool(heading) and heading <= asked

    def _asked_as_worded(self, section: Section, query: Query) -> bool:
        """Does one of the section's question wordings say what the question says: every word
        of the question in it, and at most one word more?"""
        asked = query.terms()
        return any(
            query.coverage(terms) >= 0.999 and len(terms - asked) <= WORDING_EXTRA_WORDS
            for terms in self._wording_sets.get(section.id, ())
        )

    def _terms_with_wordings(self, win: int) -> Collection[str]:
        """A window's terms, and those of its section's question wordings."""
        terms = self.bm25.terms_of(win)
        wording = self._wording_terms.get(self.windows[win].section)
        return terms.keys() | wording.keys() if wording else terms

    def ideal_score(self, alternatives: list[list[Way]]) -> float:
        """The score of an average-length passage holding each question word once: a yardstick
        that makes scores of different questions comparable."""
        bm25 = self.bm25
        saturation = (bm25.k1 + 1) / (1 + bm25.k1)
        return (
            sum(
                max(
                    way.weight * sum(bm25.idf.get(t, bm25.max_idf) for t in way.terms)
                    for way in ways
                )
                * saturation
                for ways in alternatives
            )
            or 1.0
        )

    def source(self, section_id: str) -> Source | None:
        """What "Toon bron" shows of a section (see index.sources)."""
        return self.sources.of(section_id)

    def passage_for(self, section_id: str, question: str) -> Passage | None:
        """A section's extract for a question (for "Meer" on an answer given earlier)."""
        section = self.by_id.get(section_id)
        if section is None or not section.units:
            return None
        position = self._position[section.id]
        query = self.analyse(question)
        extract = build_extract(section, query, self.analyzer, self.section_pieces(position))
        return Passage(section, 0.0, query.coverage(self.analyzer.terms(section.text)), extract)

    def section_pieces(self, index: int) -> list[Piece]:
        if index not in self._pieces:
            self._pieces[index] = pieces(self.sections[index], self.analyzer)
        return self._pieces[index]

    def not_understood(self, query: Query) -> tuple[str, ...]:
        """The question's words the documents never use (not as such, not as all of its
        compound parts, not through a synonym) and that are no Dutch words either."""
        idf = self.bm25.idf
        return tuple(
            w.surface
            for w in query.words
            if w.surface.isalpha()
            and not is_dutch_word(w.surface)
            and w.stem not in idf
            and not (w.parts and all(p in idf for p in w.parts))
            and not any(all(t in idf for t in alt) for alt in w.synonyms)
        )

    def search(self, question: str, top: int = 3) -> SearchResult:
        query = self.analyse(question)
        if not query.words:
            return SearchResult(question, False, 0.0, [])
        unknown = self.not_understood(query)
        terms = frozenset(query.terms())
        alternatives = self.alternatives(query)
        scores, text_scores = self.scores(alternatives)
        if not scores:
            return SearchResult(question, False, 0.0, [], terms=terms, not_understood=unknown)
        units = {w.stem for w in query.words if w.surface in UNITS}
        asked = [group & terms for group in self.exclusive]
        # Coordination: a window that covers more of the question's weight ranks higher; a
        # section counts with its best window.
        candidates = heapq.nlargest(CANDIDATES, scores.items(), key=lambda kv: kv[1])
        best_of: dict[int, Candidate] = {}
        for win, score in candidates:
            win_terms = self._terms_with_wordings(win)
            coverage = query.coverage(win_terms)
            evidence = score * coverage**COORDINATION
            final = evidence
            if (
                query.wants_quantity
                and self.states_quantity[win]
                and query.holds_focus(win_terms)
                and (not units or not units.isdisjoint(win_terms))  # the unit asked: m2, not kg
            ):
                final *= QUANTITY_BONUS  # a better answer, not more evidence: see confidence
            owner = self.windows[win].section
            if query.wants_definition and self._named_after(owner, terms):
                final *= DEFINITION_BONUS
            if self._about_another(owner, asked):
                final *= OTHER_ALTERNATIVE
            if owner not in best_of or final > best_of[owner].final:
                text_coverage = query.coverage(self.bm25.terms_of(win))
                text_evidence = text_scores.get(win, 0.0) * text_coverage**COORDINATION
                best_of[owner] = Candidate(final, coverage, win, evidence, text_evidence)
        ranked = sorted(best_of.items(), key=lambda kv: (-kv[1].final, kv[0]))
        top_candidate = ranked[0][1]
        passages: list[Passage] = []
        for section_index, (score, coverage, win, _, _) in ranked:
            if len(passages) >= max(top, 1) + 3 or score < RELATIVE_CUTOFF * top_candidate.final:
                break
            section = self.sections[section_index]
            same = next((i for i, p in enumerate(passages) if p.repeated_by(section)), None)
            if same is not None:  # the same text elsewhere: one passage, cited in both places
                passages[same] = replace(passages[same], also=(*passages[same].also, section))
                continue
            window = self.windows[win]
            extract = build_extract(
                section,
                query,
                self.analyzer,
                self.section_pieces(section_index),
                preferred=range(window.first, window.last + 1),
            )
            passages.append(Passage(section, score, coverage, extract))
        ideal = self.ideal_score(alternatives)
        confidence = math.sqrt(passages[0].coverage * top_candidate.evidence / ideal)
        # Sure only when the document's own words carry the answer: a match through question
        # wordings alone finds the section, and is offered as a suggestion.
        text_coverage = query.coverage(self.bm25.terms_of(top_candidate.window))
        text_confidence = math.sqrt(text_coverage * top_candidate.text_evidence / ideal)
        holds_focus = query.holds_focus(self._terms_with_wordings(top_candidate.window))
        needed = MIN_CONFIDENCE if holds_focus else MIN_CONFIDENCE_WITHOUT_FOCUS
        # A question whose most specific word is not understood (a typo too far off) is not
        # answered with what its other words happen to find.
        # With two or more of its other words found together, it is offered, with doubt.
        lost = any(w.surface in unknown for w in query.focus_words())
        top_terms = self._terms_with_wordings(top_candidate.window)
        understood = sum(
            1 for w in query.words if w.surface not in unknown and w.covered_by(top_terms)
        )
        answered = confidence >= needed and not (lost and understood < 2)
        # A question asking a number, a term or a date that the best passage does not state
        # is not answered with certainty by a passage that merely shares its topic words.
        states_asked = not query.wants_quantity or self.states_quantity[top_candidate.window]
        if states_asked and asks_for_money(question):
            states_asked = states_money(self._window_text(self.windows[top_candidate.window]))
        # A question asked as staff worded it for this section (vraagvormen.yaml: reviewed, or
        # linked from /rapport) is answered by it without doubt: they said so.
        as_worded = self._asked_as_worded(passages[0].section, query)
        doubt = not as_worded and min(confidence, text_confidence) < SURE_CONFIDENCE
        unsure = doubt or not states_asked or lost
        first = passages[0]
        answer = answerline.choose(first.section, query, self.analyzer, first.extract.text)
        if answer is not None and answer.unit not in first.extract.units:
            # the passage behind the answer shows the answer: its unit first, then the rest
            extract = build_extract(
                first.section,
                query,
                self.analyzer,
                self.section_pieces(self._position[first.section.id]),
                preferred=(answer.unit,),
            )
            passages[0] = replace(first, extract=extract)
        if (
            query.wants_definition
            and len(query.words) <= DEFINITION_WORDS
            and not self._named_after(self._position[passages[0].section.id], terms)
            and not (answer is not None and answerline.defines(answer.text, query, self.analyzer))
        ):
            # 'wie is de voogd?' answered by a passage that only names the voogd: a suggestion
            unsure = True
        return SearchResult(
            question,
            answered,
            confidence,
            passages[:top],
            more=passages[top:],
            answer=answer,
            unsure=unsure,
            terms=terms,
            not_understood=unknown,
        )

"""The searchable index over a knowledge folder: build it once, ask it many questions."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from index.analysis import Analyzer, build_vocabulary
from index.checks import check_folder
from index.documents import Document, Section
from index.extract import Extract, Piece, build_extract, pieces
from index.problems import Problem
from index.query import PART_WEIGHT, SYNONYM_WEIGHT, Query, SynonymTable, analyse_question
from index.ranking import SectionBM25
from index.synonyms import SYNONYMS_FILE, SynonymData, load_synonyms

HEADING_WEIGHT = 3  # a section's own heading counts this many times its body
PATH_WEIGHT = 1  # the headings above it count once
CANDIDATES = 50  # BM25's best sections that are re-ranked by coverage
COORDINATION = 1.0  # exponent of the coverage factor in the final score
MIN_COVERAGE = 0.6  # below this share of the question's weight, we do not answer
RELATIVE_CUTOFF = 0.3  # further passages must score at least this share of the best
MAX_QUESTION_CHARS = 2000  # longer input is cut: nobody types a question this long


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

    def as_json(self) -> dict[str, object]:
        return {
            "citation": self.section.citation,
            "id": self.section.id,
            "doc": self.section.doc,
            "text": self.extract.text,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class SearchResult:
    question: str
    answered: bool
    confidence: float
    passages: list[Passage]
    more: list[Passage] = field(default_factory=list)  # relevant passages beyond the top

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [p.as_json() for p in self.passages],
        }


class KnowledgeIndex:
    def __init__(self, documents: list[Document], synonyms: SynonymData) -> None:
        self.documents = documents
        self.synonym_data = synonyms
        self.sections = [s for d in documents for s in d.sections if s.units]
        if not self.sections:
            raise ValueError("de kennismap bevat geen secties om in te zoeken")
        texts = [s.text + "\n" + " ".join(s.path) for s in self.sections]
        self.analyzer = Analyzer(vocabulary=build_vocabulary(texts))
        self.extra_stopwords = frozenset(synonyms.stopwords)
        self.synonyms = SynonymTable(synonyms.groups, self.analyzer)
        corpus = [self._section_terms(s) for s in self.sections]
        self.bm25 = SectionBM25(corpus)
        self._pieces: dict[int, list[Piece]] = {}
        self.by_id = {s.id: s for d in documents for s in d.sections}
        self.built_at = time.time()
        self.warnings: list[Problem] = []

    @classmethod
    def build(cls, folder: Path) -> KnowledgeIndex:
        """Build from a knowledge folder; raises InvalidKnowledge listing every error found."""
        documents, problems = check_folder(folder)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise InvalidKnowledge(errors)
        index = cls(documents, load_synonyms(folder / SYNONYMS_FILE))
        index.warnings = [p for p in problems if not p.is_error]
        return index

    def _section_terms(self, section: Section) -> list[str]:
        a = self.analyzer
        terms = a.terms(section.text)
        terms += a.terms(section.heading) * HEADING_WEIGHT
        terms += a.terms(" ".join(section.path[:-1])) * PATH_WEIGHT
        return terms

    def analyse(self, question: str) -> Query:
        query = analyse_question(
            question[:MAX_QUESTION_CHARS], self.analyzer, self.synonyms, self.extra_stopwords
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
            w.weight *= w.specificity
        return query

    def ranking_terms(self, query: Query) -> dict[str, float]:
        terms: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            terms[term] = max(terms.get(term, 0.0), weight)

        idf = self.bm25.idf
        for w in query.words:
            add(w.stem, w.specificity)
            part_weight = PART_WEIGHT if w.stem in idf else 1.0
            for p in w.parts:
                add(p, part_weight * w.specificity)
            for alt in w.synonyms:
                for t in alt:
                    add(t, SYNONYM_WEIGHT * w.specificity)
        return terms

    def section_pieces(self, index: int) -> list[Piece]:
        if index not in self._pieces:
            self._pieces[index] = pieces(self.sections[index], self.analyzer)
        return self._pieces[index]

    def search(self, question: str, top: int = 3) -> SearchResult:
        query = self.analyse(question)
        if not query.words:
            return SearchResult(question, False, 0.0, [])
        scores = self.bm25.weighted_scores(self.ranking_terms(query))
        if not scores:
            return SearchResult(question, False, 0.0, [])
        # Coordination: a section that covers more of the question's weight ranks higher.
        candidates = sorted(scores.items(), key=lambda kv: -kv[1])[:CANDIDATES]
        ranked = sorted(
            (
                (score * coverage**COORDINATION, coverage, doc)
                for doc, score in candidates
                for coverage in [query.coverage(self.bm25.terms_of(doc))]
            ),
            key=lambda t: (-t[0], t[2]),
        )
        best = ranked[0][0]
        passages: list[Passage] = []
        for score, coverage, doc in ranked[: max(top, 1) + 3]:
            if score < RELATIVE_CUTOFF * best:
                break
            section = self.sections[doc]
            extract = build_extract(section, query, self.analyzer, self.section_pieces(doc))
            passages.append(Passage(section, score, coverage, extract))
        confidence = passages[0].coverage
        answered = confidence >= MIN_COVERAGE
        return SearchResult(question, answered, confidence, passages[:top], more=passages[top:])

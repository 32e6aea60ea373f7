"""BM25 ranking of sections, on rank-bm25's corpus statistics.

Two deliberate departures from rank_bm25.BM25Okapi:
- idf is Lucene's ``log(1 + (N - n + 0.5) / (n + 0.5))``: always positive. Okapi's plain
  ``log((N - n + 0.5) / (n + 0.5))`` is zero or negative for a term in half the sections, which on
  a corpus of a few hundred sections hits words like 'jongere' and 'woonbegeleider', and its
  epsilon floor then ranks a section *up* for lacking a frequent term's rarer neighbours.
- scoring walks postings (term -> sections) instead of every section per query term, so a query
  costs what its terms occur in, not the size of the corpus.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rank_bm25 import BM25Okapi

K1 = 1.2
B = 0.5


class SectionBM25(BM25Okapi):  # type: ignore[misc]
    def __init__(self, corpus: Sequence[list[str]], k1: float = K1, b: float = B) -> None:
        if not corpus:
            raise ValueError("de kennismap bevat geen secties om in te zoeken")
        super().__init__(list(corpus), k1=k1, b=b)
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, freqs in enumerate(self.doc_freqs):
            for term, tf in freqs.items():
                self.postings.setdefault(term, []).append((i, tf))
        self.norm = [k1 * (1 - b + b * dl / self.avgdl) for dl in self.doc_len]
        self.max_idf = max(self.idf.values(), default=1.0)

    def _calc_idf(self, nd: dict[str, int]) -> None:
        n = self.corpus_size
        self.idf = {w: math.log(1 + (n - df + 0.5) / (df + 0.5)) for w, df in nd.items()}
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)

    def term_scores(self, term: str) -> dict[int, float]:
        """BM25 gain of one term in every section that holds it (nothing for unknown terms)."""
        idf = self.idf.get(term)
        if idf is None:
            return {}
        k1 = self.k1
        return {doc: idf * tf * (k1 + 1) / (tf + self.norm[doc]) for doc, tf in self.postings[term]}

    def terms_of(self, doc: int) -> dict[str, int]:
        freqs: dict[str, int] = self.doc_freqs[doc]
        return freqs

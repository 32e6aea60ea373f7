"""The knowledge the assistant answers from: one index at a time, replaced whole on reload."""

from __future__ import annotations

from pathlib import Path

from index.search import KnowledgeIndex, SearchResult


class KnowledgeBase:
    """Holds the current index. A reload builds a new index beside the old one and swaps it in
    only when it is complete and valid; otherwise the old one keeps serving."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: KnowledgeIndex | None = None

    @property
    def index(self) -> KnowledgeIndex:
        if self._index is None:
            self._index = KnowledgeIndex.build(self.folder)
        return self._index

    def reload(self) -> KnowledgeIndex:
        """Build anew; on InvalidKnowledge the old index stays in place and keeps serving."""
        fresh = KnowledgeIndex.build(self.folder)
        self._index = fresh  # a single reference swap: readers see the old or the new, never half
        return fresh

    def ask(self, question: str, top: int = 3) -> SearchResult:
        return self.index.search(question, top=top)

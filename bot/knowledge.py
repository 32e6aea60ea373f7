"""The knowledge the assistant works from: the search index and the flows, built together
and replaced whole on reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.checklists import Template, load_templates
from bot.flows import Flow, load_flows
from bot.knowledge_diff import KnowledgeDiff, diff
from index.checks import check_folder
from index.documents import Document, slugify
from index.problems import Problem
from index.search import InvalidKnowledge, KnowledgeIndex, SearchResult
from index.synonyms import SYNONYMS_FILE, load_synonyms


@dataclass(frozen=True)
class Snapshot:
    index: KnowledgeIndex
    flows: dict[str, Flow]
    templates: dict[str, Template]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Inspection:
    """A knowledge folder read once: what could be read, and every problem found."""

    documents: list[Document]
    flows: list[Flow]
    templates: list[Template]
    problems: list[Problem]


def inspect(folder: Path) -> Inspection:
    """Read documents, synonyms, flows and checklists; sources must resolve to sections."""
    documents, problems = check_folder(folder)
    section_ids = {s.id for d in documents for s in d.sections}
    # References into a document that has errors of its own are not reported one by one:
    # fixing that document is the first step.
    broken = {slugify(p.path.stem) for p in problems if p.is_error and p.path.suffix == ".md"}
    flows, flow_problems = load_flows(folder, section_ids, skip_docs=broken)
    templates, checklist_problems = load_templates(folder, section_ids, skip_docs=broken)
    order = {"documenten": 0, SYNONYMS_FILE: 1, "flows": 2, "checklists": 3}

    def key(p: Problem) -> tuple[int, str, int]:
        group = next((v for k, v in order.items() if k in p.path.parts or p.path.name == k), 4)
        return group, str(p.path), p.line

    everything = sorted(problems + flow_problems + checklist_problems, key=key)
    return Inspection(documents, flows, templates, everything)


def check_knowledge(folder: Path) -> list[Problem]:
    """Every problem in a knowledge folder, errors and warnings, in reading order."""
    return inspect(folder).problems


def build_snapshot(folder: Path) -> Snapshot:
    """Build everything, or raise InvalidKnowledge with every error found."""
    found = inspect(folder)
    errors = [p for p in found.problems if p.is_error]
    if errors:
        raise InvalidKnowledge(errors)
    index = KnowledgeIndex(found.documents, load_synonyms(folder / SYNONYMS_FILE))
    warnings = tuple(p for p in found.problems if not p.is_error)
    index.warnings = list(warnings)
    return Snapshot(
        index, {f.id: f for f in found.flows}, {t.id: t for t in found.templates}, warnings
    )


def snapshot_diff(old: Snapshot, new: Snapshot) -> KnowledgeDiff:
    return diff(
        old.index.documents,
        new.index.documents,
        old.flows,
        new.flows,
        old.templates,
        new.templates,
    )


class KnowledgeBase:
    """Holds the current snapshot. A reload builds a new snapshot beside the old one and swaps
    it in only when it is complete and valid; otherwise the old one keeps serving."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._snapshot: Snapshot | None = None

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = build_snapshot(self.folder)
        return self._snapshot

    @property
    def index(self) -> KnowledgeIndex:
        return self.snapshot.index

    @property
    def flows(self) -> dict[str, Flow]:
        return self.snapshot.flows

    @property
    def templates(self) -> dict[str, Template]:
        return self.snapshot.templates

    def prepare(self) -> Snapshot:
        """Build a new snapshot beside the current one (safe to run in a worker thread);
        raises InvalidKnowledge, and then nothing changes."""
        return build_snapshot(self.folder)

    def swap(self, fresh: Snapshot) -> KnowledgeDiff:
        """Put a complete, valid snapshot in place; returns what changed."""
        old = self._snapshot
        self._snapshot = fresh  # one reference swap: readers see the old or the new, never half
        if old is None:
            return KnowledgeDiff()
        return snapshot_diff(old, fresh)

    def reload(self) -> KnowledgeDiff:
        """Build and swap; on InvalidKnowledge the old snapshot stays and keeps serving."""
        return self.swap(self.prepare())

    def cite(self, section_id: str) -> str:
        section = self.index.by_id.get(section_id)
        return section.citation if section else section_id

    def ask(self, question: str, top: int = 3) -> SearchResult:
        return self.index.search(question, top=top)

"""The knowledge the assistant works from: the search index and the flows, built together
and replaced whole on reload.

Every build goes through index.build.build_index, which reuses what the previous build did: the
running bot's current index, or at start the cache file beside the database (`INDEX_CACHE`,
written after every build whose checks all passed). A start on unchanged knowledge so reads no
document again, and a reload re-analyses only the documents that changed.

The running bot keeps a copy of the last knowledge folder that loaded without errors beside its
database (`kennis-laatst-goed`). When the folder has errors at start-up, the bot starts from that
copy and tells the admins what is wrong, instead of refusing to start.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.build import IndexCache, build_index, cache_key
from index.documents import Document, slugify
from index.files import visible_files
from index.problems import Problem
from index.search import InvalidKnowledge, KnowledgeIndex, SearchResult
from index.synonyms import SYNONYMS_FILE
from index.wordings import WORDINGS_FILE

if TYPE_CHECKING:  # flows and checklists are imported when loaded: `ask` needs neither
    from bot.checklists.templates import Template
    from bot.flows.definitions import Flow
    from bot.knowledge_diff import KnowledgeDiff

log = logging.getLogger(__name__)

LAST_GOOD = "kennis-laatst-goed"  # beside the database: the last knowledge that loaded cleanly
# beside the database: what the last good build did (hidden, should the database lie inside the
# knowledge folder: the watcher ignores it)
INDEX_CACHE = ".zoekindex.json"


@cache
def code_version() -> str:
    """The code whose checks a cache vouches for: the flow and checklist loaders are in bot/."""
    from index.build import code_version as of

    return of(Path(__file__).parent)


@dataclass(frozen=True)
class Snapshot:
    index: KnowledgeIndex
    flows: dict[str, Flow]
    templates: dict[str, Template]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Inspection:
    """A knowledge folder read once: what could be read, every problem found, and the index
    when no problem is an error."""

    documents: list[Document]
    flows: list[Flow]
    templates: list[Template]
    problems: list[Problem]
    index: KnowledgeIndex | None = None


def inspect(folder: Path, previous: IndexCache | None = None) -> Inspection:
    """Read documents, synonyms, flows and checklists (sources must resolve to sections) and
    build the index when there are no errors; `previous` is what an earlier build did."""
    from bot.checklists.templates import load_templates
    from bot.flows.definitions import load_flows

    found: dict[str, list[Any]] = {"documents": [], "flows": [], "templates": [], "problems": []}

    def flows_and_checklists(documents: list[Document], problems: list[Problem]) -> list[Problem]:
        section_ids = {s.id for d in documents for s in d.sections}
        # References into a document that has errors of its own are not reported one by one:
        # fixing that document is the first step.
        broken = {slugify(p.path.stem) for p in problems if p.is_error and p.path.suffix == ".md"}
        flows, flow_problems = load_flows(folder, section_ids, skip_docs=broken)
        templates, checklist_problems = load_templates(folder, section_ids, skip_docs=broken)
        found.update(documents=documents, flows=flows, templates=templates)
        found["problems"] = problems + flow_problems + checklist_problems
        return flow_problems + checklist_problems

    try:
        index: KnowledgeIndex | None = build_index(
            folder, previous, flows_and_checklists, version=code_version()
        )
    except InvalidKnowledge:
        index = None
    order = {"documenten": 0, SYNONYMS_FILE: 1, WORDINGS_FILE: 2, "flows": 3, "checklists": 4}

    def key(p: Problem) -> tuple[int, str, int]:
        group = next((v for k, v in order.items() if k in p.path.parts or p.path.name == k), 5)
        return group, str(p.path), p.line

    everything = sorted(found["problems"], key=key)
    return Inspection(found["documents"], found["flows"], found["templates"], everything, index)


def inspect_with_cache(folder: Path, cache_file: Path) -> Inspection:
    """inspect, reusing the cache file and writing it anew after a build it did not hold."""
    previous = IndexCache.load(cache_file, folder)
    found = inspect(folder, previous)
    if found.index is not None and found.index.cache not in (None, previous):
        found.index.cache.save(cache_file)
    return found


def check_knowledge(folder: Path) -> list[Problem]:
    """Every problem in a knowledge folder, errors and warnings, in reading order."""
    return inspect(folder).problems


def build_snapshot(folder: Path, previous: IndexCache | None = None) -> Snapshot:
    """Build everything, or raise InvalidKnowledge with every error found."""
    found = inspect(folder, previous)
    errors = [p for p in found.problems if p.is_error]
    if errors or found.index is None:
        raise InvalidKnowledge(errors)
    warnings = tuple(p for p in found.problems if not p.is_error)
    found.index.warnings = list(warnings)
    return Snapshot(
        found.index, {f.id: f for f in found.flows}, {t.id: t for t in found.templates}, warnings
    )


def cached_index(folder: Path, cache_file: Path) -> KnowledgeIndex | None:
    """The index from the cache file when it was built from exactly these files by this code
    (then every check passed: the cache is only written after such a build), without reading
    flows and checklists; None otherwise."""
    previous = IndexCache.load(cache_file, folder)
    if previous is None or previous.key != cache_key(folder, code_version()):
        return None
    restored = previous.restore(folder)
    return restored[0] if restored else None


def snapshot_diff(old: Snapshot, new: Snapshot) -> KnowledgeDiff:
    from bot.knowledge_diff import diff

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
    it in only when it is complete and valid; otherwise the old one keeps serving.

    With `last_good`, every successful build also leaves a copy of the folder there; with
    `cache_file`, what the build did, for the next start."""

    def __init__(
        self, folder: Path, last_good: Path | None = None, cache_file: Path | None = None
    ) -> None:
        self.folder = folder
        self.last_good = last_good
        self.cache_file = cache_file
        self._snapshot: Snapshot | None = None
        # Set when the bot started from the last good copy: what is wrong with the folder.
        self.startup_problems: tuple[Problem, ...] = ()

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self.prepare()
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
        raises InvalidKnowledge, and then nothing changes. A good build is also kept as the
        last good copy."""
        previous = self._previous()
        if self.last_good is None:
            fresh = build_snapshot(self.folder, previous)
        else:
            fresh = self._build_and_keep(self.last_good, previous)
        cache = fresh.index.cache
        # Written at start (a reload keeps what it reuses in memory: writing the file would
        # double its time on a large corpus); the next start reuses what is still the same.
        first = self._snapshot is None
        if first and self.cache_file is not None and cache not in (None, previous):
            cache.save(self.cache_file)
        return fresh

    def _previous(self) -> IndexCache | None:
        if self._snapshot is not None:
            return self._snapshot.index.cache
        if self.cache_file is not None:
            return IndexCache.load(self.cache_file, self.folder)
        return None

    def _build_and_keep(self, last_good: Path, previous: IndexCache | None) -> Snapshot:
        staged = _stage_copy(self.folder, last_good)
        try:
            fresh = build_snapshot(self.folder, previous)
            if staged is not None:
                _publish(staged, self.folder, last_good)
        finally:
            if staged is not None and staged.exists():
                shutil.rmtree(staged, ignore_errors=True)
        return fresh

    def swap(self, fresh: Snapshot) -> KnowledgeDiff:
        """Put a complete, valid snapshot in place; returns what changed."""
        old = self._snapshot
        self._snapshot = fresh  # one reference swap: readers see the old or the new, never half
        self.startup_problems = ()
        if old is None:
            from bot.knowledge_diff import KnowledgeDiff

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


def start_knowledge(
    folder: Path, last_good: Path | None, cache_file: Path | None = None
) -> KnowledgeBase:
    """The knowledge for a starting bot. When `folder` has errors, start from the last good
    copy (its problems in `startup_problems`); without one, raise InvalidKnowledge."""
    kb = KnowledgeBase(folder, last_good, cache_file)
    try:
        kb.swap(kb.prepare())
    except InvalidKnowledge as exc:
        if last_good is None or not last_good.is_dir():
            raise
        try:
            fallback = build_snapshot(last_good)
        except InvalidKnowledge:
            raise exc from None
        log.warning("knowledge has %d errors: started from %s", len(exc.problems), last_good)
        kb.swap(fallback)
        kb.startup_problems = tuple(exc.problems)
    return kb


def _stage_copy(folder: Path, last_good: Path) -> Path | None:
    """A copy of `folder` beside `last_good`, made before the build reads the folder."""
    staged = last_good.with_name(f".{last_good.name}.tmp.{os.getpid()}.{time.monotonic_ns()}")
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        for relative, path in visible_files(folder, skip=last_good.name).items():
            target = staged / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    except OSError as exc:
        log.warning("could not copy the knowledge to %s: %r", staged, exc)
        shutil.rmtree(staged, ignore_errors=True)
        return None
    return staged


def _publish(staged: Path, folder: Path, last_good: Path) -> None:
    """Make `staged` the last good copy in one atomic step (a symlink replaced by rename),
    but only when the folder still holds exactly what was copied: then the copy is what
    was just loaded without errors."""
    try:
        live, copy = visible_files(folder, skip=last_good.name), visible_files(staged)
        if live.keys() != copy.keys() or any(
            live[k].read_bytes() != copy[k].read_bytes() for k in live
        ):
            log.info("knowledge changed while loading: last good copy not updated")
            return
        # Versions and the temporary link are hidden: should the database lie inside the
        # knowledge folder, the watcher ignores them.
        version = last_good.with_name(f".{last_good.name}.{time.time_ns()}")
        staged.rename(version)
        link = last_good.with_name(f".{last_good.name}.link.{os.getpid()}")
        link.unlink(missing_ok=True)
        link.symlink_to(version.name)
        if last_good.is_dir() and not last_good.is_symlink():
            shutil.rmtree(last_good)  # a real folder put there by hand: replaced once
        os.replace(link, last_good)
        prefix = f".{last_good.name}."
        for old in last_good.parent.glob(f"{prefix}*"):
            rest = old.name[len(prefix) :]
            earlier = rest.isdigit() and old != version
            left_over = rest.startswith("tmp.") and rest.split(".")[1] != str(os.getpid())
            if (earlier or left_over) and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        log.warning("could not keep the last good knowledge in %s: %r", last_good, exc)

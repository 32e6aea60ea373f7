"""The knowledge the assistant works from: the search index and the flows, built together
and replaced whole on reload.

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
from pathlib import Path

from bot.checklists import Template, load_templates
from bot.flows import Flow, load_flows
from bot.knowledge_diff import KnowledgeDiff, diff
from index.checks import check_folder
from index.documents import Document, slugify
from index.problems import Problem
from index.search import InvalidKnowledge, KnowledgeIndex, SearchResult
from index.synonyms import SYNONYMS_FILE
from index.wordings import WORDINGS_FILE

log = logging.getLogger(__name__)

LAST_GOOD = "kennis-laatst-goed"  # beside the database: the last knowledge that loaded cleanly


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
    order = {"documenten": 0, SYNONYMS_FILE: 1, WORDINGS_FILE: 2, "flows": 3, "checklists": 4}

    def key(p: Problem) -> tuple[int, str, int]:
        group = next((v for k, v in order.items() if k in p.path.parts or p.path.name == k), 5)
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
    warnings = tuple(p for p in found.problems if not p.is_error)
    index = KnowledgeIndex.of(folder, found.documents, list(warnings))
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
    it in only when it is complete and valid; otherwise the old one keeps serving.

    With `last_good`, every successful build also leaves a copy of the folder there."""

    def __init__(self, folder: Path, last_good: Path | None = None) -> None:
        self.folder = folder
        self.last_good = last_good
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
        if self.last_good is None:
            return build_snapshot(self.folder)
        staged = _stage_copy(self.folder, self.last_good)
        try:
            fresh = build_snapshot(self.folder)
            if staged is not None:
                _publish(staged, self.folder, self.last_good)
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


def start_knowledge(folder: Path, last_good: Path | None) -> KnowledgeBase:
    """The knowledge for a starting bot. When `folder` has errors, start from the last good
    copy (its problems in `startup_problems`); without one, raise InvalidKnowledge."""
    kb = KnowledgeBase(folder, last_good)
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


def _files(folder: Path, skip: str = "") -> dict[Path, Path]:
    """Relative path -> file, for every visible file under `folder`; linked folders are
    followed once, and only when they stay inside `folder`; `skip` names an entry to leave
    out (the last good copy, should it lie inside the folder)."""
    root = folder.resolve()
    seen: set[Path] = set()
    found: dict[Path, Path] = {}
    for current, dirs, names in os.walk(folder, followlinks=True):
        real = Path(current).resolve()
        if real in seen or not real.is_relative_to(root):
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != skip)
        for name in names:
            path = Path(current, name)
            if not name.startswith(".") and name != skip and path.is_file():  # no pipes
                found[path.relative_to(folder)] = path
    return found


def _stage_copy(folder: Path, last_good: Path) -> Path | None:
    """A copy of `folder` beside `last_good`, made before the build reads the folder."""
    staged = last_good.with_name(f".{last_good.name}.tmp.{os.getpid()}.{time.monotonic_ns()}")
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        for relative, path in _files(folder, skip=last_good.name).items():
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
        live, copy = _files(folder, skip=last_good.name), _files(staged)
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

"""Drafts, publishing and history of the knowledge folder.

Drafts are never live: every draft is a folder `<knowledge>/concepten/<name>/` laid out like
the knowledge folder itself (`documenten/x.md`, `flows/x.yaml`, `synoniemen.yaml` ...) plus a
`concept.json` that says who made it, from which file, and which version of the live file it
was made against. The indexer reads only `documenten/`, `flows/`, `checklists/` and the two
YAML files at the top, and the watcher skips `concepten/`, so a draft changes nothing until it
is published.

Publishing (a draft, or a rollback to an earlier version) goes through one path: the live
folder is copied beside itself with the change applied and checked there; only a copy without
errors is written into the live folder, which is then reloaded with the same check-and-swap as
/herlaad. Every publish, also a reload by /herlaad or the watcher after a hand edit, is kept
as a version in `<knowledge>/.versies/<n>.json` (who, when, which files, the change summary,
the content before and after), the last 50 of them; they travel with the knowledge folder in
`draaibot backup`. When the knowledge folder is a git repository, each publish is committed
there too.

Several processes may publish into one folder (the running bot, `draaibot publiceer` on the
server): every write of the live folder or the history holds an flock(2) lock on
`.versies/.lock`, and a version records only its own change, measured against the history
itself (each file's content after its last version), never against what one process
remembered: a rollback then never removes what another process published.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.clock import local
from bot.knowledge import KnowledgeBase, build_snapshot, inspect, snapshot_diff
from bot.knowledge_diff import KnowledgeDiff
from bot.knowledge_diff import diff as knowledge_diff
from index.documents import DOCUMENTS_DIR, parse_document, slugify
from index.files import MAX_FILE_BYTES, KnowledgeError, write_text_atomically
from index.problems import Problem
from index.search import InvalidKnowledge
from index.synonyms import SYNONYMS_FILE
from index.wordings import WORDINGS_FILE
from index.yamlfile import parse_yaml

log = logging.getLogger(__name__)

DRAFTS_DIR = "concepten"
HISTORY_DIR = ".versies"
LOCK_FILE = ".lock"  # in the history folder: one writer of the live folder at a time
META = "concept.json"
KEEP_VERSIONS = 50
DRAFT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
BASE = re.compile(r"0|[0-9a-f]{8}")  # the live file a draft was reviewed against; 0: none
KNOWLEDGE_SUFFIXES = (".md", ".yaml", ".yml")
# where a draft may go: a document, a flow, a checklist, the synonyms or the question wordings
TARGET = re.compile(
    r"documenten/[a-z0-9][a-z0-9-]*\.md|(?:flows|checklists)/[a-z0-9][a-z0-9-]*\.ya?ml"
    r"|synoniemen\.yaml|vraagvormen\.yaml"
)
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
YAML_SUFFIXES = (".yaml", ".yml")
UPLOAD_SUFFIXES = DOCUMENT_SUFFIXES + YAML_SUFFIXES
SHOWN = 20  # lines of a list shown in a message


class PublishError(Exception):
    """A draft, publish or rollback that cannot be done; the message says why, in Dutch."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


# -- files ------------------------------------------------------------------------------------


def live_files(folder: Path) -> dict[str, str]:
    """The knowledge files of the live folder (relative POSIX path -> text): Markdown and YAML,
    without drafts and hidden entries."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    root = folder.resolve()
    for current, dirs, names in os.walk(folder):
        here = Path(current)
        top = here == folder
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (top and d == DRAFTS_DIR))
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or not name.lower().endswith(KNOWLEDGE_SUFFIXES):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            if not path.resolve().is_relative_to(root):
                continue
            found[path.relative_to(folder).as_posix()] = path.read_bytes().decode(
                "utf-8", errors="replace"
            )
    return found


def fingerprint(text: str | None) -> str:
    """A short fingerprint of a live file ('0' when there is none)."""
    if text is None:
        return "0"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def safe_target(folder: Path, relative: str) -> Path:
    """A live path to write: never through a symbolic link, never outside the folder."""
    target = folder / relative
    if target.is_symlink():
        raise PublishError(
            f"{target} is een koppeling (symlink); verwijder die eerst, ik schrijf er niet door"
        )
    if not target.resolve().is_relative_to(folder.resolve()):
        raise PublishError(f"{target} ligt buiten de kennismap {folder}; ik schrijf daar niet")
    return target


# -- drafts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    name: str
    target: str  # where it goes in the live folder, e.g. documenten/x.md
    base: str  # fingerprint of the live file when the draft was made
    who: str
    created_at: float
    source: str  # the file it was made from
    checks: tuple[str, ...] = ()  # what the importer asks a person to check
    notice: str = field(default="", compare=False)  # said once, with the upload's review

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "base": self.base,
            "who": self.who,
            "created_at": self.created_at,
            "source": self.source,
            "checks": list(self.checks),
        }


@dataclass
class Review:
    """A draft checked against the live knowledge as it is now."""

    draft: Draft
    text: str  # the draft's content
    title: str
    sections: list[str]  # headings (documents) or what the file holds
    problems: list[Problem]  # of the draft's own file (line numbers of the draft)
    elsewhere: list[Problem]  # errors the draft causes in other files
    diff: KnowledgeDiff | None  # against the live version; None when it has errors
    live_base: str  # fingerprint of the live file now
    changed_files: bool = True  # False when the draft equals the live file

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems + self.elsewhere if p.is_error]

    @property
    def can_publish(self) -> bool:
        return not self.errors and self.changed_files

    @property
    def stale(self) -> bool:
        """Made against another version of the live file than the one live now."""
        return self.draft.base != self.live_base

    @property
    def seen(self) -> str:
        """What this review shows, in 8 hex digits: the draft's content and the live file it
        was checked against. The Publiceren button carries it; a publish goes ahead only
        while both are still what the admin saw."""
        return fingerprint(f"{self.live_base}\n{self.text}")


@dataclass(frozen=True)
class FileChange:
    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Version:
    number: int
    created_at: float
    who: str
    reason: str
    summary: str
    changes: tuple[FileChange, ...]

    @property
    def files(self) -> list[str]:
        return [c.path for c in self.changes]

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "created_at": self.created_at,
            "who": self.who,
            "reason": self.reason,
            "summary": self.summary,
            "changes": [
                {"path": c.path, "before": c.before, "after": c.after} for c in self.changes
            ],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Version:
        return cls(
            number=int(raw["number"]),
            created_at=float(raw["created_at"]),
            who=str(raw.get("who", "")),
            reason=str(raw.get("reason", "")),
            summary=str(raw.get("summary", "")),
            changes=tuple(
                FileChange(str(c["path"]), c.get("before"), c.get("after"))
                for c in raw.get("changes", [])
            ),
        )

    def line(self) -> str:
        when = local(self.created_at).strftime("%d-%m-%Y %H:%M")
        files = ", ".join(self.files[:4]) + (" …" if len(self.files) > 4 else "")
        return f"Versie {self.number} · {when} · {self.who} · {self.reason}: {files}"


@dataclass
class Published:
    version: Version | None
    diff: KnowledgeDiff
    committed: bool = False  # also committed in the folder's git repository


def draft_name(raw: str) -> str:
    """A draft's name from a file or document name: lowercase letters, digits and hyphens."""
    name = slugify(raw)[:48].strip("-")
    if not name or DRAFT_NAME.fullmatch(name) is None:
        raise PublishError(f"'{raw}' is geen bruikbare naam voor een concept")
    return name


def yaml_target(filename: str, text: str) -> str:
    """Where an uploaded YAML file belongs: synonyms, question wordings, a flow or a checklist."""
    stem = Path(filename).stem.lower()
    if stem in (Path(SYNONYMS_FILE).stem, "synonyms"):
        return SYNONYMS_FILE
    if stem in (Path(WORDINGS_FILE).stem, "wordings"):
        return WORDINGS_FILE
    data, problems = parse_yaml(text.removeprefix("\ufeff"), Path(filename))
    if data is None and any(p.is_error for p in problems):  # e.g. "te diep geneste YAML"
        raise PublishError(f"{filename} is geen geldige YAML; er is niets opgeslagen", problems)
    slug = slugify(stem) or "bestand"
    if isinstance(data, dict) and "items" in data:
        return f"checklists/{slug}.yaml"
    if isinstance(data, dict) and ("steps" in data or "result" in data):
        return f"flows/{slug}.yaml"
    raise PublishError(
        f"{filename}: ik herken niet wat dit is. Een vragenronde heeft 'steps' of 'result', "
        "een checklist 'items'; synoniemen en vraagvormen heten synoniemen.yaml en "
        "vraagvormen.yaml."
    )


class Publisher:
    """Drafts, publishing and the version history of one knowledge folder.

    Publishing and rollback run one at a time with every other reload of this process (the
    caller holds the reload lock, handlers/reload.py) and with every other process (the lock
    file, `_locked`)."""

    def __init__(self, knowledge: KnowledgeBase, clock: Callable[[], float] = time.time) -> None:
        self.knowledge = knowledge
        self.clock = clock
        # The live files as this process last saw them; it only speaks for files no kept
        # version mentions (the history speaks for the others, whoever wrote it).
        self._baseline = live_files(knowledge.folder)
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._trials: dict[str, tuple[tuple[float, int], KnowledgeBase]] = {}
        self._trial_lock = threading.Lock()
        self.trying: dict[int, str] = {}  # admin user id -> draft answered from ("Probeer")

    @property
    def folder(self) -> Path:
        return self.knowledge.folder

    @property
    def drafts_dir(self) -> Path:
        return self.folder / DRAFTS_DIR

    @property
    def history_dir(self) -> Path:
        return self.folder / HISTORY_DIR

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer of the live folder, its drafts and its history at a time: the threads of
        this process (a reentrant lock) and other processes on the same folder (flock(2) on
        `.versies/.lock`; the kernel drops it when a process dies)."""
        with self._lock:
            if self._lock_depth == 0:
                self.history_dir.mkdir(parents=True, exist_ok=True)
                fd = os.open(
                    self.history_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644
                )
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._lock_fd = fd
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_fd is not None:
                    os.close(self._lock_fd)  # closing releases the lock
                    self._lock_fd = None

    # -- drafts ---------------------------------------------------------------------------

    def _draft_dir(self, name: str) -> Path:
        if DRAFT_NAME.fullmatch(name) is None:
            raise PublishError(f"'{name}' is geen naam van een concept")
        return self.drafts_dir / name

    def save_draft(
        self, name: str, target: str, text: str, who: str, source: str, checks: list[str]
    ) -> Draft:
        """Write a draft (replacing one of the same name)."""
        if TARGET.fullmatch(target) is None:
            raise PublishError(f"{target} is geen plek voor een concept")
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise PublishError(
                f"het concept is te groot (hooguit {MAX_FILE_BYTES // 1_000_000} MB tekst)"
            )
        base = fingerprint(live_files(self.folder).get(target))
        draft = Draft(name, target, base, who, self.clock(), source, tuple(checks))
        directory = self._draft_dir(name)
        if directory.is_symlink() or not directory.parent.resolve().is_relative_to(
            self.folder.resolve()
        ):
            raise PublishError(f"{directory} is een koppeling of ligt buiten de kennismap")
        if directory.exists():
            shutil.rmtree(directory)
        write_text_atomically(directory / target, text)
        meta = json.dumps(draft.as_json(), ensure_ascii=False, indent=2)
        write_text_atomically(directory / META, meta)
        return draft

    def add_upload(self, path: Path, filename: str, who: str) -> Draft:
        """A draft from an uploaded file: a document is converted (bot/importer.py), a
        Markdown or YAML file is taken as it is."""
        from bot.importer import ImportError_, make_draft

        suffix = Path(filename).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise PublishError(
                f"{filename}: dit bestandstype ken ik niet. Stuur een .docx, .pdf, .txt of .md "
                "(een document) of een .yaml (vragenronde, checklist, synoniemen, vraagvormen)."
            )
        if suffix in (".md", *YAML_SUFFIXES):
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PublishError(
                    f"{filename} is te groot (hooguit {MAX_FILE_BYTES // 1_000_000} MB)"
                )
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise PublishError(f"{filename} is geen UTF-8: sla het op als UTF-8") from None
            if suffix == ".md":
                name = draft_name(Path(filename).stem)
                return self._save_upload(
                    name, f"{DOCUMENTS_DIR}/{name}.md", text, who, filename, []
                )
            target = yaml_target(filename, text)
            name = draft_name(target.replace("/", "-").rsplit(".", 1)[0])
            return self._save_upload(name, target, text, who, filename, [])
        name = draft_name(Path(filename).stem)
        try:
            made = make_draft(path, name)
        except ImportError_ as exc:
            raise PublishError(str(exc)) from exc
        return self._save_upload(
            name, f"{DOCUMENTS_DIR}/{name}.md", made.markdown, who, filename, made.checks
        )

    def _save_upload(
        self, name: str, target: str, text: str, who: str, source: str, checks: list[str]
    ) -> Draft:
        """An upload never silently replaces another draft. The same admin sending a file for
        the same place again replaces their own draft (what an admin does after fixing an
        error) and is told so; a draft of another admin, or one for another place with the
        same name (synoniemen.yaml and synoniemen.md), stays, and the upload gets a free
        name (huisregels-2). Either way the reply says which draft is which."""
        with self._locked():
            existing = self.get(name)
            if existing is None and not self._draft_dir(name).exists():
                return self.save_draft(name, target, text, who, source, checks)
            if existing is not None and existing.who == who and existing.target == target:
                draft = self.save_draft(name, target, text, who, source, checks)
                return replace(draft, notice=REPLACED_OWN.format(name=name))
            free = self.free_name(name)
            draft = self.save_draft(free, target, text, who, source, checks)
            what = (
                f"van {existing.who or 'onbekend'}, wordt {existing.target}"
                if existing is not None
                else "onleesbaar"
            )
            return replace(draft, notice=KEPT_OTHER.format(name=name, what=what, free=free))

    def free_name(self, name: str) -> str:
        """`name-2`, `name-3` …: the first name no draft has."""
        for n in range(2, 1000):
            suffix = f"-{n}"
            candidate = name[: 48 - len(suffix)].rstrip("-") + suffix
            if not self._draft_dir(candidate).exists():
                return candidate
        raise PublishError(
            f"er staan al te veel concepten met de naam {name}; verwerp er eerst een paar"
        )

    def get(self, name: str) -> Draft | None:
        """The draft of that name, or None when it is gone (published, discarded)."""
        try:
            directory = self._draft_dir(name)
        except PublishError:
            return None
        meta = directory / META
        try:
            raw = json.loads(meta.read_text("utf-8"))
            target = str(raw["target"])
            if TARGET.fullmatch(target) is None or not (directory / target).is_file():
                return None
            return Draft(
                name,
                target,
                str(raw.get("base", "0")),
                str(raw.get("who", "")),
                float(raw.get("created_at", 0)),
                str(raw.get("source", "")),
                tuple(str(c) for c in raw.get("checks", [])),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def drafts(self) -> list[Draft]:
        if not self.drafts_dir.is_dir():
            return []
        found = [self.get(p.name) for p in sorted(self.drafts_dir.iterdir()) if p.is_dir()]
        return [d for d in found if d is not None]

    def text(self, draft: Draft) -> str:
        return (self.drafts_dir / draft.name / draft.target).read_text("utf-8", errors="replace")

    def discard(self, name: str) -> bool:
        draft = self.get(name)
        if draft is None:
            return False
        shutil.rmtree(self._draft_dir(name), ignore_errors=True)
        self._trials.pop(name, None)
        for user, trying in list(self.trying.items()):
            if trying == name:
                del self.trying[user]
        return True

    @contextlib.contextmanager
    def _staged(self, changes: dict[str, str | None]) -> Iterator[Path]:
        """A copy of the live folder with `changes` applied, beside it (removed afterwards)."""
        parent = self.folder.resolve().parent
        with tempfile.TemporaryDirectory(prefix=".draaibot-concept-", dir=parent) as tmp:
            staged = Path(tmp) / "kennis"
            staged.mkdir()
            for relative, text in live_files(self.folder).items():
                target = staged / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, "utf-8")
            for relative, changed in changes.items():
                target = staged / relative
                if not target.resolve().is_relative_to(staged.resolve()):
                    raise PublishError(f"{relative} ligt buiten de kennismap; ik schrijf daar niet")
                if changed is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(changed, "utf-8")
            yield staged

    def review(self, draft: Draft) -> Review:
        """Check the draft as if it were published now, and what it would change."""
        text = self.text(draft)
        live = live_files(self.folder)
        with self._staged({draft.target: text}) as staged:
            found = inspect(staged)
            own = [
                _relative(p, staged) for p in found.problems if _is_file(p, staged, draft.target)
            ]
            elsewhere = [
                _relative(p, staged)
                for p in found.problems
                if p.is_error and not _is_file(p, staged, draft.target)
            ]
            title, sections = _outline(draft, staged)
            diff: KnowledgeDiff | None = None
            if not any(p.is_error for p in own + elsewhere):
                try:
                    fresh = build_snapshot(staged)
                except InvalidKnowledge as exc:
                    elsewhere += [_relative(p, staged) for p in exc.problems]
                else:
                    try:
                        diff = snapshot_diff(self.knowledge.snapshot, fresh)
                    except InvalidKnowledge:  # the live folder itself is broken: all is new
                        diff = knowledge_diff(
                            [], fresh.index.documents, {}, fresh.flows, {}, fresh.templates
                        )
        return Review(
            draft,
            text,
            title,
            sections,
            own,
            elsewhere,
            diff,
            fingerprint(live.get(draft.target)),
            changed_files=live.get(draft.target) != text,
        )

    def trial(self, name: str) -> KnowledgeBase:
        """The knowledge as it would be with this draft published ("Probeer"); built once per
        version of the draft. Raises PublishError when the draft is gone or has errors."""
        draft = self.get(name)
        if draft is None:
            raise PublishError(DRAFT_GONE)
        path = self.drafts_dir / name / draft.target
        key = (path.stat().st_mtime, id(self.knowledge.snapshot))
        with self._trial_lock:
            cached = self._trials.get(name)
            if cached is not None and cached[0] == key:
                return cached[1]
            with self._staged({draft.target: self.text(draft)}) as staged:
                try:
                    snapshot = build_snapshot(staged)
                except InvalidKnowledge as exc:
                    raise PublishError(
                        "dit concept bevat fouten; eerst herstellen", exc.problems
                    ) from exc
            kb = KnowledgeBase(staged)
            kb.swap(snapshot)
            self._trials[name] = (key, kb)
            return kb

    # -- publishing -----------------------------------------------------------------------

    def publish(self, name: str, who: str, seen: str | None = None) -> Published:
        """Publish a draft. `seen` is what the admin reviewed (`Review.seen`, carried by the
        Publiceren button): when the draft or the live file changed since, nothing happens
        (StaleDraft, or DraftChanged, with the review as it is now). Without it (the command
        line) the draft is published as it is, when the live file is still the one it was
        made against."""
        with self._locked():
            draft = self.get(name)
            if draft is None:
                raise PublishError(DRAFT_GONE)
            review = self.review(draft)
            if review.errors:
                raise PublishError(DRAFT_HAS_ERRORS, review.errors)
            if not review.changed_files:
                raise PublishError("dit concept is gelijk aan wat nu in gebruik is: niets te doen")
            if seen is None and review.stale:
                raise StaleDraft(review)
            if seen is not None and seen != review.seen:
                if review.stale:
                    raise StaleDraft(review)
                raise DraftChanged(review)
            done = self._apply(
                {draft.target: review.text}, who, f"concept {name} gepubliceerd ({draft.source})"
            )
            shutil.rmtree(self._draft_dir(name), ignore_errors=True)
        self._trials.pop(name, None)
        for user, trying in list(self.trying.items()):
            if trying == name:
                del self.trying[user]
        return done

    def restore_changes(self, number: int) -> dict[str, str | None]:
        """The file contents that make the knowledge what it was right after version
        `number`: each file a later version changed gets its content from before the first
        of those changes; a file changed since without a version gets its last recorded
        content."""
        history = self.versions()
        if not any(v.number == number for v in history):
            oldest = min((v.number for v in history), default=None)
            kept = f" (bewaard: versie {oldest} tot en met {history[0].number})" if oldest else ""
            raise PublishError(f"versie {number} bestaat niet of is niet meer bewaard{kept}")
        wanted: dict[str, str | None] = {}
        for version in sorted((v for v in history if v.number > number), key=_number):
            for change in version.changes:
                wanted.setdefault(change.path, change.before)
        for change in self._unrecorded(history)[0]:
            wanted.setdefault(change.path, change.before)
        live = live_files(self.folder)
        return {p: t for p, t in wanted.items() if live.get(p) != t}

    def restore(self, number: int, who: str) -> Published:
        with self._locked():
            changes = self.restore_changes(number)
            if not changes:
                raise PublishError(f"de kennis is nu al wat ze was na versie {number}")
            return self._apply(changes, who, f"teruggezet naar versie {number}")

    def _apply(self, changes: dict[str, str | None], who: str, reason: str) -> Published:
        """Check the change on a copy, write it into the live folder, reload (check and swap)
        and record the version: exactly these files, with what they held before. On any
        failure the live files are put back."""
        with self._locked():
            self.catch_up()  # what changed without a version is not counted as this change
            with self._staged(changes) as staged:
                try:
                    build_snapshot(staged)
                except InvalidKnowledge as exc:
                    raise PublishError(
                        "de wijziging bevat fouten; er is niets veranderd",
                        [_relative(p, staged) for p in exc.problems],
                    ) from exc
            old = live_files(self.folder)
            targets = {relative: safe_target(self.folder, relative) for relative in changes}
            written: list[str] = []
            try:
                for relative, text in changes.items():
                    written.append(relative)
                    if text is None:
                        targets[relative].unlink(missing_ok=True)
                    else:
                        write_text_atomically(targets[relative], text)
                fresh = self.knowledge.prepare()
            except (OSError, InvalidKnowledge) as exc:
                for relative in written:  # put back what was there
                    before = old.get(relative)
                    with contextlib.suppress(OSError):
                        if before is None:
                            targets[relative].unlink(missing_ok=True)
                        else:
                            write_text_atomically(targets[relative], before)
                problems = exc.problems if isinstance(exc, InvalidKnowledge) else []
                raise PublishError(
                    f"publiceren lukte niet, er is niets veranderd ({exc})", problems
                ) from exc
            diff = self.knowledge.swap(fresh)
            own = tuple(
                FileChange(p, old.get(p), text)
                for p, text in sorted(changes.items())
                if old.get(p) != text
            )
            for change in own:
                if change.after is None:
                    self._baseline.pop(change.path, None)
                else:
                    self._baseline[change.path] = change.after
            version = self._write_version(own, who, reason, _summary(diff, own)) if own else None
            committed = self._commit(version, list(changes)) if version else False
        return Published(version, diff, committed)

    # -- history ----------------------------------------------------------------------------

    def _expected(self, history: list[Version]) -> dict[str, str]:
        """What the live files hold when every change has a version: each file's content
        after its last kept version, else as this process last saw it."""
        expected = dict(self._baseline)
        for version in sorted(history, key=_number):
            for change in version.changes:
                if change.after is None:
                    expected.pop(change.path, None)
                else:
                    expected[change.path] = change.after
        return expected

    def _unrecorded(
        self, history: list[Version] | None = None
    ) -> tuple[tuple[FileChange, ...], dict[str, str]]:
        """The live files that differ from what the history says they hold, and the live
        files read for it."""
        expected = self._expected(self.versions() if history is None else history)
        now = live_files(self.folder)
        changes = tuple(
            FileChange(p, expected.get(p), now.get(p))
            for p in sorted(expected.keys() | now.keys())
            if expected.get(p) != now.get(p)
        )
        return changes, now

    def _record_unrecorded(
        self, who: str, reason: str, summary: Callable[[tuple[FileChange, ...]], str]
    ) -> Version | None:
        changes, now = self._unrecorded()
        if not changes:  # the usual case: no lock taken (nor its file made)
            self._baseline = now  # all recorded: what this process saw is the truth
            return None
        with self._locked():
            changes, now = self._unrecorded()
            self._baseline = now
            if not changes:  # another process recorded it meanwhile
                return None
            return self._write_version(changes, who, reason, summary(changes))

    def record(self, diff: KnowledgeDiff, who: str, reason: str) -> Version | None:
        """After a successful reload: keep a version of what changed in the live files
        without one (a hand edit); a change another process (the CLI, the bot) already
        recorded is not recorded again."""
        return self._record_unrecorded(who, reason, lambda changes: _summary(diff, changes))

    def _write_version(
        self, changes: tuple[FileChange, ...], who: str, reason: str, summary: str
    ) -> Version:
        with self._locked():
            history = self.versions()
            number = (history[0].number if history else 0) + 1
            while True:
                version = Version(number, self.clock(), who, reason, summary, changes)
                path = self.history_dir / f"{number:06d}.json"
                try:
                    with path.open("x", encoding="utf-8") as out:
                        json.dump(version.as_json(), out, ensure_ascii=False)
                    break
                except FileExistsError:  # a history written before the lock file existed
                    number += 1
            for old in sorted(self.history_dir.glob("*.json"))[:-KEEP_VERSIONS]:
                old.unlink(missing_ok=True)
        log.info("knowledge version %d recorded (%d files)", number, len(changes))
        return version

    def catch_up(self) -> Version | None:
        """Record what changed in the live folder without a version (an edit on the server
        while the bot was stopped, or one its watcher has not loaded yet), so that a rollback
        starts from the truth: each file is compared with its content after its last version
        (as this process last saw it when no kept version mentions it)."""
        return self._record_unrecorded(
            "buiten de bot om",
            "gewijzigd terwijl de bot niet keek",
            lambda changes: (
                "Bestanden gewijzigd buiten de bot om: " + ", ".join(c.path for c in changes)
            ),
        )

    def versions(self) -> list[Version]:
        """The kept versions, newest first."""
        found: list[Version] = []
        if not self.history_dir.is_dir():
            return found
        for path in self.history_dir.glob("*.json"):
            try:
                found.append(Version.from_json(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("version file %s cannot be read: skipped", path.name)
        return sorted(found, key=_number, reverse=True)

    def _commit(self, version: Version, paths: list[str]) -> bool:
        """Commit the published files when the knowledge folder is a git repository and git
        is installed; quietly nothing otherwise."""
        git = shutil.which("git")
        if git is None or not (self.folder / ".git").exists():
            return False
        message = f"draaibot versie {version.number}: {version.reason} ({version.who})"
        try:
            run = [git, "-C", str(self.folder)]
            identity = ["-c", "user.name=draaibot", "-c", "user.email=draaibot@localhost"]
            subprocess.run([*run, "add", "-A", "--", *paths], check=True, capture_output=True)
            subprocess.run(
                [*run, *identity, "commit", "-q", "-m", message, "--", *paths],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("git commit of version %d failed: %r", version.number, exc)
            return False
        return True


class StaleDraft(PublishError):
    """The live file changed since the admin reviewed the draft: show the difference first."""

    def __init__(self, review: Review, message: str | None = None) -> None:
        super().__init__(message or STALE)
        self.review = review


class DraftChanged(StaleDraft):
    """The draft itself changed since the admin reviewed it (a new upload): review it again."""

    def __init__(self, review: Review) -> None:
        super().__init__(review, DRAFT_CHANGED)


DRAFT_GONE = (
    "Dit concept bestaat niet meer (al gepubliceerd of verworpen). Zie /concepten voor wat er "
    "klaarstaat."
)
DRAFT_HAS_ERRORS = "Dit concept bevat fouten en kan niet worden gepubliceerd."
DRAFT_CHANGED = (
    "Niet gepubliceerd: dit concept is veranderd sinds u het bekeek (er is intussen een nieuw "
    "bestand voor gestuurd). Hieronder staat het concept zoals het nu is; publiceer dat als "
    "het klopt."
)
REPLACED_OWN = (
    "Dit vervangt uw eerdere concept {name}. De knop Publiceren onder het eerdere overzicht "
    "werkt niet meer; gebruik die hieronder."
)
KEPT_OTHER = (
    "Er stond al een concept {name} ({what}); dat blijft staan. Uw bestand is daarom concept "
    "{free} geworden."
)
STALE = (
    "Let op: dit concept is gemaakt op een oudere versie van dit bestand; de kennis is sinds "
    "het concept veranderd. Bekijk het verschil hieronder en publiceer dan opnieuw."
)


def _summary(diff: KnowledgeDiff, changes: tuple[FileChange, ...]) -> str:
    if not diff.empty:
        return diff.text()
    return "Geen wijzigingen in documenten, vragenrondes of checklists; wel in " + ", ".join(
        c.path for c in changes
    )


def _number(version: Version) -> int:
    return version.number


def _is_file(problem: Problem, staged: Path, relative: str) -> bool:
    return problem.path == staged / relative or str(problem.path) == str(staged / relative)


def _relative(problem: Problem, staged: Path) -> Problem:
    """The problem with its path relative to the knowledge folder (not the staged copy)."""
    try:
        path = problem.path.relative_to(staged)
    except ValueError:
        return problem
    return Problem(path, problem.line, problem.message, problem.severity)


def _outline(draft: Draft, staged: Path) -> tuple[str, list[str]]:
    """The title and the headings of a document (also one with errors); a YAML file: its path."""
    if not draft.target.startswith(DOCUMENTS_DIR + "/"):
        return draft.target, []
    try:
        document = parse_document(staged / draft.target)
    except KnowledgeError:
        return draft.target, []
    return document.title, [s.citation for s in document.sections if not s.row]


def lines(items: list[str], limit: int = SHOWN) -> str:
    shown = [f"- {item}" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"- … en nog {len(items) - limit}")
    return "\n".join(shown)


def problem_lines(problems: list[Problem], own: bool = True, limit: int = SHOWN) -> str:
    """Problems as `regel N: ...` (with the file in front when they are in another file)."""
    out = []
    for p in problems[:limit]:
        where = f"regel {p.line}" if p.line else "het bestand"
        if not own:
            where = f"{p.path.as_posix()} {where}"
        out.append(f"- {where}: {p.severity}: {p.message}")
    if len(problems) > limit:
        out.append(f"- … en nog {len(problems) - limit}")
    return "\n".join(out)

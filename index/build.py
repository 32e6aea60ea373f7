"""Build the search index from a knowledge folder: the one way to do it.

`build_index` reads and checks the folder and builds the index, reusing what an earlier build
(`previous`, held in memory by the running bot or read from the cache file beside the database)
already did:
- the folder as a whole unchanged (the same files with the same bytes) and the same code: the
  index is put together from the earlier build's parts, nothing is read or analysed again;
- otherwise every document whose file has the same bytes is taken as read and analysed before,
  and only the documents that changed are parsed, checked and analysed. The index is still
  built whole from them, so it is exactly what a build from nothing gives.

The cache file is JSON (no pickle: nothing in it is ever executed), written to a temporary file
and renamed over the old one, so a reader sees the old or the new file, never half of one. A
file that cannot be read, is cut off or comes from other code is ignored: the index is rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from index.checks import ReadDocument, read_folder
from index.docanalysis import DocumentAnalysis, SectionWords, analyse_document
from index.documents import DOCUMENTS_DIR, Document, Section, Unit
from index.files import visible_files
from index.problems import Problem
from index.search import InvalidKnowledge, KnowledgeIndex, Known
from index.synonyms import SynonymData

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
# Problems found beyond the documents (flows, checklists: data the index does not read),
# given the documents that loaded and the problems found so far.
MoreChecks = Callable[[list[Document], list[Problem]], list[Problem]]


# The libraries whose output the cache holds (parsing, lemmas, stems, word frequencies,
# number words, BM25 statistics): another installed version is other code.
LIBRARIES = (
    "markdown_it",
    "mdit_py_plugins",
    "yaml",
    "simplemma",
    "Stemmer",
    "stop_words",
    "wordfreq",
    "text_to_num",
    "rank_bm25",
)


@cache
def code_version(*packages: Path) -> str:
    """A hash of the Python source of the index package (and of `packages`) and of the
    installed analysis libraries (where each lies, its size and time: an upgrade rewrites
    them, and looking costs no import): a cache made by other code is never used."""
    digest = hashlib.blake2b(f"{CACHE_FORMAT}".encode(), digest_size=16)
    for package in (Path(__file__).parent, *packages):
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        stat = os.stat(origin) if origin else None
        digest.update(
            f"{name}:{origin}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode()
        )
    return digest.hexdigest()


def folder_hash(folder: Path) -> str:
    """A hash of every visible file in the folder: its name and its bytes."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        for relative, path in visible_files(folder).items():
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
    except OSError:
        return "onleesbaar"  # the build reports what cannot be read; no cache hit
    return digest.hexdigest()


def cache_key(folder: Path, version: str = "") -> str:
    """What a cache must have been built from to stand for `folder`: this code (and the code
    `version` names) and these files."""
    return f"{code_version()}{version}:{folder_hash(folder)}"


@dataclass
class IndexCache:
    """What a build of an index did, for the next build to reuse (see the module docstring).
    Paths in it lie under `folder`, the folder it was built from."""

    key: str | None  # code version and folder hash it was built from; None: not reusable whole
    code: str  # the index package's code version (what the documents were analysed with)
    folder: Path
    read: dict[str, ReadDocument]  # the documents by file name, in order
    analysed: dict[str, DocumentAnalysis]  # by file name
    synonyms: SynonymData
    wordings: dict[str, list[str]]
    warnings: list[Problem]  # those of the documents, synonyms and wordings
    known: Known

    def restore(self, folder: Path) -> tuple[KnowledgeIndex, list[Problem]] | None:
        """The index as built before (for a folder with the same files), and its warnings;
        None when the parts do not fit together (a cache file changed by hand)."""
        try:
            return self._restore(folder)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            log.warning("index cache does not fit: built anew (%r)", exc)
            return None

    def _restore(self, folder: Path) -> tuple[KnowledgeIndex, list[Problem]]:
        documents = []
        for name, read in self.read.items():
            document = Document(read.document.slug, folder / DOCUMENTS_DIR / name, {}, [])
            document.meta, document.sections = read.document.meta, read.document.sections
            documents.append(document)
        analysed = [self.analysed[name] for name in self.read]
        index = KnowledgeIndex(documents, self.synonyms, self.wordings, analysed, self.known)
        return index, [_moved(p, self.folder, folder) for p in self.warnings]

    def save(self, path: Path) -> bool:
        """Write the cache file atomically (a temporary file renamed over the old one); False,
        and a log line, when it cannot be written (a read-only data folder): it is a cache."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            text = json.dumps(
                self._as_json(), ensure_ascii=False, separators=(",", ":"), default=_untagged
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, "utf-8")
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError) as exc:
            log.warning("index cache not written to %s: %r", path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        return True

    @classmethod
    def load(cls, path: Path, folder: Path) -> IndexCache | None:
        """The cache file for `folder`, or None when it is missing, unreadable or not one
        this code wrote (then the index is built anew)."""
        try:
            data = json.loads(path.read_text("utf-8"), object_hook=_tagged)
            if data["format"] != CACHE_FORMAT or data["code"] != code_version():
                return None
            return cls._from_json(data, folder)
        except FileNotFoundError:
            return None
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            RecursionError,
        ) as exc:
            log.warning("index cache %s ignored: %r", path, exc)
            return None

    def _as_json(self) -> dict[str, Any]:
        def problem(p: Problem) -> list[Any]:
            where = p.path.relative_to(self.folder) if p.path.is_relative_to(self.folder) else None
            return [str(where) if where else None, str(p.path), p.line, p.message, p.severity]

        documents = []
        for name, read in self.read.items():
            analysis = self.analysed[name]
            documents.append(
                {
                    "name": name,
                    "sha": read.sha,
                    "slug": read.document.slug,
                    "meta": read.document.meta,
                    "sections": [_section_json(s) for s in read.document.sections],
                    "problems": [problem(p) for p in read.problems],
                    # words never hold a space: a list of words is kept as one string,
                    # which reads back many times faster than a JSON list
                    "analysis": [
                        [
                            [" ".join(w) for w in sw.windows],
                            " ".join(sw.heading),
                            " ".join(sw.path),
                            "".join("1" if q else "0" for q in sw.quantity),
                        ]
                        for sw in analysis.sections
                    ],
                    "vocabulary": " ".join(sorted(analysis.vocabulary)),
                }
            )
        return {
            "format": CACHE_FORMAT,
            "code": self.code,
            "key": self.key,
            "documents": documents,
            "synonyms": {
                "groups": self.synonyms.groups,
                "stopwords": self.synonyms.stopwords,
                "exclusive": self.synonyms.exclusive,
            },
            "wordings": self.wordings,
            "warnings": [problem(p) for p in self.warnings],
            "stems": self.known.stems,
            "compounds": self.known.compounds,
            "zipf": self.known.zipf,
        }

    @classmethod
    def _from_json(cls, data: dict[str, Any], folder: Path) -> IndexCache:
        def problem(row: list[Any]) -> Problem:
            where, path, line, message, severity = row
            return Problem(folder / where if where else Path(path), line, message, severity)

        read: dict[str, ReadDocument] = {}
        analysed: dict[str, DocumentAnalysis] = {}
        for doc in data["documents"]:
            name = doc["name"]
            if Path(name).name != name:
                raise ValueError(f"bad document name {name!r}")
            document = Document(
                doc["slug"],
                folder / DOCUMENTS_DIR / name,
                doc["meta"],
                [_section(row) for row in doc["sections"]],
            )
            problems = tuple(problem(row) for row in doc["problems"])
            read[name] = ReadDocument(doc["sha"], document, problems)
            analysed[name] = DocumentAnalysis(
                tuple(
                    SectionWords(
                        tuple(tuple(w.split()) for w in windows),
                        tuple(heading.split()),
                        tuple(path.split()),
                        tuple(q == "1" for q in quantity),
                    )
                    for windows, heading, path, quantity in doc["analysis"]
                ),
                frozenset(doc["vocabulary"].split()),
            )
        vocabulary = frozenset().union(*(a.vocabulary for a in analysed.values()))
        synonyms = data["synonyms"]
        return cls(
            data["key"],
            data["code"],
            folder,
            read,
            analysed,
            SynonymData(
                [tuple(g) for g in synonyms["groups"]],
                list(synonyms["stopwords"]),
                [tuple(g) for g in synonyms["exclusive"]],
            ),
            {k: list(v) for k, v in data["wordings"].items()},
            [problem(row) for row in data["warnings"]],
            Known(
                dict(data["stems"]),
                {k: tuple(v) for k, v in data["compounds"].items()},
                vocabulary,
                {k: float(v) for k, v in data["zipf"].items()},
            ),
        )


def build_index(
    folder: Path,
    previous: IndexCache | None = None,
    more_checks: MoreChecks | None = None,
    version: str = "",
) -> KnowledgeIndex:
    """Read, check and index a knowledge folder; raises InvalidKnowledge listing every error
    found (those of `more_checks` too). `previous` is an earlier build's `index.cache`;
    `version` names the code beyond the index package whose checks a cache vouches for.
    The new index's `cache` is what the next build may reuse."""
    key = cache_key(folder, version)
    if previous is not None and previous.code != code_version():
        previous = None  # analysed by other code: nothing of it is reused
    restored = previous.restore(folder) if previous is not None and previous.key == key else None
    if previous is not None and restored is not None:
        index, problems = restored
        extra = more_checks(index.documents, problems) if more_checks else []
        errors = [p for p in extra if p.is_error]
        if errors:
            raise InvalidKnowledge(errors)
        index.cache = previous
        index.warnings = problems + extra
        return index
    reading = read_folder(folder, previous.read if previous else None)
    problems = list(reading.problems)
    if more_checks is not None:
        problems += more_checks(reading.documents, reading.problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise InvalidKnowledge(errors)
    earlier = previous.analysed if previous else {}
    index = KnowledgeIndex(
        reading.documents,
        reading.synonyms,
        reading.wordings.by_section,
        [
            earlier[name] if _unchanged(name, read, previous) else analyse_document(read.document)
            for name, read in reading.read.items()
        ],
        previous.known if previous else None,
    )
    index.cache = IndexCache(
        key if cache_key(folder, version) == key else None,  # not when edited while building
        code_version(),
        folder,
        reading.read,
        dict(zip(reading.read, index.analysed, strict=True)),
        reading.synonyms,
        reading.wordings.by_section,
        reading.problems,
        index.known,
    )
    index.warnings = [p for p in problems if not p.is_error]
    return index


def _unchanged(name: str, read: ReadDocument, previous: IndexCache | None) -> bool:
    """Was the document analysed before, from the same bytes?"""
    if previous is None or name not in previous.analysed:
        return False
    return previous.read[name].sha == read.sha and previous.analysed[name].fits(read.document)


def _section_json(s: Section) -> list[Any]:
    units = [[u.kind, u.text, u.line] for u in s.units]
    return [s.id, s.doc, s.doc_short, s.path, s.level, s.line, s.end_line, units, s.row]


def _section(row: list[Any]) -> Section:
    id_, doc, short, path, level, line, end_line, units, is_row = row
    return Section(
        id_, doc, short, tuple(path), level, line, end_line, [Unit(*u) for u in units], is_row
    )


def _tagged(value: dict[str, Any]) -> Any:
    """JSON has no dates; front matter has ('date: 2026-01-01'): they are written tagged."""
    if len(value) == 1:
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"not JSON: {type(value).__name__}")


def _moved(problem: Problem, old: Path, new: Path) -> Problem:
    """A problem of a file under `old`, as one of the same file under `new`."""
    if old == new or not problem.path.is_relative_to(old):
        return problem
    return Problem(
        new / problem.path.relative_to(old), problem.line, problem.message, problem.severity
    )

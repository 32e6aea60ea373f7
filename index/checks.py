"""Validate a knowledge folder: everything a Nidos staff member can break, all errors at once."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index.documents import (
    DOCUMENTS_DIR,
    REQUIRED_FRONT_MATTER,
    VERSION_KEYS,
    Document,
    parse_document,
    slugify,
)
from index.files import KnowledgeError, outside, read_bytes
from index.problems import WARNING, Problem
from index.synonyms import SYNONYMS_FILE, SynonymData, load_synonyms
from index.wordings import WordingData, load_wordings

LONG_SECTION = 6000  # characters; longer sections make poor citations


@dataclass(frozen=True)
class ReadDocument:
    """A document as read and checked, with the hash of the bytes it was read from."""

    sha: str
    document: Document
    problems: tuple[Problem, ...]


def content_hash(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


@dataclass
class Reading:
    """A knowledge folder read and checked once: what the index is built from."""

    documents: list[Document] = field(default_factory=list)  # those without errors
    problems: list[Problem] = field(default_factory=list)
    synonyms: SynonymData = field(default_factory=SynonymData)
    wordings: WordingData = field(default_factory=WordingData)
    read: dict[str, ReadDocument] = field(default_factory=dict)  # by file name, without errors


def check_folder(folder: Path) -> tuple[list[Document], list[Problem]]:
    """Parse and validate every file; returns the readable documents and all problems."""
    reading = read_folder(folder)
    return reading.documents, reading.problems


def read_folder(folder: Path, reuse: Mapping[str, ReadDocument] | None = None) -> Reading:
    """Parse and validate every file. A document whose file name and bytes are those of one
    in `reuse` (read before, by the same code) is taken from there instead of parsed again."""
    reading = Reading()
    problems = reading.problems
    documents = reading.documents
    docs_dir = folder / DOCUMENTS_DIR
    if not folder.is_dir():
        problems.append(Problem(folder, 0, "kennismap niet gevonden"))
        return reading
    if not docs_dir.is_dir():
        problems.append(Problem(docs_dir, 0, "map met documenten ontbreekt"))
        return reading
    refused = outside(docs_dir, folder)
    if refused is not None:
        problems.append(refused)
        return reading
    for path in sorted(docs_dir.iterdir()):
        if path.name.startswith("."):
            continue
        refused = outside(path, folder)
        if refused is not None:
            problems.append(refused)
            continue
        if path.is_dir():
            continue
        if path.suffix.lower() != ".md":
            problems.append(
                Problem(path, 0, "geen Markdown-bestand (.md): wordt overgeslagen", WARNING)
            )
            continue
        try:
            raw = read_bytes(path)
            sha = content_hash(raw)
            known = (reuse or {}).get(path.name)
            if known is not None and known.sha == sha:
                document = Document(known.document.slug, path, known.document.meta, [])
                document.sections = known.document.sections
                doc_problems = [
                    Problem(path, p.line, p.message, p.severity) for p in known.problems
                ]
            else:
                document = parse_document(path, raw)
                doc_problems = check_document(document)
        except KnowledgeError as exc:
            problems.append(Problem(exc.path, exc.line, exc.message))
            continue
        problems.extend(doc_problems)
        if not any(p.is_error for p in doc_problems):
            documents.append(document)
            reading.read[path.name] = ReadDocument(sha, document, tuple(doc_problems))
    if not any(p.suffix.lower() == ".md" for p in docs_dir.iterdir()):
        problems.append(Problem(docs_dir, 0, "geen documenten (.md) gevonden"))
    slugs = Counter(d.slug for d in documents)
    for d in documents:
        if slugs[d.slug] > 1:
            problems.append(Problem(d.path, 1, f"documentnaam '{d.slug}' komt vaker voor"))
    reading.synonyms = load_synonyms(folder / SYNONYMS_FILE, folder)
    problems.extend(reading.synonyms.problems)
    section_ids = {s.id for d in documents for s in d.sections}
    # a wording of a document that has errors of its own waits until that document is fixed
    broken = {slugify(p.path.stem) for p in problems if p.is_error and p.path.suffix == ".md"}
    reading.wordings = load_wordings(folder, section_ids, broken)
    problems.extend(reading.wordings.problems)
    return reading


def check_document(document: Document) -> list[Problem]:
    path = document.path
    problems: list[Problem] = []
    if not document.meta:
        problems.append(
            Problem(
                path, 1, "front matter ontbreekt: begin het bestand met --- en title, short, ..."
            )
        )
    else:
        for key in REQUIRED_FRONT_MATTER:
            if not str(document.meta.get(key) or "").strip():
                problems.append(Problem(path, 1, f"front matter mist '{key}'"))
        if not any(document.meta.get(k) for k in VERSION_KEYS):
            problems.append(Problem(path, 1, "front matter mist 'version' of 'date'"))
    sections = document.sections
    if not any(s.units for s in sections):
        problems.append(Problem(path, 1, "document is leeg: geen tekst onder de koppen"))
        return problems
    seen: dict[str, int] = {}
    for i, section in enumerate(sections):
        if section.path and not section.heading.strip():
            problems.append(Problem(path, section.line, "lege kop: geef de kop een titel"))
        if section.id in seen:
            problems.append(
                Problem(
                    path,
                    section.line,
                    f"sectie-id '{section.id}' bestaat al (regel {seen[section.id]}): "
                    "geef de kop een andere naam",
                )
            )
        seen.setdefault(section.id, section.line)
        has_children = i + 1 < len(sections) and sections[i + 1].level > section.level
        if not section.units and not has_children and not section.row:
            problems.append(
                Problem(
                    path, section.line, f"kop zonder tekst eronder: '{section.heading}'", WARNING
                )
            )
        if len(section.text) > LONG_SECTION:
            problems.append(
                Problem(
                    path,
                    section.line,
                    f"zeer lange sectie ({len(section.text)} tekens): overweeg tussenkoppen",
                    WARNING,
                )
            )
        if i and section.level > sections[i - 1].level + 1 and not section.row:
            problems.append(Problem(path, section.line, "kopniveau slaat een niveau over", WARNING))
    return problems

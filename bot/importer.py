"""Turn a PDF, Word (.docx) or text file into a Markdown draft for knowledge/documenten:
front matter, headings recognised from numbering and layout, hyphenation repaired; and a list
of what a person should still check."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.documents import DOCUMENTS_DIR, slugify

HEADING_NUMBER = re.compile(
    r"^(?P<num>(?:(?:hoofdstuk|bijlage|principe|norm)\s+)?\d+(?:\.\d+)*)\.?\s+(?P<title>\S.{0,90})$",
    re.IGNORECASE,
)
SUPPORTED = (".pdf", ".docx", ".txt", ".md")
LONG_PARAGRAPH = 1500
# Limits checked before a file is parsed, so a hostile file cannot take the machine's memory:
# a Word file is a zip, unpacked piece by piece and counted before python-docx sees it (see
# _unpacked); a PDF's pages are counted first (pypdf bounds each stream itself).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_PDF_PAGES = 500
MAX_NAME = 64  # characters of the document name (the file name without .md)
CHUNK = 64 * 1024  # bytes unpacked at a time
WORD_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Word writes


class ImportError_(Exception):
    """The file cannot be imported; the message says why, in Dutch."""


@dataclass
class Draft:
    markdown: str
    headings: int
    checks: list[str] = field(default_factory=list)


def read_blocks(path: Path) -> tuple[list[tuple[str, int]], list[str]]:
    """(text, heading level or 0) blocks of a file, and remarks about the reading."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportError_(f"{path.name}: alleen .pdf, .docx en .txt kunnen worden ingelezen")
    if not path.is_file():
        raise ImportError_(f"{path} bestaat niet")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportError_(f"{path.name} is te groot ({_mb(size)}; hooguit {_mb(MAX_FILE_BYTES)})")
    if suffix == ".docx":
        return _docx_blocks(path), []
    if suffix == ".pdf":
        text, remarks = _pdf_text(path)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        remarks = []
    return _text_blocks(text), remarks


def _pdf_text(path: Path) -> tuple[str, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise ImportError_(
                f"{path.name} heeft {count} pagina's; hooguit {MAX_PDF_PAGES} kunnen worden "
                "ingelezen (splits het document)"
            )
        pages: list[str] = []
        text_size = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            text_size += len(pages[-1])
            if text_size > MAX_UNPACKED_BYTES:
                raise ImportError_(
                    f"{path.name} bevat te veel tekst (meer dan {_mb(MAX_UNPACKED_BYTES)} "
                    f"in de eerste {len(pages)} pagina's); splits het document"
                )
    except ImportError_:
        raise
    except PdfReadError as exc:
        raise ImportError_(f"{path.name} is geen leesbare PDF: {_one_line(exc)}") from exc
    except Exception as exc:  # any failure of the parser on this file
        raise ImportError_(f"{path.name} is geen leesbare PDF ({_one_line(exc)})") from exc
    remarks = []
    empty = [str(i) for i, text in enumerate(pages, start=1) if not text.strip()]
    if empty and len(empty) == len(pages):
        raise ImportError_(
            f"{path.name} bevat geen tekst (een scan?). "
            "Vraag een PDF met tekst of een Word-bestand."
        )
    if empty:
        remarks.append(f"pagina's zonder tekst (afbeelding of scan?): {', '.join(empty)}")
    return "\n\n".join(pages), remarks


def _unpacked(path: Path) -> io.BytesIO:
    """The Word file's zip, unpacked within the limits and packed again.

    The members' declared sizes are checked first, then every member is read in small pieces
    and counted: zipfile unpacks a member in one piece of up to 1 GB when asked for all of it
    (as python-docx does), and headers may lie about sizes. python-docx then reads the copy,
    whose sizes are true and bounded."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(path, members)
            copy = io.BytesIO()
            unpacked = 0
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
                for member in members:
                    if member.is_dir():
                        continue
                    with archive.open(member) as src, out.open(member.filename, "w") as dst:
                        while piece := src.read(CHUNK):
                            unpacked += len(piece)
                            if unpacked > MAX_UNPACKED_BYTES:
                                raise ImportError_(_too_big(path, unpacked))
                            dst.write(piece)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportError_(f"{path.name} is geen leesbaar Word-bestand ({_one_line(exc)})") from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise ImportError_(f"{path.name} is geen leesbaar Word-bestand ({_one_line(exc)})") from exc
    copy.seek(0)
    return copy


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ImportError_(
            f"{path.name} bevat te veel onderdelen ({len(members)}; hooguit {MAX_MEMBERS})"
        )
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise ImportError_(f"{path.name} is geen leesbaar Word-bestand (dubbele onderdelen)")
    odd = [m.filename for m in members if m.compress_type not in WORD_COMPRESSION]
    if odd:
        raise ImportError_(
            f"{path.name} is geen leesbaar Word-bestand (onbekende compressie in {odd[0]})"
        )
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNPACKED_BYTES:
        raise ImportError_(_too_big(path, declared))


def _too_big(path: Path, size: int) -> str:
    return (
        f"{path.name} is uitgepakt te groot (meer dan {_mb(size)}; hooguit "
        f"{_mb(MAX_UNPACKED_BYTES)})"
    )


def _docx_blocks(path: Path) -> list[tuple[str, int]]:
    import docx

    unpacked = _unpacked(path)
    try:
        document = docx.Document(unpacked)
        return _docx_document_blocks(document)
    except Exception as exc:  # zip, XML or package errors of this file
        raise ImportError_(f"{path.name} is geen leesbaar Word-bestand ({_one_line(exc)})") from exc


def _docx_document_blocks(document: Any) -> list[tuple[str, int]]:
    blocks: list[tuple[str, int]] = []
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        level = 0
        match = re.match(r"(heading|kop)\s*(\d)", style)
        if match:
            level = min(int(match.group(2)) + 1, 6)
        elif style == "title":
            level = 2
        if level == 0:
            level = _numbered_level(text)
        blocks.append((text, level))
    for table in document.tables:
        rows = [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]
        if rows:
            blocks.append((_markdown_table(rows), -1))
    return blocks


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _one_line(exc: BaseException) -> str:
    """An exception as one short line (parsers put newlines and whole paths in messages)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _markdown_table(rows: list[list[str]]) -> str:
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = [
        "| " + " | ".join(c.replace("|", "/") for c in rows[0]) + " |",
        "| " + " | ".join(["---"] * width) + " |",
    ]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _numbered_level(line: str) -> int:
    """A short numbered line without a final period is a heading: '4.6 Brandveiligheid' -> 3."""
    match = HEADING_NUMBER.match(line.strip())
    if not match or line.rstrip().endswith((".", ",", ";", ":")) or len(line) > 100:
        return 0
    title = match.group("title")
    if not title[0].isupper():
        return 0
    number = match.group("num").split()[-1]
    return min(2 + number.count("."), 6)


def _text_blocks(text: str) -> list[tuple[str, int]]:
    text = text.replace("\u00ad", "").replace("\r\n", "\n")
    text = re.sub(r"(\w)-[ \t]*\n[ \t]*([a-zà-ÿ])", r"\1\2", text)  # hyphenation at line ends
    blocks: list[tuple[str, int]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append((" ".join(" ".join(paragraph).split()), 0))
            paragraph.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        level = _numbered_level(line)
        if not level and line.isupper() and 3 < len(line) < 60 and any(c.isalpha() for c in line):
            level = 2  # a short line in capitals
        if level:
            flush()
            blocks.append((line.title() if line.isupper() else line, level))
            continue
        if re.match(r"^([•▪\-*]|[a-z]\.|\d+\))\s+", line):
            flush()
            line = re.sub(r"^[•▪*]\s+", "- ", line)
        paragraph.append(line)
    flush()
    return blocks


def make_draft(path: Path, name: str, title: str | None = None, short: str | None = None) -> Draft:
    blocks, checks = read_blocks(path)
    if not blocks:
        raise ImportError_(f"{path.name} bevat geen tekst")
    first_heading = next((text for text, level in blocks if level > 0), None)
    title = title or first_heading or path.stem.replace("-", " ").replace("_", " ").capitalize()
    short = short or title[:40]
    front = (
        "---\n"
        f"title: {_yaml(title)}\n"
        f"short: {_yaml(short)}\n"
        "publisher: Nidos  # controleren\n"
        f'version: "{dt.date.today().isoformat()}"  # de versie of datum van het document\n'
        f"source: {_yaml(path.name)}\n"
        "---\n"
    )
    lines: list[str] = []
    headings = 0
    if blocks[0][1] <= 0:
        lines.append(f"## {title}\n")
        headings += 1
    for text, level in blocks:
        if level > 0:
            lines.append(f"{'#' * level} {text}\n")
            headings += 1
        elif text.startswith("- "):
            lines.append(text + "\n")
        else:
            lines.append(text + "\n")
            if len(text) > LONG_PARAGRAPH:
                checks.append(f"zeer lange alinea ({len(text)} tekens), begint met: {text[:60]}…")
    markdown = front + "\n" + "\n".join(lines)
    checks.insert(0, f"{headings} koppen herkend: kloppen nummering en niveaus met het document?")
    checks.append(
        "tabellen uit een PDF komen als losse regels binnen: zet ze om naar Markdown-tabellen"
    )
    checks.append(
        "vul in de front matter 'short' (naam in de bronvermelding), 'publisher' en 'version' in"
    )
    return Draft(markdown, headings, checks)


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def import_file(
    path: Path, knowledge: Path, name: str, force: bool = False, title: str | None = None
) -> tuple[Path, Draft]:
    slug = document_name(name)
    target = _target(knowledge, slug)
    if (target.exists() or target.is_symlink()) and not force:
        raise ImportError_(f"{target} bestaat al; gebruik --force om het te overschrijven")
    draft = make_draft(path, slug, title=title)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target = _target(knowledge, slug)  # again: the folder may have been made just now
        _write_atomically(target, draft.markdown)
    except OSError as exc:
        raise ImportError_(f"kan {target} niet schrijven: {_one_line(exc)}") from exc
    return target, draft


def document_name(name: str) -> str:
    """The --name as a safe file name: lowercase letters, digits and hyphens, not too long."""
    slug = slugify(name)
    if not slug:
        raise ImportError_(
            "geef met --name een naam voor het document, bijvoorbeeld pve-huisvesting"
        )
    if len(slug) > MAX_NAME:
        raise ImportError_(
            f"de naam bij --name is te lang ({len(slug)} tekens; hooguit {MAX_NAME})"
        )
    return slug


def _target(knowledge: Path, slug: str) -> Path:
    """The document's path; refused when it is a symbolic link or lies outside the folder."""
    target = knowledge / DOCUMENTS_DIR / f"{slug}.md"
    if target.is_symlink():
        raise ImportError_(
            f"{target} is een koppeling (symlink); verwijder die eerst, ik schrijf er niet door"
        )
    root = knowledge.resolve()
    if not target.resolve().is_relative_to(root):
        raise ImportError_(f"{target} ligt buiten de kennismap {root}; ik schrijf daar niet")
    return target


def _write_atomically(target: Path, text: str) -> None:
    """Write beside the target and rename over it: a watcher never sees half a file, and a
    symbolic link put in place meanwhile is replaced, not written through."""
    fd, temporary = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o644)  # as a file written by an editor, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Turn a PDF, Word (.docx) or text file into a Markdown draft for knowledge/documenten:
front matter, headings recognised from numbering and layout, hyphenation repaired; and a list
of what a person should still check."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.documents import DOCUMENTS_DIR, slugify
from index.files import write_text_atomically

HEADING_NUMBER = re.compile(
    r"^(?P<num>(?:(?:hoofdstuk|bijlage|principe|norm)\s+)?\d+(?:\.\d+)*)\.?\s+(?P<title>\S.{0,90})$",
    re.IGNORECASE,
)
SUPPORTED = (".pdf", ".docx", ".txt", ".md")
TITLE = 1  # the level of a block that is the document's title (front matter, not a heading)
TABLE = -1  # the level of a block that is a Markdown table
MAX_TITLE = 120
MAX_SHORT = 40  # characters of `short`, the name in every citation
SMALL_WORDS = frozenset(  # not the last word of a shortened title
    re.findall(
        r"\w+", "de het een van voor en in op aan met bij over te tot of om naar uit door als"
    )
)
MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
VERSION_STATED = re.compile(r"\bversie\s*:?\s*v?(\d+(?:\.\d+)*)\b", re.IGNORECASE)
DATE_STATED = re.compile(rf"\b(?:\d{{1,2}}\s+)?(?:{MONTHS})\s+(?:19|20)\d{{2}}\b", re.IGNORECASE)
VERSION_SEARCHED = 3000  # characters from the start where a stated version is looked for
COLUMN_GAP = re.compile(r"\S(?:\s{3,})(?=\S)")  # three spaces or more between two columns
DOT_LEADER = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){3,})\s*\d*\s*$")  # a contents line
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
    title, text = _title_line(text)
    return [(title, TITLE)] * bool(title) + _text_blocks(text), remarks


def _title_line(text: str) -> tuple[str, str]:
    """The document's title when its first line is one (short, no final period, not a
    numbered heading), and the text without it; else ('', text)."""
    text = text.replace("\u00ad", "").replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return "", text
    line = " ".join(lines[first].split()).lstrip("#").strip()  # '# Titel' in a .md file
    numbered = HEADING_NUMBER.match(line) is not None
    if (
        numbered
        or len(line) > MAX_TITLE
        or line.endswith((".", ",", ";", ":", "-"))
        or not any(c.isalpha() for c in line)
        or _is_table_line(lines[first])
    ):
        return "", text
    title = line.title() if line.isupper() else line
    return title, "\n".join(lines[first + 1 :])


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
            pages.append(_page_text(page))
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


def _page_text(page: Any) -> str:
    """A page's text in pypdf's layout mode, which keeps a table's columns apart (spaces as on
    the page); the plain mode when the layout mode fails on a page."""
    try:
        text = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is younger than the plain one: never worse than plain
        text = ""
    return text if text.strip() else page.extract_text() or ""


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
    """Paragraphs and tables in the order of the document (a table stays where it stands);
    the first paragraph in the Title style is the document's title."""
    from docx.table import Table

    blocks: list[tuple[str, int]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = _docx_rows(item)
            if rows:
                blocks.append((_markdown_table(rows), TABLE))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "").lower()
        level = 0
        match = re.match(r"(heading|kop)\s*(\d)", style)
        if match:
            level = min(int(match.group(2)) + 1, 6)
        elif style in ("title", "titel"):
            level = 2 if any(lvl == TITLE for _, lvl in blocks) else TITLE
        if level == 0:
            level = _numbered_level(text)
        blocks.append((text, level))
    return blocks


def _docx_rows(table: Any) -> list[list[str]]:
    """A Word table's rows; a merged cell (python-docx repeats it) is kept once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return rows


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
        "| " + " | ".join(_cell(c) for c in rows[0]) + " |",
        "| " + " | ".join(["---"] * width) + " |",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def _is_table_line(line: str) -> bool:
    """A line of a PDF's layout text with two or more columns apart (three spaces or more)."""
    return len(COLUMN_GAP.findall(line.strip())) >= 1


def _layout_table(lines: list[str]) -> list[list[str]]:
    """Rows of aligned columns (pypdf's layout text): the columns start where the widest row
    has them; a cell belongs to the last column that starts at or before it."""

    def split(line: str) -> list[tuple[int, str]]:
        return [(m.start(), m.group()) for m in re.finditer(r"\S+(?: {1,2}\S+)*", line)]

    split_lines = [split(line) for line in lines]
    widest = max(split_lines, key=len)
    starts = [at for at, _ in widest]
    rows = []
    for row in split_lines:
        out = [""] * len(starts)
        for at, text in row:
            column = max((i for i, s in enumerate(starts) if s <= at + 1), default=0)
            out[column] = f"{out[column]} {text}".strip()
        rows.append(out)
    return rows


def _numbered_level(line: str) -> int:
    """A short numbered line without a final period is a heading: '4.6 Brandveiligheid' -> 3."""
    match = HEADING_NUMBER.match(line.strip())
    if not match or line.rstrip().endswith((".", ",", ";", ":")) or len(line) > 100:
        return 0
    if DOT_LEADER.search(line):  # '1. Bezoek ........ 3': a line of the table of contents
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

    raw_lines = text.split("\n")
    i = 0
    while i < len(raw_lines):
        raw = raw_lines[i]
        i += 1
        line = raw.strip()
        if not line:
            flush()
            continue
        if _is_table_line(raw):  # aligned columns: a table when two or more lines follow suit
            run = [raw.rstrip()]
            while i < len(raw_lines) and _is_table_line(raw_lines[i]):
                run.append(raw_lines[i].rstrip())
                i += 1
            if len(run) >= 2:
                flush()
                blocks.append((_markdown_table(_layout_table(run)), TABLE))
                continue
            line = " ".join(line.split())
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
    stated_title = next((text for text, level in blocks if level == TITLE), None)
    blocks = [(text, level) for text, level in blocks if level != TITLE]
    if not blocks:
        raise ImportError_(f"{path.name} bevat geen tekst")
    first_heading = next((text for text, level in blocks if level > 0), None)
    title = (
        title
        or stated_title
        or first_heading
        or path.stem.replace("-", " ").replace("_", " ").capitalize()
    )
    short = short or shorten(title)
    version, stated = stated_version(" \n".join(text for text, _ in blocks), title)
    version_note = (
        f"uit het document: '{stated}'" if stated else "niet gevonden: de versie of datum"
    )
    front = (
        "---\n"
        f"title: {_yaml(title)}\n"
        f"short: {_yaml(short)}  # staat in elke bronvermelding: kort en herkenbaar\n"
        "publisher: Nidos  # controleren\n"
        f"version: {_yaml(version or dt.date.today().isoformat())}  # {version_note}\n"
        f"source: {_yaml(path.name)}\n"
        "---\n"
    )
    lines: list[str] = []
    headings = 0
    tables = 0
    if blocks[0][1] <= 0:
        lines.append(f"## {title}\n")
        headings += 1
    for text, level in blocks:
        if level > 0:
            lines.append(f"{'#' * level} {text}\n")
            headings += 1
        elif level == TABLE:
            lines.append(text + "\n")
            tables += 1
        else:
            lines.append(text + "\n")
            if len(text) > LONG_PARAGRAPH:
                checks.append(f"zeer lange alinea ({len(text)} tekens), begint met: {text[:60]}…")
    markdown, id_checks = unique_ids(front + "\n" + "\n".join(lines), name)
    checks.insert(0, f"{headings} koppen herkend: kloppen nummering en niveaus met het document?")
    checks.insert(1, f"titel: '{title}'")
    checks.insert(
        2,
        f"korte naam (short) in elke bronvermelding: '{short}'"
        + (" (ingekort van de titel)" if short != title else "")
        + ": klopt die, of pas hem aan in de front matter",
    )
    checks.insert(
        3,
        f"versie: '{version}' (uit het document: '{stated}')"
        if version
        else "versie: niet in het document gevonden; vul 'version' in de front matter in",
    )
    checks.extend(id_checks)
    if tables:
        checks.append(f"{tables} tabel(len) herkend: kloppen de kolommen met het document?")
    if path.suffix.lower() == ".pdf":
        checks.append(
            "een tabel die niet als tabel is herkend, staat als losse regels: zet die om naar "
            "een Markdown-tabel"
        )
    checks.append("controleer 'publisher' in de front matter")
    return Draft(markdown, headings, checks)


def shorten(title: str, limit: int = MAX_SHORT) -> str:
    """A title cut to at most `limit` characters at a word boundary, without a dangling
    small word or punctuation: 'Handreiking voor het bezoek aan ...' -> 'Handreiking voor
    het bezoek'."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    words = title[: limit + 1].split(" ")[:-1] or [title[:limit]]
    while len(words) > 1 and (words[-1].lower() in SMALL_WORDS or not words[-1].strip("-–,:;")):
        words.pop()
    return " ".join(words).rstrip(" -–,:;.")


def stated_version(text: str, title: str = "") -> tuple[str, str]:
    """The version the document states near its start: ('2.1', 'Versie 2.1') or
    ('juni 2025', 'juni 2025'); ('', '') when it states none."""
    start = f"{title}\n{text[:VERSION_SEARCHED]}"
    match = VERSION_STATED.search(start)
    if match:
        return match.group(1), " ".join(match.group().split())
    match = DATE_STATED.search(start)
    if match:
        found = " ".join(match.group().split())
        return found.lower(), found
    return "", ""


def unique_ids(markdown: str, name: str) -> tuple[str, list[str]]:
    """The draft without duplicate section ids, and what is left to fix by hand.

    The draft is read as the index reads it. A numbered heading that occurs twice (a table
    of contents before the chapters, a running header) is kept where it has text; its
    occurrences without text become list items. Duplicates that both have text are reported
    with their lines ('regel 12: ...'), for the admin to renumber."""
    from index.documents import parse_document

    for _ in range(10):
        with tempfile.TemporaryDirectory() as folder:
            draft = Path(folder) / f"{name}.md"
            draft.write_text(markdown, "utf-8")
            sections = parse_document(draft).sections
        by_id: dict[str, list[Any]] = {}
        for section in sections:
            by_id.setdefault(section.id, []).append(section)
        duplicates = [group for group in by_id.values() if len(group) > 1]
        if not duplicates:
            return markdown, []
        lines = markdown.split("\n")
        demoted = False
        for group in duplicates:
            keep = max(group, key=lambda s: (len(s.units), s.line))
            for section in group:
                heading = lines[section.line - 1]
                if section is keep or section.units or section.row or not heading.startswith("#"):
                    continue
                lines[section.line - 1] = "- " + heading.lstrip("#").strip()
                demoted = True
        markdown = "\n".join(lines)
        if not demoted:
            break
    return markdown, [
        f"regel {s.line}: '{s.heading}' krijgt dezelfde id als regel {group[0].line} "
        f"({group[0].id.split('#', 1)[1]}): geef een van beide een ander nummer of een "
        "andere titel"
        for group in duplicates
        for s in group[1:]
    ]


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
        write_text_atomically(target, draft.markdown)
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



"""Read the knowledge folder's Markdown documents into citable sections.

A document is one Markdown file with YAML front matter. Its headings (from the markdown-it-py
token stream, with their source lines from ``token.map``) cut it into sections; each section keeps
its heading path, a stable id, its source line and its text as *units* (paragraphs, list items)
from which extracts are chosen. A table is read row by row: each row becomes a section under the
table's heading, named by its first cell, so the PvE's room table cites as
`PvE Huisvesting › 8. ... › 8.1 KWG › Keukenruimte 11,5 m2`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.files import KnowledgeError, decode, read_bytes
from index.yamlfile import parse_yaml

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

REQUIRED_FRONT_MATTER = ("title", "short", "publisher", "source")
VERSION_KEYS = ("version", "date")
DOCUMENTS_DIR = "documenten"
CITATION_SEPARATOR = " › "

_LABEL = re.compile(
    r"^(?P<label>(?:(?:principe|norm|bijlage|hoofdstuk)\s+)?\d+(?:\.\d+)*)\.?(?=\s|$|[:–-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """One piece of a section's text: a paragraph, a list item or a table row."""

    kind: str  # "p", "li", "row", "head" (table header row)
    text: str
    line: int


@dataclass
class Section:
    id: str
    doc: str
    doc_short: str
    path: tuple[str, ...]
    level: int
    line: int
    end_line: int
    units: list[Unit] = field(default_factory=list)
    row: bool = False  # a table row read as a section (see _row_section)

    @property
    def heading(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def citation(self) -> str:
        return CITATION_SEPARATOR.join((self.doc_short, *self.path))

    @property
    def text(self) -> str:
        return "\n".join(u.text for u in self.units)


@dataclass
class Document:
    slug: str
    path: Path
    meta: dict[str, Any]
    sections: list[Section]

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.slug))

    @property
    def short(self) -> str:
        return str(self.meta.get("short", self.slug))

    @property
    def version(self) -> str:
        for key in VERSION_KEYS:
            if self.meta.get(key) is not None:
                return str(self.meta[key])
        return ""


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: '8.1 KWG' -> '8-1-kwg'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("+", " plus ")
    return "-".join(re.findall(r"[a-z0-9]+", text))


def heading_slug(heading: str) -> tuple[str, bool]:
    """The slug a heading contributes to a section id, and whether it is numbered.

    A numbered heading ('4.6.21 Brandmeldinstallatie', 'Norm 1.2 – ...', '8.1 KWG') is unique in
    its document by its number: its id is the number alone, so editing its title keeps the id.
    """
    match = _LABEL.match(heading.strip())
    if match:
        return slugify(match.group("label")), True
    return "-".join(slugify(heading).split("-")[:8]), False


@cache
def _markdown() -> MarkdownIt:
    """The parser, made on first need: an index read from its cache parses no Markdown."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    return (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )


def inline_text(token: Token) -> str:
    """Plain text of an inline token: emphasis markers dropped, links reduced to their text."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "footnote_ref":
            parts.append(f"[{child.meta.get('label', '')}]")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def parse_front_matter(text: str, path: Path) -> dict[str, Any]:
    """The front matter (from line 2 of the file); KnowledgeError on the first error."""
    meta, problems = parse_yaml(text, path, first_line=2)
    for problem in problems:
        if problem.is_error:
            message = problem.message
            prefix = "front matter is " if message.startswith("geen geldige YAML") else ""
            raise KnowledgeError(path, problem.line, prefix + message)
    if not isinstance(meta, dict):
        raise KnowledgeError(path, 1, "front matter moet sleutels met waarden bevatten")
    return meta


def parse_document(path: Path, raw: bytes | None = None) -> Document:
    """Parse one Markdown file (or `raw`, its bytes read before); raises KnowledgeError only
    when it cannot be read at all."""
    source = decode(path, read_bytes(path) if raw is None else raw).removeprefix("\ufeff")
    slug = slugify(path.stem)
    tokens = _markdown().parse(source)
    meta: dict[str, Any] = {}
    if tokens and tokens[0].type == "front_matter":
        meta = parse_front_matter(tokens[0].content, path)
    short = str(meta.get("short") or meta.get("title") or slug)
    sections = list(_sections(tokens, slug, short, source.count("\n") + 1))
    return Document(slug=slug, path=path, meta=meta, sections=sections)


def _sections(tokens: list[Token], doc: str, short: str, n_lines: int) -> Iterator[Section]:
    stack: list[tuple[int, str, str]] = []  # (level, heading, id)
    current: Section | None = None
    list_markers: list[tuple[bool, int]] = []  # (ordered, next number)
    in_row: list[str] | None = None
    rows: list[Section] = []  # table rows of the current section, each a section of its own
    table_first = 0  # index in `rows` of the current table's first row
    noted: list[Section] = []  # rows of the table just above, which a '*' note belongs to
    header: list[str] = []  # the current table's header cells
    row_line = 0
    row_kind = "row"
    item_prefix = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            heading = inline_text(tokens[i + 1])
            line = (tok.map[0] if tok.map else 0) + 1
            if current is not None:
                current.end_line = line - 1
                yield current
                yield from rows
            rows, noted = [], []
            while stack and stack[-1][0] >= level:
                stack.pop()
            own, numbered = heading_slug(heading)
            parent_id = stack[-1][2] if stack else ""
            sec_id = own if numbered or not parent_id else f"{parent_id}-{own}"
            stack.append((level, heading, sec_id))
            current = Section(
                id=f"{doc}#{sec_id}",
                doc=doc,
                doc_short=short,
                path=tuple(h for _, h, _ in stack),
                level=level,
                line=line,
                end_line=n_lines,
            )
            i += 3
            continue
        if current is None and tok.type == "inline" and inline_text(tok):
            # Text before the first heading belongs to an untitled opening section.
            current = Section(
                id=f"{doc}#begin",
                doc=doc,
                doc_short=short,
                path=(),
                level=1,
                line=1,
                end_line=n_lines,
            )
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrGet("start") or 1) if tok.type == "ordered_list_open" else 0
            list_markers.append((tok.type == "ordered_list_open", start))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_markers.pop()
        elif tok.type == "list_item_open" and list_markers:
            ordered, number = list_markers[-1]
            if ordered:
                item_prefix = f"{tok.info or number}. "
                list_markers[-1] = (True, number + 1)
            else:
                item_prefix = "- "
        elif tok.type == "footnote_open":
            item_prefix = f"[{tok.meta.get('label', '')}] "
        elif tok.type == "tr_open":
            in_row, row_line = [], (tok.map[0] if tok.map else 0) + 1
        elif tok.type == "table_open":
            table_first = len(rows)
        elif tok.type == "table_close":
            noted = rows[table_first:]
        elif tok.type == "thead_open":
            row_kind = "head"
        elif tok.type == "tbody_open":
            row_kind = "row"
        elif tok.type == "tr_close" and in_row is not None:
            if row_kind == "head":
                header = in_row
            elif current is not None and in_row and in_row[0]:
                rows.append(_row_section(current, in_row, header, row_line, len(rows)))
            elif current is not None and any(in_row):
                current.units.append(Unit("row", _row_text(in_row, header), row_line))
            in_row = None
        elif tok.type == "inline" and in_row is not None:
            in_row.append(inline_text(tok))
        elif tok.type == "inline" and current is not None:
            text = inline_text(tok)
            if text:
                line = (tok.map[0] if tok.map else 0) + 1
                kind = "li" if item_prefix or list_markers else "p"
                current.units.append(Unit(kind, item_prefix + text, line))
                item_prefix = ""
                if text.startswith("*"):
                    _attach_note(noted, Unit("p", text, line))
                else:
                    noted = []  # only notes right under the table belong to its rows
        i += 1
    if current is not None:
        yield current
        yield from rows


def _attach_note(rows: list[Section], note: Unit) -> None:
    """A note under a table ('* In overleg ... kan er afgeweken worden') also belongs to the
    rows whose cells carry its mark, so a row found alone shows its reservation too."""
    for row in rows:
        if "*" in row.units[0].text:
            row.units.append(note)


def row_slug(label: str) -> str:
    """A table row's id part: its label's words before the first number, at most four, so an
    edited value ('Keukenruimte 11,5 m2' -> '12 m2') keeps the id: 'keukenruimte'."""
    words = slugify(re.split(r"\d", label, maxsplit=1)[0]).split("-")
    return "-".join(w for w in words[:4] if w) or slugify(label)


def _row_text(cells: list[str], header: list[str]) -> str:
    """A row as one line; where a row has several values, each names its column."""
    if sum(1 for c in cells[1:] if c) < 2:
        return " | ".join(c for c in cells if c)
    named = [cells[0]] if cells[0] else []
    for cell, head in zip(cells[1:], header[1:] or [""] * (len(cells) - 1), strict=False):
        if cell:
            named.append(f"{head}: {cell}" if head else cell)
    return " | ".join(named)


def _row_section(
    parent: Section, cells: list[str], header: list[str], line: int, n: int
) -> Section:
    """A table row as a section of its own, named by its first cell: '8.1 KWG › Keukenruimte'."""
    label = cells[0]
    own = row_slug(label) or f"rij-{n + 1}"
    return Section(
        id=f"{parent.id}-{own}",
        doc=parent.doc,
        doc_short=parent.doc_short,
        path=(*parent.path, label),
        level=parent.level + 1,
        line=line,
        end_line=line,
        units=[Unit("row", _row_text(cells, header), line)],
        row=True,
    )


@dataclass(frozen=True)
class SectionCount:
    """How many sections documents have, counted one way everywhere (check, index, status):
    sections with text of their own (what search finds), of which table rows; headings with
    no text of their own are named apart."""

    searchable: int
    rows: int
    empty_headings: int

    @classmethod
    def of(cls, documents: list[Document]) -> SectionCount:
        sections = [s for d in documents for s in d.sections]
        with_text = [s for s in sections if s.units]
        return cls(
            searchable=len(with_text),
            rows=sum(s.row for s in with_text),
            empty_headings=len(sections) - len(with_text),
        )

    def text(self) -> str:
        """'252 secties (waarvan 93 tabelrijen; 18 koppen zonder eigen tekst niet geteld)'."""
        notes = [f"waarvan {self.rows} tabelrijen"] if self.rows else []
        if self.empty_headings:
            notes.append(f"{self.empty_headings} koppen zonder eigen tekst niet geteld")
        return f"{self.searchable} secties" + (f" ({'; '.join(notes)})" if notes else "")

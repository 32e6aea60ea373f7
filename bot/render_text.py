"""Plain-text rendering of answers, for the terminal chat and `draaibot ask`."""

from __future__ import annotations

from bot.texts import NO_ANSWER
from index.search import Passage, SearchResult


def bold_plain(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """Mark query words as *word*, like a chat app would show bold."""
    out, last = [], 0
    for start, end in marks:
        out.append(text[last:start])
        out.append(f"*{text[start:end]}*")
        last = end
    out.append(text[last:])
    return "".join(out)


def passage_text(number: int, passage: Passage, marked: bool = True) -> str:
    extract = passage.extract
    body = bold_plain(extract.text, extract.marks) if marked else extract.text
    indented = "\n".join("   " + line for line in body.splitlines())
    return f"[{number}] {passage.section.citation}\n{indented}"


def answer_text(result: SearchResult, marked: bool = True) -> str:
    if not result.answered:
        return NO_ANSWER
    return "\n\n".join(passage_text(i, p, marked) for i, p in enumerate(result.passages, start=1))

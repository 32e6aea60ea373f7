"""Plain-text rendering of answers, for the terminal chat and `draaibot ask`."""

from __future__ import annotations

from collections.abc import Callable

from bot.texts import UNSURE, no_answer
from index.search import SearchResult


def marked(
    text: str,
    marks: tuple[tuple[int, int], ...],
    bold: Callable[[str], str],
    plain: Callable[[str], str] = str,
) -> str:
    """`text` with the marked spans (query words, an answer's values) passed through `bold`
    and the rest through `plain`; overlapping spans count once. The one bold-marking for
    every face: *stars* in plain text, <b> in Telegram's HTML."""
    out, last = [], 0
    for start, end in sorted(marks):
        if start < last:
            continue
        out.append(plain(text[last:start]))
        out.append(bold(text[start:end]))
        last = end
    out.append(plain(text[last:]))
    return "".join(out)


def bold_plain(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """Mark query words as *word*, like a chat app would show bold."""
    return marked(text, marks, lambda span: f"*{span}*")


def passage_block(
    number: int, citation: str, text: str, marks: tuple[tuple[int, int], ...] = ()
) -> str:
    body = bold_plain(text, marks) if marks else text
    indented = "\n".join("   " + line for line in body.splitlines())
    return f"[{number}] {citation}\n{indented}"


def answer_block(
    text: str, values: tuple[tuple[int, int], ...], citation: str, unsure: bool
) -> str:
    """The answer line as plain text: its values between *stars*, the citation under it."""
    line = bold_plain(text, values)
    return f"{UNSURE}\n{line}\n({citation})" if unsure else f"{line}\n({citation})"


def answer_text(result: SearchResult) -> str:
    """The answer line first (its value between *stars*), then the passages behind it."""
    if not result.answered:
        return no_answer(result.not_understood)
    blocks = []
    if result.answer is not None:
        answer = result.answer
        citation = result.passages[0].citation
        blocks.append(answer_block(answer.text, answer.values, citation, result.unsure))
    blocks.extend(
        passage_block(i, p.citation, p.extract.text) for i, p in enumerate(result.passages, start=1)
    )
    return "\n\n".join(blocks)


def at_word(text: str, most: int) -> str:
    """`text` shortened at a word boundary to at most `most` characters, with an ellipsis."""
    if len(text) <= most:
        return text
    cut = text[: most - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"

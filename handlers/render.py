"""Render the assistant's `Reply` values as Telegram messages: HTML (every piece of document and
user text escaped), inline keyboards, and splitting at Telegram's message length limit."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.actions import encode
from bot.replies import Reply, ShownAnswer, ShownPassage
from bot.texts import UNSURE

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096


@dataclass(frozen=True)
class Rendered:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


def bold_marks(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """Escape `text` and wrap the marked spans in <b>."""
    out: list[str] = []
    last = 0
    for start, end in sorted(marks):
        if start < last:
            continue
        out.append(html.escape(text[last:start]))
        out.append(f"<b>{html.escape(text[start:end])}</b>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def answer_html(answer: ShownAnswer) -> str:
    """The answer line, its values in bold, with its short citation (and doubt, if any)."""
    doubt = f"{html.escape(UNSURE)}\n" if answer.unsure else ""
    line = bold_marks(answer.text, answer.values)
    return f"{doubt}{line}\n📄 <i>{html.escape(answer.citation)}</i>"


def passage_html(passage: ShownPassage) -> str:
    body = bold_marks(passage.text, passage.marks)
    return f"<b>{passage.number}.</b> {body}\n📄 <i>{html.escape(passage.citation)}</i>"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=encode(b.action)) for b in row]
            for row in reply.buttons
        ]
    )


def render(reply: Reply) -> list[Rendered]:
    """One or more messages for a reply; the keyboard goes on the last one."""
    blocks: list[str] = []
    if reply.answer is not None:
        blocks.append(answer_html(reply.answer))
    if reply.text and reply.preformatted:
        blocks.append(f"📄 <b>{html.escape(reply.text)}</b>")
    elif reply.text:
        blocks.append(html.escape(reply.text))
    blocks.extend(passage_html(p) for p in reply.passages)
    if reply.preformatted:
        blocks.extend(
            html.escape(part) for part in reply.preformatted.split("\n\n") if part.strip()
        )
    chunks = split_blocks(blocks)
    if not chunks:
        return []
    rendered = [Rendered(chunk) for chunk in chunks[:-1]]
    rendered.append(Rendered(chunks[-1], keyboard(reply)))
    return rendered


def split_blocks(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """Join blocks with blank lines into messages of at most `limit` characters, cutting only
    between blocks; a single block that is too long is cut at line ends or spaces."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _cut(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cut(block: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(block) > limit:
        cut = max(block.rfind("\n", 0, limit), block.rfind(" ", 0, limit))
        if cut <= 0 or _inside_tag(block, cut):
            cut = limit
            while _inside_tag(block, cut) or _inside_entity(block, cut):
                cut -= 1
        pieces.append(block[:cut].rstrip())
        block = block[cut:].lstrip()
    pieces.append(block)
    return pieces


def _inside_tag(text: str, position: int) -> bool:
    return text.rfind("<", 0, position) > text.rfind(">", 0, position)


def _inside_entity(text: str, position: int) -> bool:
    amp = text.rfind("&", 0, position)
    return amp >= 0 and ";" not in text[amp:position] and position - amp < 8

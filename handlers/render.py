"""Render the assistant's `Reply` values as Telegram messages: HTML (every piece of document and
user text escaped), inline keyboards, and splitting at Telegram's message length limit."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.actions import encode
from bot.render_text import marked
from bot.replies import Reply, ShownAnswer, ShownPassage
from bot.texts import UNSURE

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096


@dataclass(frozen=True)
class Rendered:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


def bold_marks(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """Escape `text` and wrap the marked spans in <b>."""
    return marked(text, marks, lambda span: f"<b>{html.escape(span)}</b>", html.escape)


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
    """A block too long for one message in pieces, cut at a line end or space; a tag still
    open at the cut (a long bold span) is closed before it and opened again after it."""
    pieces: list[str] = []
    while len(block) > limit:
        room = limit
        while True:
            cut = _cut_at(block, room)
            opened = _open_tags(block[:cut])
            closing = "".join(f"</{_name(tag)}>" for tag in reversed(opened))
            piece = block[:cut].rstrip()
            if len(piece) + len(closing) <= limit or room <= 1:
                break
            room -= len(piece) + len(closing) - limit
        pieces.append(piece + closing)
        block = "".join(opened) + block[cut:].lstrip()
    pieces.append(block)
    return pieces


def _cut_at(block: str, limit: int) -> int:
    # a blank line, else a line end, in the second half of the room; else the last space
    for mark in ("\n\n", "\n"):
        at = block.rfind(mark, 0, limit)
        if at > limit // 2 and not _inside_tag(block, at):
            return at
    cut = max(block.rfind("\n", 0, limit), block.rfind(" ", 0, limit))
    if cut <= 0 or _inside_tag(block, cut):
        cut = limit
        while cut > 1 and (_inside_tag(block, cut) or _inside_entity(block, cut)):
            cut -= 1
    return cut


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def _open_tags(html_text: str) -> list[str]:
    """The tags opened and not yet closed in `html_text` (as written: '<a href="…">')."""
    opened: list[str] = []
    for match in _TAG.finditer(html_text):
        if not match.group(1):
            opened.append(match.group(0))
        elif opened and _name(opened[-1]) == match.group(2):
            opened.pop()
    return opened


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match.group(2) if match else ""


def _inside_tag(text: str, position: int) -> bool:
    return text.rfind("<", 0, position) > text.rfind(">", 0, position)


def _inside_entity(text: str, position: int) -> bool:
    amp = text.rfind("&", 0, position)
    return amp >= 0 and ";" not in text[amp:position] and position - amp < 8

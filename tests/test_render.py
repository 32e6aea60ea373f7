"""Rendering replies for Telegram: escaping, bold query words, the 4096-character limit."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Feedback
from bot.replies import Button, Reply, ShownPassage
from handlers.render import LIMIT, bold_marks, render, split_blocks


def test_document_and_user_text_is_escaped_and_marks_are_bold() -> None:
    assert bold_marks("a <b> & keuken", ((8, 14),)) == "a &lt;b&gt; &amp; <b>keuken</b>"
    (message,) = render(Reply(text="<script>", passages=(ShownPassage(1, "PvE › 8 <x>", "tekst"),)))
    assert "&lt;script&gt;" in message.html and "📄 <i>PvE › 8 &lt;x&gt;</i>" in message.html


def test_a_long_source_is_split_on_paragraph_boundaries_with_the_keyboard_last() -> None:
    paragraphs = [f"Alinea {i}: " + "woord " * 150 for i in range(20)]
    reply = Reply(
        text="PvE › 6",
        preformatted="\n\n".join(paragraphs),
        buttons=((Button("👍", Feedback(1, True)),),),
    )
    messages = render(reply)
    assert len(messages) > 1
    assert all(len(m.html) <= LIMIT for m in messages)
    assert all(m.keyboard is None for m in messages[:-1]) and messages[-1].keyboard is not None
    for message in messages:
        for part in message.html.split("\n\n")[1 if message is messages[0] else 0 :]:
            assert part.startswith("Alinea")  # never cut inside a paragraph


@given(st.lists(st.text(min_size=0, max_size=6000), max_size=8))
@settings(max_examples=100, deadline=None)
def test_splitting_never_exceeds_the_limit_and_loses_no_text(blocks: list[str]) -> None:
    escaped = [html.escape(b) for b in blocks if b.strip()]  # split_blocks takes HTML
    messages = split_blocks(escaped)
    assert all(len(m) <= LIMIT for m in messages)
    joined = "".join("".join(m.split()) for m in messages)
    assert joined == "".join("".join(b.split()) for b in escaped)


_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")


def _balanced(message: str) -> bool:
    stack: list[str] = []
    for closing, name in _TAG.findall(message):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=300), st.booleans()), min_size=1, max_size=60),
    st.integers(min_value=40, max_value=600),
)
@settings(max_examples=200, deadline=None)
def test_a_cut_never_falls_between_b_and_its_closing_tag(
    spans: list[tuple[str, bool]], limit: int
) -> None:
    """Telegram refuses a message with an unclosed <b>: a long bold span that must be cut is
    closed before the cut and opened again after it."""
    block = "".join(
        f"<b>{html.escape(text)}</b>" if bold else html.escape(text) for text, bold in spans
    )
    messages = split_blocks([block], limit=limit)
    assert all(len(m) <= limit for m in messages)
    assert all(_balanced(m) for m in messages), messages
    shown = "".join(_TAG.sub("", m) for m in messages)
    assert "".join(shown.split()) == "".join(_TAG.sub("", block).split())


def test_a_long_bold_answer_is_cut_with_its_tags_closed() -> None:
    block = "<b>" + "woord " * 1000 + "</b>"
    first, second = split_blocks([block])
    assert first.startswith("<b>") and first.endswith("</b>")
    assert second.startswith("<b>") and second.endswith("</b>")


def test_a_long_block_is_cut_at_a_line_end_not_mid_line() -> None:
    lines = [
        f"❌ Eis nummer {n} met een lange omschrijving\n   Bron: PvE Huisvesting › 4.6.{n}"
        for n in range(120)
    ]
    whole = {line.strip() for line in "\n".join(lines).splitlines()}
    messages = split_blocks(["\n".join(lines)], limit=1000)
    assert len(messages) > 1
    for message in messages:  # every line arrives whole
        assert all(line.strip() in whole for line in message.splitlines())

"""The terminal chat: the same assistant as the Telegram bot, in plain text."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.knowledge import KnowledgeBase
from bot.render_text import answer_text
from bot.texts import EMPTY_QUESTION, WELCOME

PROMPT = "vraag> "
HELP = """Typ een vraag en druk op Enter. Verder:
  /bronnen   de documenten waaruit ik antwoord
  /help      deze uitleg
  /stop      afsluiten (of Ctrl-D)"""


def sources_text(kb: KnowledgeBase) -> str:
    lines = ["Ik antwoord uit deze documenten:"]
    for doc in kb.index.documents:
        version = f" (versie {doc.version})" if doc.version else ""
        lines.append(f"- {doc.title}{version}, {doc.meta.get('publisher', '')}".rstrip(", "))
    return "\n".join(lines)


def respond(kb: KnowledgeBase, line: str) -> str | None:
    """The reply to one typed line; None means: stop the chat."""
    text = line.strip()
    command = text.split()[0].lower() if text.startswith("/") else ""
    if command in ("/stop", "/exit", "/quit"):
        return None
    if command in ("/help", "/start"):
        return HELP
    if command == "/bronnen":
        return sources_text(kb)
    if command:
        return f"Onbekend commando {command}. {HELP}"
    if not text:
        return EMPTY_QUESTION
    return answer_text(kb.ask(text))


def chat(kb: KnowledgeBase, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty()
    print(WELCOME, file=stdout)
    print(HELP, file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print("Tot ziens.", file=stdout)
            return 0
        reply = respond(kb, line)
        if reply is None:
            print("Tot ziens.", file=stdout)
            return 0
        print(reply + "\n", file=stdout, flush=True)

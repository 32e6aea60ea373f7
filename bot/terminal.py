"""The terminal chat: the same assistant as the Telegram bot, in plain text. Buttons become
options #1, #2 …: type `#2` (or `/2`) to press one. A number typed without # is text, so a
flow that asks "hoeveel badkamers?" gets the 2 it is given; a checklist remark is said as one:
`opmerking 3: besteld`."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path
from typing import TextIO

from bot import admins, texts
from bot.actions import decode, encode
from bot.assistant import Assistant, Chat
from bot.render_text import answer_block, passage_block
from bot.replies import Attachment, Button, Outcome, Prompt, Reply
from bot.storage import is_write_failure
from index.search import InvalidKnowledge

PROMPT = "vraag> "
ADMIN_COMMANDS = ("beheerders", "beheerder_toevoegen", "beheerder_verwijderen")
OUTPUT = Path("uitvoer")  # where the terminal chat writes the files the bot would send
_OPTION = re.compile(r"[#/](\d{1,3})")  # '#2' or '/2' presses option 2
_REMARK = re.compile(r"opmerking\s+(\d{1,3}\s*[:.)\-]\s*.+)", re.IGNORECASE | re.DOTALL)
TERMINAL_HELP = (
    "\n\nIn deze terminal: #1, #2 … kiest een knop; opmerking 3: tekst zet een opmerking bij "
    "punt 3 van de laatst getoonde checklist; /exit sluit de chat af."
)
TERMINAL_CHAT = Chat(id=0, type="terminal", user_id=0, is_admin=True)


def render_reply(reply: Reply, first_option: int = 1) -> tuple[str, list[Button]]:
    """Plain text of a reply, and its buttons in the order of their option numbers."""
    parts: list[str] = []
    if reply.answer is not None:
        a = reply.answer
        parts.append(answer_block(a.text, a.values, a.citation, a.unsure))
    if reply.text:
        parts.append(reply.text)
    parts.extend(passage_block(p.number, p.citation, p.text, p.marks) for p in reply.passages)
    if reply.preformatted:
        parts.append(reply.preformatted)
    buttons = [b for row in reply.buttons for b in row]
    if buttons:
        options = "  ".join(f"#{first_option + i} {b.label}" for i, b in enumerate(buttons))
        parts.append(f"Kies: {options}")
    if reply.prompt is not None:
        parts.append("(typ uw antwoord op de volgende regel)")
    return "\n\n".join(parts), buttons


class TerminalChat:
    def __init__(self, assistant: Assistant, chat: Chat = TERMINAL_CHAT) -> None:
        self.assistant = assistant
        self.chat = chat
        self.options: list[Button] = []
        self.prompt_ref: int | None = None  # a pending prompt's stand-in message id
        self.checklist: int | None = None  # the checklist shown last: '3: besteld' remarks on it

    def respond(self, line: str) -> str | None:
        """The text shown for one typed line; None means: stop the chat. When the database
        cannot write (disk full, read-only), the line is answered with that."""
        try:
            return self._respond(line)
        except sqlite3.OperationalError as exc:
            if not is_write_failure(exc):
                raise
            return texts.STORAGE_FAILED

    def _respond(self, line: str) -> str | None:
        text = line.strip()
        command = text.split()[0].lower() if text.startswith("/") else ""
        if command in ("/exit", "/quit") or (
            command == "/stop" and self.assistant.store.active_session(self.chat.id) is None
        ):
            return None
        if command:  # a command ends a prompt: its reply is not the next line any more
            self.prompt_ref = None
        if self.prompt_ref is not None and text:
            outcome = self.assistant.reply_to_prompt(self.chat, self.prompt_ref, text)
            self.prompt_ref = None
            if outcome is not None:
                return self.show(outcome)
        option = _OPTION.fullmatch(text)
        if option is not None:
            number = int(option.group(1))
            if not 1 <= number <= len(self.options):
                return texts.NO_SUCH_OPTION.format(n=number)
            outcome = self.press(self.options[number - 1])
            if outcome.refresh is not None:  # the terminal redraws the checklist below
                checklist_id, page = outcome.refresh
                redrawn = self.assistant.checklists.render(checklist_id, page)
                outcome = Outcome([*outcome.replies, redrawn], outcome.notice)
            return self.show(outcome)
        remark = _REMARK.fullmatch(text)
        if remark is not None:  # 'opmerking 3: besteld', on the checklist shown last
            if self.checklist is None:
                return texts.NO_CHECKLIST_FOR_REMARK
            return self.show(
                self.assistant.checklists.remark(self.checklist, (0, "terminal"), remark.group(1))
            )
        if command:
            return self.show(self.command(command, text.split()[1:]))
        return self.show(self.assistant.message(self.chat, text))

    def press(self, button: Button) -> Outcome:
        """A numbered option: through the same codec as a Telegram button."""
        action = decode(encode(button.action))
        if action is None:
            return Outcome(notice=texts.UNKNOWN_BUTTON)
        return self.assistant.press(self.chat, action)

    def command(self, name: str, args: list[str]) -> Outcome:
        a = self.assistant
        if name == "/start":
            return a.start()
        if name == "/help":
            return Outcome.say(texts.help_text(self.chat.is_admin) + TERMINAL_HELP)
        if name == "/vraag":
            return a.ask(self.chat, " ".join(args)) if args else Outcome.say(texts.ASK_IN_PRIVATE)
        if name == "/bronnen":
            return a.sources()
        if name[1:] in a.knowledge.flows:
            return a.start_flow(self.chat, name[1:])
        if name == "/vorige":
            return a.back(self.chat)
        if name == "/stop":
            return a.stop(self.chat)
        if name == "/herinneringen":
            return a.reminders(self.chat)
        if name == "/checklist":
            return a.checklist(self.chat)
        if name == "/checklists":
            return a.checklist_overview(self.chat)
        if name == "/privacy":
            return a.privacy()
        if name == "/vergeet":
            return a.forget_confirm()
        if name == "/herlaad":
            refusal = a.admin_allowed(self.chat, "herlaad")
            if refusal is not None:
                return refusal
            try:
                return a.reload_done(a.knowledge.reload(), "op verzoek")
            except InvalidKnowledge as exc:
                return a.reload_failed(exc.problems)
        if name[1:] in ADMIN_COMMANDS:  # the terminal's user is the one with the shell
            refusal = a.admin_allowed(self.chat, name[1:])
            if refusal is not None:
                return refusal
            return admins.command(admins.Admins(a.store), admins.SHELL, name[1:], " ".join(args))[0]
        if name in ("/status", "/rapport"):
            refusal = a.admin_allowed(self.chat, name[1:])
            return refusal or (a.status() if name == "/status" else a.report())
        return Outcome.say(f"Het commando {name} ken ik niet. Typ /help voor wat ik kan.")

    def show(self, outcome: Outcome) -> str:
        parts: list[str] = []
        if outcome.notice:
            parts.append(f"({outcome.notice})")
        options: list[Button] = []
        for reply in outcome.replies:
            text, buttons = render_reply(reply, first_option=len(options) + 1)
            parts.append(text)
            if reply.attachment is not None:
                parts.append(self._save(reply.attachment))
            options.extend(buttons)
            if reply.prompt is not None:
                self.prompt_ref = self._remember_prompt(reply.prompt)
            if reply.checklist is not None:
                self.checklist = reply.checklist
        if options:
            self.options = options
        return "\n\n".join(p for p in parts if p)

    def _save(self, attachment: Attachment) -> str:
        """A file the bot would send in Telegram, written under ./uitvoer/ (never over
        another file)."""
        OUTPUT.mkdir(exist_ok=True)
        name = Path(attachment.filename).name or "bijlage"
        target = OUTPUT / name
        stem, suffix, n = target.stem, target.suffix, 1
        while target.exists():
            n += 1
            target = OUTPUT / f"{stem}-{n}{suffix}"
        target.write_bytes(attachment.content)
        caption = f" {attachment.caption}." if attachment.caption else ""
        return f"(bestand opgeslagen: {target}){caption}"

    def _remember_prompt(self, prompt: Prompt) -> int:
        """The terminal has no message ids: a prompt is stored under a stand-in id."""
        message_id = -1
        self.assistant.store.add_pending(
            self.chat.id, message_id, self.chat.user_id, prompt.kind, prompt.ref
        )
        return message_id


def chat(assistant: Assistant, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    session = TerminalChat(assistant)
    interactive = stdin.isatty()
    print(texts.WELCOME, file=stdout)
    print(
        "Typ een vraag en druk op Enter. /help voor de commando's, /exit om af te sluiten.\n",
        file=stdout,
    )
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print("Tot ziens.", file=stdout)
            return 0
        shown = session.respond(line)
        if shown is None:
            print("Tot ziens.", file=stdout)
            return 0
        print(shown + "\n", file=stdout, flush=True)

"""The terminal chat: the same assistant as the Telegram bot, in plain text. Buttons become
options #1, #2 …: type `#2` (or `/2`) to press one. A number typed without # is text, so a
flow that asks "hoeveel badkamers?" gets the 2 it is given; a checklist remark is said as one:
`opmerking 3: besteld`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.actions import KNOWLEDGE_ACTIONS, LINK_ACTIONS, decode, encode
from bot.admin import publishing_replies as knowledge_admin
from bot.assistant import Assistant, Chat
from bot.reloading import KnowledgeReloader
from bot.render_text import answer_block, passage_block
from bot.replies import Attachment, Button, Outcome, Prompt, Reply
from bot.store import is_write_failure

PROMPT = "vraag> "
OUTPUT = Path("uitvoer")  # where the terminal chat writes the files the bot would send
_OPTION = re.compile(r"[#/](\d{1,3})")  # '#2' or '/2' presses option 2
_REMARK = re.compile(r"opmerking\s+(\d{1,3}\s*[:.)\-]\s*.+)", re.IGNORECASE | re.DOTALL)
TERMINAL_CHAT = Chat(id=0, type="terminal", user_id=0, is_admin=True)
REMINDER_CHECK_SECONDS = 60.0  # as often as the Telegram bot checks


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
        self.publisher = assistant.publisher  # drafts, versions, rollback

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
        if command == "/stop" and self.chat.user_id in self.publisher.trying:
            return self.show(knowledge_admin.stop_trying(self.publisher, self.chat.user_id))
        if command in ("/exit", "/quit") or (
            command == "/stop" and not self.assistant.flow_running(self.chat)
        ):
            return None
        if command:  # a command ends a prompt: its reply is not the next line any more
            self.prompt_ref = None
        pressed = self.options and _OPTION.fullmatch(text)  # a button under the prompt
        if self.prompt_ref is not None and text and not pressed:
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
            if outcome.replies:  # a new message: a prompt above it is no longer open
                self.prompt_ref = None
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
        tried = knowledge_admin.try_answer(self.publisher, self.chat.user_id, text)
        if tried is not None:  # 'Probeer': answered from the draft, marked as such
            return self.show(tried)
        return self.show(self.assistant.message(self.chat, text))

    def press(self, button: Button) -> Outcome:
        """A numbered option: through the same codec as a Telegram button."""
        action = decode(encode(button.action))
        if action is None:
            return Outcome(notice=texts.UNKNOWN_BUTTON)
        if isinstance(action, KNOWLEDGE_ACTIONS):
            who = "terminal"
            return knowledge_admin.press(self.publisher, action, who, self.chat.user_id)
        if isinstance(action, LINK_ACTIONS):
            return self.assistant.link_press(self.chat, action, "terminal")
        return self.assistant.press(self.chat, action)

    def command(self, name: str, args: list[str]) -> Outcome:
        """A typed command: dispatched from the command table, like in Telegram."""
        return self.assistant.command(self.chat, name.removeprefix("/"), " ".join(args))

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
        # a new message without buttons ends the old ones ('#4' then presses nothing, instead of
        # a button of an answer further up); a file alone keeps them (the other export)
        if options or any(r.text or r.answer is not None for r in outcome.replies):
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

    def due_reminders(self) -> list[str]:
        """The reminders of this chat that are due now, as text; marked as sent."""
        shown = []
        for reminder_id, chat_id, reply in self.assistant.due_reminders():
            if chat_id == self.chat.id:
                shown.append(render_reply(reply)[0])
                self.assistant.reminder_sent(reminder_id)
        return shown

    def _remember_prompt(self, prompt: Prompt) -> int:
        """The terminal has no message ids: a prompt is stored under a stand-in id."""
        message_id = -1
        self.assistant.delivered(self.chat.id, message_id, prompt, asked=self.chat.user_id)
        return message_id


def chat(
    assistant: Assistant,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    watch: bool = False,
) -> int:
    """The terminal chat until /exit or the end of the input. Meanwhile, like the bot, it
    shows reminders as they fall due and (with `watch`) reloads the knowledge folder when a
    file in it changes."""
    # the chat itself says in Dutch what a reload did; the log's own English lines (a refused
    # reload, a retry) are for the bot's service log, not for this screen: errors only
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.ERROR, format="draaibot: %(message)s")
    reloader = KnowledgeReloader(assistant, publisher=assistant.publisher) if watch else None
    return asyncio.run(run_chat(assistant, stdin, stdout, reloader))


async def run_chat(
    assistant: Assistant, stdin: TextIO, stdout: TextIO, reloader: KnowledgeReloader | None
) -> int:
    """The chat loop: lines are read in a worker thread, so that reminders and reloads are
    shown while the user has not typed anything."""
    session = TerminalChat(assistant)
    interactive = stdin.isatty()

    def say(text: str) -> None:
        """Something that happened while the user typed: shown, then the prompt again."""
        lead = "\n" if interactive else ""
        print(lead + text + "\n", file=stdout, flush=True)
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)

    async def notify(outcome: Outcome) -> None:
        say(session.show(outcome))

    print(texts.WELCOME, file=stdout)
    print(
        "Typ een vraag en druk op Enter. /help voor de commando's, /exit om af te sluiten.\n",
        file=stdout,
    )
    for text in session.due_reminders():  # what fell due while the chat was closed
        print(text + "\n", file=stdout, flush=True)
    reminders = asyncio.create_task(_remind(session, say))
    if reloader is not None:
        reloader.watch(assistant.knowledge.folder, notify)
    try:
        while True:
            if interactive:
                print(PROMPT, end="", file=stdout, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            shown = session.respond(line) if line else None
            if shown is None:
                print("Tot ziens.", file=stdout)
                return 0
            print(shown + "\n", file=stdout, flush=True)
    finally:
        reminders.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reminders
        if reloader is not None:
            await reloader.stop_watching()


async def _remind(session: TerminalChat, say: Callable[[str], None]) -> None:
    while True:
        await asyncio.sleep(REMINDER_CHECK_SECONDS)
        for text in session.due_reminders():
            say(text)

"""The command table: one row per command. Telegram's handlers and command menus, `/help`, the
terminal chat and the admin check all follow from it; every flow file is a command by itself.

A row names the core action it runs: a callable that takes the assistant, the chat and the
text after the command, and returns an `Outcome`. Adding a command is adding a row here (and,
when it needs one, an `Assistant` method). No Telegram here: handlers/ maps the table to PTB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.assistant import Assistant, Chat
    from bot.flows.definitions import Flow
    from bot.replies import Outcome

# What Telegram accepts as a command (PTB's CommandHandler checks the same).
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Run = Callable[["Assistant", "Chat", str], "Outcome"]


@dataclass(frozen=True)
class Command:
    name: str  # without the slash
    description: str  # Dutch, one line: shown in /help and the menu
    run: Run  # the core action: (assistant, chat, text after the command) -> Outcome
    admin: bool = False  # only Nidos staff (DRAAIBOT_ADMINS)
    group: bool = True  # also in groups; False: private chats only
    group_admin: bool = False  # in a group only the group's administrators (checked by the face)


COMMANDS: tuple[Command, ...] = (
    Command("start", "Welkom en wat ik kan", lambda a, chat, args: a.start(chat)),
    Command("help", "Overzicht van de commando's", lambda a, chat, args: a.help(chat)),
    Command(
        "vraag",
        "Stel een vraag, bijvoorbeeld: /vraag hoe groot moet de huiskamer zijn?",
        lambda a, chat, args: a.ask_command(chat, args),
    ),
    # the flows (knowledge/flows/*.yaml) come here, see FLOWS_AFTER
    Command(
        "vorige",
        "Terug naar de vorige vraag van een vragenronde",
        lambda a, chat, args: a.back(chat),
    ),
    Command("stop", "Stop de vragenronde", lambda a, chat, args: a.stop(chat)),
    Command(
        "herinneringen",
        "Uw herinneringen bekijken en verwijderen",
        lambda a, chat, args: a.reminders(chat),
    ),
    Command(
        "checklist",
        "Start een gedeelde checklist: stappenplan, inventaris, schouw, regio",
        lambda a, chat, args: a.checklist(chat),
    ),
    Command(
        "checklists",
        "De checklists van deze chat",
        lambda a, chat, args: a.checklist_overview(chat),
    ),
    Command("bronnen", "De documenten waaruit ik antwoord", lambda a, chat, args: a.sources()),
    Command("privacy", "Wat ik bewaar en hoe lang", lambda a, chat, args: a.privacy()),
    Command(
        "vergeet",
        "Wis alles wat ik van deze chat bewaar",
        lambda a, chat, args: a.forget_confirm(),
        group_admin=True,
    ),
    Command(
        "status",
        "Kennis, gebruik en onbeantwoorde vragen",
        lambda a, chat, args: a.staff.status(),
        admin=True,
        group=False,
    ),
    Command(
        "rapport",
        "Vragen zonder (zeker) antwoord en 👎, gegroepeerd; grafiek en CSV",
        lambda a, chat, args: a.staff.report(),
        admin=True,
        group=False,
    ),
    Command(
        "herlaad",
        "Laad de kennismap opnieuw en toon wat er veranderde",
        lambda a, chat, args: a.reload("op verzoek"),
        admin=True,
        group=False,
    ),
    Command(
        "concepten",
        "Concepten die klaarstaan om te publiceren",
        lambda a, chat, args: a.knowledge_command("concepten", args),
        admin=True,
        group=False,
    ),
    Command(
        "versies",
        "De laatste versies van de kennis",
        lambda a, chat, args: a.knowledge_command("versies", args),
        admin=True,
        group=False,
    ),
    Command(
        "terugzetten",
        "Zet de kennis terug naar versie N (na bevestiging)",
        lambda a, chat, args: a.knowledge_command("terugzetten", args),
        admin=True,
        group=False,
    ),
    Command(
        "beheerders",
        "Wie beheerder is, en hoe u er een toevoegt",
        lambda a, chat, args: a.admins_command(chat, "beheerders", args),
        admin=True,
        group=False,
    ),
    Command(
        "beheerder_toevoegen",
        "Maak iemand beheerder: /beheerder_toevoegen <nummer>",
        lambda a, chat, args: a.admins_command(chat, "beheerder_toevoegen", args),
        admin=True,
        group=False,
    ),
    Command(
        "beheerder_verwijderen",
        "Trek beheerrechten in: /beheerder_verwijderen <nummer>",
        lambda a, chat, args: a.admins_command(chat, "beheerder_verwijderen", args),
        admin=True,
        group=False,
    ),
)
FLOWS_AFTER = "vraag"  # the flow commands follow this row in /help and the menus
BUILT_IN = frozenset(c.name for c in COMMANDS)


def flow_command(flow: Flow) -> Command:
    """A flow file as a command: `/<id>` starts (or resumes) it."""

    def run(assistant: Assistant, chat: Chat, args: str) -> Outcome:
        return assistant.start_flow(chat, flow.id)

    return Command(flow.id, flow.description or flow.title, run)


def table(flows: Mapping[str, Flow]) -> list[Command]:
    """Every command as it is now: the built-in rows with the current flows among them."""
    rows: list[Command] = []
    for command in COMMANDS:
        rows.append(command)
        if command.name == FLOWS_AFTER:
            rows += [flow_command(f) for f in flows.values() if f.id not in BUILT_IN]
    return rows


def find(flows: Mapping[str, Flow], name: str) -> Command | None:
    return next((c for c in table(flows) if c.name == name), None)


def for_scope(commands: list[Command], scope: str) -> list[Command]:
    """The commands shown in Telegram's menu and /help for 'private', 'group' or 'admin'."""
    if scope == "admin":
        return list(commands)
    if scope == "group":
        return [c for c in commands if c.group and not c.admin]
    return [c for c in commands if not c.admin]


def help_text(commands: list[Command], is_admin: bool = False) -> str:
    lines = ["Wat ik kan:"]
    shown = for_scope(commands, "admin" if is_admin else "private")
    lines += [f"/{c.name} - {c.description}" for c in shown]
    lines.append("")
    lines.append("In een privéchat is elk bericht een vraag. In een groep: /vraag, mij noemen of")
    lines.append("op mijn bericht antwoorden.")
    lines.append("")
    lines.append("In een vragenronde: kies een knop of typ uw antwoord (zes, ruim 60 m2, ja hoor,")
    lines.append("weet ik niet). Bij 'vink aan wat aanwezig is' tikt u aan wat er is en kiest u")
    lines.append("Klaar. Een vraag tussendoor beantwoord ik, daarna volgt de vraag van de ronde")
    lines.append("weer. De uitkomst begint met het oordeel of de datum die telt; pandcheck en")
    lines.append("deadline kunt u ook als document (Markdown of Word) krijgen.")
    return "\n".join(lines)


def name_problem(name: str) -> str | None:
    """Why a flow id cannot be a command (Dutch, for `draaibot check`), or None."""
    if COMMAND_NAME.fullmatch(name) is None:
        return (
            f"flow-id '{name}' is ook het commando /{name} en mag alleen kleine letters, cijfers "
            "en _ bevatten (hoogstens 32 tekens), bijvoorbeeld: pand_check"
        )
    if name in BUILT_IN:
        return f"flow-id '{name}' is al een vast commando (/{name}): kies een andere id"
    return None

"""The bot's commands: one list for /help, Telegram's command menu and the README."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    private: bool = True
    group: bool = True
    admin: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", "Welkom en wat ik kan"),
    Command("help", "Overzicht van de commando's"),
    Command("vraag", "Stel een vraag, bijvoorbeeld: /vraag hoe groot moet de huiskamer zijn?"),
    Command("pandcheck", "Is dit pand geschikt? De eisen uit het PvE per woonvorm"),
    Command("deadline", "Huisvestingsdeadline en leeftijdsmomenten uitrekenen"),
    Command("woonvorm", "Welke woonvorm past: KWG, KWE of KWE+?"),
    Command("termijnen", "Alle termijnen uit de documenten op een rij"),
    Command("vorige", "Terug naar de vorige vraag van een vragenronde"),
    Command("stop", "Stop de vragenronde"),
    Command("herinneringen", "Uw herinneringen bekijken en verwijderen"),
    Command("checklist", "Start een gedeelde checklist: stappenplan, inventaris, schouw, regio"),
    Command("checklists", "De checklists van deze chat"),
    Command("bronnen", "De documenten waaruit ik antwoord"),
    Command("privacy", "Wat ik bewaar en hoe lang"),
    Command("vergeet", "Wis alles wat ik van deze chat bewaar"),
    Command("status", "Kennis, gebruik en onbeantwoorde vragen", group=False, admin=True),
    Command(
        "rapport",
        "Vragen zonder (zeker) antwoord en 👎, gegroepeerd; grafiek en CSV",
        group=False,
        admin=True,
    ),
    Command(
        "herlaad", "Laad de kennismap opnieuw en toon wat er veranderde", group=False, admin=True
    ),
    Command("beheerders", "Wie beheerder is, en hoe u er een toevoegt", group=False, admin=True),
    Command(
        "beheerder_toevoegen",
        "Maak iemand beheerder: /beheerder_toevoegen <nummer>",
        group=False,
        admin=True,
    ),
    Command(
        "beheerder_verwijderen",
        "Trek beheerrechten in: /beheerder_verwijderen <nummer>",
        group=False,
        admin=True,
    ),
)


def for_scope(scope: str) -> list[Command]:
    """Commands shown in Telegram's menu for 'private', 'group' or 'admin' chats."""
    if scope == "admin":
        return [c for c in COMMANDS if c.private]
    if scope == "group":
        return [c for c in COMMANDS if c.group and not c.admin]
    return [c for c in COMMANDS if c.private and not c.admin]

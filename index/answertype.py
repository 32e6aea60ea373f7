"""What kind of answer a question asks for, and whether a text can give it.

'Hoeveel', 'hoe lang', 'wanneer' and their kin ask for a number, a duration or a date: a passage
that states one ('9 - 12 jongeren', 'binnen drie maanden', 'per 1 juli 2022', 'voordat deze
17,5 jaar') answers such a question better than one that only shares its words.
"""

from __future__ import annotations

import re

from index.analysis import words

_ASKS_QUANTITY = re.compile(
    r"\b(?:hoeveel|hoelang|hoe (?:lang|vaak|groot|ver|oud|snel|hoog|breed|laat)|wanneer|"
    r"welke (?:leeftijd|termijn|datum|periode)|(?:binnen|vanaf|tot|per) welke|aantal|"
    r"grootte|oppervlakte|minimaal|maximaal|uiterlijk)\b"
)
NUMBER_WORDS = frozenset(
    (
        *("twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf"),
        *("twaalf", "twintig", "dertig", "veertig", "vijftig", "honderd", "duizend"),
        *("half", "anderhalf", "dubbel", "jaarlijks", "halfjaarlijks", "kwartaal"),
        *("maandelijks", "wekelijks", "dagelijks"),
    )
)
_OWN_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s")  # '4.6.21. Er is ...': numbering, no quantity


_ASKS_MONEY = re.compile(r"\b(?:kost|kosten|prijs|bedrag|bedragen|euro|tarief)\b")
_STATES_MONEY = re.compile(r"€|\beuro\b|\bbedrag|\d\s?%", re.IGNORECASE)


def asks_for_money(question: str) -> bool:
    """Does the question ask what something costs ('hoeveel kost', 'welk bedrag')?"""
    return bool(_ASKS_MONEY.search(" ".join(words(question))))


def states_money(text: str) -> bool:
    return bool(_STATES_MONEY.search(text))


_ASKS_DEFINITION = re.compile(
    r"^\s*(?:wat|wie)\s+(?:is|zijn|betekent|betekenen|houdt|doet|doen)\b"
    r"|\b(?:betekenis|definitie)\b"
)


def asks_for_definition(question: str) -> bool:
    """'Wat is een KWG?', 'wat betekent VO': a question about what a thing is."""
    return bool(_ASKS_DEFINITION.search(" ".join(words(question))))


# Units: in 'hoeveel m2 moet de keuken zijn?' the unit says what kind of answer is wanted, the
# topic is the keuken. A unit weighs less than the words of the topic (see index.search).
UNITS = frozenset(
    (
        *("m2", "m3", "m", "meter", "km", "kg", "uur", "uren", "minuten", "procent", "euro"),
        *("jaar", "jaren", "maand", "maanden", "week", "weken", "dag", "dagen", "keer"),
    )
)


def asks_for_quantity(question: str) -> bool:
    """Does the question ask for a number, a duration, a date or an age?"""
    return bool(_ASKS_QUANTITY.search(" ".join(words(question))))


def states_quantity(text: str) -> bool:
    """Does the text give a number (digits or a Dutch number word), leaving out its numbering?"""
    return any(w[0].isdigit() or w in NUMBER_WORDS for w in words(_OWN_NUMBER.sub(" ", text)))

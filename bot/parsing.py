"""Parse what users type in a flow: dates ('15-3-2026', '15 maart 2026', '15/03/26',
'2026-03-15') and numbers ('11,5', '12 m2', '12m²'). Errors are clear Dutch sentences."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import dateparser

from index.analysis import number_words_as_digits

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

_NUMBER = re.compile(
    r"^(?:ca\.?|circa|ongeveer|bijna|zo'?n|minimaal|minstens)?\s*(-?\d+(?:[.,]\d+)?)\s*(.*)$"
)
_UNITS = {
    "": "",
    "m2": "m2",
    "m": "m",
    "meter": "m",
    "vierkante meter": "m2",
    "jongeren": "",
    "stuks": "",
}
_DATE_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "STRICT_PARSING": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_LOCALE_DATE_ORDER": False,
}
MAX_INPUT = 200


# 'ruim 60', 'ongeveer 10', 'circa 12 m2': the number is the answer
_APPROXIMATELY = re.compile(
    r"^(?:ruim|ongeveer|circa|ca\.?|zo'?n|bijna|rond(?:om)?|iets meer dan|iets minder dan|"
    r"minstens|minimaal|maximaal|hooguit|precies|exact|zeker)\s+"
)
_SPOKEN_SQUARE_METRES = re.compile(r"\s*vierkante\s+meters?\b")
_COUNTED_NOUN = re.compile(r"(?<=\d)\s+[a-z][a-z\s-]*$")  # '6 slaapkamers' -> '6'


class ParseError(ValueError):
    """What the user typed is not what the question asks; the message says what is expected."""


def parse_number(text: str, unit: str = "", noun_allowed: bool = False) -> Decimal:
    """'11,5' -> 11.5; '12 m2' and '12m²' -> 12 (with unit 'm2'); a different unit is an error.
    Number words ('zes', 'twaalf') and approximations ('ruim 60 m2', 'ongeveer 10') are
    understood; with `noun_allowed`, a count may name what it counts ('6 slaapkamers')."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()[:MAX_INPUT]
    cleaned = number_words_as_digits(cleaned)
    cleaned = _APPROXIMATELY.sub("", cleaned).strip()
    cleaned = _SPOKEN_SQUARE_METRES.sub("m2", cleaned).rstrip(".!")
    tail = _COUNTED_NOUN.search(cleaned) if noun_allowed else None
    if tail is not None and not _UNITS.get(tail.group().strip()):  # a noun, not a unit
        cleaned = cleaned[: tail.start()]
    match = _NUMBER.match(cleaned)
    example = {"m2": "11,5", "m": "20"}.get(unit, "12")
    expected = {"m2": "een oppervlakte in m2", "m": "een afstand in meters"}.get(unit, "een getal")
    if not match:
        raise ParseError(f"Ik verwacht {expected}, bijvoorbeeld {example}.")
    raw, rest = match.groups()
    rest = rest.strip()
    if rest not in _UNITS or (_UNITS[rest] and unit and _UNITS[rest] != unit):
        raise ParseError(f"Ik verwacht {expected}, bijvoorbeeld {example}.")
    if _UNITS[rest] and not unit:  # '9 m2' where a number of jongeren is asked
        raise ParseError(f"Ik verwacht een aantal, zonder {rest}, bijvoorbeeld {example}.")
    if raw.count(".") == 1 and raw.count(",") == 0 and len(raw.split(".")[1]) == 3:
        raw = raw.replace(".", "")  # 1.200 is twelve hundred in Dutch
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ParseError(f"Ik verwacht {expected}, bijvoorbeeld {example}.") from None
    if value < 0:
        raise ParseError(
            f"Een negatief getal kan hier niet. Ik verwacht {expected}, bijvoorbeeld {example}."
        )
    if value > 100_000:
        raise ParseError(
            f"{format_number(value)} is wel erg veel. "
            f"Ik verwacht {expected}, bijvoorbeeld {example}."
        )
    return value


def parse_count(text: str, maximum: int = 100) -> int:
    value = parse_number(text, noun_allowed=True)
    if value != value.to_integral_value():
        raise ParseError("Ik verwacht een heel getal, bijvoorbeeld 4.")
    if value > maximum:
        raise ParseError(f"Ik verwacht een aantal tot en met {maximum}.")
    return int(value)


def parse_date(text: str, today: dt.date) -> dt.date:
    """A Dutch date as people type it; relative words ('gisteren') count from `today`."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).strip().split())[:MAX_INPUT]
    if not re.search(r"\d|gisteren|vandaag|morgen|eergisteren", cleaned.lower()):
        raise ParseError("Ik verwacht een datum, bijvoorbeeld 15-3-2026 of 15 maart 2026.")
    settings = {**_DATE_SETTINGS, "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12))}
    try:
        parsed: dt.datetime | None = dateparser.parse(cleaned, languages=["nl"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        parsed = None
    if parsed is None:
        raise ParseError(
            f"'{cleaned[:40]}' herken ik niet als datum. "
            "Typ bijvoorbeeld 15-3-2026 of 15 maart 2026."
        )
    return parsed.date()


def format_date(day: dt.date) -> str:
    """15 maart 2027."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_number(value: Decimal | int | float) -> str:
    """11,5 or 12: Dutch decimal comma, no trailing zeros."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")

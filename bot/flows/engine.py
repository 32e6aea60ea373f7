"""The one generic engine that runs every flow of knowledge/flows: which question comes next,
what an answer means, and the verdict or dates at the end. Pure: no storage, no Telegram."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from bot.flows.definitions import (
    MULTI,
    NO,
    NUMERIC,
    UNKNOWN,
    WOONVORMEN,
    YES,
    Flow,
    Item,
    Step,
    StepType,
)
from bot.parsing import (
    ParseError,
    format_date,
    format_number,
    parse_count,
    parse_date,
    parse_number,
)

SKIPPED = "overgeslagen"
PASS, FAIL, OPEN = "voldoet", "voldoet niet", "nog na te gaan"


@dataclass(frozen=True)
class Verdict:
    status: str  # PASS, FAIL or OPEN
    label: str
    source: str
    detail: str = ""
    also: tuple[str, ...] = ()  # more sources (a requirement of every woonvorm)


@dataclass(frozen=True)
class DateLine:
    label: str
    day: dt.date
    source: str
    relative: str
    index: int  # which date term of the flow


@dataclass(frozen=True)
class Result:
    verdicts: tuple[Verdict, ...]
    dates: tuple[DateLine, ...]
    lines: tuple[tuple[str, str], ...]  # (text, source)
    next_steps: tuple[tuple[str, str], ...]


def effective(flow: Flow, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with derived values filled in (woonvorm from the number of jongeren). With the
    woonvorm unknown, the requirements of every woonvorm apply; a question asked for several
    woonvormen ('Hoeveel slaapkamers?') is asked once and its answer holds for each."""
    values = {k: v for k, v in answers.items() if not k.startswith(DRAFT)}
    for target, rules in flow.derive.items():
        for rule in rules:
            if holds(rule.when, answers):
                values[target] = rule.value
                break
    if every_woonvorm(values):
        asked = {s.ask: values[s.id] for s in flow.steps if s.applies_to and s.id in values}
        for step in flow.steps:
            if step.applies_to and step.id not in values and step.ask in asked:
                values[step.id] = asked[step.ask]
    return values


DRAFT = "~"  # answers key prefix: the ticks of an `aanvinken` step not yet confirmed


def every_woonvorm(values: dict[str, Any]) -> bool:
    """Is the woonvorm unknown (and not derived), so every woonvorm's requirements apply?"""
    return _same(values.get("woonvorm"), UNKNOWN)


def _fits(applies_to: tuple[str, ...], woonvorm: Any) -> bool:
    return not applies_to or woonvorm in applies_to or _same(woonvorm, UNKNOWN)


def items_for(step: Step, values: dict[str, Any]) -> list[Item]:
    """The items of an `aanvinken` step that the woonvorm needs."""
    return [i for i in step.items if _fits(i.applies_to, values.get("woonvorm"))]


def holds(when: dict[str, Any], values: dict[str, Any]) -> bool:
    """Does every condition hold? A value, a list of values, or {min, max, tussen, niet}."""
    for key, expected in when.items():
        value = values.get(key)
        if isinstance(expected, dict):
            if "niet" in expected:
                if value is None or _same(value, expected["niet"]):
                    return False
                continue
            number = _number(value)
            if number is None:
                return False
            if "min" in expected and number < Decimal(str(expected["min"])):
                return False
            if "max" in expected and number > Decimal(str(expected["max"])):
                return False
            if "tussen" in expected:
                low, high = (Decimal(str(x)) for x in expected["tussen"])
                if not low <= number <= high:
                    return False
        elif isinstance(expected, list):
            if not any(_same(value, e) for e in expected):
                return False
        elif not _same(value, expected):
            return False
    return True


def _same(value: Any, expected: Any) -> bool:
    return value is not None and str(value).strip().lower() == str(expected).strip().lower()


def _number(value: Any) -> Decimal | None:
    if value is None or value in (UNKNOWN, SKIPPED):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def applies(flow: Flow, step: Step, answers: dict[str, Any]) -> bool:
    return _applies(step, effective(flow, answers))


def _applies(step: Step, values: dict[str, Any]) -> bool:
    woonvorm = values.get("woonvorm")
    if step.applies_to and not _fits(step.applies_to, woonvorm):
        return False
    if step.items and not items_for(step, values):
        return False
    return holds(step.when, values)


def current_step(flow: Flow, answers: dict[str, Any]) -> Step | None:
    values = effective(flow, answers)
    for step in flow.steps:
        if step.id not in values and _applies(step, values):
            return step
    return None


def remaining(flow: Flow, answers: dict[str, Any]) -> int:
    """At most how many questions are still to come: the most any woonvorm still possible
    needs, and a question that depends on an answer not yet given counts as coming. So the
    first number is honest and the number shown only goes down as the flow goes on."""
    values = effective(flow, answers)
    woonvorm = values.get("woonvorm")
    undecided = woonvorm is None or (
        every_woonvorm(values)
        and any(k not in values for rules in flow.derive.values() for r in rules for k in r.when)
    )
    options = [*WOONVORMEN, UNKNOWN] if undecided else [woonvorm]
    return max(_left(flow, values, option) for option in options)


def _left(flow: Flow, values: dict[str, Any], woonvorm: Any) -> int:
    assumed = {**values, "woonvorm": woonvorm}
    asks = set()
    for step in flow.steps:
        if step.id in values:
            continue
        if step.applies_to and not _fits(step.applies_to, woonvorm):
            continue
        if step.items and not items_for(step, assumed):
            continue
        if holds(step.when, assumed) or any(key not in values for key in step.when):
            asks.add(step.ask)  # a question for several woonvormen is asked once
    return len(asks)


def choices(step: Step) -> list[str]:
    """The answers offered as buttons."""
    if step.type == StepType.YES_NO:
        return ["Ja", "Nee", "Weet ik niet"]
    if step.type == StepType.CHOICE:
        return list(step.options)
    if step.type == StepType.DATE and step.optional:
        return ["Overslaan"]
    if step.type in NUMERIC:
        return ["Weet ik niet"]
    if step.type == MULTI:
        return ["Alles aanwezig", "Weet ik niet"]
    return []


def typed(step: Step) -> bool:
    """Does the question take a typed answer (a number or a date)?"""
    return step.type in NUMERIC or step.type == StepType.DATE


def answer_choice(step: Step, index: int, shown: list[Item] | None = None) -> Any:
    """The value of option `index` of a question; for a tick question `shown` are the items
    the woonvorm needs ('Alles aanwezig' ticks those, not items the user never saw)."""
    options = choices(step)
    if not 0 <= index < len(options):
        raise ParseError("Kies een van de knoppen.")
    chosen = options[index]
    if step.type == StepType.YES_NO:
        return {0: YES, 1: NO}.get(index, UNKNOWN)
    if step.type == MULTI:
        return [i.id for i in (step.items if shown is None else shown)] if index == 0 else UNKNOWN
    if chosen == "Overslaan":
        return SKIPPED
    if chosen == "Weet ik niet":
        return UNKNOWN
    return chosen


# What people type for yes, no and "I don't know" (compared without punctuation).
YES_WORDS = frozenset(
    (
        *("ja", "j", "yes", "jazeker", "ja zeker", "zeker", "ja hoor", "jawel", "klopt"),
        *("dat klopt", "ja dat klopt", "ja klopt", "correct", "inderdaad", "natuurlijk"),
        *("absoluut", "zeker weten", "ja hij is er", "ja die is er", "aanwezig"),
    )
)
NO_WORDS = frozenset(
    (
        *("nee", "n", "no", "neen", "nee hoor", "niet", "nope", "helaas niet", "nee helaas"),
        *("klopt niet", "dat klopt niet", "zeker niet", "absoluut niet", "nog niet"),
        *("ontbreekt", "niet aanwezig", "is er niet", "nee nog niet"),
    )
)
UNKNOWN_WORDS = frozenset(
    (
        *("weet ik niet", "weet niet", "onbekend", "?", "geen idee", "geen flauw idee"),
        *("ik weet het niet", "weet ik nog niet", "weet ik het niet", "geen idee eigenlijk"),
        *("onduidelijk", "nog onbekend", "dat weet ik niet", "ik weet het nog niet"),
    )
)


def _plain(text: str) -> str:
    """Lowercase words without punctuation: 'Ja hoor!' -> 'ja hoor', '?' stays '?'."""
    words = re.sub(r"[^\w?+ ]+", " ", text.lower()).split()
    return " ".join(words)


def _typed_choice(options: tuple[str, ...] | list[str], cleaned: str) -> str:
    """An option typed: its whole text, its number ('2'), or words that stand in one option
    only ('vrij zelfstandig'); otherwise the options, numbered, to choose from."""
    for option in options:
        if cleaned == option.lower():
            return option
    number = cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_ITEM_DIGITS
    if number and 1 <= int(cleaned) <= len(options):
        return options[int(cleaned) - 1]
    if len(cleaned) >= MIN_CHOICE_WORDS:
        fits = [o for o in options if cleaned in _plain(o)]
        if len(fits) == 1:
            return fits[0]
    numbered = "; ".join(f"{n} {o}" for n, o in enumerate(options, 1))
    raise ParseError(f"Kies een van de knoppen, of typ het nummer: {numbered}.")


def means_unknown(text: str) -> bool:
    """'weet ik niet', 'geen idee', '?': the answer 'Weet ik niet', typed."""
    cleaned = _plain(text)
    return cleaned in UNKNOWN_WORDS or cleaned.replace(" ", "") == "?"


def answer_text(step: Step, text: str, today: dt.date, shown: list[Item] | None = None) -> Any:
    """A typed answer, validated; raises ParseError with a Dutch correction. For an
    `aanvinken` step the numbers typed are those of the items `shown` (default: all)."""
    cleaned = _plain(text)
    if means_unknown(text):
        return UNKNOWN
    if step.optional and cleaned in ("overslaan", "sla over", "geen", "-", ""):
        return SKIPPED
    if step.type == StepType.YES_NO:
        if cleaned in YES_WORDS:
            return YES
        if cleaned in NO_WORDS:
            return NO
        raise ParseError("Antwoord met ja, nee of weet ik niet.")
    if step.type == StepType.CHOICE:
        return _typed_choice(step.options, cleaned)
    if step.type == StepType.COUNT:
        return parse_count(text, maximum=step.maximum)
    if step.type in NUMERIC:
        return str(parse_number(text, unit=step.unit))
    if step.type == StepType.DATE:
        day = parse_date(text, today)
        _check_date(step, day, today)
        return day.isoformat()
    if step.type == MULTI:
        return ticked_from_text(step, cleaned, list(step.items) if shown is None else shown)
    raise ParseError("Deze vraag verwacht een keuze uit de knoppen.")


ALL_WORDS = frozenset(
    ("alles", "alles aanwezig", "allemaal", "alle", "ja alles", "ja", "alles is er")
)
NONE_WORDS = frozenset(("niets", "niks", "geen", "niets aanwezig", "geen enkele", "nee", "0"))
MIN_CHOICE_WORDS = 4  # characters typed that may pick an option by its words
DONE_WORDS = frozenset(
    ("klaar", "ok", "oke", "oké", "verder", "volgende", "door", "dat is alles", "dat was het")
)
MAX_ITEM_DIGITS = 3  # a tick question has at most a few dozen items


def done_ticking(text: str) -> bool:
    """'klaar', 'ok', 'verder': typed for the Klaar button of a tick question."""
    return _plain(text) in DONE_WORDS
MULTI_EXAMPLE = (
    "Typ de nummers van wat aanwezig is, bijvoorbeeld 1 3, of alles, niets of weet ik niet."
)


def ticked_from_text(step: Step, cleaned: str, shown: list[Item]) -> list[str]:
    """'1 3 4', '1, 3 en 4', 'alles', 'niets': the ids of the items ticked; the numbers are
    those shown (1..shown) of the items the woonvorm needs, in the flow's order."""
    if cleaned in ALL_WORDS:
        return [i.id for i in shown]
    if cleaned in NONE_WORDS:
        return []
    words = re.sub(r"\ben\b|[,;&+]", " ", cleaned).split()
    # ASCII digits only: '¹' and '٣' are digits to str.isdigit but no number to int()
    if not words or not all(w.isascii() and w.isdigit() for w in words):
        raise ParseError(MULTI_EXAMPLE)
    if any(len(w) > MAX_ITEM_DIGITS for w in words):  # '1 99999…': no item, and no int() of it
        raise ParseError(f"Kies nummers van 1 tot en met {len(shown)}. {MULTI_EXAMPLE}")
    numbers = {int(w) for w in words}
    if not all(1 <= n <= len(shown) for n in numbers):
        raise ParseError(f"Kies nummers van 1 tot en met {len(shown)}. {MULTI_EXAMPLE}")
    return [shown[n - 1].id for n in sorted(numbers)]


def _check_date(step: Step, day: dt.date, today: dt.date) -> None:
    if step.not_after_today and day > today:
        raise ParseError(
            f"{format_date(day)} ligt in de toekomst. Typ de datum waarop het verzoek is "
            "ingediend, of kies Overslaan."
        )
    if step.age_between is not None:
        low, high = step.age_between
        age = relativedelta(today, day).years
        if day > today or not low <= age <= high:
            shown = "nog niet geboren" if day > today else f"{age} jaar"
            raise ParseError(
                f"Met die geboortedatum is de jongere nu {shown}. Klopt de datum? Typ de "
                f"geboortedatum van een jongere van {low} tot {high} jaar, bijvoorbeeld 15-3-2009."
            )


def result(flow: Flow, answers: dict[str, Any], today: dt.date) -> Result:
    values = effective(flow, answers)
    verdicts = tuple(
        v
        for step in flow.steps
        if step.id in values and _applies(step, values)
        for v in (
            _ticks(step, values) if step.items else [_verdict(step, values)] if step.rule else []
        )
    )
    dates: list[DateLine] = []
    for i, term in enumerate(flow.dates):
        start = values.get(term.start)
        if not start or start in (UNKNOWN, SKIPPED) or not holds(term.when, values):
            continue
        day = dt.date.fromisoformat(str(start)) + relativedelta(
            years=term.years, months=term.months
        )
        dates.append(DateLine(term.label, day, term.source, relative(day, today), i))
    lines = tuple(
        (x.text.format(**{k: v for k, v in values.items()}), x.source)
        for x in flow.lines
        if holds(x.when, values)
    )
    next_steps = tuple((x.text, x.source) for x in flow.next_steps if holds(x.when, values))
    return Result(verdicts, tuple(sorted(dates, key=lambda d: d.day)), lines, next_steps)


def _cited(
    label: str,
    applies_to: tuple[str, ...],
    source: str,
    sources: dict[str, str],
    values: dict[str, Any],
) -> tuple[str, str, tuple[str, ...]]:
    """A requirement's label and sources for the woonvorm: with the woonvorm unknown, a
    requirement of some woonvormen says which, and one with a section per woonvorm cites
    each (never the KWG's section alone)."""
    woonvorm = values.get("woonvorm")
    if not every_woonvorm(values):
        return label, sources.get(str(woonvorm), source), ()
    if applies_to and set(applies_to) != set(WOONVORMEN):
        label = f"{label} (bij een {' of '.join(applies_to)})"
    refs = list(dict.fromkeys(sources.values())) or [source]
    return label, refs[0], tuple(refs[1:])


def _ticks(step: Step, values: dict[str, Any]) -> list[Verdict]:
    """An `aanvinken` step: a ticked item complies, an unticked one does not; 'weet ik niet'
    leaves every item of the group to check."""
    value = values.get(step.id)
    out = []
    for item in items_for(step, values):
        label, source, also = _cited(item.label, item.applies_to, item.source, item.sources, values)
        ticked = value if isinstance(value, list) else None
        status = OPEN if ticked is None else PASS if item.id in ticked else FAIL
        out.append(Verdict(status, label, source, also=also))
    return out


def _verdict(step: Step, values: dict[str, Any]) -> Verdict:
    v = _plain_verdict(step, values)
    label, source, also = _cited(v.label, step.applies_to, step.source, step.sources, values)
    return Verdict(v.status, label, source, v.detail, also)


def _plain_verdict(step: Step, values: dict[str, Any]) -> Verdict:
    rule = step.rule
    value = values.get(step.id)
    if rule is None:
        return Verdict(OPEN, step.label, step.source)
    if value in (UNKNOWN, SKIPPED, None):
        return Verdict(OPEN, step.label, step.source)
    if rule.is_ is not None:
        return Verdict(PASS if value == rule.is_ else FAIL, step.label, step.source)
    number = _number(value)
    if number is None:
        return Verdict(OPEN, step.label, step.source)
    unit = f" {step.unit}" if step.unit else ""
    detail = f"u gaf {format_number(number)}{unit}"
    minimum = rule.min
    if rule.min_per is not None and rule.per:
        per = _number(values.get(rule.per))
        if per is None:
            return Verdict(
                OPEN, step.label, step.source, detail + "; het aantal jongeren is niet bekend"
            )
        minimum = rule.min_per * per
        detail += f", nodig {format_number(minimum)}{unit}"
    if minimum is not None and number < minimum:
        return Verdict(FAIL, step.label, step.source, detail)
    if rule.max is not None and number > rule.max:
        return Verdict(FAIL, step.label, step.source, detail)
    return Verdict(PASS, step.label, step.source, detail)


def relative(day: dt.date, today: dt.date) -> str:
    """'over 4 maanden', '12 dagen geleden', 'vandaag'."""
    if day == today:
        return "vandaag"
    future = day > today
    delta = relativedelta(day, today) if future else relativedelta(today, day)
    months = delta.years * 12 + delta.months
    if months >= 24:
        amount = f"{delta.years} jaar"
    elif months >= 1:
        amount = f"{months} maand" + ("en" if months > 1 else "")
    else:
        days = abs((day - today).days)
        amount = f"{days} dag" + ("en" if days > 1 else "")
    return f"over {amount}" if future else f"{amount} geleden"

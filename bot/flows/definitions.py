"""Guided flows as data: read and validate knowledge/flows/*.yaml.

A flow is a list of steps (questions) and a result. Nidos staff change a term, a minimum size
or a requirement in the YAML; `draaibot check` reports every mistake with file:line.

    id: pandcheck                     # also the command: /pandcheck
    title: Is dit pand geschikt?
    description: Is dit pand geschikt? De eisen uit het PvE per woonvorm   # /help, menu
    steps:
      - id: keuken
        ask: Hoe groot is de keukenruimte (in m2)?
        type: oppervlakte             # ja_nee, keuze, aantal, getal, oppervlakte, afstand, datum,
                                      # aanvinken
        applies_to: [KWG]             # only for these woonvormen
        rule: {min: 11.5}             # a requirement: voldoet / voldoet niet / nog na te gaan
        label: Keukenruimte van minimaal 11,5 m2
        source: pve-huisvesting#8-1-keukenruimte   # or one per woonvorm: {KWG: ..., KWE: ...}

An `aanvinken` step asks several yes/no requirements at once ("vink aan wat aanwezig is"):
each of its `items` has an id, a label and a source (and may have applies_to); a ticked item
complies, an unticked one does not, and "weet ik niet" leaves the whole group to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from string import Formatter
from typing import Any, Protocol

from bot.commands import name_problem
from index.files import files_in
from index.problems import ERROR, WARNING, Problem
from index.yamlfile import YamlList, YamlMap, line_of, load_yaml

FLOWS_DIR = "flows"
WOONVORMEN = ("KWG", "KWE", "KWE+")


class StepType(StrEnum):
    """A question's type, as staff write it in the YAML (`type: oppervlakte`)."""

    YES_NO = "ja_nee"
    CHOICE = "keuze"
    COUNT = "aantal"
    NUMBER = "getal"
    AREA = "oppervlakte"
    DISTANCE = "afstand"
    DATE = "datum"
    TICK = "aanvinken"  # a multi-select: vink aan wat aanwezig is


TYPES = tuple(StepType)
MULTI = StepType.TICK
NUMERIC = (StepType.COUNT, StepType.NUMBER, StepType.AREA, StepType.DISTANCE)
UNITS = {"oppervlakte": "m2", "afstand": "m", "aantal": "", "getal": ""}
RULE_KEYS = ("min", "max", "is", "min_per", "per")
CONDITION_KEYS = ("min", "max", "tussen", "niet")
FLOW_KEYS = (
    "id", "title", "description", "intro", "steps", "dates", "result", "derive", "next_steps",
    "reminders", "offer_when",
)  # fmt: skip
STEP_KEYS = (
    "id", "ask", "type", "options", "applies_to", "when", "rule", "label", "source", "optional",
    "private", "not_after_today", "age_between", "max", "help", "items",
)  # fmt: skip
ITEM_KEYS = ("id", "label", "source", "applies_to")
MAX_ITEMS = 12  # ticks of one step: buttons on one screen
MAX_YEARS, MAX_MONTHS = 100, 1200  # a term further away is a typo (and overflows a date)
UNKNOWN = "weet ik niet"
YES, NO = "ja", "nee"


@dataclass(frozen=True)
class Rule:
    min: Decimal | None = None
    max: Decimal | None = None
    is_: str | None = None
    min_per: Decimal | None = None
    per: str | None = None


@dataclass(frozen=True)
class Item:
    """One requirement of an `aanvinken` step: ticked means present (voldoet)."""

    id: str
    label: str
    source: str
    line: int
    applies_to: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)  # per woonvorm, if it differs


@dataclass(frozen=True)
class Step:
    id: str
    ask: str
    type: StepType
    line: int
    options: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()
    when: dict[str, Any] = field(default_factory=dict)
    rule: Rule | None = None
    label: str = ""
    source: str = ""
    optional: bool = False
    private: bool = False  # forgotten when the flow ends (a date of birth)
    not_after_today: bool = False
    age_between: tuple[int, int] | None = None
    maximum: int = 100
    help: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # per woonvorm, if it differs
    items: tuple[Item, ...] = ()

    @property
    def unit(self) -> str:
        return UNITS.get(self.type, "")


@dataclass(frozen=True)
class DateTerm:
    label: str
    start: str  # step id
    years: int
    months: int
    source: str
    line: int
    when: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    text: str
    source: str
    line: int
    when: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Derivation:
    value: str
    when: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    intro: str
    path: Path
    steps: tuple[Step, ...]
    dates: tuple[DateTerm, ...] = ()
    lines: tuple[Line, ...] = ()
    derive: dict[str, tuple[Derivation, ...]] = field(default_factory=dict)
    next_steps: tuple[Line, ...] = ()
    reminders: bool = False  # reminder buttons under the dates (by default: when it has dates)
    description: str = ""  # the line in /help and the command menu (else the title)
    offer_when: tuple[tuple[str, ...], ...] = ()  # offered under answers to such questions

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def sources(self) -> list[tuple[str, int, str]]:
        """(section id, line, what cites it) of every source reference."""
        refs = [
            (ref, s.line, f"{self.id} › {s.label or s.id}")
            for s in self.steps
            for ref in sorted({s.source, *s.sources.values()} - {""})
        ]
        refs += [
            (ref, i.line, f"{self.id} › {i.label}")
            for s in self.steps
            for i in s.items
            for ref in sorted({i.source, *i.sources.values()} - {""})
        ]
        refs += [(d.source, d.line, f"{self.id} › {d.label}") for d in self.dates if d.source]
        refs += [
            (x.source, x.line, f"{self.id} › {x.text[:40]}")
            for x in (*self.lines, *self.next_steps)
            if x.source
        ]
        return refs


def load_flows(
    folder: Path, section_ids: set[str] | None = None, skip_docs: set[str] | None = None
) -> tuple[list[Flow], list[Problem]]:
    """Every flow file of a knowledge folder; problems for everything that is wrong.

    Never raises on what a file holds: every mistake is a problem with its line.
    With `section_ids`, every source reference must name an existing section.
    """
    flows: list[Flow] = []
    paths, problems = files_in(folder, FLOWS_DIR, (".yaml", ".yml"))
    for path in paths:
        flow, found = _load_file(path)
        problems.extend(found)
        if flow is not None:
            if section_ids is not None:
                for ref, line, what in flow.sources():
                    if ref.split("#")[0] in (skip_docs or set()):
                        continue
                    if ref not in section_ids:
                        problems.append(
                            Problem(
                                path, line, f"bron '{ref}' ({what}) bestaat niet in de documenten"
                            )
                        )
            flows.append(flow)
    ids = [f.id for f in flows]
    for flow in flows:
        if ids.count(flow.id) > 1:
            problems.append(Problem(flow.path, 1, f"flow-id '{flow.id}' komt vaker voor"))
    return flows, problems


class _Report(Protocol):
    def __call__(self, line: int, message: str, severity: str = ERROR) -> None: ...


def _load_file(path: Path) -> tuple[Flow | None, list[Problem]]:
    data, problems = load_yaml(path)
    if data is None and problems:
        return None, problems

    def error(line: int, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(path, line, message, severity))

    if not isinstance(data, YamlMap):
        error(1, "een flow-bestand begint met id:, title: en steps:")
        return None, problems
    for key in ("id", "title", "steps"):
        if key not in data:
            error(1, f"'{key}' ontbreekt")
    _unknown_keys(data, FLOW_KEYS, error)
    flow_id = _text(data, "id", error, required=True)
    title = _text(data, "title", error, required=True)
    raw_steps = data.get("steps")
    if raw_steps is None:
        raw_steps = YamlList(data.line)
    if not isinstance(raw_steps, YamlList):
        error(data.line_of("steps"), "'steps' is een lijst van vragen (elk met - id:)")
        return None, problems
    if any(p.is_error for p in problems):
        return None, problems
    not_a_command = name_problem(flow_id) if flow_id else None
    if not_a_command is not None:  # the id is the command: /pandcheck
        error(data.line_of("id"), not_a_command)
    steps: list[Step] = []
    conditions: list[tuple[Any, int]] = []
    for i, raw in enumerate(raw_steps):
        step = _step(raw, raw_steps.line_at(i), error)
        if step is not None:
            if any(s.id == step.id for s in steps):
                error(step.line, f"stap-id '{step.id}' komt vaker voor")
            steps.append(step)
            if "when" in raw:
                conditions.append((raw["when"], step.line))
    step_ids = {s.id for s in steps}
    for when, line in conditions:
        _check_condition(when, step_ids, line, error)
    for step in steps:
        if step.rule and step.rule.per and step.rule.per not in step_ids:
            error(step.line, f"'per: {step.rule.per}' verwijst naar een onbekende stap")
    dates = [_date(raw, line, step_ids, error) for raw, line in _items(data, "dates", error)]
    lines = [_line(raw, line, step_ids, error) for raw, line in _items(data, "result", error)]
    next_steps = [
        _line(raw, line, step_ids, error) for raw, line in _items(data, "next_steps", error)
    ]
    flow = Flow(
        id=flow_id,
        title=title,
        intro=_text(data, "intro", error),
        path=path,
        steps=tuple(steps),
        dates=tuple(d for d in dates if d is not None),
        lines=tuple(x for x in lines if x is not None),
        derive=_derive(data, step_ids, error),
        next_steps=tuple(x for x in next_steps if x is not None),
        reminders=_flag(data, "reminders", error) if "reminders" in data else any(dates),
        description=_text(data, "description", error),
        offer_when=_offers(data, error),
    )
    return flow, problems


def _unknown_keys(raw: YamlMap, known: tuple[str, ...], error: _Report) -> None:
    """A key the bot does not know is most likely a typo ('maks: 12'): it would be ignored."""
    for key in raw:
        if key not in known:
            close = get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f" (bedoelt u '{close[0]}'?)" if close else ""
            error(raw.line_of(key), f"onbekende sleutel '{key}' wordt genegeerd{hint}", WARNING)


def _text(raw: YamlMap, key: str, error: _Report, required: bool = False) -> str:
    """A text value as written; a list or block where text belongs is a problem."""
    value = raw.get(key)
    if isinstance(value, YamlMap | YamlList):
        error(raw.line_of(key), f"'{key}' is een tekst, geen lijst of blok")
        return ""
    text = "" if value is None else raw.text(key).strip()
    if required and not text and key in raw:
        error(raw.line_of(key), f"'{key}' is leeg")
    return text


def _flag(raw: YamlMap, key: str, error: _Report) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        error(raw.line_of(key), f"'{key}: {_written(raw, key)}' is true of false")
        return False
    return value


def _written(raw: YamlMap, key: str) -> str:
    """A value as the staff member wrote it, for a message."""
    value = raw.get(key)
    if isinstance(value, YamlList):
        return "[...]"
    if isinstance(value, YamlMap):
        return "{...}"
    return raw.text(key)


def _whole(value: Any) -> int | None:
    """A whole number (not true/false, not 2.5), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _decimal(value: Any) -> Decimal | None:
    """A finite number (11.5, 11,5, 12), else None."""
    if isinstance(value, bool | YamlMap | YamlList) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _items(data: YamlMap, key: str, error: _Report) -> list[tuple[Any, int]]:
    """The items of an optional list, with their lines; a problem when it is not a list."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, YamlList):
        error(data.line_of(key), f"'{key}' is een lijst (elk item begint met -)")
        return []
    return [(item, value.line_at(i)) for i, item in enumerate(value)]


def _derive(data: YamlMap, step_ids: set[str], error: _Report) -> dict[str, tuple[Derivation, ...]]:
    raw = data.get("derive")
    if raw is None:
        return {}
    if not isinstance(raw, YamlMap):
        error(data.line_of("derive"), "'derive' is een blok: stap: [lijst met when: en value:]")
        return {}
    derive: dict[str, tuple[Derivation, ...]] = {}
    for target, rules in raw.items():
        line = raw.line_of(target)
        if target not in step_ids:
            error(line, f"'derive: {target}' verwijst naar een onbekende stap")
            continue
        if rules is None:
            continue
        if not isinstance(rules, YamlList):
            error(line, f"'derive: {target}' is een lijst van afleidingen met when: en value:")
            continue
        derived = []
        for i, rule in enumerate(rules):
            rule_line = rules.line_at(i)
            if not isinstance(rule, YamlMap) or "value" not in rule or "when" not in rule:
                error(rule_line, "een afleiding heeft 'when' en 'value'")
                continue
            if isinstance(rule["value"], YamlMap | YamlList) or rule["value"] is None:
                error(rule.line_of("value"), "'value' van een afleiding is één waarde")
                continue
            if _check_condition(rule["when"], step_ids, rule.line_of("when"), error):
                derived.append(Derivation(str(rule["value"]), _plain(rule["when"]), rule_line))
        derive[target] = tuple(derived)
    return derive


def _offers(data: YamlMap, error: _Report) -> tuple[tuple[str, ...], ...]:
    raw = data.get("offer_when")
    if raw is None:
        return ()
    if not isinstance(raw, YamlList) or not all(
        isinstance(g, YamlList) and g and not any(isinstance(w, YamlMap | YamlList) for w in g)
        for g in raw
    ):
        error(
            data.line_of("offer_when"),
            "'offer_when' is een lijst van woordgroepen, bijvoorbeeld [[pand, geschikt]]",
        )
        return ()
    return tuple(tuple(str(w).lower() for w in group) for group in raw)


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the engine needs no lines)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _strings(raw: YamlMap, key: str, error: _Report) -> tuple[str, ...]:
    """A list of words (a single word counts as a list of one)."""
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, YamlMap) or (
        isinstance(value, YamlList) and any(isinstance(v, YamlMap | YamlList) for v in value)
    ):
        error(raw.line_of(key), f"'{key}' is een lijst van woorden, bijvoorbeeld [a, b]")
        return ()
    values = value if isinstance(value, YamlList) else [value]
    return tuple(str(v) for v in values if v is not None)


def _step(raw: Any, line: int, error: _Report) -> Step | None:
    if not isinstance(raw, YamlMap):
        error(line, "elke stap is een blok met id:, ask: en type:")
        return None
    line = raw.line
    _unknown_keys(raw, STEP_KEYS, error)
    missing = [k for k in ("id", "ask", "type") if not raw.get(k)]
    if missing:
        error(line, f"stap mist {', '.join(missing)}")
        return None
    step_id = _text(raw, "id", error, required=True)
    ask = _text(raw, "ask", error, required=True)
    written = _text(raw, "type", error, required=True)
    if not step_id or not ask or not written:
        return None
    if written not in TYPES:
        error(line, f"onbekend type '{written}' (kies uit {', '.join(TYPES)})")
        return None
    kind = StepType(written)
    options = _strings(raw, "options", error)
    if kind == StepType.CHOICE and len(options) < 2:
        error(line, "een keuzevraag heeft minstens twee 'options'")
    applies = _strings(raw, "applies_to", error)
    for woonvorm in applies:
        if woonvorm not in WOONVORMEN:
            error(
                line,
                f"onbekende woonvorm '{woonvorm}' in applies_to (kies uit {', '.join(WOONVORMEN)})",
            )
    rule = _rule(raw, kind, error)
    source, sources = _source(raw, error)
    label = _text(raw, "label", error)
    items = _step_items(raw, kind, error)
    if rule is not None and not source:
        error(line, f"eis '{step_id}' noemt geen bron (source)")
    if rule is not None and not label:
        error(line, f"eis '{step_id}' heeft geen label voor het oordeel")
    maximum = 100
    if "max" in raw:
        number = _whole(raw["max"])
        if number is None or number < 1:
            error(
                raw.line_of("max"), f"'max: {_written(raw, 'max')}' is geen positief geheel getal"
            )
        else:
            maximum = number
    return Step(
        id=step_id,
        ask=ask,
        type=kind,
        line=line,
        options=options,
        applies_to=applies,
        when=_plain(raw["when"]) if isinstance(raw.get("when"), YamlMap) else {},
        rule=rule,
        label=label,
        source=source,
        optional=_flag(raw, "optional", error),
        private=_flag(raw, "private", error),
        not_after_today=_flag(raw, "not_after_today", error),
        age_between=_age_between(raw, error),
        maximum=maximum,
        help=_text(raw, "help", error),
        sources=sources,
        items=items,
    )


def _source(raw: YamlMap, error: _Report) -> tuple[str, dict[str, str]]:
    """`source: section-id`, or one per woonvorm: `source: {KWG: ..., KWE: ..., KWE+: ...}`
    (the first is the default)."""
    value = raw.get("source")
    if not isinstance(value, YamlMap):
        return _text(raw, "source", error), {}
    sources: dict[str, str] = {}
    for woonvorm, ref in value.items():
        if woonvorm not in WOONVORMEN or isinstance(ref, YamlMap | YamlList) or not ref:
            error(
                value.line_of(woonvorm),
                f"'source' per woonvorm is {{KWG: sectie-id, KWE: sectie-id, KWE+: sectie-id}}; "
                f"'{woonvorm}' past daar niet in",
            )
            continue
        sources[str(woonvorm)] = str(ref).strip()
    return next(iter(sources.values()), ""), sources


def _step_items(raw: YamlMap, kind: str, error: _Report) -> tuple[Item, ...]:
    """The requirements of an `aanvinken` step, each with id, label and source."""
    value = raw.get("items")
    if kind != MULTI:
        if value is not None:
            error(raw.line_of("items"), "'items' hoort alleen bij type aanvinken", WARNING)
        return ()
    if not isinstance(value, YamlList) or not value:
        error(raw.line, "een aanvinkvraag heeft 'items': een lijst met id:, label: en source:")
        return ()
    if len(value) > MAX_ITEMS:
        error(raw.line_of("items"), f"een aanvinkvraag heeft hoogstens {MAX_ITEMS} items")
    items: list[Item] = []
    for i, item in enumerate(value):
        line = value.line_at(i)
        if not isinstance(item, YamlMap):
            error(line, "elk item is een blok met id:, label: en source:")
            continue
        _unknown_keys(item, ITEM_KEYS, error)
        item_id = _text(item, "id", error, required=True)
        label = _text(item, "label", error, required=True)
        source, sources = _source(item, error)
        if not item_id or not label or not source:
            error(item.line, "een item heeft id:, label: en source:")
            continue
        if any(x.id == item_id for x in items):
            error(item.line, f"item-id '{item_id}' komt vaker voor")
        applies = _strings(item, "applies_to", error)
        for woonvorm in applies:
            if woonvorm not in WOONVORMEN:
                error(item.line, f"onbekende woonvorm '{woonvorm}' in applies_to")
        items.append(Item(item_id, label, source, item.line, applies, sources))
    return tuple(items)


def _age_between(raw: YamlMap, error: _Report) -> tuple[int, int] | None:
    value = raw.get("age_between")
    if value is None:
        return None
    ages = [_whole(v) for v in value] if isinstance(value, YamlList) else []
    if len(ages) != 2 or ages[0] is None or ages[1] is None or not 0 <= ages[0] <= ages[1]:
        error(
            raw.line_of("age_between"),
            "'age_between' is twee leeftijden in hele jaren, bijvoorbeeld [15, 18]",
        )
        return None
    return ages[0], ages[1]


def _rule(step: YamlMap, kind: str, error: _Report) -> Rule | None:
    raw = step.get("rule")
    if raw is None:
        return None
    line = step.line
    if not isinstance(raw, YamlMap):
        error(line, "'rule' is een blok, bijvoorbeeld {min: 11.5} of {is: ja}")
        return None
    for key in raw:
        if key not in RULE_KEYS:
            error(line, f"onbekende regel '{key}' (kies uit {', '.join(RULE_KEYS)})")

    def number(key: str) -> Decimal | None:
        if key not in raw:
            return None
        value = _decimal(raw[key])
        if value is None:
            error(raw.line_of(key), f"'{key}: {_written(raw, key)}' is geen getal")
        return value

    if ("min" in raw or "max" in raw or "min_per" in raw) and kind not in NUMERIC:
        error(line, f"een drempel (min/max) past niet bij een vraag van type '{kind}'")
    if kind == StepType.NUMBER and ("min" in raw or "max" in raw):
        error(
            line,
            "drempel zonder eenheid: gebruik type oppervlakte (m2), afstand (m) of aantal",
            WARNING,
        )
    is_ = raw.text("is").lower() if "is" in raw else None
    if is_ is not None and is_ not in (YES, NO):
        error(raw.line_of("is"), "'is' is ja of nee")
    per = _text(raw, "per", error) if "per" in raw else None
    if ("min_per" in raw) != bool(per):
        error(line, "'min_per' en 'per' horen bij elkaar, bijvoorbeeld {min_per: 2, per: jongeren}")
    return Rule(
        min=number("min"),
        max=number("max"),
        is_=is_,
        min_per=number("min_per"),
        per=per,
    )


def _check_condition(when: Any, step_ids: set[str], line: int, error: _Report) -> bool:
    """Is `when` a valid condition? Reports every problem; True when there are none."""
    if not isinstance(when, YamlMap):
        error(line, "'when' is een blok: stap: waarde")
        return False
    ok = True

    def bad(at: int, message: str) -> None:
        nonlocal ok
        ok = False
        error(at, message)

    for key, value in when.items():
        at = when.line_of(key)
        if key not in step_ids:
            bad(line, f"'when' verwijst naar onbekende stap '{key}'")
        if isinstance(value, YamlList):
            if any(isinstance(v, YamlMap | YamlList) for v in value):
                bad(at, f"'when: {key}' is een waarde of een lijst van waarden")
        elif isinstance(value, YamlMap):
            for k, v in value.items():
                if k not in CONDITION_KEYS:
                    bad(at, f"onbekende voorwaarde '{k}' (kies uit {', '.join(CONDITION_KEYS)})")
                elif k in ("min", "max") and _decimal(v) is None:
                    bad(value.line_of(k), f"'{k}: {_written(value, k)}' is geen getal")
                elif k == "tussen" and not (
                    isinstance(v, YamlList)
                    and len(v) == 2
                    and all(_decimal(x) is not None for x in v)
                ):
                    bad(value.line_of(k), "'tussen' is twee getallen, bijvoorbeeld [6, 8]")
                elif k == "niet" and isinstance(v, YamlMap | YamlList):
                    bad(value.line_of(k), "'niet' is één waarde")
    return ok


def _date(raw: Any, line: int, step_ids: set[str], error: _Report) -> DateTerm | None:
    if not isinstance(raw, YamlMap):
        error(line, "een datum heeft label:, from:, years/months: en source:")
        return None
    line = raw.line
    start = _text(raw, "from", error)
    if start not in step_ids:
        error(line, f"'from: {start}' verwijst naar een onbekende stap")
        return None
    label, source = _text(raw, "label", error), _text(raw, "source", error)
    if not label or not source:
        error(line, "een datum heeft een label en een bron (source)")
        return None
    when = raw.get("when")
    if when is not None and not _check_condition(when, step_ids, raw.line_of("when"), error):
        return None
    years, months = _whole(raw.get("years", 0)), _whole(raw.get("months", 0))
    if years is None or months is None:
        error(line, "years en months zijn hele getallen (17,5 jaar = years: 17, months: 6)")
        return None
    if not (0 <= years <= MAX_YEARS and 0 <= months <= MAX_MONTHS):
        error(line, f"years ligt tussen 0 en {MAX_YEARS}, months tussen 0 en {MAX_MONTHS}")
        return None
    return DateTerm(label, start, years, months, source, line, _plain(when or {}))


def _line(raw: Any, line: int, step_ids: set[str], error: _Report) -> Line | None:
    if not isinstance(raw, YamlMap) or not raw.get("text"):
        error(line_of(raw, line), "een regel heeft text: en source:")
        return None
    text = _text(raw, "text", error)
    if not text:
        return None
    try:
        fields = [name for _, name, _, _ in Formatter().parse(text) if name is not None]
    except ValueError:
        error(
            raw.line_of("text"),
            "de tekst bevat een losse { of }: gebruik { } alleen rond een stap-id",
        )
        return None
    for name in fields:
        if name not in step_ids:
            error(raw.line_of("text"), f"'{{{name}}}' in de tekst is geen stap-id")
            return None
    when = raw.get("when")
    if when is not None and not _check_condition(when, step_ids, raw.line_of("when"), error):
        return None
    return Line(text, _text(raw, "source", error), raw.line, _plain(when or {}))

"""Guided flows as data: read and validate knowledge/flows/*.yaml.

A flow is a list of steps (questions) and a result. Nidos staff change a term, a minimum size
or a requirement in the YAML; `draaibot check` reports every mistake with file:line.

    id: pandcheck                     # also the command: /pandcheck
    title: Is dit pand geschikt?
    steps:
      - id: keuken
        ask: Hoe groot is de keukenruimte (in m2)?
        type: oppervlakte             # ja_nee, keuze, aantal, getal, oppervlakte, afstand, datum
        applies_to: [KWG]             # only for these woonvormen
        rule: {min: 11.5}             # a requirement: voldoet / voldoet niet / nog na te gaan
        label: Keukenruimte van minimaal 11,5 m2
        source: pve-huisvesting#8-1-keukenruimte
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot.actions import NAME
from index.documents import KnowledgeError, read_text
from index.problems import ERROR, WARNING, Problem

FLOWS_DIR = "flows"
WOONVORMEN = ("KWG", "KWE", "KWE+")
TYPES = ("ja_nee", "keuze", "aantal", "getal", "oppervlakte", "afstand", "datum")
NUMERIC = ("aantal", "getal", "oppervlakte", "afstand")
UNITS = {"oppervlakte": "m2", "afstand": "m", "aantal": "", "getal": ""}
RULE_KEYS = ("min", "max", "is", "min_per", "per")
CONDITION_KEYS = ("min", "max", "tussen", "niet")
UNKNOWN = "weet ik niet"
YES, NO = "ja", "nee"


class _LineLoader(yaml.SafeLoader):
    """Keeps the source line of every mapping under the key '__line__'."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Rule:
    min: Decimal | None = None
    max: Decimal | None = None
    is_: str | None = None
    min_per: Decimal | None = None
    per: str | None = None


@dataclass(frozen=True)
class Step:
    id: str
    ask: str
    type: str
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
    reminders: bool = False
    offer_when: tuple[tuple[str, ...], ...] = ()  # offered under answers to such questions

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def sources(self) -> list[tuple[str, int, str]]:
        """(section id, line, what cites it) of every source reference."""
        refs = [
            (s.source, s.line, f"{self.id} › {s.label or s.id}") for s in self.steps if s.source
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

    With `section_ids`, every source reference must name an existing section.
    """
    flows: list[Flow] = []
    problems: list[Problem] = []
    directory = folder / FLOWS_DIR
    if not directory.is_dir():
        return flows, problems
    for path in sorted(directory.glob("*.y*ml")):
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


def _load_file(path: Path) -> tuple[Flow | None, list[Problem]]:
    problems: list[Problem] = []

    def error(line: int, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(path, line, message, severity))

    try:
        data = yaml.load(read_text(path), Loader=_LineLoader)
    except KnowledgeError as exc:
        return None, [Problem(path, exc.line, exc.message)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(path, mark.line + 1 if mark else 1, f"geen geldige YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "een flow-bestand begint met id:, title: en steps:")]
    for key in ("id", "title", "steps"):
        if key not in data:
            error(1, f"'{key}' ontbreekt")
    if problems:
        return None, problems
    if NAME.fullmatch(str(data["id"])) is None:
        error(
            data["__line__"],
            f"flow-id '{data['id']}': gebruik kleine letters, cijfers, - en _ "
            "(hoogstens 40 tekens)",
        )
    raw_steps = data["steps"] or []
    if not isinstance(raw_steps, list):
        return None, [Problem(path, data["__line__"], "'steps' moet een lijst zijn")]
    steps: list[Step] = []
    for raw in raw_steps:
        step = _step(raw, error)
        if step is not None:
            if any(s.id == step.id for s in steps):
                error(step.line, f"stap-id '{step.id}' komt vaker voor")
            steps.append(step)
    step_ids = {s.id for s in steps}
    for step in steps:
        _check_condition(step.when, step_ids, step.line, error)
        if step.rule and step.rule.per and step.rule.per not in step_ids:
            error(step.line, f"'per: {step.rule.per}' verwijst naar een onbekende stap")
    dates = tuple(_date(raw, step_ids, error) for raw in data.get("dates") or [])
    lines = tuple(_line(raw, step_ids, error) for raw in data.get("result") or [])
    next_steps = tuple(_line(raw, step_ids, error) for raw in data.get("next_steps") or [])
    derive: dict[str, tuple[Derivation, ...]] = {}
    for target, rules in (data.get("derive") or {}).items():
        if target == "__line__":
            continue
        if target not in step_ids:
            error(data["__line__"], f"'derive: {target}' verwijst naar een onbekende stap")
            continue
        derived = []
        for raw in rules or []:
            if not isinstance(raw, dict) or "value" not in raw or "when" not in raw:
                error(_line_of(raw, data), "een afleiding heeft 'when' en 'value'")
                continue
            _check_condition(raw["when"], step_ids, raw["__line__"], error)
            derived.append(Derivation(str(raw["value"]), _plain(raw["when"]), raw["__line__"]))
        derive[target] = tuple(derived)
    flow = Flow(
        id=str(data["id"]),
        title=str(data["title"]),
        intro=str(data.get("intro") or ""),
        path=path,
        steps=tuple(steps),
        dates=tuple(d for d in dates if d is not None),
        lines=tuple(x for x in lines if x is not None),
        derive=derive,
        next_steps=tuple(x for x in next_steps if x is not None),
        reminders=bool(data.get("reminders", False)),
        offer_when=_offers(data.get("offer_when"), data["__line__"], error),
    )
    return flow, problems


def _offers(raw: Any, line: int, error: Any) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(g, list) and g for g in raw):
        error(line, "'offer_when' is een lijst van woordgroepen, bijvoorbeeld [[pand, geschikt]]")
        return ()
    return tuple(tuple(str(w).lower() for w in group) for group in raw)


def _line_of(raw: Any, parent: dict[str, Any]) -> int:
    return (
        int(raw.get("__line__", parent["__line__"]))
        if isinstance(raw, dict)
        else int(parent["__line__"])
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _step(raw: Any, error: Any) -> Step | None:
    if not isinstance(raw, dict):
        error(1, "elke stap is een blok met id:, ask: en type:")
        return None
    line = raw["__line__"]
    missing = [k for k in ("id", "ask", "type") if not raw.get(k)]
    if missing:
        error(line, f"stap mist {', '.join(missing)}")
        return None
    kind = str(raw["type"])
    if kind not in TYPES:
        error(line, f"onbekend type '{kind}' (kies uit {', '.join(TYPES)})")
        return None
    options = tuple(str(o) for o in raw.get("options") or ())
    if kind == "keuze" and len(options) < 2:
        error(line, "een keuzevraag heeft minstens twee 'options'")
    applies = tuple(str(a) for a in raw.get("applies_to") or ())
    for woonvorm in applies:
        if woonvorm not in WOONVORMEN:
            error(
                line,
                f"onbekende woonvorm '{woonvorm}' in applies_to (kies uit {', '.join(WOONVORMEN)})",
            )
    rule = _rule(raw.get("rule"), kind, line, error)
    if rule is not None and not raw.get("source"):
        error(line, f"eis '{raw['id']}' noemt geen bron (source)")
    if rule is not None and not raw.get("label"):
        error(line, f"eis '{raw['id']}' heeft geen label voor het oordeel")
    age = raw.get("age_between")
    return Step(
        id=str(raw["id"]),
        ask=str(raw["ask"]).strip(),
        type=kind,
        line=line,
        options=options,
        applies_to=applies,
        when=_plain(raw.get("when") or {}),
        rule=rule,
        label=str(raw.get("label") or ""),
        source=str(raw.get("source") or ""),
        optional=bool(raw.get("optional", False)),
        private=bool(raw.get("private", False)),
        not_after_today=bool(raw.get("not_after_today", False)),
        age_between=(int(age[0]), int(age[1])) if isinstance(age, list) and len(age) == 2 else None,
        maximum=int(raw.get("max", 100)),
        help=str(raw.get("help") or ""),
    )


def _rule(raw: Any, kind: str, line: int, error: Any) -> Rule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        error(line, "'rule' is een blok, bijvoorbeeld {min: 11.5} of {is: ja}")
        return None
    for key in raw:
        if key != "__line__" and key not in RULE_KEYS:
            error(line, f"onbekende regel '{key}' (kies uit {', '.join(RULE_KEYS)})")

    def number(key: str) -> Decimal | None:
        if key not in raw:
            return None
        try:
            return Decimal(str(raw[key]).replace(",", "."))
        except ArithmeticError:
            error(line, f"'{key}: {raw[key]}' is geen getal")
            return None

    if ("min" in raw or "max" in raw or "min_per" in raw) and kind not in NUMERIC:
        error(line, f"een drempel (min/max) past niet bij een vraag van type '{kind}'")
    if kind == "getal" and ("min" in raw or "max" in raw):
        error(
            line,
            "drempel zonder eenheid: gebruik type oppervlakte (m2), afstand (m) of aantal",
            WARNING,
        )
    if "is" in raw and str(raw["is"]).lower() not in (YES, NO):
        error(line, "'is' is ja of nee")
    return Rule(
        min=number("min"),
        max=number("max"),
        is_=str(raw["is"]).lower() if "is" in raw else None,
        min_per=number("min_per"),
        per=str(raw["per"]) if "per" in raw else None,
    )


def _check_condition(when: Any, step_ids: set[str], line: int, error: Any) -> None:
    if not isinstance(when, dict):
        error(line, "'when' is een blok: stap: waarde")
        return
    for key, value in when.items():
        if key == "__line__":
            continue
        if key not in step_ids:
            error(line, f"'when' verwijst naar onbekende stap '{key}'")
        if isinstance(value, dict):
            for k in value:
                if k != "__line__" and k not in CONDITION_KEYS:
                    error(
                        line, f"onbekende voorwaarde '{k}' (kies uit {', '.join(CONDITION_KEYS)})"
                    )


def _date(raw: Any, step_ids: set[str], error: Any) -> DateTerm | None:
    if not isinstance(raw, dict) or "__line__" not in raw:
        error(1, "een datum heeft label:, from:, years/months: en source:")
        return None
    line = raw["__line__"]
    if raw.get("from") not in step_ids:
        error(line, f"'from: {raw.get('from')}' verwijst naar een onbekende stap")
        return None
    if not raw.get("label") or not raw.get("source"):
        error(line, "een datum heeft een label en een bron (source)")
        return None
    _check_condition(raw.get("when") or {}, step_ids, line, error)
    years, months = raw.get("years", 0), raw.get("months", 0)
    if not isinstance(years, int) or not isinstance(months, int):
        error(line, "years en months zijn hele getallen (17,5 jaar = years: 17, months: 6)")
        return None
    return DateTerm(
        str(raw["label"]),
        str(raw["from"]),
        years,
        months,
        str(raw["source"]),
        line,
        _plain(raw.get("when") or {}),
    )


def _line(raw: Any, step_ids: set[str], error: Any) -> Line | None:
    if not isinstance(raw, dict) or not raw.get("text"):
        error(
            raw.get("__line__", 1) if isinstance(raw, dict) else 1,
            "een regel heeft text: en source:",
        )
        return None
    _check_condition(raw.get("when") or {}, step_ids, raw["__line__"], error)
    return Line(
        str(raw["text"]).strip(),
        str(raw.get("source") or ""),
        raw["__line__"],
        _plain(raw.get("when") or {}),
    )

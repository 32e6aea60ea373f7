"""Checklist templates: data in knowledge/checklists/*.yaml, read and checked here.

id: inventaris-kwg
title: Inventaris KWG
kind: inventaris          # afvinken (gedaan) or inventaris (aanwezig ja/nee)
items:
  - section: Huishoudelijk apparatuur
  - text: Wasmachine
    amount: "2"
    source: pve-huisvesting#bijlage-1-...-wasmachine
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.actions import NAME
from bot.checklists.item import Item
from index.files import files_in
from index.problems import Problem
from index.yamlfile import YamlList, YamlMap, load_yaml

CHECKLISTS_DIR = "checklists"
KINDS = ("afvinken", "inventaris")
DONE, PRESENT, ABSENT = "gedaan", "aanwezig", "niet aanwezig"  # an item's state, as stored


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    kind: str
    items: tuple[Item, ...]
    path: Path
    intro: str = ""

    def sources(self) -> list[tuple[str, str]]:
        return [(i.source, i.text) for i in self.items if i.source]


def load_templates(
    folder: Path, section_ids: set[str] | None = None, skip_docs: set[str] | None = None
) -> tuple[list[Template], list[Problem]]:
    """Every checklist template of a knowledge folder; never raises on what a file holds."""
    templates: list[Template] = []
    paths, problems = files_in(folder, CHECKLISTS_DIR, (".yaml", ".yml"))
    for path in paths:
        template, found = _load(path, section_ids, skip_docs or set())
        problems.extend(found)
        if template is not None:
            templates.append(template)
    ids = [t.id for t in templates]
    for template in templates:
        if ids.count(template.id) > 1:
            problems.append(
                Problem(template.path, 1, f"checklist-id '{template.id}' komt vaker voor")
            )
    return templates, problems


def _load(
    path: Path, section_ids: set[str] | None, skip_docs: set[str]
) -> tuple[Template | None, list[Problem]]:
    root, problems = load_yaml(path)
    if root is None and problems:
        return None, problems
    if not isinstance(root, YamlMap):
        return None, [Problem(path, 1, "een checklist begint met id:, title:, kind: en items:")]
    problems += [
        Problem(path, 1, f"'{key}' ontbreekt")
        for key in ("id", "title", "items")
        if key not in root
    ]
    for key in ("id", "title", "kind", "intro"):
        if isinstance(root.get(key), YamlMap | YamlList):
            problems.append(Problem(path, root.line_of(key), f"'{key}' is een tekst"))
    if any(p.is_error for p in problems):
        return None, problems
    if NAME.fullmatch(root.text("id")) is None:
        problems.append(
            Problem(
                path,
                root.line_of("id"),
                f"checklist-id '{root.text('id')}': gebruik kleine letters, cijfers, - en _ "
                "(hoogstens 40 tekens)",
            )
        )
    kind = root.text("kind", "afvinken")
    if kind not in KINDS:
        problems.append(
            Problem(
                path,
                root.line_of("kind"),
                f"onbekende soort '{kind}' (kies uit {', '.join(KINDS)})",
            )
        )
    items_list = root["items"]
    if not isinstance(items_list, YamlList):
        return None, [
            *problems,
            Problem(path, root.line_of("items"), "'items' moet een lijst zijn"),
        ]
    items: list[Item] = []
    section = ""
    for i, node in enumerate(items_list):
        line = items_list.line_at(i)
        if not isinstance(node, YamlMap):
            problems.append(Problem(path, line, "elk item is een blok met text: en source:"))
            continue
        wrong = [
            k
            for k in ("text", "source", "amount", "section")
            if isinstance(node.get(k), YamlMap | YamlList)
        ]
        if wrong:
            problems.append(Problem(path, line, f"'{wrong[0]}' is een tekst, geen lijst of blok"))
            continue
        if "section" in node and "text" not in node:
            section = node.text("section")
            continue
        text = node.text("text").strip()
        if not text:
            problems.append(Problem(path, line, "item zonder text"))
            continue
        source = node.text("source")
        if not source:
            problems.append(Problem(path, line, f"item '{text}' noemt geen bron (source)"))
        elif (
            section_ids is not None
            and source not in section_ids
            and source.split("#")[0] not in skip_docs
        ):
            problems.append(
                Problem(
                    path,
                    line,
                    f"bron '{source}' van item '{text}' bestaat niet in de documenten",
                )
            )
        items.append(Item(text, source, node.text("amount"), section))
    if not items:
        problems.append(Problem(path, items_list.line, "de checklist heeft geen items"))
    template = Template(
        id=root.text("id"),
        title=root.text("title"),
        kind=kind,
        items=tuple(items),
        path=path,
        intro=root.text("intro"),
    )
    return template, problems


# -- checklists in a chat ------------------------------------------------------------------------

"""Question wordings (vraagvormen): how people ask for a section, in knowledge/vraagvormen.yaml.

Nidos staff keep these beside the documents: for a section, the questions people type that it
answers ('wanneer moet de woning klaar zijn?' for the PvE's oplevertermijn). The search indexes
them as a field of their own at a lower weight (index.search); every wording names a section id
that must exist, and every problem is reported with its line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from index.problems import WARNING, Problem
from index.yamlfile import YamlList, YamlMap, load_optional

WORDINGS_FILE = "vraagvormen.yaml"
KEY = "vraagvormen"
MAX_WORDING = 300  # characters: a wording is a question, not a text


@dataclass
class WordingData:
    by_section: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def load_wordings(
    folder: Path, section_ids: Collection[str], skip_docs: Collection[str] = ()
) -> WordingData:
    """Read the wordings file of a knowledge folder; problems are collected, never raised.

    A wording for a section id that does not exist is an error, unless its document is in
    `skip_docs` (a document with errors of its own: fixing that comes first)."""
    data = WordingData()
    path = folder / WORDINGS_FILE
    root, data.problems = load_optional(path, folder)
    if root is None:
        return data
    if not isinstance(root, YamlMap) or not isinstance(root.get(KEY), YamlMap | type(None)):
        data.problems.append(
            Problem(path, 1, f"begin met '{KEY}:' en daaronder per sectie-id een lijst vragen")
        )
        return data
    for key in root:
        if key != KEY:
            data.problems.append(
                Problem(path, root.line_of(key), f"onbekende sleutel '{key}' (verwacht '{KEY}')")
            )
    sections: YamlMap = root.get(KEY) or YamlMap(root.line)
    seen: dict[str, int] = {}
    for section_id, wordings in sections.items():
        line = sections.key_line(section_id)
        known = section_id in section_ids
        if not known and section_id.split("#")[0] not in skip_docs:
            data.problems.append(
                Problem(path, line, f"sectie '{section_id}' bestaat niet (zie draaibot index)")
            )
        if not isinstance(wordings, YamlList) or not wordings:
            data.problems.append(
                Problem(path, line, f"onder '{section_id}' hoort een lijst vragen (- ...)")
            )
            continue
        found: list[str] = []
        for i, item in enumerate(wordings):
            text = "" if isinstance(item, YamlMap | YamlList) else wordings.text_at(i).strip()
            at = wordings.line_at(i)
            if not text:
                data.problems.append(Problem(path, at, "verwacht een vraag als tekst"))
                continue
            if len(text) > MAX_WORDING:
                data.problems.append(
                    Problem(path, at, f"een vraag van meer dan {MAX_WORDING} tekens", WARNING)
                )
            normal = " ".join(text.lower().split())
            if normal in seen:
                data.problems.append(
                    Problem(path, at, f"dezelfde vraag staat ook op regel {seen[normal]}", WARNING)
                )
            seen.setdefault(normal, at)
            found.append(text)
        if known and found:
            data.by_section[section_id] = found
    return data

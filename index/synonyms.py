"""Synonyms, abbreviations and extra question stopwords: data in knowledge/synoniemen.yaml.

The file is edited by Nidos staff, so every problem is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.problems import WARNING, Problem
from index.yamlfile import YamlList, YamlMap, load_optional

SYNONYMS_FILE = "synoniemen.yaml"


@dataclass
class SynonymData:
    groups: list[tuple[str, ...]] = field(default_factory=list)
    stopwords: list[str] = field(default_factory=list)
    # words that exclude each other ([kwg, kwe, kwe+]): a question about one is not about another
    exclusive: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_synonyms(path: Path, folder: Path | None = None) -> SynonymData:
    """Read the synonyms file; problems are collected, never raised (bad groups are skipped).

    With `folder`, a synonyms file that leads outside it (a symlink) is refused."""
    data = SynonymData()
    root, data.problems = load_optional(path, folder)
    if root is None:
        return data
    if not isinstance(root, YamlMap):
        data.problems.append(Problem(path, 1, "verwacht de sleutels 'synoniemen' en 'stopwoorden'"))
        return data
    seen: dict[str, int] = {}
    for key, value in root.items():
        if key == "alternatieven":
            if not isinstance(value, YamlList):
                data.problems.append(
                    Problem(path, root.line_of(key), "'alternatieven' moet een lijst zijn")
                )
                continue
            for i, group_value in enumerate(value):
                variants = _strings(group_value, value.line_at(i), path, data.problems)
                if len(variants) < 2:
                    data.problems.append(
                        Problem(
                            path, value.line_at(i), "een groep heeft minstens twee woorden nodig"
                        )
                    )
                    continue
                data.exclusive.append(tuple(w.lower() for w, _ in variants))
        elif key == "stopwoorden":
            for word, _line in _strings(value, root.line_of(key), path, data.problems):
                data.stopwords.append(word.lower())
        elif key == "synoniemen":
            if not isinstance(value, YamlList):
                data.problems.append(
                    Problem(path, root.line_of(key), "'synoniemen' moet een lijst zijn")
                )
                continue
            for i, group_value in enumerate(value):
                line = value.line_at(i)
                group = [w.lower() for w, _ in _strings(group_value, line, path, data.problems)]
                if len(group) < 2:
                    data.problems.append(
                        Problem(path, line, "een synoniemengroep heeft minstens twee woorden nodig")
                    )
                    continue
                for word in group:
                    if word in seen:
                        data.problems.append(
                            Problem(
                                path,
                                line,
                                f"'{word}' staat ook in de groep op regel {seen[word]}",
                                WARNING,
                            )
                        )
                    seen.setdefault(word, line)
                data.groups.append(tuple(group))
        else:
            data.problems.append(
                Problem(
                    path,
                    root.line_of(key),
                    f"onbekende sleutel '{key}' "
                    "(verwacht 'synoniemen', 'stopwoorden' of 'alternatieven')",
                )
            )
    return data


def _strings(value: Any, line: int, path: Path, problems: list[Problem]) -> list[tuple[str, int]]:
    if not isinstance(value, YamlList):
        problems.append(Problem(path, line, "verwacht een lijst: [woord, woord]"))
        return []
    out: list[tuple[str, int]] = []
    for i, item in enumerate(value):
        if isinstance(item, YamlMap | YamlList) or not value.text_at(i).strip():
            problems.append(Problem(path, value.line_at(i), "verwacht een woord of woordgroep"))
            continue
        out.append((value.text_at(i).strip(), value.line_at(i)))
    return out

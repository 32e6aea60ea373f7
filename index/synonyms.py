"""Synonyms, abbreviations and extra question stopwords: data in knowledge/synoniemen.yaml.

The file is edited by Nidos staff, so every problem is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from index.documents import KnowledgeError, read_text
from index.problems import WARNING, Problem

SYNONYMS_FILE = "synoniemen.yaml"


@dataclass
class SynonymData:
    groups: list[tuple[str, ...]] = field(default_factory=list)
    stopwords: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_synonyms(path: Path) -> SynonymData:
    """Read the synonyms file; problems are collected, never raised (bad groups are skipped)."""
    data = SynonymData()
    if not path.exists():
        return data
    try:
        text = read_text(path)
    except KnowledgeError as exc:
        data.problems.append(Problem(path, exc.line, exc.message))
        return data
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        data.problems.append(Problem(path, line, f"geen geldige YAML: {exc}"))
        return data
    if root is None:
        return data
    if not isinstance(root, yaml.MappingNode):
        data.problems.append(Problem(path, 1, "verwacht de sleutels 'synoniemen' en 'stopwoorden'"))
        return data
    seen: dict[str, int] = {}
    for key_node, value_node in root.value:
        key = key_node.value
        if key == "stopwoorden":
            for word, _line in _strings(value_node, path, data.problems):
                data.stopwords.append(word.lower())
        elif key == "synoniemen":
            if not isinstance(value_node, yaml.SequenceNode):
                data.problems.append(
                    Problem(
                        path, value_node.start_mark.line + 1, "'synoniemen' moet een lijst zijn"
                    )
                )
                continue
            for group_node in value_node.value:
                line = group_node.start_mark.line + 1
                group = [w.lower() for w, _ in _strings(group_node, path, data.problems)]
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
                    key_node.start_mark.line + 1,
                    f"onbekende sleutel '{key}' (verwacht 'synoniemen' of 'stopwoorden')",
                )
            )
    return data


def _strings(node: yaml.Node, path: Path, problems: list[Problem]) -> list[tuple[str, int]]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(
            Problem(path, node.start_mark.line + 1, "verwacht een lijst: [woord, woord]")
        )
        return []
    out: list[tuple[str, int]] = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            problems.append(Problem(path, line, "verwacht een woord of woordgroep"))
            continue
        out.append((str(item.value).strip(), line))
    return out

"""The one way to read YAML from the knowledge folder: flows, checklists, synonyms and the front
matter of documents.

Nidos staff edit these files by hand, so reading never raises: every mistake becomes a
`Problem` with the file and line. Mappings and lists come back with the line of every value
(`YamlMap`, `YamlList`), so validation can point at the line that is wrong.

Anchors (`&naam`) and aliases (`*naam`) are refused before anything is built: staff never need
them, and nested aliases ("billion laughs") would let one small file take the machine down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent, NodeEvent

from index.files import KnowledgeError, outside, read_text
from index.problems import ERROR, Problem

ALIASES_REFUSED = (
    "ankers (&) en verwijzingen (*) zijn niet toegestaan in kennisbestanden: "
    "schrijf de waarde voluit"
)


class YamlMap(dict[str, Any]):
    """A YAML mapping with the line of the mapping, of each value, and each scalar's own text."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}
        self.key_lines: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    def line_of(self, key: str) -> int:
        """The line of a key's value (the mapping's own line when the key is absent)."""
        return self.lines.get(key, self.line)

    def key_line(self, key: str) -> int:
        """The line of a key itself (its value may start on the next line)."""
        return self.key_lines.get(key, self.line_of(key))

    def text(self, key: str, default: str = "") -> str:
        """A scalar value as the staff member wrote it ('yes' stays 'yes', '010' stays '010');
        for a mapping or list, its str()."""
        if key in self.texts:
            return self.texts[key]
        return default if key not in self or self[key] is None else str(self[key])


class YamlList(list[Any]):
    """A YAML sequence with its line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []
        self.texts: list[str | None] = []

    def line_at(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line

    def text_at(self, index: int) -> str:
        """An item as the staff member wrote it when it is a scalar, else its str()."""
        text = self.texts[index] if 0 <= index < len(self.texts) else None
        return text if text is not None else str(self[index])


def line_of(value: Any, default: int) -> int:
    """The line of a mapping or list read by this module, else `default`."""
    return value.line if isinstance(value, YamlMap | YamlList) else default


class _Refused(yaml.MarkedYAMLError):
    pass


class _KnowledgeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and keeps lines in YamlMap / YamlList."""

    def __init__(self, stream: str, first_line: int, problems: list[Problem], path: Path) -> None:
        super().__init__(stream)
        self.knowledge_first_line = first_line
        self.knowledge_problems = problems
        self.knowledge_path = path

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent) or (
            isinstance(event, NodeEvent) and event.anchor is not None
        ):
            mark = event.start_mark
            raise _Refused(
                problem=ALIASES_REFUSED, problem_mark=mark if isinstance(mark, Mark) else None
            )
        return super().compose_node(parent, index)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            # SafeConstructor raises plain ValueError for e.g. a date like 2026-13-45.
            raise _Refused(
                problem=f"waarde niet te lezen: {node.value!r} ({exc})"
                if isinstance(node, yaml.ScalarNode)
                else f"waarde niet te lezen ({exc})",
                problem_mark=node.start_mark,
            ) from exc

    def line_of_node(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + self.knowledge_first_line


def _construct_map(loader: _KnowledgeLoader, node: yaml.MappingNode) -> Any:
    mapping = YamlMap(loader.line_of_node(node))
    yield mapping
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(
                problem="een sleutel is een woord, geen lijst of blok",
                problem_mark=key_node.start_mark,
            )
        key = str(loader.construct_object(key_node, deep=True))
        if key in mapping:
            loader.knowledge_problems.append(
                Problem(
                    loader.knowledge_path,
                    loader.line_of_node(key_node),
                    f"sleutel '{key}' staat twee keer in dit blok: voeg ze samen, anders gaat "
                    "wat onder de eerste staat verloren",
                    ERROR,
                )
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = loader.line_of_node(value_node)
        mapping.key_lines[key] = loader.line_of_node(key_node)
        if isinstance(value_node, yaml.ScalarNode):
            mapping.texts[key] = str(value_node.value)
        else:
            mapping.texts.pop(key, None)


def _construct_list(loader: _KnowledgeLoader, node: yaml.SequenceNode) -> Any:
    items = YamlList(loader.line_of_node(node))
    yield items
    for child in node.value:
        items.append(loader.construct_object(child, deep=True))
        items.lines.append(loader.line_of_node(child))
        items.texts.append(str(child.value) if isinstance(child, yaml.ScalarNode) else None)


_KnowledgeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_KnowledgeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def _reader_problem(exc: yaml.reader.ReaderError, text: str, path: Path, first: int) -> Problem:
    line = text[: exc.position].count("\n") + first
    return Problem(path, line, f"geen geldige YAML: teken U+{exc.character:04X} mag niet")


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """YAML text from `path` (starting at `first_line` of that file) -> (data, problems).

    On an error the data is None and the problems say where and what; never raises.
    """
    problems: list[Problem] = []
    try:
        loader = _KnowledgeLoader(text, first_line, problems, path)
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, path, first_line)]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + first_line if mark is not None else first_line
        if isinstance(exc, _Refused):
            message = str(exc.problem)
        else:
            what = "; ".join(str(x) for x in (exc.context, exc.problem) if x)
            message = f"geen geldige YAML: {what}"
        return None, [*problems, Problem(path, line, message)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, path, first_line)]
    except yaml.YAMLError as exc:
        return None, [*problems, Problem(path, first_line, f"geen geldige YAML: {exc}")]
    except RecursionError:
        return None, [*problems, Problem(path, first_line, "te diep geneste YAML")]
    finally:
        loader.dispose()
    return data, problems


def load_optional(path: Path, folder: Path | None) -> tuple[Any, list[Problem]]:
    """A knowledge YAML file that may be absent (None, no problems); with `folder`, one that
    leads outside it (a symlink) is refused with a problem."""
    if not path.exists() and not path.is_symlink():
        return None, []
    if folder is not None:
        refused = outside(path, folder)
        if refused is not None:
            return None, [refused]
    return load_yaml(path)


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """A knowledge YAML file -> (data, problems); data is None when it cannot be read."""
    try:
        text = read_text(path)
    except KnowledgeError as exc:
        return None, [Problem(path, exc.line, exc.message)]
    return parse_yaml(text.removeprefix("\ufeff"), path)

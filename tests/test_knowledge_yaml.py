"""Knowledge YAML that staff get wrong: every mistake is a `file:line: fout:` problem, never an
exception; aliases are refused before they expand; nothing is read from outside the folder."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.checklists.templates import load_templates
from bot.flows import engine
from bot.flows.definitions import Step, load_flows
from bot.knowledge import check_knowledge
from index.build import build_index
from index.files import MAX_FILE_BYTES
from index.search import InvalidKnowledge
from tests.conftest import KNOWLEDGE, MAX_LINE

FLOW = """id: proef
title: Proef
steps:
  - id: aantal
    ask: Hoeveel jongeren?
    type: aantal
    max: 12
  - id: geboren
    ask: Wanneer is de jongere geboren?
    type: datum
    age_between: [15, 18]
  - id: woonvorm
    ask: Welke woonvorm?
    type: keuze
    options: [KWG, KWE]
derive:
  woonvorm:
    - when: {aantal: {min: 9}}
      value: KWG
result:
  - text: Klaar.
"""


def flow_problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "flows").mkdir(exist_ok=True)
    (tmp_path / "flows" / "proef.yaml").write_text(text, "utf-8")
    _flows, problems = load_flows(tmp_path)
    return [str(p) for p in problems]


def test_the_valid_example_flow_loads(tmp_path: Path) -> None:
    assert flow_problems(tmp_path, FLOW) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("max: 12", "max: veel", 7, "'max: veel' is geen positief geheel getal"),
        ("[15, 18]", "[vijftien, 18]", 11, "'age_between' is twee leeftijden"),
        (
            "derive:\n  woonvorm:\n    - when: {aantal: {min: 9}}\n      value: KWG\n",
            "derive: [1, 2]\n",
            16,
            "'derive' is een blok",
        ),
        ("{min: 9}", "{min: negen}", 18, "'min: negen' is geen getal"),
        ("max: 12", "max: 12\n    optional: misschien", 8, "'optional: misschien' is true of"),
        ("text: Klaar.", "text: Klaar {bron.", 21, "de tekst bevat een losse {"),
        ("result:\n  - text: Klaar.\n", "result: 7\n", 20, "'result' is een lijst"),
    ],
)
def test_a_wrong_value_is_a_problem_at_its_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    text = FLOW
    assert old in text
    shown = flow_problems(tmp_path, text.replace(old, new))
    path = tmp_path / "flows" / "proef.yaml"
    assert any(s.startswith(f"{path}:{line}: fout: {message}") for s in shown), shown


def test_check_reports_a_typo_in_a_shipped_flow(tmp_path: Path) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "flows" / "woonvorm.yaml"
    path.write_text(path.read_text("utf-8").replace("max: 30", "max: veel"), "utf-8")
    shown = [str(p) for p in check_knowledge(folder)]
    assert f"{path}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal" in shown


# -- property: one mutated value gives problems or loads, never an exception --------------------

VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.sampled_from(["2026-13-45", "{", "}", "nan", "-1", "1e999", "veel", "[x]", "ja"]),
)


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every value in a YAML document (containers too)."""
    places = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            places += _places(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            places += _places(value, (*path, i))
    return places


def _mutated(data: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    head, rest = place[0], place[1:]
    if isinstance(data, dict):
        return {k: _mutated(v, rest, value) if k == head else v for k, v in data.items()}
    return [_mutated(v, rest, value) if i == head else v for i, v in enumerate(data)]


def _shipped(kind: str) -> list[tuple[str, Any, list[tuple[Any, ...]]]]:
    out = []
    for path in sorted((KNOWLEDGE / kind).glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        out.append((path.name, data, _places(data)))
    return out


SHIPPED_FLOWS = _shipped("flows")
SHIPPED_CHECKLISTS = _shipped("checklists")
MUTATIONS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(data=st.data())
@MUTATIONS
def test_a_flow_with_any_one_value_mutated_never_raises(
    tmp_path: Path, data: st.DataObject
) -> None:
    name, document, places = data.draw(st.sampled_from(SHIPPED_FLOWS))
    place = data.draw(st.sampled_from(places))
    value = data.draw(VALUES)
    (tmp_path / "flows").mkdir(exist_ok=True)
    (tmp_path / "flows" / name).write_text(
        yaml.safe_dump(_mutated(document, place, value), allow_unicode=True), "utf-8"
    )
    flows, problems = load_flows(tmp_path, section_ids=None)
    assert flows or any(p.is_error for p in problems)
    if any(p.is_error for p in problems):
        return
    for flow in flows:  # what loads without errors also runs
        answers = {s.id: _answer(s) for s in flow.steps}
        for step in flow.steps:
            engine.applies(flow, step, answers)
        engine.result(flow, answers, dt.date(2026, 1, 1))


def _answer(step: Step) -> str:
    if step.type == "datum":
        return "2010-01-01"
    if step.options:
        return step.options[0]
    return "ja" if step.type == "ja_nee" else "5"


@given(data=st.data())
@MUTATIONS
def test_a_checklist_with_any_one_value_mutated_never_raises(
    tmp_path: Path, data: st.DataObject
) -> None:
    name, document, places = data.draw(st.sampled_from(SHIPPED_CHECKLISTS))
    place = data.draw(st.sampled_from(places))
    value = data.draw(VALUES)
    (tmp_path / "checklists").mkdir(exist_ok=True)
    (tmp_path / "checklists" / name).write_text(
        yaml.safe_dump(_mutated(document, place, value), allow_unicode=True), "utf-8"
    )
    templates, problems = load_templates(tmp_path, section_ids=set())
    assert templates or any(p.is_error for p in problems)
    for template in templates:
        assert all(isinstance(i.text, str) and isinstance(i.source, str) for i in template.items)


# -- aliases: refused at the anchor, before anything expands ------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["flows/lol.yaml", "checklists/lol.yaml", "synoniemen.yaml"])
def test_billion_laughs_is_refused_at_the_anchor_quickly_and_small(
    tmp_path: Path, where: str
) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / where
    path.write_text("# lachen\n" + billion_laughs(), "utf-8")
    tracemalloc.start()
    try:
        shown = [str(p) for p in check_knowledge(folder)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"{path}:2: fout: ankers (&) en verwijzingen (*) zijn niet toegestaan" in "\n".join(
        shown
    )
    assert peak < 100_000_000  # the expanded document would be 9**9 strings


def test_an_anchor_in_front_matter_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "documenten" / "pve-huisvesting.md"
    text = path.read_text("utf-8").replace("short: PvE Huisvesting", "short: &s PvE Huisvesting")
    path.write_text(text, "utf-8")
    line = text.splitlines().index("short: &s PvE Huisvesting") + 1
    shown = [str(p) for p in check_knowledge(folder)]
    assert any(s.startswith(f"{path}:{line}: fout: ankers (&)") for s in shown), shown


# -- symlinks out of the knowledge folder -------------------------------------------------------

SECRET = """---
title: Geheim
short: Geheim
publisher: niemand
version: "1"
source: buiten
---

## Wachtwoorden

Het wachtwoord van de server is zwaardvis.
"""


def test_a_symlink_out_of_the_folder_is_refused_and_not_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    outside = tmp_path / "buiten"
    outside.mkdir()
    (outside / "geheim.md").write_text(SECRET, "utf-8")
    (outside / "flows").mkdir()
    link = folder / "documenten" / "geheim.md"
    link.symlink_to(outside / "geheim.md")
    shown = [str(p) for p in check_knowledge(folder)]
    assert any(s.startswith(f"{link}:0: fout: verwijst naar ") for s in shown), shown
    with pytest.raises(InvalidKnowledge):
        build_index(folder)
    link.unlink()
    # a linked folder and a linked data file lead outside too
    shutil.move(folder / "checklists" / "stappenplan.yaml", outside / "stappenplan.yaml")
    (folder / "checklists" / "stappenplan.yaml").symlink_to(outside / "stappenplan.yaml")
    shutil.rmtree(folder / "flows")
    (folder / "flows").symlink_to(outside / "flows", target_is_directory=True)
    shown = [str(p) for p in check_knowledge(folder)]
    assert any(s.startswith(f"{folder / 'flows'}:0: fout: verwijst naar") for s in shown)
    assert any(
        s.startswith(f"{folder / 'checklists' / 'stappenplan.yaml'}:0: fout: verwijst naar")
        for s in shown
    )


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "documenten" / "pve-kopie.md").symlink_to(
        folder / "documenten" / "pve-huisvesting.md"
    )
    shown = [str(p) for p in check_knowledge(folder) if p.is_error]
    assert not any("buiten de kennismap" in s for s in shown)


def test_draaibot_check_names_the_linked_file(tmp_path: Path) -> None:
    from tests.test_cli import run

    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    (tmp_path / "geheim.md").write_text(SECRET, "utf-8")
    link = folder / "documenten" / "geheim.md"
    link.symlink_to(tmp_path / "geheim.md")
    result = run("check", env={"DRAAIBOT_KNOWLEDGE": str(folder)})
    assert result.returncode == 1
    assert f"{link}:0: fout: verwijst naar {tmp_path / 'geheim.md'} buiten de kennismap" in (
        result.stderr
    )
    assert "zwaardvis" not in result.stdout + result.stderr


def test_a_misspelt_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    shown = flow_problems(tmp_path, FLOW.replace("max: 12", "maks: 12"))
    path = tmp_path / "flows" / "proef.yaml"
    assert shown == [
        f"{path}:7: waarschuwing: onbekende sleutel 'maks' wordt genegeerd (bedoelt u 'max'?)"
    ]


def test_a_pipe_or_a_huge_file_in_the_folder_is_a_problem_not_a_hang(knowledge_copy: Path) -> None:
    os.mkfifo(knowledge_copy / "documenten" / "pijp.md")
    (knowledge_copy / "documenten" / "groot.md").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    problems = [str(p) for p in check_knowledge(knowledge_copy)]
    assert any("pijp.md:1: fout: geen gewoon bestand" in p for p in problems), problems
    assert any("groot.md:1: fout: bestand te groot" in p for p in problems), problems


def test_a_key_twice_in_one_block_is_an_error_not_a_silent_loss() -> None:
    from index.yamlfile import parse_yaml

    _, problems = parse_yaml("vraagvormen:\n  a#1: [x]\n  a#1: [y]\n", Path("vraagvormen.yaml"))
    (problem,) = problems
    assert problem.is_error and problem.line == 3 and "twee keer" in problem.message

"""The index cache and the incremental build: reused only when nothing it stands for changed,
and a build from it is exactly the build from nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

import index.build
import index.checks
from bot.knowledge import INDEX_CACHE, KnowledgeBase
from index.build import IndexCache, build_index
from index.documents import Document, parse_document
from index.search import InvalidKnowledge, KnowledgeIndex
from tests.conftest import ROOT

# Questions written from the documents for this test (not from any evaluation set).
QUESTIONS = [
    "hoeveel m2 moet de keuken van een kwg zijn?",
    "welke eisen gelden voor de brandveiligheid van het pand",
    "hoeveel jongeren wonen er in een kwe+",
    "wat doet de contractpartner bij de schouw",
    "mag een jongere zijn kamer afsluiten",
    "wasmachine en droger in de inventaris",
    "huiskamr van een kwg",
    "wanneer moet de huisvesting geregeld zijn",
    "wat kost een fiets",
    "taakstelling gemeente",
]
NEW_SECTION = "\n\n## 99. Nieuwe afspraken\n\nElke woning krijgt een wasmachineruimte van 4 m2.\n"


def answers(index: KnowledgeIndex) -> list[dict[str, object]]:
    return [index.search(q, top=5).as_json() for q in QUESTIONS]


def same_index(a: KnowledgeIndex, b: KnowledgeIndex) -> None:
    assert [s.id for s in a.sections] == [s.id for s in b.sections]
    assert a.bm25.doc_freqs == b.bm25.doc_freqs
    assert a.analyzer.vocabulary == b.analyzer.vocabulary
    assert answers(a) == answers(b)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents parsed from now on."""
    seen: list[str] = []

    def counting(path: Path, raw: bytes | None = None) -> Document:
        seen.append(path.name)
        return parse_document(path, raw)

    monkeypatch.setattr(index.checks, "parse_document", counting)
    return seen


def test_an_unchanged_folder_is_built_from_the_cache_file(
    knowledge_copy: Path, tmp_path: Path, parsed: list[str]
) -> None:
    fresh = build_index(knowledge_copy)
    assert fresh.cache is not None and fresh.cache.save(tmp_path / INDEX_CACHE)
    parsed.clear()
    cached = IndexCache.load(tmp_path / INDEX_CACHE, knowledge_copy)
    assert cached is not None
    again = build_index(knowledge_copy, cached)
    assert parsed == []  # nothing read again
    assert again.cache is cached
    same_index(again, fresh)
    assert again.warnings == fresh.warnings


def test_a_copy_of_the_folder_elsewhere_cites_its_own_files(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    """The last good copy beside the database has the same files: its paths are its own."""
    fresh = build_index(knowledge_copy)
    assert fresh.cache is not None and fresh.cache.save(tmp_path / INDEX_CACHE)
    elsewhere = tmp_path / "elders"
    os.rename(knowledge_copy, elsewhere)
    cached = IndexCache.load(tmp_path / INDEX_CACHE, elsewhere)
    again = build_index(elsewhere, cached)
    assert again.cache is cached
    assert all(d.path.is_relative_to(elsewhere) for d in again.documents)


def test_a_changed_document_is_the_only_one_read_again(
    knowledge_copy: Path, tmp_path: Path, parsed: list[str]
) -> None:
    before = build_index(knowledge_copy)
    assert before.cache is not None and before.cache.save(tmp_path / INDEX_CACHE)
    changed = knowledge_copy / "documenten" / "pve-huisvesting.md"
    changed.write_text(changed.read_text("utf-8") + NEW_SECTION, "utf-8")
    parsed.clear()
    for previous in (before.cache, IndexCache.load(tmp_path / INDEX_CACHE, knowledge_copy)):
        incremental = build_index(knowledge_copy, previous)
        assert parsed == ["pve-huisvesting.md"]
        parsed.clear()
        assert incremental.cache is not previous
        assert incremental.by_id["pve-huisvesting#99"]
        same_index(incremental, build_index(knowledge_copy))
        parsed.clear()


def test_incremental_builds_give_exactly_the_results_of_a_full_build(
    knowledge_copy: Path,
) -> None:
    """Added, changed and removed documents: the vocabulary changes with them, and with it how
    compounds split; the result must be the build from nothing, every time."""
    docs = knowledge_copy / "documenten"
    current = build_index(knowledge_copy)
    extra = docs / "extra.md"
    steps: list[Callable[[], object]] = [
        lambda: extra.write_text(
            "---\ntitle: Extra\nshort: Extra\npublisher: Nidos\nsource: test\nversion: '1'\n"
            "---\n\n## Wasruimte\n\nDe wasmachineruimte en de droogruimte liggen naast de "
            "keukenvloer; een brandblusser hangt in de gang.\n",
            "utf-8",
        ),
        lambda: (docs / "draaiboek-kso.md").write_text(
            (docs / "draaiboek-kso.md")
            .read_text("utf-8")
            .replace("Landelijk is er een grote behoefte", "Landelijk is er een zeer grote vraag"),
            "utf-8",
        ),
        extra.unlink,
    ]
    for step in steps:
        step()
        incremental = build_index(knowledge_copy, current.cache)
        same_index(incremental, build_index(knowledge_copy))
        current = incremental


def test_other_code_reuses_nothing(
    knowledge_copy: Path, tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = build_index(knowledge_copy)
    assert before.cache is not None and before.cache.save(tmp_path / INDEX_CACHE)
    parsed.clear()
    monkeypatch.setattr(index.build, "code_version", lambda *packages: "andere code")
    assert IndexCache.load(tmp_path / INDEX_CACHE, knowledge_copy) is None
    rebuilt = build_index(knowledge_copy, before.cache)  # held in memory: ignored too
    assert sorted(parsed) == sorted(p.name for p in (knowledge_copy / "documenten").glob("*.md"))
    same_index(rebuilt, before)


@pytest.mark.parametrize("keep", [0, 1, 100, 5000])
def test_a_cut_off_cache_file_is_ignored(knowledge_copy: Path, tmp_path: Path, keep: int) -> None:
    fresh = build_index(knowledge_copy)
    file = tmp_path / INDEX_CACHE
    assert fresh.cache is not None and fresh.cache.save(file)
    with file.open("r+b") as handle:
        handle.truncate(keep)
    assert IndexCache.load(file, knowledge_copy) is None


def test_a_cache_file_of_the_wrong_shape_is_ignored(knowledge_copy: Path, tmp_path: Path) -> None:
    fresh = build_index(knowledge_copy)
    file = tmp_path / INDEX_CACHE
    assert fresh.cache is not None and fresh.cache.save(file)
    data = json.loads(file.read_text("utf-8"))
    data["documents"][0]["sections"][0] = "kapot"
    file.write_text(json.dumps(data), "utf-8")
    assert IndexCache.load(file, knowledge_copy) is None
    data["documents"][0]["name"] = "../../etc/passwd"
    file.write_text(json.dumps(data), "utf-8")
    assert IndexCache.load(file, knowledge_copy) is None


def test_an_unwritable_cache_is_no_error(knowledge_copy: Path, tmp_path: Path) -> None:
    fresh = build_index(knowledge_copy)
    blocked = tmp_path / "bestand"
    blocked.write_text("geen map", "utf-8")
    assert fresh.cache is not None and not fresh.cache.save(blocked / INDEX_CACHE)
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_bot_reloads_from_its_own_last_build(knowledge_copy: Path, tmp_path: Path) -> None:
    """A running bot's reload reuses the index it serves; a fresh start the cache file."""
    cache_file = tmp_path / "data" / INDEX_CACHE
    kb = KnowledgeBase(knowledge_copy, cache_file=cache_file)
    first = kb.index
    assert cache_file.is_file()
    kb.reload()
    assert kb.index.cache is first.cache  # nothing changed: put together from the last build
    changed = knowledge_copy / "documenten" / "pve-huisvesting.md"
    changed.write_text(changed.read_text("utf-8") + NEW_SECTION, "utf-8")
    changes = kb.reload()
    assert "99. Nieuwe afspraken" in changes.text()
    same_index(kb.index, build_index(knowledge_copy))
    restarted = KnowledgeBase(knowledge_copy, cache_file=cache_file)
    same_index(restarted.index, kb.index)


def test_a_broken_document_is_never_served_from_the_cache(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    cache_file = tmp_path / INDEX_CACHE
    KnowledgeBase(knowledge_copy, cache_file=cache_file).index  # noqa: B018
    (knowledge_copy / "documenten" / "pve-huisvesting.md").write_text("geen front matter\n")
    with pytest.raises(InvalidKnowledge):
        KnowledgeBase(knowledge_copy, cache_file=cache_file).index  # noqa: B018


def draaibot(*args: str, db: Path, knowledge: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(DRAAIBOT_DB=str(db), DRAAIBOT_KNOWLEDGE=str(knowledge))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        timeout=120,
    )


def test_the_cli_writes_the_cache_and_uses_it_while_it_holds(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "draaibot.db"
    cache_file = db.parent / INDEX_CACHE
    question = "hoeveel m2 moet de keuken van een kwg zijn?"
    assert draaibot("index", db=db, knowledge=knowledge_copy).returncode == 0
    assert cache_file.is_file()
    expected = draaibot("ask", "--json", question, db=db, knowledge=knowledge_copy)
    assert expected.returncode == 0, expected.stderr
    assert json.loads(expected.stdout)["answer"]["id"].startswith("pve-huisvesting#")

    # a cut-off cache: ignored, the answer is the same, and the cache is written anew
    cache_file.write_bytes(cache_file.read_bytes()[:1000])
    again = draaibot("ask", "--json", question, db=db, knowledge=knowledge_copy)
    assert (again.returncode, again.stdout) == (0, expected.stdout)
    assert IndexCache.load(cache_file, knowledge_copy) is not None

    # a flow file broken after the cache was written: `ask` must not answer from the cache
    flow = knowledge_copy / "flows" / "woonvorm.yaml"
    flow.write_text(flow.read_text("utf-8") + "\n  - [kapot\n", "utf-8")
    broken = draaibot("ask", question, db=db, knowledge=knowledge_copy)
    assert broken.returncode != 0
    assert "woonvorm.yaml" in broken.stderr


def test_the_code_version_covers_the_code_and_the_analysis_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert index.build.code_version() != index.build.code_version(ROOT / "bot")
    library = tmp_path / "lemmas_for_test.py"
    library.write_text("VERSION = 1\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(index.build, "LIBRARIES", (*index.build.LIBRARIES, "lemmas_for_test"))
    index.build.code_version.cache_clear()
    before = index.build.code_version()
    library.write_text("VERSION = 22\n", "utf-8")  # an upgrade
    index.build.code_version.cache_clear()
    assert index.build.code_version() != before
    assert "lemmas_for_test" not in sys.modules  # looked at, not imported
    monkeypatch.undo()
    index.build.code_version.cache_clear()


def test_a_cache_whose_parts_do_not_fit_is_built_anew(knowledge_copy: Path, tmp_path: Path) -> None:
    fresh = build_index(knowledge_copy)
    file = tmp_path / INDEX_CACHE
    assert fresh.cache is not None and fresh.cache.save(file)
    data = json.loads(file.read_text("utf-8"))
    data["documents"][0]["analysis"].pop()  # one section's words fewer than it has sections
    file.write_text(json.dumps(data), "utf-8")
    cached = IndexCache.load(file, knowledge_copy)
    assert cached is not None and cached.restore(knowledge_copy) is None
    same_index(build_index(knowledge_copy, cached), fresh)


def test_ask_from_the_cache_loads_no_lexicon_database_or_flows(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    """What makes `ask` start fast: with the cache in place it needs no lemmatiser dictionary
    (simplemma), no word frequencies (wordfreq), no Markdown parser, no database layer and no
    flows."""
    db = tmp_path / "data" / "draaibot.db"
    assert draaibot("index", db=db, knowledge=knowledge_copy).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(DRAAIBOT_DB=str(db), DRAAIBOT_KNOWLEDGE=str(knowledge_copy))
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "ask", "hoeveel m2 keuken kwg?"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        timeout=120,
    )
    assert run.returncode == 0 and "11,5 m2" in run.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "index.search" in imported
    for module in (
        "simplemma",
        "wordfreq",
        "markdown_it",
        "sqlite_utils",
        "bot.store",
        "bot.flows",
    ):
        assert module not in imported


def test_status_keeps_the_cache_so_a_health_check_builds_once(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "data" / "draaibot.db"
    result = draaibot("status", db=db, knowledge=knowledge_copy)
    assert "4 documenten" in result.stdout
    assert IndexCache.load(db.parent / INDEX_CACHE, knowledge_copy) is not None

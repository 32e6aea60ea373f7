"""Shared fixtures: the shipped knowledge folder, its index, and throw-away knowledge folders."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from index.build import build_index
from index.search import KnowledgeIndex
from tests.fakebot import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
# the line of 'max: 30' in the shipped woonvorm flow, where tests put a typo
MAX_LINE = (KNOWLEDGE / "flows" / "woonvorm.yaml").read_text("utf-8").splitlines().index(
    "    max: 30"
) + 1

MINIMAL_DOC = """---
title: Testdocument
short: Test
publisher: Nidos
version: "1"
source: test
---

## 1. Keuken

De keuken is 11,5 m2 groot.

## 2. Tuin

Een eenvoudig te onderhouden tuin.
"""


def one_document_index(
    folder: Path, title: str, body: str, synonyms: str = "synoniemen: []\nstopwoorden: []\n"
) -> KnowledgeIndex:
    """The index of a knowledge folder with one document (`title`, Markdown `body`)."""
    (folder / "documenten").mkdir(parents=True)
    (folder / "documenten" / f"{title.lower()}.md").write_text(
        f"---\ntitle: {title}\nshort: {title}\npublisher: Nidos\nsource: test\n"
        f"date: 2026-01-01\n---\n{body}",
        encoding="utf-8",
    )
    (folder / "synoniemen.yaml").write_text(synonyms, encoding="utf-8")
    return build_index(folder)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the fake Bot API is an end-to-end test: marked `e2e`."""
    for item in items:
        if "fake" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def shipped_index() -> KnowledgeIndex:
    return build_index(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def small_knowledge(tmp_path: Path) -> Path:
    """A tiny valid knowledge folder with one document."""
    folder = tmp_path / "kennis"
    (folder / "documenten").mkdir(parents=True)
    (folder / "documenten" / "test.md").write_text(MINIMAL_DOC, encoding="utf-8")
    return folder


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A fake Bot API server on 127.0.0.1 for the real Application to talk to."""
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


def plain(text: str) -> str:
    """What a Telegram user reads of an HTML message: tags dropped, entities resolved."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))

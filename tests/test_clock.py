"""One clock for users: times shown in Europe/Amsterdam, whatever the server's zone."""

from __future__ import annotations

import datetime as dt

from bot.assistant import Assistant
from bot.clock import local
from bot.knowledge import KnowledgeBase
from bot.store import Store
from tests.conftest import KNOWLEDGE


def test_a_winter_moment_is_shown_an_hour_after_utc() -> None:
    moment = dt.datetime(2026, 11, 28, 22, 42, tzinfo=dt.UTC).timestamp()
    assert local(moment).strftime("%d-%m-%Y %H:%M") == "28-11-2026 23:42"


def test_status_shows_amsterdam_time() -> None:
    kb = KnowledgeBase(KNOWLEDGE)
    status = Assistant(kb, Store(None)).staff.status().replies[0].text
    assert f"geladen {local(kb.index.built_at).strftime('%d-%m-%Y %H:%M')}" in status

"""Run the real Application (the project's own factory) against the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.actions import ChecklistOp, ChecklistPage, ChecklistTick, decode, encode
from bot.assistant import Assistant
from bot.checklists.templates import load_templates
from bot.config import Config
from bot.faces.telegram_app import build_application
from bot.flows.definitions import load_flows
from bot.knowledge import KnowledgeBase, Snapshot
from bot.store import Store
from index.search import KnowledgeIndex
from tests.conftest import KNOWLEDGE
from tests.fakebot import TOKEN, FakeBotAPI

ADMIN_ID = 42


def config_for(
    fake: FakeBotAPI, db: Path, rate_limiter: bool = True, folder: Path | None = None
) -> Config:
    return Config(
        token=TOKEN,
        api_base_url=fake.base_url,
        admins=frozenset({ADMIN_ID}),
        knowledge=folder or KNOWLEDGE,
        db=db,
        rate_limiter=rate_limiter,
        watch=folder is not None,  # the shipped folder is never watched in tests
    )


def knowledge_with(index: KnowledgeIndex) -> KnowledgeBase:
    """The shipped knowledge on the session's index: no index is built per test (the flows
    and checklists are only read)."""
    flows, _ = load_flows(KNOWLEDGE)
    templates, _ = load_templates(KNOWLEDGE)
    kb = KnowledgeBase(KNOWLEDGE)
    kb.swap(
        Snapshot(
            index,
            {f.id: f for f in flows},
            {t.id: t for t in templates},
            tuple(index.warnings),
        )
    )
    return kb


@asynccontextmanager
async def running_bot(
    fake: FakeBotAPI,
    db: Path,
    index: KnowledgeIndex,
    rate_limiter: bool = True,
    assistant_options: Mapping[str, Any] | None = None,
    folder: Path | None = None,
    knowledge: KnowledgeBase | None = None,
    app_options: dict[str, Any] | None = None,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot on the shipped knowledge (the session's index), or on a folder of its own that
    is watched for changes (or on `knowledge` already loaded from that folder)."""
    config = config_for(fake, db, rate_limiter, folder)
    store = Store(db)
    kb = knowledge or (KnowledgeBase(folder) if folder is not None else knowledge_with(index))
    assistant = Assistant(kb, store, **(assistant_options or {}))
    application = build_application(
        config, kb, store=store, assistant=assistant, **(app_options or {})
    )
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        # in the order run_polling uses: post_stop before, post_shutdown after shutdown
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def checklist_of(data: str) -> int:
    """The checklist id a checklist button carries, read through the callback codec."""
    action = decode(data)
    if not isinstance(action, ChecklistOp | ChecklistPage | ChecklistTick):
        raise AssertionError(f"not a checklist button: {data!r}")
    return action.checklist


def tick(checklist: int, item: int, page: int = 0) -> str:
    """The callback data of the button that ticks `item` done."""
    return encode(ChecklistTick(checklist, item, "done", page))

"""`draaibot run` as Nidos IT runs it: a process that stops quickly on SIGTERM whatever the
Bot API does, keeps what it could not send, and never writes its token anywhere."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bot.redact import RedactingFormatter
from tests.conftest import ROOT
from tests.fakebot import FakeBotAPI

TOKEN = "7012345678:AAH-kE9xQ3zR5tY7uI0oP2aS4dF6gH8jK1l"


def bot_env(fake: FakeBotAPI, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        DRAAIBOT_DB=str(db),
        DRAAIBOT_WATCH="0",
        PYTHONUNBUFFERED="1",
    )
    return env


async def start_bot(fake: FakeBotAPI, db: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=bot_env(fake, db),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("status", ["401", "404"])
async def test_a_wrong_token_is_a_clear_error_and_never_printed(
    fake: FakeBotAPI, tmp_path: Path, status: str
) -> None:
    fake.inject("getMe", status)
    process = await start_bot(fake, tmp_path / "token.db")
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    stdout, stderr = out.decode(), err.decode()
    assert process.returncode not in (0, None)
    assert TOKEN not in stdout + stderr and TOKEN.split(":")[1] not in stdout + stderr
    assert stderr.strip().splitlines()[-1].startswith("Telegram weigert het token van de bot")


def test_the_log_formatter_hides_tokens_in_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", secrets=["geheim-token"])
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected; url /bot{TOKEN}/getMe geheim-token")
    except ValueError:
        record = logging.LogRecord(
            "telegram.ext.Application",
            logging.ERROR,
            __file__,
            1,
            "token %s",
            (TOKEN,),
            sys.exc_info(),
        )
    text = formatter.format(record)
    assert TOKEN.split(":")[1] not in text and "geheim-token" not in text
    assert "Traceback" in text and "[token verborgen]" in text


async def test_sigterm_stops_within_5_s_when_the_bot_api_stops_answering(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "stop.db"
    process = await start_bot(fake, db)
    try:
        await fake.wait_for(lambda f: f.counts.get("deleteWebhook", 0) > 0, timeout=60)
        fake.outage(("hang", 0))  # the Bot API stops answering (getUpdates still works)
        fake.text("wat is een kwg?", user=5)
        await fake.wait_for(lambda f: f.hanging > 0, timeout=30)  # the reply is in flight
        fake.outage(("hang", 0), spare=())  # now getUpdates hangs too
        process.send_signal(signal.SIGTERM)
        start = time.monotonic()
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        took = time.monotonic() - start
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert took < 5, (took, err.decode()[-2000:])
    with sqlite3.connect(db) as conn:
        ((lane, payload),) = conn.execute("select lane, payload from outbox").fetchall()
    assert lane == "c5" and "KWG" in payload  # the unsent reply is kept for the next start
    assert TOKEN.split(":")[1] not in err.decode()


async def test_telegram_unreachable_at_start_up_is_one_clear_line(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    fake.inject("getMe", "500", times=5)
    process = await start_bot(fake, tmp_path / "down.db")
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in err.decode()
    assert err.decode().strip().splitlines()[-1].startswith(
        "draaibot: de Bot API van Telegram is bij het starten niet bereikbaar"
    )

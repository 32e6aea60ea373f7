"""`draaibot status` as the Docker HEALTHCHECK and Nidos IT run it: a subprocess, real files."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.lock import bot_running
from bot.status import STALE
from bot.store import Store
from tests.conftest import KNOWLEDGE, ROOT


def status(
    db: Path, knowledge: Path = KNOWLEDGE, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(DRAAIBOT_DB=str(db), DRAAIBOT_KNOWLEDGE=str(knowledge))
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "bot", "status"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "draaibot.db"
    Store(path).close()
    return path


def with_outbox(db: Path, created: list[float], api_ok: float | None) -> None:
    """Rows as the bot's outbox writes them (the tables exist from schema 5 on)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "create table if not exists outbox (id integer primary key, lane text, "
            "chat_id integer, payload text, created_at float)"
        )
        conn.execute("create table if not exists health (key text primary key, value text)")
        for moment in created:
            conn.execute(
                "insert into outbox (lane, chat_id, payload, created_at) values (?, ?, ?, ?)",
                ["c1", 1, '{"method": "sendMessage"}', moment],
            )
        if api_ok is not None:
            conn.execute(
                "insert or replace into health (key, value) values ('last_api_ok', ?)",
                [repr(api_ok)],
            )
    conn.close()


def test_healthy_installation_prints_knowledge_database_outbox_and_api(db: Path) -> None:
    now = time.time()
    with_outbox(db, [now - 30, now - 5], api_ok=now - 3)
    result = status(db, token="123:abc")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("draaibot: in orde\n")
    assert "kennis: " in out and ": 4 documenten, " in out
    assert "  - pve-huisvesting: versie 2027" in out
    assert f"database: {db}, " in out and " kB (schema " in out
    # seconds counted from when the test wrote them: a slow start adds a few
    oldest = re.search(
        r"wachtrij naar Telegram: 2 bericht\(en\), het oudste van (\d+) s geleden", out
    )
    assert oldest is not None and 30 <= int(oldest.group(1)) < 90, out
    api = re.search(r"laatste geslaagde Bot API-aanroep: (\d+) s geleden", out)
    assert api is not None and 3 <= int(api.group(1)) < 60, out
    assert "bot draait: nee" in out
    assert "123:abc" not in out


def test_todays_schema_without_outbox_is_healthy(db: Path) -> None:
    result = status(db, token="123:abc")
    assert result.returncode == 0, result.stderr
    assert "wachtrij naar Telegram: 0 bericht(en)\n" in result.stdout
    assert "laatste geslaagde Bot API-aanroep: nog geen" in result.stdout


def test_a_running_bot_is_shown(db: Path) -> None:
    with bot_running(db):
        result = status(db)
    assert "bot draait: ja" in result.stdout


def test_a_missing_database_is_unhealthy(tmp_path: Path) -> None:
    result = status(tmp_path / "geen.db")
    assert result.returncode == 1
    assert result.stdout.startswith("draaibot: NIET in orde")
    assert "bestaat niet" in result.stderr and "Traceback" not in result.stderr


def test_an_unreadable_database_is_unhealthy(tmp_path: Path) -> None:
    garbage = tmp_path / "draaibot.db"
    garbage.write_bytes(b"dit is geen SQLite-database" * 100)
    result = status(garbage)
    assert result.returncode == 1
    assert "is niet te lezen" in result.stderr and "Traceback" not in result.stderr


def test_broken_knowledge_is_unhealthy(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "kennis"
    (broken / "documenten").mkdir(parents=True)
    (broken / "documenten" / "leeg.md").write_text("", "utf-8")
    result = status(db, knowledge=broken)
    assert result.returncode == 1
    assert "de kennismap bevat " in result.stderr and "fout(en) (draaibot check)" in result.stderr
    assert "leeg.md:1: fout: front matter ontbreekt" in result.stderr


def test_an_old_outbox_entry_is_unhealthy(db: Path) -> None:
    now = time.time()
    with_outbox(db, [now - STALE - 60, now - 10], api_ok=now - 1)
    result = status(db, token="123:abc")
    assert result.returncode == 1
    assert "2 bericht(en) wachten al 16 min op Telegram" in result.stderr


def test_a_silent_bot_api_is_unhealthy_only_with_a_token(db: Path) -> None:
    with_outbox(db, [], api_ok=time.time() - 2 * 3600)
    result = status(db, token="123:abc")
    assert result.returncode == 1
    assert "de Bot API antwoordt niet meer sinds" in result.stderr
    assert "(2 uur geleden)" in result.stderr
    assert status(db).returncode == 0  # the terminal chat talks to no Bot API

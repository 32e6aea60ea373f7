"""`draaibot status`: is the installation healthy? Read only: opens the database read-only,
reads the knowledge folder, changes nothing (safe as a Docker HEALTHCHECK every minute).

Unhealthy: the database cannot be read, the knowledge folder has errors, replies have waited
in the outbox for longer than STALE, or (with a token configured) the Bot API has not answered
for longer than STALE.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import INDEX_CACHE, inspect, inspect_with_cache
from bot.lock import is_running
from index.documents import SectionCount

STALE = 15 * 60.0  # seconds
LAST_API_OK = "last_api_ok"  # key in the `health` table, written by the bot


@dataclass
class Health:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def _size(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.0f}" if unit == "bytes" else f"{size:.1f}".replace(".", ",")
            return f"{text} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s geleden"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min geleden"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.0f} uur geleden"
    return f"{seconds / 86_400:.0f} dagen geleden"


def _when(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_knowledge_health(folder: Path, health: Health, cache_file: Path | None = None) -> None:
    found = inspect_with_cache(folder, cache_file) if cache_file else inspect(folder)
    errors = [p for p in found.problems if p.is_error]
    health.lines.append(
        f"kennis: {folder}: {len(found.documents)} documenten, "
        f"{SectionCount.of(found.documents).text()}, "
        f"{len(found.flows)} vragenrondes, {len(found.templates)} checklists"
    )
    for document in found.documents:
        version = document.version or "zonder versie"
        health.lines.append(
            f"  - {document.slug}: versie {version}, {SectionCount.of([document]).searchable} "
            "secties"
        )
    if errors:
        health.problems.append(
            f"de kennismap bevat {len(errors)} fout(en) (draaibot check), de eerste: {errors[0]}"
        )


def check_database_health(db: Path, token: bool, now: float, health: Health) -> None:
    if not db.is_file():
        health.problems.append(f"database {db} bestaat niet (nog niet gestart?)")
        return
    size = sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.is_file())
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            _read_database(conn, db, size, token, now, health)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        health.problems.append(f"database {db} is niet te lezen: {exc}")


def _read_database(
    conn: sqlite3.Connection, db: Path, size: int, token: bool, now: float, health: Health
) -> None:
    schema = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    health.lines.append(f"database: {db}, {_size(size)} (schema {schema})")
    count, oldest = 0, None
    if "outbox" in tables:
        count, oldest = conn.execute("select count(*), min(created_at) from outbox").fetchone()
    line = f"wachtrij naar Telegram: {count} bericht(en)"
    if oldest is not None:
        line += f", het oudste van {_ago(now - oldest)}"
    health.lines.append(line)
    if oldest is not None and now - oldest > STALE:
        health.problems.append(
            f"{count} bericht(en) wachten al {_ago(now - oldest).removesuffix(' geleden')} "
            "op Telegram"
        )
    last_ok: float | None = None
    if "health" in tables:
        row = conn.execute("select value from health where key = ?", [LAST_API_OK]).fetchone()
        if row is not None:
            try:
                last_ok = float(row[0])
            except (TypeError, ValueError):
                health.problems.append(f"health.{LAST_API_OK} is geen tijdstip: {row[0]!r}")
    if last_ok is None:
        health.lines.append("laatste geslaagde Bot API-aanroep: nog geen")
    else:
        health.lines.append(
            f"laatste geslaagde Bot API-aanroep: {_ago(now - last_ok)} ({_when(last_ok)})"
        )
        if token and now - last_ok > STALE:
            health.problems.append(
                f"de Bot API antwoordt niet meer sinds {_when(last_ok)} ({_ago(now - last_ok)})"
            )


def check_health(db: Path, knowledge: Path, token: bool, clock: Callable[[], float]) -> Health:
    health = Health()
    try:
        check_knowledge_health(knowledge, health, db.parent / INDEX_CACHE)
    except Exception as exc:  # a health check reports, it never crashes
        health.problems.append(f"de kennismap {knowledge} is niet te lezen: {exc}")
    check_database_health(db, token, clock(), health)
    health.lines.append(f"bot draait: {'ja' if is_running(db) else 'nee'}")
    return health

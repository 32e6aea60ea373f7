"""Configuration from environment variables (a .env file may set them too)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

# ASCII digits only: str.isdigit() and int()/float() also take '²', '١٢', '1_000', 'nan'
_INTEGER = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


class ConfigError(ValueError):
    """A variable with a value draaibot cannot use; the message names the variable."""


def _ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if _INTEGER.fullmatch(part) is None or int(part) == 0:
            raise ConfigError(
                f"DRAAIBOT_ADMINS bevat {part!r}: verwacht Telegram-gebruikers-id's "
                "(positieve gehele getallen, gescheiden door komma's)"
            )
        ids.add(int(part))
    return frozenset(ids)


@dataclass(frozen=True)
class Config:
    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    admins: frozenset[int] = field(default_factory=frozenset)
    knowledge: Path = Path("knowledge")
    db: Path = Path("data/draaibot.db")
    retention_days: float = 180.0
    rate_limiter: bool = True
    watch: bool = True
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None

    @property
    def db_file(self) -> Path:
        """The database file: DRAAIBOT_DB may also be an SQLite URI ('file:/data/d.db?mode=ro')."""
        text = str(self.db)
        return Path(urlparse(text).path) if text.startswith("file:") else self.db

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: bool = True) -> Config:
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = dict(os.environ)
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            admins=_ids(env.get("DRAAIBOT_ADMINS", "")),
            knowledge=Path(env.get("DRAAIBOT_KNOWLEDGE") or "knowledge"),
            db=Path(env.get("DRAAIBOT_DB") or "data/draaibot.db"),
            retention_days=_number(env, "DRAAIBOT_RETENTION_DAYS", 180.0, 1, 3650),
            rate_limiter=_flag(env, "DRAAIBOT_RATE_LIMITER", True),
            watch=_flag(env, "DRAAIBOT_WATCH", True),
            webhook_url=env.get("DRAAIBOT_WEBHOOK_URL") or None,
            webhook_listen=env.get("DRAAIBOT_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=_port(env, "DRAAIBOT_WEBHOOK_PORT", 8443),
            webhook_secret=env.get("DRAAIBOT_WEBHOOK_SECRET") or None,
        )


def _number(
    env: dict[str, str], name: str, default: float, minimum: float, maximum: float
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if _DECIMAL.fullmatch(raw) is None:
        raise ConfigError(f"{name}={raw!r} is geen getal (bijvoorbeeld 180 of 30,5)")
    value = float(raw.replace(",", "."))
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} moet tussen {minimum:g} en {maximum:g} liggen, niet {raw}")
    return value


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if _INTEGER.fullmatch(raw) is None or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{name}={raw!r} is geen poortnummer (een geheel getal van 1 tot 65535)")
    return int(raw)


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "aan", "ja", "true", "on", "yes"):
        return True
    if raw in ("0", "uit", "nee", "false", "off", "no"):
        return False
    raise ConfigError(f"{name}={raw!r}: gebruik 'aan' of 'uit'")

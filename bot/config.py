"""Configuration from environment variables (a .env file may set them too)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


def _ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ValueError(
                f"DRAAIBOT_ADMINS bevat '{part}': verwacht Telegram-gebruikers-id's (getallen)"
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
            retention_days=_number(env, "DRAAIBOT_RETENTION_DAYS", 180.0, minimum=1),
            rate_limiter=_flag(env, "DRAAIBOT_RATE_LIMITER", True),
            watch=_flag(env, "DRAAIBOT_WATCH", True),
            webhook_url=env.get("DRAAIBOT_WEBHOOK_URL") or None,
            webhook_listen=env.get("DRAAIBOT_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=int(_number(env, "DRAAIBOT_WEBHOOK_PORT", 8443, minimum=1)),
            webhook_secret=env.get("DRAAIBOT_WEBHOOK_SECRET") or None,
        )


def _number(env: dict[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"{name}='{raw}' is geen getal") from None
    if value < minimum:
        raise ValueError(f"{name} moet minstens {minimum:g} zijn, niet {raw}")
    return value


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "aan", "ja", "true", "on", "yes"):
        return True
    if raw in ("0", "uit", "nee", "false", "off", "no"):
        return False
    raise ValueError(f"{name}='{raw}': gebruik 'aan' of 'uit'")

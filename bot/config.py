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
        )

"""Keep bot tokens out of the log: a Formatter that redacts the message and the traceback text.

A filter on the root logger would not see records of the `telegram.*` loggers (filters are not
inherited) and never sees traceback text; a formatter on every handler sees all that is written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# A Bot API token as it appears in URLs and PTB's messages: bot id, colon, secret.
TOKEN_PATTERN = re.compile(r"\b(?:bot)?\d{3,}:[A-Za-z0-9_-]{6,}")
REDACTED = "[token verborgen]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats like `logging.Formatter`, then removes the configured secrets and anything that
    looks like a bot token from the whole text (message, exception and stack)."""

    def __init__(
        self, fmt: str | None = None, datefmt: str | None = None, secrets: Iterable[str] = ()
    ) -> None:
        super().__init__(fmt, datefmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)

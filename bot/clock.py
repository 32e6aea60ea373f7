"""One time zone for everything users see: Europe/Amsterdam (the server may run in UTC)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(moment: float) -> dt.datetime:
    """A Unix time as the time on a Dutch clock."""
    return dt.datetime.fromtimestamp(moment, AMSTERDAM)

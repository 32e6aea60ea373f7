"""A per-user limit on questions: at most `limit` in any `period` seconds."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimit:
    def __init__(
        self, limit: int = 20, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be at least 1 and period positive")
        self.limit = limit
        self.period = period
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}

    def allow(self, key: int) -> bool:
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.period:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users
            for user in [u for u, h in self._hits.items() if not h or h[-1] <= now - self.period]:
                del self._hits[user]
        return True

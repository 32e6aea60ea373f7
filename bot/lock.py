"""Who is using the database: a lock file beside it (`draaibot.db.lock`, an flock(2) lock).

`draaibot run` and `draaibot chat` hold a shared lock while they run (several may); `draaibot
restore` needs the exclusive lock and refuses while any bot holds it; `draaibot status` only
looks. The kernel drops the lock when a process ends, also after `kill -9`: a stale lock file
never blocks anything.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """The lock is held by another process."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _open(db: Path, create: bool) -> int:
    path = lock_path(db)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


@contextmanager
def bot_running(db: Path) -> Iterator[None]:
    """Held while a bot (run or chat) uses `db`. Waits while a restore is under way."""
    fd = _open(db, create=True)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def exclusive(db: Path) -> Iterator[None]:
    """Held while nothing else may use `db` (a restore); raises Busy when a bot runs."""
    fd = _open(db, create=True)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(str(db)) from None
        yield
    finally:
        os.close(fd)


def is_running(db: Path) -> bool:
    """True when a bot holds the lock of `db`. Creates nothing."""
    try:
        fd = _open(db, create=False)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

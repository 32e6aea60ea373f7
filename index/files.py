"""Reading files from the knowledge folder: as UTF-8 text, and only what lies inside it.

A symlink (or a linked folder) that leads out of the knowledge folder is refused with a problem
naming it: an outside file must never be indexed, quoted or loaded as a flow.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from index.problems import Problem

OUTSIDE = "verwijst naar {target} buiten de kennismap: wordt niet geladen"
# The largest knowledge file read: the longest document of the shipped knowledge is about
# 60 kB; a file this large is a mistake (or an attack), not a document to quote.
MAX_FILE_BYTES = 5_000_000


class KnowledgeError(Exception):
    """A knowledge file that cannot be read at all (the message says which and why)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def read_text(path: Path) -> str:
    """A knowledge file as text. Only regular files (a pipe or device would block the reader)
    of at most MAX_FILE_BYTES; every failure is a KnowledgeError naming the file."""
    return decode(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """A knowledge file's bytes, on the terms of read_text."""
    try:
        if not path.is_file():
            raise KnowledgeError(path, 1, "geen gewoon bestand: wordt niet gelezen")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KnowledgeError(
                path,
                1,
                f"bestand te groot ({size // 1_000_000} MB; hoogstens "
                f"{MAX_FILE_BYTES // 1_000_000} MB): splits het of laat afbeeldingen weg",
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # a file that grows meanwhile is cut here
    except OSError as exc:
        raise KnowledgeError(path, 1, f"bestand niet leesbaar: {exc.strerror}") from exc
    return raw


def decode(path: Path, raw: bytes) -> str:
    """A knowledge file's bytes as text; KnowledgeError when they are no UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(path, line, "bestand is geen UTF-8 (sla het op als UTF-8)") from exc


def outside(path: Path, folder: Path) -> Problem | None:
    """A problem when `path` resolves (through symlinks) to a place outside `folder`."""
    try:
        target = path.resolve()
        root = folder.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return Problem(path, 0, f"pad niet te volgen: {exc}")
    if target == root or target.is_relative_to(root):
        return None
    return Problem(path, 0, OUTSIDE.format(target=target))


def files_in(
    folder: Path, subfolder: str, suffixes: tuple[str, ...]
) -> tuple[list[Path], list[Problem]]:
    """The files in `folder/subfolder` whose name ends in one of `suffixes` (sorted, hidden ones
    skipped) that lie inside `folder`; a problem for each one that leads outside."""
    directory = folder / subfolder if subfolder else folder
    if not directory.is_dir():
        return [], []
    refused = outside(directory, folder)
    if refused is not None:
        return [], [refused]
    paths: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.name.lower().endswith(suffixes):
            continue
        refused = outside(path, folder)
        if refused is not None:
            problems.append(refused)
        elif path.is_file():
            paths.append(path)
    return paths, problems


def visible_files(folder: Path, skip: str = "") -> dict[Path, Path]:
    """Relative path -> file, for every visible file under `folder` (sorted); linked folders
    are followed once, and only when they stay inside `folder`; `skip` names an entry to leave
    out (the last good copy, should it lie inside the folder)."""
    root = folder.resolve()
    seen: set[Path] = set()
    found: dict[Path, Path] = {}
    for current, dirs, names in os.walk(folder, followlinks=True):
        real = Path(current).resolve()
        if real in seen or not real.is_relative_to(root):
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != skip)
        for name in sorted(names):
            path = Path(current, name)
            if not name.startswith(".") and name != skip and path.is_file():  # no pipes
                found[path.relative_to(folder)] = path
    return found


def write_text_atomically(target: Path, text: str) -> None:
    """Write beside `target` and rename over it: a watcher never sees half a file, and a
    symbolic link put in place meanwhile is replaced, not written through. The file gets the
    mode of a file written by an editor (0644), not mkstemp's 0600."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".draaibot-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

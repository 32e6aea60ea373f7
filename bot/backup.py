"""Backup and restore: the database and the live knowledge folder in one .tar.gz.

The archive holds `manifest.json` (first), `draaibot.db` and `knowledge/...`. The database is
copied with SQLite's online backup API, so a backup is consistent while the bot runs and
writes; the knowledge folder is copied file by file (symbolic links are left out) before it is
packed, and the manifest holds a SHA-256 of every file.

A restore reads and checks the whole archive (manifest, member names and types, checksums,
the database's integrity) before it changes anything, refuses while a bot uses the database
(bot.lock), and then renames the new database and folder into place. What was there before is
kept beside them (`….voor-herstel-<time>`), never deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.lock import Busy, exclusive
from bot.store import SCHEMA_VERSION

FORMAT = "draaibot-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "draaibot.db"
KNOWLEDGE = "knowledge"
SIDECARS = ("-wal", "-shm")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Dutch."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    schema_version: int
    files: dict[str, str]  # archive name -> sha256

    @property
    def knowledge_files(self) -> int:
        return sum(1 for name in self.files if name.startswith(KNOWLEDGE + "/"))

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "schema_version": self.schema_version,
            "files": self.files,
        }


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    kept: list[Path]  # what was there before, moved aside


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _knowledge_files(folder: Path) -> Iterator[Path]:
    """Regular files under `folder`, relative, sorted; symbolic links are not followed."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if not path.is_symlink() and path.is_file():
                yield path.relative_to(folder)


def copy_database(db: Path, target: Path) -> int:
    """A consistent copy of `db` (online backup API) as one file without WAL; returns its
    schema version. Raises BackupError when `db` is no readable SQLite database."""
    if not db.is_file():
        raise BackupError(f"database {db} bestaat niet")
    try:
        source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"database {db} is beschadigd (integrity_check)")
            return int(copy.execute("PRAGMA user_version").fetchone()[0])
        finally:
            copy.close()
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"database {db} is niet te lezen: {exc}") from exc


def make_backup(db: Path, knowledge: Path, target: Path) -> Manifest:
    """Write the backup to `target` (replaced whole, readable by its owner only)."""
    if not knowledge.is_dir():
        raise BackupError(f"kennismap {knowledge} bestaat niet")
    if target.resolve().is_relative_to(knowledge.resolve()):
        raise BackupError(f"schrijf de back-up buiten de kennismap {knowledge}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".draaibot-backup-", dir=target.parent) as tmp:
        staging = Path(tmp)
        schema = copy_database(db, staging / DATABASE)
        for relative in _knowledge_files(knowledge):
            copy = staging / KNOWLEDGE / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(knowledge / relative, copy)
        names = [DATABASE] + [
            f"{KNOWLEDGE}/{p.as_posix()}" for p in _knowledge_files(staging / KNOWLEDGE)
        ]
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            schema_version=schema,
            files={name: _sha256(staging / name) for name in names},
        )
        fd, partial = tempfile.mkstemp(prefix=".draaibot-backup-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
                data = json.dumps(manifest.as_json(), indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
                for name in names:
                    tar.add(staging / name, arcname=name, recursive=False, filter=_anonymous)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _open(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"{archive} bestaat niet")
    try:
        return tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is geen draaibot-back-up (geen .tar.gz)") from exc


def _check(archive: Path, tar: tarfile.TarFile) -> Manifest:
    """Manifest, member names and types; no member is extracted here."""
    not_ours = BackupError(f"{archive} is geen draaibot-back-up")
    try:
        members = tar.getmembers()
        first = tar.extractfile(MANIFEST)
        raw = json.loads(first.read()) if first is not None else None
    except (tarfile.TarError, OSError, EOFError, zlib.error, KeyError, ValueError) as exc:
        raise not_ours from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise not_ours
    if raw.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive}: onbekende versie van het back-upformaat")
    files = raw.get("files")
    schema = raw.get("schema_version")
    if (
        not isinstance(files, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
        or DATABASE not in files
        or not isinstance(schema, int)
    ):
        raise not_ours
    found = set()
    for member in members:
        name = member.name
        if name == MANIFEST or (member.isdir() and name == KNOWLEDGE):
            continue
        if not member.isfile() or name not in files:
            raise BackupError(f"{archive}: onverwacht onderdeel {name!r}; ik herstel niets")
        found.add(name)
    if found != set(files):
        raise BackupError(f"{archive} is onvolledig: {len(set(files) - found)} bestand(en) mist")
    if any(not (n == DATABASE or n.startswith(KNOWLEDGE + "/")) for n in files):
        raise not_ours
    return Manifest(str(raw.get("created_at", "")), schema, dict(files))


def restore_backup(archive: Path, db: Path, knowledge: Path) -> Restored:
    """Put the backup's database at `db` and its folder at `knowledge`; BackupError when the
    archive is not a sound draaibot backup or a bot is running (nothing changed then)."""
    with _open(archive) as tar:
        manifest = _check(archive, tar)
        if manifest.schema_version > SCHEMA_VERSION:
            raise BackupError(
                f"{archive} komt van een nieuwere draaibot (schema {manifest.schema_version}, "
                f"deze versie kent {SCHEMA_VERSION}); werk draaibot eerst bij"
            )
        for folder in (db.parent, knowledge.parent):
            folder.mkdir(parents=True, exist_ok=True)
        try:
            with exclusive(db):
                return _restore(archive, tar, manifest, db, knowledge)
        except Busy:
            raise BackupError(
                f"draaibot draait nog met {db} (run of chat); stop de bot eerst "
                "(systemctl stop draaibot, of docker stop) en herstel dan"
            ) from None


def _restore(
    archive: Path, tar: tarfile.TarFile, manifest: Manifest, db: Path, knowledge: Path
) -> Restored:
    with (
        tempfile.TemporaryDirectory(prefix=".draaibot-herstel-", dir=knowledge.parent) as tmp,
        tempfile.TemporaryDirectory(prefix=".draaibot-herstel-", dir=db.parent) as tmp_db,
    ):
        staging = Path(tmp)
        try:
            tar.extractall(staging, filter="data")  # refuses absolute paths, links, devices
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"{archive} is beschadigd: {exc}") from exc
        for name, digest in manifest.files.items():
            if _sha256(staging / name) != digest:
                raise BackupError(f"{archive} is beschadigd: {name} klopt niet met het manifest")
        new_db = Path(tmp_db) / DATABASE
        shutil.move(staging / DATABASE, new_db)  # beside the target: the rename stays atomic
        _check_database(archive, new_db)
        new_knowledge = staging / KNOWLEDGE
        new_knowledge.mkdir(exist_ok=True)  # a backup of an empty folder has no entries
        _own_like(db.parent, [new_db, new_knowledge])
        return Restored(manifest, _swap(new_db, db, new_knowledge, knowledge))


def _own_like(reference: Path, paths: list[Path]) -> None:
    """Run as root (an administrator restoring by hand), give the restored files to the owner
    of the data folder, the service user, so the bot can write them."""
    if os.geteuid() != 0:
        return
    owner = reference.stat()
    for path in paths:
        os.chown(path, owner.st_uid, owner.st_gid)
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.chown(Path(root) / name, owner.st_uid, owner.st_gid, follow_symlinks=False)


def _check_database(archive: Path, path: Path) -> None:
    try:
        conn = sqlite3.connect(path)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{archive}: de database erin is niet te lezen: {exc}") from exc
    if not ok:
        raise BackupError(f"{archive}: de database erin is beschadigd")


def _swap(new_db: Path, db: Path, new_knowledge: Path, knowledge: Path) -> list[Path]:
    """Put the new folder and database in place, the old ones aside; all or nothing.

    The database path always holds a whole database, the old or the new one: the old file
    gets a second name (a hard link) and the new one is renamed over it in one step. The
    folder is renamed aside and the new one renamed in (two renames; nothing runs meanwhile,
    the lock is held)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    undo: list[Callable[[], None]] = []  # run in reverse when a later step fails
    kept: list[Path] = []

    def rename(src: Path, dst: Path) -> None:
        os.rename(src, dst)
        undo.append(lambda: os.rename(dst, src))

    try:
        if knowledge.exists() or knowledge.is_symlink():
            aside = knowledge.with_name(f"{knowledge.name}.voor-herstel-{stamp}")
            rename(knowledge, aside)
            kept.append(aside)
        rename(new_knowledge, knowledge)
        if db.exists():
            _checkpoint(db)
            aside = db.with_name(f"{db.name}.voor-herstel-{stamp}")
            for suffix in SIDECARS:  # an old WAL must never be applied to the new database
                sidecar = db.with_name(db.name + suffix)
                if sidecar.exists():
                    rename(sidecar, aside.with_name(aside.name + suffix))
            try:
                os.link(db, aside)
                undo.append(aside.unlink)
            except OSError:  # a file system without hard links: a copy, then the same
                shutil.copy2(db, aside)
                undo.append(aside.unlink)
            kept.append(aside)
        os.replace(new_db, db)
    except OSError as exc:
        for step in reversed(undo):
            step()
        raise BackupError(f"herstellen lukt niet, er is niets veranderd: {exc}") from exc
    return kept


def _checkpoint(db: Path) -> None:
    """Fold the WAL into the old database, so the copy kept aside is whole in one file."""
    try:
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a damaged database (maybe why it is restored): keep it aside as it is

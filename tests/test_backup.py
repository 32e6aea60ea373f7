"""`draaibot backup` and `draaibot restore` as Nidos IT runs them: subprocesses, real files."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, Store
from tests.conftest import KNOWLEDGE, ROOT
from tests.fakebot import FakeBotAPI
from tests.test_cli import run

CHAT = -100777


def draaibot(
    *args: str, db: Path, knowledge: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run(*args, stdin=stdin, env=_env(db, knowledge))


def _env(db: Path, knowledge: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env.update(DRAAIBOT_DB=str(db), DRAAIBOT_KNOWLEDGE=str(knowledge), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Path]:
    """A running installation's database (WAL, with a question) and knowledge folder."""
    knowledge = tmp_path / "live" / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    db = tmp_path / "live" / "draaibot.db"
    store = Store(db)
    store.answers.save_answer(CHAT, "private", "wat is een kwg?", True, ["x#1"], ["X › 1"], 1)
    store.close()
    return db, knowledge


def questions(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("select question from questions order by id")]
    finally:
        conn.close()


def test_backup_while_another_connection_writes(tmp_path: Path, live: tuple[Path, Path]) -> None:
    db, knowledge = live
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute(
        "insert into questions (chat_id, chat_type, question, answered, created_at) "
        "values (?, 'private', 'vastgelegd', 1, 0)",
        [CHAT],
    )
    writer.execute("begin immediate")  # a write under way while the backup runs
    writer.execute(
        "insert into questions (chat_id, chat_type, question, answered, created_at) "
        "values (?, 'private', 'nog niet vastgelegd', 1, 0)",
        [CHAT],
    )
    target = tmp_path / "backups" / "draaibot.tar.gz"
    result = draaibot("backup", str(target), db=db, knowledge=knowledge)
    writer.execute("commit")
    writer.close()
    assert result.returncode == 0, result.stderr
    assert f"Back-up geschreven: {target}" in result.stdout
    assert target.stat().st_mode & 0o077 == 0  # personal data: for its owner only

    with tarfile.open(target) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert manifest["format"] == "draaibot-backup"
        assert manifest["schema_version"] == SCHEMA_VERSION
        shipped = {
            "knowledge/" + p.relative_to(KNOWLEDGE).as_posix()
            for p in KNOWLEDGE.rglob("*")
            if p.is_file()
        }
        assert set(manifest["files"]) == shipped | {"draaibot.db"}
        tar.extract("draaibot.db", tmp_path / "uit", filter="data")
    copy = tmp_path / "uit" / "draaibot.db"
    assert questions(copy) == ["wat is een kwg?", "vastgelegd"]  # a consistent snapshot
    assert questions(db) == ["wat is een kwg?", "vastgelegd", "nog niet vastgelegd"]
    assert not copy.with_name("draaibot.db-wal").exists()  # one file, no WAL


def test_restore_into_an_empty_place(tmp_path: Path, live: tuple[Path, Path]) -> None:
    db, knowledge = live
    target = tmp_path / "draaibot.tar.gz"
    assert draaibot("backup", str(target), db=db, knowledge=knowledge).returncode == 0

    new_db, new_knowledge = tmp_path / "nieuw" / "data" / "draaibot.db", tmp_path / "nieuw" / "k"
    result = draaibot("restore", str(target), db=new_db, knowledge=new_knowledge)
    assert result.returncode == 0, result.stderr
    assert "Hersteld uit" in result.stdout and "bewaard als" not in result.stdout
    assert questions(new_db) == ["wat is een kwg?"]
    store = Store(new_db)  # the bot opens it as usual
    assert store.answers.question_counts(since=0) == (1, 0)
    store.close()
    assert sorted(p.relative_to(new_knowledge) for p in new_knowledge.rglob("*")) == sorted(
        p.relative_to(KNOWLEDGE) for p in KNOWLEDGE.rglob("*")
    )
    check = draaibot("check", db=new_db, knowledge=new_knowledge)
    assert check.returncode == 0, check.stderr
    leftovers = [p.name for p in new_db.parent.iterdir() if p.name.startswith(".draaibot")]
    assert leftovers == []


def test_restore_over_an_installation_keeps_the_old_one_aside(
    tmp_path: Path, live: tuple[Path, Path]
) -> None:
    db, knowledge = live
    target = tmp_path / "draaibot.tar.gz"
    assert draaibot("backup", str(target), db=db, knowledge=knowledge).returncode == 0
    store = Store(db)  # after the backup: more questions, a changed document
    store.answers.save_answer(CHAT, "private", "na de back-up", True, [], [], 0)
    store.close()
    (knowledge / "documenten" / "nieuw.md").write_text("later", "utf-8")

    result = draaibot("restore", str(target), db=db, knowledge=knowledge)
    assert result.returncode == 0, result.stderr
    assert questions(db) == ["wat is een kwg?"]
    assert not (knowledge / "documenten" / "nieuw.md").exists()
    (old_db,) = db.parent.glob("draaibot.db.voor-herstel-*[0-9]")
    (old_knowledge,) = knowledge.parent.glob("knowledge.voor-herstel-*")
    assert questions(old_db) == ["wat is een kwg?", "na de back-up"]
    assert (old_knowledge / "documenten" / "nieuw.md").read_text("utf-8") == "later"
    assert f"bewaard als {old_db}" in result.stdout


def test_restore_is_refused_while_the_bot_runs(tmp_path: Path, live: tuple[Path, Path]) -> None:
    db, knowledge = live
    target = tmp_path / "draaibot.tar.gz"
    assert draaibot("backup", str(target), db=db, knowledge=knowledge).returncode == 0
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(db, knowledge),
    )
    try:
        assert chat.stdout is not None and chat.stdout.readline()  # it greets: it runs
        refused = draaibot("restore", str(target), db=db, knowledge=knowledge)
        assert refused.returncode == 1
        assert "draaibot draait nog" in refused.stderr and "Traceback" not in refused.stderr
        assert not list(db.parent.glob("*voor-herstel*"))
    finally:
        chat.communicate("/exit\n", timeout=60)
    assert chat.returncode == 0
    allowed = draaibot("restore", str(target), db=db, knowledge=knowledge)
    assert allowed.returncode == 0, allowed.stderr


async def test_restore_is_refused_while_the_telegram_bot_runs(
    tmp_path: Path, live: tuple[Path, Path], fake: FakeBotAPI
) -> None:
    db, knowledge = live
    target = tmp_path / "draaibot.tar.gz"
    assert draaibot("backup", str(target), db=db, knowledge=knowledge).returncode == 0
    env = _env(db, knowledge)
    env.update(
        TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_API_BASE_URL=fake.base_url, DRAAIBOT_WATCH="uit"
    )

    async def cli(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode or 0, err.decode()

    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        fake.text("wat is een kwg?", user=5)
        await fake.wait_sent(1, chat=5, timeout=60)  # it answers: it runs
        code, err = await cli("restore", str(target))
        assert code == 1 and "draaibot draait nog" in err
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 60)
    code, err = await cli("restore", str(target))
    assert code == 0, err


def _tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    "kind", ["garbage", "empty", "no-manifest", "foreign-manifest", "path-escape", "tampered"]
)
def test_restore_refuses_what_is_not_a_draaibot_backup(
    tmp_path: Path, live: tuple[Path, Path], kind: str
) -> None:
    db, knowledge = live
    bad = tmp_path / "bad.tar.gz"
    if kind == "garbage":
        bad.write_bytes(os.urandom(4096))
    elif kind == "empty":
        bad.write_bytes(b"")
    elif kind == "no-manifest":
        _tar_gz(bad, {"draaibot.db": db.read_bytes()})
    elif kind == "foreign-manifest":
        _tar_gz(bad, {"manifest.json": b'{"name": "iets anders"}'})
    elif kind == "path-escape":
        manifest = {
            "format": "draaibot-backup",
            "format_version": 1,
            "schema_version": 1,
            "files": {"draaibot.db": "0", "knowledge/../../buiten.txt": "0"},
        }
        _tar_gz(
            bad,
            {
                "manifest.json": json.dumps(manifest).encode(),
                "draaibot.db": b"",
                "knowledge/../../buiten.txt": b"x",
            },
        )
    else:
        good = tmp_path / "good.tar.gz"
        assert draaibot("backup", str(good), db=db, knowledge=knowledge).returncode == 0
        with tarfile.open(good) as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
        members["knowledge/synoniemen.yaml"] += b"\n# veranderd\n"
        _tar_gz(bad, members)

    def state() -> tuple[list[str], list[str]]:
        asked = questions(db)  # first: closing the last connection removes the WAL files
        return asked, sorted(n for n in os.listdir(db.parent) if not n.endswith(".lock"))

    before = state()
    result = draaibot("restore", str(bad), db=db, knowledge=knowledge)
    assert result.returncode == 1
    assert result.stderr.startswith("draaibot restore: ") and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert state() == before
    assert not (tmp_path / "buiten.txt").exists()


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = draaibot(
        "backup", str(tmp_path / "b.tar.gz"), db=tmp_path / "geen.db", knowledge=KNOWLEDGE
    )
    assert result.returncode == 1 and "bestaat niet" in result.stderr
    assert not (tmp_path / "b.tar.gz").exists()


def test_backup_is_not_written_into_the_knowledge_folder(live: tuple[Path, Path]) -> None:
    db, knowledge = live
    inside = knowledge / "backups" / "b.tar.gz"
    result = draaibot("backup", str(inside), db=db, knowledge=knowledge)
    assert result.returncode == 1 and "buiten de kennismap" in result.stderr
    assert not (knowledge / "backups").exists()


def test_backup_to_an_impossible_place_is_one_line(tmp_path: Path, live: tuple[Path, Path]) -> None:
    db, knowledge = live
    (tmp_path / "bestand").write_text("", "utf-8")
    result = draaibot("backup", str(tmp_path / "bestand" / "b.tar.gz"), db=db, knowledge=knowledge)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("draaibot backup: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_restore_that_fails_halfway_changes_nothing(
    tmp_path: Path, live: tuple[Path, Path]
) -> None:
    db, knowledge = live
    target = tmp_path / "draaibot.tar.gz"
    assert draaibot("backup", str(target), db=db, knowledge=knowledge).returncode == 0
    blocked = tmp_path / "elders" / "draaibot.db"
    (blocked / "iets").mkdir(parents=True)  # a folder where the database should go
    marker = knowledge / "documenten" / "blijft.md"
    marker.write_text("blijft", "utf-8")
    result = draaibot("restore", str(target), db=blocked, knowledge=knowledge)
    assert result.returncode == 1
    assert "er is niets veranderd" in result.stderr and "Traceback" not in result.stderr
    assert marker.read_text("utf-8") == "blijft"  # the knowledge folder was put back
    assert [p.name for p in knowledge.parent.iterdir() if "knowledge" in p.name] == ["knowledge"]
    assert sorted(p.name for p in blocked.parent.iterdir()) == ["draaibot.db", "draaibot.db.lock"]

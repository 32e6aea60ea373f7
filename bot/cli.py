"""The `draaibot` command line: run, chat, ask, check, index, eval."""

from __future__ import annotations

import argparse
import errno
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.config import Config
from bot.knowledge import (
    INDEX_CACHE,
    LAST_GOOD,
    KnowledgeBase,
    build_snapshot,
    cached_index,
    check_knowledge,
    inspect_with_cache,
    snapshot_diff,
    start_knowledge,
)
from index.search import InvalidKnowledge


def _knowledge(args: argparse.Namespace, config: Config) -> Path:
    return Path(args.knowledge) if args.knowledge else config.knowledge


def _cache_file(config: Config) -> Path:
    """The index cache, beside the database (see bot.knowledge)."""
    return config.db_file.parent / INDEX_CACHE


def _load(folder: Path, config: Config) -> KnowledgeBase:
    kb = KnowledgeBase(folder, cache_file=_cache_file(config))
    kb.index  # noqa: B018 - build now, so a broken folder fails before any question
    return kb


def _start(args: argparse.Namespace, config: Config) -> KnowledgeBase:
    """The knowledge for the bot or the chat: with errors, the last good copy (and a warning)."""
    kb = start_knowledge(
        _knowledge(args, config), config.db_file.parent / LAST_GOOD, _cache_file(config)
    )
    if kb.startup_problems:
        print(
            "Let op: de kennismap bevat fouten; ik start met de laatst goede versie "
            f"({kb.last_good}). Los deze fouten op:",
            file=sys.stderr,
        )
        for problem in kb.startup_problems:
            print(problem, file=sys.stderr)
    return kb


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    folder = _knowledge(args, config)
    found = inspect_with_cache(folder, _cache_file(config))
    for problem in found.problems:
        print(problem, file=sys.stderr if problem.is_error else sys.stdout)
    n_errors = sum(p.is_error for p in found.problems)
    n_warnings = len(found.problems) - n_errors
    if n_errors:
        print(f"{n_errors} fout(en), {n_warnings} waarschuwing(en) in {folder}", file=sys.stderr)
        return 1
    sections = sum(len(d.sections) for d in found.documents)
    print(
        f"in orde: {len(found.documents)} documenten, {sections} secties, "
        f"{len(found.flows)} vragenrondes, {len(found.templates)} checklists, "
        f"{n_warnings} waarschuwing(en)"
    )
    return 0


def cmd_index(args: argparse.Namespace, config: Config) -> int:
    started = time.perf_counter()
    kb = _load(_knowledge(args, config), config)
    index = kb.index
    seconds = time.perf_counter() - started
    if args.secties:
        for section in index.sections:
            print(f"{section.id}\t{section.citation}")
        return 0
    counts: dict[str, tuple[int, int]] = {}
    for section in index.sections:
        n, tokens = counts.get(section.doc, (0, 0))
        counts[section.doc] = (n + 1, tokens + len(index.analyzer.terms(section.text)))
    print(f"{'document':<28} {'secties':>8} {'termen':>8}")
    for doc in index.documents:
        n, tokens = counts.get(doc.slug, (0, 0))
        print(f"{doc.slug:<28} {n:>8} {tokens:>8}")
    total = sum(tokens for _, tokens in counts.values())
    print(f"{'totaal':<28} {len(index.sections):>8} {total:>8}")
    print(
        f"{len(index.windows)} zoekvensters, woordenschat {len(index.bm25.idf)} termen, "
        f"vraagvormen bij {len(index.wordings)} secties; gebouwd in {seconds:.2f} s"
    )
    return 0


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    from bot.render_text import answer_text

    folder = _knowledge(args, config)
    index = cached_index(folder, _cache_file(config)) or _load(folder, config).index
    questions: Iterable[str] = [" ".join(args.question)] if args.question else sys.stdin
    for question in questions:
        question = question.rstrip("\n")
        result = index.search(question, top=args.top)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            print(answer_text(result) + "\n", flush=True)
    return 0


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from bot.assistant import Assistant
    from bot.lock import bot_running
    from bot.storage import Store
    from bot.terminal import chat

    store = Store(config.db)  # a database that cannot be written stops here, in one line
    try:
        with bot_running(config.db_file):  # `draaibot restore` refuses while this is held
            assistant = Assistant(_start(args, config), store, config.retention_days)
            return chat(assistant)
    finally:
        store.close()


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    if not config.token:
        print("Geen TELEGRAM_BOT_TOKEN ingesteld: ik start de chat in de terminal.\n")
        return cmd_chat(args, config)
    from bot.lock import bot_running
    from bot.storage import Store
    from bot.telegram_app import run

    Store(config.db).close()  # a database that cannot be written stops here, in one line
    with bot_running(config.db_file):
        return run(config, _start(args, config))


def cmd_diff(args: argparse.Namespace, config: Config) -> int:
    old, new = Path(args.old), Path(args.new)
    snapshots = []
    for folder in (old, new):
        try:
            snapshots.append(build_snapshot(folder))
        except InvalidKnowledge as exc:
            print(f"{folder} bevat fouten:", file=sys.stderr)
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
    print(snapshot_diff(snapshots[0], snapshots[1]).text())
    return 0


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    from bot.importer import ImportError_, import_file

    folder = _knowledge(args, config)
    try:
        target, draft = import_file(Path(args.file), folder, args.name, args.force, args.title)
    except ImportError_ as exc:
        print(f"draaibot import: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # reading the source file itself failed
        print(f"draaibot import: {_os_error(exc, args.file)}", file=sys.stderr)
        return 1
    print(f"Concept geschreven: {target} ({draft.headings} koppen)")
    print("Nog na te kijken:")
    for check in draft.checks:
        print(f"- {check}")
    problems = [p for p in check_knowledge(folder) if str(p.path) == str(target)]
    if problems:
        print("draaibot check meldt voor dit bestand:")
        for problem in problems:
            print(f"  {problem}")
    else:
        print("draaibot check: dit bestand is in orde.")
    return 0


def _os_error(exc: OSError, default: object) -> str:
    """A file system error in one Dutch line."""
    reasons = {
        errno.EACCES: "geen toegang",
        errno.EPERM: "niet toegestaan",
        errno.ENOENT: "bestaat niet",
        errno.ENOSPC: "de schijf is vol",
        errno.EROFS: "alleen-lezen bestandssysteem",
        errno.EISDIR: "is een map",
        errno.ENOTDIR: "is geen map",
        errno.EEXIST: "bestaat al en is geen map",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{exc.filename or default}: {reason}"


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from bot.backup import BackupError, make_backup

    target = Path(args.file)
    try:
        manifest = make_backup(config.db_file, _knowledge(args, config), target)
    except BackupError as exc:
        print(f"draaibot backup: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"draaibot backup: {_os_error(exc, target)}", file=sys.stderr)
        return 1
    print(
        f"Back-up geschreven: {target} (database schema {manifest.schema_version}, "
        f"{manifest.knowledge_files} bestanden uit de kennismap)"
    )
    return 0


def cmd_restore(args: argparse.Namespace, config: Config) -> int:
    from bot.backup import BackupError, restore_backup

    knowledge = _knowledge(args, config)
    try:
        restored = restore_backup(Path(args.file), config.db_file, knowledge)
    except BackupError as exc:
        print(f"draaibot restore: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"draaibot restore: {_os_error(exc, args.file)}", file=sys.stderr)
        return 1
    manifest = restored.manifest
    print(
        f"Hersteld uit {args.file} (gemaakt {manifest.created_at}): database {config.db_file}, "
        f"kennismap {knowledge} ({manifest.knowledge_files} bestanden)."
    )
    for kept in restored.kept:
        print(f"Wat er stond is bewaard als {kept}; verwijder het als alles werkt.")
    print("Start de bot weer; bij de start werkt hij de database zo nodig bij.")
    return 0


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    from bot.status import check_health

    health = check_health(config.db_file, _knowledge(args, config), bool(config.token), time.time)
    print("draaibot: in orde" if health.healthy else "draaibot: NIET in orde")
    for line in health.lines:
        print(line)
    for problem in health.problems:
        print(f"probleem: {problem}", file=sys.stderr)
    return 0 if health.healthy else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="draaibot",
        description="draaibot: vragen over kleinschalige opvang (KSO) met bronvermelding",
    )
    p.add_argument(
        "--knowledge", help="de kennismap (standaard: DRAAIBOT_KNOWLEDGE of ./knowledge)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMANDO")
    sub.add_parser("run", help="start de Telegram-bot (zonder token: de chat in de terminal)")
    sub.add_parser("chat", help="chat in de terminal met dezelfde assistent")
    ask = sub.add_parser("ask", help="beantwoord een vraag (of een vraag per regel op stdin)")
    ask.add_argument("question", nargs="*", help="de vraag; zonder vraag: lees stdin")
    ask.add_argument("--json", action="store_true", help="een JSON-object per vraag")
    ask.add_argument("--top", type=_positive, default=3, help="hoeveel passages (standaard 3)")
    sub.add_parser("check", help="controleer de kennismap (fouten als bestand:regel)")
    index = sub.add_parser("index", help="bouw de index en toon wat erin staat")
    index.add_argument(
        "--secties", action="store_true", help="toon elke sectie met haar id en verwijzing"
    )
    diff = sub.add_parser("diff", help="wat is er veranderd tussen twee kennismappen")
    diff.add_argument("old", help="de oude kennismap")
    diff.add_argument("new", help="de nieuwe kennismap")
    imp = sub.add_parser(
        "import", help="maak een Markdown-concept van een PDF, Word- of tekstbestand"
    )
    imp.add_argument("file", help="het bestand (.pdf, .docx of .txt)")
    imp.add_argument(
        "--name", required=True, help="de naam van het document, bijv. pve-huisvesting"
    )
    imp.add_argument("--title", help="de titel (standaard: de eerste kop)")
    imp.add_argument("--force", action="store_true", help="overschrijf een bestaand document")
    backup = sub.add_parser(
        "backup", help="schrijf database en kennismap naar één bestand (ook terwijl de bot draait)"
    )
    backup.add_argument("file", help="het back-upbestand, bijv. draaibot-2026-11-28.tar.gz")
    restore = sub.add_parser(
        "restore", help="zet een back-up terug (alleen als de bot niet draait)"
    )
    restore.add_argument("file", help="het back-upbestand")
    sub.add_parser(
        "status",
        help="kennis, database, wachtrij en Bot API in één overzicht; "
        "exit 1 als er iets mis is (voor een HEALTHCHECK)",
    )
    return p


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is geen geheel getal") from None
    if not 1 <= number <= 20:
        raise argparse.ArgumentTypeError("kies een aantal van 1 tot en met 20")
    return number


COMMANDS = {
    "run": cmd_run,
    "chat": cmd_chat,
    "ask": cmd_ask,
    "check": cmd_check,
    "index": cmd_index,
    "diff": cmd_diff,
    "import": cmd_import,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "status": cmd_status,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = Config.from_env()
        return COMMANDS[args.command](args, config)
    except InvalidKnowledge as exc:
        print("De kennismap bevat fouten; los ze op en probeer opnieuw:", file=sys.stderr)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"draaibot: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # the database layer (and sqlite-utils) is imported only by the commands that use it
        storage = sys.modules.get("bot.storage")
        if storage is None or not isinstance(exc, storage.StorageError):
            raise
        print(f"draaibot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

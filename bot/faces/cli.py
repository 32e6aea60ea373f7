"""The `draaibot` command line: one `cmd_<verb>` function per verb, listed in COMMANDS (the
README's table of commands lists the same, see tests/test_cli.py)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config
from bot.knowledge import (
    INDEX_CACHE,
    LAST_GOOD,
    KnowledgeBase,
    build_snapshot,
    cached_index,
    inspect_with_cache,
    snapshot_diff,
    start_knowledge,
)
from index.search import InvalidKnowledge

if TYPE_CHECKING:  # imported where used: `draaibot ask` needs none of these
    from bot.admin.publishing import Publisher


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
    from index.documents import SectionCount

    folder = _knowledge(args, config)
    found = inspect_with_cache(folder, _cache_file(config))
    for problem in found.problems:
        print(problem, file=sys.stderr if problem.is_error else sys.stdout)
    n_errors = sum(p.is_error for p in found.problems)
    n_warnings = len(found.problems) - n_errors
    if n_errors:
        print(f"{n_errors} fout(en), {n_warnings} waarschuwing(en) in {folder}", file=sys.stderr)
        return 1
    print(
        f"in orde: {len(found.documents)} documenten, {SectionCount.of(found.documents).text()}, "
        f"{len(found.flows)} vragenrondes, {len(found.templates)} checklists, "
        f"{n_warnings} waarschuwing(en)"
    )
    _check_drafts(folder)
    return 0


def _check_drafts(folder: Path) -> None:
    """The drafts waiting in the drafts folder, each checked as if published now (reported on
    their own: a draft never makes the live folder fail)."""
    from bot.admin.publishing import Publisher, problem_lines

    publisher = Publisher(KnowledgeBase(folder))
    for draft in publisher.drafts():
        review = publisher.review(draft)
        if not review.problems and not review.elsewhere:
            print(f"concept {draft.name}: in orde (wordt {draft.target})")
            continue
        print(f"concept {draft.name} (wordt {draft.target}):")
        print(problem_lines(review.problems + review.elsewhere, own=False, limit=100))


def cmd_index(args: argparse.Namespace, config: Config) -> int:
    from index.documents import SectionCount

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
    print(f"{len(index.documents)} documenten, {SectionCount.of(index.documents).text()}")
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
    from bot.faces.terminal import chat
    from bot.lock import bot_running
    from bot.store import Store

    store = Store(config.db)  # a database that cannot be written stops here, in one line
    try:
        with bot_running(config.db_file):  # `draaibot restore` refuses while this is held
            assistant = Assistant(_start(args, config), store, config.retention_days)
            assistant.admins.seed(config.admins)  # as the bot does: /beheerders shows the same
            return chat(assistant, watch=config.watch)
    finally:
        store.close()


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    if not config.token:
        print("Geen TELEGRAM_BOT_TOKEN ingesteld: ik start de chat in de terminal.\n")
        return cmd_chat(args, config)
    from bot.faces.telegram_app import run
    from bot.lock import bot_running
    from bot.store import Store

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
    """A draft in the drafts folder (never live); with --publiceer published at once."""
    from bot.admin.publishing import DRAFTS_DIR, PublishError, problem_lines, safe_target
    from bot.importer import ImportError_, document_name, import_file

    folder = _knowledge(args, config)
    publisher = _publisher(args, config)
    try:
        name = document_name(args.name)
        relative = f"documenten/{name}.md"
        if args.publiceer:
            live = safe_target(folder, relative)  # never through a link, never outside
            if live.exists() and not args.force:
                raise ImportError_(f"{live} bestaat al; gebruik --force om het te vervangen")
        drafts = folder / DRAFTS_DIR / name
        target, draft = import_file(Path(args.file), drafts, name, args.force, args.title)
        meta = publisher.save_draft(
            name,
            relative,
            target.read_text("utf-8"),
            _shell_user(),
            Path(args.file).name,
            draft.checks,
        )
    except (ImportError_, PublishError) as exc:
        print(f"draaibot import: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # reading the source file itself failed
        print(f"draaibot import: {_os_error(exc, args.file)}", file=sys.stderr)
        return 1
    print(f"Concept geschreven: {target} ({draft.headings} koppen); wordt {relative}")
    print("Nog na te kijken:")
    for check in draft.checks:
        print(f"- {check}")
    review = publisher.review(meta)
    if review.problems or review.elsewhere:
        print("draaibot check meldt voor dit concept:")
        print(problem_lines(review.problems + review.elsewhere, own=False, limit=100))
    else:
        print("draaibot check: dit bestand is in orde.")
    if not args.publiceer:
        print(f"Publiceren (daarna is het live): draaibot publiceer {name}")
        return 0
    return _publish(publisher, name, command="import")


def _shell_user() -> str:
    import getpass

    try:
        return f"{getpass.getuser()} (terminal)"
    except (OSError, KeyError):
        return "terminal"


def _publisher(args: argparse.Namespace, config: Config) -> Publisher:
    from bot.admin.publishing import Publisher

    # No last good copy here: a running bot keeps its own when its watcher loads the change,
    # and a bot that starts later makes one at start-up.
    knowledge = KnowledgeBase(_knowledge(args, config))
    # loaded now, so what a publish or rollback changes is told against what was live; a broken
    # live folder loads nothing (a rollback may be just what mends it)
    with contextlib.suppress(InvalidKnowledge):
        knowledge.reload()
    return Publisher(knowledge)


def _publish(
    publisher: Publisher, name: str, force: bool = False, command: str = "publiceer"
) -> int:
    from bot.admin.publishing import PublishError, StaleDraft, problem_lines

    try:
        done = publisher.publish(name, _shell_user(), None)
    except StaleDraft as exc:
        review = exc.review
        print(f"draaibot {command}: {exc}", file=sys.stderr)
        if review.diff is not None:
            print(review.diff.text())
        if not force:
            print("Publiceer na controle met --force.", file=sys.stderr)
            return 1
        done = publisher.publish(name, _shell_user(), review.seen)
    except PublishError as exc:
        print(f"draaibot {command}: {exc}", file=sys.stderr)
        if exc.problems:
            print(problem_lines(exc.problems, own=False, limit=100))
        return 1
    number = done.version.number if done.version else "-"
    print(
        f"Gepubliceerd als versie {number}." + (" Ook in git vastgelegd." if done.committed else "")
    )
    print(done.diff.text())
    print("Draait de bot, dan laadt hij de kennis vanzelf opnieuw (of typ /herlaad).")
    return 0


def cmd_drafts(args: argparse.Namespace, config: Config) -> int:
    publisher = _publisher(args, config)
    drafts = publisher.drafts()
    if not drafts:
        print("Geen concepten.")
    for draft in drafts:
        review = publisher.review(draft)
        state = "fouten" if review.errors else ("verouderd" if review.stale else "klaar")
        print(f"{draft.name}\t{draft.target}\t{state}\t{draft.who}\t{draft.source}")
    return 0


def cmd_publish(args: argparse.Namespace, config: Config) -> int:
    return _publish(_publisher(args, config), args.concept, args.force)


def cmd_versions(args: argparse.Namespace, config: Config) -> int:
    versions = _publisher(args, config).versions()
    if not versions:
        print("Nog geen versies vastgelegd.")
    for version in versions:
        print(version.line())
    return 0


def cmd_restore_version(args: argparse.Namespace, config: Config) -> int:
    from bot.admin.publishing import PublishError, problem_lines

    publisher = _publisher(args, config)
    try:
        changes = publisher.restore_changes(args.versie)
        if not changes:
            raise PublishError(f"de kennis is nu al wat ze was na versie {args.versie}")
        for path, text in sorted(changes.items()):
            print(
                f"- {path} ({'wordt verwijderd' if text is None else 'krijgt de inhoud van toen'})"
            )
        if not args.ja:
            print("Zet terug met: draaibot terugzetten", args.versie, "--ja")
            return 0
        done = publisher.restore(args.versie, _shell_user())
    except PublishError as exc:
        print(f"draaibot terugzetten: {exc}", file=sys.stderr)
        if exc.problems:
            print(problem_lines(exc.problems, own=False, limit=100))
        return 1
    number = done.version.number if done.version else "-"
    print(f"Teruggezet naar versie {args.versie}; vastgelegd als versie {number}.")
    print(done.diff.text())
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


def cmd_beheerders(args: argparse.Namespace, config: Config) -> int:
    """The admins (seeded by DRAAIBOT_ADMINS), and adding or removing one from the shell."""
    from bot.admin.admins import SHELL, Admins, parse_id
    from bot.store import Store

    store = Store(config.db)
    try:
        admins = Admins(store)
        admins.seed(config.admins)
        if args.action is None:
            ids = admins.ids()
            print(f"Beheerders ({len(ids)}):")
            for user_id in ids:
                print(f"- {user_id}")
            return 0
        target = parse_id(args.id or "")
        if target is None:
            print(
                f"draaibot beheerders: {args.id or ''!r} is geen gebruikersnummer "
                "(alleen cijfers, bijvoorbeeld 123456789)",
                file=sys.stderr,
            )
            return 2
        change = (
            admins.add(target, SHELL)
            if args.action == "toevoegen"
            else admins.remove(target, SHELL)
        )
        print(change.message, file=sys.stdout if change.changed else sys.stderr)
        if change.changed and args.action == "toevoegen":
            print("Het menu met beheercommando's verschijnt bij de volgende start van de bot.")
        return 0 if change.changed else 1
    finally:
        store.close()


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
    imp.add_argument(
        "--force", action="store_true", help="overschrijf een bestaand concept (of document)"
    )
    imp.add_argument(
        "--publiceer", action="store_true", help="publiceer het concept meteen (na de controle)"
    )
    sub.add_parser("concepten", help="de concepten die klaarstaan, met hun controle")
    pub = sub.add_parser("publiceer", help="publiceer een concept (controle, dan live)")
    pub.add_argument("concept", help="de naam van het concept (zie draaibot concepten)")
    pub.add_argument(
        "--force", action="store_true", help="ook als het live bestand intussen veranderde"
    )
    sub.add_parser("versies", help="de laatste versies van de kennis")
    back = sub.add_parser("terugzetten", help="zet de kennis terug naar versie N")
    back.add_argument("versie", type=int, help="het nummer uit draaibot versies")
    back.add_argument("--ja", action="store_true", help="zonder deze optie: alleen tonen")
    backup = sub.add_parser(
        "backup", help="schrijf database en kennismap naar één bestand (ook terwijl de bot draait)"
    )
    backup.add_argument("file", help="het back-upbestand, bijv. draaibot-2026-11-28.tar.gz")
    restore = sub.add_parser(
        "restore", help="zet een back-up terug (alleen als de bot niet draait)"
    )
    restore.add_argument("file", help="het back-upbestand")
    beheer = sub.add_parser(
        "beheerders", help="toon de beheerders, of voeg er een toe of verwijder er een"
    )
    beheer.add_argument("action", nargs="?", choices=["toevoegen", "verwijderen"])
    beheer.add_argument("id", nargs="?", help="het gebruikersnummer in Telegram")
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
    "concepten": cmd_drafts,
    "publiceer": cmd_publish,
    "versies": cmd_versions,
    "terugzetten": cmd_restore_version,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "status": cmd_status,
    "beheerders": cmd_beheerders,
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
        storage = sys.modules.get("bot.store")
        if storage is None or not isinstance(exc, storage.StorageError):
            raise
        print(f"draaibot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

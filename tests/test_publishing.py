"""Keeping the knowledge up to date from Telegram, end to end through the fake Bot API: upload,
review, try, publish, versions, rollback, refusals; and the same path from the command line."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import importer
from bot.admin.publishing import (
    DRAFTS_DIR,
    Published,
    Publisher,
    PublishError,
    StaleDraft,
    live_files,
)
from bot.faces.cli import COMMANDS as CLI_COMMANDS
from bot.faces.telegram_app import file_url
from bot.knowledge import KnowledgeBase
from bot.reloading import KnowledgeReloader
from handlers.chat import RELOADER
from handlers.knowledge_admin import upload_name
from index.search import KnowledgeIndex
from tests.conftest import ROOT, plain
from tests.fakebot import Call, FakeBotAPI
from tests.telegram_harness import ADMIN_ID, running_bot
from tests.test_cli import terminal_chat
from tests.test_import_robustness import DOCX_XML
from tests.test_import_robustness import word_file as word_file_with

USER = 7
PETS_QUESTION = "mogen jongeren een huisdier houden in de woning?"
VISIT_QUESTION = "tot hoe laat is bezoek welkom?"

HOUSE_RULES = """---
title: Huisregels KSO
short: Huisregels
publisher: Nidos
version: "2027"
source: test
---

## 1. Roken

Roken is nergens in de woning toegestaan.

## 2. Huisdieren

Jongeren mogen in de woning geen huisdier houden, ook geen hamster of vis.
"""


def word_file() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Bezoekregeling", level=1)
    document.add_paragraph("Bezoek is welkom tot 22.00 uur, na afspraak met de mentor.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def texts(fake: FakeBotAPI, chat: int = ADMIN_ID) -> list[str]:
    return [plain(c.text) for c in fake.sent(chat=chat)]


async def next_message(fake: FakeBotAPI, chat: int = ADMIN_ID, timeout: float = 20) -> Call:
    """The next message the bot sends to `chat` after now."""
    before = len(fake.sent(chat=chat))
    return (await fake.wait_sent(before + 1, chat=chat, timeout=timeout))[before]


async def say(fake: FakeBotAPI, text: str, chat: int = ADMIN_ID) -> Call:
    before = len(fake.sent(chat=chat))
    fake.text(text, user=chat)
    return (await fake.wait_sent(before + 1, chat=chat, timeout=20))[before]


async def upload(fake: FakeBotAPI, name: str, content: bytes, user: int = ADMIN_ID) -> Call:
    before = len(fake.sent(chat=user))
    fake.document(name, content, user=user)
    return (await fake.wait_sent(before + 1, chat=user, timeout=30))[before]


async def press(fake: FakeBotAPI, call: Call, label: str, user: int = ADMIN_ID) -> Call:
    data = dict(call.buttons())[label]
    return await press_data(fake, call, data, user)


async def press_data(fake: FakeBotAPI, call: Call, data: str, user: int = ADMIN_ID) -> Call:
    before = len(fake.sent(chat=user))
    answers = fake.counts.get("answerCallbackQuery", 0)
    fake.press(data, FakeBotAPI.bot_message(call), user=user)
    await fake.wait_for(
        lambda f: (
            len(f.sent(chat=user)) > before or f.counts.get("answerCallbackQuery", 0) > answers
        ),
        timeout=30,
    )
    await fake.wait_for(lambda f: f.counts.get("answerCallbackQuery", 0) > answers, timeout=30)
    sent = fake.sent(chat=user)
    return sent[before] if len(sent) > before else fake.sent("answerCallbackQuery")[-1]


def test_the_file_url_is_derived_from_the_api_base_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url("http://h/bot{token}") == "http://h/file/bot{token}"


async def test_upload_review_publish_versions_rollback_and_restart(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    folder, db = small_knowledge, tmp_path / "p.db"
    async with running_bot(fake, db, shipped_index, folder=folder):
        # a Word file: converted, summarised, published
        review = await upload(fake, "bezoek.docx", word_file())
        shown = plain(review.text)
        assert "Titel: Bezoekregeling" in shown and "Wordt: documenten/bezoek.md" in shown
        assert "Documenten toegevoegd (1):\n- Bezoekregeling" in shown
        labels = [label for label, _ in review.buttons()]
        assert labels == ["Publiceren", "Bekijk concept", "Probeer", "Verwerpen"]
        assert not (folder / "documenten" / "bezoek.md").exists()  # a draft is never live
        viewed = await press(fake, review, "Bekijk concept")
        assert viewed.method == "answerCallbackQuery"
        await fake.wait_sent(1, "sendDocument", chat=ADMIN_ID)
        sent = fake.sent("sendDocument", chat=ADMIN_ID)[0].params["document"]
        assert sent["filename"] == "bezoek.md" and b"## Bezoekregeling" in sent["content"]
        done = await press(fake, review, "Publiceren")
        assert "Gepubliceerd en geladen als versie 1" in plain(done.text)

        # a Markdown file with a new section: tried first, then published
        review = await upload(fake, "huisregels.md", HOUSE_RULES.encode())
        shown = plain(review.text)
        assert "Secties (2):" in shown and "Huisregels › 2. Huisdieren" in shown
        assert "Secties toegevoegd" in shown
        before = plain((await say(fake, PETS_QUESTION)).text)
        assert "Huisregels" not in before
        trying = await press(fake, review, "Probeer")
        assert "U probeert nu concept huisregels" in plain(trying.text)
        tried = plain((await say(fake, PETS_QUESTION)).text)
        assert tried.startswith("[CONCEPT huisregels, nog niet gepubliceerd]")
        assert "Huisregels › 2. Huisdieren" in tried
        assert "Gestopt met proberen" in plain((await say(fake, "/stop")).text)
        done = await press(fake, review, "Publiceren")
        assert "versie 2" in plain(done.text) and "Secties toegevoegd" in plain(done.text)

        # a broken upload: no Publiceren, a forged press refused, the live folder unchanged
        live = live_files(folder)
        broken = await upload(fake, "kapot.md", b"## Zonder front matter\n\nTekst.\n")
        shown = plain(broken.text)
        assert "regel 1: fout: front matter ontbreekt" in shown
        assert "Secties (1):\n- kapot › Zonder front matter" in shown
        assert "Publiceren" not in dict(broken.buttons())
        refused = await press_data(fake, broken, "k:p:kapot:0")
        assert "bevat fouten" in plain(refused.text)
        assert live_files(folder) == live

        # a non-admin's file is refused, and nothing is downloaded
        downloads = len(fake.downloads)
        refusal = await upload(fake, "x.md", HOUSE_RULES.encode(), user=USER)
        assert "Alleen beheerders" in plain(refusal.text)
        assert len(fake.downloads) == downloads
        # a file above Telegram's 20 MB download limit is refused before it is fetched
        fake.document("groot.pdf", b"%PDF", user=ADMIN_ID, size=25_000_000)
        too_big = await next_message(fake)
        assert "te groot" in plain(too_big.text) and len(fake.downloads) == downloads

    # a restart on the same data loses nothing
    async with running_bot(fake, db, shipped_index, folder=folder):
        answer = plain((await say(fake, PETS_QUESTION)).text)
        assert "Huisregels › 2. Huisdieren" in answer
        versions = plain((await say(fake, "/versies")).text)
        assert "Versie 2" in versions and "Versie 1" in versions
        assert "concept huisregels gepubliceerd" in versions
        drafts = plain((await say(fake, "/concepten")).text)
        assert "Concept kapot" in drafts  # the broken draft waits
        stale = await press_data(fake, review, "k:p:huisregels:0")
        assert stale.method == "answerCallbackQuery"
        assert "bestaat niet meer" in stale.params["text"]

        confirm = await say(fake, "/terugzetten 1")
        assert "terugzetten naar versie 1" in plain(confirm.text)
        assert "documenten/huisregels.md (wordt verwijderd)" in plain(confirm.text)
        restored = await press(fake, confirm, "Ja, zet terug")
        assert "versie 3" in plain(restored.text)
        assert "Documenten verwijderd (1):\n- Huisregels KSO" in plain(restored.text)
        answer = plain((await say(fake, PETS_QUESTION)).text)
        assert "Huisregels" not in answer
        assert "Bezoekregeling" in plain((await say(fake, VISIT_QUESTION)).text)
        versions = plain((await say(fake, "/versies")).text)
        assert "Versie 3" in versions and "teruggezet naar versie 1" in versions


async def test_buttons_and_uploads_are_for_admins_in_a_private_chat(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "a.db", shipped_index, folder=small_knowledge):
        review = await upload(fake, "huisregels.md", HOUSE_RULES.encode())
        refused = await press(fake, review, "Publiceren", user=USER)
        assert refused.method == "answerCallbackQuery"
        assert "alleen voor beheerders" in refused.params["text"]
        assert not (small_knowledge / "documenten" / "huisregels.md").exists()
        fake.document("huisregels.md", HOUSE_RULES.encode(), user=ADMIN_ID, chat=-100)
        group = (await fake.wait_sent(1, chat=-100, timeout=20))[0]
        assert "privéchat" in plain(group.text)
        # a Word file that unpacks far beyond the limit (a zip bomb) is refused, nothing kept
        size = importer.MAX_UNPACKED_BYTES + 1024 * 1024
        bomb = word_file_with(tmp_path / "bom.docx", DOCX_XML.format(text="a" * size).encode())
        refused_bomb = plain((await upload(fake, "bom.docx", bomb.read_bytes())).text)
        assert "bom.docx is uitgepakt te groot" in refused_bomb
        assert not (small_knowledge / DRAFTS_DIR / "bom").exists()
        usage = plain((await say(fake, "/terugzetten abc")).text)
        assert "Gebruik: /terugzetten N" in usage
        assert "Alleen" in plain((await say(fake, "/versies", chat=USER)).text) or "alleen" in (
            plain(fake.sent(chat=USER)[-1].text)
        )


def test_a_draft_against_an_older_version_shows_the_difference_first(
    small_knowledge: Path,
) -> None:
    publisher = Publisher(KnowledgeBase(small_knowledge))
    target = "documenten/test.md"
    old = (small_knowledge / target).read_text("utf-8")
    draft = publisher.save_draft("test", target, old.replace("11,5 m2", "12 m2"), "Anna", "t", [])
    # meanwhile somebody else publishes another change of the same document
    other = publisher.save_draft(
        "ander", target, old.replace("tuin.", "tuin met schuur."), "B", "", []
    )
    publisher.publish(other.name, "B")
    with pytest.raises(StaleDraft) as stale:
        publisher.publish(draft.name, "Anna")
    review = stale.value.review
    assert review.stale and review.diff is not None
    assert review.diff.sections_changed  # the difference with what is live now
    assert "12 m2" not in (small_knowledge / target).read_text("utf-8")
    done = publisher.publish(draft.name, "Anna", review.seen)  # after review
    assert done.version is not None and done.version.number == 2
    assert "12 m2" in (small_knowledge / target).read_text("utf-8")


def test_history_is_bounded_and_git_commits_each_publish(small_knowledge: Path) -> None:
    git = shutil.which("git")
    if git is not None:
        subprocess.run([git, "init", "-q", str(small_knowledge)], check=True)
    publisher = Publisher(KnowledgeBase(small_knowledge))
    target = "documenten/test.md"
    text = (small_knowledge / target).read_text("utf-8")
    for n in range(52):
        publisher.save_draft("test", target, text + f"\nRegel {n}.\n", "Anna", "t", [])
        publisher.publish("test", "Anna")
    versions = publisher.versions()
    assert len(versions) == 50 and versions[0].number == 52 and versions[-1].number == 3
    with pytest.raises(PublishError, match="niet meer bewaard"):
        publisher.restore(1, "Anna")
    if git is not None:
        log = subprocess.run(
            [git, "-C", str(small_knowledge), "log", "--oneline"], capture_output=True, text=True
        )
        assert log.stdout.count("draaibot versie") == 52


def run_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    env["DRAAIBOT_DB"] = str(folder.parent / "data" / "d.db")
    return subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(folder), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_import_writes_a_draft_and_publishing_is_explicit_from_the_command_line(
    tmp_path: Path, small_knowledge: Path
) -> None:
    source = tmp_path / "bezoek.txt"
    source.write_text("2. Bezoek\n\nBezoek is welkom tot 22.00 uur, na afspraak.\n", "utf-8")
    live = live_files(small_knowledge)
    imported = run_cli(small_knowledge, "import", str(source), "--name", "bezoek")
    assert imported.returncode == 0, imported.stderr
    assert "draaibot publiceer bezoek" in imported.stdout
    assert live_files(small_knowledge) == live  # never live without an explicit publish
    assert (small_knowledge / DRAFTS_DIR / "bezoek" / "documenten" / "bezoek.md").is_file()
    listed = run_cli(small_knowledge, "concepten")
    assert listed.returncode == 0 and "bezoek" in listed.stdout
    checked = run_cli(small_knowledge, "check")
    assert checked.returncode == 0, checked.stderr
    assert "concept bezoek: in orde" in checked.stdout
    published = run_cli(small_knowledge, "publiceer", "bezoek")
    assert published.returncode == 0, published.stderr
    assert "versie 1" in published.stdout
    assert (small_knowledge / "documenten" / "bezoek.md").is_file()
    versions = run_cli(small_knowledge, "versies")
    assert "Versie 1" in versions.stdout and "documenten/bezoek.md" in versions.stdout
    back = run_cli(small_knowledge, "terugzetten", "1")
    assert back.returncode == 1 and "al wat ze was" in back.stderr
    source.write_text("2. Bezoek\n\nBezoek is welkom tot 21.00 uur.\n", "utf-8")
    again = run_cli(
        small_knowledge, "import", str(source), "--name", "bezoek", "--publiceer", "--force"
    )
    assert again.returncode == 0, again.stderr
    assert "21.00" in (small_knowledge / "documenten" / "bezoek.md").read_text("utf-8")
    preview = run_cli(small_knowledge, "terugzetten", "1")
    assert preview.returncode == 0 and "documenten/bezoek.md" in preview.stdout
    assert "21.00" in (small_knowledge / "documenten" / "bezoek.md").read_text("utf-8")
    back = run_cli(small_knowledge, "terugzetten", "1", "--ja")
    assert back.returncode == 0, back.stderr
    assert "vastgelegd als versie 3" in back.stdout
    assert "Secties gewijzigd (1)" in back.stdout  # what the rollback changed, not 'geen'
    assert "22.00" in (small_knowledge / "documenten" / "bezoek.md").read_text("utf-8")
    gone = run_cli(small_knowledge, "publiceer", "bestaat-niet")
    assert gone.returncode == 1 and "bestaat niet meer" in gone.stderr


def test_the_guides_command_lines_exist() -> None:
    guide = (ROOT / "docs" / "kennisbeheer.md").read_text("utf-8")
    verbs = re.findall(r"^draaibot (\w+)", guide, flags=re.M)
    assert {"import", "concepten", "publiceer", "versies", "terugzetten"} <= set(verbs)
    assert set(verbs) <= set(CLI_COMMANDS)


def test_drafts_and_history_are_in_the_backup(tmp_path: Path, small_knowledge: Path) -> None:
    import tarfile

    from bot.backup import make_backup
    from bot.store import Store

    publisher = Publisher(KnowledgeBase(small_knowledge))
    text = (small_knowledge / "documenten" / "test.md").read_text("utf-8")
    publisher.save_draft("test", "documenten/test.md", text + "\nNieuw.\n", "Anna", "t", [])
    publisher.publish("test", "Anna")
    publisher.save_draft("wacht", "documenten/wacht.md", text, "Anna", "t", [])
    db = tmp_path / "data" / "d.db"
    db.parent.mkdir()
    Store(db).close()
    make_backup(db, small_knowledge, tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        names = tar.getnames()
    assert "knowledge/.versies/000001.json" in names
    assert "knowledge/concepten/wacht/documenten/wacht.md" in names


def test_the_terminal_chat_reviews_tries_publishes_and_rolls_back(
    tmp_path: Path, small_knowledge: Path
) -> None:
    publisher = Publisher(KnowledgeBase(small_knowledge))
    publisher.save_draft(
        "huisregels", "documenten/huisregels.md", HOUSE_RULES, "Anna", "huisregels.md", []
    )
    lines = [
        "/concepten",  # options: #1 Publiceren #2 Bekijk concept #3 Probeer #4 Verwerpen
        "#3",
        PETS_QUESTION,
        "/stop",
        "/concepten",
        "#1",
        PETS_QUESTION,
        "/versies",
        "/terugzetten 0",
        "/exit",
    ]
    result = terminal_chat(small_knowledge, lines, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Concept huisregels" in out and "Kies: #1 Publiceren  #2 Bekijk concept" in out
    assert "[CONCEPT huisregels, nog niet gepubliceerd]" in out
    assert "Gestopt met proberen" in out
    assert "Gepubliceerd en geladen als versie 1" in out
    assert "Huisregels › 2. Huisdieren" in out.split("Gepubliceerd en geladen")[1]
    assert "Versie 1" in out and "Versie 0 bestaat niet" in out
    assert (small_knowledge / "documenten" / "huisregels.md").is_file()


def test_uploads_of_documents_and_data_files_are_checked_against_the_live_knowledge(
    tmp_path: Path, knowledge_copy: Path
) -> None:
    publisher = Publisher(KnowledgeBase(knowledge_copy))
    pve = (knowledge_copy / "documenten" / "pve-huisvesting.md").read_text("utf-8")
    upload_dir = tmp_path / "upload"
    upload_dir.mkdir()
    changed = upload_dir / "pve-huisvesting.md"
    changed.write_text(pve.replace("Keukenruimte 11,5 m2 |", "Keukenruimte 12,5 m2 |"), "utf-8")
    review = publisher.review(publisher.add_upload(changed, changed.name, "Anna"))
    assert review.can_publish and review.diff is not None
    assert any("Keukenruimte 12,5 m2" in c for c in review.diff.sections_changed)
    assert any(
        line.startswith(
            "pandcheck › Keukenruimte van minimaal 11,5 m2 verwijst naar een gewijzigde"
        )
        for line in review.diff.to_check
    )
    flow = upload_dir / "bezoek.yaml"
    flow.write_text(
        "id: bezoek\ntitle: Bezoek\nsteps: []\nresult:\n"
        "  - text: Bezoek tot 22.00 uur.\n    source: bestaat-niet#1\n",
        "utf-8",
    )
    draft = publisher.add_upload(flow, flow.name, "Anna")
    assert draft.target == "flows/bezoek.yaml"
    review = publisher.review(draft)
    assert not review.can_publish
    assert any(p.line == 5 and "bestaat-niet#1" in p.message for p in review.problems)
    with pytest.raises(PublishError, match="bevat fouten"):
        publisher.publish(draft.name, "Anna")
    assert not (knowledge_copy / "flows" / "bezoek.yaml").exists()
    synonyms = upload_dir / "synoniemen.yaml"
    synonyms.write_text(
        (knowledge_copy / "synoniemen.yaml").read_text("utf-8") + "\n# extra\n", "utf-8"
    )
    assert publisher.add_upload(synonyms, synonyms.name, "Anna").target == "synoniemen.yaml"
    unknown = upload_dir / "iets.yaml"
    unknown.write_text("a: 1\n", "utf-8")
    with pytest.raises(PublishError, match="herken niet"):
        publisher.add_upload(unknown, unknown.name, "Anna")
    odd = upload_dir / "tabel.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(PublishError, match="bestandstype ken ik niet"):
        publisher.add_upload(odd, odd.name, "Anna")


def test_an_edit_made_while_the_bot_was_stopped_is_recorded_before_the_next_publish(
    small_knowledge: Path,
) -> None:
    target = small_knowledge / "documenten" / "test.md"
    original = target.read_text("utf-8")
    publisher = Publisher(KnowledgeBase(small_knowledge))
    publisher.save_draft("test", "documenten/test.md", original + "\nEen.\n", "Anna", "t", [])
    publisher.publish("test", "Anna")
    target.write_text(original + "\nTwee.\n", "utf-8")  # by hand, no bot running
    later = Publisher(KnowledgeBase(small_knowledge))
    assert later.catch_up() is not None and later.catch_up() is None
    assert [v.number for v in later.versions()] == [2, 1]
    later.restore(1, "Anna")
    assert target.read_text("utf-8") == original + "\nEen.\n"


def test_check_reports_drafts_apart_and_a_broken_draft_never_fails_the_live_folder(
    small_knowledge: Path,
) -> None:
    publisher = Publisher(KnowledgeBase(small_knowledge))
    publisher.save_draft("kapot", "documenten/kapot.md", "## Kop\n\nTekst.\n", "Anna", "", [])
    checked = run_cli(small_knowledge, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("in orde: 1 documenten")  # the draft is not live
    assert "concept kapot (wordt documenten/kapot.md):" in checked.stdout
    assert "- documenten/kapot.md regel 1: fout: front matter ontbreekt" in checked.stdout
    index = run_cli(small_knowledge, "index")
    assert "kapot" not in index.stdout


def test_a_draft_pointing_outside_the_knowledge_is_not_a_draft(small_knowledge: Path) -> None:
    import json

    publisher = Publisher(KnowledgeBase(small_knowledge))
    publisher.save_draft("test", "documenten/test.md", HOUSE_RULES, "Anna", "", [])
    meta = small_knowledge / DRAFTS_DIR / "test" / "concept.json"
    raw = json.loads(meta.read_text("utf-8"))
    raw["target"] = "../../buiten.md"
    meta.write_text(json.dumps(raw), "utf-8")
    assert publisher.get("test") is None
    with pytest.raises(PublishError, match="bestaat niet meer"):
        publisher.publish("test", "Anna")
    with pytest.raises(PublishError, match="geen plek"):
        publisher.save_draft("x", "../x.md", HOUSE_RULES, "Anna", "", [])
    assert not (small_knowledge.parent / "buiten.md").exists()


# -- defects found by an attacker (issue 16) ---------------------------------------------------

VISIT_TEXT = "2. Bezoek\n\nBezoek is welkom tot 22.00 uur, na afspraak met de mentor.\n"


async def test_a_rollback_never_removes_what_another_process_published(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    """The bot and `draaibot publiceer` on one folder: each version holds only its own change,
    so rolling back to the CLI's version keeps the CLI's file."""
    folder = small_knowledge
    async with running_bot(fake, tmp_path / "r.db", shipped_index, folder=folder) as app:
        reloader: KnowledgeReloader = app.bot_data[RELOADER]
        await reloader.stop_watching()  # the bot has not loaded the CLI's publish yet
        source = tmp_path / "bezoek.txt"
        source.write_text(VISIT_TEXT, "utf-8")
        cli = run_cli(folder, "import", str(source), "--name", "bezoek", "--publiceer")
        assert cli.returncode == 0 and "versie 1" in cli.stdout, cli.stderr

        review = await upload(fake, "huisregels.md", HOUSE_RULES.encode())
        done = plain((await press(fake, review, "Publiceren")).text)
        assert "Gepubliceerd en geladen als versie 2" in done
        versions = plain((await say(fake, "/versies")).text)
        mine = next(line for line in versions.splitlines() if line.startswith("Versie 2"))
        assert mine.endswith("documenten/huisregels.md")  # not the CLI's bezoek.md

        confirm = await say(fake, "/terugzetten 1")
        shown = plain(confirm.text)
        assert "documenten/huisregels.md (wordt verwijderd)" in shown
        assert "bezoek" not in shown
        restored = plain((await press(fake, confirm, "Ja, zet terug")).text)
        assert "versie 3" in restored
        assert (folder / "documenten" / "bezoek.md").is_file()
        assert not (folder / "documenten" / "huisregels.md").exists()
        assert "Bezoek" in plain((await say(fake, VISIT_QUESTION)).text)

        # the confirmation button carries the number /versies shows (not read as base 36)
        forged = plain((await press_data(fake, confirm, "k:z:999")).text)
        assert "Versie 999 bestaat niet" in forged


def test_publishes_at_the_same_moment_each_record_their_own_file(small_knowledge: Path) -> None:
    """Two processes (two Publishers) publish different drafts at once: both get a version,
    each with its own file only."""
    first = Publisher(KnowledgeBase(small_knowledge))
    second = Publisher(KnowledgeBase(small_knowledge))
    first.save_draft("a", "documenten/a.md", HOUSE_RULES, "Anna", "a.md", [])
    visit = HOUSE_RULES.replace("Huisregels", "Bezoekregels").replace("Roken", "Bezoek")
    second.save_draft("b", "documenten/b.md", visit, "Bert", "b.md", [])
    start = threading.Barrier(2)
    done: dict[str, Published] = {}

    def publish(publisher: Publisher, name: str, who: str) -> None:
        start.wait()
        done[name] = publisher.publish(name, who)

    threads = [
        threading.Thread(target=publish, args=(first, "a", "Anna")),
        threading.Thread(target=publish, args=(second, "b", "Bert")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    a, b = done["a"].version, done["b"].version
    assert a is not None and b is not None
    assert {a.number, b.number} == {1, 2}
    assert a.files == ["documenten/a.md"] and b.files == ["documenten/b.md"]
    # rolling back the first keeps the second
    later = Publisher(KnowledgeBase(small_knowledge))
    assert later.restore_changes(min(a.number, b.number)) == {
        (b if a.number < b.number else a).files[0]: None
    }


async def test_publiceren_publishes_what_was_reviewed_and_uploads_never_silently_replace(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    folder = small_knowledge
    changed = HOUSE_RULES.replace("geen huisdier", "een vis maar geen ander huisdier")
    async with running_bot(fake, tmp_path / "s.db", shipped_index, folder=folder):
        first = await upload(fake, "huisregels.md", HOUSE_RULES.encode())
        second = await upload(fake, "huisregels.md", changed.encode())
        assert "Dit vervangt uw eerdere concept huisregels" in plain(second.text)
        assert dict(first.buttons())["Publiceren"] != dict(second.buttons())["Publiceren"]
        refused = plain((await press(fake, first, "Publiceren")).text)
        assert refused.startswith("Niet gepubliceerd: dit concept is veranderd sinds u het bekeek")
        assert "Concept huisregels" in refused  # the review as it is now, to publish from
        assert not (folder / "documenten" / "huisregels.md").exists()
        done = plain((await press(fake, second, "Publiceren")).text)
        assert "Gepubliceerd en geladen als versie 1" in done
        live = (folder / "documenten" / "huisregels.md").read_text("utf-8")
        assert live == changed

        # synoniemen.md (a document) and synoniemen.yaml: two drafts, the reply says so
        document = await upload(fake, "synoniemen.md", HOUSE_RULES.encode())
        assert "Wordt: documenten/synoniemen.md" in plain(document.text)
        data = await upload(fake, "synoniemen.yaml", b"kwg:\n  - kinderwoongroep\n")
        shown = plain(data.text)
        assert (
            "Er stond al een concept synoniemen (van Anna (42), wordt documenten/synoniemen.md)"
            in shown
        )
        assert "dat blijft staan" in shown and "concept synoniemen-2 geworden" in shown
        assert "Concept synoniemen-2" in shown and "Wordt: synoniemen.yaml" in shown
        drafts = plain((await say(fake, "/concepten")).text)
        assert "Concept synoniemen (" in drafts
        assert {d.name: d.target for d in Publisher(KnowledgeBase(folder)).drafts()} == {
            "synoniemen": "documenten/synoniemen.md",
            "synoniemen-2": "synoniemen.yaml",
        }


def test_another_admins_draft_of_the_same_name_stays(tmp_path: Path, small_knowledge: Path) -> None:
    publisher = Publisher(KnowledgeBase(small_knowledge))
    sent = tmp_path / "huisregels.md"
    sent.write_text(HOUSE_RULES, "utf-8")
    mine = publisher.add_upload(sent, sent.name, "Anna (42)")
    assert mine.name == "huisregels" and not mine.notice
    sent.write_text(HOUSE_RULES.replace("Roken", "Niet roken"), "utf-8")
    theirs = publisher.add_upload(sent, sent.name, "Bert (43)")
    assert theirs.name == "huisregels-2" and theirs.target == "documenten/huisregels.md"
    assert "van Anna (42), wordt documenten/huisregels.md" in theirs.notice
    assert "Roken" in publisher.text(publisher.get("huisregels"))  # type: ignore[arg-type]
    again = publisher.add_upload(sent, sent.name, "Bert (43)")
    assert again.name == "huisregels-3"  # Bert's is not the one named huisregels


async def test_deep_yaml_and_odd_file_names_get_a_clear_answer(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    deep = b"steps: " + b"[" * 50_000 + b"]" * 50_000 + b"\n"
    async with running_bot(fake, tmp_path / "y.db", shipped_index, folder=small_knowledge):
        refused = plain((await upload(fake, "deep.yaml", deep)).text)
        assert "deep.yaml is geen geldige YAML" in refused
        assert "deep.yaml regel 1: fout: te diep geneste YAML" in refused
        assert not (small_knowledge / DRAFTS_DIR).exists() or not any(
            (small_knowledge / DRAFTS_DIR).iterdir()
        )
        # a file named as synonyms is not parsed to find its place: the check says it
        synonyms = plain((await upload(fake, "synoniemen.yaml", deep)).text)
        assert "regel 1: fout: te diep geneste YAML" in synonyms
        assert "Publiceren" not in synonyms


async def test_a_file_name_with_a_nul_is_cleaned(
    fake: FakeBotAPI, tmp_path: Path, small_knowledge: Path, shipped_index: KnowledgeIndex
) -> None:
    async with running_bot(fake, tmp_path / "n.db", shipped_index, folder=small_knowledge):
        named = await upload(fake, "x\x00y.md", HOUSE_RULES.encode())
        assert "Concept xy (uit xy.md" in plain(named.text)
        assert "Publiceren" in dict(named.buttons())


def test_linking_survives_a_deeply_nested_wordings_file() -> None:
    from bot.admin.linking import add_wordings

    deep = "vraagvormen:\n  x: " + "[" * 50_000 + "]" * 50_000 + "\n"
    out = add_wordings(deep, {"test#kop": ["[[[[[[[[ waar staat de kop?"]})
    assert out.endswith('  test#kop:\n    - "[[[[[[[[ waar staat de kop?"\n')


def test_a_file_whose_versions_aged_out_is_not_recorded_again(
    small_knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's own memory of the folder stays true once the history forgets a file that
    another process published: no spurious version that a rollback would undo."""
    from bot.admin import publishing

    monkeypatch.setattr(publishing, "KEEP_VERSIONS", 3)
    bot_side = Publisher(KnowledgeBase(small_knowledge))
    cli = Publisher(KnowledgeBase(small_knowledge))
    cli.save_draft("f", "documenten/f.md", HOUSE_RULES, "cli", "f.md", [])
    cli.publish("f", "cli")
    assert bot_side.record(KnowledgeBase(small_knowledge).reload(), "watcher", "x") is None
    visit = HOUSE_RULES.replace("Huisregels", "Bezoekregels").replace("Roken", "Bezoek")
    for n in range(4):  # version 1 (f.md) is no longer kept
        cli.save_draft("g", "documenten/g.md", visit + f"\nRegel {n}.\n", "cli", "g.md", [])
        cli.publish("g", "cli")
    assert min(v.number for v in bot_side.versions()) == 3
    assert bot_side.catch_up() is None


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_any_uploaded_file_name_becomes_a_file_name_the_bot_can_store(raw: str) -> None:
    name = upload_name(raw)
    assert name and "/" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name.encode("utf-8")) <= 200 and name.isprintable()
    if raw.isprintable() and "/" not in raw and "\\" not in raw and 0 < len(raw) < 100:
        assert name == raw.lstrip(". ") or name == "bestand"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(b"")  # no ValueError, no name too long


def test_trying_a_draft_that_went_meanwhile_ends_trying(small_knowledge: Path) -> None:
    """A draft published or discarded (by another admin, the shell) while an admin tries it:
    the next question is no error but a question like any other."""
    from bot.admin import publishing_replies

    publisher = Publisher(KnowledgeBase(small_knowledge))
    publisher.save_draft("bezoek", "documenten/bezoek.md", "# Bezoek\n", "Bea", "", [])
    publisher.trying[5] = "bezoek"
    publisher.discard("bezoek")
    assert publishing_replies.try_answer(publisher, 5, "tot hoe laat bezoek?") is None
    assert 5 not in publisher.trying

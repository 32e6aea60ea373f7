"""`draaibot import` with hostile or broken input: every failure is one Dutch line on stderr and
exit code 1, nothing is written outside the knowledge folder, nothing big is unpacked."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from bot import importer
from tests.conftest import ROOT

DOCX_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)


def run_import(
    knowledge: Path, source: Path, name: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--knowledge",
            str(knowledge),
            "import",
            str(source),
            "--name",
            name,
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("draaibot import: ")
    for word in words:
        assert word in lines[0], lines[0]


def word_file(path: Path, document_xml: bytes | None = None, extra: int = 0) -> Path:
    """A real .docx made by python-docx, its document.xml optionally replaced; `extra` empty
    members added."""
    import docx

    plain = path.with_suffix(".plain.docx")
    document = docx.Document()
    document.add_paragraph("Bezoek is welkom tot 22.00 uur.")
    document.save(str(plain))
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml" and document_xml is not None:
                data = document_xml
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for i in range(extra):
            out.writestr(f"extra/leeg{i}.xml", b"")
    plain.unlink()
    return path


def lying_word_file(path: Path, real: int, declared: int) -> Path:
    """A .docx whose document.xml unpacks to `real` bytes while its zip headers declare
    `declared` bytes (with the CRC of what zipfile will stop at): the declared sizes pass any
    check, the stream does not."""
    import docx

    plain = path.with_suffix(".plain.docx")
    docx.Document().save(str(plain))
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
        with out.open("word/document.xml", "w") as member:
            for _ in range(real >> 20):
                member.write(bytes(1 << 20))
    plain.unlink()
    data = bytearray(path.read_bytes())
    name, crc = b"word/document.xml", zlib.crc32(bytes(declared))
    for signature, name_at, crc_at, size_at in (
        (b"PK\x03\x04", 26, 14, 22),
        (b"PK\x01\x02", 28, 16, 24),
    ):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_at)[0]
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[start : start + length] == name:
                struct.pack_into("<I", data, at + crc_at, crc)
                struct.pack_into("<I", data, at + size_at, declared)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def peak_memory_kb(*args: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    """Run `draaibot` in a process of its own and return its peak RSS (kB)."""
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.stderr.write(r.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    result = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    return int(result.stdout.strip()), result


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    (folder / "documenten").mkdir(parents=True)
    return folder


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, knowledge: Path) -> None:
    size = importer.MAX_UNPACKED_BYTES + 1024 * 1024
    text = "a" * (size - len(DOCX_XML))
    bomb = word_file(tmp_path / "bom.docx", DOCX_XML.format(text=text).encode())
    assert bomb.stat().st_size < 1024 * 1024  # small on disk, big when unpacked
    result = run_import(knowledge, bomb, "bom")
    assert_one_line_error(result, "bom.docx", "te groot")
    assert not (knowledge / "documenten" / "bom.md").exists()


def test_a_zip_that_lies_about_its_sizes_is_not_unpacked_whole(
    tmp_path: Path, knowledge: Path
) -> None:
    liar = lying_word_file(tmp_path / "leugen.docx", real=300 << 20, declared=1000)
    assert liar.stat().st_size < 1024 * 1024
    small = word_file(tmp_path / "klein.docx")
    baseline, _ = peak_memory_kb("--knowledge", str(knowledge), "import", str(small), "--name", "k")
    peak, result = peak_memory_kb("--knowledge", str(knowledge), "import", str(liar), "--name", "l")
    assert_one_line_error(result, "leugen.docx")
    assert peak < baseline + 100 * 1024, (baseline, peak)  # 300 MB were never in memory


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path, knowledge: Path) -> None:
    many = word_file(tmp_path / "veel.docx", extra=importer.MAX_MEMBERS)
    assert_one_line_error(run_import(knowledge, many, "veel"), "veel.docx", "te veel")


def test_malformed_word_xml_is_one_line(tmp_path: Path, knowledge: Path) -> None:
    broken = word_file(tmp_path / "kapot.docx", b"<w:document><w:body><w:p>")
    assert_one_line_error(run_import(knowledge, broken, "kapot"), "kapot.docx")


def test_a_file_that_is_no_zip_at_all_is_one_line(tmp_path: Path, knowledge: Path) -> None:
    fake = tmp_path / "nep.docx"
    fake.write_bytes(b"PK\x03\x04 dit is geen zip")
    assert_one_line_error(run_import(knowledge, fake, "nep"), "nep.docx")


def test_a_long_name_is_refused_in_one_line(tmp_path: Path, knowledge: Path) -> None:
    source = tmp_path / "notitie.txt"
    source.write_text("2. Bezoek\n\nBezoek is welkom.\n", "utf-8")
    result = run_import(knowledge, source, "a" * 300)
    assert_one_line_error(result, "--name", str(importer.MAX_NAME))
    assert list((knowledge / "documenten").iterdir()) == []


def test_a_pdf_with_too_many_pages_is_refused(tmp_path: Path, knowledge: Path) -> None:
    from reportlab.pdfgen import canvas

    source = tmp_path / "dik.pdf"
    pdf = canvas.Canvas(str(source))
    for page in range(importer.MAX_PDF_PAGES + 1):
        pdf.drawString(60, 800, f"Pagina {page}")
        pdf.showPage()
    pdf.save()
    assert_one_line_error(run_import(knowledge, source, "dik"), "dik.pdf", "pagina")


def test_a_pdf_with_too_much_text_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportlab.pdfgen import canvas

    source = tmp_path / "vol.pdf"
    pdf = canvas.Canvas(str(source))
    for page in range(3):
        pdf.drawString(60, 800, f"Pagina {page} " + "tekst " * 10)
        pdf.showPage()
    pdf.save()
    monkeypatch.setattr(importer, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(importer.ImportError_, match=r"vol\.pdf bevat te veel tekst"):
        importer.make_draft(source, "vol")


def test_force_does_not_write_through_a_symlink(tmp_path: Path, knowledge: Path) -> None:
    outside = tmp_path / "buiten.txt"
    outside.write_text("niet overschrijven", "utf-8")
    (knowledge / "documenten" / "notitie.md").symlink_to(outside)
    source = tmp_path / "notitie.txt"
    source.write_text("2. Bezoek\n\nBezoek is welkom.\n", "utf-8")
    result = run_import(knowledge, source, "notitie", "--force", "--publiceer")
    assert_one_line_error(result, "notitie.md", "koppeling")
    assert outside.read_text("utf-8") == "niet overschrijven"


def test_force_does_not_write_outside_the_knowledge_folder(tmp_path: Path, knowledge: Path) -> None:
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    shutil.rmtree(knowledge / "documenten")
    (knowledge / "documenten").symlink_to(elsewhere, target_is_directory=True)
    source = tmp_path / "notitie.txt"
    source.write_text("2. Bezoek\n\nBezoek is welkom.\n", "utf-8")
    result = run_import(knowledge, source, "notitie", "--force", "--publiceer")
    assert_one_line_error(result, "buiten de kennismap")
    assert list(elsewhere.iterdir()) == []


def test_a_good_import_still_works_and_is_written_whole(tmp_path: Path, knowledge: Path) -> None:
    source = word_file(tmp_path / "regels.docx")
    result = run_import(knowledge, source, "Huis Regels", "--publiceer")
    assert result.returncode == 0, result.stderr
    target = knowledge / "documenten" / "huis-regels.md"
    assert "Bezoek is welkom tot 22.00 uur." in target.read_text("utf-8")
    assert [p.name for p in (knowledge / "documenten").iterdir()] == ["huis-regels.md"]

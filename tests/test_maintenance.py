"""Import of PDF and Word files, the diff command, and the guide's examples."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.importer import ImportError_, import_file, make_draft
from bot.knowledge import check_knowledge
from tests.conftest import KNOWLEDGE, ROOT

GUIDE = ROOT / "docs" / "kennisbeheer.md"


def make_pdf(path: Path, lines: list[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        if line == "<pagina>":
            pdf.showPage()
            y = 800
            continue
        pdf.drawString(60, y, line)
        y -= 18
    pdf.save()


def test_pdf_import_recognises_numbered_headings_and_repairs_hyphenation(tmp_path: Path) -> None:
    source = tmp_path / "pve.pdf"
    make_pdf(
        source,
        [
            "1. Inleiding",
            "Dit programma beschrijft de eisen voor klein-",
            "schalige opvang van jongeren.",
            "",
            "4.6 Brandveiligheid",
            "Er moet minimaal 1 keer per jaar een brandoefening zijn.",
            "<pagina>",
            "4.6.1 Rookmelders",
            "Rookmelders hangen op alle verdiepingen.",
        ],
    )
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    target, draft = import_file(source, folder, "pve-nieuw")
    text = target.read_text("utf-8")
    assert (
        "## 1. Inleiding" in text
        and "### 4.6 Brandveiligheid" in text
        and "#### 4.6.1 Rookmelders" in text
    )
    assert "kleinschalige opvang" in text
    assert text.startswith('---\ntitle: "1. Inleiding"')
    assert draft.headings == 3 and "3 koppen herkend" in draft.checks[0]
    assert [p for p in check_knowledge(folder) if p.path == target and p.is_error] == []
    with pytest.raises(ImportError_, match="bestaat al; gebruik --force"):
        import_file(source, folder, "pve-nieuw")
    import_file(source, folder, "pve-nieuw", force=True)


def test_docx_import_uses_heading_styles_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Huisregels", level=1)
    document.add_paragraph("Bezoek is welkom tot 22.00 uur.")
    document.add_heading("Inventaris", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Artikel", "Aantal"
    table.cell(1, 0).text, table.cell(1, 1).text = "Wasmachine", "2"
    source = tmp_path / "regels.docx"
    document.save(str(source))
    draft = make_draft(source, "regels")
    assert "## Huisregels" in draft.markdown and "### Inventaris" in draft.markdown
    assert "| Artikel | Aantal |\n| --- | --- |\n| Wasmachine | 2 |" in draft.markdown


def test_import_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"geen pdf")
    with pytest.raises(ImportError_, match="geen leesbare PDF"):
        make_draft(tmp_path / "x.pdf", "x")
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(ImportError_, match=r"alleen \.pdf, \.docx en \.txt"):
        make_draft(tmp_path / "x.xlsx", "x")


def test_import_and_diff_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    source = tmp_path / "notitie.txt"
    source.write_text("2. Bezoek\n\nBezoek is welkom tot 22.00 uur, na afspraak.\n", "utf-8")
    run = [sys.executable, "-m", "bot", "--knowledge", str(folder)]
    imported = subprocess.run(
        [*run, "import", str(source), "--name", "notitie"], capture_output=True, text=True, cwd=ROOT
    )
    assert imported.returncode == 0, imported.stderr
    assert (
        "Concept geschreven:" in imported.stdout
        and "draaibot check: dit bestand is in orde." in imported.stdout
    )
    again = subprocess.run(
        [*run, "import", str(source), "--name", "notitie"], capture_output=True, text=True, cwd=ROOT
    )
    assert again.returncode == 1 and "gebruik --force" in again.stderr
    # a draft is not live: only an explicit publish makes it so
    assert not (folder / "documenten" / "notitie.md").exists()
    published = subprocess.run(
        [*run, "publiceer", "notitie"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DRAAIBOT_DB": str(tmp_path / "data" / "d.db")},
    )
    assert published.returncode == 0, published.stderr
    diff = subprocess.run(
        [sys.executable, "-m", "bot", "diff", str(KNOWLEDGE), str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert diff.returncode == 0, diff.stderr
    assert "Documenten toegevoegd (1):" in diff.stdout and "Secties toegevoegd (1):" in diff.stdout


def test_the_guides_examples_pass_check(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    guide = GUIDE.read_text("utf-8")
    # a Markdown example is named in the line above it (so it can be copied as it stands), a
    # YAML example in its first line, a comment
    examples = re.findall(
        r"(?:Bestand: `([^`]+)`\n\n)?```(?:markdown|yaml)\n(.*?)```", guide, flags=re.S
    )
    written = []
    for named, example in examples:
        first, _, body = example.partition("\n")
        match = re.match(r"# bestand: (.+)$", first.strip())
        if named:
            body = example
        assert named or match, f"an example without its file: {first}"
        relative = named or (match.group(1) if match else "")
        if relative == "synoniemen.yaml":
            body = first + "\n" + body
            target = tmp_path / "synoniemen-voorbeeld.yaml"  # checked below on its own
        else:
            target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, "utf-8")
        written.append(relative)
    assert {
        "documenten/voorbeeld-huisregels.md",
        "flows/voorbeeld-bezoek.yaml",
        "checklists/voorbeeld-opening.yaml",
        "synoniemen.yaml",
    } <= set(written)
    shutil.copy(tmp_path / "synoniemen-voorbeeld.yaml", folder / "synoniemen.yaml")
    assert [str(p) for p in check_knowledge(folder)] == []


def test_readme_links_the_guide() -> None:
    assert "docs/kennisbeheer.md" in (ROOT / "README.md").read_text("utf-8")

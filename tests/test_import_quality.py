"""Import quality: the title from the first line, unique section ids, a short name cut at a
word, the version the document states, Word tables in place, PDF table columns kept apart.
Real generated files; the draft is read back by the indexer itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.importer import MAX_SHORT, make_draft, shorten, stated_version
from bot.knowledge import check_knowledge
from index.documents import parse_document
from tests.conftest import KNOWLEDGE, ROOT

BOT = [sys.executable, "-m", "bot"]


def _placed(tmp_path: Path, markdown: str, name: str) -> tuple[Path, Path]:
    """The draft in a copy of the shipped knowledge folder, as a published document."""
    folder = tmp_path / "knowledge"
    if not folder.exists():
        shutil.copytree(KNOWLEDGE, folder)
    target = folder / "documenten" / f"{name}.md"
    target.write_text(markdown, "utf-8")
    return folder, target


def test_a_text_files_first_line_is_its_title_and_its_contents_do_not_collide(
    tmp_path: Path,
) -> None:
    source = tmp_path / "bezoek.txt"
    source.write_text(
        "Handreiking bezoek aan een kleinschalige opvanglocatie\n"
        "\n"
        "Inhoud\n"
        "1. Bezoek\n"
        "2. Ruimten\n"
        "\n"
        "1. Bezoek\n"
        "\n"
        "Bezoek is welkom tot 22.00 uur, na afspraak.\n"
        "\n"
        "2. Ruimten\n"
        "\n"
        "De huiskamer is gezamenlijk.\n",
        "utf-8",
    )
    draft = make_draft(source, "bezoek")
    assert 'title: "Handreiking bezoek aan een kleinschalige opvanglocatie"' in draft.markdown
    lines = draft.markdown.split("\n")
    assert "- 1. Bezoek" in lines and "- 2. Ruimten" in lines  # the contents: list items now
    assert draft.markdown.count("## 1. Bezoek") == 1
    folder, target = _placed(tmp_path, draft.markdown, "bezoek")
    assert [p for p in check_knowledge(folder) if p.path == target and p.is_error] == []
    sections = {s.id: s for s in parse_document(target).sections}
    assert "Bezoek is welkom" in sections["bezoek#1"].text
    assert not any("krijgt dezelfde id" in c for c in draft.checks)


def test_a_duplicate_number_with_text_is_reported_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "dubbel.txt"
    source.write_text(
        "Notitie huisvesting\n\n2. Ruimten\n\nDe huiskamer.\n\n2. Ruimten\n\nDe keuken.\n", "utf-8"
    )
    draft = make_draft(source, "dubbel")
    (report,) = [c for c in draft.checks if "krijgt dezelfde id" in c]
    lines = draft.markdown.split("\n")
    second = max(i for i, text in enumerate(lines) if text == "## 2. Ruimten") + 1
    first = min(i for i, text in enumerate(lines) if text == "## 2. Ruimten") + 1
    assert second > first  # both headings stay: both have text
    assert report.startswith(f"regel {second}: '2. Ruimten' krijgt dezelfde id als regel {first}")
    folder, target = _placed(tmp_path, draft.markdown, "dubbel")
    errors = [p for p in check_knowledge(folder) if p.path == target and p.is_error]
    assert [p.line for p in errors] == [second]  # check names the same line


def test_short_is_cut_at_a_word_and_the_admin_is_told() -> None:
    assert shorten("Programma van Eisen Huisvesting") == "Programma van Eisen Huisvesting"
    assert (
        shorten("Handreiking voor het bezoek aan kleinschalige opvanglocaties")
        == "Handreiking voor het bezoek"  # not '... aan kleinsch' nor '... aan'
    )
    assert shorten("Kwaliteitsbeleidskaderdocumentvoorkleinschaligeopvangvanamv") == (
        "Kwaliteitsbeleidskaderdocumentvoorkleins"
    )


@given(st.text(alphabet=st.sampled_from("abc de –,.:"), max_size=120))
def test_short_is_a_prefix_of_whole_words_and_never_too_long(title: str) -> None:
    short = shorten(title)
    words = " ".join(title.split())
    assert len(short) <= MAX_SHORT
    assert words.startswith(short)
    if short and len(words) > MAX_SHORT and " " in words[:MAX_SHORT]:
        assert words[len(short)] in " -–,:;."  # cut where a word ends


def test_the_version_the_document_states_is_taken() -> None:
    assert stated_version("Kader\nVersie 2.1, vastgesteld juni 2025") == ("2.1", "Versie 2.1")
    assert stated_version("Vastgesteld op 12 juni 2025 door Nidos") == (
        "12 juni 2025",
        "12 juni 2025",
    )
    assert stated_version("Juni 2025") == ("juni 2025", "Juni 2025")
    assert stated_version("Er wonen 12 jongeren in 2025.") == ("", "")


def test_word_tables_stay_tables_in_their_place(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Huisregels kleinschalige opvang", style="Title")
    document.add_paragraph("Versie 3.0")
    document.add_heading("1. Inventaris", level=1)
    document.add_paragraph("Dit staat in elke woning:")
    table = document.add_table(rows=3, cols=3)
    cells = [("Artikel", "KWG", "KWE"), ("Wasmachine", "2", "1"), ("Bank", "3", "1")]
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("Vervangen na vijf jaar.")
    document.add_heading("2. Bezoek", level=1)
    document.add_paragraph("Bezoek tot 22.00 uur.")
    source = tmp_path / "huisregels.docx"
    document.save(str(source))
    draft = make_draft(source, "huisregels")
    markdown = draft.markdown
    assert 'title: "Huisregels kleinschalige opvang"' in markdown
    assert 'version: "3.0"' in markdown
    table_md = (
        "| Artikel | KWG | KWE |\n| --- | --- | --- |\n| Wasmachine | 2 | 1 |\n| Bank | 3 | 1 |"
    )
    assert markdown.index("Dit staat in elke woning:") < markdown.index(table_md)
    assert markdown.index(table_md) < markdown.index("Vervangen na vijf jaar.")
    assert markdown.index(table_md) < markdown.index("## 2. Bezoek")
    _, target = _placed(tmp_path, markdown, "huisregels")
    rows = {s.heading: s for s in parse_document(target).sections if s.row}
    assert set(rows) == {"Wasmachine", "Bank"}
    assert rows["Wasmachine"].path[-2] == "1. Inventaris"
    assert "KWG: 2" in rows["Wasmachine"].text


def test_pdf_table_columns_are_kept_apart(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    source = tmp_path / "ruimten.pdf"
    SimpleDocTemplate(str(source), pagesize=A4).build(
        [
            Paragraph("Ruimten per woonvorm", styles["Title"]),
            Paragraph("juni 2025", styles["Normal"]),
            Paragraph("1. Ruimten", styles["Heading2"]),
            Paragraph("De eisen per ruimte staan in de tabel.", styles["Normal"]),
            Table(
                [
                    ["Ruimte", "KWG", "KWE"],
                    ["Keuken", "11,5 m2", "8 m2"],
                    ["Woonkamer groot", "30 m2", "20 m2"],
                    ["Badkamer", "1 per 4 jongeren", "1 per 3 jongeren"],
                ]
            ),
            Paragraph("De tabel geldt voor nieuwe locaties.", styles["Normal"]),
        ]
    )
    draft = make_draft(source, "ruimten")
    assert 'title: "Ruimten per woonvorm"' in draft.markdown
    assert 'version: "juni 2025"' in draft.markdown
    assert "| Woonkamer groot | 30 m2 | 20 m2 |" in draft.markdown
    assert "| Badkamer | 1 per 4 jongeren | 1 per 3 jongeren |" in draft.markdown
    _, target = _placed(tmp_path, draft.markdown, "ruimten")
    rows = {s.heading: s.text for s in parse_document(target).sections if s.row}
    assert rows["Keuken"] == "Keuken | KWG: 11,5 m2 | KWE: 8 m2"
    assert "1 tabel(len) herkend" in " ".join(draft.checks)


def test_the_import_command_says_what_it_chose(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    source = tmp_path / "notitie.txt"
    source.write_text(
        "Notitie over bezoekregels in kleinschalige opvanglocaties van Nidos\n\n"
        "Versie 1.4\n\n1. Bezoek\n\nBezoek is welkom tot 22.00 uur.\n",
        "utf-8",
    )
    done = subprocess.run(
        [*BOT, "--knowledge", str(folder), "import", str(source), "--name", "notitie"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "titel: 'Notitie over bezoekregels in kleinschalige opvanglocaties van Nidos'" in (
        done.stdout
    )
    assert (
        "korte naam (short) in elke bronvermelding: 'Notitie over bezoekregels' "
        "(ingekort van de titel)" in done.stdout
    )
    assert "versie: '1.4' (uit het document: 'Versie 1.4')" in done.stdout


def test_a_markdown_files_first_heading_line_is_its_title(tmp_path: Path) -> None:
    source = tmp_path / "roken.md"
    source.write_text("# Handreiking roken\n\nRoken mag buiten.\n", "utf-8")
    draft = make_draft(source, "roken")
    assert 'title: "Handreiking roken"' in draft.markdown and "#" not in draft.checks[1]

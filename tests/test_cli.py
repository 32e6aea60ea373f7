"""The command line as a user runs it: a subprocess, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import KNOWLEDGE, ROOT


def run(
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`draaibot ARGS` as a subprocess, without the caller's Telegram or draaibot settings and
    with a database of its own (unless `env` names one)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
    full_env["DRAAIBOT_DB"] = str(Path(tempfile.mkdtemp()) / "draaibot.db")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )


def terminal_chat(
    knowledge: Path, lines: list[str], where: Path
) -> subprocess.CompletedProcess[str]:
    """`draaibot chat` on a knowledge folder, typed `lines`, run in `where` (its ./uitvoer/ and
    its database under data/ there)."""
    return run(
        "--knowledge",
        str(knowledge),
        "chat",
        stdin="\n".join(lines) + "\n",
        env={"DRAAIBOT_DB": str(where / "data" / "d.db")},
        cwd=where,
        timeout=120,
    )


def test_ask_json_contract_for_one_question() -> None:
    result = run("ask", "--json", "hoeveel m2 moet de keuken van een kwg zijn?")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    reply = json.loads(line)
    assert reply["question"] == "hoeveel m2 moet de keuken van een kwg zijn?"
    assert reply["answered"] is True
    assert 1 <= len(reply["passages"]) <= 3
    first = reply["passages"][0]
    assert set(first) == {"citation", "id", "doc", "text", "score"}
    assert first["doc"] == "pve-huisvesting"
    assert first["id"].startswith("pve-huisvesting#8-1")
    assert first["citation"].startswith("PvE Huisvesting › ")
    assert "8.1 KWG" in first["citation"]
    assert "11,5 m2" in first["text"]
    assert len(first["text"]) <= 1000
    assert isinstance(first["score"], float)


def test_ask_json_reads_stdin_in_order_with_top() -> None:
    questions = ["waar moet de elektrische installatie aan voldoen?", "", "wat is een kwg?"]
    result = run("ask", "--json", "--top", "1", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in replies] == questions
    assert all(len(r["passages"]) <= 1 for r in replies)
    assert replies[1] == {
        "question": "",
        "answered": False,
        "unsure": False,
        "answer": None,
        "passages": [],
    }


def test_ask_plain_text_shows_citations() -> None:
    result = run("ask", "aan", "welke", "NEN-norm", "moet", "de", "elektra", "voldoen?")
    assert result.returncode == 0, result.stderr
    assert "[1] PvE Huisvesting › 4. Veiligheidseisen huisvesting › 4.4" in result.stdout
    assert "NEN 3140" in result.stdout


def test_ask_refuses_out_of_scope_question_plainly() -> None:
    result = run("ask", "--json", "wat is het recept voor appeltaart met kaneel?")
    reply = json.loads(result.stdout)
    assert reply["answered"] is False
    plain = run("ask", "wat is het recept voor appeltaart met kaneel?")
    assert "bureauopvang@nidos.nl" in plain.stdout


def test_bad_top_is_a_clear_error() -> None:
    result = run("ask", "--json", "--top", "nul", "vraag")
    assert result.returncode == 2
    assert "'nul' is geen geheel getal" in result.stderr


def test_broken_knowledge_exits_nonzero_with_file_and_line(tmp_path: Path) -> None:
    docs = tmp_path / "documenten"
    docs.mkdir()
    (docs / "leeg.md").write_text("", "utf-8")
    env = {"DRAAIBOT_KNOWLEDGE": str(tmp_path)}
    for args in (["ask", "--json", "vraag"], ["check"], ["index"]):
        result = run(*args, env=env)
        assert result.returncode != 0, args
        assert f"{docs / 'leeg.md'}:1: fout: front matter ontbreekt" in result.stderr
        assert result.stdout.strip() == "" or args == ["check"]


def test_check_passes_on_shipped_knowledge() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "in orde: 4 documenten" in result.stdout


def test_index_prints_sections_and_terms_per_document() -> None:
    result = run("--knowledge", str(KNOWLEDGE), "index")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:5]}
    assert set(rows) == {
        "draaiboek-kso",
        "kwaliteitsbeleid-kso",
        "pve-huisvesting",
        "vng-presentatie-2026",
    }
    assert all(int(sections) > 10 and int(terms) > 500 for sections, terms in rows.values())


def test_chat_answers_in_the_terminal() -> None:
    result = run("chat", stdin="hoeveel m2 moet de keuken van een kwg zijn?\n/bronnen\n/stop\n")
    assert result.returncode == 0, result.stderr
    assert "Keukenruimte *11,5 m2* — Elke wooneenheid" in result.stdout
    assert "(PvE Huisvesting › 8.1 KWG › Keukenruimte 11,5 m2)" in result.stdout
    assert "Programma van Eisen Huisvesting (versie 2027)" in result.stdout
    assert result.stdout.rstrip().endswith("Tot ziens.")


def test_run_without_token_opens_the_terminal_chat() -> None:
    result = run("run", stdin="wat is een kwg?\n")
    assert result.returncode == 0, result.stderr
    assert "Geen TELEGRAM_BOT_TOKEN ingesteld" in result.stdout
    assert "Kinderwoongroep" in result.stdout


def test_draaibot_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "draaibot"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    for verb in ("run", "chat", "ask", "check", "index"):
        assert verb in result.stdout


def test_readme_lists_exactly_the_cli_commands() -> None:
    import re

    from bot.faces.cli import COMMANDS

    readme = (ROOT / "README.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `draaibot (\w+)", readme, flags=re.M))
    assert documented == set(COMMANDS)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make test   #" in readme
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert [line for line in ci if line and not line.startswith(("#", "set ", "cd "))] == [
        "make test"
    ]


def test_help_and_command_menu_come_from_one_list() -> None:
    from bot.commands import for_scope, help_text, table
    from bot.knowledge import build_snapshot

    commands = table(build_snapshot(KNOWLEDGE).flows)
    readme = (ROOT / "README.md").read_text("utf-8")
    for command in commands:
        assert f"/{command.name}" in help_text(commands, is_admin=True)
        assert f"`/{command.name}" in readme
    admin_only = {c.name for c in commands if c.admin}
    assert admin_only == {
        "status",
        "rapport",
        "herlaad",
        "concepten",
        "versies",
        "terugzetten",
        "beheerders",
        "beheerder_toevoegen",
        "beheerder_verwijderen",
    }
    assert {c.name for c in for_scope(commands, "group")} == {c.name for c in commands} - admin_only
    assert {"pandcheck", "deadline", "woonvorm", "termijnen"} <= {c.name for c in commands}
    assert "status" not in help_text(commands, is_admin=False)


def test_in_the_terminal_a_typed_number_is_an_answer_and_a_button_is_chosen_with_a_hash() -> None:
    lines = ["/woonvorm", "2", "#9", "/checklist", "#1", "6", "opmerking 1: besteld", "#1"]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Kies: #1 Weet ik niet  #2 Stoppen" in out
    assert "Gestopt" not in out  # '2' answered "hoeveel jongeren?", it did not press Stoppen
    assert "Welke woonvorm past? · vraag 2" in out
    assert "Er is geen keuze #9." in out
    assert "Opmerking bij 1. Wasmachine opgeslagen." in out
    assert out.count("Opmerking bij") == 1  # the bare '6' was no remark


def test_a_remark_without_a_checklist_says_so() -> None:
    result = run("chat", stdin="opmerking 2: iets\n")
    assert "Er is nog geen checklist getoond." in result.stdout


def test_in_the_terminal_ticks_are_buttons_or_typed_and_a_restart_asks_first(
    tmp_path: Path,
) -> None:
    db = {"DRAAIBOT_DB": str(tmp_path / "d.db")}
    answers = ["/pandcheck", "#1", "10", "ja", "ja", "ja", "6", "60", "9", "2", "2", "12"]
    ticks = ["#1", "#3", "#3", "#8", "1 2"]  # tick 1, tick 3, untick 3, Klaar; then typed
    first = run("chat", stdin="\n".join(answers + ticks) + "\n", env=db)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "1. ☑ Slaapkamers circa 5 m2" in out and "3. ☑ Ruimte om huiswerk" in out
    assert "#8 Klaar (1 aangevinkt)" in out
    assert "Brandveiligheid: vink aan wat aanwezig is." in out  # '1 2' answered Elektra en water
    again = run("chat", stdin="banaan\nweet ik niet\n", env=db)
    assert again.returncode == 0, again.stderr
    assert "U was bezig met 'Is dit pand geschikt?' (vraag 14 van ongeveer" in again.stdout
    assert "Is het pand bedoeld voor tienermoederopvang?" in again.stdout  # then it went on


def test_the_cli_documents_no_verb_it_lacks() -> None:
    import bot.faces.cli

    assert bot.faces.cli.__doc__ is not None
    assert "eval" not in bot.faces.cli.__doc__  # there is no `draaibot eval`
    assert run("eval").returncode != 0


def test_in_the_terminal_a_reply_without_buttons_ends_the_earlier_buttons() -> None:
    """'#4' after a reply without buttons presses nothing, not a button of an answer above."""
    from bot import texts

    stdin = "hoeveel m2 moet de keuken van een kwg zijn?\nappeltaart met kaneel bakken\n#4\n"
    result = run("chat", stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert texts.NO_SUCH_OPTION.format(n=4) in result.stdout
    assert "Wat miste u" not in result.stdout  # no 👎 pressed on the first answer

"""Start-up with a broken knowledge folder, as Nidos IT sees it: the CLI as a subprocess."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.knowledge import LAST_GOOD
from tests.conftest import KNOWLEDGE, MAX_LINE
from tests.test_cli import run


def broken_copy(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "kennis"
    shutil.copytree(KNOWLEDGE, folder)
    return folder, folder / "flows" / "woonvorm.yaml"


def break_flow(flow: Path) -> None:
    flow.write_text(flow.read_text("utf-8").replace("max: 30", "max: veel"), "utf-8")


def test_without_a_good_copy_the_bot_refuses_to_start_with_the_problems(tmp_path: Path) -> None:
    folder, flow = broken_copy(tmp_path)
    break_flow(flow)
    env = {"DRAAIBOT_KNOWLEDGE": str(folder), "DRAAIBOT_DB": str(tmp_path / "data" / "d.db")}
    result = run("run", env=env)
    assert result.returncode == 2
    assert "De kennismap bevat fouten" in result.stderr
    assert f"{flow}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal" in result.stderr
    assert "Traceback" not in result.stderr


def test_with_a_good_copy_the_bot_starts_from_it_and_says_what_is_wrong(tmp_path: Path) -> None:
    folder, flow = broken_copy(tmp_path)
    env = {"DRAAIBOT_KNOWLEDGE": str(folder), "DRAAIBOT_DB": str(tmp_path / "data" / "d.db")}
    first = run("run", env=env)  # no token: the terminal chat, which ends at end of input
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / LAST_GOOD / "flows" / "woonvorm.yaml").is_file()
    break_flow(flow)
    second = run("run", stdin="wat is een kwg?\n", env=env)
    assert second.returncode == 0, second.stderr
    assert "ik start met de laatst goede versie" in second.stderr
    assert f"{flow}:{MAX_LINE}: fout: 'max: veel' is geen positief geheel getal" in second.stderr
    assert "KWG" in second.stdout
    check = run("check", env=env)  # check always reads the folder itself
    assert check.returncode == 1
    assert f"{flow}:{MAX_LINE}: fout: 'max: veel'" in check.stderr

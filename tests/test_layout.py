"""The layering the tree shows: reading the knowledge folder (documents, flows, checklist
templates) needs no database."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import KNOWLEDGE, ROOT

READ_KNOWLEDGE = """
import sys
from pathlib import Path
import bot.knowledge  # the snapshot: documents, flows and checklist templates
from bot.checklists.templates import load_templates
from bot.flows.definitions import load_flows
folder = Path(sys.argv[1])
assert load_flows(folder)[0] and load_templates(folder)[0]
print(sorted(m for m in sys.modules if m == "sqlite_utils" or m.startswith("bot.stor")))
"""


def test_the_knowledge_snapshot_does_not_load_the_database_layer() -> None:
    run = subprocess.run(
        [sys.executable, "-c", READ_KNOWLEDGE, str(KNOWLEDGE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_every_package_is_installed() -> None:
    """A subpackage missing from pyproject's package list works in the checkout and the
    editable install, and is missing from the Docker image (`pip install .`)."""
    import tomllib

    from setuptools import find_packages  # type: ignore[import-untyped]

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    installed = set(find_packages(where=str(ROOT), include=include))
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "index", "handlers")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= installed

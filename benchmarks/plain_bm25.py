"""The yardstick for draaibot's start-up: a plain script that loads rank-bm25 and answers one
question from the same Markdown documents, the way a typical small implementation would.

usage: python benchmarks/plain_bm25.py KNOWLEDGE_DIR "vraag"

Every document's front matter is skipped, its text cut into sections at the Markdown headings,
each section tokenised as lowercase words and ranked with BM25Okapi; prints the heading and the
first line of the best three sections. Only the standard library and rank-bm25: no project code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rank_bm25 import BM25Okapi

HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
WORD = re.compile(r"\w+")


def sections(folder: Path) -> list[tuple[str, str]]:
    """(heading, text) for every heading of every Markdown document in `folder`/documenten."""
    out: list[tuple[str, str]] = []
    for path in sorted((folder / "documenten").glob("*.md")):
        text = path.read_text("utf-8")
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[-1]
        marks = list(HEADING.finditer(text))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            out.append((mark.group(1), text[mark.end() : end].strip()))
    return out


def tokens(text: str) -> list[str]:
    return WORD.findall(text.lower())


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    found = sections(Path(argv[1]))
    bm25 = BM25Okapi([tokens(heading + " " + text) for heading, text in found])
    scores = bm25.get_scores(tokens(argv[2]))
    for i in sorted(range(len(found)), key=lambda i: -scores[i])[:3]:
        heading, text = found[i]
        print(f"{scores[i]:.2f} {heading}: {text.splitlines()[0] if text else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

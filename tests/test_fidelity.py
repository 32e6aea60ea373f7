"""Nothing of substance may be lost: the knowledge files keep >= 95% of each source's 5-grams.

Normalised as the issue asks (case, whitespace, hyphenation); link targets (URLs) are left out of
the source, since they are the addresses behind the PDF's buttons, not its text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
PAIRS = {
    "000": "draaiboek-kso",
    "002": "vng-presentatie-2026",
    "003": "kwaliteitsbeleid-kso",
    "004": "pve-huisvesting",
}


def tokens(text: str) -> list[str]:
    text = re.sub(r"(?:https?://|mailto:)\S+", " ", text)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # hyphenation at a line end
    text = re.sub(r"(\w)-(\w)", r"\1\2", text)  # and within a line
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("\u00ad", "")
    return re.findall(r"[a-z]+|\d+", text)


def five_grams(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + 5]) for i in range(len(words) - 4)]


@pytest.mark.parametrize("seed,doc", sorted(PAIRS.items()))
def test_markdown_keeps_95_percent_of_source_5grams(seed: str, doc: str) -> None:
    (source,) = SEEDS.glob(f"{seed}_*.txt")
    grams = five_grams(tokens(source.read_text(encoding="utf-8")))
    kept = set(five_grams(tokens((KNOWLEDGE / "documenten" / f"{doc}.md").read_text("utf-8"))))
    share = sum(g in kept for g in grams) / len(grams)
    assert share >= 0.95, f"{doc}: {share:.3f} of the source's 5-grams kept"


def test_tokens_normalise_hyphenation_and_case() -> None:
    assert tokens("Klein-\nSCHALIGE opvang") == ["kleinschalige", "opvang"]
    assert tokens("ov-voorziening") == tokens("ovvoorziening")

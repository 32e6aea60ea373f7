"""Retrieval quality on the shared dev set: draaibot and three baselines, side by side.

usage: python benchmarks/eval.py [--dev QUESTIONS.jsonl ...] [--score score.py] [--knowledge DIR]

Every question set named (default: the shared dev set) is scored in turn, all engines on it.

The baselines rank the same knowledge cut into raw paragraphs (every paragraph, list item and
table row of every section), the way a typical implementation would, and never refuse:
- rank-bm25 (BM25Okapi) over lowercase word tokens;
- SQLite FTS5 (unicode61 tokenizer, its bm25 ranking), questions as OR queries;
- bm25s with the Snowball Dutch stemmer and Dutch stopwords.
Each is scored by the shared score.py's own `score` function.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.build import build_index  # noqa: E402
from index.search import KnowledgeIndex  # noqa: E402

Answerer = Callable[[str], dict[str, object]]


def load_score(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def paragraphs(index: KnowledgeIndex) -> list[tuple[str, str]]:
    """(citation, text) of every unit of every section: the baselines' documents."""
    return [(s.citation, u.text) for s in index.sections for u in s.units]


def reply(question: str, ranked: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "question": question,
        "answered": True,
        "passages": [{"citation": c, "text": t[:1000]} for c, t in ranked[:3]],
    }


def rank_bm25_baseline(docs: list[tuple[str, str]]) -> Answerer:
    from rank_bm25 import BM25Okapi

    def tok(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    bm25 = BM25Okapi([tok(t) for _, t in docs])

    def answer(question: str) -> dict[str, object]:
        scores = bm25.get_scores(tok(question))
        order = sorted(range(len(docs)), key=lambda i: -scores[i])
        return reply(question, [docs[i] for i in order])

    return answer


def fts5_baseline(docs: list[tuple[str, str]]) -> Answerer:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(citation UNINDEXED, text, tokenize='unicode61')")
    db.executemany("INSERT INTO p VALUES (?, ?)", docs)

    def answer(question: str) -> dict[str, object]:
        words = re.findall(r"\w+", question.lower())
        if not words:
            return reply(question, [])
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            "SELECT citation, text FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 3", (match,)
        ).fetchall()
        return reply(question, rows)

    return answer


def bm25s_baseline(docs: list[tuple[str, str]]) -> Answerer:
    import bm25s
    import Stemmer
    from stop_words import get_stop_words

    stemmer = Stemmer.Stemmer("dutch")
    stopwords = get_stop_words("dutch")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(
            [t for _, t in docs], stopwords=stopwords, stemmer=stemmer, show_progress=False
        ),
        show_progress=False,
    )

    def answer(question: str) -> dict[str, object]:
        tokens = bm25s.tokenize(
            [question], stopwords=stopwords, stemmer=stemmer, show_progress=False
        )
        if not tokens.vocab:
            return reply(question, [])
        ids, _ = retriever.retrieve(tokens, k=3, show_progress=False)
        return reply(question, [docs[int(i)] for i in ids[0]])

    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="append", help="a question set (may be repeated)")
    parser.add_argument("--score", default=str(ROOT / "tests/fixtures/eval/score.py"))
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    args = parser.parse_args()
    sets = args.dev or [str(ROOT.parent / "shared/eval/dev_questions.jsonl")]
    for path in (*sets, args.score):
        if not Path(path).is_file():
            print(f"niet gevonden: {path}", file=sys.stderr)
            return 2
    score = load_score(Path(args.score))
    index = build_index(Path(args.knowledge))
    docs = paragraphs(index)
    engines: dict[str, Answerer] = {
        "draaibot": lambda q: index.search(q).as_json(),
        "rank-bm25 (lowercase words)": rank_bm25_baseline(docs),
        "SQLite FTS5 (unicode61)": fts5_baseline(docs),
        "bm25s (Snowball dutch, stopwords)": bm25s_baseline(docs),
    }
    for path in sets:
        with open(path, encoding="utf-8") as lines:
            questions = [json.loads(line) for line in lines if line.strip()]
        report(score, questions, path, engines)
    return 0


COLUMNS = ("hit@1", "hit@3", "mrr@3", "answer@1", "sure_in_scope", "sure_precision")


def report(
    score: ModuleType, questions: list[dict[str, object]], path: str, engines: dict[str, Answerer]
) -> None:
    print(f"\n{len(questions)} questions from {path}")
    header = " ".join(f"{c:>{max(8, len(c))}}" for c in (*COLUMNS, "refused"))
    print(f"{'engine':<36} {header}")
    for name, answer in engines.items():
        result = score.score(questions, [answer(str(q["question"])) for q in questions])
        refused = result["rejected_out_of_scope"]
        figures = " ".join(f"{result[c]:>{max(8, len(c))}.2f}" for c in COLUMNS)
        print(f"{name:<36} {figures} {'-' if refused is None else f'{refused:.2f}':>8}")
        if name == "draaibot":
            print(
                f"{'':<36} misses: {', '.join(result['misses']) or '-'};"
                f" false answers: {', '.join(result['false_answers']) or '-'}"
            )


if __name__ == "__main__":
    sys.exit(main())

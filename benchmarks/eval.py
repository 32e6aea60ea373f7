"""Retrieval quality on the shared dev set: draaibot and three baselines, side by side.

usage: python benchmarks/eval.py [--dev QUESTIONS.jsonl] [--score score.py] [--knowledge DIR]

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
    parser.add_argument("--dev", default=str(ROOT.parent / "shared/eval/dev_questions.jsonl"))
    parser.add_argument("--score", default=str(ROOT.parent / "shared/eval/score.py"))
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    args = parser.parse_args()
    for path in (args.dev, args.score):
        if not Path(path).is_file():
            print(f"niet gevonden: {path}", file=sys.stderr)
            return 2
    score = load_score(Path(args.score))
    with open(args.dev, encoding="utf-8") as lines:
        questions = [json.loads(line) for line in lines if line.strip()]
    index = KnowledgeIndex.build(Path(args.knowledge))
    docs = paragraphs(index)
    engines: dict[str, Answerer] = {
        "draaibot": lambda q: index.search(q).as_json(),
        "rank-bm25 (lowercase words)": rank_bm25_baseline(docs),
        "SQLite FTS5 (unicode61)": fts5_baseline(docs),
        "bm25s (Snowball dutch, stopwords)": bm25s_baseline(docs),
    }
    print(f"{len(questions)} questions from {args.dev}")
    print(f"{'engine':<36} {'hit@1':>6} {'hit@3':>6} {'mrr@3':>6} {'answered':>9} {'refused':>8}")
    for name, answer in engines.items():
        result = score.score(questions, [answer(q["question"]) for q in questions])
        refused = result["rejected_out_of_scope"]
        print(
            f"{name:<36} {result['hit@1']:>6.2f} {result['hit@3']:>6.2f} {result['mrr@3']:>6.2f}"
            f" {result['answered_in_scope']:>9.2f}"
            f" {'-' if refused is None else f'{refused:.2f}':>8}"
        )
        if name == "draaibot":
            print(
                f"{'':<36} misses: {', '.join(result['misses']) or '-'};"
                f" false answers: {', '.join(result['false_answers']) or '-'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed and memory of the search index: shipped knowledge and a synthetic corpus 100x larger.

usage: python benchmarks/retrieval.py [--scale 100] [--dev QUESTIONS.jsonl]

Prints, for draaibot's index and for plain rank-bm25 (BM25Okapi over lowercase words of the same
sections) in the same run: index build time, per-question latency p50/p99 over the dev questions
(each asked 3 times) and peak traced memory of the build. The synthetic corpus is made from the
real one: every document copied `scale` times, each copy under its own name with 15% of its words
in its text (not its headings and table rows, which name sections) swapped for other
corpus words (seeded), so the vocabulary and postings grow like a real corpus.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from index.build import build_index  # noqa: E402
from index.checks import check_folder  # noqa: E402

WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def synthetic_corpus(source: Path, target: Path, scale: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    shutil.copytree(source, target)
    docs = target / "documenten"
    originals = sorted(docs.glob("*.md"))
    vocabulary = sorted({w for p in originals for w in WORD.findall(p.read_text("utf-8"))})
    for path in originals:
        text = path.read_text("utf-8")
        head, body = text.split("\n---\n", 1)
        for copy in range(1, scale):
            mutated = "\n".join(
                line
                if line.startswith(("#", "|"))  # headings and table rows name sections: keep
                else WORD.sub(
                    lambda m: rng.choice(vocabulary) if rng.random() < 0.15 else m.group(), line
                )
                for line in body.split("\n")
            )
            (docs / f"{path.stem}-kopie-{copy}.md").write_text(f"{head}\n---\n{mutated}", "utf-8")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    build: Callable[[], object], ask: Callable[[object, str], object], questions: list[str]
) -> dict[str, float]:
    gc.collect()
    started = time.perf_counter()
    engine = build()
    build_s = time.perf_counter() - started
    latencies = []
    for _ in range(3):
        for q in questions:
            t = time.perf_counter()
            ask(engine, q)
            latencies.append((time.perf_counter() - t) * 1000)
    del engine
    gc.collect()
    tracemalloc.start()
    engine = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del engine
    return {
        "build_s": build_s,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "peak_mb": peak / 2**20,
    }


def draaibot(folder: Path) -> tuple[Callable[[], object], Callable[[object, str], object]]:
    return (lambda: build_index(folder)), (lambda e, q: e.search(q))  # type: ignore[attr-defined]


def plain_rank_bm25(folder: Path) -> tuple[Callable[[], object], Callable[[object, str], object]]:
    def tok(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def build() -> object:
        documents, _ = check_folder(folder)  # the same sections, parsed the same way
        sections = [s for d in documents for s in d.sections if s.units]
        return BM25Okapi([tok(s.text + " " + " ".join(s.path)) for s in sections])

    def ask(engine: object, question: str) -> object:
        scores = engine.get_scores(tok(question))  # type: ignore[attr-defined]
        return sorted(range(len(scores)), key=lambda i: -scores[i])[:3]

    return build, ask


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--dev", default=str(ROOT.parent / "shared/eval/dev_questions.jsonl"))
    args = parser.parse_args()
    dev = Path(args.dev)
    if dev.is_file():
        questions = [
            json.loads(line)["question"] for line in dev.open(encoding="utf-8") if line.strip()
        ]
    else:
        questions = ["hoeveel m2 moet de keuken van een kwg zijn?", "wat is een kwe+?"]
    print(f"{len(questions)} questions, each asked 3 times; times on this machine")
    print(
        f"{'corpus':<10} {'engine':<12} {'sections':>9} {'build s':>8}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "knowledge"
        synthetic_corpus(ROOT / "knowledge", big, args.scale)
        for label, folder in (("shipped", ROOT / "knowledge"), (f"{args.scale}x", big)):
            n_sections = len(build_index(folder).sections)
            for name, (build, ask) in (
                ("draaibot", draaibot(folder)),
                ("rank-bm25", plain_rank_bm25(folder)),
            ):
                m = measure(build, ask, questions)
                print(
                    f"{label:<10} {name:<12} {n_sections:>9} {m['build_s']:>8.2f}"
                    f" {m['p50_ms']:>7.2f} {m['p99_ms']:>7.2f} {m['peak_mb']:>8.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

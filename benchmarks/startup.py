"""Start-up and reload time, side by side with plain rank-bm25, in one run.

usage: python benchmarks/startup.py [--runs 7] [--scale 100]

1. Cold start: `draaibot ask "<question>"` as a fresh process (median of --runs), with the
   index cache that `draaibot index` writes in place and without it, against
   benchmarks/plain_bm25.py answering the same question from the same Markdown documents.
2. Reload on the synthetic corpus --scale times the shipped one (see benchmarks/retrieval.py):
   a full build, as at the first start, and a reload after one document changed, as the running
   bot does it (KnowledgeBase.reload, with the last good copy beside the database), against
   plain rank-bm25 building the whole corpus: BM25Okapi over the sections read by the project's
   parser (as in benchmarks/retrieval.py) and the plain script's own reading; then the time to
   write the index cache and a start with it in place.
Times are wall-clock seconds on this machine; the machine may be shared, so compare the rows
of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import plain_bm25  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402
from retrieval import plain_rank_bm25, synthetic_corpus  # noqa: E402

from bot.knowledge import INDEX_CACHE, LAST_GOOD, KnowledgeBase  # noqa: E402

QUESTION = "hoeveel m2 moet de keuken van een kwg zijn?"
DRAAIBOT = [sys.executable, "-m", "bot"]
PLAIN = [sys.executable, str(ROOT / "benchmarks" / "plain_bm25.py")]


def seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_start(runs: int) -> None:
    """The three starts take turns, round after round, so a busy moment of a shared machine
    falls on all of them alike."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DRAAIBOT_"))}
        env.update(
            DRAAIBOT_DB=str(data / "draaibot.db"), DRAAIBOT_KNOWLEDGE=str(ROOT / "knowledge")
        )
        ask = [*DRAAIBOT, "ask", QUESTION]
        subprocess.run(
            [*DRAAIBOT, "index"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        times: dict[str, list[float]] = {"plain": [], "cached": [], "without": []}
        for _ in range(runs):
            times["plain"].append(seconds([*PLAIN, str(ROOT / "knowledge"), QUESTION], env))
            times["cached"].append(seconds(ask, env))
            (data / INDEX_CACHE).unlink()
            times["without"].append(seconds(ask, env))  # and writes the cache again
    plain, cached, without = (statistics.median(times[k]) for k in ("plain", "cached", "without"))
    print(f"cold start, median of {runs} runs: {QUESTION!r}")
    print(f"{'':<40} {'seconds':>8} {'x plain':>8}")
    for label, value in (
        ("plain rank-bm25 script", plain),
        ("draaibot ask, index cache in place", cached),
        ("draaibot ask, no index cache", without),
    ):
        print(f"{label:<40} {value:>8.2f} {value / plain:>8.1f}", flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def reload_times(scale: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "knowledge"
        synthetic_corpus(ROOT / "knowledge", folder, scale)
        n_docs = len(list((folder / "documenten").glob("*.md")))
        build, _ = plain_rank_bm25(folder)
        plain_parsed = timed(build)

        def plain_own() -> object:
            return BM25Okapi(
                [plain_bm25.tokens(h + " " + t) for h, t in plain_bm25.sections(folder)]
            )

        plain_script = timed(plain_own)
        kb = KnowledgeBase(folder, Path(tmp) / "data" / LAST_GOOD)
        full = timed(kb.reload)
        name = f"pve-huisvesting-kopie-{scale // 2}" if scale > 1 else "pve-huisvesting"
        changed = folder / "documenten" / f"{name}.md"
        changed.write_text(
            changed.read_text("utf-8") + "\n\n## 99. Nieuw\n\nEen extra wasmachine per woning.\n",
            "utf-8",
        )
        one = timed(kb.reload)
        cache_file = Path(tmp) / "data" / INDEX_CACHE
        cache = kb.index.cache
        write = timed(lambda: cache is not None and cache.save(cache_file))
        start = timed(lambda: KnowledgeBase(folder, cache_file=cache_file).index)
    print(f"\nreload, {scale}x corpus ({n_docs} documents)")
    print(f"{'':<52} {'seconds':>8}")
    for label, seconds in (
        ("plain rank-bm25, sections by the project's parser", plain_parsed),
        ("plain rank-bm25, the plain script's own sections", plain_script),
        ("draaibot full build (first start, no cache)", full),
        ("draaibot reload after one document changed", one),
        ("draaibot writing the index cache", write),
        ("draaibot start with the index cache in place", start),
    ):
        print(f"{label:<52} {seconds:>8.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=int, default=100)
    args = parser.parse_args()
    cold_start(args.runs)
    reload_times(args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())

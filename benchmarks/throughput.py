"""Throughput of the whole Telegram stack: question updates through python-telegram-bot's real
HTTP stack and the project's Application, against the fake Bot API server on 127.0.0.1.

usage: python benchmarks/telegram.py [--updates 2000]

Runs twice: with the rate limiter switched off (raw capacity) and as configured for production
(AIORateLimiter: Telegram's ~30 messages a second overall). Every update comes from its own
private chat, so each sendMessage belongs to exactly one update. Prints updates per second and
the p50/p99 time from an update being offered by getUpdates to its answer arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.search import KnowledgeIndex  # noqa: E402
from tests.conftest import KNOWLEDGE  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402
from tests.telegram_harness import running_bot  # noqa: E402

FIRST_CHAT = 10_000


async def run_once(
    index: KnowledgeIndex, questions: list[str], n: int, rate_limiter: bool
) -> dict[str, float]:
    fake = FakeBotAPI()
    await fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with running_bot(fake, Path(tmp) / "bench.db", index, rate_limiter=rate_limiter):
                await fake.wait_sent(3, "setMyCommands")
                pushed: dict[int, float] = {}
                started = time.monotonic()
                for i in range(n):
                    chat = FIRST_CHAT + i
                    pushed[chat] = time.monotonic()
                    fake.text(questions[i % len(questions)], user=chat)
                timeout = max(60.0, n / 20)
                before = fake.counts.get("sendMessage", 0)
                await fake.wait_for(lambda f: f.counts.get("sendMessage", 0) - before >= n, timeout)
                elapsed = time.monotonic() - started
                answered = {c.chat_id: c.at for c in fake.sent() if c.chat_id >= FIRST_CHAT}
    finally:
        await fake.stop()
    latencies = sorted((answered[chat] - pushed[chat]) * 1000 for chat in pushed)
    return {
        "updates_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "seconds": elapsed,
    }


async def main_async(n: int) -> None:
    index = KnowledgeIndex.build(KNOWLEDGE)
    dev = ROOT.parent / "shared/eval/dev_questions.jsonl"
    if dev.is_file():
        questions = [
            json.loads(line)["question"] for line in dev.open(encoding="utf-8") if line.strip()
        ]
    else:
        questions = ["hoeveel m2 moet de keuken van een kwg zijn?"]
    print(f"{n} question updates, each from its own private chat")
    print(f"{'configuration':<34} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'seconds':>8}")
    for label, limiter in (
        ("rate limiter off (raw capacity)", False),
        ("production (AIORateLimiter)", True),
    ):
        m = await run_once(index, questions, n, limiter)
        print(
            f"{label:<34} {m['updates_per_s']:>10.1f} {m['p50_ms']:>9.1f} {m['p99_ms']:>9.1f}"
            f" {m['seconds']:>8.1f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main_async(args.updates))
    return 0


if __name__ == "__main__":
    sys.exit(main())

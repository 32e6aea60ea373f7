"""Throughput of the whole Telegram stack: question updates through python-telegram-bot's real
HTTP stack and the project's Application, against the fake Bot API server on 127.0.0.1.

usage: python benchmarks/throughput.py [--updates 2000]

The fake server runs in a process of its own, as Telegram's servers do not share the bot's CPU.
Runs twice: with the rate limiter switched off (raw capacity) and as configured for production
(AIORateLimiter: Telegram's ~30 messages a second overall). Every update comes from its own
private chat, so each sendMessage belongs to exactly one update. All updates are offered at
once, so the latencies include the time an update waits in the queue. Prints updates per second
and the p50/p99 time from an update being offered by getUpdates to its answer arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.build import build_index  # noqa: E402
from index.search import KnowledgeIndex  # noqa: E402
from tests.conftest import KNOWLEDGE  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402
from tests.telegram_harness import running_bot  # noqa: E402

FIRST_CHAT = 10_000


def serve(port: int) -> None:
    """The fake Bot API server, in its own process, until it is terminated."""

    async def forever() -> None:
        fake = FakeBotAPI()
        await fake.start(port)
        await asyncio.Event().wait()

    asyncio.run(forever())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RemoteFake:
    """The parts of FakeBotAPI the harness needs, for a server in another process."""

    def __init__(self, port: int) -> None:
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.control = f"http://127.0.0.1:{port}/control"


async def run_once(
    index: KnowledgeIndex, questions: list[str], n: int, rate_limiter: bool
) -> dict[str, float]:
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port,), daemon=True)
    server.start()
    remote = RemoteFake(port)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # wait for the server
                try:
                    async with http.get(f"{remote.control}/sent") as response:
                        await response.json()
                    break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            with tempfile.TemporaryDirectory() as tmp:
                async with running_bot(
                    remote, Path(tmp) / "bench.db", index, rate_limiter=rate_limiter
                ):  # type: ignore[arg-type]
                    texts = [
                        {"text": questions[i % len(questions)], "user": FIRST_CHAT + i}
                        for i in range(n)
                    ]
                    started = time.monotonic()
                    async with http.post(f"{remote.control}/texts", json=texts) as response:
                        await response.json()
                    answered: dict[int, float] = {}
                    deadline = started + max(60.0, n / 20)
                    while len(answered) < n and time.monotonic() < deadline:
                        await asyncio.sleep(0.2)
                        async with http.get(f"{remote.control}/sent") as response:
                            data = await response.json()
                        answered = {chat: at for chat, at in data["sent"] if chat >= FIRST_CHAT}
                    elapsed = max(answered.values()) - started
    finally:
        server.terminate()
        server.join()
    if len(answered) < n:
        raise SystemExit(f"only {len(answered)} of {n} answers arrived")
    latencies = sorted((answered[FIRST_CHAT + i] - started) * 1000 for i in range(n))
    return {
        "updates_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        "seconds": elapsed,
    }


async def main_async(n: int) -> None:
    index = build_index(KNOWLEDGE)
    dev = ROOT.parent / "shared/eval/dev_questions.jsonl"
    if dev.is_file():
        questions = [
            json.loads(line)["question"] for line in dev.open(encoding="utf-8") if line.strip()
        ]
    else:
        questions = ["hoeveel m2 moet de keuken van een kwg zijn?"]
    print(f"{n} question updates, each from its own private chat, offered at once")
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

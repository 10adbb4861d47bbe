"""The fake Bot API in its own process, with Telegram's limits and random faults, for benchmarks.

    python -m bench.fake_server --recipients 10000 --first-chat 700001 --faults 0.01

Prints its base URL on the first line of stdout, then serves until stdin closes. A GET of
`/bot<token>/benchStats` answers what it saw: deliveries per chat, answers by status, the most
messages it accepted in any one-second window, and the faults it injected.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
from collections import Counter
from typing import Any

from aiohttp import web

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits

MIX = {"429": 0.03, "5xx": 0.50, "slow": 0.32, "reset": 0.15}
"""How the injected faults are shared out: 5xx answers (500/502), slow answers (accepted at once,
answered 0.5–2 s late), connection resets before the request is handled, and a handful of 429s
(retry_after=1; about 3 in 10,000 sends)."""


class FaultyTelegramAPI(FakeTelegramAPI):
    def __init__(self, faults: float, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(limits=RateLimits(), **kwargs)  # Telegram's published limits
        self.faults, self.rng = faults, rng
        self.injected: Counter[str] = Counter()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if method == "benchStats":
            return web.json_response(self.stats())
        slow = 0.0
        if method.lower() == "sendmessage" and self.rng.random() < self.faults:
            kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
            self.injected[kind] += 1
            if kind == "429":
                self.inject("sendMessage", status=429, retry_after=1)
            elif kind == "5xx":
                self.inject("sendMessage", status=self.rng.choice([500, 502]))
            elif kind == "reset":
                self.drop_connection("sendMessage")
            else:  # accepted at once, answered late
                slow = self.rng.uniform(0.5, 2.0)
        response = await super()._handle(request)
        if slow:
            await asyncio.sleep(slow)
        return response

    def stats(self) -> dict[str, Any]:
        sends = [call for call in self.requests if call.method == "sendMessage"]
        accepted = sorted(call.time for call in sends if call.status == 200)
        delivered = Counter(str(call.params["chat_id"]) for call in sends if call.status == 200)
        return {
            "delivered": delivered,
            "answers": Counter(str(call.status) for call in sends),
            "injected": self.injected,
            "blocked": sorted(self._blocked),
            "max_per_second": _most_in_window(accepted, 1.0),
            "tightest_31": min(
                (b - a for a, b in zip(accepted, accepted[30:], strict=False)), default=None
            ),
            "steady_rate": _steady_rate(accepted),
            "longest_gaps": sorted(
                ((round(b - a, 3), round(a - accepted[0], 1))
                 for a, b in itertools.pairwise(accepted)), reverse=True
            )[:10],
            "first_request": sends[0].time if sends else None,
            "last_accepted": accepted[-1] if accepted else None,
        }


def _steady_rate(stamps: list[float]) -> float:
    """Messages per second over the middle 80 % of the run (no start, no tail)."""
    if len(stamps) < 10:
        return 0.0
    lo, hi = len(stamps) // 10, len(stamps) * 9 // 10
    return (hi - lo) / (stamps[hi] - stamps[lo])


def _most_in_window(stamps: list[float], window: float) -> int:
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def serve(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    api = FaultyTelegramAPI(args.faults, rng)
    chats = range(args.first_chat, args.first_chat + args.recipients)
    for chat in rng.sample(chats, round(args.blocked * args.recipients)):
        api.block_chat(chat)
    async with api:
        print(json.dumps({"base_url": api.base_url, "token": api.token}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fake_server")
    parser.add_argument("--recipients", type=int, required=True)
    parser.add_argument("--first-chat", type=int, required=True)
    parser.add_argument("--faults", type=float, default=0.01)
    parser.add_argument("--blocked", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()

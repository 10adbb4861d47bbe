"""Broadcast benchmark: how close does delivery get to Telegram's 30 messages per second?

    .venv/bin/python -m bench.broadcast --recipients 10000

Starts the fake Bot API in its own process with Telegram's real limits (30/s overall, 1/s per
chat) and about 1 % of the sends faulty (see bench/fake_server.py), registers the recipients in a
temporary SQLite file, enqueues one broadcast, and lets the app's delivery worker and scheduler
send it with the production default settings. Prints one table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.app import App
from bot.config import Settings, TelegramSettings
from bot.platforms.telegram import TelegramAdapter
from tests.harness.recipients import add_recipients, enqueue_broadcast

FIRST_CHAT = 700_001
BATCH = 1
CAP = 30.0
TEXT = (
    "Уважаемые коллеги! 12 ноября в 15:00 (МСК) — сетевой вебинар «Формирующее оценивание на "
    "уроках математики». Ссылка на подключение придёт за час до начала."
)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    fake = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fake_server", "--recipients", str(args.recipients),
        "--first-chat", str(FIRST_CHAT), "--faults", str(args.faults),
        "--blocked", str(args.blocked), "--seed", str(args.seed),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert fake.stdout is not None and fake.stdin is not None
    server = json.loads(await fake.stdout.readline())
    try:
        with tempfile.TemporaryDirectory() as folder:
            return await _broadcast(args, server, Path(folder) / "bench.db")
    finally:
        fake.stdin.close()
        await fake.wait()


async def _broadcast(args: argparse.Namespace, server: dict[str, str], db: Path) -> dict[str, Any]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{db}",
        telegram=TelegramSettings(token=SecretStr(server["token"]), api_url=server["base_url"]),
        _env_file=None,  # type: ignore[call-arg]
    )  # every delivery setting at its production default
    app = await App.start(settings)
    adapter = TelegramAdapter(app.core, settings.telegram, app.catalogs, app.core.registry)
    try:
        now = app.core.clock.now()
        chats = list(range(FIRST_CHAT, FIRST_CHAT + args.recipients))
        accounts = await add_recipients(app.db, chats, now)
        await enqueue_broadcast(app.db, accounts, BATCH, TEXT, now)

        started = time.monotonic()
        await app.start_delivery({"telegram": adapter})
        counts = await _until_settled(app)
        elapsed = time.monotonic() - started
        await app.stop_delivery()
        async with aiohttp.ClientSession() as http:
            url = f"{server['base_url']}/bot{server['token']}/benchStats"
            async with http.get(url) as answer:
                stats: dict[str, Any] = await answer.json()
    finally:
        await adapter.bot.session.close()
        await app.close()
    if args.verbose:
        print(json.dumps({k: v for k, v in stats.items() if k not in ("delivered", "blocked")}),
              file=sys.stderr)
    return {"counts": counts, "elapsed": elapsed, "stats": stats, "settings": settings}


async def _until_settled(app: App) -> dict[str, int]:
    while True:
        async with app.db.transaction() as repos:
            counts = await repos.outbox.batch_counts(BATCH)
        if not counts.keys() & {"pending", "sending"}:
            return counts
        await asyncio.sleep(0.1)


def report(args: argparse.Namespace, result: dict[str, Any]) -> str:
    counts, stats, elapsed = result["counts"], result["stats"], result["elapsed"]
    per_chat: dict[str, int] = stats["delivered"]
    delivered = len(per_chat)
    unreachable = counts.get("unreachable", 0)
    blocked = {str(chat) for chat in stats["blocked"]}
    losses = sum(
        1 for chat in range(FIRST_CHAT, FIRST_CHAT + args.recipients)
        if str(chat) not in per_chat and str(chat) not in blocked
    )
    rate = delivered / elapsed
    rows = [
        ("recipients", f"{args.recipients}"),
        ("delivered", f"{delivered}"),
        ("unreachable", f"{unreachable}"),
        ("failed", f"{counts.get('failed', 0)}"),
        ("duplicates", f"{sum(1 for n in per_chat.values() if n > 1)}"),
        ("elapsed s", f"{elapsed:.1f}"),
        ("delivered/s", f"{rate:.2f}"),
        ("% of the 30/s cap", f"{100 * rate / CAP:.1f}"),
        ("losses", f"{losses}"),
    ]
    width = max(len(name) for name, _ in rows)
    table = "\n".join(f"{name:<{width}}  {value:>8}" for name, value in rows)
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(stats["answers"].items()))
    injected = ", ".join(f"{kind}: {n}" for kind, n in sorted(stats["injected"].items()))
    delivery = result["settings"].delivery
    return (
        f"{table}\n\n"
        f"sendMessage answers ({'0 = no answer' if '0' in stats['answers'] else 'by status'}): "
        f"{answers}\n"
        f"faults injected: {injected or 'none'}; chats blocked: {len(blocked)}\n"
        f"most messages the fake accepted in any 1 s: {stats['max_per_second']} "
        f"(31 in a row took at least {stats['tightest_31'] or 0:.3f} s); "
        f"steady rate {stats['steady_rate']:.2f}/s\n"
        f"worker: max_in_flight={delivery.max_in_flight}, batch_size={delivery.batch_size}, "
        f"pump_interval={delivery.pump_interval}s, "
        f"telegram_global_per_second={delivery.telegram_global_per_second:g}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--faults", type=float, default=0.01,
                        help="share of sendMessage requests answered with a fault (0.01)")
    parser.add_argument("--blocked", type=float, default=0.005,
                        help="share of recipients who blocked the bot (0.005)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="also print the fake's figures")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    print(f"Sending to {args.recipients} recipients at up to {CAP:g}/s "
          f"(about {args.recipients / CAP:.0f} s)...", file=sys.stderr)
    print(report(args, asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

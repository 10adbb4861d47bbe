"""A delivery worker in a process of its own, so a test can kill it with SIGKILL:

    python -m tests.harness.worker_process DATABASE_URL API_URL TOKEN

It pumps the outbox once through the real Telegram adapter, with the limits the delivery tests
use and the tests' clock (a ManualClock at its default start), then exits.
"""

from __future__ import annotations

import asyncio
import sys

from pydantic import SecretStr

from bot.app import App
from bot.config import DeliverySettings, Settings, TelegramSettings
from bot.core.clock import ManualClock
from bot.delivery import DeliveryWorker, PlatformLimits
from bot.platforms.limits import telegram_is_group
from bot.platforms.telegram import TelegramAdapter

RATE = 400  # messages per second, for the fake and the worker alike
WORKER_LIMITS = PlatformLimits(per_second=RATE, chat_interval=0.001, is_group=telegram_is_group)
DELIVERY = DeliverySettings(max_in_flight=16)


async def main(database_url: str, api_url: str, token: str) -> None:
    settings = Settings(
        database_url=database_url, delivery=DELIVERY,
        telegram=TelegramSettings(token=SecretStr(token), api_url=api_url),
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = ManualClock()
    app = await App.start(settings, clock)
    adapter = TelegramAdapter(app.core, settings.telegram, app.catalogs, app.core.registry)
    worker = DeliveryWorker(app.db, app.catalogs, {"telegram": adapter}, settings, clock,
                            limits={"telegram": WORKER_LIMITS})
    try:
        await worker.pump()
    finally:
        await adapter.bot.session.close()
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))

"""A coordinator's broadcast end to end: the dialog, the outbox worker through real aiogram to the
fake Bot API, and the progress message edited into the final report."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.config import Settings, TelegramSettings
from bot.core.clock import ManualClock
from bot.delivery import DeliveryWorker
from bot.delivery.progress import BroadcastProgress
from bot.platforms.telegram import TelegramAdapter
from storage.tables import broadcasts
from tests.conftest import COORDINATOR_ID
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits
from tests.harness.chat import ChatClient
from tests.harness.recipients import add_recipients
from tests.harness.worker_process import DELIVERY, RATE, WORKER_LIMITS

CHATS = list(range(700_001, 700_031))
BLOCKED = (700_005, 700_017)
TEXT = "Коллеги, напоминаем: заявки на конкурс «Педагог года» — до 1 декабря."


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    limits = RateLimits(global_limit=RATE, global_window=1.0, private_interval=0.001)
    async with FakeTelegramAPI(limits=limits) as fake:
        yield fake


@pytest.fixture
async def adapter(api: FakeTelegramAPI, network_app: App) -> AsyncIterator[TelegramAdapter]:
    settings = TelegramSettings(token=SecretStr(api.token), api_url=api.base_url)
    adapter = TelegramAdapter(network_app.core, settings, network_app.catalogs,
                              network_app.core.registry)
    yield adapter
    await adapter.bot.session.close()


async def test_broadcast_reaches_everyone_and_reports_progress(
    network_app: App, adapter: TelegramAdapter, api: FakeTelegramAPI, settings: Settings,
    clock: ManualClock,
) -> None:
    await add_recipients(network_app.db, CHATS, clock.now())
    for chat in BLOCKED:
        api.block_chat(chat)
    coordinator = ChatClient(network_app.core, user_id=COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.click("Всем педагогам сети")
    await coordinator.send(TEXT)
    assert coordinator.last.text.startswith("Получатели: Всем педагогам сети — 30 получателей.")
    await coordinator.click("Отправить")
    assert coordinator.last.text.startswith("Рассылка №1 запущена: 30 получателей.")

    senders = {"telegram": adapter}
    progress = BroadcastProgress(network_app.db, network_app.catalogs, senders, clock)
    await progress.report()
    [shown] = api.sent_messages(int(COORDINATOR_ID))
    assert shown["text"] == (
        "Рассылка №1: доставлено 0 из 30\nнедоступны (заблокировали бота): 0\n"
        "не удалось отправить: 0\nв очереди: 30"
    )

    worker = DeliveryWorker(
        network_app.db, network_app.catalogs, senders,
        settings.model_copy(update={"delivery": DELIVERY}), clock,
        limits={"telegram": WORKER_LIMITS},
    )
    report = await worker.pump()
    assert (report.sent, report.unreachable) == (28, 2)
    await progress.report()

    [final] = api.sent_messages(int(COORDINATOR_ID))  # the same message, edited
    assert final["message_id"] == shown["message_id"]
    assert final["text"] == (
        "Рассылка №1 завершена ✅\nдоставлено: 28 из 30\n"
        "недоступны (заблокировали бота): 2\nне удалось отправить: 0"
    )
    for chat in CHATS:
        texts = [m["text"] for m in api.sent_messages(chat)]
        assert texts == ([] if chat in BLOCKED else [TEXT])
    async with network_app.db.connection() as conn:
        finished = (await conn.execute(select(broadcasts.c.finished_at))).scalar()
    assert finished is not None
    await progress.report()  # a finished broadcast is left alone
    assert len([c for c in api.requests if c.method == "editMessageText"]) == 1

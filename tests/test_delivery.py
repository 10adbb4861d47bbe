"""The delivery worker end to end: outbox rows → real aiogram → the fake Bot API over HTTP.

The fake enforces its rate limits the way Telegram does (it answers 429 when they are broken), so
the worker and the fake are set to the same, higher rate to keep the tests quick; faults are
injected on chosen requests. Backoff waits use the test's clock, which is moved by hand.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.config import Settings, TelegramSettings
from bot.core.clock import ManualClock
from bot.delivery import DeliveryWorker, PumpReport
from bot.platforms.telegram import TelegramAdapter
from storage.db import Database
from storage.outbox import NewMessage
from storage.tables import accounts, outbox
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits
from tests.harness.recipients import add_recipients, enqueue_broadcast
from tests.harness.worker_process import DELIVERY, RATE, WORKER_LIMITS

# The worker paces by when sends start, the fake counts when requests arrive: on a loaded machine
# the way between them can bunch a few together, so the fake allows 5 % more than the worker
# aims at (Telegram's own limits are not that exact either).
FAKE_LIMITS = RateLimits(global_limit=RATE * 105 // 100, global_window=1.0,
                         private_interval=0.001)
ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 2000
FIRST_CHAT = 500_001
TEXT = "Коллеги, в четверг в 15:00 — вебинар «Формирующее оценивание». Ссылка придёт накануне."
BATCH = 1


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(limits=FAKE_LIMITS) as fake:
        yield fake


@pytest.fixture
async def adapter(api: FakeTelegramAPI, app: App) -> AsyncIterator[TelegramAdapter]:
    settings = TelegramSettings(token=SecretStr(api.token), api_url=api.base_url)
    adapter = TelegramAdapter(app.core, settings, app.catalogs, app.core.registry)
    adapter.bot.session.timeout = 0.5  # a delayed answer becomes a timeout quickly
    yield adapter
    await adapter.bot.session.close()


WorkerFactory = Callable[..., DeliveryWorker]


@pytest.fixture
def make_worker(
    app: App, adapter: TelegramAdapter, settings: Settings, clock: ManualClock
) -> WorkerFactory:
    def make(db: Database | None = None, **delivery: object) -> DeliveryWorker:
        config = DELIVERY.model_copy(update=delivery)
        return DeliveryWorker(
            db or app.db, app.catalogs, {"telegram": adapter},
            settings.model_copy(update={"delivery": config}), clock,
            limits={"telegram": WORKER_LIMITS},
        )

    return make


@dataclass
class Broadcast:
    chats: list[int]
    accounts: dict[int, int]  # chat id -> account id


@pytest.fixture
async def broadcast(app: App, clock: ManualClock) -> Broadcast:
    chats = list(range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS))
    accounts = await add_recipients(app.db, chats, clock.now())
    assert await enqueue_broadcast(app.db, accounts, BATCH, TEXT, clock.now()) == RECIPIENTS
    return Broadcast(chats, dict(zip(chats, accounts, strict=True)))


async def pump_until_settled(
    worker: DeliveryWorker, db: Database, clock: ManualClock, rounds: int = 40
) -> list[PumpReport]:
    """Pump; while rows wait for a retry, move the clock past any backoff and pump again.

    A chat held by flood control waits on the limiter's real clock (retry_after is in real
    seconds), so a round that leaves rows pending also lets a little real time pass."""
    reports = []
    for _ in range(rounds):
        reports.append(await worker.pump())
        async with db.transaction() as repos:
            counts = await repos.outbox.batch_counts(BATCH)
        if not counts.keys() & {"pending", "sending"}:
            return reports
        clock.advance(timedelta(seconds=worker.config.backoff_cap))
        await asyncio.sleep(0.1)
    raise AssertionError(f"still not settled: {counts}")


def send_statuses(api: FakeTelegramAPI) -> dict[int, list[int]]:
    """Every sendMessage answer per chat, in order (0: no answer — dropped or timed out)."""
    statuses: dict[int, list[int]] = {}
    for call in api.requests:
        if call.method == "sendMessage":
            statuses.setdefault(int(call.params["chat_id"]), []).append(call.status)
    return statuses


def delivered(api: FakeTelegramAPI) -> Counter[int]:
    return Counter(
        int(call.params["chat_id"])
        for call in api.requests if call.method == "sendMessage" and call.status == 200
    )


async def test_broadcast_to_2000_arrives_once_each_through_faults(
    api: FakeTelegramAPI, app: App, broadcast: Broadcast, make_worker: WorkerFactory,
    clock: ManualClock,
) -> None:
    chats = broadcast.chats
    blocked = set(chats[200::36][:50])
    for chat in blocked:
        api.block_chat(chat)
    healthy = [chat for chat in chats[100:] if chat not in blocked]
    flood = healthy[100:1500:500]  # 3 chats answer 429 (retry_after=1) once
    server_errors = healthy[50:1800:120]  # 15 chats answer 500 once ...
    twice = healthy[1810:1812]  # ... and 2 answer 502 twice
    for chat in flood:
        api.inject("sendMessage", status=429, retry_after=1, chat_id=chat)
    for chat in server_errors:
        api.inject("sendMessage", status=500, chat_id=chat)
    for chat in twice:
        api.inject("sendMessage", status=502, count=2, chat_id=chat)
    api.delay(30.0, "sendMessage", count=3)  # the first 3 sends time out (0.5 s) ...
    api.drop_connection("sendMessage", count=5)  # ... and the next 5 lose their connection

    worker = make_worker()
    reports = await pump_until_settled(worker, app.db, clock)

    async with app.db.transaction() as repos:
        assert await repos.outbox.batch_counts(BATCH) == {"sent": 1950, "unreachable": 50}
        reachable = {
            chat: account.reachable
            for chat, account_id in broadcast.accounts.items()
            if (account := await repos.accounts.by_id(account_id)) is not None
        }
    statuses = send_statuses(api)
    got = delivered(api)
    assert {chat for chat, ok in reachable.items() if not ok} == blocked
    assert all(statuses[chat] == [403] for chat in blocked)  # attempted once, never retried
    assert {chat: got[chat] for chat in chats if chat not in blocked} == {
        chat: 1 for chat in chats if chat not in blocked
    }
    assert all(message["text"] == TEXT for message in api.sent_messages(chats[-1]))
    assert len(twice) == 2
    answers = Counter(status for chat_statuses in statuses.values() for status in chat_statuses)
    assert answers[429] == len(flood)  # the fake never had to refuse a send the worker made
    assert answers[500] == len(server_errors)
    assert answers[502] == 2 * len(twice)
    assert answers[0] == 3 + 5
    assert answers[200] == 1950
    assert sum(report.sent for report in reports) == 1950
    assert sum(report.unreachable for report in reports) == 50
    assert sum(report.retried for report in reports) == 3 + 15 + 4 + 3 + 5
    assert worker.in_flight == 0


async def test_killed_in_the_middle_then_restarted_nobody_is_missed(
    api: FakeTelegramAPI, app: App, broadcast: Broadcast, make_worker: WorkerFactory,
    clock: ManualClock, settings: Settings,
) -> None:
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.harness.worker_process", settings.database_url,
        api.base_url, api.token, cwd=ROOT, stdin=subprocess.DEVNULL,
    )
    try:
        await api.wait_for(lambda a: sum(delivered(a).values()) >= 750, timeout=30)
    finally:
        worker.kill()  # SIGKILL in the middle of the broadcast: no cleanup of any kind
        await worker.wait()

    async with app.db.transaction() as repos:
        counts = await repos.outbox.batch_counts(BATCH)
        rows = await repos.conn.execute(
            select(accounts.c.chat_id)
            .join(outbox, outbox.c.account_id == accounts.c.id)
            .where(outbox.c.status == "sending")
        )
        sending_at_kill = {int(chat_id) for chat_id in rows.scalars()}
    assert 0 < counts["sent"] < RECIPIENTS
    assert len(sending_at_kill) == counts["sending"] > 0

    clock.advance(timedelta(seconds=DELIVERY.claim_lease_seconds + 1))  # the restart, later
    await pump_until_settled(make_worker(), app.db, clock)

    got = delivered(api)
    assert set(got) == set(broadcast.chats)  # everyone got it
    twice = {chat for chat, n in got.items() if n > 1}
    assert twice <= sending_at_kill  # only what was being sent at the kill ...
    assert len(twice) <= DELIVERY.max_in_flight  # ... which is at most max_in_flight
    async with app.db.transaction() as repos:
        assert await repos.outbox.batch_counts(BATCH) == {"sent": RECIPIENTS}


async def test_message_ids_are_rendered_in_each_recipients_language(
    api: FakeTelegramAPI, app: App, make_worker: WorkerFactory, clock: ManualClock
) -> None:
    [ru] = await add_recipients(app.db, [701], clock.now(), locale="ru")
    [en] = await add_recipients(app.db, [702], clock.now(), locale="en")
    [unset] = await add_recipients(app.db, [703], clock.now())
    async with app.db.transaction() as repos:
        for account in (ru, en, unset):
            await repos.outbox.enqueue(
                NewMessage(key=f"note:{account}", account_id=account, not_before=clock.now(),
                           message_key="command.unknown", params={"command": "webinar"}),
                clock.now(),
            )

    report = await make_worker().pump()

    assert report.sent == 3
    assert [m["text"] for m in api.sent_messages(701)] == [
        "Команды /webinar нет. Список команд — /help."
    ]
    assert [m["text"] for m in api.sent_messages(702)] == [
        "There is no /webinar command. See /help for the list."
    ]
    assert api.sent_messages(703)[0]["text"].startswith("Команды /webinar нет")  # default: ru


async def test_a_group_chat_is_sent_within_its_own_limit(
    api: FakeTelegramAPI, app: App, make_worker: WorkerFactory, clock: ManualClock
) -> None:
    [group] = await add_recipients(app.db, [-100777], clock.now())
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue_many(
            [NewMessage(key=f"group:{n}", account_id=group, not_before=clock.now(),
                        text=f"Объявление {n}", batch_id=BATCH) for n in range(22)],
            clock.now(),
        )

    report = await make_worker().pump()

    assert report.sent == 20  # 20 a minute in one group; the rest waits for the next minute
    assert report.deferred == 2
    assert len(api.sent_messages(-100777)) == 20
    async with app.db.transaction() as repos:
        assert await repos.outbox.batch_counts(BATCH) == {"sent": 20, "pending": 2}
        assert await repos.outbox.next_due() is not None
        due = await repos.outbox.next_due()
    assert due is not None and due - clock.now() > timedelta(seconds=55)


async def test_a_group_that_became_a_supergroup_is_followed_to_its_new_id(
    api: FakeTelegramAPI, app: App, make_worker: WorkerFactory, clock: ManualClock
) -> None:
    [group] = await add_recipients(app.db, [-100888], clock.now())
    api.migrate_chat(-100888, -1001234567890)
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(NewMessage(key="moved", account_id=group, not_before=clock.now(),
                                              text="Объявление", batch_id=BATCH), clock.now())

    await pump_until_settled(make_worker(), app.db, clock)

    assert [m["text"] for m in api.sent_messages(-1001234567890)] == ["Объявление"]
    assert api.sent_messages(-100888) == []
    async with app.db.transaction() as repos:
        account = await repos.accounts.by_id(group)
        assert await repos.outbox.batch_counts(BATCH) == {"sent": 1}
    assert account is not None and account.chat_id == "-1001234567890"

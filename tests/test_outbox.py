"""The outbox table through its repository, on SQLite and PostgreSQL: idempotent enqueueing,
claims with leases, outcomes, and claims that never overlap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.outbox import NewMessage, OutboxRepository
from tests.harness.recipients import add_recipients, enqueue_broadcast

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await database.migrate()
    yield database
    await database.close()


def message(account_id: int, key: str = "reminder:1", **fields: object) -> NewMessage:
    values: dict[str, object] = {"not_before": NOW, "text": "Вебинар завтра в 15:00"}
    values.update(fields)
    return NewMessage(key=key, account_id=account_id, **values)  # type: ignore[arg-type]


async def claim(db: Database, now: datetime = NOW, limit: int = 100) -> list[int]:
    async with db.transaction() as repos:
        return [item.id for item in await repos.outbox.claim_due(now, limit, now + LEASE)]


async def test_enqueueing_the_same_key_again_changes_nothing(db: Database) -> None:
    [account] = await add_recipients(db, [101], NOW)
    async with db.transaction() as repos:
        assert await repos.outbox.enqueue(message(account, text="первый"), NOW) is True
        assert await repos.outbox.enqueue(message(account, text="второй"), NOW) is False
        assert await repos.outbox.enqueue_many(
            [message(account), message(account, key="reminder:2")], NOW
        ) == 1
    async with db.transaction() as repos:
        items = await repos.outbox.claim_due(NOW, 10, NOW + LEASE)
    assert [(item.key, item.text) for item in items] == [
        ("reminder:1", "первый"), ("reminder:2", "Вебинар завтра в 15:00"),
    ]


async def test_a_message_has_a_key_or_a_text_not_both() -> None:
    with pytest.raises(ValueError, match="either"):
        NewMessage(key="k", account_id=1, not_before=NOW, message_key="reg.done", text="x")
    with pytest.raises(ValueError, match="either"):
        NewMessage(key="k", account_id=1, not_before=NOW)


async def test_claim_takes_due_rows_once_with_a_lease(db: Database) -> None:
    first, second = await add_recipients(db, [101, 102], NOW, locale="en")
    async with db.transaction() as repos:
        await repos.outbox.enqueue(message(first, key="now"), NOW)
        later = message(second, key="later", not_before=NOW + timedelta(hours=1))
        await repos.outbox.enqueue(later, NOW)

    async with db.transaction() as repos:
        [item] = await repos.outbox.claim_due(NOW, 10, NOW + LEASE)
    assert (item.key, item.platform, item.chat_id, item.locale) == ("now", "telegram", "101", "en")
    assert (item.attempts, item.lease_until, item.timezone) == (1, NOW + LEASE, "Europe/Moscow")
    assert item.reachable is True

    assert await claim(db, NOW + timedelta(seconds=30)) == []  # leased, and "later" not due
    async with db.transaction() as repos:
        assert await repos.outbox.status_of("now") == ("sending", 1)
        assert await repos.outbox.status_of("later") == ("pending", 0)
        assert await repos.outbox.next_due() == NOW + timedelta(hours=1)


async def test_a_row_of_a_crashed_worker_is_claimed_again_after_its_lease(db: Database) -> None:
    [account] = await add_recipients(db, [101], NOW)
    async with db.transaction() as repos:
        await repos.outbox.enqueue(message(account), NOW)
    [row] = await claim(db)  # ... and the worker that claimed it dies

    assert await claim(db, NOW + LEASE) == []  # the lease is still held at its last instant
    assert await claim(db, NOW + LEASE + timedelta(seconds=1)) == [row]
    async with db.transaction() as repos:
        assert await repos.outbox.status_of("reminder:1") == ("sending", 2)


async def test_outcomes_retry_release_and_finish(db: Database) -> None:
    accounts = await add_recipients(db, [101, 102, 103, 104, 105], NOW)
    await enqueue_broadcast(db, accounts, 7, "Открытый урок в пятницу", NOW)
    ids = await claim(db)
    later = NOW + timedelta(seconds=4)
    async with db.transaction() as repos:
        await repos.outbox.mark_sent(ids[0], NOW)
        await repos.outbox.retry_later(ids[1], later, "TelegramServerError: Bad Gateway")
        await repos.outbox.retry_later(ids[2], later, "flood control", count_attempt=False)
        await repos.outbox.mark_unreachable(ids[3], "Forbidden: bot was blocked by the user")
        await repos.outbox.release([ids[4]])
        assert await repos.outbox.batch_counts(7) == {"sent": 1, "pending": 3, "unreachable": 1}
        assert await repos.outbox.status_of(f"broadcast:7:{accounts[1]}") == ("pending", 1)
        assert await repos.outbox.status_of(f"broadcast:7:{accounts[2]}") == ("pending", 0)
        assert await repos.outbox.status_of(f"broadcast:7:{accounts[4]}") == ("pending", 0)
        blocked = await repos.accounts.by_id(accounts[3])
        others = [await repos.accounts.by_id(a) for a in accounts if a != accounts[3]]
    assert blocked is not None and blocked.reachable is False
    assert all(a is not None and a.reachable for a in others)

    assert await claim(db) == [ids[4]]  # released for now; the retries wait until later
    async with db.transaction() as repos:
        await repos.outbox.mark_failed(ids[4], "TelegramBadRequest: message is too long")
    assert await claim(db, later) == [ids[1], ids[2]]
    async with db.transaction() as repos:
        await repos.outbox.drop(ids[1], "expired")
        await repos.outbox.mark_sent_many([(ids[2], later)])
        assert await repos.outbox.batch_counts(7) == {
            "sent": 2, "dropped": 1, "unreachable": 1, "failed": 1,
        }


async def test_claims_only_for_the_platforms_asked(db: Database) -> None:
    [tg] = await add_recipients(db, [101], NOW)
    [vk] = await add_recipients(db, [202], NOW, platform="vk")
    async with db.transaction() as repos:
        await repos.outbox.enqueue(message(tg, key="tg"), NOW)
        await repos.outbox.enqueue(message(vk, key="vk"), NOW)
        items = await repos.outbox.claim_due(NOW, 10, NOW + LEASE, platforms={"telegram"})
        assert [item.key for item in items] == ["tg"]
        assert await repos.outbox.next_due({"telegram"}) is None
        assert await repos.outbox.next_due({"vk"}) == NOW


async def test_concurrent_claims_never_share_a_row(db: Database, database_url: str) -> None:
    accounts = await add_recipients(db, list(range(1000, 1300)), NOW)
    await enqueue_broadcast(db, accounts, 1, "Сетевое событие", NOW)
    others = [Database.from_url(database_url) for _ in range(3)]

    async def claimer(database: Database) -> list[int]:
        got: list[int] = []
        while batch := await claim(database, limit=7):
            got += batch
            await asyncio.sleep(0)
        return got

    try:
        results = await asyncio.gather(claimer(db), *(claimer(other) for other in others))
    finally:
        for other in others:
            await other.close()
    claimed = [row for result in results for row in result]
    assert len(claimed) == len(set(claimed)) == 300


async def test_postgres_skips_rows_locked_by_an_open_claim(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes claims with BEGIN IMMEDIATE instead")
    accounts = await add_recipients(db, list(range(1000, 1010)), NOW)
    await enqueue_broadcast(db, accounts, 1, "Сетевое событие", NOW)
    async with db.engine.connect() as one, db.engine.connect() as two:
        first_tx = await one.begin()
        first = await OutboxRepository(one).claim_due(NOW, 6, NOW + LEASE)
        second_tx = await two.begin()
        # the first claim is not committed; the second must neither wait nor take its rows
        second = await asyncio.wait_for(OutboxRepository(two).claim_due(NOW, 6, NOW + LEASE), 5)
        await second_tx.commit()
        await first_tx.commit()
    first_ids, second_ids = {i.id for i in first}, {i.id for i in second}
    assert len(first_ids) == 6
    assert len(second_ids) == 4
    assert not first_ids & second_ids

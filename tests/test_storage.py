"""Storage against a real SQLite file (and PostgreSQL when KOLLEGA_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.tables import metadata, teachers
from storage.teachers import NewTeacher

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    await database.migrate()
    yield database
    await database.close()


async def test_migrations_create_every_table(db: Database) -> None:
    async with db.connection() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert set(metadata.tables) <= tables
    assert revision == "0006"


async def test_migrating_twice_is_harmless(db: Database) -> None:
    await db.migrate()
    async with db.transaction() as repos:
        assert (await repos.network.counts()).topics == 0


async def test_sqlite_runs_in_wal_with_foreign_keys(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    async with db.connection() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.network.add_organization(12345, "Школа без муниципалитета")


async def test_teacher_round_trip_with_utc_times(db: Database) -> None:
    async with db.transaction() as repos:
        municipality = await repos.network.add_municipality("Верхнегорский городской округ")
        school = await repos.network.add_organization(municipality.id, "МАОУ «СОШ № 5»")
        math = await repos.network.add_subject("Математика")
        topic = await repos.network.add_topic("Функциональная грамотность")
        moscow_time = NOW.astimezone(ZoneInfo("Europe/Moscow"))
        teacher_id = await repos.teachers.create(
            NewTeacher("Иванова Мария", school.id, "teacher", "Asia/Omsk", True, (math.id,),
                       (topic.id,), moscow_time),
            NOW,
        )
        account = await repos.accounts.ensure("telegram", "42", "42", NOW)
        await repos.accounts.link_teacher(account.id, teacher_id)
    async with db.transaction() as repos:
        profile = await repos.teachers.profile(teacher_id)
        assert profile is not None
        assert (profile.teacher.full_name, profile.organization, profile.municipality) == (
            "Иванова Мария", "МАОУ «СОШ № 5»", "Верхнегорский городской округ")
        assert profile.subjects == ("Математика",)
        assert profile.topics == ("Функциональная грамотность",)
        accounts = await repos.accounts.for_teacher(teacher_id)
        assert [a.external_id for a in accounts] == ["42"]
    async with db.connection() as conn:
        consent = (await conn.execute(select(teachers.c.consent_at))).scalar()
    assert consent == NOW and consent.tzinfo is not None


async def test_names_are_unique_regardless_of_case(db: Database) -> None:
    async with db.transaction() as repos:
        first = await repos.network.add_topic("Формирующее оценивание")
        second = await repos.network.add_topic("формирующее ОЦЕНИВАНИЕ")
        assert first == second
        assert (await repos.network.counts()).topics == 1


async def test_processed_updates_are_recorded_once(db: Database) -> None:
    async with db.transaction() as repos:
        assert await repos.updates.mark_processed("telegram", "7", NOW)
        assert not await repos.updates.mark_processed("telegram", "7", NOW)
        assert await repos.updates.mark_processed("vk", "7", NOW)
        assert await repos.updates.prune(NOW + timedelta(seconds=1)) == 2


async def test_dialog_state_survives_a_new_connection(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.dialogs.save("telegram", "5", "q.name", {"answers": {"a": [1, 2]}}, NOW)
        await repos.dialogs.save("telegram", "5", "q.position", {"answers": {"b": "ё"}}, NOW)
    async with db.transaction() as repos:
        stored = await repos.dialogs.load("telegram", "5")
        assert stored is not None
        assert (stored.state, stored.data) == ("q.position", {"answers": {"b": "ё"}})
        await repos.dialogs.clear("telegram", "5")
        assert await repos.dialogs.load("telegram", "5") is None


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.network.add_topic("Будет отменено")
            raise RuntimeError("handler failed")
    async with db.transaction() as repos:
        assert (await repos.network.counts()).topics == 0


async def test_concurrent_writers_wait_instead_of_failing(db: Database) -> None:
    async def add(i: int) -> None:
        async with db.transaction() as repos:
            await repos.network.topics()  # read, then write: the classic SQLite deadlock shape
            await asyncio.sleep(0.01)
            await repos.network.add_topic(f"Тема {i}")

    await asyncio.gather(*(add(i) for i in range(10)))
    async with db.transaction() as repos:
        assert (await repos.network.counts()).topics == 10

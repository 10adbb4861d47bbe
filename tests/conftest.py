"""Shared fixtures: a real database (a SQLite file, or PostgreSQL when configured), the core."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.network_file import NetworkList, apply_network_list, parse_yaml
from storage.groups import Group
from tests.harness.chat import ChatClient
from tests.harness.flows import create_group, register

POSTGRES_URL = os.environ.get("KOLLEGA_TEST_POSTGRES_URL")
COORDINATOR_ID = "9000"

SMALL_NETWORK = """
municipalities:
  - name: Верхнегорский городской округ
    region: Уральская область
    organizations: [МАОУ «СОШ № 5», МАОУ «Лицей № 3», МБОУ «Гимназия № 2»]
  - name: Заречный муниципальный район
    organizations: [МКОУ «Заречная СОШ»]
subjects: [Математика, Информатика, Физика, Русский язык]
topics: [Функциональная грамотность, Формирующее оценивание, Цифровые образовательные ресурсы]
"""


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=_backends())
async def database_url(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[str]:
    """A fresh database: a SQLite file in tmp_path, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/kollega.db"
        return
    assert POSTGRES_URL is not None
    name = f"kollega_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        coordinators=(f"telegram:{COORDINATOR_ID}",),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[App]:
    app = await App.start(settings, clock)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
def small_network() -> NetworkList:
    return parse_yaml(SMALL_NETWORK)


@pytest.fixture
async def network_app(app: App, small_network: NetworkList) -> App:
    async with app.db.transaction() as repos:
        await apply_network_list(repos.network, small_network)
    return app


@pytest.fixture
def chat_for(network_app: App) -> Callable[..., ChatClient]:
    def make(user_id: str = "1001", **kwargs: object) -> ChatClient:
        return ChatClient(network_app.core, user_id=user_id, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def chat(chat_for: Callable[..., ChatClient]) -> ChatClient:
    return chat_for()


# -- people many conversation tests share ---------------------------------------------------------

@pytest.fixture
async def admin(chat_for: Callable[..., ChatClient]) -> ChatClient:
    """A registered teacher (Иванова, Екатеринбург) who becomes the `group`'s admin."""
    chat = chat_for("2001")
    await register(chat, name="Иванова Мария Петровна")
    return chat


@pytest.fixture
def coordinator(chat_for: Callable[..., ChatClient]) -> ChatClient:
    return chat_for(COORDINATOR_ID)


@pytest.fixture
async def group(network_app: App, admin: ChatClient, coordinator: ChatClient) -> Group:
    """«Математики Верхнегорья», open, on «Функциональная грамотность», admin: Иванова."""
    await create_group(coordinator)
    async with network_app.db.transaction() as repos:
        return (await repos.groups.active())[0]

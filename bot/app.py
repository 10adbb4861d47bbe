"""Wiring: settings → database → core, shared by every way of running the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.dispatcher import Core
from bot.core.router import Registry
from bot.i18n import Catalogs
from handlers import ROUTERS
from storage.db import Database


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    catalogs: Catalogs
    core: Core

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> App:
        """Open the database, apply migrations and build the core."""
        db = Database.from_url(settings.database_url)
        await db.migrate()
        catalogs = Catalogs.load(settings.default_locale)
        core = Core(db, Registry(ROUTERS), settings, catalogs, clock or SystemClock())
        return cls(settings, db, catalogs, core)

    async def close(self) -> None:
        await self.db.close()

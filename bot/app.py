"""Wiring: settings → database → core, shared by every way of running the bot; the delivery
worker and the scheduler when a messenger is connected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.dispatcher import Core
from bot.core.router import Registry
from bot.delivery import DeliveryWorker, Sender
from bot.delivery.progress import BroadcastProgress
from bot.housekeeping import tidy
from bot.i18n import Catalogs
from bot.platforms.limits import platform_limits
from bot.scheduler import Scheduler
from handlers import ROUTERS
from handlers.matching.jobs import MatchingJobs
from storage.db import Database

PUMP_JOB = "pump_outbox"
PROGRESS_JOB = "broadcast_progress"
MATCH_SCHEDULE_JOB = "match_schedules"
MATCH_QUESTION_JOB = "match_questions"
HOUSEKEEPING_JOB = "housekeeping"
HOUSEKEEPING_INTERVAL = 3600.0


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    catalogs: Catalogs
    core: Core
    worker: DeliveryWorker | None = None
    scheduler: Scheduler | None = None
    matching_jobs: MatchingJobs | None = None

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> App:
        """Open the database, apply migrations and build the core (nothing runs in the
        background until `start_delivery`)."""
        db = Database.from_url(settings.database_url)
        await db.migrate()
        catalogs = Catalogs.load(settings.default_locale)
        core = Core(db, Registry(ROUTERS), settings, catalogs, clock or SystemClock())
        return cls(settings, db, catalogs, core)

    async def start_delivery(self, senders: Mapping[str, Sender]) -> DeliveryWorker:
        """Send the outbox through these adapters (by platform), pumped by the scheduler."""
        if self.worker is not None:
            raise RuntimeError("delivery is already running")
        limits = {platform: platform_limits(platform, self.settings.delivery)
                  for platform in senders}
        worker = DeliveryWorker(
            self.db, self.catalogs, senders, self.settings, self.core.clock, limits=limits
        )
        scheduler = Scheduler()

        async def pump_outbox() -> None:
            worker.wake()  # the pump runs in the worker's own task; a long one is not repeated

        progress = BroadcastProgress(self.db, self.catalogs, senders, self.core.clock)
        scheduler.every(PUMP_JOB, self.settings.delivery.pump_interval, pump_outbox)
        scheduler.every(PROGRESS_JOB, self.settings.delivery.progress_interval, progress.report)
        self._schedule_matching(scheduler)
        scheduler.every(HOUSEKEEPING_JOB, HOUSEKEEPING_INTERVAL, self._tidy, now=False)
        scheduler.start()
        self.core.on_outbox_changed = worker.wake
        self.worker, self.scheduler = worker, scheduler
        return worker

    async def _tidy(self) -> None:
        await tidy(self.db, self.core.clock)

    def _schedule_matching(self, scheduler: Scheduler) -> None:
        """Scheduled rounds and «Удалось встретиться?», first looked for one interval after
        the start."""
        jobs, interval = MatchingJobs(self.core), self.settings.matching.job_interval
        scheduler.every(MATCH_SCHEDULE_JOB, interval, jobs.scheduled_rounds, now=False)
        scheduler.every(MATCH_QUESTION_JOB, interval, jobs.meeting_questions, now=False)
        self.matching_jobs = jobs

    async def stop_delivery(self) -> None:
        """Stop the jobs, give back unsent claimed rows, let sends in flight finish."""
        self.core.on_outbox_changed = None
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.matching_jobs is not None:
            await self.matching_jobs.stop()
        if self.worker is not None:
            await self.worker.stop()
        self.worker, self.scheduler, self.matching_jobs = None, None, None

    async def close(self) -> None:
        await self.stop_delivery()
        await self.db.close()

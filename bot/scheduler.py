"""Background jobs on APScheduler 3 (`AsyncIOScheduler`), started and stopped with the app.

Jobs are coroutine functions run on the bot's event loop. Each job runs at most once at a time
and missed runs are coalesced into one, so a slow run never piles up copies of itself. The
outbox pump is the first job; reminders, digests and matching rounds add theirs with `every`
and `cron`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

Job = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"max_instances": 1, "coalesce": True}
        )

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def every(self, job_id: str, seconds: float, job: Job, *, now: bool = True) -> None:
        """Run `job` every `seconds` (the first run at once when `now`)."""
        self._add(job_id, job, IntervalTrigger(seconds=seconds, timezone=UTC),
                  next_run_time=datetime.now(UTC) if now else None)

    def cron(self, job_id: str, job: Job, *, timezone: str = "UTC", **fields: Any) -> None:
        """Run `job` on a cron schedule, e.g. `cron("digest", job, day_of_week="mon", hour=9)`."""
        self._add(job_id, job, CronTrigger(timezone=timezone, **fields))

    def run_soon(self, job_id: str) -> None:
        """Move the job's next run to now (skipped if it is running: it runs once at a time)."""
        self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    def jobs(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]

    def start(self) -> None:
        """Start on the running event loop."""
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop triggering jobs; a job still running is cancelled by the loop's end, so stop
        whatever a job drives (the delivery worker) before this."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def _add(self, job_id: str, job: Job, trigger: Any, **options: Any) -> None:
        if "next_run_time" in options and options["next_run_time"] is None:
            del options["next_run_time"]  # APScheduler reads None as "paused"
        self._scheduler.add_job(
            job, trigger, id=job_id, name=job_id, replace_existing=True,
            max_instances=1, coalesce=True, misfire_grace_time=None, **options,
        )
        log.debug("scheduled job %s", job_id)

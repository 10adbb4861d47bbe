"""Tidying the database: records that were needed for a while and are not any more."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import Clock
from storage.db import Database

log = logging.getLogger(__name__)

KEEP_UPDATE_IDS = timedelta(days=7)
"""Messengers redeliver an update within minutes, not days; older ids can go."""
KEEP_DRAFT_FILES = timedelta(days=2)
"""A broadcast being written is rarely left for longer; its file is then dropped."""


async def tidy(db: Database, clock: Clock) -> None:
    now = clock.now()
    async with db.transaction() as repos:
        updates = await repos.updates.prune(now - KEEP_UPDATE_IDS)
        files = await repos.files.delete_abandoned(now - KEEP_DRAFT_FILES)
    if updates or files:
        log.info("housekeeping: %s update ids, %s abandoned files removed", updates, files)

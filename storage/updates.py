"""Processed update ids, so a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_ignoring_conflicts
from storage.tables import processed_updates


class UpdateRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def mark_processed(self, platform: str, update_id: str, now: datetime) -> bool:
        """Record the update; False when it was already recorded (a redelivery)."""
        stmt = insert_ignoring_conflicts(self.conn, processed_updates).values(
            platform=platform, update_id=update_id, processed_at=now
        )
        result = await self.conn.execute(stmt)
        return bool(result.rowcount)

    async def prune(self, before: datetime) -> int:
        result = await self.conn.execute(
            delete(processed_updates).where(processed_updates.c.processed_at < before)
        )
        return int(result.rowcount)

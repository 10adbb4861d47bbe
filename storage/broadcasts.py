"""Broadcasts: an admin's message to an audience, with its progress message and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import broadcasts


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    sender_account_id: int
    audience_kind: str
    audience_ref: int | None
    audience_label: str
    text: str
    recipients: int
    file_id: int | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    sender_account_id: int | None
    audience_label: str
    text: str
    recipients: int
    progress_message_id: str | None
    created_at: datetime
    finished_at: datetime | None
    file_id: int | None = None


class BroadcastRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(self, new: NewBroadcast, now: datetime) -> int:
        result = await self.conn.execute(
            broadcasts.insert().values(
                sender_account_id=new.sender_account_id, audience_kind=new.audience_kind,
                audience_ref=new.audience_ref, audience_label=new.audience_label,
                text=new.text, file_id=new.file_id, recipients=new.recipients, created_at=now,
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def recent(self, sender_account_id: int | None, limit: int = 10) -> list[Broadcast]:
        """The newest broadcasts, of one sender or (None) of everyone."""
        query = select(broadcasts).order_by(broadcasts.c.id.desc()).limit(limit)
        if sender_account_id is not None:
            query = query.where(broadcasts.c.sender_account_id == sender_account_id)
        return [_broadcast(r._mapping) for r in await self.conn.execute(query)]

    async def unfinished(self) -> list[Broadcast]:
        rows = await self.conn.execute(
            select(broadcasts).where(broadcasts.c.finished_at.is_(None)).order_by(broadcasts.c.id)
        )
        return [_broadcast(r._mapping) for r in rows]

    async def set_progress_message(self, broadcast_id: int, message_id: str) -> None:
        await self.conn.execute(
            update(broadcasts).where(broadcasts.c.id == broadcast_id)
            .values(progress_message_id=message_id)
        )

    async def finish(self, broadcast_id: int, now: datetime) -> None:
        await self.conn.execute(
            update(broadcasts).where(broadcasts.c.id == broadcast_id).values(finished_at=now)
        )


def _broadcast(m: RowMapping) -> Broadcast:
    return Broadcast(
        id=m["id"], sender_account_id=m["sender_account_id"], audience_label=m["audience_label"],
        text=m["text"], recipients=m["recipients"], progress_message_id=m["progress_message_id"],
        created_at=m["created_at"], finished_at=m["finished_at"], file_id=m["file_id"],
    )

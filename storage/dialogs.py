"""Dialog state: which question a person is answering and the answers so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import dialog_states


@dataclass(frozen=True, slots=True)
class StoredDialog:
    state: str
    data: dict[str, Any]


class DialogRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def load(self, platform: str, external_id: str) -> StoredDialog | None:
        row = (
            await self.conn.execute(
                select(dialog_states.c.state, dialog_states.c.data).where(
                    dialog_states.c.platform == platform,
                    dialog_states.c.external_id == external_id,
                )
            )
        ).first()
        return StoredDialog(row.state, dict(row.data)) if row else None

    async def save(
        self, platform: str, external_id: str, state: str, data: dict[str, Any], now: datetime
    ) -> None:
        key = (dialog_states.c.platform == platform, dialog_states.c.external_id == external_id)
        result = await self.conn.execute(
            update(dialog_states).where(*key).values(state=state, data=data, updated_at=now)
        )
        if not result.rowcount:
            await self.conn.execute(
                dialog_states.insert().values(
                    platform=platform, external_id=external_id, state=state, data=data,
                    updated_at=now,
                )
            )

    async def clear(self, platform: str, external_id: str) -> None:
        await self.conn.execute(
            delete(dialog_states).where(
                dialog_states.c.platform == platform, dialog_states.c.external_id == external_id
            )
        )

"""Files the bot sends (a broadcast's photo or document): stored once, referenced by id.

The content lives in the database so that a message waiting in the outbox survives a restart
with its file. Each messenger gets the bytes once: after the first upload the messenger's own id
for the file is kept per platform (`file_copies`) and used instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_ignoring_conflicts
from storage.tables import broadcasts, file_copies, files, outbox

MAX_NAME = 255
MAX_MIME = 127


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: int
    file_name: str
    mime: str
    content: bytes
    copies: dict[str, str] = field(default_factory=dict)
    """The messengers' own ids for this file, by platform."""


class FileRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, file_name: str, mime: str, content: bytes, now: datetime) -> int:
        result = await self.conn.execute(
            files.insert().values(
                file_name=_clip(file_name or "file", MAX_NAME),
                mime=_clip(mime or "application/octet-stream", MAX_MIME),
                size=len(content), content=content, created_at=now,
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def get(self, file_id: int) -> StoredFile | None:
        """The file with its content and the platforms' ids for it."""
        row = (await self.conn.execute(select(files).where(files.c.id == file_id))).first()
        if row is None:
            return None
        copies = await self.conn.execute(
            select(file_copies.c.platform, file_copies.c.remote_id)
            .where(file_copies.c.file_id == file_id)
        )
        return StoredFile(
            id=row.id, file_name=row.file_name, mime=row.mime, content=bytes(row.content),
            copies={platform: remote_id for platform, remote_id in copies},
        )

    async def remember_copy(
        self, file_id: int, platform: str, remote_id: str, now: datetime
    ) -> None:
        """Keep the platform's id for the file; the first one known stays."""
        stmt = insert_ignoring_conflicts(self.conn, file_copies).values(
            file_id=file_id, platform=platform, remote_id=remote_id, created_at=now
        )
        await self.conn.execute(stmt)

    async def delete_unused(self, file_id: int) -> bool:
        """Delete the file unless a broadcast or an outbox row refers to it (a draft dropped)."""
        used = exists().where(outbox.c.file_id == file_id) | exists().where(
            broadcasts.c.file_id == file_id
        )
        result = await self.conn.execute(
            files.delete().where(files.c.id == file_id, ~used)
        )
        return bool(result.rowcount)


    async def delete_abandoned(self, before: datetime) -> int:
        """Delete files stored before `before` that nothing refers to: drafts of broadcasts
        that were never sent (the dialog was left with /cancel or simply abandoned)."""
        used = exists().where(outbox.c.file_id == files.c.id) | exists().where(
            broadcasts.c.file_id == files.c.id
        )
        result = await self.conn.execute(
            files.delete().where(files.c.created_at < before, ~used)
        )
        return int(result.rowcount)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Many registered teachers with messenger accounts at once, and a broadcast to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from storage.db import Database
from storage.outbox import NewMessage
from storage.tables import accounts, teachers


async def add_recipients(
    db: Database,
    chat_ids: Sequence[int],
    now: datetime,
    *,
    platform: str = "telegram",
    locale: str | None = None,
    timezone: str = "Europe/Moscow",
) -> list[int]:
    """One teacher and one linked account per chat id (also the user id), inserted in bulk in
    one transaction; returns the account ids in the order of `chat_ids`."""
    async with db.transaction() as repos:
        conn = repos.conn
        first = await conn.scalar(select(teachers.c.id).order_by(teachers.c.id.desc()).limit(1))
        base = (first or 0) + 1
        await conn.execute(teachers.insert(), [
            {"id": base + n, "full_name": f"Учитель {chat}", "position": "teacher",
             "timezone": timezone, "wants_to_mentor": False, "consent_at": now,
             "created_at": now}
            for n, chat in enumerate(chat_ids)
        ])
        await conn.execute(accounts.insert(), [
            {"platform": platform, "external_id": str(chat), "chat_id": str(chat),
             "teacher_id": base + n, "locale": locale, "reachable": True, "created_at": now}
            for n, chat in enumerate(chat_ids)
        ])
        ids = dict((await conn.execute(
            select(accounts.c.external_id, accounts.c.id).where(accounts.c.platform == platform)
        )).all())
    return [ids[str(chat)] for chat in chat_ids]


async def enqueue_broadcast(
    db: Database, account_ids: Sequence[int], batch_id: int, text: str, now: datetime
) -> int:
    """One text row per account, keyed by batch and account; returns how many were new."""
    messages = [
        NewMessage(key=f"broadcast:{batch_id}:{account_id}", account_id=account_id,
                   not_before=now, text=text, batch_id=batch_id)
        for account_id in account_ids
    ]
    async with db.transaction() as repos:
        return await repos.outbox.enqueue_many(messages, now)

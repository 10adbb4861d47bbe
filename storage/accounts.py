"""Messenger accounts: a Telegram or VK identity, optionally linked to a teacher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import accounts


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    platform: str
    external_id: str
    chat_id: str
    teacher_id: int | None
    locale: str | None
    reachable: bool
    start_code: str | None
    username: str | None = None


class AccountRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, platform: str, external_id: str) -> Account | None:
        row = (
            await self.conn.execute(
                select(accounts).where(
                    accounts.c.platform == platform, accounts.c.external_id == external_id
                )
            )
        ).first()
        return _account(row) if row else None

    async def by_id(self, account_id: int) -> Account | None:
        row = (await self.conn.execute(select(accounts).where(accounts.c.id == account_id))).first()
        return _account(row) if row else None

    async def for_teacher(self, teacher_id: int) -> list[Account]:
        rows = await self.conn.execute(
            select(accounts).where(accounts.c.teacher_id == teacher_id).order_by(accounts.c.id)
        )
        return [_account(r) for r in rows]

    async def ensure(
        self, platform: str, external_id: str, chat_id: str, now: datetime
    ) -> Account:
        """The account for this messenger identity, created on first need."""
        existing = await self.get(platform, external_id)
        if existing:
            return existing
        await self.conn.execute(
            accounts.insert().values(
                platform=platform, external_id=external_id, chat_id=chat_id, reachable=True,
                created_at=now,
            )
        )
        created = await self.get(platform, external_id)
        assert created is not None
        return created

    async def link_teacher(self, account_id: int, teacher_id: int) -> None:
        await self._set(account_id, teacher_id=teacher_id)

    async def set_locale(self, account_id: int, locale: str) -> None:
        await self._set(account_id, locale=locale)

    async def set_reachable(self, account_id: int, reachable: bool) -> None:
        await self._set(account_id, reachable=reachable)

    async def set_start_code(self, account_id: int, code: str | None) -> None:
        await self._set(account_id, start_code=code)

    async def set_username(self, account_id: int, username: str | None) -> None:
        await self._set(account_id, username=username)

    async def delete_for_teacher(self, teacher_id: int) -> None:
        await self.conn.execute(delete(accounts).where(accounts.c.teacher_id == teacher_id))

    async def _set(self, account_id: int, **values: object) -> None:
        await self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(values))


def _account(row: object) -> Account:
    m = row._mapping  # type: ignore[attr-defined]
    return Account(
        id=m["id"], platform=m["platform"], external_id=m["external_id"], chat_id=m["chat_id"],
        teacher_id=m["teacher_id"], locale=m["locale"], reachable=m["reachable"],
        start_code=m["start_code"], username=m["username"],
    )

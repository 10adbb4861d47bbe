"""Who a broadcast reaches: registered teachers picked by a filter, one account each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import (
    accounts,
    group_members,
    groups,
    organizations,
    teacher_subjects,
    teacher_topics,
    teachers,
)


class AudienceKind(StrEnum):
    EVERYONE = "all"
    MUNICIPALITY = "municipality"
    ORGANIZATION = "organization"
    SUBJECT = "subject"
    TOPIC = "topic"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    ref_id: int | None = None
    """The municipality, organization, subject, topic or group; None for everyone."""


@dataclass(frozen=True, slots=True)
class AudienceSize:
    reachable: int
    unreachable: int
    """Teachers whose every account blocked the bot: counted, not messaged."""
    chats: int = 0
    """Group chats that get the message too (a group's chat)."""


class AudienceRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def account_ids(self, audience: Audience) -> list[int]:
        """One reachable account per teacher in the audience (their first), in id order; for a
        group, also its group chat when one is tied to it."""
        people = await self._teacher_accounts(audience)
        return sorted({*people, *await self._chat_accounts(audience)})

    async def size(self, audience: Audience) -> AudienceSize:
        reachable = len(await self._teacher_accounts(audience))
        total = (
            await self.conn.execute(
                select(func.count()).select_from(teachers)
                .where(teachers.c.id.in_(_teacher_ids(audience)))
                .where(teachers.c.id.in_(select(accounts.c.teacher_id)))
            )
        ).scalar_one()
        chats = len(await self._chat_accounts(audience))
        return AudienceSize(reachable, int(total) - reachable, chats)

    async def _teacher_accounts(self, audience: Audience) -> list[int]:
        query = (
            select(func.min(accounts.c.id))
            .select_from(teachers.join(accounts, accounts.c.teacher_id == teachers.c.id))
            .where(accounts.c.reachable.is_(True), teachers.c.id.in_(_teacher_ids(audience)))
            .group_by(teachers.c.id)
        )
        return [row[0] for row in await self.conn.execute(query)]

    async def _chat_accounts(self, audience: Audience) -> list[int]:
        if audience.kind is not AudienceKind.GROUP:
            return []
        rows = await self.conn.execute(
            select(accounts.c.id)
            .join(groups, groups.c.chat_account_id == accounts.c.id)
            .where(groups.c.id == audience.ref_id, accounts.c.reachable.is_(True))
        )
        return [row[0] for row in rows]


def _teacher_ids(audience: Audience) -> Select[tuple[int]]:
    registered = select(teachers.c.id).where(teachers.c.deleted_at.is_(None))
    ref = audience.ref_id
    match audience.kind:
        case AudienceKind.EVERYONE:
            return registered
        case AudienceKind.ORGANIZATION:
            return registered.where(teachers.c.organization_id == ref)
        case AudienceKind.MUNICIPALITY:
            in_municipality = select(organizations.c.id).where(
                organizations.c.municipality_id == ref
            )
            return registered.where(teachers.c.organization_id.in_(in_municipality))
        case AudienceKind.SUBJECT:
            return registered.where(teachers.c.id.in_(
                select(teacher_subjects.c.teacher_id).where(teacher_subjects.c.subject_id == ref)
            ))
        case AudienceKind.TOPIC:
            return registered.where(teachers.c.id.in_(
                select(teacher_topics.c.teacher_id).where(teacher_topics.c.topic_id == ref)
            ))
        case AudienceKind.GROUP:
            return registered.where(teachers.c.id.in_(
                select(group_members.c.teacher_id).where(group_members.c.group_id == ref)
            ))

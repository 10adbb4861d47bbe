"""Peer-learning groups, mentoring pairs and school teams: each group, its members, their roles."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import RowMapping, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_ignoring_conflicts
from storage.tables import (
    accounts,
    group_members,
    groups,
    organizations,
    teacher_topics,
    teachers,
    topics,
)


class GroupKind(StrEnum):
    PEER = "peer"
    MENTORING = "mentoring"
    SCHOOL_TEAM = "school_team"


class MemberRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    MENTOR = "mentor"


@dataclass(frozen=True, slots=True)
class NewGroup:
    name: str
    kind: GroupKind
    topic_id: int | None
    description: str | None
    size_limit: int | None
    invite_code: str
    open: bool = True
    round_id: int | None = None


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    kind: GroupKind
    topic_id: int | None
    topic: str | None
    description: str | None
    size_limit: int | None
    open: bool
    invite_code: str
    chat_account_id: int | None
    archived: bool
    members: int

    @property
    def full(self) -> bool:
        return self.size_limit is not None and self.members >= self.size_limit


@dataclass(frozen=True, slots=True)
class Member:
    teacher_id: int
    full_name: str
    organization: str | None
    role: MemberRole


EDITABLE_FIELDS = frozenset({"name", "description", "size_limit", "open", "topic_id"})


class GroupRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- the group -----------------------------------------------------------------------------

    async def create(self, new: NewGroup, now: datetime) -> int:
        result = await self.conn.execute(
            groups.insert().values(
                name=new.name, kind=new.kind.value, topic_id=new.topic_id,
                description=new.description, size_limit=new.size_limit, open=new.open,
                invite_code=new.invite_code, round_id=new.round_id, created_at=now,
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def get(self, group_id: int) -> Group | None:
        found = await self._groups(_query().where(groups.c.id == group_id))
        return found[0] if found else None

    async def by_code(self, code: str) -> Group | None:
        """The active group whose invite code this is (codes are compared case-insensitively)."""
        found = await self._groups(
            _query().where(groups.c.invite_code == code.upper(), groups.c.archived_at.is_(None))
        )
        return found[0] if found else None

    async def code_taken(self, code: str) -> bool:
        query = select(groups.c.id).where(groups.c.invite_code == code.upper())
        return (await self.conn.execute(query)).first() is not None

    async def by_chat_account(self, account_id: int) -> list[Group]:
        return await self._groups(
            _query().where(groups.c.chat_account_id == account_id, groups.c.archived_at.is_(None))
        )

    async def update_fields(self, group_id: int, **values: object) -> None:
        if unknown := set(values) - EDITABLE_FIELDS:
            raise ValueError(f"not group fields: {sorted(unknown)}")
        await self.conn.execute(update(groups).where(groups.c.id == group_id).values(values))

    async def set_code(self, group_id: int, code: str) -> None:
        await self.conn.execute(
            update(groups).where(groups.c.id == group_id).values(invite_code=code.upper())
        )

    async def bind_chat(self, group_id: int, account_id: int | None) -> None:
        await self.conn.execute(
            update(groups).where(groups.c.id == group_id).values(chat_account_id=account_id)
        )

    async def archive(self, group_id: int, now: datetime) -> None:
        await self.conn.execute(
            update(groups).where(groups.c.id == group_id).values(archived_at=now, open=False)
        )

    # --- lists -------------------------------------------------------------------------------

    async def of_teacher(self, teacher_id: int) -> list[Group]:
        """Active groups the teacher is in, any role."""
        mine = select(group_members.c.group_id).where(group_members.c.teacher_id == teacher_id)
        return await self._groups(_active().where(groups.c.id.in_(mine)))

    async def administered_by(self, teacher_id: int) -> list[Group]:
        admin_of = select(group_members.c.group_id).where(
            group_members.c.teacher_id == teacher_id,
            group_members.c.role == MemberRole.ADMIN.value,
        )
        return await self._groups(_active().where(groups.c.id.in_(admin_of)))

    async def is_admin_anywhere(self, teacher_id: int) -> bool:
        query = (
            select(group_members.c.group_id)
            .join(groups, groups.c.id == group_members.c.group_id)
            .where(
                group_members.c.teacher_id == teacher_id,
                group_members.c.role == MemberRole.ADMIN.value, groups.c.archived_at.is_(None),
            )
            .limit(1)
        )
        return (await self.conn.execute(query)).first() is not None

    async def open_for(self, teacher_id: int) -> list[Group]:
        """Open active groups on the teacher's topics that they are not in."""
        their_topics = select(teacher_topics.c.topic_id).where(
            teacher_topics.c.teacher_id == teacher_id
        )
        mine = select(group_members.c.group_id).where(group_members.c.teacher_id == teacher_id)
        return await self._groups(
            _active().where(
                groups.c.open.is_(True), groups.c.topic_id.in_(their_topics),
                groups.c.id.not_in(mine),
            )
        )

    async def active(self) -> list[Group]:
        return await self._groups(_active())

    # --- members -----------------------------------------------------------------------------

    async def members(self, group_id: int) -> list[Member]:
        rows = await self.conn.execute(
            select(
                group_members.c.teacher_id, group_members.c.role, teachers.c.full_name,
                organizations.c.name.label("organization"),
            )
            .join(teachers, teachers.c.id == group_members.c.teacher_id)
            .outerjoin(organizations, organizations.c.id == teachers.c.organization_id)
            .where(group_members.c.group_id == group_id, teachers.c.deleted_at.is_(None))
            .order_by(group_members.c.role, teachers.c.full_name, teachers.c.id)
        )
        return [
            Member(r.teacher_id, r.full_name or "", r.organization, MemberRole(r.role))
            for r in rows
        ]

    async def role_of(self, group_id: int, teacher_id: int) -> MemberRole | None:
        role = (
            await self.conn.execute(
                select(group_members.c.role).where(
                    group_members.c.group_id == group_id, group_members.c.teacher_id == teacher_id
                )
            )
        ).scalar()
        return MemberRole(role) if role else None

    async def add_member(
        self, group_id: int, teacher_id: int, role: MemberRole, now: datetime
    ) -> bool:
        """Add the teacher; False when they are in the group already (their role is kept)."""
        result = await self.conn.execute(
            insert_ignoring_conflicts(self.conn, group_members).returning(
                group_members.c.teacher_id
            ),
            [{"group_id": group_id, "teacher_id": teacher_id, "role": role.value,
              "joined_at": now}],
        )
        return bool(result.all())

    async def set_role(self, group_id: int, teacher_id: int, role: MemberRole) -> None:
        await self.conn.execute(
            update(group_members)
            .where(group_members.c.group_id == group_id, group_members.c.teacher_id == teacher_id)
            .values(role=role.value)
        )

    async def remove_member(self, group_id: int, teacher_id: int) -> bool:
        result = await self.conn.execute(
            delete(group_members).where(
                group_members.c.group_id == group_id, group_members.c.teacher_id == teacher_id
            )
        )
        return bool(result.rowcount)

    async def member_account_ids(
        self, group_ids: Sequence[int], roles: Collection[MemberRole] | None = None
    ) -> list[int]:
        """One reachable account per registered member of these groups (with one of `roles`),
        in id order."""
        query = (
            select(func.min(accounts.c.id))
            .select_from(
                group_members.join(teachers, teachers.c.id == group_members.c.teacher_id)
                .join(accounts, accounts.c.teacher_id == teachers.c.id)
            )
            .where(
                group_members.c.group_id.in_(list(group_ids)), teachers.c.deleted_at.is_(None),
                accounts.c.reachable.is_(True),
            )
            .group_by(teachers.c.id)
        )
        if roles is not None:
            query = query.where(group_members.c.role.in_([r.value for r in roles]))
        return sorted(r[0] for r in await self.conn.execute(query))

    async def _groups(self, query: Select[tuple[object, ...]]) -> list[Group]:
        return [_group(row._mapping) for row in await self.conn.execute(query)]


def _query() -> Select[tuple[object, ...]]:
    counted = (
        select(func.count())
        .select_from(group_members.join(teachers, teachers.c.id == group_members.c.teacher_id))
        .where(group_members.c.group_id == groups.c.id, teachers.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(groups, topics.c.name.label("topic"), counted.label("member_count"))
        .outerjoin(topics, topics.c.id == groups.c.topic_id)
        .order_by(groups.c.name, groups.c.id)
    )


def _active() -> Select[tuple[object, ...]]:
    return _query().where(groups.c.archived_at.is_(None))


def _group(row: RowMapping) -> Group:
    return Group(
        id=row["id"], name=row["name"], kind=GroupKind(row["kind"]), topic_id=row["topic_id"],
        topic=row["topic"], description=row["description"], size_limit=row["size_limit"],
        open=row["open"], invite_code=row["invite_code"],
        chat_account_id=row["chat_account_id"], archived=row["archived_at"] is not None,
        members=int(row["member_count"] or 0),
    )

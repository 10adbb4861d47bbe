"""Teachers and their profile: organization, position, subjects, time zone, growth topics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import (
    group_members,
    match_preferences,
    municipalities,
    organizations,
    subjects,
    teacher_subjects,
    teacher_topics,
    teachers,
    topics,
)


@dataclass(frozen=True, slots=True)
class NewTeacher:
    full_name: str
    organization_id: int | None
    position: str
    timezone: str
    wants_to_mentor: bool
    subject_ids: tuple[int, ...]
    topic_ids: tuple[int, ...]
    consent_at: datetime


@dataclass(frozen=True, slots=True)
class Teacher:
    id: int
    full_name: str | None
    organization_id: int | None
    position: str | None
    timezone: str
    wants_to_mentor: bool
    deleted: bool


@dataclass(frozen=True, slots=True)
class Found:
    """A teacher found by name: enough to tell namesakes apart."""

    id: int
    full_name: str
    organization: str | None


@dataclass(frozen=True, slots=True)
class Profile:
    """A teacher with the names of everything the profile refers to."""

    teacher: Teacher
    organization: str | None
    municipality: str | None
    subjects: tuple[str, ...]
    topics: tuple[str, ...]


class TeacherRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(self, new: NewTeacher, now: datetime) -> int:
        result = await self.conn.execute(
            teachers.insert().values(
                full_name=new.full_name, organization_id=new.organization_id,
                position=new.position, timezone=new.timezone,
                wants_to_mentor=new.wants_to_mentor, consent_at=new.consent_at, created_at=now,
            )
        )
        assert result.inserted_primary_key is not None
        teacher_id = int(result.inserted_primary_key[0])
        await self.set_subjects(teacher_id, new.subject_ids)
        await self.set_topics(teacher_id, new.topic_ids)
        return teacher_id

    async def get(self, teacher_id: int) -> Teacher | None:
        row = (await self.conn.execute(select(teachers).where(teachers.c.id == teacher_id))).first()
        if row is None:
            return None
        m = row._mapping
        return Teacher(
            id=m["id"], full_name=m["full_name"], organization_id=m["organization_id"],
            position=m["position"], timezone=m["timezone"],
            wants_to_mentor=m["wants_to_mentor"], deleted=m["deleted_at"] is not None,
        )

    async def profile(self, teacher_id: int) -> Profile | None:
        teacher = await self.get(teacher_id)
        if teacher is None:
            return None
        org = (
            await self.conn.execute(
                select(organizations.c.name, municipalities.c.name.label("municipality"))
                .join(municipalities, municipalities.c.id == organizations.c.municipality_id)
                .where(organizations.c.id == teacher.organization_id)
            )
        ).first()
        return Profile(
            teacher=teacher,
            organization=org.name if org else None,
            municipality=org.municipality if org else None,
            subjects=await self._linked_names(teacher_subjects, subjects, "subject_id", teacher_id),
            topics=await self._linked_names(teacher_topics, topics, "topic_id", teacher_id),
        )

    async def search(self, text: str, limit: int) -> list[Found]:
        """Registered teachers whose name contains every word of `text`, any letter case.

        Filtered here rather than in SQL: SQLite folds the case of Latin letters only."""
        words = text.casefold().split()
        rows = await self.conn.execute(
            select(teachers.c.id, teachers.c.full_name, organizations.c.name.label("org"))
            .outerjoin(organizations, organizations.c.id == teachers.c.organization_id)
            .where(teachers.c.deleted_at.is_(None), teachers.c.full_name.is_not(None))
            .order_by(teachers.c.full_name, teachers.c.id)
        )
        found = [Found(r.id, r.full_name, r.org) for r in rows
                 if words and all(w in r.full_name.casefold() for w in words)]
        return found[:limit]

    async def subject_ids(self, teacher_id: int) -> list[int]:
        rows = await self.conn.execute(
            select(teacher_subjects.c.subject_id).where(teacher_subjects.c.teacher_id == teacher_id)
        )
        return sorted(r.subject_id for r in rows)

    async def topic_ids(self, teacher_id: int) -> list[int]:
        rows = await self.conn.execute(
            select(teacher_topics.c.topic_id).where(teacher_topics.c.teacher_id == teacher_id)
        )
        return sorted(r.topic_id for r in rows)

    async def update_fields(self, teacher_id: int, **values: object) -> None:
        allowed = {"full_name", "organization_id", "position", "timezone", "wants_to_mentor"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        await self.conn.execute(update(teachers).where(teachers.c.id == teacher_id).values(values))

    async def set_subjects(self, teacher_id: int, subject_ids: Iterable[int]) -> None:
        await self.conn.execute(
            delete(teacher_subjects).where(teacher_subjects.c.teacher_id == teacher_id)
        )
        rows = [{"teacher_id": teacher_id, "subject_id": s} for s in sorted(set(subject_ids))]
        if rows:
            await self.conn.execute(teacher_subjects.insert(), rows)

    async def set_topics(self, teacher_id: int, topic_ids: Iterable[int]) -> None:
        await self.conn.execute(
            delete(teacher_topics).where(teacher_topics.c.teacher_id == teacher_id)
        )
        rows = [{"teacher_id": teacher_id, "topic_id": t} for t in sorted(set(topic_ids))]
        if rows:
            await self.conn.execute(teacher_topics.insert(), rows)

    async def erase(self, teacher_id: int, now: datetime) -> None:
        """Remove every personal field; the row stays as an anonymous anchor for aggregates."""
        await self.set_subjects(teacher_id, ())
        await self.set_topics(teacher_id, ())
        for table in (group_members, match_preferences):
            await self.conn.execute(delete(table).where(table.c.teacher_id == teacher_id))
        await self.conn.execute(
            update(teachers)
            .where(teachers.c.id == teacher_id)
            .values(
                full_name=None, organization_id=None, position=None, timezone="UTC",
                wants_to_mentor=False, consent_at=None, deleted_at=now,
            )
        )

    async def _linked_names(
        self, link: Table, named: Table, column: str, teacher_id: int
    ) -> tuple[str, ...]:
        rows = await self.conn.execute(
            select(named.c.name)
            .join(link, link.c[column] == named.c.id)
            .where(link.c.teacher_id == teacher_id)
            .order_by(named.c.name)
        )
        return tuple(r.name for r in rows)

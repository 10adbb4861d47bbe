"""Matching: teachers' preferences and who may be matched now, with names and contacts for the
introductions. Rounds, answers, history and schedules are in storage/match_rounds.py.

Eligible teachers are registered (not deleted), have a reachable account (someone who blocked the
bot would never hear about their group), have not opted out, and are not paused: `paused_until`
is empty or has come, so a pause ends by itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from storage.accounts import Account
from storage.match_rounds import DEFAULT_CAPACITY, RoundRecords
from storage.tables import (
    accounts,
    group_members,
    groups,
    match_preferences,
    organizations,
    teacher_topics,
    teachers,
)

PREFERENCE_FIELDS = frozenset(
    {"wants_peer_group", "wants_mentor", "mentor_capacity", "paused_until", "opted_out",
     "ignored_rounds"}
)
MENTORING = "mentoring"
CHUNK = 500
MENTOR_ROLE, MEMBER_ROLE = "mentor", "member"


@dataclass(frozen=True, slots=True)
class Preferences:
    teacher_id: int
    wants_peer_group: bool = False
    wants_mentor: bool = False
    mentor_capacity: int = DEFAULT_CAPACITY
    paused_until: datetime | None = None
    opted_out: bool = False
    ignored_rounds: int = 0

    def paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now


@dataclass(frozen=True, slots=True)
class Eligible:
    """A teacher who may be matched now."""

    teacher_id: int
    organization_id: int | None
    topic_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class MentorOffer:
    teacher: Eligible
    capacity_left: int


@dataclass(frozen=True, slots=True)
class Person:
    teacher_id: int
    full_name: str
    organization: str | None


class MatchRepository(RoundRecords):
    """Preferences and who may be matched; rounds, history and schedules from RoundRecords."""

    # --- preferences -------------------------------------------------------------------------

    async def preferences(self, teacher_id: int) -> Preferences:
        row = (
            await self.conn.execute(
                select(match_preferences).where(match_preferences.c.teacher_id == teacher_id)
            )
        ).first()
        if row is None:
            return Preferences(teacher_id)
        m = row._mapping
        return Preferences(
            teacher_id=teacher_id, wants_peer_group=m["wants_peer_group"],
            wants_mentor=m["wants_mentor"], mentor_capacity=m["mentor_capacity"],
            paused_until=m["paused_until"], opted_out=m["opted_out"],
            ignored_rounds=m["ignored_rounds"],
        )

    async def set_preferences(self, teacher_id: int, **values: Any) -> None:
        if unknown := set(values) - PREFERENCE_FIELDS:
            raise ValueError(f"not preference fields: {sorted(unknown)}")
        await self._ensure_rows([teacher_id])
        await self.conn.execute(
            update(match_preferences)
            .where(match_preferences.c.teacher_id == teacher_id)
            .values(values)
        )

    # --- who may be matched ------------------------------------------------------------------

    async def peer_candidates(self, now: datetime) -> list[Eligible]:
        """Teachers who want a peer group."""
        return await self._eligible(
            _eligible_query(now).where(match_preferences.c.wants_peer_group.is_(True))
        )

    async def mentees(self, now: datetime) -> list[Eligible]:
        """Teachers who asked for a mentor and have none in an active mentoring pair."""
        has_mentor = (
            select(group_members.c.teacher_id)
            .join(groups, groups.c.id == group_members.c.group_id)
            .where(_active_mentoring(), group_members.c.role == MEMBER_ROLE)
        )
        return await self._eligible(
            _eligible_query(now).where(
                match_preferences.c.wants_mentor.is_(True), teachers.c.id.not_in(has_mentor)
            )
        )

    async def mentors(self, now: datetime) -> list[MentorOffer]:
        """Teachers who offered to mentor, with the places they have left (maybe none)."""
        query = _eligible_query(now, preferences_required=False).where(
            teachers.c.wants_to_mentor.is_(True)
        )
        offered = await self._eligible(query)
        capacity = await self._capacities(query.with_only_columns(teachers.c.id))
        taken = await self._current_mentees()
        return [
            MentorOffer(e, max(0, capacity.get(e.teacher_id, DEFAULT_CAPACITY)
                               - taken.get(e.teacher_id, 0)))
            for e in offered
        ]

    async def _capacities(self, teacher_ids: Select[Any]) -> dict[int, int]:
        rows = await self.conn.execute(
            select(match_preferences.c.teacher_id, match_preferences.c.mentor_capacity).where(
                match_preferences.c.teacher_id.in_(teacher_ids)
            )
        )
        return {teacher_id: capacity for teacher_id, capacity in rows}

    async def _current_mentees(self) -> dict[int, int]:
        """Mentees per mentor in active mentoring groups."""
        mentor, mentee = aliased(group_members), aliased(group_members)
        rows = await self.conn.execute(
            select(mentor.c.teacher_id, func.count(mentee.c.teacher_id))
            .select_from(
                mentor.join(groups, groups.c.id == mentor.c.group_id)
                .join(mentee, and_(mentee.c.group_id == groups.c.id,
                                   mentee.c.role == MEMBER_ROLE))
                .join(teachers, teachers.c.id == mentee.c.teacher_id)
            )
            .where(_active_mentoring(), mentor.c.role == MENTOR_ROLE,
                   teachers.c.deleted_at.is_(None))
            .group_by(mentor.c.teacher_id)
        )
        return {teacher_id: int(count) for teacher_id, count in rows}

    async def _eligible(self, query: Select[Any]) -> list[Eligible]:
        found = {row.id: row.organization_id for row in await self.conn.execute(query)}
        topics: dict[int, set[int]] = {}
        subquery = query.with_only_columns(teachers.c.id)
        for teacher_id, topic_id in await self.conn.execute(
            select(teacher_topics.c.teacher_id, teacher_topics.c.topic_id).where(
                teacher_topics.c.teacher_id.in_(subquery)
            )
        ):
            topics.setdefault(teacher_id, set()).add(topic_id)
        return [
            Eligible(teacher_id, organization_id, frozenset(topics.get(teacher_id, ())))
            for teacher_id, organization_id in sorted(found.items())
        ]

    # --- names and contacts ------------------------------------------------------------------

    async def people(self, teacher_ids: Collection[int]) -> dict[int, Person]:
        found: dict[int, Person] = {}
        for chunk in _chunks(teacher_ids):
            rows = await self.conn.execute(
                select(teachers.c.id, teachers.c.full_name, organizations.c.name)
                .outerjoin(organizations, organizations.c.id == teachers.c.organization_id)
                .where(teachers.c.id.in_(chunk))
            )
            found.update((t, Person(t, name or "", org)) for t, name, org in rows)
        return found

    async def accounts_of(self, teacher_ids: Collection[int]) -> dict[int, list[Account]]:
        """Each teacher's accounts, oldest first."""
        rows = []
        for chunk in _chunks(teacher_ids):
            rows += list(await self.conn.execute(
                select(accounts).where(accounts.c.teacher_id.in_(chunk)).order_by(accounts.c.id)
            ))
        found: dict[int, list[Account]] = {}
        for row in rows:
            m = row._mapping
            found.setdefault(m["teacher_id"], []).append(Account(
                id=m["id"], platform=m["platform"], external_id=m["external_id"],
                chat_id=m["chat_id"], teacher_id=m["teacher_id"], locale=m["locale"],
                reachable=m["reachable"], start_code=m["start_code"], username=m["username"],
            ))
        return found


def _chunks(ids: Collection[int]) -> list[list[int]]:
    """Ids in slices that stay under the databases' limits on bound parameters."""
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _eligible_query(now: datetime, *, preferences_required: bool = True) -> Select[Any]:
    reachable = exists().where(
        accounts.c.teacher_id == teachers.c.id, accounts.c.reachable.is_(True)
    )
    prefs = match_preferences.c
    willing: ColumnElement[bool] = and_(
        prefs.opted_out.is_(False),
        or_(prefs.paused_until.is_(None), prefs.paused_until <= now),
    )
    if not preferences_required:  # no row: the defaults, neither opted out nor paused
        willing = or_(prefs.teacher_id.is_(None), willing)
    joined = teachers.join(
        match_preferences, prefs.teacher_id == teachers.c.id, isouter=not preferences_required
    )
    return (
        select(teachers.c.id, teachers.c.organization_id)
        .select_from(joined)
        .where(teachers.c.deleted_at.is_(None), reachable, willing)
    )


def _active_mentoring() -> ColumnElement[bool]:
    return and_(groups.c.kind == MENTORING, groups.c.archived_at.is_(None))

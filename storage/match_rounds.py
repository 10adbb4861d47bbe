"""Matching rounds: the rounds and who was in them, their answers to «Удалось встретиться?», the
silence count, the pairing history and the coordinators' schedules. `MatchRepository` (in
storage/matching.py) adds preferences and eligibility on top.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_ignoring_conflicts
from storage.tables import (
    accounts,
    groups,
    match_preferences,
    match_rounds,
    match_schedules,
    past_pairs,
    round_members,
    teachers,
)

DEFAULT_CAPACITY = 2
LOCK_KEY = 4_242_017
"""PostgreSQL advisory lock that serializes forming rounds (SQLite's write lock does it there)."""


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    kind: str
    group_size: int | None
    created_at: datetime
    check_at: datetime | None
    checked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Asked:
    """A member of a round to be asked whether they met, with where to ask."""

    teacher_id: int
    account_id: int
    group_name: str


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str
    every: str
    group_size: int | None
    next_run_at: datetime


class RoundRecords:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _ensure_rows(self, teacher_ids: Iterable[int]) -> None:
        """Preference rows with the defaults for teachers who have none yet."""
        rows = [
            {"teacher_id": t, "wants_peer_group": False, "wants_mentor": False,
             "mentor_capacity": DEFAULT_CAPACITY, "paused_until": None, "opted_out": False,
             "ignored_rounds": 0}
            for t in sorted(set(teacher_ids))
        ]
        if rows:
            await self.conn.execute(insert_ignoring_conflicts(self.conn, match_preferences), rows)

    # --- history -----------------------------------------------------------------------------

    async def past_pairs(self) -> set[frozenset[int]]:
        rows = await self.conn.execute(select(past_pairs.c.teacher_a, past_pairs.c.teacher_b))
        return {frozenset((a, b)) for a, b in rows}

    async def add_past_pairs(self, pairs: Iterable[frozenset[int]], round_id: int) -> None:
        rows = [
            {"teacher_a": min(pair), "teacher_b": max(pair), "round_id": round_id}
            for pair in {p for p in pairs if len(p) == 2}
        ]
        if rows:
            await self.conn.execute(insert_ignoring_conflicts(self.conn, past_pairs), rows)

    # --- rounds ------------------------------------------------------------------------------

    async def lock_rounds(self) -> None:
        """Hold the round-forming lock until the transaction ends (PostgreSQL; SQLite's
        transactions already hold the database's write lock)."""
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))

    async def latest_round(self, kind: str) -> Round | None:
        row = (
            await self.conn.execute(
                select(match_rounds).where(match_rounds.c.kind == kind)
                .order_by(match_rounds.c.id.desc()).limit(1)
            )
        ).first()
        return _round(row._mapping) if row else None

    async def get_round(self, round_id: int) -> Round | None:
        row = (
            await self.conn.execute(select(match_rounds).where(match_rounds.c.id == round_id))
        ).first()
        return _round(row._mapping) if row else None

    async def create_round(
        self, kind: str, group_size: int | None, now: datetime, check_at: datetime
    ) -> int:
        result = await self.conn.execute(
            match_rounds.insert().values(
                kind=kind, group_size=group_size, created_at=now, check_at=check_at
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def add_round_members(self, round_id: int, members: Sequence[tuple[int, int]]) -> None:
        """(teacher id, group id) pairs."""
        if members:
            await self.conn.execute(
                round_members.insert(),
                [{"round_id": round_id, "teacher_id": t, "group_id": g} for t, g in members],
            )

    async def record_answer(
        self, round_id: int, teacher_id: int, met: bool, now: datetime
    ) -> bool:
        """Store «met» (again, replacing an earlier answer) and reset the ignored-rounds count;
        False when the teacher was not in the round."""
        result = await self.conn.execute(
            update(round_members)
            .where(round_members.c.round_id == round_id, round_members.c.teacher_id == teacher_id)
            .values(met=met, answered_at=now)
        )
        if not result.rowcount:
            return False
        await self.conn.execute(
            update(match_preferences)
            .where(match_preferences.c.teacher_id == teacher_id)
            .values(ignored_rounds=0)
        )
        return True

    async def rounds_to_ask(self, now: datetime) -> list[Round]:
        rows = await self.conn.execute(
            select(match_rounds)
            .where(match_rounds.c.check_at <= now, match_rounds.c.checked_at.is_(None))
            .order_by(match_rounds.c.id)
        )
        return [_round(row._mapping) for row in rows]

    async def to_ask(self, round_id: int) -> list[Asked]:
        """Members still registered, each with one reachable account (their oldest)."""
        rows = await self.conn.execute(
            select(round_members.c.teacher_id, func.min(accounts.c.id), groups.c.name)
            .join(teachers, teachers.c.id == round_members.c.teacher_id)
            .join(accounts, accounts.c.teacher_id == teachers.c.id)
            .join(groups, groups.c.id == round_members.c.group_id)
            .where(round_members.c.round_id == round_id, teachers.c.deleted_at.is_(None),
                   accounts.c.reachable.is_(True))
            .group_by(round_members.c.teacher_id, groups.c.name)
            .order_by(round_members.c.teacher_id)
        )
        return [Asked(teacher_id, account_id, name) for teacher_id, account_id, name in rows]

    async def mark_asked(self, round_id: int, now: datetime) -> None:
        await self.conn.execute(
            update(match_rounds).where(match_rounds.c.id == round_id).values(checked_at=now)
        )

    async def silent_members(self, round_id: int) -> dict[int, int]:
        """Members of a round who never answered, still registered and not opted out, with
        the rounds they had ignored before this one."""
        rows = await self.conn.execute(
            select(round_members.c.teacher_id,
                   func.coalesce(match_preferences.c.ignored_rounds, 0))
            .join(teachers, teachers.c.id == round_members.c.teacher_id)
            .outerjoin(match_preferences,
                       match_preferences.c.teacher_id == round_members.c.teacher_id)
            .where(
                round_members.c.round_id == round_id, round_members.c.answered_at.is_(None),
                teachers.c.deleted_at.is_(None),
                or_(match_preferences.c.opted_out.is_(None),
                    match_preferences.c.opted_out.is_(False)),
            )
        )
        return {teacher_id: int(ignored) for teacher_id, ignored in rows}

    async def count_ignored(
        self, teacher_ids: Collection[int], threshold: int, pause_until: datetime
    ) -> list[int]:
        """One more ignored round each; who reaches `threshold` is paused until `pause_until`
        and starts counting again from zero. Returns who was paused."""
        if not teacher_ids:
            return []
        ids = sorted(teacher_ids)
        await self._ensure_rows(ids)
        prefs = match_preferences.c
        await self.conn.execute(
            update(match_preferences).where(prefs.teacher_id.in_(ids))
            .values(ignored_rounds=prefs.ignored_rounds + 1)
        )
        reached = list((await self.conn.execute(
            select(prefs.teacher_id).where(prefs.teacher_id.in_(ids),
                                           prefs.ignored_rounds >= threshold)
            .order_by(prefs.teacher_id)
        )).scalars())
        if reached:
            await self.conn.execute(
                update(match_preferences).where(prefs.teacher_id.in_(reached))
                .values(paused_until=pause_until, ignored_rounds=0)
            )
        return reached

    # --- schedules ---------------------------------------------------------------------------

    async def schedules(self) -> list[Schedule]:
        rows = await self.conn.execute(select(match_schedules).order_by(match_schedules.c.kind))
        return [_schedule(row._mapping) for row in rows]

    async def schedule(self, kind: str) -> Schedule | None:
        row = (
            await self.conn.execute(select(match_schedules).where(match_schedules.c.kind == kind))
        ).first()
        return _schedule(row._mapping) if row else None

    async def set_schedule(
        self, kind: str, every: str, group_size: int | None, next_run_at: datetime
    ) -> None:
        await self.delete_schedule(kind)
        await self.conn.execute(match_schedules.insert().values(
            kind=kind, every=every, group_size=group_size, next_run_at=next_run_at
        ))

    async def delete_schedule(self, kind: str) -> bool:
        result = await self.conn.execute(
            delete(match_schedules).where(match_schedules.c.kind == kind)
        )
        return bool(result.rowcount)

    async def due_schedules(self, now: datetime) -> list[Schedule]:
        rows = await self.conn.execute(
            select(match_schedules).where(match_schedules.c.next_run_at <= now)
            .order_by(match_schedules.c.next_run_at, match_schedules.c.kind)
        )
        return [_schedule(row._mapping) for row in rows]

    async def set_next_run(self, kind: str, next_run_at: datetime) -> None:
        await self.conn.execute(
            update(match_schedules).where(match_schedules.c.kind == kind)
            .values(next_run_at=next_run_at)
        )


def _round(m: Any) -> Round:
    return Round(
        id=m["id"], kind=m["kind"], group_size=m["group_size"], created_at=m["created_at"],
        check_at=m["check_at"], checked_at=m["checked_at"],
    )


def _schedule(m: Any) -> Schedule:
    return Schedule(
        kind=m["kind"], every=m["every"], group_size=m["group_size"],
        next_run_at=m["next_run_at"],
    )

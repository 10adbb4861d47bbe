"""Events (webinars, master classes, open lessons …), their audience, and registrations with a
waitlist kept in the order people asked for a seat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import (
    accounts,
    event_groups,
    events,
    group_members,
    organizations,
    registrations,
    teacher_subjects,
    teachers,
)


class EventKind(StrEnum):
    WEBINAR = "webinar"
    MASTER_CLASS = "master_class"
    OPEN_LESSON = "open_lesson"
    SEMINAR = "seminar"
    CONSULTATION = "consultation"
    NETWORK_EVENT = "network_event"


class EventFormat(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    MIXED = "mixed"


class Seat(StrEnum):
    GOING = "going"
    WAITLIST = "waitlist"
    CANCELLED = "cancelled"
    DECLINED = "declined"


ACTIVE_SEATS = (Seat.GOING.value, Seat.WAITLIST.value)


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: EventKind
    title: str
    starts_at: datetime
    duration_minutes: int
    format: EventFormat
    description: str | None = None
    link: str | None = None
    address: str | None = None
    capacity: int | None = None
    speaker: str | None = None
    organizer_teacher_id: int | None = None
    organizer_account_id: int | None = None
    for_network: bool = False
    municipality_id: int | None = None
    subject_id: int | None = None
    group_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: EventKind
    title: str
    description: str | None
    starts_at: datetime
    duration_minutes: int
    format: EventFormat
    link: str | None
    address: str | None
    capacity: int | None
    speaker: str | None
    organizer_teacher_id: int | None
    organizer_account_id: int | None
    for_network: bool
    municipality_id: int | None
    subject_id: int | None
    cancelled: bool
    going: int

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going)


EDITABLE = frozenset({"title", "description", "starts_at", "duration_minutes", "format", "link",
                      "address", "capacity", "speaker"})


class EventRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- the event -----------------------------------------------------------------------------

    async def create(self, new: NewEvent, now: datetime) -> int:
        values = {name: getattr(new, name) for name in (
            "title", "description", "starts_at", "duration_minutes", "link", "address",
            "capacity", "speaker", "organizer_teacher_id", "organizer_account_id", "for_network",
            "municipality_id", "subject_id")}
        result = await self.conn.execute(events.insert().values(
            kind=new.kind.value, format=new.format.value, created_at=now, updated_at=now, **values
        ))
        assert result.inserted_primary_key is not None
        event_id = int(result.inserted_primary_key[0])
        if new.group_ids:
            await self.conn.execute(event_groups.insert(), [
                {"event_id": event_id, "group_id": g} for g in sorted(set(new.group_ids))])
        return event_id

    async def get(self, event_id: int) -> Event | None:
        found = await self._events(_query().where(events.c.id == event_id))
        return found[0] if found else None

    async def group_ids(self, event_id: int) -> list[int]:
        rows = await self.conn.execute(
            select(event_groups.c.group_id).where(event_groups.c.event_id == event_id)
        )
        return sorted(r[0] for r in rows)

    async def update_fields(self, event_id: int, now: datetime, **values: object) -> None:
        if unknown := set(values) - EDITABLE:
            raise ValueError(f"not event fields: {sorted(unknown)}")
        await self.conn.execute(
            update(events).where(events.c.id == event_id).values(updated_at=now, **values)
        )

    async def cancel(self, event_id: int, now: datetime) -> None:
        await self.conn.execute(
            update(events).where(events.c.id == event_id).values(cancelled_at=now, updated_at=now)
        )

    # --- lists -------------------------------------------------------------------------------

    async def upcoming_for(self, teacher_id: int, now: datetime, limit: int = 20) -> list[Event]:
        """Events not cancelled and not started whose audience includes the teacher, soonest
        first."""
        query = _query().where(
            events.c.cancelled_at.is_(None), _not_over(now),
            events.c.id.in_(_audience_of(teacher_id)),
        ).order_by(events.c.starts_at, events.c.id).limit(limit)
        return await self._events(query)

    async def is_upcoming_for(self, event_id: int, teacher_id: int, now: datetime) -> bool:
        """Whether the event is among `upcoming_for(teacher_id, now)`, asked directly."""
        query = select(events.c.id).where(
            events.c.id == event_id, events.c.cancelled_at.is_(None), _not_over(now),
            events.c.id.in_(_audience_of(teacher_id)),
        )
        return (await self.conn.execute(query)).first() is not None

    async def registered_for(self, teacher_id: int, now: datetime) -> list[Event]:
        """Events not started that the teacher has a seat or a waitlist place for, soonest
        first (cancelled ones too, so they can see it was cancelled)."""
        mine = select(registrations.c.event_id).where(
            registrations.c.teacher_id == teacher_id, registrations.c.status.in_(ACTIVE_SEATS)
        )
        query = _query().where(events.c.id.in_(mine), _not_over(now)).order_by(
            events.c.starts_at, events.c.id)
        return await self._events(query)

    async def organized(
        self, teacher_id: int | None, account_id: int | None, since: datetime, limit: int = 20
    ) -> list[Event]:
        """Events starting after `since` organized by this teacher or account — or, with both
        None, by anyone (a coordinator's view); soonest first."""
        query = _query().where(events.c.starts_at > since)
        if teacher_id is not None or account_id is not None:
            query = query.where(or_(
                and_(events.c.organizer_teacher_id.is_not(None),
                     events.c.organizer_teacher_id == teacher_id),
                and_(events.c.organizer_account_id.is_not(None),
                     events.c.organizer_account_id == account_id),
            ))
        return await self._events(query.order_by(events.c.starts_at, events.c.id).limit(limit))

    async def audience_account_ids(self, event_id: int) -> list[int]:
        """One reachable account per registered teacher the event is for."""
        event = await self.get(event_id)
        if event is None:
            return []
        query = (
            select(func.min(accounts.c.id))
            .select_from(teachers.join(accounts, accounts.c.teacher_id == teachers.c.id))
            .where(accounts.c.reachable.is_(True), teachers.c.deleted_at.is_(None),
                   teachers.c.id.in_(_teachers_for(event)))
            .group_by(teachers.c.id)
        )
        return sorted(r[0] for r in await self.conn.execute(query))

    # --- registrations -----------------------------------------------------------------------

    async def seat_of(self, event_id: int, teacher_id: int) -> Seat | None:
        status = (await self.conn.execute(
            select(registrations.c.status).where(
                registrations.c.event_id == event_id, registrations.c.teacher_id == teacher_id)
        )).scalar()
        return Seat(status) if status else None

    async def seat_since(self, event_id: int, teacher_id: int) -> datetime | None:
        """When the teacher's registration last changed (it tells one seat from a later one)."""
        value: datetime | None = (await self.conn.execute(
            select(registrations.c.updated_at).where(
                registrations.c.event_id == event_id, registrations.c.teacher_id == teacher_id)
        )).scalar()
        return value

    async def take_seat(self, event_id: int, teacher_id: int, now: datetime) -> Seat:
        """Register the teacher: a seat while there is one, else a place on the waitlist. Asking
        again keeps what they have."""
        await self._lock(event_id)
        current = await self.seat_of(event_id, teacher_id)
        if current in (Seat.GOING, Seat.WAITLIST):
            return current
        event = await self.get(event_id)
        assert event is not None
        seat = Seat.GOING if event.seats_left is None or event.seats_left > 0 else Seat.WAITLIST
        await self._set_seat(event_id, teacher_id, seat, now, requested=True)
        return seat

    async def give_up_seat(
        self, event_id: int, teacher_id: int, now: datetime, seat: Seat = Seat.CANCELLED
    ) -> int | None:
        """Cancel (or decline) the teacher's registration; returns the teacher promoted from the
        waitlist into the freed seat, if any."""
        await self._lock(event_id)
        was = await self.seat_of(event_id, teacher_id)
        await self._set_seat(event_id, teacher_id, seat, now, requested=was is None)
        return await self.promote(event_id, now) if was is Seat.GOING else None

    async def promote(self, event_id: int, now: datetime) -> int | None:
        """Move the first person on the waitlist into a free seat, if there is one."""
        event = await self.get(event_id)
        if event is None or event.cancelled or (event.seats_left is not None
                                                and event.seats_left <= 0):
            return None
        first = (await self.conn.execute(
            select(registrations.c.teacher_id)
            .where(registrations.c.event_id == event_id,
                   registrations.c.status == Seat.WAITLIST.value)
            .order_by(registrations.c.requested_at, registrations.c.teacher_id)
            .limit(1)
        )).scalar()
        if first is None:
            return None
        await self._set_seat(event_id, first, Seat.GOING, now, requested=False)
        return int(first)

    async def teacher_ids(self, event_id: int, seats: Sequence[Seat]) -> list[int]:
        rows = await self.conn.execute(
            select(registrations.c.teacher_id).where(
                registrations.c.event_id == event_id,
                registrations.c.status.in_([s.value for s in seats]))
            .order_by(registrations.c.requested_at, registrations.c.teacher_id)
        )
        return [r[0] for r in rows]

    async def set_attended(self, event_id: int, teacher_ids: Sequence[int], attended: bool) -> None:
        await self.conn.execute(
            update(registrations)
            .where(registrations.c.event_id == event_id,
                   registrations.c.teacher_id.in_(list(teacher_ids)))
            .values(attended=attended)
        )

    async def attended_ids(self, event_id: int) -> list[int]:
        rows = await self.conn.execute(select(registrations.c.teacher_id).where(
            registrations.c.event_id == event_id, registrations.c.attended.is_(True)))
        return sorted(r[0] for r in rows)

    async def _set_seat(
        self, event_id: int, teacher_id: int, seat: Seat, now: datetime, *, requested: bool
    ) -> None:
        values: dict[str, object] = {"status": seat.value, "updated_at": now}
        if requested:
            values["requested_at"] = now
        changed = await self.conn.execute(
            update(registrations)
            .where(registrations.c.event_id == event_id, registrations.c.teacher_id == teacher_id)
            .values(values)
        )
        if not changed.rowcount:
            await self.conn.execute(registrations.insert().values(
                event_id=event_id, teacher_id=teacher_id, status=seat.value, requested_at=now,
                updated_at=now))

    async def _lock(self, event_id: int) -> None:
        """Serialize seat-taking per event (SQLite's write transaction already does)."""
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(
                select(events.c.id).where(events.c.id == event_id).with_for_update())

    async def _events(self, query: Select[tuple[object, ...]]) -> list[Event]:
        return [_event(row._mapping) for row in await self.conn.execute(query)]


def _query() -> Select[tuple[object, ...]]:
    going = (
        select(func.count()).select_from(registrations)
        .where(registrations.c.event_id == events.c.id,
               registrations.c.status == Seat.GOING.value)
        .scalar_subquery()
    )
    return select(events, going.label("going"))


def _not_over(now: datetime) -> ColumnElement[bool]:
    """Not started yet: registering, cancelling and the lists are about what is still ahead."""
    return events.c.starts_at > now


def _teachers_for(event: Event) -> Select[tuple[int]]:
    """The teachers an event is for: its groups' members, or the network (narrowed)."""
    if not event.for_network:
        return select(group_members.c.teacher_id).join(
            event_groups, event_groups.c.group_id == group_members.c.group_id
        ).where(event_groups.c.event_id == event.id)
    query = select(teachers.c.id)
    if event.municipality_id is not None:
        query = query.where(teachers.c.organization_id.in_(
            select(organizations.c.id).where(organizations.c.municipality_id
                                             == event.municipality_id)))
    if event.subject_id is not None:
        query = query.where(teachers.c.id.in_(
            select(teacher_subjects.c.teacher_id).where(
                teacher_subjects.c.subject_id == event.subject_id)))
    return query


def _audience_of(teacher_id: int) -> Select[tuple[int]]:
    """Ids of the events whose audience includes the teacher."""
    their_groups = select(group_members.c.group_id).where(group_members.c.teacher_id == teacher_id)
    their_org = select(teachers.c.organization_id).where(teachers.c.id == teacher_id)
    their_municipality = select(organizations.c.municipality_id).where(
        organizations.c.id.in_(their_org))
    their_subjects = select(teacher_subjects.c.subject_id).where(
        teacher_subjects.c.teacher_id == teacher_id)
    network_wide = and_(
        events.c.for_network.is_(True),
        or_(events.c.municipality_id.is_(None), events.c.municipality_id.in_(their_municipality)),
        or_(events.c.subject_id.is_(None), events.c.subject_id.in_(their_subjects)),
    )
    by_group = events.c.id.in_(
        select(event_groups.c.event_id).where(event_groups.c.group_id.in_(their_groups)))
    return select(events.c.id).where(or_(network_wide, by_group))


def _event(row: RowMapping) -> Event:
    return Event(
        id=row["id"], kind=EventKind(row["kind"]), title=row["title"],
        description=row["description"], starts_at=row["starts_at"],
        duration_minutes=row["duration_minutes"], format=EventFormat(row["format"]),
        link=row["link"], address=row["address"], capacity=row["capacity"],
        speaker=row["speaker"], organizer_teacher_id=row["organizer_teacher_id"],
        organizer_account_id=row["organizer_account_id"], for_network=row["for_network"],
        municipality_id=row["municipality_id"], subject_id=row["subject_id"],
        cancelled=row["cancelled_at"] is not None, going=int(row["going"] or 0),
    )

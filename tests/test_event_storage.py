"""Events in storage: who an event is for, seats and the waitlist in the order people asked."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import App
from bot.core.clock import ManualClock
from storage.events import EventFormat, EventKind, NewEvent, Seat
from storage.groups import GroupKind, MemberRole, NewGroup
from storage.repositories import Repositories
from storage.teachers import NewTeacher


async def teacher(repos: Repositories, name: str, org: int | None, now: datetime,
                  subjects: tuple[int, ...] = ()) -> int:
    teacher_id = await repos.teachers.create(NewTeacher(
        full_name=name, organization_id=org, position="teacher", timezone="Europe/Moscow",
        wants_to_mentor=False, subject_ids=subjects, topic_ids=(), consent_at=now), now)
    account = await repos.accounts.ensure("telegram", str(1000 + teacher_id),
                                          str(1000 + teacher_id), now)
    await repos.accounts.link_teacher(account.id, teacher_id)
    return teacher_id


def webinar(now: datetime, **fields: object) -> NewEvent:
    base: dict[str, object] = {
        "kind": EventKind.WEBINAR, "title": "Формирующее оценивание",
        "starts_at": now + timedelta(days=3), "duration_minutes": 90,
        "format": EventFormat.ONLINE, "link": "https://example.org/room"}
    return NewEvent(**{**base, **fields})  # type: ignore[arg-type]


async def test_waitlist_promotes_in_the_order_people_asked(app: App, clock: ManualClock) -> None:
    async with app.db.transaction() as repos:
        people = [await teacher(repos, f"Педагог {n}", None, clock.now()) for n in range(4)]
        event_id = await repos.events.create(webinar(clock.now(), capacity=2, for_network=True),
                                             clock.now())
    seats = []
    for person in people:
        clock.advance(timedelta(minutes=1))
        async with app.db.transaction() as repos:
            seats.append(await repos.events.take_seat(event_id, person, clock.now()))
    assert seats == [Seat.GOING, Seat.GOING, Seat.WAITLIST, Seat.WAITLIST]

    async with app.db.transaction() as repos:
        assert await repos.events.take_seat(event_id, people[2], clock.now()) is Seat.WAITLIST
        promoted = await repos.events.give_up_seat(event_id, people[0], clock.now())
        event = await repos.events.get(event_id)
        assert promoted == people[2]
        assert await repos.events.teacher_ids(event_id, [Seat.GOING]) == people[1:3]
        assert await repos.events.teacher_ids(event_id, [Seat.WAITLIST]) == [people[3]]
        assert event is not None and (event.going, event.seats_left) == (2, 0)
        # leaving the waitlist frees no seat
        assert await repos.events.give_up_seat(event_id, people[3], clock.now()) is None
        assert await repos.events.seat_of(event_id, people[3]) is Seat.CANCELLED


async def test_an_event_reaches_its_groups_or_the_narrowed_network(
    network_app: App, clock: ManualClock
) -> None:
    now = clock.now()
    async with network_app.db.transaction() as repos:
        municipalities = {m.name.split()[0]: m.id for m in await repos.network.municipalities()}
        upper = await repos.network.organizations_in(municipalities["Верхнегорский"])
        lower = await repos.network.organizations_in(municipalities["Заречный"])
        maths = next(s.id for s in await repos.network.subjects() if s.name == "Математика")
        in_group = await teacher(repos, "Член Группы", lower[0].id, now)
        upper_maths = await teacher(repos, "Верх Математик", upper[0].id, now, (maths,))
        upper_other = await teacher(repos, "Верх Физик", upper[1].id, now)
        group_id = await repos.groups.create(NewGroup("Клуб", GroupKind.PEER, None, None, None,
                                                      "ABCDEFGH"), now)
        await repos.groups.add_member(group_id, in_group, MemberRole.MEMBER, now)
        for_group = await repos.events.create(webinar(now, group_ids=(group_id,)), now)
        for_upper_maths = await repos.events.create(webinar(
            now, for_network=True, municipality_id=municipalities["Верхнегорский"],
            subject_id=maths), now)
        cancelled = await repos.events.create(webinar(now, for_network=True), now)
        await repos.events.cancel(cancelled, now)

        async def visible(teacher_id: int) -> set[int]:
            return {e.id for e in await repos.events.upcoming_for(teacher_id, now)}

        assert await visible(in_group) == {for_group}
        assert await visible(upper_maths) == {for_upper_maths}
        assert await visible(upper_other) == set()
        accounts = await repos.events.audience_account_ids(for_upper_maths)
        assert len(accounts) == 1
        assert await repos.events.upcoming_for(in_group, now + timedelta(days=4)) == []

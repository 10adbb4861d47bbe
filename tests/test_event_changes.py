"""After an event is announced: reminders at the right moments (once, across a restart, none
after a cancel), the organizer moving or cancelling it, and marking who attended."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.config import Settings
from bot.core import codec
from bot.core.clock import ManualClock
from bot.delivery import DeliveryWorker, PlatformLimits
from storage.db import Database
from storage.events import Event, Seat
from storage.groups import Group
from tests.harness.chat import ChatClient
from tests.harness.events import DENIED, announce, member, outbox_rows, press, the_event
from tests.harness.senders import ScriptedSender

ChatFor = Callable[..., ChatClient]
START = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # «25.12 15:00» typed in Екатеринбург
LIMITS = PlatformLimits(per_second=1000, chat_interval=0.0)


async def two_going(chat_for: ChatFor, group: Group) -> tuple[ChatClient, ChatClient]:
    """Members in Kaliningrad (UTC+2) and Vladivostok (UTC+10) who press «Пойду»."""
    west = await member(chat_for, "3001", "Западная Анна Ивановна", group, zone="Калининград")
    east = await member(chat_for, "3002", "Восточный Иван Петрович", group, zone="Владивосток")
    return west, east


def worker(db: Database, app: App, settings: Settings, clock: ManualClock,
           sender: ScriptedSender) -> DeliveryWorker:
    return DeliveryWorker(db, app.catalogs, {"telegram": sender}, settings, clock,
                          limits={"telegram": LIMITS})


def reminders(sender: ScriptedSender) -> list[tuple[str, str]]:
    return [(chat, text) for chat, text in sender.sent if text.startswith("Напоминаю")]


async def go_to(clock: ManualClock, moment: datetime) -> None:
    clock.advance(moment - clock.now())


async def test_reminders_come_once_at_their_time_across_a_restart_and_not_after_cancelling(
    network_app: App, settings: Settings, clock: ManualClock, admin: ChatClient, group: Group,
    chat_for: ChatFor,
) -> None:
    await announce(admin)
    event = await the_event(network_app)
    assert event.starts_at == START
    west, east = await two_going(chat_for, group)
    for chat in (west, east):
        await press(chat, "ev.go", event)
    sender = ScriptedSender()
    first = worker(network_app.db, network_app, settings, clock, sender)
    await first.pump()  # the announcements go now; no reminder yet
    assert reminders(sender) == []

    await go_to(clock, START - timedelta(hours=24, minutes=1))
    await first.pump()
    assert reminders(sender) == []
    await go_to(clock, START - timedelta(hours=24))
    await first.pump()
    assert sorted(reminders(sender)) == [
        ("3001", "Напоминаю: «Формирующее оценивание» — 25.12.2026 12:00 (UTC+2).\n"
                 "Ссылка для подключения: https://zoom.us/j/123"),
        ("3002", "Напоминаю: «Формирующее оценивание» — 25.12.2026 20:00 (UTC+10).\n"
                 "Ссылка для подключения: https://zoom.us/j/123"),
    ]
    await first.stop()

    restarted = await App.start(settings, clock)  # a new process on the same database
    try:
        second = worker(restarted.db, restarted, settings, clock, sender)
        await second.pump()
        assert len(reminders(sender)) == 2  # nothing sent again
        await east.press_payload(codec.encode("ev.unreg", (str(event.id),)))
        await east.click("Да")
        await go_to(clock, START - timedelta(hours=1))
        await second.pump()
        assert [chat for chat, _ in reminders(sender)][2:] == ["3001"]
        await go_to(clock, START + timedelta(minutes=1))
        await second.pump()
        assert len(reminders(sender)) == 3
        await second.stop()
    finally:
        await restarted.close()


async def test_a_reminder_past_the_start_is_dropped_after_downtime(
    network_app: App, settings: Settings, clock: ManualClock, admin: ChatClient, group: Group,
    chat_for: ChatFor,
) -> None:
    await announce(admin)
    event = await the_event(network_app)
    west, _ = await two_going(chat_for, group)
    await press(west, "ev.go", event)
    await go_to(clock, START + timedelta(minutes=5))  # the bot was down over both moments
    sender = ScriptedSender()
    await worker(network_app.db, network_app, settings, clock, sender).pump()
    assert reminders(sender) == []
    statuses = {r["status"] for r in await outbox_rows(network_app, f"event:{event.id}:remind:")}
    assert statuses == {"dropped"}


async def organizer_opens(admin: ChatClient, event: Event) -> None:
    await admin.send("/organized")
    await admin.click(event.title)


async def test_organizer_moves_the_event_people_are_told_and_reminders_follow(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    await announce(admin)
    event = await the_event(network_app)
    west, east = await two_going(chat_for, group)
    for chat in (west, east):
        await press(chat, "ev.go", event)
    before = {r["not_before"] for r in await outbox_rows(network_app, f"event:{event.id}:remind:")}

    await organizer_opens(admin, event)
    assert "Записались: 2 человека" in admin.last.text
    await admin.click("Перенести")
    await admin.send("32.12 15:00")
    assert "Такой даты нет" in admin.last.text
    await admin.send("26.12 16:00")
    assert "Записавшимся отправлено сообщение: 2 получателя" in admin.last.text

    moved = await the_event(network_app)
    assert moved.starts_at == datetime(2026, 12, 26, 11, 0, tzinfo=UTC)
    rows = await outbox_rows(network_app, f"event:{event.id}:remind:")
    assert {r["not_before"] for r in rows if r["status"] == "dropped"} == before
    assert {r["not_before"] for r in rows if r["status"] == "pending"} == {
        moved.starts_at - timedelta(hours=24), moved.starts_at - timedelta(hours=1)}
    notes = [r for r in await outbox_rows(network_app, "note:") if r["message_key"] ==
             "ev.note.moved"]
    assert len(notes) == 2


async def test_organizer_cancels_everyone_is_told_and_old_buttons_say_so(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    await announce(admin)
    event = await the_event(network_app)
    west, east = await two_going(chat_for, group)
    await press(west, "ev.go", event)

    for action in ("ev.cancel_ok", "ev.manage", "ev.change", "ev.attendance"):
        assert await press(east, action, event) == DENIED, action  # not the organizer

    await organizer_opens(admin, event)
    await admin.click("Отменить мероприятие")
    await admin.click("Да, отменить")
    assert "отменено" in admin.last.text
    assert (await the_event(network_app)).cancelled
    rows = await outbox_rows(network_app, f"event:{event.id}:remind:")
    assert rows and {r["status"] for r in rows} == {"dropped"}
    notes = [r for r in await outbox_rows(network_app, "note:")
             if r["message_key"] == "ev.note.cancelled"]
    assert len(notes) == 1  # the one person registered
    assert "отменено" in await press(east, "ev.go", event)
    assert "отменено" in await press(admin, "ev.cancel_ok", event)  # a second click


async def test_organizer_marks_who_attended_after_the_start(
    network_app: App, clock: ManualClock, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    await announce(admin)
    event = await the_event(network_app)
    west, east = await two_going(chat_for, group)
    for chat in (west, east):
        await press(chat, "ev.go", event)
    assert "после начала" in await press(admin, "ev.attendance", event)

    await go_to(clock, START + timedelta(hours=2))
    await organizer_opens(admin, event)
    await admin.click("Отметить, кто был")
    assert "отмечено 0 из 2 человек" in admin.last.text
    await admin.click("Западная")
    assert "отмечено 1 из 2 человек" in admin.last.text
    await admin.click("Западная")  # a second press takes the mark away
    assert "отмечено 0 из 2 человек" in admin.last.text
    await admin.click("Были все записавшиеся")
    assert "отмечено 2 из 2 человек" in admin.last.text
    async with network_app.db.transaction() as repos:
        going = await repos.events.teacher_ids(event.id, [Seat.GOING])
        assert await repos.events.attended_ids(event.id) == sorted(going)
    await admin.press_payload(codec.encode("ev.att", (str(event.id), "999999")))
    assert "устарела" in admin.last.text

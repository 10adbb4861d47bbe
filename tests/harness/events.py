"""Shared by the event tests: the /newevent dialog in one call, rows read back and rendered
for their readers, the calendar file."""


from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

import icalendar
from sqlalchemy import select

from bot.app import App
from bot.core import codec
from bot.core.model import Inbound, InboundKind, Reply
from bot.delivery.render import render
from storage.events import Event
from storage.groups import Group
from storage.outbox import OutboxItem
from storage.repositories import Repositories
from storage.tables import events, outbox
from tests.harness.chat import ChatClient
from tests.harness.flows import register

ChatFor = Callable[..., ChatClient]
DOWNLOADS = itertools.count(1)
DENIED = "Это действие вам недоступно. Что вы можете сделать — в /help."
LINK = "https://zoom.us/j/123"
GROUP = "Математики Верхнегорья"


async def member(chat_for: ChatFor, user_id: str, name: str, group: Group, **kwargs: str
                 ) -> ChatClient:
    chat = chat_for(user_id)
    await register(chat, name=name, **kwargs)
    await chat.send(f"/join {group.invite_code}")
    return chat


async def announce(
    chat: ChatClient, *, title: str = "Формирующее оценивание", when: str = "25.12 15:00",
    fmt: str = "Онлайн", capacity: str | None = None, groups: tuple[str, ...] = (GROUP,),
    network: tuple[str, str] | None = None,
) -> None:
    """The whole /newevent dialog; a coordinator picks groups, or the network narrowed by
    (municipality, subject) button labels."""
    await chat.send("/newevent")
    await chat.click("Вебинар")
    await chat.send(title)
    await chat.click("Пропустить")
    await chat.send(when)
    await chat.click("Верно")
    await chat.click("90 минут")
    await chat.click(fmt)
    if fmt != "Очно —":
        await chat.send(LINK)
    if fmt != "Онлайн":
        await chat.send("г. Верхнегорск, ул. Ленина, 5, каб. 12")
    if network is not None:
        await chat.click("Вся сеть")
        await chat.click(network[0])
        await chat.click(network[1])
    else:
        if chat.last.text == "Для кого мероприятие?":
            await chat.click("Выбрать группы")
        for name in groups:
            await chat.click(name)
        await chat.click("Готово")
    if capacity is None:
        await chat.click("Без ограничения")
    else:
        await chat.send(capacity)
    await chat.click("Пропустить")
    await chat.click("Опубликовать")


async def the_event(app: App) -> Event:
    async with app.db.transaction() as repos:
        event_id = (await repos.conn.execute(
            select(events.c.id).order_by(events.c.id.desc()).limit(1))).scalar_one()
        event = await repos.events.get(event_id)
    assert event is not None
    return event


async def teacher_of(repos: Repositories, user_id: str) -> int:
    account = await repos.accounts.get("telegram", user_id)
    assert account is not None and account.teacher_id is not None
    return account.teacher_id


async def outbox_rows(app: App, key_prefix: str) -> list[dict[str, object]]:
    async with app.db.connection() as conn:
        rows = await conn.execute(select(outbox).where(
            outbox.c.idempotency_key.like(key_prefix + "%")).order_by(outbox.c.id))
        return [dict(r._mapping) for r in rows]


async def rendered_for(
    app: App, key_prefix: str, message_key: str | None = None
) -> dict[str, Reply]:
    """Outbox rows rendered as their readers will see them (their language and time zone), by
    the reader's messenger id."""
    result: dict[str, Reply] = {}
    rows = [r for r in await outbox_rows(app, key_prefix)
            if message_key is None or r["message_key"] == message_key]
    async with app.db.transaction() as repos:
        for row in rows:
            account = await repos.accounts.by_id(int(str(row["account_id"])))
            assert account is not None and account.teacher_id is not None
            teacher = await repos.teachers.get(account.teacher_id)
            assert teacher is not None
            item = OutboxItem(
                id=0, key=str(row["idempotency_key"]), account_id=account.id, platform="telegram",
                chat_id=account.chat_id, locale=account.locale, timezone=teacher.timezone,
                reachable=True, message_key=str(row["message_key"]),
                params=dict(row["params"]),  # type: ignore[call-overload]
                text=None, batch_id=None, not_before=clock_now(), expires_at=None, attempts=1,
                lease_until=None, buttons=list(row["buttons"] or []),  # type: ignore[call-overload]
            )
            result[account.external_id] = render(item, app.catalogs, "Europe/Moscow")
    return result


def clock_now() -> datetime:
    return datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def press(chat: ChatClient, action: str, event: Event) -> str:
    await chat.press_payload(codec.encode(action, (str(event.id),)))
    return chat.last.text


async def calendar_of(app: App, chat: ChatClient, event: Event) -> icalendar.Calendar:
    """Press «В календарь» and read the file that comes back."""
    outcome = await app.core.handle(Inbound(
        "telegram", chat.user_id, chat.user_id, InboundKind.BUTTON,
        payload=codec.encode("ev.ics", (str(event.id),)), update_id=f"ics-{next(DOWNLOADS)}",
    ))
    attachment = outcome.replies[0].attachment
    assert attachment is not None
    assert (attachment.file_name, attachment.mime) == ("event.ics", "text/calendar")
    return icalendar.Calendar.from_ical(attachment.content)

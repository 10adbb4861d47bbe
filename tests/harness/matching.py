"""Shared by the matching conversation tests: teachers inserted in bulk, rows read back,
introductions rendered as their readers see them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.core.model import Reply
from bot.delivery.render import render
from storage.outbox import OutboxItem
from storage.tables import outbox
from storage.teachers import NewTeacher
from tests.harness.chat import ChatClient
from tests.harness.flows import register

FG = "Функциональная грамотность"
FO = "Формирующее оценивание"
SCHOOLS = ("Лицей № 3", "СОШ № 5", "Гимназия № 2")
ORGS = {"Лицей № 3": "МАОУ «Лицей № 3»", "СОШ № 5": "МАОУ «СОШ № 5»",
        "Гимназия № 2": "МБОУ «Гимназия № 2»", "Заречная СОШ": "МКОУ «Заречная СОШ»"}
NAMES = (
    "Иванова Мария Петровна", "Петров Алексей Сергеевич", "Сидорова Анна Ивановна",
    "Кузнецов Игорь Олегович", "Смирнова Ольга Викторовна", "Волков Денис Андреевич",
    "Морозова Елена Павловна", "Новиков Павел Юрьевич", "Фёдорова Ирина Николаевна",
    "Зайцева Татьяна Львовна", "Соколов Артём Максимович", "Лебедева Наталья Сергеевна",
)
DENIED = "Это действие вам недоступно. Что вы можете сделать — в /help."


@dataclass(frozen=True)
class Spec:
    user: str
    name: str
    school: str
    topics: tuple[str, ...] = (FG,)
    mentor: bool = False
    username: str | None = None



async def insert_teachers(app: App, specs: Sequence[Spec], **prefs: Any) -> dict[str, int]:
    """Teachers straight into the database, with these matching preferences; user → teacher id."""
    now = datetime(2026, 10, 1, tzinfo=UTC)
    ids: dict[str, int] = {}
    async with app.db.transaction() as repos:
        orgs = {o.name: o.id for m in await repos.network.municipalities()
                for o in await repos.network.organizations_in(m.id)}
        topics = {t.name: t.id for t in await repos.network.topics()}
        for spec in specs:
            teacher_id = await repos.teachers.create(NewTeacher(
                full_name=spec.name, organization_id=orgs[ORGS[spec.school]], position="teacher",
                timezone="Asia/Yekaterinburg", wants_to_mentor=spec.mentor, subject_ids=(),
                topic_ids=tuple(topics[t] for t in spec.topics), consent_at=now,
            ), now)
            account = await repos.accounts.ensure("telegram", spec.user, spec.user, now)
            await repos.accounts.link_teacher(account.id, teacher_id)
            await repos.accounts.set_username(account.id, spec.username)
            if prefs:
                await repos.matching.set_preferences(teacher_id, **prefs)
            ids[spec.user] = teacher_id
    return ids


def peers(count: int, first: int = 201) -> list[Spec]:
    return [Spec(str(first + i), NAMES[i % len(NAMES)], SCHOOLS[i % 3]) for i in range(count)]


async def rows(app: App, query: Any) -> list[Any]:
    async with app.db.connection() as conn:
        return list(await conn.execute(query))


async def count_rows(app: App, table: Any) -> int:
    async with app.db.connection() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def rendered(app: App, key_prefix: str) -> dict[str, Reply]:
    """Outbox messages whose key starts with the prefix, rendered as their recipients will read
    them; by the recipient's Telegram id."""
    async with app.db.connection() as conn:
        rows = await conn.execute(select(outbox).where(outbox.c.idempotency_key.like(
            key_prefix + "%")).order_by(outbox.c.id))
        found = [row._mapping for row in rows]
    async with app.db.transaction() as repos:
        result: dict[str, Reply] = {}
        for m in found:
            account = await repos.accounts.by_id(m["account_id"])
            assert account is not None
            item = OutboxItem(
                id=m["id"], key=m["idempotency_key"], account_id=m["account_id"],
                platform=m["platform"], chat_id=account.chat_id, locale=account.locale,
                timezone="Asia/Yekaterinburg", reachable=True, message_key=m["message_key"],
                params=dict(m["params"]), text=m["text"], buttons=list(m["buttons"] or []),
                batch_id=None, not_before=m["not_before"], expires_at=None, attempts=1,
                lease_until=None,
            )
            result[account.external_id] = render(item, app.catalogs, "Europe/Moscow")
    return result


async def form_peer_round(coordinator: ChatClient, size: str = "3") -> str:
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click(size, exact=True)
    await coordinator.click("Сформировать")
    return coordinator.last.text


async def preferences(app: App, teacher_id: int) -> Any:
    async with app.db.transaction() as repos:
        return await repos.matching.preferences(teacher_id)


# -- /matching ----------------------------------------------------------------------------------


async def nine_teachers_by_chat(chat_for: Callable[..., ChatClient]) -> list[ChatClient]:
    """Nine teachers from three schools, each asking for a group in /matching; the first six
    have public Telegram usernames."""
    chats = []
    for i in range(9):
        chat = chat_for(str(301 + i), username=f"teacher{i}" if i < 6 else None)
        await register(chat, name=NAMES[i], school=SCHOOLS[i % 3], topics=(FG,))
        await chat.send("/matching")
        await chat.click("Хочу в группу по темам")
        chats.append(chat)
    return chats

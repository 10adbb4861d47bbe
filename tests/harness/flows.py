"""Conversation steps many tests share."""

from __future__ import annotations

from tests.harness.chat import ChatClient

NAME = "Иванова Мария Петровна"
TOPIC = "Функциональная грамотность"


async def register(
    chat: ChatClient,
    name: str = NAME,
    municipality: str = "Верхнегорский",
    school: str = "Лицей № 3",
    position: str = "Учитель",
    subjects: tuple[str, ...] = ("Математика", "Информатика"),
    zone: str = "Екатеринбург",
    topics: tuple[str, ...] = ("Функциональная грамотность",),
    mentor: str = "Да, готов",
    start: str = "/start",
) -> None:
    """A whole registration through buttons and typed answers, in Russian."""
    await chat.send(start)
    await chat.click("Согласен")
    await chat.send(name)
    await chat.click(municipality)
    await chat.click(school)
    await chat.click(position, exact=True)
    for subject in subjects:
        await chat.click(subject)
    await chat.click("Готово")
    await chat.click(zone)
    for topic in topics:
        await chat.click(topic)
    await chat.click("Готово")
    await chat.click(mentor)


async def create_group(
    coordinator: ChatClient, admin_surname: str | None = "Иванова", limit: str | None = None,
    name: str = "Математики Верхнегорья",
) -> None:
    await coordinator.send("/newgroup")
    await coordinator.send(name)
    await coordinator.click("Творческая группа")
    await coordinator.click(TOPIC)
    await coordinator.send("Делимся приёмами формирования функциональной грамотности на уроках.")
    if limit is None:
        await coordinator.click("Без ограничения")
    else:
        await coordinator.send(limit)
    if admin_surname:
        await coordinator.send(admin_surname)
        await coordinator.click(admin_surname)
    await coordinator.click("Готово")

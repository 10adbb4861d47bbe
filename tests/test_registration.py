"""A new teacher registers in Russian, start to finish; what they see and what is stored."""

from __future__ import annotations

from bot.app import App
from tests.harness.chat import ChatClient
from tests.harness.flows import NAME, register


async def stored_profile(app: App, user_id: str = "1001") -> dict[str, object] | None:
    async with app.db.transaction() as repos:
        account = await repos.accounts.get("telegram", user_id)
        if account is None or account.teacher_id is None:
            return None
        profile = await repos.teachers.profile(account.teacher_id)
        assert profile is not None
        return {
            "name": profile.teacher.full_name,
            "organization": profile.organization,
            "municipality": profile.municipality,
            "position": profile.teacher.position,
            "subjects": profile.subjects,
            "timezone": profile.teacher.timezone,
            "topics": profile.topics,
            "mentor": profile.teacher.wants_to_mentor,
            "locale": account.locale,
        }


async def test_start_explains_and_asks_consent(chat: ChatClient) -> None:
    await chat.send("/start")
    assert "152-ФЗ" in chat.last.text
    assert "согласны на обработку персональных данных" in chat.last.text
    assert chat.last.labels == [
        "✅ Согласен(на)", "Не согласен(на)", "📄 Политика обработки данных"
    ]


async def test_registration_start_to_finish(chat: ChatClient, network_app: App) -> None:
    await register(chat)
    assert chat.texts()[-2].startswith("Готово, регистрация завершена!")
    card = chat.last.text
    assert f"ФИО: {NAME}" in card
    assert "Организация: МАОУ «Лицей № 3» (Верхнегорский городской округ)" in card
    assert "Должность: Учитель" in card
    assert "Предметы: Информатика, Математика" in card
    assert "Часовой пояс: Екатеринбург (UTC+5)" in card
    assert "Темы для развития: Функциональная грамотность" in card
    assert "Наставничество: готов(а) быть наставником" in card
    assert await stored_profile(network_app) == {
        "name": NAME,
        "organization": "МАОУ «Лицей № 3»",
        "municipality": "Верхнегорский городской округ",
        "position": "teacher",
        "subjects": ("Информатика", "Математика"),
        "timezone": "Asia/Yekaterinburg",
        "topics": ("Функциональная грамотность",),
        "mentor": True,
        "locale": "ru",
    }


async def test_declining_consent_stores_nothing(chat: ChatClient, network_app: App) -> None:
    await chat.send("/start")
    await chat.click("Не согласен")
    assert "ничего не сохранил" in chat.last.text
    async with network_app.db.transaction() as repos:
        assert await repos.accounts.get("telegram", "1001") is None
        assert await repos.dialogs.load("telegram", "1001") is None


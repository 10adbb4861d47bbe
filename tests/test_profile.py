"""/profile, editing fields, /delete_me, /lang, /help by role, coordinators' list commands."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from storage.tables import accounts, dialog_states, teacher_subjects, teacher_topics, teachers
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import NAME, register


async def test_profile_shows_the_card_with_edit_buttons(chat: ChatClient) -> None:
    await register(chat)
    await chat.send("/profile")
    assert chat.last.text.startswith("👤 Ваш профиль")
    assert chat.last.labels == [
        "✏️ ФИО", "✏️ Организация", "✏️ Должность", "✏️ Предметы", "✏️ Часовой пояс",
        "✏️ Темы", "✏️ Наставничество", "🗑 Удалить мои данные",
    ]


async def test_edit_name(chat: ChatClient, network_app: App) -> None:
    await register(chat)
    await chat.click("✏️ ФИО")
    await chat.send("Сидорова Анна Ивановна")
    assert chat.texts()[-2] == "Сохранено."
    assert "ФИО: Сидорова Анна Ивановна" in chat.last.text


async def test_edit_school_asks_municipality_then_school(chat: ChatClient) -> None:
    await register(chat)
    await chat.click("✏️ Организация")
    await chat.click("Заречный")
    await chat.click("Моей организации нет в списке")
    await chat.send("МБОУ «Заречная ООШ № 7»")
    assert chat.last.text.startswith("Точного совпадения с «МБОУ «Заречная ООШ № 7»» нет.")
    assert chat.last.labels == ["МКОУ «Заречная СОШ»", "➕ Добавить «МБОУ «Заречная ООШ № 7»»"]
    await chat.click("Добавить")
    assert "Организация: МБОУ «Заречная ООШ № 7» (Заречный муниципальный район)" in chat.last.text


async def test_typed_school_offers_close_matches(chat: ChatClient) -> None:
    await register(chat)
    await chat.click("✏️ Организация")
    await chat.click("Верхнегорский")
    await chat.send("лицей")
    assert chat.last.labels == ["МАОУ «Лицей № 3»", "➕ Добавить «лицей»"]
    await chat.click("МАОУ «Лицей № 3»")
    assert "Организация: МАОУ «Лицей № 3»" in chat.last.text


async def test_edit_subjects_starts_from_the_current_ones(chat: ChatClient) -> None:
    await register(chat, subjects=("Математика",))
    await chat.click("✏️ Предметы")
    assert "✅ Математика" in chat.last.labels
    await chat.click("Математика")
    await chat.click("Физика")
    await chat.click("Готово")
    assert "Предметы: Физика" in chat.last.text


async def test_cancel_while_editing_changes_nothing(chat: ChatClient) -> None:
    await register(chat)
    await chat.click("✏️ ФИО")
    await chat.send("/cancel")
    assert chat.last.text == "Отменено, ничего не изменилось."
    await chat.send("/profile")
    assert f"ФИО: {NAME}" in chat.last.text


async def test_delete_me_erases_personal_data(chat: ChatClient, network_app: App) -> None:
    await register(chat)
    await chat.send("/delete_me")
    await chat.click("Нет, оставить")
    assert chat.last.text == "Хорошо, ничего не удаляю."
    await chat.send("/delete_me")
    await chat.click("Да, удалить всё")
    assert chat.last.text.startswith("Ваши персональные данные удалены.")
    async with network_app.db.connection() as conn:
        row = (await conn.execute(select(teachers))).one()
        assert row.full_name is None and row.organization_id is None and row.position is None
        assert row.consent_at is None and row.deleted_at is not None
        for table in (accounts, dialog_states, teacher_subjects, teacher_topics):
            assert (await conn.execute(select(table))).all() == []
    await chat.send("/profile")
    assert chat.last.text.startswith("Сначала нужно зарегистрироваться")


async def test_second_click_on_delete_after_erasing(chat: ChatClient) -> None:
    await register(chat)
    await chat.send("/delete_me")
    confirmation = chat.last.id
    await chat.click("Да, удалить всё")
    await chat.press_payload("pv.yes", confirmation)  # the same button, pressed again
    assert chat.last.text.startswith("Сначала нужно зарегистрироваться")


async def test_english_registration(chat_for: Callable[..., ChatClient], network_app: App) -> None:
    chat = chat_for("2002", language="en")
    await chat.send("/start")
    assert "Do you agree to the processing of your personal data?" in chat.last.text
    await chat.click("I agree")
    assert chat.last.text.startswith("What is your name?")
    await chat.send("Maria Ivanova")
    await chat.click("Верхнегорский")
    await chat.click("СОШ № 5")
    await chat.click("Deputy head")
    await chat.click("Done")
    await chat.click("Samara")
    await chat.click("Done")
    await chat.click("Not now")
    assert "Position: Deputy head" in chat.last.text
    assert "Time zone: Samara (UTC+4)" in chat.last.text


async def test_lang_switches_and_is_remembered(chat: ChatClient, network_app: App) -> None:
    await register(chat)
    await chat.send("/lang")
    assert chat.last.labels == ["Русский", "English"]
    await chat.click("English")
    assert chat.last.text == "Done, I will speak English now."
    await chat.send("/profile")
    assert chat.last.text.startswith("👤 Your profile")
    await chat.send("/lang")
    await chat.click("Русский")
    assert chat.last.text == "Готово, теперь я говорю по-русски."


async def test_help_depends_on_role(chat_for: Callable[..., ChatClient]) -> None:
    stranger = chat_for("3003")
    await stranger.send("/help")
    assert "/start — начать работу и зарегистрироваться" in stranger.last.text
    assert "/profile" not in stranger.last.text
    teacher = chat_for("3004")
    await register(teacher)
    await teacher.send("/help")
    assert "/profile — мой профиль и его изменение" in teacher.last.text
    assert "/delete_me — удалить мои персональные данные" in teacher.last.text
    assert "/network" not in teacher.last.text
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/help")
    assert "/network — списки сети" in coordinator.last.text
    assert "/add_topic — добавить тему для развития" in coordinator.last.text


async def test_coordinator_extends_the_lists(chat_for: Callable[..., ChatClient]) -> None:
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/network")
    assert coordinator.last.text.startswith("Списки методической сети:\n• 2 муниципалитета\n"
                                            "• 4 организации\n• 4 предмета\n• 3 темы")
    await coordinator.send("/add_topic Финансовая грамотность")
    assert coordinator.last.text == "Добавлено: Финансовая грамотность."
    await coordinator.send("/add_school Нет такого; Школа")
    assert coordinator.last.text.startswith("Муниципалитета «Нет такого» нет в списке.")
    await coordinator.send("/add_school Заречный муниципальный район; МКОУ «Лесная ООШ»")
    assert coordinator.last.text == "Добавлено: МКОУ «Лесная ООШ» (Заречный муниципальный район)."
    await coordinator.send("/add_subject")
    assert coordinator.last.text.startswith("Напишите название после команды")
    await coordinator.send("/network")
    assert "• 5 организаций" in coordinator.last.text and "• 4 темы" in coordinator.last.text


async def test_teacher_cannot_use_coordinator_commands(chat: ChatClient, network_app: App) -> None:
    await register(chat)
    for command in ("/network", "/add_topic Взлом", "/add_municipality Тест"):
        await chat.send(command)
        assert chat.last.text == "Это действие вам недоступно. Что вы можете сделать — в /help."
    async with network_app.db.transaction() as repos:
        assert (await repos.network.counts()).topics == 3

"""The bot restarts in the middle of registration; the teacher continues at the same question."""

from __future__ import annotations

from bot.app import App
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.network_file import NetworkList, apply_network_list
from tests.harness.chat import ChatClient
from tests.harness.flows import NAME


async def test_registration_survives_a_restart(
    settings: Settings, clock: ManualClock, small_network: NetworkList
) -> None:
    first = await App.start(settings, clock)
    async with first.db.transaction() as repos:
        await apply_network_list(repos.network, small_network)
    chat = ChatClient(first.core)
    await chat.send("/start")
    await chat.click("Согласен")
    await chat.send(NAME)
    await chat.click("Верхнегорский")
    await chat.click("Гимназия № 2")
    await chat.click("Методист")
    await chat.click("Физика")
    await first.close()

    second = await App.start(settings, clock)
    try:
        chat.core = second.core  # same person, same chat, a new process
        await chat.click("Математика")
        assert "✅ Физика" in chat.last.labels and "✅ Математика" in chat.last.labels
        await chat.click("Готово")
        assert chat.last.text.startswith("В каком часовом поясе")
        await chat.click("Калининград")
        await chat.click("Готово")
        await chat.click("Пока нет")
        card = chat.last.text
        assert f"ФИО: {NAME}" in card
        assert "Организация: МБОУ «Гимназия № 2» (Верхнегорский городской округ)" in card
        assert "Должность: Методист" in card
        assert "Предметы: Математика, Физика" in card
        assert "Часовой пояс: Калининград (UTC+2)" in card
        assert "Темы для развития: не указано" in card
        assert "Наставничество: нет" in card
    finally:
        await second.close()


async def test_start_after_restart_offers_to_continue(
    settings: Settings, clock: ManualClock, small_network: NetworkList
) -> None:
    first = await App.start(settings, clock)
    chat = ChatClient(first.core)
    await chat.send("/start")
    await chat.click("Согласен")
    await chat.send(NAME)
    await first.close()

    second = await App.start(settings, clock)
    try:
        chat.core = second.core
        await chat.send("/start")
        assert chat.texts()[-2] == "Продолжим регистрацию с того места, где остановились."
        assert chat.last.text.startswith("В каком муниципалитете вы работаете? Напишите название")
    finally:
        await second.close()

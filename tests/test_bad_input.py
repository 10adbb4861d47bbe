"""Bad input gets a clear answer, and nothing is stored wrongly."""

from __future__ import annotations

from bot.app import App
from bot.core import codec
from bot.core.model import Button, InboundKind, parse_text
from tests.harness.chat import ChatClient


async def _at_name_question(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.click("Согласен")
    assert chat.last.text.startswith("Как вас зовут?")


async def _dialog(app: App, user_id: str = "1001") -> tuple[str | None, dict[str, object]]:
    async with app.db.transaction() as repos:
        stored = await repos.dialogs.load("telegram", user_id)
    return (stored.state, stored.data["answers"]) if stored else (None, {})


async def test_overlong_name_is_refused(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Иванова " * 40)
    assert "Слишком длинно: 319 символов, а можно не больше 120 символов" in chat.last.text
    assert await _dialog(network_app) == ("q.name", {"timezone": "Europe/Moscow"})


async def test_emoji_only_and_garbage_names_are_refused(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    for garbage in ("😀😀😀", "🙂 🙃", "12345 678", "Мария", "   ", "<script>alert(1)</script>"):
        await chat.send(garbage)
        assert chat.last.text.startswith(("Не похоже на ФИО", "Напишите, пожалуйста, ФИО")), garbage
    state, answers = await _dialog(network_app)
    assert state == "q.name"
    assert "full_name" not in answers


async def test_name_with_hyphen_and_yo_is_accepted(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("  Римская-Корсакова   Алёна  ")
    state, answers = await _dialog(network_app)
    assert state == "q.municipality"
    assert answers["full_name"] == "Римская-Корсакова Алёна"


async def test_unknown_time_zone_then_typed_city(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    await chat.click("Верхнегорский")
    await chat.click("СОШ № 5")
    await chat.click("Учитель", exact=True)
    await chat.click("Готово")
    await chat.send("Марс/Олимп")
    assert chat.last.text.startswith("Не нашёл такой часовой пояс")
    assert (await _dialog(network_app))[0] == "q.timezone"
    await chat.send("новосибирск")
    state, answers = await _dialog(network_app)
    assert answers["timezone"] == "Asia/Novosibirsk"
    assert state == "q.topics"


async def test_iana_zone_typed_in_any_case(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    await chat.click("Заречный")
    await chat.click("Заречная")
    await chat.click("Директор")
    await chat.click("Готово")
    await chat.send("asia/chita")
    assert (await _dialog(network_app))[1]["timezone"] == "Asia/Chita"


async def test_forged_button_payloads_get_a_polite_answer(
    chat: ChatClient, network_app: App
) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    for payload in ("", "garbage", "q.mun|999999", "q.mun|-1", "q.mun|1;DROP TABLE teachers",
                    "x" * 64, "pv.yes", "q.pos|admin", "Ω.ω|1"):
        await chat.press_payload(payload)
        assert chat.last.text, payload
    texts = chat.texts()
    assert "Этого варианта уже нет в списке. Выберите, пожалуйста, снова." in texts
    assert any(t.startswith("Эта кнопка не работает. Воспользуйтесь кнопками") for t in texts)
    assert "Эта кнопка устарела: вопрос уже закрыт. Продолжайте с последнего сообщения." in texts
    assert "Сначала нужно зарегистрироваться — это займёт пару минут. Отправьте /start." in texts
    state, answers = await _dialog(network_app)
    assert state == "q.municipality"
    assert "municipality_id" not in answers
    async with network_app.db.transaction() as repos:
        assert (await repos.network.counts()).municipalities == 2


async def test_button_from_an_old_message_after_cancel(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    municipality_question = chat.last
    await chat.send("/cancel")
    assert chat.last.text == "Регистрация прервана, ничего не сохранено. Начать заново — /start."
    button = municipality_question.keyboard[0][0]
    assert isinstance(button, Button)
    await chat.press_payload(codec.encode(button.action, button.args), municipality_question.id)
    assert chat.last.text.startswith("Эта кнопка устарела")
    assert chat.notices[-1].startswith("Эта кнопка устарела")
    assert await _dialog(network_app) == (None, {})
    async with network_app.db.transaction() as repos:
        assert await repos.accounts.get("telegram", "1001") is None


async def test_second_click_on_an_answered_question(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    await chat.click("Верхнегорский")
    await chat.click("Верхнегорский")  # the same button again, on the same old message
    assert chat.last.text.startswith("Эта кнопка устарела")
    assert (await _dialog(network_app))[0] == "q.organization"


async def test_second_consent_click_keeps_the_answers(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    await chat.click("Согласен")
    assert "Продолжим регистрацию" in chat.texts()[-2]
    assert chat.last.text.startswith("В каком муниципалитете")
    assert (await _dialog(network_app))[1]["full_name"] == "Петров Пётр"


async def test_same_update_twice_is_handled_once(network_app: App) -> None:
    inbound = parse_text("telegram", "77", "77", "/start", update_id="500")
    first = await network_app.core.handle(inbound)
    second = await network_app.core.handle(inbound)
    assert len(first.replies) == 1
    assert second.replies == []
    assert inbound.kind is InboundKind.COMMAND


async def test_unknown_command_and_text_outside_a_dialog(chat: ChatClient) -> None:
    await chat.send("/nonsense")
    assert chat.last.text == "Команды /nonsense нет. Список команд — /help."
    await chat.send("привет")
    assert chat.last.text.startswith("Здравствуйте! Я «Коллега»")


async def test_typed_text_where_a_button_is_expected(chat: ChatClient, network_app: App) -> None:
    await _at_name_question(chat)
    await chat.send("Петров Пётр")
    await chat.click("Верхнегорский")
    await chat.click("СОШ № 5")
    await chat.send("учитель математики")
    assert chat.texts()[-2] == "Пожалуйста, выберите вариант кнопкой."
    assert chat.last.text == "Ваша должность?"
    await chat.click("Учитель", exact=True)
    await chat.send("математика")
    assert chat.last.text == "Отметьте пункты кнопками и нажмите «Готово»."

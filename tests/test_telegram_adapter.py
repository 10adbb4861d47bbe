"""The Telegram adapter end to end: real aiogram over HTTP to the local fake Bot API server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update
from pydantic import SecretStr

from bot.app import App
from bot.config import TelegramSettings
from bot.core.model import Attachment, Button, LinkButton, Reply, SentMessage
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.text import utf16_len
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits
from tests.harness.flows import NAME

USER = 1001
FAST = RateLimits(private_interval=0.01)  # Telegram's limits, with a per-chat pace tests can afford
DEFAULT_SCOPE = json.dumps({"type": "default"}, sort_keys=True)


class Tracker:
    """An outer middleware on the adapter's dispatcher: which updates it has finished with."""

    def __init__(self) -> None:
        self.updates: list[int] = []
        self.callbacks: list[str] = []

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            assert isinstance(event, Update)
            self.updates.append(event.update_id)
            if event.callback_query is not None:
                self.callbacks.append(event.callback_query.id)


@dataclass
class TelegramChat:
    """One person's private chat with the bot, through the fake server."""

    api: FakeTelegramAPI
    adapter: TelegramAdapter
    tracker: Tracker
    user_id: int = USER
    pressed: list[str] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        return self.api.sent_messages(self.user_id)

    @property
    def last(self) -> dict[str, Any]:
        return self.messages()[-1]

    def texts(self) -> list[str]:
        return [m.get("text", m.get("caption", "")) for m in self.messages()]

    async def handled(self, update_id: int, times: int = 1) -> None:
        await self.api.wait_for(lambda _: self.tracker.updates.count(update_id) >= times)

    async def send(self, text: str) -> None:
        await self.handled(self.api.push_message(self.user_id, text))

    async def click(self, label: str, *, exact: bool = False) -> None:
        """Press the newest button whose label contains `label` (or equals it, with exact)."""
        message_id, data = self.find(label, exact=exact)
        query_id = self.api.push_callback(self.user_id, message_id, data)
        self.pressed.append(query_id)
        await self.api.wait_for(lambda _: query_id in self.tracker.callbacks)

    async def push_raw_callback(self, query_id: str, message: dict[str, Any], data: str) -> None:
        """A callback the fake did not offer: forged data, or a message that is gone."""
        user = {"id": self.user_id, "is_bot": False, "first_name": "Test", "language_code": "ru"}
        query = {"id": query_id, "from": user, "message": message, "chat_instance": "1",
                 "data": data}
        self.api.push_raw({"callback_query": query})
        await self.api.wait_for(lambda _: query_id in self.tracker.callbacks)

    def find(self, label: str, *, exact: bool = False) -> tuple[int, str]:
        for message in reversed(self.messages()):
            for button in _buttons(message):
                matches = button["text"] == label if exact else label in button["text"]
                if matches and "callback_data" in button:
                    return message["message_id"], button["callback_data"]
        raise AssertionError(f"no button {label!r}; last message: {self.texts()[-1:]}")


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def labels(message: dict[str, Any]) -> list[str]:
    return [button["text"] for button in _buttons(message)]


def calls(api: FakeTelegramAPI, method: str) -> list[Any]:
    return [call for call in api.requests if call.method == method]


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(limits=FAST) as fake:
        yield fake


@pytest.fixture
async def tg(api: FakeTelegramAPI, network_app: App) -> AsyncIterator[TelegramChat]:
    settings = TelegramSettings(token=SecretStr(api.token), api_url=api.base_url)
    adapter = TelegramAdapter(
        network_app.core, settings, network_app.catalogs, network_app.core.registry
    )
    tracker = Tracker()
    adapter.dp.update.outer_middleware(tracker)
    task = asyncio.create_task(adapter.run())
    try:
        await api.wait_for(lambda a: bool(calls(a, "getUpdates")))
        yield TelegramChat(api, adapter, tracker)
    finally:
        await asyncio.wait_for(adapter.stop(), 5)
        await asyncio.wait_for(task, 5)  # run() ended cleanly, without an exception
        assert adapter.busy == 0


async def register_until_subjects(tg: TelegramChat) -> None:
    await tg.send("/start")
    await tg.click("Согласен")
    await tg.send(NAME)
    await tg.click("Верхнегорский")
    await tg.click("Лицей № 3")
    await tg.click("Учитель", exact=True)


async def test_registration_through_buttons_and_typed_answers(
    tg: TelegramChat, api: FakeTelegramAPI, network_app: App
) -> None:
    await tg.send("/start")
    assert "152-ФЗ" in tg.last["text"]
    assert labels(tg.last) == ["✅ Согласен(на)", "Не согласен(на)", "📄 Политика обработки данных"]
    assert _buttons(tg.last)[2]["url"] == network_app.settings.privacy_policy_url
    await tg.click("Согласен")
    await tg.send(NAME)
    await tg.click("Верхнегорский")
    await tg.click("Лицей № 3")
    await tg.click("Учитель", exact=True)
    for subject in ("Математика", "Информатика"):
        await tg.click(subject)
    await tg.click("Готово")
    await tg.click("Екатеринбург")
    await tg.click("Функциональная грамотность")
    await tg.click("Готово")
    await tg.click("Да, готов")

    assert tg.texts()[-2].startswith("Готово, регистрация завершена!")
    card = tg.last["text"]
    assert f"ФИО: {NAME}" in card
    assert "Организация: МАОУ «Лицей № 3» (Верхнегорский городской округ)" in card
    assert "Предметы: Информатика, Математика" in card
    assert "Часовой пояс: Екатеринбург (UTC+5)" in card
    assert "Наставничество: готов(а) быть наставником" in card
    assert len(tg.pressed) == 11
    assert set(tg.pressed) <= api.answered_callbacks.keys()
    assert all(call.params.get("parse_mode") in (None, "") for call in calls(api, "sendMessage"))

    async with network_app.db.transaction() as repos:
        account = await repos.accounts.get("telegram", str(USER))
        assert account is not None and account.teacher_id is not None
        assert account.locale == "ru"
        profile = await repos.teachers.profile(account.teacher_id)
    assert profile is not None
    assert profile.teacher.full_name == NAME
    assert profile.organization == "МАОУ «Лицей № 3»"
    assert profile.municipality == "Верхнегорский городской округ"
    assert profile.teacher.position == "teacher"
    assert profile.subjects == ("Информатика", "Математика")
    assert profile.teacher.timezone == "Asia/Yekaterinburg"
    assert profile.topics == ("Функциональная грамотность",)
    assert profile.teacher.wants_to_mentor is True


async def test_multi_select_toggle_edits_the_same_message(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    await register_until_subjects(tg)
    question = tg.last
    assert "Математика" in labels(question)
    count = len(tg.messages())

    await tg.click("Математика")

    assert len(tg.messages()) == count  # nothing new was sent
    edit = calls(api, "editMessageText")[-1]
    assert (int(edit.params["message_id"]), edit.status) == (question["message_id"], 200)
    assert tg.last["message_id"] == question["message_id"]
    assert "✅ Математика" in labels(tg.last)
    assert "✅ Информатика" not in labels(tg.last)

    await tg.click("Математика")
    assert "✅ Математика" not in labels(tg.last)
    assert len(tg.messages()) == count


async def test_the_same_update_twice_is_handled_once(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    message = {
        "message_id": 1,
        "from": {"id": USER, "is_bot": False, "first_name": "Test", "language_code": "ru"},
        "chat": {"id": USER, "type": "private", "first_name": "Test"},
        "date": int(time.time()),
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    update_id = api.push_raw({"update_id": 500, "message": message})
    api.push_raw({"update_id": 500, "message": message})

    await tg.handled(update_id, times=2)  # both deliveries reached the adapter ...
    assert len(tg.messages()) == 1  # ... and only one was answered
    assert "/start" in tg.last["text"]


async def test_long_reply_is_split_under_the_limit_with_nothing_lost(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    lines = [f"{i:03d}. 📚 Открытый урок «Функциональная грамотность» — МАОУ «Лицей № {i}»"
             for i in range(160)]
    text = "\n".join(lines)
    assert utf16_len(text) > 2 * 4096
    done = Button("Готово", "q.done", ("s",))

    sent = await tg.adapter.send(str(USER), Reply(text, ((done,),)))

    messages = tg.messages()
    assert len(messages) == 3
    assert all(utf16_len(m["text"]) <= 4096 for m in messages)
    assert "\n".join(m["text"] for m in messages) == text
    assert [labels(m) for m in messages] == [[], [], ["Готово"]]  # keyboard on the last part
    assert sent == SentMessage("telegram", str(USER), str(messages[-1]["message_id"]))


async def test_file_carries_short_text_as_caption_and_long_text_separately(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    report = Attachment("отчёт.csv", "ОО;участники\nЛицей № 3;12\n".encode(), "text/csv")
    link = LinkButton("Открыть", "https://example.org/report")
    sent = await tg.adapter.send(str(USER), Reply("Отчёт за октябрь", ((link,),), report))
    document = tg.last
    assert document["caption"] == "Отчёт за октябрь"
    assert document["document"]["file_name"] == "отчёт.csv"
    assert api.uploaded[document["document"]["file_id"]].content == report.content
    assert labels(document) == ["Открыть"]
    assert sent.message_id == str(document["message_id"])

    long_text = "Пояснение к отчёту. " * 80  # over the 1024 of a caption
    await tg.adapter.send(str(USER), Reply(long_text, attachment=report))
    text_message, document = tg.messages()[-2:]
    assert text_message["text"] == long_text.strip()
    assert "caption" not in document and document["document"]["file_name"] == "отчёт.csv"


@pytest.mark.parametrize("data", ["no.such|1", "DROP TABLE teachers;"])
async def test_forged_button_data_gets_an_answer_and_a_polite_text(
    tg: TelegramChat, api: FakeTelegramAPI, data: str
) -> None:
    await tg.send("/start")
    await tg.push_raw_callback("777", tg.last, data)

    answers = [c for c in calls(api, "answerCallbackQuery")
               if c.params["callback_query_id"] == "777"]
    assert len(answers) == 1
    assert answers[0].status == 200
    assert "777" in api.answered_callbacks
    assert "кнопка не работает" in answers[0].params["text"]
    assert "Эта кнопка не работает" in tg.last["text"]
    assert len(tg.messages()) == 2


async def test_edit_of_a_message_that_is_gone_sends_a_new_one(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    await tg.send("/start")
    gone = {**tg.last, "message_id": 999}
    await tg.push_raw_callback("778", gone, "st.decline")

    edit = calls(api, "editMessageText")[-1]
    assert (edit.params["message_id"], edit.status) == ("999", 400)
    assert len(tg.messages()) == 2
    assert "ничего не сохранил" in tg.last["text"]


async def test_an_edit_that_changes_nothing_is_not_an_error(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    await tg.send("/lang")
    choice = tg.last
    await tg.click("Русский")
    assert tg.last["message_id"] == choice["message_id"]
    assert tg.last["text"] == "Готово, теперь я говорю по-русски."

    await tg.push_raw_callback("779", choice, "lang.set|ru")  # a second press, same message
    assert calls(api, "editMessageText")[-1].status == 400  # "message is not modified"
    assert len(tg.messages()) == 1


async def test_command_menu_is_set_in_ru_and_en(
    tg: TelegramChat, api: FakeTelegramAPI, network_app: App
) -> None:
    languages = {call.params.get("language_code") for call in calls(api, "setMyCommands")}
    assert {"ru", "en"} <= languages
    ru, en = api.commands[(DEFAULT_SCOPE, "ru")], api.commands[(DEFAULT_SCOPE, "en")]
    assert api.commands[(DEFAULT_SCOPE, "")] == ru  # the default locale is Russian
    names = [command["command"] for command in ru]
    assert names == [command["command"] for command in en]
    assert {"start", "help", "cancel", "lang", "profile", "delete_me"} <= set(names)
    assert "network" not in names  # coordinators only
    assert {"command": "start", "description": "начать работу и зарегистрироваться"} in ru
    english = network_app.catalogs.translator("en")("help.start")
    assert {"command": "start", "description": english} in en
    assert english != "начать работу и зарегистрироваться"


async def test_flood_control_on_a_reply_is_waited_out_and_retried_once(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    api.inject("sendMessage", status=429, retry_after=1)
    await tg.send("/start")

    sends = calls(api, "sendMessage")
    assert [call.status for call in sends] == [429, 200]
    assert sends[1].time - sends[0].time >= 0.9
    assert len(tg.messages()) == 1
    assert "152-ФЗ" in tg.last["text"]


async def test_a_chat_that_blocked_the_bot_is_dropped_and_polling_goes_on(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    api.block_chat(USER)
    await tg.send("/start")
    assert [call.status for call in calls(api, "sendMessage")] == [403]

    api.unblock_chat(USER)
    await tg.send("/help")
    assert len(tg.messages()) == 1


async def test_replies_keep_their_order_while_one_waits_out_flood_control(
    tg: TelegramChat, api: FakeTelegramAPI
) -> None:
    api.inject("sendMessage", status=429, retry_after=1)
    first = api.push_message(USER, "/start")
    second = api.push_message(USER, "/help")
    await tg.handled(first)
    await tg.handled(second)

    assert [call.status for call in calls(api, "sendMessage")] == [429, 200, 200]
    texts = tg.texts()
    assert len(texts) == 2
    assert "152-ФЗ" in texts[0]
    assert "152-ФЗ" not in texts[1]


@pytest.mark.parametrize("pause", [0.0, 0.05])
async def test_stop_soon_after_start_ends_run_cleanly(
    api: FakeTelegramAPI, network_app: App, pause: float
) -> None:
    settings = TelegramSettings(token=SecretStr(api.token), api_url=api.base_url)
    adapter = TelegramAdapter(
        network_app.core, settings, network_app.catalogs, network_app.core.registry
    )
    task = asyncio.create_task(adapter.run())
    await asyncio.sleep(pause)
    await asyncio.wait_for(adapter.stop(), 5)
    await asyncio.wait_for(task, 1)
    made = len(api.requests)
    await asyncio.sleep(0.05)
    assert len(api.requests) == made  # nothing polls on after stop()

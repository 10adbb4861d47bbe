"""The fake Telegram Bot API, driven by the real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def keyboard(*data: str) -> InlineKeyboardMarkup:
    buttons = [[InlineKeyboardButton(text=f"button {d}", callback_data=d)] for d in data]
    return InlineKeyboardMarkup(inline_keyboard=buttons)


def make_bot(api: FakeTelegramAPI, timeout: float = 5.0) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), timeout=timeout)
    return Bot(api.token, session=session)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def api(clock: ManualClock) -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(clock=clock) as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeTelegramAPI) -> AsyncIterator[Bot]:
    bot = make_bot(api)
    yield bot
    await bot.session.close()


async def post(
    api: FakeTelegramAPI, method: str, token: str | None = None, **kw: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}/bot{token or api.token}/{method}"
        async with session.post(url, **kw) as resp:
            return resp.status, await resp.json()


async def test_get_me_is_the_bot_of_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "kollega_test_bot")


async def test_sent_and_edited_messages_are_visible(api: FakeTelegramAPI, bot: Bot) -> None:
    first = await bot.send_message(42, "Привет", reply_markup=keyboard("a"))
    second = await bot.send_message(42, "Второе")
    edited = await bot.edit_message_text(
        "Привет!", chat_id=42, message_id=first.message_id, reply_markup=keyboard("b")
    )

    assert second.message_id == first.message_id + 1
    assert first.chat.type == "private"
    assert first.from_user is not None
    assert first.from_user.is_bot
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    sent = api.sent_messages(42)
    assert [m["text"] for m in sent] == ["Привет!", "Второе"]
    assert sent[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "button b", "callback_data": "b"}]]
    }
    assert api.sent_messages(43) == []


async def test_edit_without_keyboard_drops_it_and_identical_edit_is_refused(
    api: FakeTelegramAPI, bot: Bot
) -> None:
    msg = await bot.send_message(42, "Текст", reply_markup=keyboard("a"))
    await bot.edit_message_text("Текст", chat_id=42, message_id=msg.message_id)
    assert "reply_markup" not in api.sent_messages(42)[0]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Текст", chat_id=42, message_id=msg.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Другой", chat_id=42, message_id=999)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [("я" * 4096, True), ("я" * 4097, False), ("😀" * 2048, True), ("😀" * 2049, False)],
)
async def test_text_length_is_counted_in_utf16_units(bot: Bot, text: str, accepted: bool) -> None:
    if accepted:
        await bot.send_message(42, text)
    else:
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(42, text)


async def test_empty_text_is_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(42, "   ")


async def test_callback_data_over_64_bytes_is_refused(api: FakeTelegramAPI, bot: Bot) -> None:
    await bot.send_message(42, "ok", reply_markup=keyboard("a" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(42, "no", reply_markup=keyboard("ж" * 32 + "a"))  # 65 bytes
    assert [m["text"] for m in api.sent_messages()] == ["ok"]


async def test_html_is_parsed_and_bad_markup_refused(api: FakeTelegramAPI, bot: Bot) -> None:
    await bot.send_message(42, "<b>Вебинар</b> &lt;онлайн&gt;", parse_mode="HTML")
    assert api.sent_messages(42)[0]["text"] == "Вебинар <онлайн>"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(42, "1 < 2", parse_mode="HTML")


async def test_injected_429_raises_retry_after(api: FakeTelegramAPI, bot: Bot) -> None:
    api.inject("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(42, "a")
    assert caught.value.retry_after == 7
    await bot.send_message(42, "b")  # only one call was faulted
    assert [m["text"] for m in api.sent_messages()] == ["b"]


async def test_blocked_chat_is_forbidden(api: FakeTelegramAPI, bot: Bot) -> None:
    api.block_chat(77)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(77, "Напоминание")
    await bot.send_message(78, "Другому можно")


async def test_long_poll_returns_a_pushed_command_at_once(api: FakeTelegramAPI, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await api.wait_for(lambda a: any(c.method == "getUpdates" for c in a.requests))
    update_id = api.push_message(501, "/start invite", first_name="Анна")

    updates = await asyncio.wait_for(poll, 1)

    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start invite"
    assert message.from_user is not None
    assert message.from_user.first_name == "Анна"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bot_command", 0, 6)
    ]
    assert await bot.get_updates(offset=update_id + 1) == []  # confirmed ones are gone
    assert api.pending_updates == []


async def test_callback_is_delivered_and_answered_once(api: FakeTelegramAPI, bot: Bot) -> None:
    msg = await bot.send_message(42, "Придёте?", reply_markup=keyboard("ev.rsvp:7"))
    query_id = api.push_callback(42, msg.message_id, "ev.rsvp:7")
    [update] = await bot.get_updates(allowed_updates=["message", "callback_query"])
    assert update.callback_query is not None
    assert update.callback_query.data == "ev.rsvp:7"
    assert update.callback_query.message is not None

    await bot.answer_callback_query(query_id, text="Записал")
    assert api.answered_callbacks[query_id] == {"text": "Записал"}
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(LookupError):
        api.push_callback(42, msg.message_id, "not.on.keyboard")


async def test_raw_requests_unknown_and_missing_parameters(api: FakeTelegramAPI) -> None:
    status, body = await post(api, "sendMessage", json={"chat_id": 1, "text": "x", "colour": 1})
    assert (status, body["description"]) == (400, "Bad Request: unknown parameter colour")
    status, body = await post(api, "SENDMESSAGE", data={"text": "x"})  # names are case-free
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await post(api, "getMe", token="1:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}
    status, body = await post(
        api, "sendMessage", json={"chat_id": 5, "text": "y", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["reply_markup"] == markup


async def test_31st_message_in_one_second_is_limited(
    api: FakeTelegramAPI, bot: Bot, clock: ManualClock
) -> None:
    for chat_id in range(1, 31):
        await bot.send_message(chat_id, "Рассылка")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(31, "Рассылка")
    assert caught.value.retry_after == 1
    clock.now += 1.0
    await bot.send_message(31, "Рассылка")


async def test_private_chat_burst_and_group_minute_limits(
    api: FakeTelegramAPI, bot: Bot, clock: ManualClock
) -> None:
    for _ in range(3):
        await bot.send_message(42, "Ответ")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(42, "Четвёртый")
    await bot.edit_message_text("Изменён", chat_id=42, message_id=1)  # edits are not limited
    for _ in range(20):
        clock.now += 0.1  # stay under the global 30/s
        await bot.send_message(-1001, "В группу")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-1001, "Лишнее")
    assert caught.value.retry_after == 59  # the first of the 20 leaves the window at 60.1 s


async def test_limits_can_be_disabled() -> None:
    async with FakeTelegramAPI(limits=RateLimits.off()) as api:
        bot = make_bot(api)
        for _ in range(40):
            await bot.send_message(42, "Много")
        await bot.session.close()
    assert len(api.sent_messages(42)) == 40


async def test_send_document_keeps_file_bytes(api: FakeTelegramAPI, bot: Bot) -> None:
    content = "ФИО;ОО\nИванова;Школа 1\n".encode()
    msg = await bot.send_document(42, BufferedInputFile(content, "report.csv"), caption="Отчёт")

    assert msg.document is not None
    assert msg.document.file_name == "report.csv"
    assert msg.caption == "Отчёт"
    assert api.uploaded[msg.document.file_id].content == content
    [upload] = api.requests[-1].files.values()
    assert (upload.filename, upload.content) == ("report.csv", content)


async def test_send_photo_needs_an_image(api: FakeTelegramAPI, bot: Bot) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    msg = await bot.send_photo(42, BufferedInputFile(png, "chart.png"))
    assert msg.photo is not None
    assert api.uploaded[msg.photo[0].file_id].content == png
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(42, BufferedInputFile(b"not an image", "x.png"))


async def test_commands_round_trip(bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Начать")]
    assert await bot.set_my_commands(commands, language_code="ru")
    stored = await bot.get_my_commands(language_code="ru")
    assert [(c.command, c.description) for c in stored] == [("start", "Начать")]
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start!", description="x")])


async def test_slow_answer_and_dropped_connection(api: FakeTelegramAPI) -> None:
    bot = make_bot(api, timeout=0.1)
    api.delay(0.3, "sendMessage")
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(42, "медленно")
    api.drop_connection("sendChatAction")
    with pytest.raises(TelegramNetworkError):
        await bot.send_chat_action(42, "typing")
    assert await bot.send_chat_action(42, "typing")
    await bot.session.close()


async def test_wait_for_times_out_with_a_useful_message(api: FakeTelegramAPI, bot: Bot) -> None:
    await bot.send_message(42, "Привет")
    with pytest.raises(TimeoutError, match=r"sendMessage->200.*Привет"):
        await api.wait_for(lambda a: len(a.sent_messages()) > 1, timeout=0.05)

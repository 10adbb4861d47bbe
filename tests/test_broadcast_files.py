"""Broadcasts with a photo or a document: received from the coordinator through the fake Bot API,
previewed, stored once, and sent to every recipient with one upload and Telegram's file id after.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App
from bot.config import Settings, TelegramSettings
from bot.core.clock import ManualClock
from bot.core.model import Attachment, Reply, parse_text
from bot.delivery import DeliveryWorker
from bot.platforms.telegram import TelegramAdapter
from storage.tables import broadcasts, file_copies, files, outbox
from tests.conftest import COORDINATOR_ID
from tests.fakes.telegram_api import DOWNLOAD, FakeTelegramAPI
from tests.fakes.telegram_limits import RateLimits
from tests.harness.chat import ChatClient
from tests.harness.recipients import add_recipients
from tests.harness.worker_process import DELIVERY, RATE, WORKER_LIMITS
from tests.test_telegram_adapter import TelegramChat, Tracker, calls, labels

COORDINATOR = int(COORDINATOR_ID)
CHATS = list(range(710_001, 710_031))
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a JPEG as far as Telegram checks
PDF = b"%PDF-1.7\n" + "Программа семинара «Функциональная грамотность»\n".encode() * 200
CAPTION = "Коллеги, афиша сетевых мероприятий на декабрь 📅"
LONG_CAPTION = ("Программа семинара: доклады, мастер-классы, открытые уроки. " * 40)[:2000].strip()
TOO_BIG = "Файл слишком большой: можно прислать до 10 МБ."
NOT_RECEIVED = "Не удалось получить файл из мессенджера. Пожалуйста, пришлите его ещё раз."


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    limits = RateLimits(global_limit=RATE, global_window=1.0, private_interval=0.001)
    async with FakeTelegramAPI(limits=limits) as fake:
        yield fake


def _adapter(api: FakeTelegramAPI, app: App) -> TelegramAdapter:
    settings = TelegramSettings(token=SecretStr(api.token), api_url=api.base_url)
    return TelegramAdapter(app.core, settings, app.catalogs, app.core.registry)


@pytest.fixture
async def coordinator(
    api: FakeTelegramAPI, network_app: App
) -> AsyncIterator[TelegramChat]:
    """The coordinator's private chat with the bot, through the adapter polling the fake."""
    adapter = _adapter(api, network_app)
    tracker = Tracker()
    adapter.dp.update.outer_middleware(tracker)
    task = asyncio.create_task(adapter.run())
    try:
        await api.wait_for(lambda a: bool(calls(a, "getUpdates")))
        yield TelegramChat(api, adapter, tracker, user_id=COORDINATOR)
    finally:
        await asyncio.wait_for(adapter.stop(), 5)
        await asyncio.wait_for(task, 5)


def _worker(app: App, adapter: TelegramAdapter, settings: Settings, clock: ManualClock
            ) -> DeliveryWorker:
    return DeliveryWorker(
        app.db, app.catalogs, {"telegram": adapter},
        settings.model_copy(update={"delivery": DELIVERY}), clock,
        limits={"telegram": WORKER_LIMITS},
    )


async def _to_text_step(chat: TelegramChat) -> None:
    await chat.send("/broadcast")
    await chat.click("Всем педагогам сети")
    assert chat.last["text"].startswith("Получатели: Всем педагогам сети.")


async def _rows(app: App, table: Any, *columns: Any) -> list[tuple[Any, ...]]:
    async with app.db.connection() as conn:
        return [tuple(row) for row in await conn.execute(select(*columns).select_from(table))]


def _media_calls(api: FakeTelegramAPI, method: str, chats: list[int]) -> list[Any]:
    wanted = {str(chat) for chat in chats}
    return [c for c in calls(api, method) if str(c.params.get("chat_id")) in wanted]


async def test_photo_broadcast_is_uploaded_once_and_sent_by_file_id(
    network_app: App, coordinator: TelegramChat, api: FakeTelegramAPI, settings: Settings,
    clock: ManualClock,
) -> None:
    await add_recipients(network_app.db, CHATS, clock.now())
    await _to_text_step(coordinator)
    before = len(coordinator.messages())

    await coordinator.handled(api.push_photo(COORDINATOR, PHOTO, caption=CAPTION))

    title, shown, summary = coordinator.messages()[before:]
    assert title["text"] == "Предпросмотр — так сообщение увидят получатели:"
    assert shown["caption"] == CAPTION and "photo" in shown  # exactly what recipients get
    assert summary["text"] == "Получатели: Всем педагогам сети — 30 получателей. Отправить?"
    assert labels(summary) == ["✅ Отправить", "✏️ Изменить текст", "Отмена"]
    [get_file] = calls(api, "getFile")
    assert api.received[get_file.params["file_id"]].content == PHOTO  # the largest size
    assert [c.status for c in calls(api, DOWNLOAD)] == [200]
    [(file_id, name, mime, size, content)] = await _rows(
        network_app, files, files.c.id, files.c.file_name, files.c.mime, files.c.size,
        files.c.content,
    )
    assert (name.endswith(".jpg"), mime, size, bytes(content)) == (True, "image/jpeg",
                                                                   len(PHOTO), PHOTO)

    await coordinator.click("Отправить")
    assert coordinator.last["text"].startswith("Рассылка №1 запущена: 30 получателей.")
    assert await _rows(network_app, broadcasts, broadcasts.c.file_id, broadcasts.c.text) == [
        (file_id, CAPTION)
    ]
    assert set(await _rows(network_app, outbox, outbox.c.file_id)) == {(file_id,)}

    api.delay(0.3, "sendPhoto")  # a slow upload: the sends after it wait for its file id
    report = await _worker(network_app, coordinator.adapter, settings, clock).pump()

    assert report.sent == 30
    for chat in CHATS:
        [message] = api.sent_messages(chat)
        assert message["caption"] == CAPTION and "photo" in message
    sends = _media_calls(api, "sendPhoto", CHATS)
    assert len(sends) == 30 and all(c.status == 200 for c in sends)
    [upload] = [c for c in sends if c.files]
    assert sends[0] is upload  # the first one uploads; every other one waited for its file id
    [part] = upload.files.values()
    assert part.content == PHOTO
    remote = api.sent_messages(int(upload.params["chat_id"]))[0]["photo"][-1]["file_id"]
    assert {c.params["photo"] for c in sends[1:]} == {remote}
    assert await _rows(network_app, file_copies, file_copies.c.platform,
                       file_copies.c.remote_id) == [("telegram", f"photo:{remote}")]

    await coordinator.send("/broadcasts")
    assert coordinator.last["text"].splitlines()[1].startswith("📎 №1 · ")


async def test_document_with_a_long_caption_goes_after_its_text(
    network_app: App, coordinator: TelegramChat, api: FakeTelegramAPI, settings: Settings,
    clock: ManualClock,
) -> None:
    chats = CHATS[:3]
    await add_recipients(network_app.db, chats, clock.now())
    await _to_text_step(coordinator)
    before = len(coordinator.messages())

    await coordinator.handled(api.push_document(
        COORDINATOR, PDF, "программа.pdf", "application/pdf", caption=LONG_CAPTION,
    ))

    _title, text, document, summary = coordinator.messages()[before:]
    assert (text["text"], document["document"]["file_name"]) == (LONG_CAPTION, "программа.pdf")
    assert "caption" not in document
    assert summary["text"].startswith("Получатели: Всем педагогам сети — 3 получателя.")
    await coordinator.click("Отправить")
    report = await _worker(network_app, coordinator.adapter, settings, clock).pump()

    assert report.sent == 3
    for chat in chats:
        first, second = api.sent_messages(chat)
        assert first["text"] == LONG_CAPTION
        assert second["document"]["file_name"] == "программа.pdf" and "caption" not in second
    sends = _media_calls(api, "sendDocument", chats)
    assert [bool(c.files) for c in sends] == [True, False, False]
    assert api.uploaded[sends[1].params["document"]].content == PDF


@pytest.mark.parametrize("report_size", [True, False])
async def test_an_oversized_file_is_refused_and_the_dialog_goes_on(
    network_app: App, coordinator: TelegramChat, api: FakeTelegramAPI, report_size: bool
) -> None:
    await _to_text_step(coordinator)
    big = b"\0" * (10 * 1024 * 1024 + 1)

    await coordinator.handled(api.push_document(
        COORDINATOR, big, "видео урока.mp4", "video/mp4", caption=CAPTION,
        report_size=report_size,
    ))

    assert coordinator.last["text"].startswith(TOO_BIG)
    # told by Telegram, the size stops it before getFile; untold, the download stops at the cap
    assert len(calls(api, "getFile")) == (0 if report_size else 1)
    assert await _rows(network_app, files, files.c.id) == []
    await coordinator.send(CAPTION)
    assert coordinator.last["text"].startswith("Получатели: Всем педагогам сети — 0 получателей.")


@pytest.mark.parametrize("method", ["getFile", DOWNLOAD])
async def test_a_file_that_cannot_be_fetched_gets_a_clear_answer(
    network_app: App, coordinator: TelegramChat, api: FakeTelegramAPI, method: str
) -> None:
    await _to_text_step(coordinator)
    api.inject(method, status=502)

    await coordinator.handled(api.push_photo(COORDINATOR, PHOTO))

    assert coordinator.last["text"] == NOT_RECEIVED
    assert await _rows(network_app, files, files.c.id) == []
    await coordinator.handled(api.push_photo(COORDINATOR, PHOTO))  # sent again: it works
    assert coordinator.messages()[-2]["photo"]
    assert "caption" not in coordinator.messages()[-2]


async def test_a_queued_file_survives_a_restart_and_its_file_id_too(
    settings: Settings, clock: ManualClock, api: FakeTelegramAPI
) -> None:
    chats = CHATS[:3]
    app = await App.start(settings, clock)
    try:
        await add_recipients(app.db, chats, clock.now())
        chat = ChatClient(app.core, user_id=COORDINATOR_ID)
        await chat.send("/broadcast")
        await chat.click("Всем педагогам сети")
        await chat.deliver(parse_text(
            "telegram", COORDINATOR_ID, COORDINATOR_ID, "", update_id="restart-file",
            attachments=(Attachment("программа.pdf", PDF, "application/pdf"),),
        ))
        assert [m.file_name for m in chat.messages[-2:]] == ["программа.pdf", None]
        await chat.click("Отправить")
    finally:
        await app.close()

    api.inject("sendDocument", status=500, chat_id=chats[-1])
    await _pump_once(settings, clock, api, expect_sent=2)  # a new process: the file from the DB
    clock.advance(timedelta(minutes=5))
    await _pump_once(settings, clock, api, expect_sent=1)  # and another: the file id from the DB

    for chat_id in chats:
        [message] = api.sent_messages(chat_id)
        assert message["document"]["file_name"] == "программа.pdf" and "caption" not in message
    sends = _media_calls(api, "sendDocument", chats)
    assert [(bool(c.files), c.status) for c in sends] == [
        (True, 200), (False, 200), (False, 500), (False, 200)
    ]


async def _pump_once(
    settings: Settings, clock: ManualClock, api: FakeTelegramAPI, *, expect_sent: int
) -> None:
    app = await App.start(settings, clock)
    adapter = _adapter(api, app)
    try:
        report = await _worker(app, adapter, settings, clock).pump()
        assert report.sent == expect_sent
    finally:
        await adapter.bot.session.close()
        await app.close()


async def test_a_replaced_or_cancelled_draft_file_is_deleted(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    chat = chat_for(COORDINATOR_ID)
    await chat.send("/broadcast")
    await chat.click("Всем педагогам сети")

    async def send_file(name: str, caption: str) -> None:
        await chat.deliver(parse_text(
            "telegram", COORDINATOR_ID, COORDINATOR_ID, caption, update_id=f"draft-{name}",
            attachments=(Attachment(name, PDF, "application/pdf"),),
        ))

    await send_file("первый.pdf", "Первый вариант")
    shown = chat.messages[-2]  # the preview: title, the message itself, the summary
    assert (shown.text, shown.file_name) == ("Первый вариант", "первый.pdf")
    assert await _rows(network_app, files, files.c.file_name) == [("первый.pdf",)]
    await chat.click("Изменить текст")
    await send_file("второй.pdf", "")
    assert (chat.messages[-2].text, chat.messages[-2].file_name) == ("", "второй.pdf")
    assert await _rows(network_app, files, files.c.file_name) == [("второй.pdf",)]
    await chat.click("Изменить текст")
    await chat.send("Только текст")
    assert chat.messages[-2].file_name is None
    assert await _rows(network_app, files, func.count()) == [(0,)]
    await chat.send("/broadcast")
    await chat.click("Всем педагогам сети")
    await send_file("третий.pdf", "")
    await chat.click("Отмена")
    assert chat.last.text == "Рассылка отменена, ничего не отправлено."
    assert await _rows(network_app, files, func.count()) == [(0,)]


async def test_an_image_telegram_cannot_show_as_a_photo_goes_as_a_document(
    network_app: App, api: FakeTelegramAPI
) -> None:
    adapter = _adapter(api, network_app)
    scheme = Attachment("схема.png", b"not really a PNG", "image/png")
    try:
        sent = await adapter.send("42", Reply("Схема проезда", attachment=scheme))
        again = await adapter.send(
            "43", Reply("Схема проезда", attachment=Attachment(
                "схема.png", b"", "image/png", remote_id=sent.file_remote_id))
        )
    finally:
        await adapter.bot.session.close()

    assert [c.status for c in calls(api, "sendPhoto")] == [400]  # IMAGE_PROCESS_FAILED
    first, second = calls(api, "sendDocument")
    [document] = api.sent_messages(42)
    assert first.files and document["caption"] == "Схема проезда"
    assert sent.file_remote_id == f"document:{document['document']['file_id']}"
    assert (second.params["document"], second.files) == (document["document"]["file_id"], {})
    assert again.file_remote_id == sent.file_remote_id
    assert api.sent_messages(43)[0]["caption"] == "Схема проезда"

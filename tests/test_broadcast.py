"""/broadcast: audience, text, preview, confirmation; who may use it; what is enqueued."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from storage.tables import broadcasts, outbox
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import register

TEXT = "Коллеги, 25 ноября в 15:00 — вебинар «Формирующее оценивание». 🎓"


async def _teachers(chat_for: Callable[..., ChatClient]) -> None:
    """Three teachers: two in Верхнегорский (one with the topic), one in Заречный."""
    await register(chat_for("101"), topics=("Формирующее оценивание",))
    await register(chat_for("102"), school="СОШ № 5", topics=())
    await register(chat_for("103"), municipality="Заречный", school="Заречная СОШ", topics=())


async def _outbox_rows(app: App) -> list[tuple[str, str | None, int | None]]:
    async with app.db.connection() as conn:
        rows = await conn.execute(
            select(outbox.c.idempotency_key, outbox.c.text, outbox.c.batch_id)
            .order_by(outbox.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_coordinator_broadcasts_to_a_municipality(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _teachers(chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    assert coordinator.last.text == "Кому отправить рассылку?"
    assert coordinator.last.labels == [
        "Всем педагогам сети", "Муниципалитету", "Организации", "По предмету",
        "По теме развития", "Участникам группы", "Отмена",
    ]
    await coordinator.click("Муниципалитету")
    await coordinator.click("Верхнегорский")
    assert coordinator.last.text.startswith("Получатели: Верхнегорский городской округ.")
    before = len(coordinator.messages)
    await coordinator.send(TEXT)
    title, body, summary = coordinator.texts(before)
    assert title == "Предпросмотр — так сообщение увидят получатели:"
    assert body == TEXT
    assert summary == "Получатели: Верхнегорский городской округ — 2 получателя. Отправить?"
    assert coordinator.last.labels == ["✅ Отправить", "✏️ Изменить текст", "Отмена"]
    await coordinator.click("Отправить")
    assert coordinator.last.text.startswith("Рассылка №1 запущена: 2 получателя.")
    rows = await _outbox_rows(network_app)
    assert [text for _, text, _ in rows] == [TEXT, TEXT]
    assert {batch for _, _, batch in rows} == {1}
    await coordinator.press_payload("bc.send")  # a second click on the old preview
    assert coordinator.last.text.startswith("Эта кнопка устарела")
    assert len(await _outbox_rows(network_app)) == 2


async def test_broadcast_by_topic_and_to_everyone(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _teachers(chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.click("По теме развития")
    await coordinator.click("Формирующее оценивание")
    await coordinator.send(TEXT)
    assert coordinator.last.text == "Получатели: Формирующее оценивание — 1 получатель. Отправить?"
    await coordinator.click("Изменить текст")
    await coordinator.send("Новый текст")
    assert coordinator.texts()[-2] == "Новый текст"
    await coordinator.click("Отмена")
    assert coordinator.last.text == "Рассылка отменена, ничего не отправлено."
    assert await _outbox_rows(network_app) == []
    await coordinator.send("/broadcast")
    await coordinator.click("Всем педагогам сети")
    await coordinator.send(TEXT)
    assert coordinator.last.text == "Получатели: Всем педагогам сети — 3 получателя. Отправить?"


async def test_blocked_teachers_are_counted_not_messaged(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _teachers(chat_for)
    async with network_app.db.transaction() as repos:
        for user in ("101", "103"):
            account = await repos.accounts.get("telegram", user)
            assert account is not None
            await repos.accounts.set_reachable(account.id, False)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.click("Всем педагогам сети")
    await coordinator.send(TEXT)
    assert coordinator.last.text == (
        "Получатели: Всем педагогам сети — 1 получатель. Отправить?\n"
        "Ещё 2 педагога заблокировали бота — им сообщение не придёт."
    )


async def test_organization_is_picked_within_its_municipality(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _teachers(chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.click("Организации")
    assert coordinator.last.text == "Какому муниципалитету?"
    await coordinator.click("Верхнегорский")
    assert coordinator.last.text == "Какой организации?"
    await coordinator.click("СОШ № 5")
    await coordinator.send(TEXT)
    assert coordinator.last.text == "Получатели: МАОУ «СОШ № 5» — 1 получатель. Отправить?"


async def test_bad_input_in_the_dialog(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.send("всем")
    assert coordinator.last.text == "Пожалуйста, выберите вариант кнопкой."
    await coordinator.press_payload("bc.kind|everyone_and_more")
    assert coordinator.last.text.startswith("Эта кнопка не работает")
    await coordinator.click("Муниципалитету")
    await coordinator.press_payload("bc.ref|99999")
    assert coordinator.texts()[-2].startswith("Этого варианта уже нет в списке.")
    await coordinator.click("Заречный")
    await coordinator.send("я" * 4001)
    assert coordinator.last.text == (
        "Слишком длинный текст: 4001 символ, а можно не больше 4000 символов. Сократите его."
    )
    await coordinator.send("   ")
    assert coordinator.last.text == "Напишите текст рассылки."
    await coordinator.send(TEXT)
    await coordinator.click("Отправить")
    assert coordinator.last.text == (
        "В этой аудитории сейчас некому отправить сообщение. Рассылка не создана."
    )
    async with network_app.db.connection() as conn:
        assert (await conn.execute(select(broadcasts))).all() == []


async def test_teacher_cannot_broadcast_even_with_forged_buttons(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    teacher = chat_for("101")
    await register(teacher)
    await teacher.send("/broadcast")
    assert teacher.last.text == "Это действие вам недоступно. Что вы можете сделать — в /help."
    for payload in ("bc.kind|all", "bc.send", "bc.ref|1"):
        await teacher.press_payload(payload)
        assert teacher.last.text == "Это действие вам недоступно. Что вы можете сделать — в /help."
    await teacher.send("/broadcasts")
    assert teacher.last.text == "Это действие вам недоступно. Что вы можете сделать — в /help."
    assert await _outbox_rows(network_app) == []


async def test_recent_broadcasts_list_their_figures(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _teachers(chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcasts")
    assert coordinator.last.text == "Рассылок пока не было. Новая — /broadcast."
    await coordinator.send("/broadcast")
    await coordinator.click("Всем педагогам сети")
    await coordinator.send(TEXT)
    await coordinator.click("Отправить")
    now = network_app.core.clock.now()
    async with network_app.db.transaction() as repos:
        claimed = await repos.outbox.claim_due(now, 10, now)
        await repos.outbox.mark_sent(claimed[0].id, now)
        await repos.outbox.mark_unreachable(claimed[1].id, "Forbidden: bot was blocked")
    await coordinator.send("/broadcasts")
    assert coordinator.last.text == (
        "Последние рассылки:\n"
        "№1 · 02.11 12:00 · Всем педагогам сети: доставлено 1 из 3, недоступны 1, ошибки 0"
    )

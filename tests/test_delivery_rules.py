"""The worker's rules with a scripted sender (no network): expiry, unreachable accounts,
backoff and its cap, flood control, rendering in the reader's language and zone, stopping, the
scheduler, and a person who comes back after blocking the bot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import DeliverySettings, Settings
from bot.core.clock import ManualClock
from bot.core.model import parse_text
from bot.delivery import (
    DeliveryWorker,
    Permanent,
    PlatformLimits,
    RetryAfter,
    Transient,
    Unreachable,
)
from bot.delivery.render import render
from bot.i18n import Catalogs
from storage.outbox import NewMessage, OutboxItem
from tests.harness.chat import ChatClient
from tests.harness.flows import register
from tests.harness.recipients import add_recipients
from tests.harness.senders import ScriptedSender

LIMITS = PlatformLimits(per_second=1000, chat_interval=0.0)


Make = Callable[..., DeliveryWorker]


@pytest.fixture
def make_worker(app: App, settings: Settings, clock: ManualClock) -> Make:
    def make(
        sender: ScriptedSender, limits: PlatformLimits = LIMITS, **delivery: object
    ) -> DeliveryWorker:
        config = DeliverySettings(**delivery)  # type: ignore[arg-type]
        return DeliveryWorker(
            app.db, app.catalogs, {"telegram": sender},
            settings.model_copy(update={"delivery": config}), clock,
            limits={"telegram": limits},
        )

    return make


async def enqueue(app: App, account: int, key: str, **fields: object) -> None:
    values: dict[str, object] = {"not_before": app.core.clock.now(), "text": "Напоминание"}
    values.update(fields)
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(NewMessage(key=key, account_id=account, **values),  # type: ignore[arg-type]
                                   app.core.clock.now())


async def status(app: App, key: str) -> tuple[str, int] | None:
    async with app.db.transaction() as repos:
        return await repos.outbox.status_of(key)


async def test_expired_rows_are_dropped_unsent(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [11], clock.now())
    await enqueue(app, account, "reminder:1h", expires_at=clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=10))  # the bot was down; the event has started
    sender = ScriptedSender()

    report = await make_worker(sender).pump()

    assert (report.dropped, sender.attempts) == (1, [])
    assert await status(app, "reminder:1h") == ("dropped", 1)


async def test_an_unreachable_account_is_not_sent_to(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [12], clock.now())
    async with app.db.transaction() as repos:
        await repos.accounts.set_reachable(account, False)
    await enqueue(app, account, "digest:1")
    sender = ScriptedSender()

    report = await make_worker(sender).pump()

    assert (report.unreachable, sender.attempts) == (1, [])
    assert await status(app, "digest:1") == ("unreachable", 1)


async def test_transient_errors_back_off_exponentially_up_to_the_cap_then_fail(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [13], clock.now())
    await enqueue(app, account, "k")
    sender = ScriptedSender({"13": [Transient("Bad Gateway", maybe_sent=False)] * 10})
    worker = make_worker(sender, max_attempts=5, backoff_base=3.0, backoff_cap=20.0)
    waits = []
    while (await worker.pump()).claimed == 1:
        async with app.db.transaction() as repos:
            due = await repos.outbox.next_due()
        if due is None:
            break
        waits.append((due - clock.now()).total_seconds())
        assert (await worker.pump()).claimed == 0  # nothing is due before the backoff
        clock.advance(due - clock.now())
    assert waits == [3.0, 9.0, 20.0, 20.0]  # 3**1, 3**2, then capped
    assert await status(app, "k") == ("failed", 5)
    assert sender.attempts == ["13"] * 5


async def test_flood_control_retries_without_spending_an_attempt(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [14], clock.now())
    await enqueue(app, account, "k")
    sender = ScriptedSender({"14": [RetryAfter(0.05)] * 3})
    worker = make_worker(sender, max_attempts=2)
    for _ in range(4):
        await worker.pump()
        clock.advance(timedelta(seconds=1))
    assert await status(app, "k") == ("sent", 1)
    assert sender.attempts == ["14"] * 4


async def test_a_refusal_is_final_and_blocking_marks_the_account(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    bad, gone = await add_recipients(app.db, [15, 16], clock.now())
    await enqueue(app, bad, "too-long")
    await enqueue(app, gone, "blocked")
    sender = ScriptedSender({"15": [Permanent("message is too long")],
                             "16": [Unreachable("bot was blocked by the user")]})
    worker = make_worker(sender)
    report = await worker.pump()
    clock.advance(timedelta(hours=1))
    await worker.pump()

    assert (report.failed, report.unreachable) == (1, 1)
    assert sorted(sender.attempts) == ["15", "16"]
    assert await status(app, "too-long") == ("failed", 1)
    async with app.db.transaction() as repos:
        account = await repos.accounts.by_id(gone)
    assert account is not None and account.reachable is False


async def test_an_unknown_message_id_fails_without_sending(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [17], clock.now())
    await enqueue(app, account, "k", text=None, message_key="no.such.message")
    sender = ScriptedSender()
    assert (await make_worker(sender).pump()).failed == 1
    assert sender.attempts == []


async def test_stopping_gives_back_what_was_not_sent(
    app: App, make_worker: Make, clock: ManualClock
) -> None:
    accounts = await add_recipients(app.db, list(range(100, 160)), clock.now())
    for account in accounts:
        await enqueue(app, account, f"k{account}")
    sender = ScriptedSender()
    worker = make_worker(sender, PlatformLimits(per_second=50, chat_interval=0.0), batch_size=60)
    worker.wake()
    await sender.wait_sent(5)
    await worker.stop()

    async with app.db.transaction() as repos:
        statuses = [await repos.outbox.status_of(f"k{account}") for account in accounts]
    assert statuses.count(("sent", 1)) == len(sender.sent) < 60
    assert statuses.count(("pending", 0)) == 60 - len(sender.sent)  # given back, no attempt


async def test_the_scheduler_pumps_the_outbox(
    app: App, settings: Settings, clock: ManualClock
) -> None:
    [account] = await add_recipients(app.db, [18], clock.now())
    sender = ScriptedSender()
    app.settings = settings.model_copy(update={"delivery": DeliverySettings(pump_interval=0.05)})
    worker = await app.start_delivery({"telegram": sender})
    try:
        assert app.scheduler is not None
        assert app.scheduler.jobs() == [
            "pump_outbox", "broadcast_progress", "match_schedules", "match_questions",
            "housekeeping",
        ]
        await enqueue(app, account, "k")  # not woken: the next tick finds it
        await sender.wait_sent(1)
        assert sender.sent == [("18", "Напоминание")]
        assert worker is app.worker
    finally:
        await app.stop_delivery()
    assert app.worker is None and app.scheduler is None


def test_rendering_uses_the_readers_language_and_time_zone(tmp_path: Path) -> None:
    for locale, text, kind in (("ru", "{kind} начнётся {when}, записалось {people}.", "Вебинар"),
                               ("en", "The {kind} starts {when}; {people} signed up.", "webinar")):
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        plural = ('msgid "n.people"\nmsgid_plural "n.people"\n'
                  + ('msgstr[0] "{n} участник"\nmsgstr[1] "{n} участника"\n'
                     'msgstr[2] "{n} участников"\n' if locale == "ru" else
                     'msgstr[0] "{n} person"\nmsgstr[1] "{n} people"\n'))
        (folder / "kollega.po").write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "ev.soon"\nmsgstr "{text}"\n\nmsgid "k.webinar"\nmsgstr "{kind}"\n\n{plural}',
            encoding="utf-8")
    catalogs = Catalogs.load("ru", tmp_path)
    params = {"when": {"at": "2026-11-05T10:00:00+00:00"}, "people": {"plural": "n.people", "n": 5},
              "kind": {"msg": "k.webinar"}}

    def item(locale: str | None, zone: str | None) -> OutboxItem:
        return OutboxItem(
            id=1, key="k", account_id=1, platform="telegram", chat_id="1", locale=locale,
            timezone=zone, reachable=True, message_key="ev.soon", params=params, text=None,
            batch_id=None, not_before=None, expires_at=None, attempts=1, lease_until=None,  # type: ignore[arg-type]
        )

    assert render(item("ru", "Asia/Yekaterinburg"), catalogs, "Europe/Moscow").text == (
        "Вебинар начнётся 05.11.2026 15:00 (UTC+5), записалось 5 участников."
    )
    assert render(item("en", "Asia/Kamchatka"), catalogs, "Europe/Moscow").text == (
        "The webinar starts 05.11.2026 22:00 (UTC+12); 5 people signed up."
    )
    assert render(item(None, None), catalogs, "Europe/Moscow").text.startswith(
        "Вебинар начнётся 05.11.2026 13:00 (UTC+3)"
    )


async def test_writing_to_the_bot_again_makes_a_blocked_account_reachable(
    chat: ChatClient, network_app: App
) -> None:
    await register(chat)
    async with network_app.db.transaction() as repos:
        account = await repos.accounts.get("telegram", chat.user_id)
        assert account is not None
        await repos.accounts.set_reachable(account.id, False)

    in_a_group = parse_text("telegram", chat.user_id, "-100500", "/help@kollega_bot",
                            update_id="g1", is_private=False)
    await network_app.core.handle(in_a_group)
    async with network_app.db.transaction() as repos:
        still = await repos.accounts.by_id(account.id)
    assert still is not None and still.reachable is False  # a group message proves nothing

    await chat.send("/profile")
    assert "Иванова Мария Петровна" in chat.last.text  # answered as usual ...
    async with network_app.db.transaction() as repos:
        back = await repos.accounts.by_id(account.id)
    assert back is not None and back.reachable is True  # ... and reachable again

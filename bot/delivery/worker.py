"""The outbox worker: claims due rows, renders them for their reader, sends them within each
platform's limits, and records what happened.

Once per key, and the one exception. A row is sent only while its claim (lease) is held, and a
send keeps its slot until its outcome is committed. At most `max_in_flight` rows are between
"handed to the messenger" and "outcome committed" at any moment, so a crash (kill -9, power
loss) can make at most that many people receive a message twice: those rows are still `sending`
and are claimed again once their lease runs out. Rows claimed but not yet handed over are simply
sent after the lease; rows whose outcome was committed are never sent again. (A send that timed
out may have arrived anyway — the messenger has no idempotent send — and is retried: that is the
other, rarer way to get a message twice.)

Outcomes: sent; flood control (429) holds the chat for `retry_after` — and all sending to the
platform when 429s come together (`flood_pause_after`) — and retries the row without counting
an attempt; server errors, timeouts and broken connections retry with exponential backoff
(backoff_base ** attempts seconds, at most backoff_cap) until max_attempts, then `failed`;
"blocked / deactivated" marks the row and the account unreachable, never retried; any other
refusal is `failed`. A row past its `expires_at` is dropped unsent. A row's file comes from
`FileCache` (files.py): read once per pump, uploaded once per messenger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.model import Reply, SentMessage
from bot.delivery.files import FileCache
from bot.delivery.limiter import Limiter, PlatformLimits, Ticket
from bot.delivery.outcome import (
    DeliveryOutcome,
    Moved,
    Permanent,
    RetryAfter,
    Sent,
    Transient,
    Unreachable,
)
from bot.delivery.render import RenderError, render
from bot.delivery.sender import Sender
from bot.delivery.writes import Write, apply_writes
from bot.i18n import Catalogs
from storage.db import Database
from storage.outbox import OutboxItem

WAIT_IN_LINE = 0.05
"""A chat free within this many seconds is waited for; a longer wait gives the row back."""
SETTLE_WAIT = 0.25
"""With nothing due but sends in flight, look for due rows again at least this often."""
LEASE_SAFETY = 1.0
"""Seconds of lease kept beyond the send timeout when a row is handed to the messenger."""

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PumpReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    """Back to pending after flood control or a transient error."""
    unreachable: int = 0
    failed: int = 0
    dropped: int = 0
    deferred: int = 0
    """Given back unsent: a chat's own limit, a lease running short, or stopping."""

    def __str__(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


@dataclass(slots=True)
class _Pending:
    write: Write
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        senders: Mapping[str, Sender],
        settings: Settings,
        clock: Clock,
        *,
        limits: Mapping[str, PlatformLimits],
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if missing := sorted(set(senders) - set(limits)):
            raise ValueError(f"no rate limits for {missing}")
        self.db = db
        self.catalogs = catalogs
        self.senders = dict(senders)
        self.settings = settings
        self.config = settings.delivery
        self.clock = clock
        self.limiters = {
            platform: Limiter(limits[platform], monotonic, sleep) for platform in senders
        }
        self.send_timeout = self.config.claim_lease_seconds / 4
        self._slots = asyncio.Semaphore(self.config.max_in_flight)
        self._db_lock = asyncio.Lock()
        self.files = FileCache(db, self._db_lock, clock)
        self._pending: list[_Pending] = []
        self._in_flight = 0
        self._settled = asyncio.Event()
        self._pumping = False
        self._again = False
        self._stopping = False
        self._background: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def in_flight(self) -> int:
        """Sends handed to a messenger whose outcome is not committed yet."""
        return self._in_flight

    # --- running -----------------------------------------------------------------------------

    async def pump(self) -> PumpReport:
        """Send everything due now; returns when nothing due is left and every send is settled.

        A call while another pump runs returns at once: the running one looks again."""
        report = PumpReport()
        if self._pumping:
            self._again = True
            return report
        self._pumping = True
        try:
            while True:
                self._again = False
                async with asyncio.TaskGroup() as group:
                    while not self._stopping:
                        try:
                            items = await self._claim()
                            if not items:
                                if not self._in_flight:
                                    break
                                await self._settling()  # a retry may come due meanwhile
                                continue
                            report.claimed += len(items)
                            await self._dispatch_all(items, group, report)
                        except Exception:  # the database, most likely: sends in flight finish
                            log.exception("outbox pump stopped; claimed rows return after "
                                          "their lease")
                            break
                if self._stopping or not self._again:
                    break
        finally:
            self._pumping = False
            self.files.clear()
        return report

    async def _settling(self) -> None:
        """Wait for one send in flight to settle (or a short while), then look again."""
        self._settled.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SETTLE_WAIT):
                await self._settled.wait()

    def wake(self) -> None:
        """Pump soon, in the background: the scheduler's tick, or something enqueued for now."""
        if self._stopping:
            return
        if self._pumping:
            self._again = True
            return
        if self._background is None or self._background.done():
            self._background = asyncio.get_running_loop().create_task(
                self._pump_in_background(), name="outbox-pump"
            )

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop claiming, give back claimed rows not sent yet, let sends in flight finish."""
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
        task = self._background
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            log.warning("outbox sends did not finish within %s s; cancelling them", timeout)
            task.cancel()
            await asyncio.wait({task})

    async def _pump_in_background(self) -> None:
        try:
            report = await self.pump()
            if report.claimed:
                log.info("outbox pumped: %s", report)
            if not self._stopping:
                await self._wake_when_next_due()
        except Exception:
            log.exception("pumping the outbox failed")

    async def _wake_when_next_due(self) -> None:
        """Rows due before the next tick (a retry in 2 s) are picked up on time."""
        async with self.db.transaction() as repos:
            due = await repos.outbox.next_due(self.senders.keys())
        if due is None:
            return
        delay = (due - self.clock.now()).total_seconds()
        if delay < self.config.pump_interval:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = asyncio.get_running_loop().call_later(max(0.0, delay), self.wake)

    # --- one batch ---------------------------------------------------------------------------

    async def _claim(self) -> list[OutboxItem]:
        now = self.clock.now()
        lease = now + timedelta(seconds=self.config.claim_lease_seconds)
        async with self._db_lock, self.db.transaction() as repos:
            return await repos.outbox.claim_due(
                now, self.config.batch_size, lease, self.senders.keys()
            )

    async def _dispatch_all(
        self, items: Sequence[OutboxItem], group: asyncio.TaskGroup, report: PumpReport
    ) -> None:
        for position, item in enumerate(items):
            if self._stopping:
                rest = items[position:]
                await self._write(Write("release", tuple(i.id for i in rest)))
                report.deferred += len(rest)
                return
            await self._dispatch(item, group, report)

    async def _dispatch(
        self, item: OutboxItem, group: asyncio.TaskGroup, report: PumpReport
    ) -> None:
        now = self.clock.now()
        if item.expires_at is not None and item.expires_at < now:
            await self._write(Write("dropped", (item.id,), error="expired"))
            report.dropped += 1
            return
        if not item.reachable:
            await self._write(Write("unreachable", (item.id,), error="account unreachable"))
            report.unreachable += 1
            return
        try:
            reply = render(item, self.catalogs, self.settings.default_timezone)
            reply = await self.files.attach(item, reply)
        except RenderError as exc:
            log.error("outbox=%s cannot be rendered: %s", item.id, exc)
            await self._write(Write("failed", (item.id,), error=str(exc)))
            report.failed += 1
            return
        limiter = self.limiters[item.platform]
        chat_wait = limiter.chat_wait(item.chat_id)
        if chat_wait > WAIT_IN_LINE:  # other chats go first; this row comes back when it may
            await self._release(item, now + timedelta(seconds=chat_wait), report)
            return
        await self._slots.acquire()
        try:
            ticket = await limiter.acquire(item.chat_id)
        except BaseException:
            self._slots.release()
            raise
        if not self._lease_left(item):  # waited so long that another worker may take it soon
            limiter.refund(ticket)
            self._slots.release()
            await self._release(item, None, report)
            return
        self._in_flight += 1
        reply = self.files.begin(item, reply)
        group.create_task(self._send(item, reply, limiter, ticket, report))

    def _lease_left(self, item: OutboxItem) -> bool:
        if item.lease_until is None:
            return False
        left = (item.lease_until - self.clock.now()).total_seconds()
        return left >= self.send_timeout + LEASE_SAFETY

    async def _release(self, item: OutboxItem, at: datetime | None, report: PumpReport) -> None:
        await self._write(Write("release", (item.id,), at=at))
        report.deferred += 1

    # --- one send ----------------------------------------------------------------------------

    async def _send(
        self, item: OutboxItem, reply: Reply, limiter: Limiter, ticket: Ticket,
        report: PumpReport,
    ) -> None:
        sender = self.senders[item.platform]
        try:
            outcome: DeliveryOutcome
            sent: SentMessage | None = None
            ticket = limiter.restamp(ticket)
            try:
                async with asyncio.timeout(self.send_timeout):
                    sent = await sender.send(item.chat_id, reply)
            except Exception as exc:  # the platform's errors, for the platform to classify
                outcome = sender.classify(exc)
            else:
                outcome = Sent()
            finally:
                await self.files.end(item, reply, sent)
            await self._settle(item, outcome, limiter, ticket, report)
        except Exception:
            log.exception("outbox=%s: recording the outcome failed", item.id)
        finally:
            self._in_flight -= 1
            self._slots.release()
            self._settled.set()

    async def _settle(
        self, item: OutboxItem, outcome: DeliveryOutcome, limiter: Limiter, ticket: Ticket,
        report: PumpReport,
    ) -> None:
        now = self.clock.now()
        match outcome:
            case Sent():
                await self._write(Write("sent", (item.id,), at=now))
                report.sent += 1
            case RetryAfter(seconds=seconds, reason=reason):
                limiter.refund(ticket)
                if limiter.flood(seconds, item.chat_id):
                    log.warning("flood control on %s: all sending waits %s s (outbox=%s)",
                                item.platform, seconds, item.id)
                else:
                    log.info("flood control: chat of outbox=%s waits %s s", item.id, seconds)
                at = now + timedelta(seconds=seconds)
                await self._write(Write("retry", (item.id,), at=at, error=reason,
                                         count_attempt=False))
                report.retried += 1
            case Transient(reason=reason, maybe_sent=maybe_sent):
                if not maybe_sent:  # the messenger answered with an error: nothing was sent
                    limiter.refund(ticket)
                if item.attempts >= self.config.max_attempts:
                    log.warning("outbox=%s failed after %s attempts: %s",
                                item.id, item.attempts, reason)
                    await self._write(Write("failed", (item.id,), error=reason))
                    report.failed += 1
                    return
                delay = min(self.config.backoff_cap, self.config.backoff_base ** item.attempts)
                at = now + timedelta(seconds=delay)
                await self._write(Write("retry", (item.id,), at=at, error=reason))
                report.retried += 1
            case Unreachable(reason=reason):
                limiter.refund(ticket)
                log.info("account=%s is unreachable (outbox=%s)", item.account_id, item.id)
                await self._write(Write("unreachable", (item.id,), error=reason))
                report.unreachable += 1
            case Moved(chat_id=chat_id, reason=reason):
                limiter.refund(ticket)
                log.info("account=%s moved to a new chat id (outbox=%s)", item.account_id, item.id)
                await self._write(Write("moved", (item.id,), at=now, error=reason, chat_id=chat_id,
                                        count_attempt=False))
                report.retried += 1
            case Permanent(reason=reason):
                limiter.refund(ticket)
                log.warning("outbox=%s refused: %s", item.id, reason)
                await self._write(Write("failed", (item.id,), error=reason))
                report.failed += 1

    # --- writing outcomes --------------------------------------------------------------------

    async def _write(self, write: Write) -> None:
        """Commit one outcome; outcomes arriving meanwhile are committed together with it."""
        mine = _Pending(write)
        self._pending.append(mine)
        async with self._db_lock:
            if not mine.done.done():
                batch, self._pending = self._pending, []
                try:
                    async with self.db.transaction() as repos:
                        await apply_writes(repos.outbox, [p.write for p in batch])
                except Exception as exc:
                    for other in batch:
                        if other is not mine:
                            other.done.set_exception(exc)
                    raise
                except BaseException:
                    for other in batch:
                        other.done.cancel()
                    raise
                for other in batch:
                    other.done.set_result(None)
        mine.done.result()

"""Rate limits for one platform: overall, per chat and per group chat, on a monotonic clock.

A messenger counts what it receives in windows ("at most 30 messages in a second"), so the
overall and group limits here are sliding windows over the times sends started, each kept a
little longer than the platform's (`margin`) so that network jitter cannot make the platform see
one message too many in its own window. Sends are also paced evenly inside the window, so they
never leave in bursts. The clock and the sleep are injectable, for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

PRUNE_EVERY = 1024
"""Forget idle chats after this many sends."""
EPSILON = 1e-6
"""Waits shorter than this are rounding, not waits."""


def _no_groups(_chat_id: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class PlatformLimits:
    per_second: float
    """Messages per second, all chats together."""
    chat_interval: float = 1.0
    """Seconds between two messages to one chat."""
    group_per_minute: int = 20
    """Messages per minute to one group chat."""
    is_group: Callable[[str], bool] = _no_groups
    """Which chat ids are group chats (platform knowledge, given by the platform)."""
    margin: float = 0.01
    """Each window is kept this fraction longer than the platform's, for network jitter."""
    flood_pause_after: int = 2
    """Flood-control answers, each within the wait of the one before, that pause all sending to
    the platform. A single one holds only its chat (1: every one pauses the platform)."""


@dataclass(frozen=True, slots=True)
class Ticket:
    """One granted send, so it can be given back when the platform certainly did not send it."""

    chat_id: str
    stamp: float


class SlidingWindow:
    """At most `limit` events in any `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.period + EPSILON:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[0] + self.period - now

    def add(self, now: float) -> None:
        self.events.append(now)

    def remove(self, stamp: float) -> None:
        with contextlib.suppress(ValueError):  # already out of the window
            self.events.remove(stamp)

    def move(self, stamp: float, later: float) -> None:
        """Count an event at `later` instead (no event is later than `later` yet)."""
        self.remove(stamp)
        self.add(later)

    @property
    def last(self) -> float:
        return self.events[-1] if self.events else -math.inf


class Pacer:
    """A token bucket that spaces sends evenly: one token per `interval`. It starts with one
    token and saves up at most `burst`: sends that started late (the process was busy) are caught
    up with, while sends never leave in a bunch (the window would repeat a bunch every period)."""

    def __init__(self, interval: float, burst: float = 4.0) -> None:
        self.interval, self.burst = interval, burst
        self.tokens, self.stamp = 1.0, -math.inf

    def _refill(self, now: float) -> None:
        if self.stamp == -math.inf:
            self.stamp = now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) / self.interval)
        self.stamp = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return max(0.0, (1 - self.tokens) * self.interval)

    def add(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def give_back(self) -> None:
        self.tokens = min(self.burst, self.tokens + 1)


@dataclass(slots=True)
class _Chat:
    interval: SlidingWindow
    group: SlidingWindow | None
    paused_until: float = -math.inf

    def wait(self, now: float) -> float:
        waits = [self.paused_until - now, self.interval.wait(now)]
        if self.group is not None:
            waits.append(self.group.wait(now))
        return max(0.0, *waits)

    def add(self, now: float) -> None:
        self.interval.add(now)
        if self.group is not None:
            self.group.add(now)

    def idle_since(self) -> float:
        last = self.interval.last
        if self.group is not None:
            last = max(last, self.group.last)
        return max(last, self.paused_until)


@dataclass(slots=True)
class Limiter:
    """The limits of one platform; `acquire` before each send."""

    limits: PlatformLimits
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _global: SlidingWindow = field(init=False)
    _pacer: Pacer = field(init=False)
    _chats: dict[str, _Chat] = field(init=False, default_factory=dict)
    _paused_until: float = field(init=False, default=-math.inf)
    _floods: list[float] = field(init=False, default_factory=list)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _granted: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        stretch = 1 + self.limits.margin
        limit = max(1, math.floor(self.limits.per_second))
        period = limit / self.limits.per_second * stretch
        self._global = SlidingWindow(limit, period)
        self._pacer = Pacer(period / limit)

    # --- asking ------------------------------------------------------------------------------

    def chat_wait(self, chat_id: str) -> float:
        """Seconds until this chat may get its next message (the platform may still be busy)."""
        chat = self._chats.get(chat_id)
        return chat.wait(self.monotonic()) if chat else 0.0

    def platform_wait(self) -> float:
        """Seconds the whole platform is paused for (flood control)."""
        return max(0.0, self._paused_until - self.monotonic())

    async def acquire(self, chat_id: str) -> Ticket:
        """Wait until a message to this chat is within every limit, and count it as sent."""
        async with self._lock:  # first come, first served
            while True:
                now = self.monotonic()
                wait = max(
                    self._paused_until - now,
                    self._global.wait(now),
                    self._pacer.wait(now),
                    self._chat(chat_id).wait(now),
                )
                if wait <= EPSILON:
                    break
                await self.sleep(wait)
            self._global.add(now)
            self._pacer.add(now)
            self._chat(chat_id).add(now)
            self._granted += 1
            if self._granted % PRUNE_EVERY == 0:
                self._prune(now)
            return Ticket(chat_id, now)

    # --- telling -----------------------------------------------------------------------------

    def restamp(self, ticket: Ticket) -> Ticket:
        """The send really starts now (the process may have paused since `acquire`): count it
        from now, so a late start cannot crowd the next window at the platform's end."""
        now = self.monotonic()
        if now - ticket.stamp <= EPSILON:
            return ticket
        for window in self._windows(ticket.chat_id):
            window.move(ticket.stamp, now)
        return Ticket(ticket.chat_id, now)

    def refund(self, ticket: Ticket) -> None:
        """The platform refused that message (it was not sent), so it does not count."""
        for window in self._windows(ticket.chat_id):
            window.remove(ticket.stamp)
        self._pacer.give_back()

    def flood(self, seconds: float, chat_id: str) -> bool:
        """A flood-control answer (429) to a send to this chat: the chat waits `seconds`, and so
        does the whole platform when the answers come together (see `flood_pause_after`) —
        one is most often about one chat, several at once about the platform's overall limit.
        True when the platform was paused."""
        now = self.monotonic()
        chat = self._chat(chat_id)
        chat.paused_until = max(chat.paused_until, now + seconds)
        self._floods = [*(until for until in self._floods if until > now), now + seconds]
        if len(self._floods) < self.limits.flood_pause_after:
            return False
        self.pause(seconds)
        return True

    def pause(self, seconds: float, chat_id: str | None = None) -> None:
        """Nothing goes to the platform for `seconds` (nor to that chat)."""
        until = self.monotonic() + seconds
        self._paused_until = max(self._paused_until, until)
        if chat_id is not None:
            chat = self._chat(chat_id)
            chat.paused_until = max(chat.paused_until, until)

    # --- state -------------------------------------------------------------------------------

    def _windows(self, chat_id: str) -> list[SlidingWindow]:
        windows = [self._global]
        if (chat := self._chats.get(chat_id)) is not None:
            windows.append(chat.interval)
            if chat.group is not None:
                windows.append(chat.group)
        return windows

    def _chat(self, chat_id: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            stretch = 1 + self.limits.margin
            group = None
            if self.limits.is_group(chat_id):
                group = SlidingWindow(self.limits.group_per_minute, 60.0 * stretch)
            chat = _Chat(SlidingWindow(1, self.limits.chat_interval * stretch), group)
            self._chats[chat_id] = chat
        return chat

    def _prune(self, now: float) -> None:
        horizon = now - max(60.0, self.limits.chat_interval) * (1 + self.limits.margin)
        for chat_id in [c for c, chat in self._chats.items() if chat.idle_since() < horizon]:
            del self._chats[chat_id]

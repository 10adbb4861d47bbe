"""The rate limiter on a clock the test drives: no real waiting."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from bot.delivery.limiter import Limiter, PlatformLimits
from bot.platforms.limits import telegram_is_group


class FakeTime:
    """A monotonic clock whose sleep moves it forward."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def telegram(time: FakeTime, **changes: object) -> Limiter:
    values: dict[str, object] = {
        "per_second": 30, "chat_interval": 1.0, "group_per_minute": 20,
        "is_group": telegram_is_group, "margin": 0.02,
    }
    values.update(changes)
    return Limiter(PlatformLimits(**values), time.monotonic, time.sleep)  # type: ignore[arg-type]


def most_in_any_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_overall_rate_stays_under_the_limit_and_close_to_it() -> None:
    time = FakeTime()
    limiter = telegram(time)
    stamps = [(await limiter.acquire(str(chat))).stamp for chat in range(1, 601)]

    assert most_in_any_window(stamps, 1.0) <= 30
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 29.0 < rate <= 30.0  # 30/s less the 2 % margin
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps[2:]) > 0.02  # paced, never a burst


async def test_one_chat_gets_one_message_per_interval() -> None:
    time = FakeTime()
    limiter = telegram(time)
    stamps = [(await limiter.acquire("1001")).stamp for _ in range(5)]
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(gap >= 1.0 for gap in gaps)
    assert limiter.chat_wait("1001") == pytest.approx(1.02)
    assert limiter.chat_wait("1002") == 0


async def test_a_group_chat_gets_twenty_a_minute() -> None:
    time = FakeTime()
    limiter = telegram(time, chat_interval=0.0)
    stamps = [(await limiter.acquire("-100500")).stamp for _ in range(41)]
    assert most_in_any_window(stamps, 60.0) == 20
    assert stamps[20] - stamps[0] >= 60.0
    private = [(await limiter.acquire("77")).stamp for _ in range(5)]
    assert private[-1] - private[0] < 1.0  # a private chat has no group limit


async def test_one_flood_answer_holds_its_chat_and_two_together_the_platform() -> None:
    time = FakeTime()
    limiter = telegram(time, chat_interval=0.0)
    await limiter.acquire("1")
    assert limiter.flood(3.0, "1") is False  # one 429: that chat waits, the others go on
    assert limiter.platform_wait() == 0.0
    assert limiter.chat_wait("1") == pytest.approx(3.0)
    start = time.now
    assert (await limiter.acquire("2")).stamp - start < 0.1

    time.now += 1.0
    assert limiter.flood(3.0, "2") is True  # a second within the first one's wait: all wait
    assert limiter.platform_wait() == pytest.approx(3.0)
    start = time.now
    assert (await limiter.acquire("3")).stamp - start == pytest.approx(3.0)

    time.now += 10.0
    assert limiter.flood(1.0, "4") is False  # long after: alone again


async def test_every_flood_answer_can_pause_the_platform() -> None:
    time = FakeTime()
    limiter = telegram(time, flood_pause_after=1)
    assert limiter.flood(2.0, "1") is True
    start = time.now
    assert (await limiter.acquire("2")).stamp - start == pytest.approx(2.0)


async def test_a_refused_send_is_given_back() -> None:
    time = FakeTime()
    limiter = telegram(time)
    ticket = await limiter.acquire("1")
    await limiter.acquire("2")
    assert limiter.chat_wait("1") > 0.9
    limiter.refund(ticket)  # e.g. the platform answered "blocked": nothing was sent
    assert limiter.chat_wait("1") == 0.0
    assert list(limiter._global.events) == [time.now]  # only the second send counts


async def test_a_send_that_starts_late_is_counted_from_its_start() -> None:
    time = FakeTime()
    limiter = telegram(time, per_second=2, chat_interval=0.0)
    late = await limiter.acquire("1")
    time.now += 0.4  # the process was busy before the request went out
    moved = limiter.restamp(late)
    await limiter.acquire("2")
    third = await limiter.acquire("3")  # the window: two in 1.02 s, counted from real starts
    assert moved.stamp == late.stamp + 0.4
    assert third.stamp == pytest.approx(moved.stamp + 1.02)


async def test_idle_chats_are_forgotten() -> None:
    time = FakeTime()
    limiter = telegram(time, per_second=10_000, chat_interval=0.001)
    for chat in range(3000):
        await limiter.acquire(str(chat))
    time.now += 120
    for chat in range(3000, 5100):
        await limiter.acquire(str(chat))
    assert len(limiter._chats) < 3000
    assert Counter(c < 3000 for c in map(int, limiter._chats))[True] == 0

"""Delivery: the outbox worker that sends what people did not just ask for, within each
platform's limits, with retries, and exactly once per idempotency key as far as a messenger
without idempotent sends allows (see worker.py for the one exception: messages in flight at a
crash). Nothing here knows a messenger: platforms plug in a `Sender` and their `PlatformLimits`.
"""

from bot.delivery.limiter import Limiter, PlatformLimits
from bot.delivery.outcome import (
    DeliveryOutcome,
    Permanent,
    RetryAfter,
    Sent,
    Transient,
    Unreachable,
)
from bot.delivery.sender import Sender
from bot.delivery.worker import DeliveryWorker, PumpReport

__all__ = [
    "DeliveryOutcome",
    "DeliveryWorker",
    "Limiter",
    "Permanent",
    "PlatformLimits",
    "PumpReport",
    "RetryAfter",
    "Sender",
    "Sent",
    "Transient",
    "Unreachable",
]

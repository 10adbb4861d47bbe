"""What became of one send, in words every platform can be translated into."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sent:
    """The messenger accepted the message."""


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """Flood control: the messenger asks to wait `seconds` before sending again. The message was
    not sent; waiting is not counted as a failed attempt."""

    seconds: float
    reason: str = "flood control"


@dataclass(frozen=True, slots=True)
class Transient:
    """A server error, a timeout or a broken connection: try again later, with backoff.

    `maybe_sent` is True when the messenger may have received it anyway (a timeout, a dropped
    connection), False when it answered with an error."""

    reason: str
    maybe_sent: bool = True


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The person blocked the bot, deleted the account or removed the bot from the chat."""

    reason: str


@dataclass(frozen=True, slots=True)
class Permanent:
    """The messenger refused this message for good (a bad request); retrying will not help."""

    reason: str


@dataclass(frozen=True, slots=True)
class Moved:
    """The chat has a new id (a Telegram group became a supergroup): send there instead."""

    chat_id: str
    reason: str = "chat moved"


DeliveryOutcome = Sent | RetryAfter | Transient | Unreachable | Permanent | Moved

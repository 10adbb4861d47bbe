"""What aiogram's exceptions mean for delivery (the worker itself knows no messenger)."""

from __future__ import annotations

import asyncio
import re

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiohttp import ClientError

from bot.delivery.outcome import (
    DeliveryOutcome,
    Moved,
    Permanent,
    RetryAfter,
    Transient,
    Unreachable,
)

_TOKEN = re.compile(r"bot\d+:[\w-]+")


def classify(exc: BaseException) -> DeliveryOutcome:
    """429 waits, 403 means the person is gone, 5xx and network trouble are retried, a bad
    request is final. Reasons are Telegram's own descriptions (never the message text)."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after), _reason(exc))
    if isinstance(exc, TelegramForbiddenError):
        return Unreachable(_reason(exc))
    if isinstance(exc, TelegramServerError):
        return Transient(_reason(exc), maybe_sent=False)
    if isinstance(exc, TelegramEntityTooLarge):  # a subclass of the network error
        return Permanent(_reason(exc))
    if isinstance(exc, TelegramNetworkError | asyncio.TimeoutError | ClientError | OSError):
        return Transient(_reason(exc))
    if isinstance(exc, ClientDecodeError):  # an HTML error page from a proxy, say
        return Transient("undecodable answer")
    if isinstance(exc, TelegramUnauthorizedError | TelegramConflictError):
        return Transient(_reason(exc), maybe_sent=False)  # the bot's setup, not the message
    if isinstance(exc, TelegramMigrateToChat):
        return Moved(str(exc.migrate_to_chat_id), _reason(exc))
    if isinstance(exc, TelegramBadRequest | TelegramNotFound):
        return Permanent(_reason(exc))
    if isinstance(exc, TelegramAPIError):
        return Permanent(_reason(exc))
    return Permanent(f"{type(exc).__name__}")


def _reason(exc: BaseException) -> str:
    """The error's name and description, with any bot token in a URL blotted out."""
    text = exc.message if isinstance(exc, TelegramAPIError) else str(exc)
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return _TOKEN.sub("bot***", reason)

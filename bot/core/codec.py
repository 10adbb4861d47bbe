"""Encoding of button actions into the few bytes a messenger carries back.

Telegram's `callback_data` holds at most 64 bytes, VK's payload is larger; one codec serves both.
A decoded action is a request, never a permission: handlers re-check who may do it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = "|"
_ACTION = re.compile(r"^[a-z][a-z0-9_.]{0,31}$")


class CodecError(ValueError):
    """Raised for button data that cannot be encoded or was not made by this codec."""


@dataclass(frozen=True, slots=True)
class ButtonData:
    action: str
    args: tuple[str, ...]


def encode(action: str, args: tuple[str, ...] = ()) -> str:
    if not _ACTION.match(action):
        raise CodecError(f"bad action name {action!r}")
    for arg in args:
        if SEPARATOR in arg:
            raise CodecError(f"argument {arg!r} of {action} contains {SEPARATOR!r}")
    data = SEPARATOR.join((action, *args))
    if len(data.encode()) > MAX_BYTES:
        size = len(data.encode())
        raise CodecError(f"button data for {action} is {size} bytes, over {MAX_BYTES}")
    return data


def decode(data: str | None) -> ButtonData:
    if not data or len(data.encode()) > MAX_BYTES:
        raise CodecError("empty or oversized button data")
    action, *args = data.split(SEPARATOR)
    if not _ACTION.match(action):
        raise CodecError("unknown button data format")
    return ButtonData(action, tuple(args))

"""Showing times to people: «UTC+5» offsets (Russian zones have no daylight saving)."""

from __future__ import annotations

from datetime import datetime


def utc_offset(local: datetime) -> str:
    """«UTC+3», «UTC+5:30», «UTC−1» for an aware datetime in the reader's zone."""
    delta = local.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")

"""File sizes as people read them: «12 КБ», «1,5 МБ» (in the reader's language)."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

from bot.i18n import Translator

MEGABYTE = 1024 * 1024


def file_size(t: Translator, size: int) -> str:
    """Kilobytes below a megabyte (at least 1), megabytes with at most one decimal above."""
    if size < MEGABYTE:
        return t("size.kb", n=max(1, math.ceil(size / 1024)))
    return t("size.mb", n=format_decimal(round(size / MEGABYTE, 1), locale=t.locale))

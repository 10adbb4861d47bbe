"""What a group admin or coordinator types about a group, checked: name, about, size limit;
and finding the teacher to make an admin."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.model import Button, Reply
from handlers.common import clean_text, has_letters, typed_line, typed_paragraph

NAME_MAX = 120
ABOUT_MAX = 1000
LIMIT_RANGE = range(2, 1001)
FOUND_MAX = 8


def valid_name(ctx: Context, text: str) -> str | Reply:
    return typed_line(ctx, text, NAME_MAX, "gr.name_too_long", "gr.name_invalid")


def valid_about(ctx: Context, text: str) -> str | Reply:
    return typed_paragraph(ctx, text, ABOUT_MAX, "gr.about_too_long", "gr.about_invalid")


def valid_limit(ctx: Context, text: str) -> int | Reply:
    digits = text.strip()
    if not re.fullmatch(r"\d{1,4}", digits) or int(digits) not in LIMIT_RANGE:
        return Reply(ctx._("gr.limit_invalid", low=LIMIT_RANGE.start, high=LIMIT_RANGE.stop - 1))
    return int(digits)


async def found_teachers(
    ctx: Context, text: str, pick: str, args: tuple[str, ...], extra: tuple[Button, ...]
) -> Reply:
    """Teachers whose name matches what was typed, one button each (`pick` with args + id)."""
    query = clean_text(text)
    if not has_letters(query, 2):
        return Reply(ctx._("gr.search_usage"), (extra,))
    found = await ctx.repos.teachers.search(query, FOUND_MAX + 1)
    if not found:
        return Reply(ctx._("gr.search_nobody", query=query[:50]), (extra,))
    rows = [
        (Button(f"{t.full_name}" + (f", {t.organization}" if t.organization else ""),
                pick, (*args, str(t.id))),)
        for t in found[:FOUND_MAX]
    ]
    text_key = "gr.search_many" if len(found) > FOUND_MAX else "gr.search_found"
    return Reply(ctx._(text_key), (*rows, extra))

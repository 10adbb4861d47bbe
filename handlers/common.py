"""Small helpers shared by handlers: keyboards for long lists, reading typed text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Keyboard, Reply
from storage.network import Named

PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[Named]
    number: int
    count: int


def page_of(items: Sequence[Named], number: int, size: int = PAGE_SIZE) -> Page:
    count = max(1, -(-len(items) // size))
    number = min(max(number, 0), count - 1)
    return Page(items[number * size : (number + 1) * size], number, count)


def paged_choice(
    ctx: Context, page: Page, pick: str, turn: str, extra: Sequence[AnyButton] = ()
) -> Keyboard:
    """One button a row for the page's items, then ◀ ▶ to turn pages, then extra buttons."""
    rows: list[tuple[AnyButton, ...]] = [(Button(n.name, pick, (str(n.id),)),) for n in page.items]
    arrows: list[AnyButton] = []
    if page.number > 0:
        arrows.append(Button(ctx._("button.prev_page"), turn, (str(page.number - 1),)))
    if page.number < page.count - 1:
        arrows.append(Button(ctx._("button.next_page"), turn, (str(page.number + 1),)))
    if arrows:
        rows.append(tuple(arrows))
    rows.extend((b,) for b in extra)
    return tuple(rows)


def int_arg(args: tuple[str, ...], index: int = 0) -> int | None:
    """A whole-number button argument, or None for anything forged or missing."""
    if index >= len(args) or not re.fullmatch(r"\d{1,9}", args[index]):
        return None
    return int(args[index])


def clean_text(text: str) -> str:
    """Typed text with control characters dropped and runs of white space folded."""
    kept = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\n\t")
    return " ".join(kept.split())


def has_letters(text: str, at_least: int = 1) -> bool:
    return sum(c.isalpha() for c in text) >= at_least


def typed_line(ctx: Context, text: str, limit: int, too_long: str, invalid: str) -> str | Reply:
    """A one-line name or title: spaces folded, at most `limit` characters, three letters at
    least; else the reply under `too_long` (with {max}) or `invalid`."""
    line = clean_text(text)
    if len(line) > limit:
        return Reply(ctx._(too_long, max=ctx._n("count.characters", limit)))
    if not has_letters(line, 3):
        return Reply(ctx._(invalid))
    return line


def typed_paragraph(
    ctx: Context, text: str, limit: int, too_long: str, invalid: str
) -> str | Reply:
    """A description as typed (line breaks kept): at most `limit` characters, three letters at
    least; else the reply under `too_long` (with {max} and {length}) or `invalid`."""
    paragraph = text.strip()
    if len(paragraph) > limit:
        return Reply(ctx._(too_long, max=ctx._n("count.characters", limit),
                           length=ctx._n("count.characters", len(paragraph))))
    if not has_letters(paragraph, 3):
        return Reply(ctx._(invalid))
    return paragraph

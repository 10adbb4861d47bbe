"""The /newevent dialog's states and what an organizer types, checked: title, description,
duration, link, address, capacity, speaker — each either the clean value or the answer to give."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.core.context import Context
from bot.core.model import Button, Keyboard, Reply
from handlers.common import clean_text, has_letters, typed_line, typed_paragraph

KIND, TITLE, ABOUT, WHEN, WHEN_OK, DURATION, FORMAT, LINK, ADDRESS = (
    "ev.new.kind", "ev.new.title", "ev.new.about", "ev.new.when", "ev.new.when_ok",
    "ev.new.duration", "ev.new.format", "ev.new.link", "ev.new.address",
)
AUDIENCE, GROUPS, MUNICIPALITY, SUBJECT = (
    "ev.new.audience", "ev.new.groups", "ev.new.municipality", "ev.new.subject",
)
CAPACITY, SPEAKER, PREVIEW = "ev.new.capacity", "ev.new.speaker", "ev.new.preview"
ALL_STEPS = frozenset({KIND, TITLE, ABOUT, WHEN, WHEN_OK, DURATION, FORMAT, LINK, ADDRESS,
                       AUDIENCE, GROUPS, MUNICIPALITY, SUBJECT, CAPACITY, SPEAKER, PREVIEW})

TITLE_MAX = 200
ABOUT_MAX = 1500
SPEAKER_MAX = 200
ADDRESS_MAX = 300
LINK_MAX = 500
DURATIONS = (45, 60, 90, 120)
DURATION_RANGE = range(15, 601)
CAPACITY_RANGE = range(1, 10_001)

_MINUTES = re.compile(r"(\d{1,4})\s*(?:мин\w*|min\w*|m)?\.?", re.IGNORECASE)


def valid_title(ctx: Context, text: str) -> str | Reply:
    return typed_line(ctx, text, TITLE_MAX, "ev.new.title_too_long", "ev.new.title_invalid")


def valid_about(ctx: Context, text: str) -> str | Reply:
    return typed_paragraph(ctx, text, ABOUT_MAX, "ev.new.about_too_long",
                           "ev.new.about_invalid")


def read_duration(ctx: Context, text: str) -> int | Reply:
    match = _MINUTES.fullmatch(text.strip())
    if match is None or int(match[1]) not in DURATION_RANGE:
        return Reply(ctx._("ev.new.duration_invalid", low=DURATION_RANGE.start,
                           high=DURATION_RANGE.stop - 1))
    return int(match[1])


def valid_link(ctx: Context, text: str) -> str | Reply:
    link = text.strip()
    parts = urlsplit(link) if len(link) <= LINK_MAX and not any(c.isspace() for c in link) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc:
        return Reply(ctx._("ev.link_invalid"))
    return link


def valid_address(ctx: Context, text: str) -> str | Reply:
    address = clean_text(text)
    if len(address) > ADDRESS_MAX or not has_letters(address, 3):
        return Reply(ctx._("ev.address_invalid", max=ctx._n("count.characters", ADDRESS_MAX)))
    return address


def read_capacity(ctx: Context, text: str) -> int | Reply:
    digits = text.strip()
    if not re.fullmatch(r"\d{1,6}", digits) or int(digits) not in CAPACITY_RANGE:
        return Reply(ctx._("ev.new.capacity_invalid", low=CAPACITY_RANGE.start,
                           high=CAPACITY_RANGE.stop - 1))
    return int(digits)


def valid_speaker(ctx: Context, text: str) -> str | Reply:
    speaker = clean_text(text)
    if len(speaker) > SPEAKER_MAX or not has_letters(speaker, 3):
        return Reply(ctx._("ev.new.speaker_invalid", max=ctx._n("count.characters", SPEAKER_MAX)))
    return speaker


# -- questions shared by the dialog's modules ------------------------------------------------------

def cancel_button(ctx: Context) -> Button:
    return Button(ctx._("ev.new.btn.cancel"), "ev.new.cancel")


def with_cancel(ctx: Context, *buttons: Button) -> Keyboard:
    """The given buttons in one row, then «Отменить» in its own."""
    return tuple(row for row in ((*buttons,), (cancel_button(ctx),)) if row)


def ask_capacity(ctx: Context) -> Reply:
    ctx.dialog.go(CAPACITY)
    return Reply(ctx._("ev.new.ask_capacity"),
                 with_cancel(ctx, Button(ctx._("ev.new.btn.no_limit"), "ev.new.no_limit")))

"""/newevent, first half: kind, title, description, the start (read as Russians type it, in the
organizer's zone, and confirmed back in full), duration, format with the link and/or address.
The audience comes next (audience.py), then capacity, speaker and the preview (publish.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply, columns
from bot.core.roles import GROUP_ADMINS
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.dates import DateProblem, parse_moment
from handlers.events.audience import ask_audience, may_organize
from handlers.events.cards import kind_label, when
from handlers.events.fields import (
    ABOUT,
    ADDRESS,
    ALL_STEPS,
    DURATION,
    DURATIONS,
    FORMAT,
    KIND,
    LINK,
    TITLE,
    WHEN,
    WHEN_OK,
    cancel_button,
    read_duration,
    valid_about,
    valid_address,
    valid_link,
    valid_title,
    with_cancel,
)
from handlers.questions.zones import zone_label
from storage.events import EventFormat, EventKind

router = Router("events.create")


@router.command("newevent", roles=GROUP_ADMINS, help="help.newevent")
async def start(ctx: Context, msg: Inbound) -> Replies:
    if not await may_organize(ctx):  # a group admin no longer: the role was checked at entry
        return Reply(ctx._("access.denied"))
    ctx.dialog.start(KIND)
    kinds = [Button(kind_label(ctx, k), "ev.new.kind", (k.value,)) for k in EventKind]
    return Reply(ctx._("ev.new.ask_kind"), (*columns(kinds, 2), (cancel_button(ctx),)))


@router.action("ev.new.kind", roles=GROUP_ADMINS, states={KIND})
async def on_kind(ctx: Context, msg: Inbound) -> Replies:
    kind = next((k for k in EventKind if (k.value,) == msg.action_args), None)
    if kind is None:
        return Reply(ctx._("button.unknown"))
    ctx.dialog.go(TITLE, kind=kind.value)
    return Reply(ctx._("ev.new.ask_title"), with_cancel(ctx))


@router.answer(TITLE)
async def on_title(ctx: Context, msg: Inbound) -> Replies:
    title = valid_title(ctx, msg.text)
    if isinstance(title, Reply):
        return title
    ctx.dialog.go(ABOUT, title=title)
    skip = Button(ctx._("ev.new.btn.skip"), "ev.new.skip_about")
    return Reply(ctx._("ev.new.ask_about"), with_cancel(ctx, skip))


@router.answer(ABOUT)
async def on_about(ctx: Context, msg: Inbound) -> Replies:
    about = valid_about(ctx, msg.text)
    if isinstance(about, Reply):
        return about
    return _ask_when(ctx, about=about)


@router.action("ev.new.skip_about", roles=GROUP_ADMINS, states={ABOUT})
async def on_skip_about(ctx: Context, msg: Inbound) -> Replies:
    return _ask_when(ctx, about=None)


@router.answer(WHEN, WHEN_OK)
async def on_when(ctx: Context, msg: Inbound) -> Replies:
    """A start typed at the question, or typed again instead of confirming the one read."""
    read = parse_moment(msg.text, ctx.now(), ctx.actor.timezone)
    if isinstance(read, DateProblem):
        return Reply(ctx._(f"ev.date.{read.value}"), with_cancel(ctx))
    ctx.dialog.go(WHEN_OK, starts_at=read.at.isoformat())
    return Reply(ctx._("ev.new.confirm_when", when=when(ctx, read.at)),
                 with_cancel(ctx, Button(ctx._("ev.new.btn.right"), "ev.new.when_yes"),
                             Button(ctx._("ev.new.btn.change"), "ev.new.when_change")))


@router.action("ev.new.when_change", roles=GROUP_ADMINS, states={WHEN_OK})
async def on_when_change(ctx: Context, msg: Inbound) -> Replies:
    return _ask_when(ctx)


@router.action("ev.new.when_yes", roles=GROUP_ADMINS, states={WHEN_OK})
async def on_when_yes(ctx: Context, msg: Inbound) -> Replies:
    if datetime.fromisoformat(ctx.dialog.get("starts_at")) <= ctx.now():
        ctx.dialog.go(WHEN)  # it was read a while ago and has passed since
        return Reply(ctx._(f"ev.date.{DateProblem.PAST.value}"), with_cancel(ctx))
    ctx.dialog.go(DURATION)
    buttons = [Button(ctx._n("count.minutes", m), "ev.new.dur", (str(m),)) for m in DURATIONS]
    return Reply(ctx._("ev.new.ask_duration"), (*columns(buttons, 2), (cancel_button(ctx),)))


@router.answer(DURATION)
async def on_duration_typed(ctx: Context, msg: Inbound) -> Replies:
    minutes = read_duration(ctx, msg.text)
    if isinstance(minutes, Reply):
        return minutes
    return _ask_format(ctx, minutes)


@router.action("ev.new.dur", roles=GROUP_ADMINS, states={DURATION})
async def on_duration(ctx: Context, msg: Inbound) -> Replies:
    minutes = int_arg(msg.action_args)
    if minutes not in DURATIONS:
        return Reply(ctx._("button.unknown"))
    return _ask_format(ctx, minutes)


@router.action("ev.new.fmt", roles=GROUP_ADMINS, states={FORMAT})
async def on_format(ctx: Context, msg: Inbound) -> Replies:
    fmt = next((f for f in EventFormat if (f.value,) == msg.action_args), None)
    if fmt is None:
        return Reply(ctx._("button.unknown"))
    ctx.dialog.update(format=fmt.value, link=None, address=None)
    if fmt is EventFormat.OFFLINE:
        ctx.dialog.go(ADDRESS)
        return Reply(ctx._("ev.new.ask_address"), with_cancel(ctx))
    ctx.dialog.go(LINK)
    return Reply(ctx._("ev.new.ask_link"), with_cancel(ctx))


@router.answer(LINK)
async def on_link(ctx: Context, msg: Inbound) -> Replies:
    link = valid_link(ctx, msg.text)
    if isinstance(link, Reply):
        return link
    ctx.dialog.update(link=link)
    if ctx.dialog.get("format") == EventFormat.MIXED.value:
        ctx.dialog.go(ADDRESS)
        return Reply(ctx._("ev.new.ask_address"), with_cancel(ctx))
    return await ask_audience(ctx)


@router.answer(ADDRESS)
async def on_address(ctx: Context, msg: Inbound) -> Replies:
    address = valid_address(ctx, msg.text)
    if isinstance(address, Reply):
        return address
    ctx.dialog.update(address=address)
    return await ask_audience(ctx)


@router.action("ev.new.cancel", roles=GROUP_ADMINS, states=ALL_STEPS)
async def on_cancel(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("ev.new.cancelled"), edit=True)


@router.answer(KIND, FORMAT)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


# -- steps --------------------------------------------------------------------------------------

def _ask_when(ctx: Context, **updates: object) -> Reply:
    ctx.dialog.go(WHEN, **updates)
    zone = zone_label(ctx, ctx.actor.timezone.key)
    return Reply(ctx._("ev.new.ask_when", zone=zone), with_cancel(ctx))


def _ask_format(ctx: Context, minutes: int) -> Reply:
    ctx.dialog.go(FORMAT, duration=minutes)
    buttons = [(Button(ctx._(f"ev.new.format.{f.value}"), "ev.new.fmt", (f.value,)),)
               for f in EventFormat]
    return Reply(ctx._("ev.new.ask_format"), (*buttons, (cancel_button(ctx),)))

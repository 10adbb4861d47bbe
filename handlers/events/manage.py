"""The organizer's side of an event: /organized, changing the time, link or place (registered
people are told and their reminders move), cancelling (everyone registered is told, reminders
go), and marking who attended after it started."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import GROUP_ADMINS, Role
from bot.core.router import Replies, Router
from handlers.common import clean_text, int_arg
from handlers.dates import DateProblem, format_moment, parse_moment
from handlers.events.reminders import drop_reminders, move_reminders
from handlers.notify import notify
from storage.events import Event, EventFormat, Seat

WHEN, LINK, PLACE = "ev.change.when", "ev.change.link", "ev.change.place"
LINK_PATTERN = re.compile(r"^https?://\S{3,490}$")
ADDRESS_MAX = 300
RECENT = timedelta(days=30)
"""/organized also shows events that started this long ago (to mark attendance)."""

router = Router("events.manage")


@router.command("organized", roles=GROUP_ADMINS, help="help.organized")
async def organized(ctx: Context, msg: Inbound) -> Replies:
    mine = None if _coordinator(ctx) else ctx.actor
    found = await ctx.repos.events.organized(
        mine.teacher.id if mine and mine.teacher else None,
        mine.account.id if mine and mine.account else None,
        ctx.now() - RECENT,
    )
    if not found:
        return Reply(ctx._("ev.organized_none"))
    rows = [(Button(_label(ctx, e), "ev.manage", (str(e.id),)),) for e in found]
    return Reply(ctx._("ev.organized_title"), tuple(rows))


@router.action("ev.manage", roles=GROUP_ADMINS)
async def on_manage(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg)
    if isinstance(event, Reply):
        return event
    eid = (str(event.id),)
    going = await ctx.repos.events.teacher_ids(event.id, [Seat.GOING])
    waiting = await ctx.repos.events.teacher_ids(event.id, [Seat.WAITLIST])
    text = ctx._("ev.manage_card", title=event.title, when=_when(ctx, event),
                 going=ctx._n("count.registered", len(going)),
                 waiting=ctx._n("count.waiting", len(waiting)))
    rows: list[tuple[AnyButton, ...]] = []
    if event.cancelled:
        text += "\n" + ctx._("ev.was_cancelled")
    elif event.starts_at > ctx.now():
        rows.append((Button(ctx._("ev.btn.change_when"), "ev.change", (*eid, "when")),))
        if event.format is not EventFormat.OFFLINE:
            rows.append((Button(ctx._("ev.btn.change_link"), "ev.change", (*eid, "link")),))
        if event.format is not EventFormat.ONLINE:
            rows.append((Button(ctx._("ev.btn.change_place"), "ev.change", (*eid, "place")),))
        rows.append((Button(ctx._("ev.btn.cancel_event"), "ev.cancel_event", eid),))
    else:
        rows.append((Button(ctx._("ev.btn.attendance"), "ev.attendance", eid),))
    return Reply(text, tuple(rows), edit=True)


@router.action("ev.change", roles=GROUP_ADMINS)
async def on_change(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg, ahead=True)
    if isinstance(event, Reply):
        return event
    what = msg.action_args[1] if len(msg.action_args) > 1 else ""
    state = {"when": WHEN, "link": LINK, "place": PLACE}.get(what)
    if state is None:
        return Reply(ctx._("button.unknown"))
    ctx.dialog.start(state, event_id=event.id)
    return Reply(ctx._(f"ev.change.ask_{what}"),
                 ((Button(ctx._("ev.btn.keep"), "ev.change_cancel"),),))


@router.answer(WHEN)
async def on_new_time(ctx: Context, msg: Inbound) -> Replies:
    event = await _dialog_event(ctx)
    if isinstance(event, Reply):
        return event
    read = parse_moment(msg.text, ctx.now(), ctx.actor.timezone)
    if isinstance(read, DateProblem):
        return Reply(ctx._(f"ev.date.{read.value}"))
    old = event.starts_at
    await ctx.repos.events.update_fields(event.id, ctx.now(), starts_at=read.at)
    return await _changed(ctx, event, "ev.note.moved", old=_iso(old), new=_iso(read.at))


@router.answer(LINK)
async def on_new_link(ctx: Context, msg: Inbound) -> Replies:
    event = await _dialog_event(ctx)
    if isinstance(event, Reply):
        return event
    link = msg.text.strip()
    if not LINK_PATTERN.match(link):
        return Reply(ctx._("ev.link_invalid"))
    await ctx.repos.events.update_fields(event.id, ctx.now(), link=link)
    return await _changed(ctx, event, "ev.note.new_link", link=link)


@router.answer(PLACE)
async def on_new_place(ctx: Context, msg: Inbound) -> Replies:
    event = await _dialog_event(ctx)
    if isinstance(event, Reply):
        return event
    address = clean_text(msg.text)
    if len(address) > ADDRESS_MAX or sum(c.isalnum() for c in address) < 5:
        return Reply(ctx._("ev.address_invalid", max=ctx._n("count.characters", ADDRESS_MAX)))
    await ctx.repos.events.update_fields(event.id, ctx.now(), address=address)
    return await _changed(ctx, event, "ev.note.new_place", address=address)


@router.action("ev.change_cancel", roles=GROUP_ADMINS, states={WHEN, LINK, PLACE})
async def on_keep(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("ev.change.kept"), edit=True)


@router.action("ev.cancel_event", roles=GROUP_ADMINS)
async def on_cancel_event(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg, ahead=True)
    if isinstance(event, Reply):
        return event
    eid = (str(event.id),)
    return Reply(ctx._("ev.cancel_confirm", title=event.title),
                 ((Button(ctx._("ev.btn.cancel_yes"), "ev.cancel_ok", eid),
                   Button(ctx._("ev.btn.keep"), "ev.manage", eid)),), edit=True)


@router.action("ev.cancel_ok", roles=GROUP_ADMINS)
async def on_cancel_ok(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg, ahead=True)
    if isinstance(event, Reply):
        return event
    await ctx.repos.events.cancel(event.id, ctx.now())
    await drop_reminders(ctx, event.id)
    told = await _tell_registered(ctx, event, "ev.note.cancelled")
    return Reply(ctx._("ev.cancelled_done", title=event.title,
                       told=ctx._n("count.recipients", told)), edit=True)


@router.action("ev.attendance", roles=GROUP_ADMINS)
async def on_attendance(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg)
    if isinstance(event, Reply):
        return event
    if event.starts_at > ctx.now():
        return Reply(ctx._("ev.attendance_not_yet"))
    return await _attendance(ctx, event)


@router.action("ev.att", roles=GROUP_ADMINS)
async def on_toggle(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg)
    if isinstance(event, Reply):
        return event
    teacher_id = int_arg(msg.action_args, 1)
    going = await ctx.repos.events.teacher_ids(event.id, [Seat.GOING])
    if teacher_id not in going or event.starts_at > ctx.now():
        return Reply(ctx._("button.outdated"))
    attended = set(await ctx.repos.events.attended_ids(event.id))
    await ctx.repos.events.set_attended(event.id, [teacher_id], teacher_id not in attended)
    return await _attendance(ctx, event)


@router.action("ev.att_all", roles=GROUP_ADMINS)
async def on_all_attended(ctx: Context, msg: Inbound) -> Replies:
    event = await _managed(ctx, msg)
    if isinstance(event, Reply):
        return event
    if event.starts_at > ctx.now():
        return Reply(ctx._("ev.attendance_not_yet"))
    going = await ctx.repos.events.teacher_ids(event.id, [Seat.GOING])
    await ctx.repos.events.set_attended(event.id, going, True)
    return await _attendance(ctx, event)


# -- helpers ------------------------------------------------------------------------------------

def _coordinator(ctx: Context) -> bool:
    return Role.COORDINATOR in ctx.actor.roles


def _organizes(ctx: Context, event: Event) -> bool:
    actor = ctx.actor
    return _coordinator(ctx) or (
        actor.teacher is not None and event.organizer_teacher_id == actor.teacher.id
    ) or (actor.account is not None and event.organizer_account_id == actor.account.id)


async def _managed(ctx: Context, msg: Inbound, ahead: bool = False) -> Event | Reply:
    event_id = int_arg(msg.action_args)
    event = await ctx.repos.events.get(event_id) if event_id is not None else None
    return _checked(ctx, event, ahead)


def _checked(ctx: Context, event: Event | None, ahead: bool) -> Event | Reply:
    if event is None:
        ctx.notice = ctx._("ev.gone")
        return Reply(ctx._("ev.gone"))
    if not _organizes(ctx, event):  # every time: the button may be forged
        return Reply(ctx._("access.denied"))
    if ahead and event.cancelled:
        return Reply(ctx._("ev.was_cancelled"))
    if ahead and event.starts_at <= ctx.now():
        return Reply(ctx._("ev.already_started"))
    return event


async def _dialog_event(ctx: Context) -> Event | Reply:
    event_id = ctx.dialog.get("event_id")
    event = await ctx.repos.events.get(event_id) if isinstance(event_id, int) else None
    checked = _checked(ctx, event, ahead=True)
    if isinstance(checked, Reply):
        ctx.dialog.clear()
    return checked


async def _changed(ctx: Context, before: Event, note: str, **params: object) -> Replies:
    ctx.dialog.clear()
    event = await ctx.repos.events.get(before.id)
    assert event is not None
    await move_reminders(ctx, event)
    told = await _tell_registered(ctx, event, note, **params)
    return Reply(ctx._("ev.changed_done", title=event.title, when=_when(ctx, event),
                       told=ctx._n("count.recipients", told)))


async def _tell_registered(ctx: Context, event: Event, key: str, **params: object) -> int:
    """Tell everyone with a seat or on the waitlist; returns how many accounts were told."""
    people = await ctx.repos.events.teacher_ids(event.id, [Seat.GOING, Seat.WAITLIST])
    account_ids = []
    for teacher_id in people:
        accounts = [a for a in await ctx.repos.accounts.for_teacher(teacher_id) if a.reachable]
        account_ids += [accounts[0].id] if accounts else []
    await notify(ctx, account_ids, key, {"title": event.title, **params})
    return len(account_ids)


async def _attendance(ctx: Context, event: Event) -> Reply:
    going = await ctx.repos.events.teacher_ids(event.id, [Seat.GOING])
    attended = set(await ctx.repos.events.attended_ids(event.id))
    rows: list[tuple[AnyButton, ...]] = []
    for teacher_id in going:
        teacher = await ctx.repos.teachers.get(teacher_id)
        name = teacher.full_name if teacher and teacher.full_name else f"#{teacher_id}"
        mark = "✅" if teacher_id in attended else "⬜"
        rows.append((Button(f"{mark} {name}", "ev.att", (str(event.id), str(teacher_id))),))
    rows.append((Button(ctx._("ev.btn.all_attended"), "ev.att_all", (str(event.id),)),))
    rows.append((Button(ctx._("ev.btn.back"), "ev.manage", (str(event.id),)),))
    text = ctx._("ev.attendance_title", title=event.title,
                 attended=len(attended & set(going)), registered=ctx._n("count.registered",
                                                                         len(going)))
    return Reply(text, tuple(rows), edit=True)


def _label(ctx: Context, event: Event) -> str:
    mark = "✖ " if event.cancelled else ""
    return f"{mark}{event.starts_at.astimezone(ctx.actor.timezone):%d.%m %H:%M} {event.title}"


def _when(ctx: Context, event: Event) -> str:
    return format_moment(event.starts_at, ctx.actor.timezone, ctx.actor.locale)


def _iso(moment: datetime) -> dict[str, str]:
    """An outbox parameter rendered as a moment in each reader's zone."""
    return {"at": moment.isoformat()}

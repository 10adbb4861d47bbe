"""The buttons on an event's card: «Пойду», «Не смогу», «Отменить запись», «Подробнее».

«Пойду» gives a seat (and plans the reminders) or a place on the waitlist; «Не смогу» records the
refusal (for someone registered it first asks whether to cancel the registration); cancelling
frees the seat for the first person waiting, who is told through the outbox. Each button is
checked again on the server: the event must still exist, not be cancelled, not have started, and
be for this person. Pressing a button again changes nothing and says so. In a group chat the
answer goes to the person's private chat, so nobody's link or seat is shown to the chat."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import REGISTERED, Role
from bot.core.router import Replies, Router
from handlers.events.cards import (
    event_from,
    invited,
    link_line,
    may_view,
    not_for_viewer,
    personal,
    standing,
    viewer_card,
    when,
)
from handlers.events.reminders import drop_reminders, plan_reminders
from handlers.notify import notify
from storage.events import Event, EventFormat, Seat
from storage.outbox import action_button

VIEWERS = REGISTERED | {Role.COORDINATOR}

router = Router("events.rsvp")


@router.action("ev.go", roles=REGISTERED)
async def on_go(ctx: Context, msg: Inbound) -> Replies:
    event = await _open_event(ctx, msg)
    if isinstance(event, list):
        return event
    teacher = ctx.actor.teacher
    assert teacher is not None  # REGISTERED
    mine = await standing(ctx, event)
    if mine.seat is Seat.GOING:
        return await personal(ctx, [_going(ctx, event, "ev.already_going")])
    if mine.seat is Seat.WAITLIST:
        return await personal(ctx, [_waiting(ctx, event, "ev.already_waiting", mine.position)])
    if not await invited(ctx, event):
        return await personal(ctx, [Reply(ctx._("ev.not_invited"))])
    seat = await ctx.repos.events.take_seat(event.id, teacher.id, ctx.now())
    if seat is Seat.GOING:
        await plan_reminders(ctx, event, teacher.id)
        return await personal(ctx, [_going(ctx, event, "ev.going")])
    return await personal(ctx, [_waiting(ctx, event, "ev.waitlisted", (await standing(ctx, event))
                                   .position)])


@router.action("ev.no", roles=REGISTERED)
async def on_no(ctx: Context, msg: Inbound) -> Replies:
    event = await _open_event(ctx, msg)
    if isinstance(event, list):
        return event
    teacher = ctx.actor.teacher
    assert teacher is not None
    mine = await standing(ctx, event)
    if mine.registered:
        return await personal(ctx, [_confirm_cancel(ctx, event)])
    if mine.seat is Seat.DECLINED:
        return await personal(ctx, [Reply(ctx._("ev.already_declined", title=event.title))])
    if not await invited(ctx, event):
        return await personal(ctx, [Reply(ctx._("ev.not_invited"))])
    await ctx.repos.events.give_up_seat(event.id, teacher.id, ctx.now(), seat=Seat.DECLINED)
    go = Button(ctx._("ev.btn.go"), "ev.go", (str(event.id),))
    return await personal(ctx, [Reply(ctx._("ev.declined", title=event.title), ((go,),))])


@router.action("ev.unreg", roles=REGISTERED)
async def on_unregister(ctx: Context, msg: Inbound) -> Replies:
    event = await _open_event(ctx, msg)
    if isinstance(event, list):
        return event
    if not (await standing(ctx, event)).registered:
        return await personal(ctx, [Reply(ctx._("ev.not_registered", title=event.title))])
    return await personal(ctx, [_confirm_cancel(ctx, event)])


@router.action("ev.unreg_ok", roles=REGISTERED)
async def on_unregister_ok(ctx: Context, msg: Inbound) -> Replies:
    event = await _open_event(ctx, msg)
    if isinstance(event, list):
        return event
    teacher = ctx.actor.teacher
    assert teacher is not None
    if not (await standing(ctx, event)).registered:  # a second click: nothing to cancel
        answer = Reply(ctx._("ev.not_registered", title=event.title), edit=True)
        return await personal(ctx, [answer])
    now = ctx.now()
    promoted = await ctx.repos.events.give_up_seat(event.id, teacher.id, now)
    await drop_reminders(ctx, event.id, teacher.id)
    if promoted is not None:
        await _tell_promoted(ctx, event, promoted)
    go = Button(ctx._("ev.btn.go"), "ev.go", (str(event.id),))
    return await personal(ctx, [Reply(ctx._("ev.unregistered", title=event.title), ((go,),),
                                edit=True)])


@router.action("ev.more", roles=VIEWERS)
async def on_more(ctx: Context, msg: Inbound) -> Replies:
    event = await event_from(ctx, msg)
    if isinstance(event, Reply):
        return _stale(ctx, event)
    mine = await standing(ctx, event)
    if not await may_view(ctx, event, mine):
        return await personal(ctx, [not_for_viewer(ctx, event)])
    return await personal(ctx, [await viewer_card(ctx, event, mine)])


# -- helpers ------------------------------------------------------------------------------------

async def _open_event(ctx: Context, msg: Inbound) -> Event | list[Reply]:
    """The event a button names while one can still register for it, or the answer."""
    event = await event_from(ctx, msg)
    if isinstance(event, Reply):
        return _stale(ctx, event)
    if event.starts_at <= ctx.now():
        ctx.notice = ctx._("ev.closed", title=event.title)
        return _stale(ctx, Reply(ctx._("ev.closed", title=event.title)))
    return event


def _stale(ctx: Context, reply: Reply) -> list[Reply]:
    """A gone, cancelled or started event: said in the chat, or only as a notice in a group."""
    return [reply] if ctx.inbound.is_private else []


def _going(ctx: Context, event: Event, key: str) -> Reply:
    lines = [ctx._(key, title=event.title, when=when(ctx, event.starts_at))]
    if link := link_line(ctx, event):
        lines.append(link)
    if event.address and event.format is not EventFormat.ONLINE:
        lines.append(ctx._("ev.address_line", address=event.address))
    eid = (str(event.id),)
    return Reply("\n".join(lines), ((Button(ctx._("ev.btn.ics"), "ev.ics", eid),
                                     Button(ctx._("ev.btn.unregister"), "ev.unreg", eid)),))


def _waiting(ctx: Context, event: Event, key: str, position: int | None) -> Reply:
    eid = (str(event.id),)
    return Reply(ctx._(key, title=event.title, number=position or 1),
                 ((Button(ctx._("ev.btn.leave_waitlist"), "ev.unreg", eid),),))


def _confirm_cancel(ctx: Context, event: Event) -> Reply:
    eid = (str(event.id),)
    return Reply(ctx._("ev.unregister_confirm", title=event.title, when=when(ctx, event.starts_at)),
                 ((Button(ctx._("ev.btn.unregister_yes"), "ev.unreg_ok", eid),
                   Button(ctx._("ev.btn.stay"), "ev.more", eid)),))


async def _tell_promoted(ctx: Context, event: Event, teacher_id: int) -> None:
    """The first person waiting got the freed seat: told through the outbox, reminders planned."""
    accounts = [a.id for a in await ctx.repos.accounts.for_teacher(teacher_id) if a.reachable]
    link = event.link if event.link and event.format is not EventFormat.OFFLINE else None
    eid = str(event.id)
    await notify(ctx, accounts[:1], "ev.promoted", {
        "title": event.title, "at": {"at": event.starts_at.isoformat()},
        "link": f"\n🔗 {link}" if link else "",
    }, buttons=[[action_button("ev.btn.more", "ev.more", eid),
                 action_button("ev.btn.ics", "ev.ics", eid)],
                [action_button("ev.btn.unregister", "ev.unreg", eid)]])
    await plan_reminders(ctx, event, teacher_id)

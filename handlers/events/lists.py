"""/events: the upcoming events for this person; /my_events: the ones they registered for, with
where they stand (going, waitlist №N, cancelled by the organizer). Each opens its card."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import REGISTERED
from bot.core.router import Replies, Router
from storage.events import Event, Seat

LABEL_MAX = 48

router = Router("events.lists")


@router.command("events", roles=REGISTERED, help="help.events")
async def upcoming(ctx: Context, msg: Inbound) -> Replies:
    teacher = ctx.actor.teacher
    assert teacher is not None  # REGISTERED
    found = await ctx.repos.events.upcoming_for(teacher.id, ctx.now())
    if not found:
        return Reply(ctx._("ev.list_none"))
    rows: list[tuple[AnyButton, ...]] = []
    for event in found:
        seat = await ctx.repos.events.seat_of(event.id, teacher.id)
        mark = {Seat.GOING: "✅ ", Seat.WAITLIST: "🕓 "}.get(seat, "") if seat else ""
        rows.append((Button(mark + _label(ctx, event), "ev.more", (str(event.id),)),))
    return Reply(ctx._("ev.list_title"), tuple(rows))


@router.command("my_events", roles=REGISTERED, help="help.my_events")
async def mine(ctx: Context, msg: Inbound) -> Replies:
    teacher = ctx.actor.teacher
    assert teacher is not None
    found = await ctx.repos.events.registered_for(teacher.id, ctx.now())
    if not found:
        return Reply(ctx._("ev.mine_none"))
    lines = [ctx._("ev.mine_title")]
    rows: list[tuple[AnyButton, ...]] = []
    for event in found:
        status = await _status(ctx, event, teacher.id)
        lines.append(f"• {_label(ctx, event, clip=False)} — {status}")
        eid = (str(event.id),)
        row: list[AnyButton] = [Button(_label(ctx, event), "ev.more", eid)]
        if not event.cancelled:
            row.append(Button(ctx._("ev.btn.unregister"), "ev.unreg", eid))
        rows.append(tuple(row))
    return Reply("\n".join(lines), tuple(rows))


async def _status(ctx: Context, event: Event, teacher_id: int) -> str:
    if event.cancelled:
        return ctx._("ev.status.cancelled")
    if await ctx.repos.events.seat_of(event.id, teacher_id) is Seat.GOING:
        return ctx._("ev.status.going")
    waiting = await ctx.repos.events.teacher_ids(event.id, [Seat.WAITLIST])
    number = waiting.index(teacher_id) + 1 if teacher_id in waiting else 1
    return ctx._("ev.status.waiting", number=number)


def _label(ctx: Context, event: Event, clip: bool = True) -> str:
    local = event.starts_at.astimezone(ctx.actor.timezone)
    title = event.title
    if clip and len(title) > LABEL_MAX:
        title = title[: LABEL_MAX - 1].rstrip() + "…"
    return f"{local:%d.%m %H:%M} · {title}"

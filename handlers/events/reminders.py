"""Reminders before an event, through the outbox: one row per registered person and reminder
time (24 h and 1 h before by default, `KOLLEGA_EVENTS__REMINDERS_HOURS`), rendered in the
reader's language and time zone when sent, and dropped if they would arrive after the start.

Keys carry the start time and the moment the seat was taken, so a moved event or a new seat gets
new reminders, while the same seat planned twice (a retried update) does not."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from storage.events import Event, EventFormat, Seat
from storage.outbox import NewMessage, action_button

REASON_CANCELLED = "registration or event cancelled"
REASON_MOVED = "event moved"


def _prefix(event_id: int, teacher_id: int | None = None) -> str:
    base = f"event:{event_id}:remind:"
    return base if teacher_id is None else f"{base}teacher:{teacher_id}:"


async def plan_reminders(ctx: Context, event: Event, teacher_id: int) -> None:
    """Enqueue the reminders still ahead for a teacher who has a seat."""
    since = await ctx.repos.events.seat_since(event.id, teacher_id)
    accounts = [a for a in await ctx.repos.accounts.for_teacher(teacher_id) if a.reachable]
    if since is None or not accounts or event.cancelled:
        return
    now = ctx.now()
    messages = [
        NewMessage(
            key=(f"{_prefix(event.id, teacher_id)}{since:%Y%m%dT%H%M%S}:"
                 f"{event.starts_at:%Y%m%dT%H%M}:{hours:g}h"),
            account_id=accounts[0].id, not_before=event.starts_at - timedelta(hours=hours),
            expires_at=event.starts_at, message_key=f"ev.reminder.{event.format.value}",
            params=_params(event),
            buttons=[[action_button("ev.btn.more", "ev.more", str(event.id))]],
        )
        for hours in ctx.settings.events.reminders_hours
        if event.starts_at - timedelta(hours=hours) > now
    ]
    if await ctx.repos.outbox.enqueue_many(messages, now):
        ctx.outbox_changed = True


async def drop_reminders(ctx: Context, event_id: int, teacher_id: int | None = None) -> None:
    """Drop the reminders not sent yet: of one teacher's seat, or (None) of the whole event."""
    await ctx.repos.outbox.drop_pending(_prefix(event_id, teacher_id), REASON_CANCELLED)


async def move_reminders(ctx: Context, event: Event) -> None:
    """After the start time, link or place changed: the pending reminders are replaced."""
    await ctx.repos.outbox.drop_pending(_prefix(event.id), REASON_MOVED)
    for teacher_id in await ctx.repos.events.teacher_ids(event.id, [Seat.GOING]):
        await plan_reminders(ctx, event, teacher_id)


def _params(event: Event) -> dict[str, object]:
    params: dict[str, object] = {"title": event.title, "at": {"at": event.starts_at.isoformat()}}
    if event.format in (EventFormat.ONLINE, EventFormat.MIXED):
        params["link"] = event.link or ""
    if event.format in (EventFormat.OFFLINE, EventFormat.MIXED):
        params["address"] = event.address or ""
    return params

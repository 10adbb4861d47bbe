"""An event as a card: the announcement its audience gets through the outbox, rendered in each
reader's language and time zone, and the same card in a chat with the viewer's own standing —
their seat, the link (people going and the organizer only) and the buttons they may use.

The kind and the format are message ids translated per reader (`{"msg": id}`), so a reader in
English sees «Webinar» where one in Russian sees «Вебинар». Everything else on the card is the
organizer's own text, marked with emoji rather than words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import Role
from handlers.common import int_arg
from handlers.dates import format_moment
from storage.events import Event, EventFormat, EventKind, NewEvent, Seat
from storage.outbox import ButtonRows, NewMessage, action_button

CARD_MESSAGES = ("ev.card", "ev.card.seats_left", "ev.card.no_seats", "count.minutes",
                 *(f"ev.card.place.{f.value}" for f in EventFormat),
                 *(f"ev.kind.{k.value}" for k in EventKind))
"""Message ids the outbox renders for an announcement (composed ids, listed for the tests)."""


def kind_label(ctx: Context, kind: EventKind) -> str:
    return ctx._(f"ev.kind.{kind.value}")


def card_params(event: Event | NewEvent) -> dict[str, Any]:
    """The announcement's parameters: JSON values, moments and phrases rendered per reader."""
    left = event.seats_left if isinstance(event, Event) else event.capacity
    seats: object = ""
    if left is not None:
        seats = ({"plural": "ev.card.seats_left", "n": left} if left > 0
                 else {"msg": "ev.card.no_seats"})
    address = ""
    if event.address and event.format is not EventFormat.ONLINE:
        address = f"\n📍 {event.address}"
    details = ""
    if event.speaker:
        details += f"\n🎤 {event.speaker}"
    if event.description:
        details += f"\n\n{event.description}"
    return {
        "kind": {"msg": f"ev.kind.{event.kind.value}"},
        "title": event.title,
        "at": {"at": event.starts_at.isoformat()},
        "duration": {"plural": "count.minutes", "n": event.duration_minutes},
        "seats": seats,
        "place": {"msg": f"ev.card.place.{event.format.value}"},
        "address": address,
        "details": details,
    }


def card_text(ctx: Context, event: Event | NewEvent) -> str:
    """The card as the acting person reads it (their language, their zone)."""
    values = {name: _value(ctx, value) for name, value in card_params(event).items()}
    return ctx._("ev.card", **values)


def when(ctx: Context, moment: datetime) -> str:
    return format_moment(moment, ctx.actor.timezone, ctx.actor.locale)


def _value(ctx: Context, value: object) -> object:
    if isinstance(value, dict) and "at" in value:
        return when(ctx, datetime.fromisoformat(str(value["at"])))
    if isinstance(value, dict) and "plural" in value:
        return ctx._n(str(value["plural"]), int(value["n"]))
    if isinstance(value, dict) and "msg" in value:
        return ctx._(str(value["msg"]))
    return value


def announcement_buttons(event_id: int) -> ButtonRows:
    eid = str(event_id)
    return [
        [action_button("ev.btn.go", "ev.go", eid), action_button("ev.btn.no", "ev.no", eid)],
        [action_button("ev.btn.ics", "ev.ics", eid), action_button("ev.btn.more", "ev.more", eid)],
    ]


async def announce(ctx: Context, event: Event, group_ids: list[int]) -> int:
    """Enqueue the card for everyone the event is for and for its groups' chats; returns how
    many accounts it goes to. Never twice to one account for one event."""
    recipients = set(await ctx.repos.events.audience_account_ids(event.id))
    recipients.update(await chat_accounts(ctx, group_ids))
    now, params = ctx.now(), card_params(event)
    messages = [
        NewMessage(key=f"event:{event.id}:announce:{account_id}", account_id=account_id,
                   not_before=now, expires_at=event.starts_at, message_key="ev.card",
                   params=params, buttons=announcement_buttons(event.id))
        for account_id in sorted(recipients)
    ]
    if await ctx.repos.outbox.enqueue_many(messages, now):
        ctx.outbox_changed = True
    return len(recipients)


async def chat_accounts(ctx: Context, group_ids: list[int]) -> list[int]:
    """The reachable group chats tied to these groups."""
    found: list[int] = []
    for group_id in group_ids:
        group = await ctx.repos.groups.get(group_id)
        chat = await ctx.repos.accounts.by_id(group.chat_account_id) if group and (
            group.chat_account_id is not None) else None
        if chat is not None and chat.reachable:
            found.append(chat.id)
    return found


# -- the viewer's side -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Standing:
    """Where the acting person stands with an event."""

    seat: Seat | None
    position: int | None
    """Their place on the waitlist, from 1."""
    organizer: bool

    @property
    def registered(self) -> bool:
        return self.seat in (Seat.GOING, Seat.WAITLIST)


async def event_from(ctx: Context, msg: Inbound) -> Event | Reply:
    """The event a button names, or the answer for a forged, deleted or cancelled one."""
    event_id = int_arg(msg.action_args)
    event = await ctx.repos.events.get(event_id) if event_id is not None else None
    if event is None:
        ctx.notice = ctx._("ev.gone")
        return Reply(ctx._("ev.gone"))
    if event.cancelled:
        ctx.notice = ctx._("ev.is_cancelled", title=event.title)
        return Reply(ctx._("ev.is_cancelled", title=event.title))
    return event


async def standing(ctx: Context, event: Event) -> Standing:
    teacher, account = ctx.actor.teacher, ctx.actor.account
    seat = await ctx.repos.events.seat_of(event.id, teacher.id) if teacher else None
    position = None
    if teacher and seat is Seat.WAITLIST:
        waiting = await ctx.repos.events.teacher_ids(event.id, [Seat.WAITLIST])
        position = waiting.index(teacher.id) + 1 if teacher.id in waiting else None
    organizer = (teacher is not None and event.organizer_teacher_id == teacher.id) or (
        account is not None and event.organizer_account_id == account.id)
    return Standing(seat, position, organizer)


async def invited(ctx: Context, event: Event) -> bool:
    """Whether the event is for the acting teacher (its groups, or their part of the network)."""
    teacher = ctx.actor.teacher
    if teacher is None:
        return False
    return await ctx.repos.events.is_upcoming_for(event.id, teacher.id, ctx.now())


async def may_view(ctx: Context, event: Event, mine: Standing) -> bool:
    """Coordinators, the organizer, anyone who answered, and the people the event is for."""
    if Role.COORDINATOR in ctx.actor.roles or mine.organizer or mine.seat is not None:
        return True
    return await invited(ctx, event)


def not_for_viewer(ctx: Context, event: Event) -> Reply:
    """The answer to someone the event is not (or no longer) open to."""
    if event.starts_at <= ctx.now():
        return Reply(ctx._("ev.closed", title=event.title))
    return Reply(ctx._("ev.not_invited"))


def link_line(ctx: Context, event: Event) -> str | None:
    if event.link and event.format is not EventFormat.OFFLINE:
        return ctx._("ev.link_line", link=event.link)
    return None


async def viewer_card(ctx: Context, event: Event, mine: Standing | None = None) -> Reply:
    """The card with the viewer's standing: the link only for people going and the organizer."""
    mine = mine or await standing(ctx, event)
    started = event.starts_at <= ctx.now()
    lines = [card_text(ctx, event)]
    if mine.seat is Seat.GOING:
        lines.append(ctx._("ev.you_going"))
    elif mine.seat is Seat.WAITLIST:
        lines.append(ctx._("ev.you_waiting", number=mine.position or 1))
    elif mine.seat is Seat.DECLINED:
        lines.append(ctx._("ev.you_declined"))
    if (mine.seat is Seat.GOING or mine.organizer) and (link := link_line(ctx, event)):
        lines.append(link)
    if started:
        lines.append(ctx._("ev.registration_closed"))
    eid = (str(event.id),)
    rows: list[tuple[AnyButton, ...]] = []
    if not started and mine.registered:
        rows.append((Button(ctx._("ev.btn.unregister"), "ev.unreg", eid),))
    elif not started and await invited(ctx, event):
        rows.append((Button(ctx._("ev.btn.go"), "ev.go", eid),
                     Button(ctx._("ev.btn.no"), "ev.no", eid)))
    rows.append((Button(ctx._("ev.btn.ics"), "ev.ics", eid),))
    if mine.organizer:
        rows.append((Button(ctx._("ev.btn.manage"), "ev.manage", eid),))
    text = lines[0] + ("\n\n" + "\n".join(lines[1:]) if lines[1:] else "")
    return Reply(text, tuple(rows))


async def personal(ctx: Context, replies: list[Reply]) -> list[Reply]:
    """Replies about someone's own registration stay out of group chats: there they go to the
    person's private chat through the outbox, and the chat sees only a short notice."""
    account = ctx.actor.account
    if ctx.inbound.is_private:
        return replies
    ctx.notice = ctx._("ev.answered_privately")
    if account is None:
        return []
    now = ctx.now()
    origin = ctx.inbound.update_id or now.isoformat()
    for number, reply in enumerate(r for r in replies if r.text):
        buttons = [[{"text": b.label, "action": b.action, "args": list(b.args)}
                    for b in row if isinstance(b, Button)] for row in reply.keyboard]
        ctx.outbox_changed |= await ctx.repos.outbox.enqueue(NewMessage(
            key=f"event:private:{ctx.inbound.platform}:{origin}:{number}",
            account_id=account.id, not_before=now, text=reply.text, buttons=buttons), now)
    return []

"""«В календарь»: the event as an .ics file (iCalendar, RFC 5545) that any calendar app imports.

The UID is the same for every download of one event, so importing it again updates the entry
instead of adding a second one. Times are in UTC, which every calendar shows in its own zone.
The link goes into the file only for people going and for the organizer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from bot.core.context import Context
from bot.core.model import Attachment, Inbound, Reply
from bot.core.router import Replies, Router
from handlers.events.cards import (
    event_from,
    kind_label,
    may_view,
    not_for_viewer,
    personal,
    standing,
    viewer_card,
)
from handlers.events.rsvp import VIEWERS
from storage.events import Event, EventFormat, Seat

FILE_NAME = "event.ics"
MIME = "text/calendar"

router = Router("events.calendar")


@router.action("ev.ics", roles=VIEWERS)
async def on_calendar(ctx: Context, msg: Inbound) -> Replies:
    event = await event_from(ctx, msg)
    if isinstance(event, Reply):
        return [event] if ctx.inbound.is_private else []
    mine = await standing(ctx, event)
    if not await may_view(ctx, event, mine):
        return await personal(ctx, [not_for_viewer(ctx, event)])
    if not ctx.inbound.is_private:  # a file in a group chat would be everyone's: the card instead
        return await personal(ctx, [await viewer_card(ctx, event, mine)])
    with_link = mine.seat is Seat.GOING or mine.organizer
    content = calendar_file(event, ctx.now(), kind=kind_label(ctx, event.kind),
                            speaker_label=ctx._("ev.ics.speaker"), with_link=with_link)
    return Reply(ctx._("ev.ics.caption", title=event.title),
                 attachment=Attachment(FILE_NAME, content, MIME))


def calendar_file(
    event: Event, now: datetime, *, kind: str, speaker_label: str, with_link: bool
) -> bytes:
    link = event.link if with_link and event.format is not EventFormat.OFFLINE else None
    parts = [f"{kind}: {event.title}"]
    if event.description:
        parts.append(event.description)
    if event.speaker:
        parts.append(f"{speaker_label}: {event.speaker}")
    if link:
        parts.append(link)
    entry = icalendar.Event()
    entry.add("uid", f"kollega-event-{event.id}")
    entry.add("dtstamp", now.astimezone(UTC))
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", (event.starts_at + timedelta(minutes=event.duration_minutes))
              .astimezone(UTC))
    entry.add("summary", event.title)
    entry.add("description", "\n\n".join(parts))
    if event.address and event.format is not EventFormat.ONLINE:
        entry.add("location", event.address)
    if link:
        entry.add("url", link)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kollega//Kollega bot//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    content: bytes = calendar.to_ical()
    return content

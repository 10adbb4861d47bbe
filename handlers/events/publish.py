"""/newevent, last steps: capacity, speaker, then the card exactly as readers will see it with
the number of people it reaches → «Опубликовать» (rights checked again, the event stored and
announced through the outbox) or «Отменить»."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import GROUP_ADMINS
from bot.core.router import Replies, Router
from handlers.dates import DateProblem
from handlers.events.audience import audience_label, chosen_groups, reach, still_allowed
from handlers.events.cards import announce, card_text, viewer_card
from handlers.events.fields import (
    CAPACITY,
    PREVIEW,
    SPEAKER,
    WHEN,
    cancel_button,
    read_capacity,
    valid_speaker,
    with_cancel,
)
from storage.events import EventFormat, EventKind, NewEvent

router = Router("events.publish")


@router.answer(CAPACITY)
async def on_capacity(ctx: Context, msg: Inbound) -> Replies:
    capacity = read_capacity(ctx, msg.text)
    if isinstance(capacity, Reply):
        return capacity
    return _ask_speaker(ctx, capacity)


@router.action("ev.new.no_limit", roles=GROUP_ADMINS, states={CAPACITY})
async def on_no_limit(ctx: Context, msg: Inbound) -> Replies:
    return _ask_speaker(ctx, None)


@router.answer(SPEAKER)
async def on_speaker(ctx: Context, msg: Inbound) -> Replies:
    speaker = valid_speaker(ctx, msg.text)
    if isinstance(speaker, Reply):
        return speaker
    return await _preview(ctx, speaker)


@router.action("ev.new.no_speaker", roles=GROUP_ADMINS, states={SPEAKER})
async def on_no_speaker(ctx: Context, msg: Inbound) -> Replies:
    return await _preview(ctx, None)


@router.answer(PREVIEW)
async def on_text_at_preview(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


@router.action("ev.new.publish", roles=GROUP_ADMINS, states={PREVIEW})
async def on_publish(ctx: Context, msg: Inbound) -> Replies:
    if not await still_allowed(ctx):  # admin rights or groups may have gone since the preview
        ctx.dialog.clear()
        return Reply(ctx._("access.denied"), edit=True)
    now = ctx.now()
    if datetime.fromisoformat(ctx.dialog.get("starts_at")) <= now:
        ctx.dialog.go(WHEN)
        return Reply(ctx._(f"ev.date.{DateProblem.PAST.value}"), with_cancel(ctx))
    account = ctx.actor.account or await ctx.repos.accounts.ensure(
        ctx.actor.platform, ctx.actor.user_id, ctx.actor.chat_id, now)
    teacher = ctx.actor.teacher
    groups = [g.id for g in await chosen_groups(ctx)]
    draft = _draft(ctx, group_ids=tuple(groups), organizer_account_id=account.id,
                   organizer_teacher_id=teacher.id if teacher else None)
    event_id = await ctx.repos.events.create(draft, now)
    event = await ctx.repos.events.get(event_id)
    assert event is not None
    told = await announce(ctx, event, groups)
    ctx.dialog.clear()
    return [Reply(ctx._("ev.new.published", title=event.title,
                        recipients=ctx._n("count.recipients", told)), edit=True),
            await viewer_card(ctx, event)]


# -- steps --------------------------------------------------------------------------------------

def _ask_speaker(ctx: Context, capacity: int | None) -> Reply:
    ctx.dialog.go(SPEAKER, capacity=capacity)
    skip = Button(ctx._("ev.new.btn.no_speaker"), "ev.new.no_speaker")
    return Reply(ctx._("ev.new.ask_speaker"), with_cancel(ctx, skip))


def _draft(
    ctx: Context, *, group_ids: tuple[int, ...] = (), organizer_teacher_id: int | None = None,
    organizer_account_id: int | None = None,
) -> NewEvent:
    data = ctx.dialog
    network = bool(data.get("network"))
    return NewEvent(
        kind=EventKind(data.get("kind")), title=data.get("title"),
        starts_at=datetime.fromisoformat(data.get("starts_at")),
        duration_minutes=int(data.get("duration")), format=EventFormat(data.get("format")),
        description=data.get("about"), link=data.get("link"), address=data.get("address"),
        capacity=data.get("capacity"), speaker=data.get("speaker"), for_network=network,
        municipality_id=data.get("municipality_id") if network else None,
        subject_id=data.get("subject_id") if network else None,
        group_ids=group_ids, organizer_teacher_id=organizer_teacher_id,
        organizer_account_id=organizer_account_id,
    )


async def _preview(ctx: Context, speaker: str | None) -> Replies:
    ctx.dialog.go(PREVIEW, speaker=speaker)
    people, chats = await reach(ctx)
    summary = [ctx._("ev.new.preview_reach", audience=await audience_label(ctx),
                     recipients=ctx._n("count.teachers", people))]
    if chats:
        summary.append(ctx._n("ev.new.preview_chats", chats))
    if ctx.dialog.get("link"):
        summary.append(ctx._("ev.new.preview_link", link=ctx.dialog.get("link")))
    buttons = ((Button(ctx._("ev.new.btn.publish"), "ev.new.publish"),), (cancel_button(ctx),))
    return [Reply(ctx._("ev.new.preview_title")),
            Reply(card_text(ctx, _draft(ctx))),
            Reply("\n".join(summary), buttons)]

"""/matching: a teacher's own matching settings — a peer group, a mentor, how many mentees they
take, a pause that ends by itself, or not taking part at all.

Every button re-reads the teacher and their preferences on the server; the mentee count is for
mentors only, whatever button data arrives.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import REGISTERED, Role
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.matching.periods import (
    LONGEST_PAUSE,
    PAUSES,
    after,
    example_day,
    local_day,
    parse_day,
    start_of,
)
from storage.matching import Preferences

PAUSE_DATE = "mt.pause_date"
CAPACITIES = (1, 2, 3, 4, 5)
FIELDS = {"peer": "wants_peer_group", "mentor": "wants_mentor", "optout": "opted_out"}

router = Router("matching_preferences")


@router.command("matching", roles=REGISTERED, help="help.matching")
async def show(ctx: Context, msg: Inbound) -> Replies:
    if ctx.dialog.state == PAUSE_DATE:
        ctx.dialog.clear()
    return await _card(ctx)


@router.action("mt.status", roles=REGISTERED)
async def back_to_card(ctx: Context, msg: Inbound) -> Replies:
    if ctx.dialog.state == PAUSE_DATE:
        ctx.dialog.clear()
    return await _card(ctx, edit=True)


@router.action("mt.pref", roles=REGISTERED)
async def on_toggle(ctx: Context, msg: Inbound) -> Replies:
    args = msg.action_args
    if len(args) != 2 or args[0] not in FIELDS or args[1] not in ("0", "1"):
        return Reply(ctx._("button.unknown"))
    await ctx.repos.matching.set_preferences(_teacher_id(ctx), **{FIELDS[args[0]]: args[1] == "1"})
    ctx.notice = ctx._("mt.saved")
    return await _card(ctx, edit=True)


@router.action("mt.cap_menu", roles=REGISTERED)
async def on_capacity_menu(ctx: Context, msg: Inbound) -> Replies:
    if Role.MENTOR not in ctx.actor.roles:
        return Reply(ctx._("access.denied"))
    row = tuple(Button(str(n), "mt.cap", (str(n),)) for n in CAPACITIES)
    return Reply(ctx._("mt.capacity_ask"), (row, (_back(ctx),)), edit=True)


@router.action("mt.cap", roles=REGISTERED)
async def on_capacity(ctx: Context, msg: Inbound) -> Replies:
    if Role.MENTOR not in ctx.actor.roles:
        return Reply(ctx._("access.denied"))
    capacity = int_arg(msg.action_args)
    if capacity not in CAPACITIES:
        return Reply(ctx._("button.unknown"))
    await ctx.repos.matching.set_preferences(_teacher_id(ctx), mentor_capacity=capacity)
    ctx.notice = ctx._("mt.saved")
    return await _card(ctx, edit=True)


@router.action("mt.pause_menu", roles=REGISTERED)
async def on_pause_menu(ctx: Context, msg: Inbound) -> Replies:
    rows = tuple((Button(ctx._(f"mt.pause.{p}"), "mt.pause", (p,)),) for p in PAUSES)
    until_date = (Button(ctx._("mt.pause_until_date"), "mt.pause_date"),)
    return Reply(ctx._("mt.pause_ask"), (*rows, until_date, (_back(ctx),)), edit=True)


@router.action("mt.pause", roles=REGISTERED)
async def on_pause(ctx: Context, msg: Inbound) -> Replies:
    period = msg.action_args[0] if len(msg.action_args) == 1 else ""
    if period not in PAUSES:
        return Reply(ctx._("button.unknown"))
    until = after(period, ctx.now())
    await ctx.repos.matching.set_preferences(_teacher_id(ctx), paused_until=until)
    ctx.notice = ctx._("mt.saved")
    return await _card(ctx, edit=True)


@router.action("mt.pause_date", roles=REGISTERED)
async def on_pause_date(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.start(PAUSE_DATE)
    example = example_day(ctx.now(), ctx.actor.timezone)
    return Reply(ctx._("mt.pause_ask_date", example=example), ((_back(ctx),),), edit=True)


@router.answer(PAUSE_DATE)
async def on_typed_date(ctx: Context, msg: Inbound) -> Replies:
    zone, now = ctx.actor.timezone, ctx.now()
    example = example_day(now, zone)
    day = parse_day(msg.text) if len(msg.text) <= 40 else None
    if day is None:
        return Reply(ctx._("mt.pause_bad_date", example=example))
    today = now.astimezone(zone).date()
    if day <= today:
        return Reply(ctx._("mt.pause_past_date", example=example))
    if day - today > LONGEST_PAUSE:
        return Reply(ctx._("mt.pause_too_long"))
    await ctx.repos.matching.set_preferences(_teacher_id(ctx), paused_until=start_of(day, zone))
    ctx.dialog.clear()
    return await _card(ctx)


@router.action("mt.unpause", roles=REGISTERED)
async def on_unpause(ctx: Context, msg: Inbound) -> Replies:
    await ctx.repos.matching.set_preferences(_teacher_id(ctx), paused_until=None)
    ctx.notice = ctx._("mt.saved")
    return await _card(ctx, edit=True)


# -- the card -----------------------------------------------------------------------------------

def _teacher_id(ctx: Context) -> int:
    teacher = ctx.actor.teacher
    assert teacher is not None, "the routes are for registered teachers"
    return teacher.id


async def _card(ctx: Context, *, edit: bool = False) -> Reply:
    teacher_id = _teacher_id(ctx)
    prefs = await ctx.repos.matching.preferences(teacher_id)
    profile = await ctx.repos.teachers.profile(teacher_id)
    topics = profile.topics if profile else ()
    lines = [ctx._("mt.status_title"), *_status(ctx, prefs)]
    if topics:
        lines.append(ctx._("mt.status_topics", topics=", ".join(topics)))
    else:
        lines.append(ctx._("mt.status_no_topics"))
    return Reply("\n".join(lines), _buttons(ctx, prefs), edit=edit)


def _status(ctx: Context, prefs: Preferences) -> list[str]:
    lines = [
        ctx._("mt.status_peer_on") if prefs.wants_peer_group else ctx._("mt.status_peer_off"),
        ctx._("mt.status_mentor_on") if prefs.wants_mentor else ctx._("mt.status_mentor_off"),
    ]
    if Role.MENTOR in ctx.actor.roles:
        lines.append(ctx._("mt.status_capacity", n=prefs.mentor_capacity))
    if prefs.opted_out:
        lines.append(ctx._("mt.status_opted_out"))
    elif prefs.paused(ctx.now()) and prefs.paused_until is not None:
        lines.append(ctx._("mt.status_paused",
                           date=local_day(prefs.paused_until, ctx.actor.timezone)))
    return lines


def _buttons(ctx: Context, prefs: Preferences) -> tuple[tuple[AnyButton, ...], ...]:
    def toggle(label: str, field: str, now_on: bool) -> tuple[AnyButton, ...]:
        return (Button(label, "mt.pref", (field, "0" if now_on else "1")),)

    peer, mentor, out = prefs.wants_peer_group, prefs.wants_mentor, prefs.opted_out
    rows = [
        toggle(ctx._("mt.btn_peer_off") if peer else ctx._("mt.btn_peer_on"), "peer", peer),
        toggle(ctx._("mt.btn_mentor_off") if mentor else ctx._("mt.btn_mentor_on"), "mentor",
               mentor),
    ]
    if Role.MENTOR in ctx.actor.roles:
        label = ctx._("mt.btn_capacity", n=prefs.mentor_capacity)
        rows.append((Button(label, "mt.cap_menu"),))
    if prefs.paused(ctx.now()):
        rows.append((Button(ctx._("mt.btn_unpause"), "mt.unpause"),))
    else:
        rows.append((Button(ctx._("mt.btn_pause"), "mt.pause_menu"),))
    rows.append(toggle(ctx._("mt.btn_opt_in") if out else ctx._("mt.btn_opt_out"), "optout", out))
    return tuple(rows)


def _back(ctx: Context) -> Button:
    return Button(ctx._("mt.back"), "mt.status")

"""Questions with a short, fixed set of answers: position, time zone, mentoring."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply, columns
from bot.core.router import Replies, Router
from handlers.common import clean_text
from handlers.questions import flow
from handlers.questions.zones import OFFERED, find_zone, zone_offset

POSITIONS = ("teacher", "deputy", "director", "methodist", "extra_ed", "educator", "other")
POSITION = flow.state_of("position")
TIMEZONE = flow.state_of("timezone")
MENTOR = flow.state_of("mentor")

router = Router("questions.choices")


# -- position ------------------------------------------------------------------------------------

@flow.asks("position")
async def ask_position(ctx: Context) -> Reply:
    buttons = [Button(ctx._(f"position.{code}"), "q.pos", (code,)) for code in POSITIONS]
    return Reply(ctx._("q.position.ask"), columns(buttons, 2))


@router.action("q.pos", states={POSITION})
async def on_position(ctx: Context, msg: Inbound) -> Replies:
    code = msg.action_args[0] if msg.action_args else ""
    if code not in POSITIONS:
        return [Reply(ctx._("q.use_buttons")), await ask_position(ctx)]
    return await flow.answered(ctx, "position", position=code)


@router.answer(POSITION)
async def on_position_typed(ctx: Context, msg: Inbound) -> Replies:
    return [Reply(ctx._("q.use_buttons")), await ask_position(ctx)]


# -- time zone -----------------------------------------------------------------------------------

@flow.asks("timezone")
async def ask_timezone(ctx: Context) -> Reply:
    now = ctx.now()
    buttons = [
        Button(f"{ctx._(key)} ({zone_offset(zone, now)})", "q.tz", (zone,)) for zone, key in OFFERED
    ]
    return Reply(ctx._("q.timezone.ask"), columns(buttons, 2))


@router.action("q.tz", states={TIMEZONE})
async def on_timezone(ctx: Context, msg: Inbound) -> Replies:
    zone = msg.action_args[0] if msg.action_args else ""
    if zone not in {name for name, _ in OFFERED}:
        return [Reply(ctx._("q.use_buttons")), await ask_timezone(ctx)]
    return await flow.answered(ctx, "timezone", timezone=zone)


@router.answer(TIMEZONE)
async def on_timezone_typed(ctx: Context, msg: Inbound) -> Replies:
    zone = find_zone(ctx, clean_text(msg.text)[:64])
    if zone is None:
        return Reply(ctx._("q.timezone.unknown"))
    return await flow.answered(ctx, "timezone", timezone=zone)


# -- mentoring -----------------------------------------------------------------------------------

@flow.asks("mentor")
async def ask_mentor(ctx: Context) -> Reply:
    return Reply(
        ctx._("q.mentor.ask"),
        ((Button(ctx._("q.mentor.yes"), "q.mentor", ("1",)),
          Button(ctx._("q.mentor.no"), "q.mentor", ("0",))),),
    )


@router.action("q.mentor", states={MENTOR})
async def on_mentor(ctx: Context, msg: Inbound) -> Replies:
    if msg.action_args not in {("1",), ("0",)}:
        return [Reply(ctx._("q.use_buttons")), await ask_mentor(ctx)]
    return await flow.answered(ctx, "mentor", wants_to_mentor=msg.action_args == ("1",))


@router.answer(MENTOR)
async def on_mentor_typed(ctx: Context, msg: Inbound) -> Replies:
    return [Reply(ctx._("q.use_buttons")), await ask_mentor(ctx)]

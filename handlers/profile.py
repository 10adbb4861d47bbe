"""/profile: the teacher's profile, and editing any field with the registration questions."""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.model import Inbound, Reply
from bot.core.roles import REGISTERED
from bot.core.router import Replies, Router
from handlers.profile_card import profile_card
from handlers.questions import flow

router = Router("profile")


@router.command("profile", roles=REGISTERED, help="help.profile")
@router.action("pf.show", roles=REGISTERED)
async def show_profile(ctx: Context, msg: Inbound) -> Replies:
    assert ctx.actor.teacher is not None
    return await profile_card(ctx, ctx.actor.teacher.id)


@router.action("pf.edit", roles=REGISTERED)
async def edit_field(ctx: Context, msg: Inbound) -> Replies:
    teacher = ctx.actor.teacher
    assert teacher is not None
    field = msg.action_args[0] if msg.action_args else ""
    if field not in flow.EDITABLE:
        return Reply(ctx._("button.unknown"))
    prefill: dict[str, Any] = {}
    if field == "subjects":
        prefill["subject_ids"] = await ctx.repos.teachers.subject_ids(teacher.id)
    if field == "topics":
        prefill["topic_ids"] = await ctx.repos.teachers.topic_ids(teacher.id)
    return await flow.begin(ctx, "edit", flow.EDITABLE[field], prefill=prefill)

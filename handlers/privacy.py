"""/delete_me: erase everything personal after a confirmation (152-ФЗ)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import REGISTERED
from bot.core.router import Replies, Router

router = Router("privacy")


@router.command("delete_me", roles=REGISTERED, help="help.delete_me")
@router.action("pv.ask", roles=REGISTERED)
async def ask_delete(ctx: Context, msg: Inbound) -> Replies:
    return Reply(
        ctx._("privacy.confirm"),
        ((Button(ctx._("privacy.yes"), "pv.yes"),), (Button(ctx._("privacy.no"), "pv.no"),)),
    )


@router.action("pv.yes", roles=REGISTERED)
async def delete(ctx: Context, msg: Inbound) -> Replies:
    teacher = ctx.actor.teacher
    assert teacher is not None
    for account in await ctx.repos.accounts.for_teacher(teacher.id):
        await ctx.repos.dialogs.clear(account.platform, account.external_id)
    await ctx.repos.accounts.delete_for_teacher(teacher.id)
    await ctx.repos.teachers.erase(teacher.id, ctx.now())
    ctx.dialog.clear()
    return Reply(ctx._("privacy.erased"), edit=True)


@router.action("pv.no", roles=REGISTERED)
async def keep(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("privacy.kept"), edit=True)

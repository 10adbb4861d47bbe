"""/groups, /join: a teacher's groups, open groups on their topics, joining and leaving."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import REGISTERED, Role
from bot.core.router import Replies, Router
from handlers.groups.cards import gone, group_card, group_from, viewer_role
from handlers.groups.chats import bind_chat
from handlers.groups.invites import join_by_code
from handlers.groups.notify import tell_admins
from storage.groups import Group, MemberRole

MEMBERS = REGISTERED | {Role.COORDINATOR}
LIST_LIMIT = 20

router = Router("groups")


@router.command("groups", roles=MEMBERS, help="help.groups")
async def groups(ctx: Context, msg: Inbound) -> Replies:
    return await _overview(ctx)


@router.action("gr.list", roles=MEMBERS)
async def on_list(ctx: Context, msg: Inbound) -> Replies:
    return await _overview(ctx, edit=True)


@router.command("join", roles=REGISTERED, help="help.join", in_groups=True)
async def join_command(ctx: Context, msg: Inbound) -> Replies:
    code = msg.args.strip()
    if not msg.is_private:
        return await bind_chat(ctx, code)
    if not code:
        return Reply(ctx._("gr.join_usage"))
    return await join_by_code(ctx, code)


@router.action("gr.open", roles=MEMBERS)
async def on_open(ctx: Context, msg: Inbound) -> Replies:
    group = await group_from(ctx, msg)
    if group is None or (group.archived and not await _is_member(ctx, group)):
        return gone(ctx)
    return await group_card(ctx, group, edit=True)


@router.action("gr.join", roles=REGISTERED)
async def on_join(ctx: Context, msg: Inbound) -> Replies:
    group = await group_from(ctx, msg)
    teacher = ctx.actor.teacher
    if group is None or group.archived or teacher is None:
        return gone(ctx)
    if await viewer_role(ctx, group) is not None:
        ctx.notice = ctx._("gr.already_member", group=group.name)
        return await group_card(ctx, group, edit=True)
    if not group.open:
        return Reply(ctx._("gr.closed_join"))
    if group.full:
        return Reply(ctx._("gr.full", group=group.name))
    await ctx.repos.groups.add_member(group.id, teacher.id, MemberRole.MEMBER, ctx.now())
    await tell_admins(ctx, group, "gr.note.joined", name=teacher.full_name or "")
    ctx.notice = ctx._("gr.joined", group=group.name)
    return [Reply(ctx._("gr.joined", group=group.name)), await _card(ctx, group.id)]


@router.action("gr.leave", roles=REGISTERED)
async def on_leave(ctx: Context, msg: Inbound) -> Replies:
    group = await group_from(ctx, msg)
    if group is None or not await _is_member(ctx, group):
        return gone(ctx)
    gid = (str(group.id),)
    return Reply(
        ctx._("gr.leave_confirm", group=group.name),
        ((Button(ctx._("gr.btn.leave_yes"), "gr.leave_ok", gid),
          Button(ctx._("gr.btn.stay"), "gr.open", gid)),),
        edit=True,
    )


@router.action("gr.leave_ok", roles=REGISTERED)
async def on_leave_ok(ctx: Context, msg: Inbound) -> Replies:
    group = await group_from(ctx, msg)
    teacher = ctx.actor.teacher
    if group is None or teacher is None or not await _is_member(ctx, group):
        ctx.notice = ctx._("gr.not_member")
        return Reply(ctx._("gr.not_member"), edit=True)
    await ctx.repos.groups.remove_member(group.id, teacher.id)
    await tell_admins(ctx, group, "gr.note.left", name=teacher.full_name or "")
    return Reply(ctx._("gr.left", group=group.name),
                 ((Button(ctx._("gr.btn.list"), "gr.list"),),), edit=True)


# -- helpers ------------------------------------------------------------------------------------

async def _overview(ctx: Context, edit: bool = False) -> Reply:
    teacher = ctx.actor.teacher
    mine = await ctx.repos.groups.of_teacher(teacher.id) if teacher else []
    offered = await ctx.repos.groups.open_for(teacher.id) if teacher else []
    managed: list[Group] = []
    if Role.COORDINATOR in ctx.actor.roles:
        taken = {g.id for g in mine}
        managed = [g for g in await ctx.repos.groups.active() if g.id not in taken]
    lines: list[str] = []
    rows: list[tuple[AnyButton, ...]] = []
    for title, found in (("gr.mine", mine), ("gr.offered", offered), ("gr.all", managed)):
        if found:
            lines.append(ctx._(title))
            rows.extend((Button(_label(ctx, g), "gr.open", (str(g.id),)),)
                        for g in found[:LIST_LIMIT])
    if not lines:
        return Reply(ctx._("gr.none"), edit=edit)
    if len(managed) > LIST_LIMIT:
        lines.append(ctx._n("gr.more_groups", len(managed) - LIST_LIMIT))
    return Reply("\n".join(lines), tuple(rows), edit=edit)


def _label(ctx: Context, group: Group) -> str:
    return f"{group.name} · {ctx._n('count.members', group.members)}"


async def _card(ctx: Context, group_id: int) -> Reply:
    group = await ctx.repos.groups.get(group_id)
    assert group is not None
    return await group_card(ctx, group)


async def _is_member(ctx: Context, group: Group) -> bool:
    return await viewer_role(ctx, group) is not None

"""A group as a card: what it is, who is in it, and the buttons the viewer may use."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import Role
from handlers.common import int_arg
from storage.groups import Group, MemberRole


async def group_from(ctx: Context, msg: Inbound, index: int = 0) -> Group | None:
    """The group a button names (None for a forged or deleted one)."""
    group_id = int_arg(msg.action_args, index)
    return await ctx.repos.groups.get(group_id) if group_id is not None else None


def gone(ctx: Context) -> Reply:
    ctx.notice = ctx._("gr.gone")
    return Reply(ctx._("gr.gone"))


async def viewer_role(ctx: Context, group: Group) -> MemberRole | None:
    teacher = ctx.actor.teacher
    return await ctx.repos.groups.role_of(group.id, teacher.id) if teacher else None


async def may_manage(ctx: Context, group: Group) -> bool:
    """Coordinators manage every group; a group admin manages their own."""
    if Role.COORDINATOR in ctx.actor.roles:
        return True
    return await viewer_role(ctx, group) is MemberRole.ADMIN


async def managed(ctx: Context, msg: Inbound) -> Group | Reply:
    """The active group a button names, if the actor may manage it; else the answer to give."""
    return await checked(ctx, await group_from(ctx, msg))


async def checked(ctx: Context, group: Group | None) -> Group | Reply:
    if group is None or group.archived:
        return gone(ctx)
    if not await may_manage(ctx, group):  # every time: admin rights can be taken away
        return Reply(ctx._("access.denied"))
    return group


def card_text(ctx: Context, group: Group) -> str:
    lines = [ctx._("gr.card.title", group=group.name), ctx._(f"gr.kind.{group.kind.value}")]
    if group.topic:
        lines.append(ctx._("gr.card.topic", topic=group.topic))
    if group.description:
        lines.append(group.description)
    members = ctx._n("count.members", group.members)
    if group.size_limit:
        lines.append(ctx._("gr.card.members_of", members=members, limit=group.size_limit))
    else:
        lines.append(ctx._("gr.card.members", members=members))
    if group.archived:
        lines.append(ctx._("gr.card.archived"))
    elif not group.open:
        lines.append(ctx._("gr.card.closed"))
    return "\n".join(lines)


async def group_card(ctx: Context, group: Group, *, edit: bool = False) -> Reply:
    role = await viewer_role(ctx, group)
    manager = await may_manage(ctx, group)
    gid = (str(group.id),)
    rows: list[tuple[AnyButton, ...]] = []
    if role is None and group.open and not group.archived and not group.full:
        rows.append((Button(ctx._("gr.btn.join"), "gr.join", gid),))
    if role is not None or manager:
        rows.append((Button(ctx._("gr.btn.members"), "gr.members", gid),))
    if manager and not group.archived:
        rows.append((Button(ctx._("gr.btn.invite"), "gr.invite", gid),
                     Button(ctx._("gr.btn.edit"), "gr.edit", gid)))
        rows.append((Button(ctx._("gr.btn.archive"), "gr.archive", gid),))
    if role is not None and not group.archived:
        rows.append((Button(ctx._("gr.btn.leave"), "gr.leave", gid),))
    rows.append((Button(ctx._("gr.btn.list"), "gr.list"),))
    return Reply(card_text(ctx, group), tuple(rows), edit=edit)

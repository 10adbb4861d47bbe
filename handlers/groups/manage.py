"""A group's admin (or a coordinator) at work: members, removing one, invitations, archiving."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.links import invite_link
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.groups.browse import MEMBERS
from handlers.groups.cards import gone, group_card, group_from, managed, may_manage, viewer_role
from handlers.groups.invites import new_code
from handlers.notify import notify
from storage.groups import Group, Member, MemberRole

router = Router("groups.manage")

MEMBERS_PER_PAGE = 10


@router.action("gr.members", roles=MEMBERS)
async def on_members(ctx: Context, msg: Inbound) -> Replies:
    group = await group_from(ctx, msg)
    if group is None:
        return gone(ctx)
    manager = await may_manage(ctx, group)
    if not manager and await viewer_role(ctx, group) is None:
        return Reply(ctx._("access.denied"))
    members = await ctx.repos.groups.members(group.id)
    page = min(max(int_arg(msg.action_args, 1) or 0, 0), max(0, (len(members) - 1)
                                                              // MEMBERS_PER_PAGE))
    shown = members[page * MEMBERS_PER_PAGE : (page + 1) * MEMBERS_PER_PAGE]
    lines = [ctx._("gr.members_title", group=group.name,
                   members=ctx._n("count.members", len(members)))]
    lines += [_member_line(ctx, m) for m in shown] or [ctx._("gr.members_none")]
    rows: list[tuple[AnyButton, ...]] = []
    if manager and not group.archived:
        rows += [(Button(ctx._("gr.btn.remove", name=m.full_name), "gr.rm",
                         (str(group.id), str(m.teacher_id))),) for m in shown]
    rows.append(_pager(ctx, group, page, len(members)))
    rows.append((Button(ctx._("gr.btn.back"), "gr.open", (str(group.id),)),))
    return Reply("\n".join(lines), tuple(r for r in rows if r), edit=True)


@router.action("gr.rm", roles=MEMBERS)
async def on_remove(ctx: Context, msg: Inbound) -> Replies:
    found = await _managed_member(ctx, msg)
    if isinstance(found, Reply):
        return found
    group, member = found
    args = (str(group.id), str(member.teacher_id))
    return Reply(
        ctx._("gr.remove_confirm", name=member.full_name, group=group.name),
        ((Button(ctx._("gr.btn.remove_yes"), "gr.rm_ok", args),
          Button(ctx._("gr.btn.back"), "gr.members", (str(group.id),))),),
        edit=True,
    )


@router.action("gr.rm_ok", roles=MEMBERS)
async def on_remove_ok(ctx: Context, msg: Inbound) -> Replies:
    found = await _managed_member(ctx, msg)
    if isinstance(found, Reply):
        return found
    group, member = found
    await ctx.repos.groups.remove_member(group.id, member.teacher_id)
    accounts = await ctx.repos.accounts.for_teacher(member.teacher_id)
    await notify(ctx, [a.id for a in accounts if a.reachable][:1], "gr.note.removed",
                 {"group": group.name})
    ctx.notice = ctx._("gr.removed", name=member.full_name)
    return [Reply(ctx._("gr.removed", name=member.full_name), edit=True),
            await _fresh_card(ctx, group)]


@router.action("gr.invite", roles=MEMBERS)
async def on_invite(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    return _invitation(ctx, group)


@router.action("gr.renew", roles=MEMBERS)
async def on_renew(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    gid = (str(group.id),)
    return Reply(ctx._("gr.renew_confirm"),
                 ((Button(ctx._("gr.btn.renew_yes"), "gr.renew_ok", gid),
                   Button(ctx._("gr.btn.back"), "gr.invite", gid)),), edit=True)


@router.action("gr.renew_ok", roles=MEMBERS)
async def on_renew_ok(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    await ctx.repos.groups.set_code(group.id, await new_code(ctx.repos))
    fresh = await ctx.repos.groups.get(group.id)
    assert fresh is not None
    ctx.notice = ctx._("gr.renewed")
    return _invitation(ctx, fresh)


@router.action("gr.archive", roles=MEMBERS)
async def on_archive(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    gid = (str(group.id),)
    return Reply(ctx._("gr.archive_confirm", group=group.name),
                 ((Button(ctx._("gr.btn.archive_yes"), "gr.archive_ok", gid),
                   Button(ctx._("gr.btn.back"), "gr.open", gid)),), edit=True)


@router.action("gr.archive_ok", roles=MEMBERS)
async def on_archive_ok(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    members = await ctx.repos.groups.member_account_ids([group.id])
    acting = ctx.actor.account.id if ctx.actor.account else None
    await ctx.repos.groups.archive(group.id, ctx.now())
    await notify(ctx, (a for a in members if a != acting), "gr.note.archived",
                 {"group": group.name})
    return Reply(ctx._("gr.archived", group=group.name),
                 ((Button(ctx._("gr.btn.list"), "gr.list"),),), edit=True)


# -- helpers ------------------------------------------------------------------------------------

async def _managed_member(ctx: Context, msg: Inbound) -> tuple[Group, Member] | Reply:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    teacher_id = int_arg(msg.action_args, 1)
    member = next((m for m in await ctx.repos.groups.members(group.id)
                   if m.teacher_id == teacher_id), None)
    if member is None:
        ctx.notice = ctx._("gr.member_gone")
        return Reply(ctx._("gr.member_gone"))
    return group, member


def _member_line(ctx: Context, member: Member) -> str:
    line = f"• {member.full_name}"
    if member.organization:
        line += f", {member.organization}"
    if member.role is not MemberRole.MEMBER:
        line += f" — {ctx._(f'gr.role.{member.role.value}')}"
    return line


def _pager(ctx: Context, group: Group, page: int, total: int) -> tuple[AnyButton, ...]:
    buttons: list[AnyButton] = []
    if page > 0:
        buttons.append(Button(ctx._("button.prev_page"), "gr.members",
                              (str(group.id), str(page - 1))))
    if (page + 1) * MEMBERS_PER_PAGE < total:
        buttons.append(Button(ctx._("button.next_page"), "gr.members",
                              (str(group.id), str(page + 1))))
    return tuple(buttons)


def _invitation(ctx: Context, group: Group) -> Reply:
    link = invite_link(ctx.settings, ctx.actor.platform, group.invite_code)
    text = ctx._("gr.invitation", group=group.name, code=group.invite_code)
    if link:
        text += "\n" + ctx._("gr.invitation_link", link=link)
    text += "\n" + ctx._("gr.invitation_chat", code=group.invite_code)
    gid = (str(group.id),)
    return Reply(text, ((Button(ctx._("gr.btn.renew"), "gr.renew", gid),),
                        (Button(ctx._("gr.btn.back"), "gr.open", gid),)), edit=True)


async def _fresh_card(ctx: Context, group: Group) -> Reply:
    fresh = await ctx.repos.groups.get(group.id)
    return await group_card(ctx, fresh or group)

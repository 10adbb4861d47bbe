"""Changing a group: its name, about text, size limit, open or closed, and adding an admin."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.groups.browse import MEMBERS
from handlers.groups.cards import checked, group_card, managed
from handlers.groups.fields import found_teachers, valid_about, valid_limit, valid_name
from handlers.notify import notify
from storage.groups import Group, MemberRole

TEXT, ADMIN_SEARCH = "gr.edit.text", "gr.admin.search"
FIELDS = ("name", "about", "limit")

router = Router("groups.edit")


@router.action("gr.edit", roles=MEMBERS)
async def on_edit(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    gid = str(group.id)
    rows = [(Button(ctx._(f"gr.field.{field}"), "gr.edit.field", (gid, field)),)
            for field in FIELDS]
    toggle = ctx._("gr.btn.close") if group.open else ctx._("gr.btn.open")
    rows.append((Button(toggle, "gr.edit.toggle", (gid,)),))
    rows.append((Button(ctx._("gr.btn.add_admin"), "gr.admin.add", (gid,)),))
    rows.append((Button(ctx._("gr.btn.back"), "gr.open", (gid,)),))
    return Reply(ctx._("gr.edit_what", group=group.name), tuple(rows), edit=True)


@router.action("gr.edit.field", roles=MEMBERS)
async def on_field(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    field = msg.action_args[1] if len(msg.action_args) > 1 else ""
    if field not in FIELDS:
        return Reply(ctx._("button.unknown"))
    ctx.dialog.start(TEXT, group_id=group.id, field=field)
    cancel = Button(ctx._("gr.btn.cancel"), "gr.edit.cancel")
    rows = ((Button(ctx._("gr.new.no_limit"), "gr.edit.no_limit"), cancel),) if (
        field == "limit") else ((cancel,),)
    return Reply(ctx._(f"gr.edit.ask_{field}"), rows)


@router.answer(TEXT)
async def on_text(ctx: Context, msg: Inbound) -> Replies:
    group = await _dialog_group(ctx)
    if isinstance(group, Reply):
        return group
    field = ctx.dialog.get("field")
    value: str | int | Reply
    if field == "name":
        value = valid_name(ctx, msg.text)
    elif field == "about":
        value = valid_about(ctx, msg.text)
    else:
        value = valid_limit(ctx, msg.text)
    if isinstance(value, Reply):
        return value
    column = {"name": "name", "about": "description", "limit": "size_limit"}[field]
    return await _save(ctx, group, **{column: value})


@router.action("gr.edit.no_limit", roles=MEMBERS, states={TEXT})
async def on_no_limit(ctx: Context, msg: Inbound) -> Replies:
    group = await _dialog_group(ctx)
    if isinstance(group, Reply):
        return group
    return await _save(ctx, group, size_limit=None)


@router.action("gr.edit.toggle", roles=MEMBERS)
async def on_toggle(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    return await _save(ctx, group, open=not group.open)


@router.action("gr.admin.add", roles=MEMBERS)
async def on_add_admin(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    ctx.dialog.start(ADMIN_SEARCH, group_id=group.id)
    return Reply(ctx._("gr.admin.ask"), ((Button(ctx._("gr.btn.cancel"), "gr.edit.cancel"),),))


@router.answer(ADMIN_SEARCH)
async def on_admin_search(ctx: Context, msg: Inbound) -> Replies:
    group = await _dialog_group(ctx)
    if isinstance(group, Reply):
        return group
    return await found_teachers(ctx, msg.text, "gr.admin.pick", (str(group.id),),
                                (Button(ctx._("gr.btn.cancel"), "gr.edit.cancel"),))


@router.action("gr.admin.pick", roles=MEMBERS, states={ADMIN_SEARCH})
async def on_admin_pick(ctx: Context, msg: Inbound) -> Replies:
    group = await managed(ctx, msg)
    if isinstance(group, Reply):
        return group
    teacher_id = int_arg(msg.action_args, 1)
    teacher = await ctx.repos.teachers.get(teacher_id) if teacher_id is not None else None
    if teacher is None or teacher.deleted:
        return Reply(ctx._("gr.member_gone"))
    if not await ctx.repos.groups.add_member(group.id, teacher.id, MemberRole.ADMIN, ctx.now()):
        await ctx.repos.groups.set_role(group.id, teacher.id, MemberRole.ADMIN)
    accounts = await ctx.repos.accounts.for_teacher(teacher.id)
    await notify(ctx, [a.id for a in accounts if a.reachable][:1], "gr.note.made_admin",
                 {"group": group.name})
    ctx.dialog.clear()
    fresh = await ctx.repos.groups.get(group.id)
    assert fresh is not None
    return [Reply(ctx._("gr.admin.added", name=teacher.full_name, group=group.name)),
            await group_card(ctx, fresh)]


@router.action("gr.edit.cancel", roles=MEMBERS, states={TEXT, ADMIN_SEARCH})
async def on_cancel(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("gr.edit.cancelled"), edit=True)


# -- helpers ------------------------------------------------------------------------------------

async def _dialog_group(ctx: Context) -> Group | Reply:
    group_id = ctx.dialog.get("group_id")
    group = await ctx.repos.groups.get(group_id) if isinstance(group_id, int) else None
    found = await checked(ctx, group)
    if isinstance(found, Reply):
        ctx.dialog.clear()
    return found


async def _save(ctx: Context, group: Group, **values: object) -> Replies:
    await ctx.repos.groups.update_fields(group.id, **values)
    ctx.dialog.clear()
    fresh = await ctx.repos.groups.get(group.id)
    assert fresh is not None
    return [Reply(ctx._("gr.saved")), await group_card(ctx, fresh)]

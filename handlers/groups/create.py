"""/newgroup: a coordinator creates a group — name, kind, topic, about, size limit, admins."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import COORDINATORS
from bot.core.router import Replies, Router
from handlers.common import int_arg, page_of, paged_choice
from handlers.groups.cards import group_card
from handlers.groups.fields import found_teachers, valid_about, valid_limit, valid_name
from handlers.groups.invites import new_code
from handlers.notify import notify
from storage.groups import GroupKind, MemberRole, NewGroup

NAME, KIND, TOPIC, ABOUT, LIMIT, ADMINS = (
    "gr.new.name", "gr.new.kind", "gr.new.topic", "gr.new.about", "gr.new.limit", "gr.new.admins"
)
ALL_STEPS = {NAME, KIND, TOPIC, ABOUT, LIMIT, ADMINS}

router = Router("groups.create")


@router.command("newgroup", roles=COORDINATORS, help="help.newgroup")
async def start(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.start(NAME, admins=[])
    return Reply(ctx._("gr.new.ask_name"), _cancel_row(ctx))


@router.answer(NAME)
async def on_name(ctx: Context, msg: Inbound) -> Replies:
    name = valid_name(ctx, msg.text)
    if isinstance(name, Reply):
        return name
    ctx.dialog.go(KIND, name=name)
    kinds = [(Button(ctx._(f"gr.kind.{k.value}"), "gr.new.kind", (k.value,)),) for k in GroupKind]
    return Reply(ctx._("gr.new.ask_kind"), (*kinds, *_cancel_row(ctx)))


@router.action("gr.new.kind", roles=COORDINATORS, states={KIND})
async def on_kind(ctx: Context, msg: Inbound) -> Replies:
    kind = next((k for k in GroupKind if (k.value,) == msg.action_args), None)
    if kind is None:
        return Reply(ctx._("button.unknown"))
    ctx.dialog.go(TOPIC, kind=kind.value)
    return await _ask_topic(ctx)


@router.action("gr.new.topic_page", roles=COORDINATORS, states={TOPIC})
async def on_topic_page(ctx: Context, msg: Inbound) -> Replies:
    return await _ask_topic(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("gr.new.topic", roles=COORDINATORS, states={TOPIC})
async def on_topic(ctx: Context, msg: Inbound) -> Replies:
    topic_id = int_arg(msg.action_args)
    if topic_id is not None and topic_id not in {t.id for t in await ctx.repos.network.topics()}:
        return [Reply(ctx._("q.gone_from_list")), await _ask_topic(ctx)]
    ctx.dialog.go(ABOUT, topic_id=topic_id)
    return Reply(ctx._("gr.new.ask_about"), _skip_row(ctx, "gr.new.skip"))


@router.answer(ABOUT)
async def on_about(ctx: Context, msg: Inbound) -> Replies:
    about = valid_about(ctx, msg.text)
    if isinstance(about, Reply):
        return about
    return _ask_limit(ctx, about)


@router.action("gr.new.skip", roles=COORDINATORS, states={ABOUT})
async def on_skip_about(ctx: Context, msg: Inbound) -> Replies:
    return _ask_limit(ctx, None)


@router.answer(LIMIT)
async def on_limit(ctx: Context, msg: Inbound) -> Replies:
    limit = valid_limit(ctx, msg.text)
    if isinstance(limit, Reply):
        return limit
    return _ask_admins(ctx, limit)


@router.action("gr.new.no_limit", roles=COORDINATORS, states={LIMIT})
async def on_no_limit(ctx: Context, msg: Inbound) -> Replies:
    return _ask_admins(ctx, None)


@router.answer(ADMINS)
async def on_admin_search(ctx: Context, msg: Inbound) -> Replies:
    return await found_teachers(ctx, msg.text, "gr.new.admin", (), _done_row(ctx))


@router.action("gr.new.admin", roles=COORDINATORS, states={ADMINS})
async def on_admin(ctx: Context, msg: Inbound) -> Replies:
    teacher_id = int_arg(msg.action_args)
    teacher = await ctx.repos.teachers.get(teacher_id) if teacher_id is not None else None
    if teacher is None or teacher.deleted:
        return Reply(ctx._("gr.member_gone"))
    admins: list[int] = list(ctx.dialog.get("admins") or [])
    if teacher.id not in admins:
        admins.append(teacher.id)
    ctx.dialog.update(admins=admins)
    return Reply(ctx._("gr.new.admin_added", name=teacher.full_name,
                       admins=ctx._n("count.admins", len(admins))), (_done_row(ctx),))


@router.action("gr.new.done", roles=COORDINATORS, states={ADMINS})
async def on_done(ctx: Context, msg: Inbound) -> Replies:
    data = ctx.dialog
    now = ctx.now()
    group_id = await ctx.repos.groups.create(
        NewGroup(
            name=data.get("name"), kind=GroupKind(data.get("kind")), topic_id=data.get("topic_id"),
            description=data.get("about"), size_limit=data.get("limit"),
            invite_code=await new_code(ctx.repos),
        ),
        now,
    )
    admins: list[int] = list(data.get("admins") or [])
    for teacher_id in admins:
        await ctx.repos.groups.add_member(group_id, teacher_id, MemberRole.ADMIN, now)
    group = await ctx.repos.groups.get(group_id)
    assert group is not None
    acting = ctx.actor.account.id if ctx.actor.account else None
    admin_accounts = await ctx.repos.groups.member_account_ids([group_id])
    await notify(ctx, (a for a in admin_accounts if a != acting), "gr.note.made_admin",
                 {"group": group.name})
    ctx.dialog.clear()
    return [Reply(ctx._("gr.new.created", group=group.name, code=group.invite_code)),
            await group_card(ctx, group)]


@router.action("gr.new.cancel", roles=COORDINATORS, states=ALL_STEPS)
async def on_cancel(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("gr.new.cancelled"), edit=True)


@router.answer(KIND, TOPIC)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


# -- steps --------------------------------------------------------------------------------------

async def _ask_topic(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    topics = await ctx.repos.network.topics()
    extra = (Button(ctx._("gr.new.no_topic"), "gr.new.topic"),
             Button(ctx._("gr.btn.cancel"), "gr.new.cancel"))
    keyboard = paged_choice(ctx, page_of(topics, page), "gr.new.topic", "gr.new.topic_page", extra)
    return Reply(ctx._("gr.new.ask_topic"), keyboard, edit=edit)


def _ask_limit(ctx: Context, about: str | None) -> Reply:
    ctx.dialog.go(LIMIT, about=about)
    return Reply(ctx._("gr.new.ask_limit"), _skip_row(ctx, "gr.new.no_limit", "gr.new.no_limit"))


def _ask_admins(ctx: Context, limit: int | None) -> Reply:
    ctx.dialog.go(ADMINS, limit=limit)
    return Reply(ctx._("gr.new.ask_admins"), (_done_row(ctx),))


def _cancel_row(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx._("gr.btn.cancel"), "gr.new.cancel"),),)


def _skip_row(ctx: Context, action: str, label: str = "gr.btn.skip") -> tuple[tuple[Button, ...]]:
    return ((Button(ctx._(label), action), Button(ctx._("gr.btn.cancel"), "gr.new.cancel")),)


def _done_row(ctx: Context) -> tuple[Button, ...]:
    return (Button(ctx._("gr.new.done"), "gr.new.done"),
            Button(ctx._("gr.btn.cancel"), "gr.new.cancel"))

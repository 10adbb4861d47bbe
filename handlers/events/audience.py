"""/newevent: who the event is for. A group's admin ticks one or more of the groups they
administer; a coordinator ticks any groups, or takes the whole network — optionally only one
municipality and/or one subject. Every button is checked against the person's rights again, and
so is the whole choice when the event is published."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import AnyButton, Button, Inbound, Reply
from bot.core.roles import GROUP_ADMINS, Role
from bot.core.router import Replies, Router
from handlers.common import int_arg, page_of, paged_choice
from handlers.events.cards import chat_accounts
from handlers.events.fields import (
    AUDIENCE,
    GROUPS,
    MUNICIPALITY,
    SUBJECT,
    ask_capacity,
    cancel_button,
    with_cancel,
)
from storage.audience import Audience, AudienceKind
from storage.groups import Group
from storage.network import Named

router = Router("events.audience")


def is_coordinator(ctx: Context) -> bool:
    return Role.COORDINATOR in ctx.actor.roles


async def organizer_groups(ctx: Context) -> list[Group]:
    """The groups this person may announce to: every active one for a coordinator, else the
    ones they administer now."""
    if is_coordinator(ctx):
        return await ctx.repos.groups.active()
    teacher = ctx.actor.teacher
    return await ctx.repos.groups.administered_by(teacher.id) if teacher else []


async def may_organize(ctx: Context) -> bool:
    return is_coordinator(ctx) or bool(await organizer_groups(ctx))


async def ask_audience(ctx: Context) -> Reply:
    ctx.dialog.go(GROUPS, groups=[], network=False, municipality_id=None, subject_id=None)
    if not is_coordinator(ctx):
        return await _groups_question(ctx)
    ctx.dialog.go(AUDIENCE)
    return Reply(ctx._("ev.new.ask_audience"), (
        (Button(ctx._("ev.new.btn.network"), "ev.new.net"),),
        (Button(ctx._("ev.new.btn.groups"), "ev.new.pick_groups"),),
        (cancel_button(ctx),),
    ))


@router.action("ev.new.pick_groups", roles=GROUP_ADMINS, states={AUDIENCE})
async def on_pick_groups(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.go(GROUPS)
    return await _groups_question(ctx)


@router.action("ev.new.grp", roles=GROUP_ADMINS, states={GROUPS})
async def on_group(ctx: Context, msg: Inbound) -> Replies:
    group_id = int_arg(msg.action_args)
    if group_id not in {g.id for g in await organizer_groups(ctx)}:
        group = await ctx.repos.groups.get(group_id) if group_id is not None else None
        if group is not None and not group.archived:  # someone else's group: a forged button
            return Reply(ctx._("access.denied"))
        return [Reply(ctx._("q.gone_from_list")), await _groups_question(ctx)]
    chosen: list[int] = list(ctx.dialog.get("groups") or [])
    chosen = [g for g in chosen if g != group_id] if group_id in chosen else [*chosen, group_id]
    ctx.dialog.update(groups=chosen)
    return await _groups_question(ctx, int_arg(msg.action_args, 1) or 0, edit=True)


@router.action("ev.new.grp_page", roles=GROUP_ADMINS, states={GROUPS})
async def on_group_page(ctx: Context, msg: Inbound) -> Replies:
    return await _groups_question(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("ev.new.grp_done", roles=GROUP_ADMINS, states={GROUPS})
async def on_groups_done(ctx: Context, msg: Inbound) -> Replies:
    if not await chosen_groups(ctx):
        return Reply(ctx._("ev.new.groups_none"))
    return ask_capacity(ctx)


@router.action("ev.new.net", roles=GROUP_ADMINS, states={AUDIENCE})
async def on_network(ctx: Context, msg: Inbound) -> Replies:
    if not is_coordinator(ctx):  # a group admin never sees this button: forged
        return Reply(ctx._("access.denied"))
    ctx.dialog.go(MUNICIPALITY, network=True, groups=[])
    return await _list_question(ctx)


@router.action("ev.new.mun_page", roles=GROUP_ADMINS, states={MUNICIPALITY})
@router.action("ev.new.subj_page", roles=GROUP_ADMINS, states={SUBJECT})
async def on_list_page(ctx: Context, msg: Inbound) -> Replies:
    return await _list_question(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("ev.new.mun", roles=GROUP_ADMINS, states={MUNICIPALITY})
@router.action("ev.new.subj", roles=GROUP_ADMINS, states={SUBJECT})
async def on_narrow(ctx: Context, msg: Inbound) -> Replies:
    if not is_coordinator(ctx):
        return Reply(ctx._("access.denied"))
    picked = int_arg(msg.action_args)
    if picked is not None and picked not in {n.id for n in await _list(ctx)}:
        return [Reply(ctx._("q.gone_from_list")), await _list_question(ctx)]
    if ctx.dialog.state == MUNICIPALITY:
        ctx.dialog.go(SUBJECT, municipality_id=picked)
        return await _list_question(ctx)
    ctx.dialog.update(subject_id=picked)
    return ask_capacity(ctx)


@router.answer(AUDIENCE, GROUPS, MUNICIPALITY, SUBJECT)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


# -- the choice, checked and counted --------------------------------------------------------------

async def chosen_groups(ctx: Context) -> list[Group]:
    """The ticked groups this person may still announce to."""
    allowed = {g.id: g for g in await organizer_groups(ctx)}
    return [allowed[g] for g in ctx.dialog.get("groups") or [] if g in allowed]


async def still_allowed(ctx: Context) -> bool:
    """The whole choice, checked again: rights and groups may have changed since it was made."""
    if ctx.dialog.get("network"):
        return is_coordinator(ctx)
    ticked = list(ctx.dialog.get("groups") or [])
    return bool(ticked) and len(await chosen_groups(ctx)) == len(ticked)


async def reach(ctx: Context) -> tuple[int, int]:
    """How many people (one account each) and group chats the announcement will reach."""
    audience = ctx.repos.audience
    if ctx.dialog.get("network"):
        narrowed = [Audience(kind, ref) for kind, ref in (
            (AudienceKind.MUNICIPALITY, ctx.dialog.get("municipality_id")),
            (AudienceKind.SUBJECT, ctx.dialog.get("subject_id"))) if ref is not None]
        found = [set(await audience.account_ids(a)) for a in narrowed or [Audience(
            AudienceKind.EVERYONE)]]
        return len(set.intersection(*found)), 0
    group_ids = [g.id for g in await chosen_groups(ctx)]
    people = await ctx.repos.groups.member_account_ids(group_ids)
    return len(people), len(await chat_accounts(ctx, group_ids))


async def audience_label(ctx: Context) -> str:
    if not ctx.dialog.get("network"):
        names = ", ".join(g.name for g in await chosen_groups(ctx))
        return ctx._("ev.new.audience_groups", groups=names)
    parts = [ctx._("ev.new.audience_network")]
    municipality_id, subject_id = ctx.dialog.get("municipality_id"), ctx.dialog.get("subject_id")
    if municipality_id is not None:
        parts += [n.name for n in await ctx.repos.network.municipalities()
                  if n.id == municipality_id]
    if subject_id is not None:
        parts += [n.name for n in await ctx.repos.network.subjects() if n.id == subject_id]
    return " · ".join(parts)


# -- questions ----------------------------------------------------------------------------------

async def _groups_question(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    groups = await organizer_groups(ctx)
    if not groups:
        if is_coordinator(ctx):  # no groups yet: the whole network is still there
            ctx.dialog.go(AUDIENCE)
            return Reply(ctx._("ev.new.no_groups"),
                         with_cancel(ctx, Button(ctx._("ev.new.btn.network"), "ev.new.net")))
        ctx.dialog.clear()
        return Reply(ctx._("access.denied"))
    chosen = set(ctx.dialog.get("groups") or [])
    shown = page_of([Named(g.id, g.name) for g in groups], page)
    rows: list[tuple[AnyButton, ...]] = [
        (Button(("✅ " if n.id in chosen else "▫️ ") + n.name, "ev.new.grp",
                (str(n.id), str(shown.number))),) for n in shown.items]
    if shown.number > 0:
        rows.append((Button(ctx._("button.prev_page"), "ev.new.grp_page",
                            (str(shown.number - 1),)),))
    if shown.number < shown.count - 1:
        rows.append((Button(ctx._("button.next_page"), "ev.new.grp_page",
                            (str(shown.number + 1),)),))
    rows.append((Button(ctx._("ev.new.btn.done"), "ev.new.grp_done"), cancel_button(ctx)))
    if is_coordinator(ctx):
        return Reply(ctx._("ev.new.ask_groups_coordinator"), tuple(rows), edit=edit)
    return Reply(ctx._("ev.new.ask_groups"), tuple(rows), edit=edit)


async def _list(ctx: Context) -> list[Named]:
    if ctx.dialog.state == MUNICIPALITY:
        return await ctx.repos.network.municipalities()
    return await ctx.repos.network.subjects()


async def _list_question(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    municipalities = ctx.dialog.state == MUNICIPALITY
    pick, turn, everyone, question = (
        ("ev.new.mun", "ev.new.mun_page", "ev.new.btn.all_municipalities",
         "ev.new.ask_municipality") if municipalities else
        ("ev.new.subj", "ev.new.subj_page", "ev.new.btn.all_subjects", "ev.new.ask_subject"))
    extra = (Button(ctx._(everyone), pick), cancel_button(ctx))
    keyboard = paged_choice(ctx, page_of(await _list(ctx), page), pick, turn, extra)
    return Reply(ctx._(question), keyboard, edit=edit)

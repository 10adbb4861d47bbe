"""Questions: municipality, then the organization (school) in it, picked or typed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.router import Replies, Router
from handlers.common import PAGE_SIZE, clean_text, has_letters, int_arg, page_of, paged_choice
from handlers.questions import flow
from storage.network import Named

MAX_MUNICIPALITY = 200
MAX_ORGANIZATION = 300
MUNICIPALITY = flow.state_of("municipality")
ORGANIZATION = flow.state_of("organization")

router = Router("questions.school")


# -- municipality --------------------------------------------------------------------------------

@flow.asks("municipality")
async def ask_municipality(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    items = await ctx.repos.network.municipalities()
    if not items:
        return Reply(ctx._("q.municipality.type"))
    keyboard = paged_choice(ctx, page_of(items, page), "q.mun", "q.mun_page")
    return Reply(ctx._("q.municipality.ask"), keyboard, edit=edit)


@router.action("q.mun_page", states={MUNICIPALITY})
async def on_municipality_page(ctx: Context, msg: Inbound) -> Replies:
    return await ask_municipality(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("q.mun", states={MUNICIPALITY})
async def on_municipality(ctx: Context, msg: Inbound) -> Replies:
    municipality_id = int_arg(msg.action_args)
    found = await ctx.repos.network.municipality(municipality_id) if municipality_id else None
    if found is None:
        return [Reply(ctx._("q.gone_from_list")), await ask_municipality(ctx)]
    return await flow.answered(ctx, "municipality", municipality_id=found.id)


@router.answer(MUNICIPALITY)
async def on_municipality_typed(ctx: Context, msg: Inbound) -> Replies:
    typed = clean_text(msg.text)
    problem = _name_problem(ctx, typed, MAX_MUNICIPALITY)
    if problem:
        return problem
    items = await ctx.repos.network.municipalities()
    exact = _exact(items, typed)
    if exact:
        return await flow.answered(ctx, "municipality", municipality_id=exact.id)
    ctx.dialog.update(pending_name=typed)
    return _matches_or_add(ctx, items, typed, "q.mun", "q.mun_new")


@router.action("q.mun_new", states={MUNICIPALITY})
async def on_municipality_new(ctx: Context, msg: Inbound) -> Replies:
    name = ctx.dialog.get("pending_name")
    if not name:
        return await ask_municipality(ctx)
    created = await ctx.repos.network.add_municipality(name)
    return await flow.answered(ctx, "municipality", municipality_id=created.id)


# -- organization --------------------------------------------------------------------------------

@flow.asks("organization")
async def ask_organization(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    municipality_id = flow.answers(ctx).get("municipality_id")
    municipality = await ctx.repos.network.municipality(municipality_id or 0)
    if municipality is None:  # removed from the list meanwhile: ask it again
        ctx.dialog.go(MUNICIPALITY)
        return await ask_municipality(ctx)
    items = await _organizations(ctx, municipality.id)
    if not items:
        return Reply(ctx._("q.organization.type", municipality=municipality.name))
    other = Button(ctx._("q.organization.not_listed"), "q.org_other")
    keyboard = paged_choice(ctx, page_of(items, page), "q.org", "q.org_page", (other,))
    return Reply(ctx._("q.organization.ask", municipality=municipality.name), keyboard, edit=edit)


@router.action("q.org_page", states={ORGANIZATION})
async def on_organization_page(ctx: Context, msg: Inbound) -> Replies:
    return await ask_organization(ctx, int_arg(msg.action_args) or 0, edit=True)


@router.action("q.org_other", states={ORGANIZATION})
async def on_organization_other(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.organization.type_name"))


@router.action("q.org", states={ORGANIZATION})
async def on_organization(ctx: Context, msg: Inbound) -> Replies:
    organization_id = int_arg(msg.action_args)
    found = await ctx.repos.network.organization(organization_id) if organization_id else None
    if found is None or found.municipality_id != flow.answers(ctx).get("municipality_id"):
        return [Reply(ctx._("q.gone_from_list")), await ask_organization(ctx)]
    return await flow.answered(ctx, "organization", organization_id=found.id)


@router.answer(ORGANIZATION)
async def on_organization_typed(ctx: Context, msg: Inbound) -> Replies:
    typed = clean_text(msg.text)
    problem = _name_problem(ctx, typed, MAX_ORGANIZATION)
    if problem:
        return problem
    items = await _organizations(ctx, flow.answers(ctx).get("municipality_id") or 0)
    exact = _exact(items, typed)
    if exact:
        return await flow.answered(ctx, "organization", organization_id=exact.id)
    ctx.dialog.update(pending_name=typed)
    return _matches_or_add(ctx, items, typed, "q.org", "q.org_new")


@router.action("q.org_new", states={ORGANIZATION})
async def on_organization_new(ctx: Context, msg: Inbound) -> Replies:
    name = ctx.dialog.get("pending_name")
    municipality_id = flow.answers(ctx).get("municipality_id")
    if not name or not municipality_id:
        return await ask_organization(ctx)
    created = await ctx.repos.network.add_organization(municipality_id, name, by_teacher=True)
    return await flow.answered(ctx, "organization", organization_id=created.id)


# -- shared --------------------------------------------------------------------------------------

async def _organizations(ctx: Context, municipality_id: int) -> list[Named]:
    return [Named(o.id, o.name) for o in await ctx.repos.network.organizations_in(municipality_id)]


def _name_problem(ctx: Context, typed: str, limit: int) -> Reply | None:
    if len(typed) > limit:
        return Reply(ctx._("q.list_name.too_long", max=ctx._n("count.characters", limit)))
    if len(typed) < 3 or not has_letters(typed, 2):
        return Reply(ctx._("q.list_name.invalid"))
    return None


def _exact(items: Sequence[Named], typed: str) -> Named | None:
    wanted = typed.casefold()
    return next((i for i in items if i.name.casefold() == wanted), None)


def _matches_or_add(
    ctx: Context, items: Sequence[Named], typed: str, pick: str, add: str
) -> Reply:
    """Close matches as buttons, plus «Add “typed”» for a name that is not on the list."""
    words = [w for w in typed.casefold().split() if len(w) > 1]
    matches = [i for i in items if any(w in i.name.casefold() for w in words)][:PAGE_SIZE]
    rows = [(Button(m.name, pick, (str(m.id),)),) for m in matches]
    rows.append((Button(ctx._("q.list_name.add", name=_short(typed)), add),))
    key = "q.list_name.matches" if matches else "q.list_name.no_matches"
    return Reply(ctx._(key, name=typed), tuple(rows))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

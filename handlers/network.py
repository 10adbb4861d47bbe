"""Coordinators extend the network's lists in the chat: municipalities, schools, subjects, topics.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.context import Context
from bot.core.model import Inbound, Reply
from bot.core.roles import COORDINATORS
from bot.core.router import Replies, Router
from handlers.common import clean_text, has_letters
from storage.network import Named

router = Router("network")

LIMITS = {"municipality": 200, "organization": 300, "subject": 100, "topic": 200}


def _valid_name(ctx: Context, text: str, kind: str) -> str | Reply:
    name = clean_text(text)
    if not name:
        return Reply(ctx._(f"network.usage.{kind}"))
    if len(name) > LIMITS[kind]:
        return Reply(ctx._("q.list_name.too_long", max=ctx._n("count.characters", LIMITS[kind])))
    if not has_letters(name, 2):
        return Reply(ctx._("q.list_name.invalid"))
    return name


@router.command("network", roles=COORDINATORS, help="help.network")
async def show_network(ctx: Context, msg: Inbound) -> Replies:
    counts = await ctx.repos.network.counts()
    return Reply(
        ctx._(
            "network.summary",
            municipalities=ctx._n("count.municipalities", counts.municipalities),
            organizations=ctx._n("count.organizations", counts.organizations),
            subjects=ctx._n("count.subjects", counts.subjects),
            topics=ctx._n("count.topics", counts.topics),
        )
    )


@router.command("add_municipality", roles=COORDINATORS, help="help.add_municipality")
async def add_municipality(ctx: Context, msg: Inbound) -> Replies:
    return await _add(ctx, msg.args, "municipality", ctx.repos.network.add_municipality)


@router.command("add_school", roles=COORDINATORS, help="help.add_school")
async def add_school(ctx: Context, msg: Inbound) -> Replies:
    municipality_name, separator, school = msg.args.partition(";")
    if not separator:
        return Reply(ctx._("network.usage.organization"))
    wanted = clean_text(municipality_name).casefold()
    municipalities = await ctx.repos.network.municipalities()
    municipality = next((m for m in municipalities if m.name.casefold() == wanted), None)
    if municipality is None:
        return Reply(ctx._("network.no_municipality", name=clean_text(municipality_name)))
    name = _valid_name(ctx, school, "organization")
    if isinstance(name, Reply):
        return name
    added = await ctx.repos.network.add_organization(municipality.id, name)
    return Reply(ctx._("network.added", name=f"{added.name} ({added.municipality})"))


@router.command("add_subject", roles=COORDINATORS, help="help.add_subject")
async def add_subject(ctx: Context, msg: Inbound) -> Replies:
    return await _add(ctx, msg.args, "subject", ctx.repos.network.add_subject)


@router.command("add_topic", roles=COORDINATORS, help="help.add_topic")
async def add_topic(ctx: Context, msg: Inbound) -> Replies:
    return await _add(ctx, msg.args, "topic", ctx.repos.network.add_topic)


async def _add(
    ctx: Context, typed: str, kind: str, add: Callable[[str], Awaitable[Named]]
) -> Replies:
    name = _valid_name(ctx, typed, kind)
    if isinstance(name, Reply):
        return name
    added = await add(name)
    return Reply(ctx._("network.added", name=added.name))

"""/match: a coordinator forms peer groups or mentoring pairs, after a preview.

Dialog: kind → (peer groups: the size) → preview: how many could be matched, the groups or pairs
it makes, who is left without one and why, the first groups by name → «Сформировать» or
«Отменить». The plan shown rides in the dialog; «Сформировать» carries the preview's token, so an
older preview's button, a second click, or a preview overtaken by another round creates nothing.
"""

from __future__ import annotations

import secrets

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import COORDINATORS
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.matching.common import env_of, moment_text
from handlers.matching.formation import Formed, form_round, person_line
from handlers.matching.plan import KINDS, MENTORING, PEER, SIZES, Plan, plan_round
from storage.matching import Person

KIND, SIZE, PREVIEW = "mt.kind", "mt.size", "mt.preview"
PREVIEW_LIMIT = 3500
"""Characters of the preview, well under a message's 4096, so it never splits."""

router = Router("match")


@router.command("match", roles=COORDINATORS, help="help.match")
async def start(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.start(KIND)
    rows = tuple((Button(ctx._(f"mt.kind.{kind}"), "mt.kind", (kind,)),) for kind in KINDS)
    return Reply(ctx._("mt.ask_kind"), (*rows, (_cancel(ctx),)))


@router.action("mt.kind", roles=COORDINATORS, states={KIND})
async def on_kind(ctx: Context, msg: Inbound) -> Replies:
    kind = msg.action_args[0] if len(msg.action_args) == 1 else ""
    if kind not in KINDS:
        return Reply(ctx._("button.unknown"))
    if kind == MENTORING:
        return await _preview(ctx, await plan_round(env_of(ctx), MENTORING, None))
    ctx.dialog.go(SIZE, kind=kind)
    sizes = tuple(Button(str(size), "mt.size", (str(size),)) for size in SIZES)
    return Reply(ctx._("mt.ask_size"), (sizes, (_cancel(ctx),)), edit=True)


@router.action("mt.size", roles=COORDINATORS, states={SIZE})
async def on_size(ctx: Context, msg: Inbound) -> Replies:
    size = int_arg(msg.action_args)
    if size not in SIZES:
        return Reply(ctx._("button.unknown"))
    return await _preview(ctx, await plan_round(env_of(ctx), PEER, size))


@router.answer(KIND, SIZE, PREVIEW)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


@router.action("mt.cancel", roles=COORDINATORS, states={KIND, SIZE, PREVIEW})
async def on_cancel(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("mt.cancelled"), edit=True)


@router.action("mt.confirm", roles=COORDINATORS, states={PREVIEW})
async def on_confirm(ctx: Context, msg: Inbound) -> Replies:
    plan = Plan.from_data(ctx.dialog.get("plan"))
    if plan is None or msg.action_args != (ctx.dialog.get("token"),):
        return Reply(ctx._("button.outdated"))
    ctx.dialog.clear()
    formed = await form_round(env_of(ctx), plan)
    if formed.round_id is not None:
        ctx.outbox_changed = True
    return Reply(_formed_text(ctx, plan, formed), edit=True)


# -- preview ------------------------------------------------------------------------------------

async def _preview(ctx: Context, plan: Plan) -> Reply:
    people = await ctx.repos.matching.people({m for g in plan.groups for m in g})
    topics = {n.id: n.name for n in await ctx.repos.network.topics()}
    summary = "\n".join(_summary(ctx, plan))
    if not plan.groups:
        ctx.dialog.clear()
        return Reply(summary + "\n\n" + ctx._("mt.preview_empty"), edit=True)
    token = secrets.token_hex(4)
    ctx.dialog.go(PREVIEW, plan=plan.to_data(), token=token)
    question = ctx._(f"mt.preview_confirm_{plan.kind}")
    budget = PREVIEW_LIMIT - len(summary) - len(question) - 100
    blocks = _listing(ctx, plan, people, topics, budget)
    buttons = ((Button(ctx._("mt.confirm"), "mt.confirm", (token,)),), (_cancel(ctx),))
    return Reply("\n\n".join([summary, *blocks, question]), buttons, edit=True)


def _summary(ctx: Context, plan: Plan) -> list[str]:
    teachers = ctx._n("count.teachers", plan.candidates)
    if plan.kind == PEER:
        assert plan.size is not None
        lines = [ctx._("mt.preview_title_peer", size=ctx._n("count.people_each", plan.size)),
                 ctx._("mt.preview_candidates_peer", teachers=teachers)]
        sizes = ", ".join(f"{ctx._n('count.groups', count)} {ctx._n('count.of_people', size)}"
                          for size, count in plan.sizes())
    else:
        lines = [ctx._("mt.preview_title_mentoring"),
                 ctx._("mt.preview_candidates_mentoring", teachers=teachers, mentors=plan.mentors)]
        sizes = ctx._n("count.pairs", len(plan.groups))
    if plan.groups:
        lines.append(ctx._("mt.preview_result", groups=sizes))
    lines.append(_left(ctx, plan))
    if plan.pausing:
        lines.append(ctx._("mt.preview_pausing",
                           teachers=ctx._n("count.teachers", len(plan.pausing)),
                           rounds=ctx._n("count.rounds",
                                         ctx.settings.matching.ignored_rounds_to_pause)))
    return lines


def _left(ctx: Context, plan: Plan) -> str:
    """Who stays without a group or a mentor, and why, in one line."""
    if not plan.unmatched:
        return ctx._(f"mt.left_none_{plan.kind}")
    teachers = ctx._n("count.teachers", plan.unmatched)
    if plan.kind == MENTORING:
        return ctx._("mt.left_mentoring", teachers=teachers)
    if plan.without_topics == plan.unmatched:
        reason = ctx._("mt.reason_no_topics")
    elif plan.without_topics:
        reason = ctx._("mt.reason_both", without=ctx._n("count.teachers_gen", plan.without_topics))
    else:
        reason = ctx._("mt.reason_few_peers")
    return ctx._("mt.left_peer", teachers=teachers, reason=reason)


def _listing(
    ctx: Context, plan: Plan, people: dict[int, Person], topics: dict[int, str], budget: int
) -> list[str]:
    """The groups as they will be, as many as fit the budget, then «и ещё N групп»."""
    blocks: list[str] = []
    for number, (members, shared) in enumerate(zip(plan.groups, plan.topics, strict=True), 1):
        names = ", ".join(sorted(topics[t] for t in shared if t in topics))
        block = _block(ctx, plan.kind, number, [people[m] for m in members if m in people], names)
        if len(block) + 2 > budget:
            rest = len(plan.groups) - number + 1
            unit = "count.groups" if plan.kind == PEER else "count.pairs"
            blocks.append(ctx._("mt.preview_more", groups=ctx._n(unit, rest)))
            break
        budget -= len(block) + 2
        blocks.append(block)
    return blocks


def _block(ctx: Context, kind: str, number: int, members: list[Person], topics: str) -> str:
    if kind == PEER:
        lines = [ctx._("mt.preview_group", number=number, topics=topics)]
        lines += [f"• {person_line(p)}" for p in members]
        return "\n".join(lines)
    mentor, mentee = (person_line(p) for p in members)
    return ctx._("mt.preview_pair", number=number, mentor=mentor, mentee=mentee, topics=topics)


def _formed_text(ctx: Context, plan: Plan, formed: Formed) -> str:
    if formed.stale:
        return ctx._("mt.stale", number=formed.stale_round)
    if formed.round_id is None:
        return ctx._("mt.formed_nothing")
    unit = "count.groups" if plan.kind == PEER else "count.pairs"
    lines = [ctx._(
        "mt.formed", number=formed.round_id, groups=ctx._n(unit, formed.groups),
        teachers=ctx._n("count.teachers", formed.people),
        when=moment_text(ctx, formed.check_at) if formed.check_at else "",
    )]
    if formed.dropped_people:
        lines.append(ctx._("mt.formed_dropped",
                           teachers=ctx._n("count.teachers", formed.dropped_people)))
    if formed.dropped_groups:
        lines.append(ctx._("mt.formed_not_created", groups=ctx._n(unit, formed.dropped_groups)))
    if formed.paused:
        lines.append(ctx._("mt.formed_paused", teachers=ctx._n("count.teachers", formed.paused)))
    return "\n".join(lines)


def _cancel(ctx: Context) -> Button:
    return Button(ctx._("mt.cancel"), "mt.cancel")

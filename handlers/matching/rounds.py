"""Rounds after they are formed: the coordinator's schedule (/match_schedule), the answer to
«Удалось встретиться?», and «Остаться в подборе» after a pause for silence.

Schedule: every two weeks or every month, for peer groups (with their size) or for mentoring.
The first scheduled round comes one period after it is set; each next one a period after the
previous planned time (see `periods.next_run`). The scheduler jobs are in `jobs.py`.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.roles import COORDINATORS, REGISTERED
from bot.core.router import Replies, Router
from handlers.common import int_arg
from handlers.matching.common import moment_text
from handlers.matching.periods import EVERY, after
from handlers.matching.plan import KINDS, PEER, SIZES
from storage.match_rounds import Schedule

SCH_KIND, SCH_SIZE, SCH_EVERY = "mt.sch_kind", "mt.sch_size", "mt.sch_every"
OFF = "off"
SCHEDULE_STATES = {SCH_KIND, SCH_SIZE, SCH_EVERY}

router = Router("matching_rounds")


@router.command("match_schedule", roles=COORDINATORS, help="help.match_schedule")
async def show_schedule(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.start(SCH_KIND)
    current = {s.kind: s for s in await ctx.repos.matching.schedules()}
    lines = [ctx._("mt.schedule_title"), *(_line(ctx, kind, current.get(kind)) for kind in KINDS)]
    rows = tuple((Button(ctx._(f"mt.kind.{kind}"), "mt.sch_kind", (kind,)),) for kind in KINDS)
    text = "\n".join(lines) + "\n\n" + ctx._("mt.schedule_ask_kind")
    return Reply(text, (*rows, (_close(ctx),)))


@router.action("mt.sch_kind", roles=COORDINATORS, states={SCH_KIND})
async def on_schedule_kind(ctx: Context, msg: Inbound) -> Replies:
    kind = msg.action_args[0] if len(msg.action_args) == 1 else ""
    if kind not in KINDS:
        return Reply(ctx._("button.unknown"))
    if kind == PEER:
        ctx.dialog.go(SCH_SIZE, kind=kind)
        sizes = tuple(Button(str(size), "mt.sch_size", (str(size),)) for size in SIZES)
        return Reply(ctx._("mt.ask_size"), (sizes, (_close(ctx),)), edit=True)
    return _ask_every(ctx, kind, None)


@router.action("mt.sch_size", roles=COORDINATORS, states={SCH_SIZE})
async def on_schedule_size(ctx: Context, msg: Inbound) -> Replies:
    size = int_arg(msg.action_args)
    if size not in SIZES:
        return Reply(ctx._("button.unknown"))
    return _ask_every(ctx, PEER, size)


@router.action("mt.sch_every", roles=COORDINATORS, states={SCH_EVERY})
async def on_schedule_every(ctx: Context, msg: Inbound) -> Replies:
    every = msg.action_args[0] if len(msg.action_args) == 1 else ""
    if every not in (*EVERY, OFF):
        return Reply(ctx._("button.unknown"))
    kind, size = ctx.dialog.get("kind"), ctx.dialog.get("size")
    if kind not in KINDS:  # cannot happen through the buttons: the dialog sets it
        ctx.dialog.clear()
        return Reply(ctx._("button.outdated"))
    ctx.dialog.clear()
    what = _what(ctx, kind, size)
    if every == OFF:
        await ctx.repos.matching.delete_schedule(kind)
        return Reply(ctx._("mt.schedule_off_done", what=what), edit=True)
    first = after(every, ctx.now())
    await ctx.repos.matching.set_schedule(kind, every, size, first)
    # the summary after each scheduled round goes to the coordinators' accounts
    actor = ctx.actor
    await ctx.repos.accounts.ensure(actor.platform, actor.user_id, actor.chat_id, ctx.now())
    return Reply(ctx._("mt.schedule_set", what=what, every=ctx._(f"mt.every.{every}"),
                       when=moment_text(ctx, first)), edit=True)


@router.answer(*SCHEDULE_STATES)
async def on_text_instead_of_button(ctx: Context, msg: Inbound) -> Replies:
    return Reply(ctx._("q.use_buttons"))


@router.action("mt.sch_close", roles=COORDINATORS, states=SCHEDULE_STATES)
async def on_close(ctx: Context, msg: Inbound) -> Replies:
    ctx.dialog.clear()
    return Reply(ctx._("mt.schedule_unchanged"), edit=True)


def _ask_every(ctx: Context, kind: str, size: int | None) -> Reply:
    ctx.dialog.go(SCH_EVERY, kind=kind, size=size)
    rows = tuple((Button(ctx._(f"mt.every_button.{e}"), "mt.sch_every", (e,)),)
                 for e in (*EVERY, OFF))
    return Reply(ctx._("mt.schedule_ask_every", what=_what(ctx, kind, size)),
                 (*rows, (_close(ctx),)), edit=True)


def _what(ctx: Context, kind: str, size: int | None) -> str:
    if kind == PEER and size is not None:
        return ctx._("mt.what_peer", size=ctx._n("count.people_each", size))
    return ctx._(f"mt.kind.{kind}")


def _line(ctx: Context, kind: str, schedule: Schedule | None) -> str:
    if schedule is None or schedule.every not in EVERY:
        return ctx._("mt.schedule_line_off", what=ctx._(f"mt.kind.{kind}"))
    return ctx._("mt.schedule_line", what=_what(ctx, kind, schedule.group_size),
                 every=ctx._(f"mt.every.{schedule.every}"),
                 when=moment_text(ctx, schedule.next_run_at))


def _close(ctx: Context) -> Button:
    return Button(ctx._("mt.cancel"), "mt.sch_close")


# -- answers from the members of a round --------------------------------------------------------

@router.action("mt.met", roles=REGISTERED)
async def on_met(ctx: Context, msg: Inbound) -> Replies:
    round_id, args = int_arg(msg.action_args), msg.action_args
    if round_id is None or len(args) != 2 or args[1] not in ("0", "1"):
        return Reply(ctx._("button.unknown"))
    teacher = ctx.actor.teacher
    assert teacher is not None
    met = args[1] == "1"
    if not await ctx.repos.matching.record_answer(round_id, teacher.id, met, ctx.now()):
        return Reply(ctx._("mt.met_unknown"))
    thanks = ctx._("mt.met_thanks_yes") if met else ctx._("mt.met_thanks_no")
    return Reply(thanks, edit=True)


@router.action("mt.stay", roles=REGISTERED)
async def on_stay(ctx: Context, msg: Inbound) -> Replies:
    teacher = ctx.actor.teacher
    assert teacher is not None
    await ctx.repos.matching.set_preferences(
        teacher.id, paused_until=None, ignored_rounds=0, opted_out=False
    )
    return Reply(ctx._("mt.stayed"), edit=True)

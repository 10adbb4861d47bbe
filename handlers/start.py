"""/start: what the bot is for, consent to personal data processing, then registration."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.model import Button, Inbound, LinkButton, Reply
from bot.core.router import Replies, Router
from handlers.groups.invites import join_by_code, looks_like_code
from handlers.questions import flow

START_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

router = Router("start")


def main_menu(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return ((Button(ctx._("menu.profile"), "pf.show"), Button(ctx._("menu.help"), "help.show")),)


@router.command("start", help="help.start")
async def start(ctx: Context, msg: Inbound) -> Replies:
    code = msg.args if START_CODE.match(msg.args) else ""
    actor = ctx.actor
    if actor.registered and actor.teacher:
        if looks_like_code(code):  # an invitation link to a group
            return await join_by_code(ctx, code)
        if code and actor.account:
            await ctx.repos.accounts.set_start_code(actor.account.id, code)
        return Reply(ctx._("start.welcome_back", name=actor.teacher.full_name), main_menu(ctx))
    if ctx.dialog.get("mode") == "register":
        return [Reply(ctx._("start.continue")), *_as_list(await _ask_current(ctx))]
    # Nothing is stored before consent: the invitation code rides on the button.
    return Reply(
        ctx._("start.intro"),
        (
            (Button(ctx._("start.agree"), "st.agree", (code,) if code else ()),),
            (Button(ctx._("start.decline"), "st.decline"),),
            (LinkButton(ctx._("start.policy"), ctx.settings.privacy_policy_url),),
        ),
    )


@router.action("st.agree")
async def agree(ctx: Context, msg: Inbound) -> Replies:
    if ctx.actor.registered:
        return Reply(ctx._("start.already_registered"), main_menu(ctx))
    if ctx.dialog.get("mode") == "register":  # a second click: keep the answers so far
        return [Reply(ctx._("start.continue")), *_as_list(await _ask_current(ctx))]
    code = msg.action_args[0] if msg.action_args and START_CODE.match(msg.action_args[0]) else None
    return await flow.begin(
        ctx, "register", flow.REGISTRATION,
        prefill={"timezone": ctx.settings.default_timezone},
        consent_at=ctx.now().isoformat(), start_code=code,
    )


@router.action("st.decline")
async def decline(ctx: Context, msg: Inbound) -> Replies:
    if ctx.actor.registered:
        return Reply(ctx._("start.already_registered"), main_menu(ctx))
    if ctx.dialog.get("mode") == "register":
        ctx.dialog.clear()
    return Reply(ctx._("start.declined"), edit=True)


async def _ask_current(ctx: Context) -> Replies:
    step = (ctx.dialog.state or "").removeprefix("q.")
    return await flow.ask(ctx, step if step in flow.REGISTRATION else flow.REGISTRATION[0])


def _as_list(replies: Replies) -> list[Reply]:
    if replies is None:
        return []
    return [replies] if isinstance(replies, Reply) else list(replies)

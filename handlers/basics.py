"""/help, /cancel and /lang: what anyone can do at any moment."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Inbound, Reply
from bot.core.router import Replies, Router
from bot.i18n import LOCALES

router = Router("basics")


@router.command("help", help="help.help", in_groups=True)
@router.action("help.show")
async def show_help(ctx: Context, msg: Inbound) -> Replies:
    lines = [
        f"/{command.name} — {ctx._(command.help_key)}"
        for command in ctx.registry.visible_commands(ctx.actor.roles)
        if command.help_key
    ]
    intro = ctx._("help.intro") if ctx.actor.registered else ctx._("help.intro_stranger")
    return Reply(intro + "\n\n" + "\n".join(lines))


@router.command("cancel", help="help.cancel")
async def cancel(ctx: Context, msg: Inbound) -> Replies:
    if not ctx.dialog.active:
        return Reply(ctx._("cancel.nothing"))
    registering = ctx.dialog.get("mode") == "register"
    ctx.dialog.clear()
    return Reply(ctx._("cancel.registration") if registering else ctx._("cancel.done"))


@router.command("lang", help="help.lang")
async def choose_language(ctx: Context, msg: Inbound) -> Replies:
    buttons = tuple(Button(ctx._(f"lang.{loc}"), "lang.set", (loc,)) for loc in LOCALES)
    return Reply(ctx._("lang.choose"), (buttons,))


@router.action("lang.set")
async def set_language(ctx: Context, msg: Inbound) -> Replies:
    locale = msg.action_args[0] if msg.action_args else ""
    if locale not in LOCALES:
        return Reply(ctx._("button.unknown"))
    actor = ctx.actor
    account = actor.account or await ctx.repos.accounts.ensure(
        actor.platform, actor.user_id, actor.chat_id, ctx.now()
    )
    await ctx.repos.accounts.set_locale(account.id, locale)
    ctx.switch_locale(locale)
    return Reply(ctx._("lang.switched"), edit=True)

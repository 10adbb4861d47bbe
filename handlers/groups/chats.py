"""Tying a group to a Telegram group chat or VK conversation, where its announcements go too.

The group's admin adds the bot to the chat and sends `/join CODE` there; from then on the
group's broadcasts are posted in the chat as well (within the platform's group-chat limits)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.links import chat_account_id
from bot.core.model import Reply
from handlers.groups.cards import may_manage
from handlers.groups.invites import looks_like_code


async def bind_chat(ctx: Context, code: str) -> Reply:
    group = await ctx.repos.groups.by_code(code) if looks_like_code(code) else None
    if group is None:
        return Reply(ctx._("gr.chat.code_unknown"))
    if not await may_manage(ctx, group):
        return Reply(ctx._("gr.chat.admins_only"))
    inbound = ctx.inbound
    chat = await ctx.repos.accounts.ensure(
        inbound.platform, chat_account_id(inbound), inbound.chat_id, ctx.now()
    )
    if group.chat_account_id == chat.id:
        return Reply(ctx._("gr.chat.already", group=group.name))
    await ctx.repos.groups.bind_chat(group.id, chat.id)
    return Reply(ctx._("gr.chat.bound", group=group.name))

"""Notes to a group's admins about their group (someone joined, someone left)."""

from __future__ import annotations

from bot.core.context import Context
from handlers.notify import notify
from storage.groups import Group, MemberRole


async def tell_admins(ctx: Context, group: Group, message_key: str, **params: str) -> None:
    """Tell the group's admins, except the one acting."""
    acting = ctx.actor.account.id if ctx.actor.account else None
    admins = await ctx.repos.groups.member_account_ids([group.id], roles=(MemberRole.ADMIN,))
    await notify(ctx, (a for a in admins if a != acting), message_key,
                 {"group": group.name, **params})

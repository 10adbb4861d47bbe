"""Invitation codes: unguessable, easy to type, renewable; joining a group by one."""

from __future__ import annotations

import re
import secrets

from bot.core.context import Context
from bot.core.model import Reply
from handlers.groups.cards import group_card
from handlers.groups.notify import tell_admins
from storage.groups import MemberRole
from storage.repositories import Repositories

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: people copy codes by hand from a poster or a slide."""
LENGTH = 8
"""32**8 ≈ 10**12 codes: guessing one by trying is hopeless."""
CODE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def looks_like_code(text: str) -> bool:
    return bool(CODE.match(text.strip().upper()))


async def new_code(repos: Repositories) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not await repos.groups.code_taken(code):
            return code


async def join_by_code(ctx: Context, code: str) -> list[Reply]:
    """Put the acting (registered) teacher into the group the code opens."""
    teacher = ctx.actor.teacher
    assert teacher is not None, "only registered teachers join groups"
    group = await ctx.repos.groups.by_code(code) if looks_like_code(code) else None
    if group is None:
        return [Reply(ctx._("gr.code_unknown"))]
    role = await ctx.repos.groups.role_of(group.id, teacher.id)
    if role is not None:
        return [Reply(ctx._("gr.already_member", group=group.name)), await group_card(ctx, group)]
    if group.full:
        return [Reply(ctx._("gr.full", group=group.name))]
    await ctx.repos.groups.add_member(group.id, teacher.id, MemberRole.MEMBER, ctx.now())
    await tell_admins(ctx, group, "gr.note.joined", name=teacher.full_name or "")
    fresh = await ctx.repos.groups.get(group.id)
    assert fresh is not None
    return [Reply(ctx._("gr.joined", group=group.name)), await group_card(ctx, fresh)]

"""The order of profile questions and what happens after the last answer.

A dialog in this flow keeps in its data: `mode` ("register" or "edit"), `steps` (the questions
still to ask, in order) and `answers` (the answers so far, by profile field). The dialog state is
`q.<step>`, so a restart continues at the same question with the answers kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from bot.core.context import Context
from bot.core.model import Reply
from bot.core.roles import roles_of
from bot.core.router import Replies
from handlers.groups.invites import join_by_code, looks_like_code
from handlers.profile_card import profile_card
from storage.teachers import NewTeacher

REGISTRATION = (
    "name", "municipality", "organization", "position", "subjects", "timezone", "topics", "mentor"
)
EDITABLE: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "school": ("municipality", "organization"),
    "position": ("position",),
    "subjects": ("subjects",),
    "timezone": ("timezone",),
    "topics": ("topics",),
    "mentor": ("mentor",),
}

Asker = Callable[[Context], Awaitable[Reply | None]]
"""Asks one question; None means there is nothing to ask (e.g. an empty list) and it is skipped."""

_askers: dict[str, Asker] = {}


AskerT = TypeVar("AskerT", bound=Callable[..., Awaitable[Reply | None]])


def asks(step: str) -> Callable[[AskerT], AskerT]:
    """Register the function that asks `step` (it keeps its own signature and type)."""

    def register(asker: AskerT) -> AskerT:
        _askers[step] = asker
        return asker

    return register


def state_of(step: str) -> str:
    return f"q.{step}"


def answers(ctx: Context) -> dict[str, Any]:
    return dict(ctx.dialog.get("answers") or {})


async def begin(
    ctx: Context, mode: str, steps: Sequence[str], prefill: dict[str, Any] | None = None,
    **extra: Any,
) -> Replies:
    ctx.dialog.start(
        state_of(steps[0]), mode=mode, steps=list(steps), answers=dict(prefill or {}), **extra
    )
    return await ask(ctx, steps[0])


async def ask(ctx: Context, step: str) -> Replies:
    ctx.dialog.go(state_of(step))
    reply = await _askers[step](ctx)
    return reply if reply is not None else await _advance(ctx, step)


async def answered(ctx: Context, step: str, **answer: Any) -> Replies:
    ctx.dialog.update(answers={**answers(ctx), **answer})
    return await _advance(ctx, step)


async def _advance(ctx: Context, step: str) -> Replies:
    steps: list[str] = ctx.dialog.get("steps") or [step]
    position = steps.index(step) if step in steps else len(steps) - 1
    if position + 1 < len(steps):
        return await ask(ctx, steps[position + 1])
    if ctx.dialog.get("mode") == "register":
        return await _register(ctx)
    return await _save_edit(ctx)


async def _register(ctx: Context) -> Replies:
    got = answers(ctx)
    now = ctx.now()
    teacher_id = await ctx.repos.teachers.create(
        NewTeacher(
            full_name=got["full_name"],
            organization_id=got.get("organization_id"),
            position=got["position"],
            timezone=got["timezone"],
            wants_to_mentor=bool(got.get("wants_to_mentor")),
            subject_ids=tuple(got.get("subject_ids") or ()),
            topic_ids=tuple(got.get("topic_ids") or ()),
            consent_at=datetime.fromisoformat(ctx.dialog.get("consent_at")),
        ),
        now,
    )
    actor = ctx.actor
    account = await ctx.repos.accounts.ensure(actor.platform, actor.user_id, actor.chat_id, now)
    await ctx.repos.accounts.link_teacher(account.id, teacher_id)
    if account.locale is None:
        await ctx.repos.accounts.set_locale(account.id, actor.locale)
    if ctx.inbound.username and account.username != ctx.inbound.username:
        await ctx.repos.accounts.set_username(account.id, ctx.inbound.username)
    if ctx.dialog.get("start_code"):
        await ctx.repos.accounts.set_start_code(account.id, ctx.dialog.get("start_code"))
    code = ctx.dialog.get("start_code")
    ctx.dialog.clear()
    actor.teacher = await ctx.repos.teachers.get(teacher_id)
    actor.roles = roles_of(actor.teacher, coordinator=ctx.settings.is_coordinator(
        actor.platform, actor.user_id))
    replies = [Reply(ctx._("reg.done")), await profile_card(ctx, teacher_id)]
    if code and looks_like_code(code):  # they came by a group's invitation link
        replies += await join_by_code(ctx, code)
    return replies


async def _save_edit(ctx: Context) -> Replies:
    teacher = ctx.actor.teacher
    if teacher is None:
        ctx.dialog.clear()
        return Reply(ctx._("access.register_first"))
    got = answers(ctx)
    fields = {
        key: got[key]
        for key in ("full_name", "organization_id", "position", "timezone", "wants_to_mentor")
        if key in got
    }
    if fields:
        await ctx.repos.teachers.update_fields(teacher.id, **fields)
    if "subject_ids" in got:
        await ctx.repos.teachers.set_subjects(teacher.id, got["subject_ids"])
    if "topic_ids" in got:
        await ctx.repos.teachers.set_topics(teacher.id, got["topic_ids"])
    ctx.dialog.clear()
    return [Reply(ctx._("profile.saved")), await profile_card(ctx, teacher.id)]

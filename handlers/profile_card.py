"""The profile as a teacher sees it, with a button to edit each field."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.model import Button, Reply
from handlers.questions.zones import zone_label

FIELDS = ("name", "school", "position", "subjects", "timezone", "topics", "mentor")


async def profile_card(ctx: Context, teacher_id: int) -> Reply:
    profile = await ctx.repos.teachers.profile(teacher_id)
    if profile is None:
        return Reply(ctx._("access.register_first"))
    teacher = profile.teacher
    nothing = ctx._("profile.not_set")
    school = (
        f"{profile.organization} ({profile.municipality})" if profile.organization else nothing
    )
    mentoring = (
        ctx._("profile.mentor_yes") if teacher.wants_to_mentor else ctx._("profile.mentor_no")
    )
    text = ctx._(
        "profile.card",
        name=teacher.full_name or nothing,
        school=school,
        position=ctx._(f"position.{teacher.position}") if teacher.position else nothing,
        subjects=", ".join(profile.subjects) or nothing,
        timezone=zone_label(ctx, teacher.timezone),
        topics=", ".join(profile.topics) or nothing,
        mentor=mentoring,
    )
    edit_buttons = [Button(ctx._(f"profile.edit.{field}"), "pf.edit", (field,)) for field in FIELDS]
    rows = [tuple(edit_buttons[i : i + 2]) for i in range(0, len(edit_buttons), 2)]
    rows.append((Button(ctx._("profile.delete_button"), "pv.ask"),))
    return Reply(text, tuple(rows))

"""Small pieces the matching handlers share."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import Context
from bot.core.timefmt import utc_offset
from handlers.matching.plan import Env


def env_of(ctx: Context) -> Env:
    translator = ctx.catalogs.translator(ctx.settings.default_locale)
    return Env(ctx.repos, ctx.settings, translator, ctx.now())


def moment_text(ctx: Context, moment: datetime) -> str:
    """«16.11.2026 14:00 (UTC+5)» in the reader's zone."""
    local = moment.astimezone(ctx.actor.timezone)
    return f"{local:%d.%m.%Y %H:%M} ({utc_offset(local)})"

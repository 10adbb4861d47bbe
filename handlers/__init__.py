"""What the bot does, one module per capability. `ROUTERS` lists them in /help order."""

from __future__ import annotations

from bot.core.router import Router
from handlers import basics, broadcast, network, privacy, profile, start
from handlers.questions import choices, lists, name, school

ROUTERS: tuple[Router, ...] = (
    start.router,
    profile.router,
    basics.router,
    privacy.router,
    network.router,
    broadcast.router,
    name.router,
    school.router,
    choices.router,
    lists.router,
)

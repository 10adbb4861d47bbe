"""What the bot does, one module per capability. `ROUTERS` lists them in /help order."""

from __future__ import annotations

from bot.core.router import Router
from handlers import basics, broadcast, network, privacy, profile, start
from handlers.groups import browse, create, edit, manage
from handlers.matching import match, preferences, rounds
from handlers.questions import choices, lists, name, school

ROUTERS: tuple[Router, ...] = (
    start.router,
    profile.router,
    basics.router,
    privacy.router,
    browse.router,
    manage.router,
    edit.router,
    create.router,
    network.router,
    broadcast.router,
    preferences.router,
    match.router,
    rounds.router,
    name.router,
    school.router,
    choices.router,
    lists.router,
)

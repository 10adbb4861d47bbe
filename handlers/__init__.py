"""What the bot does, one module per capability. `ROUTERS` lists them in /help order."""

from __future__ import annotations

from bot.core.router import Router
from handlers import basics, broadcast, network, privacy, profile, start
from handlers.events import audience as event_audience
from handlers.events import calendar as event_calendar
from handlers.events import create as event_create
from handlers.events import lists as event_lists
from handlers.events import manage as event_manage
from handlers.events import publish as event_publish
from handlers.events import rsvp as event_rsvp
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
    event_lists.router,
    event_rsvp.router,
    event_calendar.router,
    event_create.router,
    event_audience.router,
    event_publish.router,
    event_manage.router,
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

"""Routing: commands, button actions and dialog answers, each to one typed handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.model import Inbound, Reply
from bot.core.roles import Role

if TYPE_CHECKING:
    from bot.core.context import Context

Replies = Reply | Sequence[Reply] | None
Handler = Callable[["Context", Inbound], Awaitable[Replies]]
Roles = frozenset[Role] | None


@dataclass(frozen=True, slots=True)
class CommandRoute:
    name: str
    handler: Handler
    roles: Roles
    help_key: str | None
    """Message id of the one-line description in /help and the messenger's command menu."""
    in_groups: bool = False
    """Answered in group chats too; other commands there point to the private chat."""


@dataclass(frozen=True, slots=True)
class ActionRoute:
    name: str
    handler: Handler
    roles: Roles
    states: frozenset[str] | None
    """The dialog states in which the button still makes sense; None: any time."""


@dataclass(frozen=True, slots=True)
class AnswerRoute:
    state: str
    handler: Handler


class Router:
    """The routes of one handler module."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[CommandRoute] = []
        self.actions: list[ActionRoute] = []
        self.answers: list[AnswerRoute] = []

    def command(
        self, *names: str, roles: Roles = None, help: str | None = None, in_groups: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for i, name in enumerate(names):
                self.commands.append(
                    CommandRoute(name, handler, roles, help if i == 0 else None, in_groups)
                )
            return handler

        return register

    def action(
        self, name: str, *, roles: Roles = None, states: Iterable[str] | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            allowed = frozenset(states) if states is not None else None
            self.actions.append(ActionRoute(name, handler, roles, allowed))
            return handler

        return register

    def answer(self, *states: str) -> Callable[[Handler], Handler]:
        """Handle typed text (or a file) while the dialog is in one of these states."""

        def register(handler: Handler) -> Handler:
            self.answers.extend(AnswerRoute(state, handler) for state in states)
            return handler

        return register


class Registry:
    """All routes of the bot, checked for clashes when built."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.commands: dict[str, CommandRoute] = {}
        self.actions: dict[str, ActionRoute] = {}
        self.answers: dict[str, AnswerRoute] = {}
        for router in routers:
            _merge(self.commands, {c.name: c for c in router.commands}, router.name)
            _merge(self.actions, {a.name: a for a in router.actions}, router.name)
            _merge(self.answers, {a.state: a for a in router.answers}, router.name)

    def visible_commands(self, roles: frozenset[Role]) -> list[CommandRoute]:
        """Commands with a description that a person with these roles may use, in order."""
        return [
            c for c in self.commands.values()
            if c.help_key and (c.roles is None or c.roles & roles)
        ]


def _merge(target: dict[str, Any], new: dict[str, Any], router: str) -> None:
    clash = target.keys() & new.keys()
    if clash:
        raise ValueError(f"router {router} registers {sorted(clash)} again")
    target.update(new)

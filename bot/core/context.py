"""Everything a handler may use for one inbound event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.dialog import Dialog
from bot.core.model import Inbound
from bot.core.roles import Actor
from bot.i18n import Catalogs, Translator
from storage.repositories import Repositories

if TYPE_CHECKING:
    from bot.core.router import Registry


@dataclass(slots=True)
class Context:
    repos: Repositories
    actor: Actor
    dialog: Dialog
    inbound: Inbound
    settings: Settings
    clock: Clock
    catalogs: Catalogs
    registry: Registry
    t: Translator = field(init=False)
    notice: str | None = None
    """A short toast answering the button press, where the messenger shows one."""
    outbox_changed: bool = False
    """Set by a handler that enqueued messages due now, so delivery starts without waiting."""

    def __post_init__(self) -> None:
        self.t = self.catalogs.translator(self.actor.locale)

    def _(self, key: str, /, **params: object) -> str:
        return self.t(key, **params)

    def _n(self, key: str, n: int, /, **params: object) -> str:
        return self.t.plural(key, n, **params)

    def now(self) -> datetime:
        return self.clock.now()

    def switch_locale(self, locale: str) -> None:
        self.actor.locale = locale
        self.t = self.catalogs.translator(locale)

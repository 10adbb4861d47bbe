"""Dialog state: the question a person is answering and the answers so far, kept in the DB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.repositories import Repositories


class Dialog:
    def __init__(self, state: str | None = None, data: dict[str, Any] | None = None) -> None:
        self.state = state
        self.data: dict[str, Any] = dict(data or {})
        self._dirty = False

    @classmethod
    async def load(cls, repos: Repositories, platform: str, user_id: str) -> Dialog:
        stored = await repos.dialogs.load(platform, user_id)
        return cls(stored.state, stored.data) if stored else cls()

    @property
    def active(self) -> bool:
        return self.state is not None

    def start(self, state: str, **data: Any) -> None:
        """Begin a new dialog, forgetting any previous one."""
        self.state, self.data, self._dirty = state, dict(data), True

    def go(self, state: str, **updates: Any) -> None:
        """Move to the next question, keeping the answers so far."""
        self.state = state
        self.data.update(updates)
        self._dirty = True

    def update(self, **updates: Any) -> None:
        self.data.update(updates)
        self._dirty = True

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def clear(self) -> None:
        self.state, self.data, self._dirty = None, {}, True

    async def persist(
        self, repos: Repositories, platform: str, user_id: str, now: datetime
    ) -> None:
        if not self._dirty:
            return
        if self.state is None:
            await repos.dialogs.clear(platform, user_id)
        else:
            await repos.dialogs.save(platform, user_id, self.state, self.data, now)
        self._dirty = False

"""Recording what happened to sent messages: the worker collects outcomes as `Write`s and
applies them to the outbox in one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from storage.outbox import OutboxRepository


@dataclass(slots=True)
class Write:
    kind: str  # sent | retry | moved | release | unreachable | failed | dropped
    ids: tuple[int, ...]
    at: datetime | None = None
    error: str = ""
    count_attempt: bool = True
    chat_id: str | None = None
    """moved: the recipient's new chat id."""


async def apply_writes(outbox: OutboxRepository, writes: Collection[Write]) -> None:
    sent = [(w.ids[0], w.at) for w in writes if w.kind == "sent" and w.at is not None]
    await outbox.mark_sent_many(sent)
    for w in writes:
        if w.kind == "retry":
            assert w.at is not None
            await outbox.retry_later(w.ids[0], w.at, w.error, count_attempt=w.count_attempt)
        elif w.kind == "release":
            await outbox.release(w.ids, w.at)
        elif w.kind == "moved":
            assert w.at is not None and w.chat_id is not None
            await outbox.move_chat(w.ids[0], w.chat_id)
            await outbox.retry_later(w.ids[0], w.at, w.error, count_attempt=False)
        elif w.kind == "unreachable":
            await outbox.mark_unreachable(w.ids[0], w.error)
        elif w.kind == "failed":
            await outbox.mark_failed(w.ids[0], w.error)
        elif w.kind == "dropped":
            await outbox.drop(w.ids[0], w.error)

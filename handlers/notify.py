"""Telling other people about what someone just did, through the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.context import Context
from storage.outbox import ButtonRows, NewMessage


async def notify(
    ctx: Context,
    account_ids: Iterable[int],
    message_key: str,
    params: Mapping[str, Any] | None = None,
    buttons: ButtonRows = (),
) -> int:
    """Enqueue `message_key` for each account, due now; returns how many were enqueued.

    The idempotency key comes from the inbound update, so a redelivered update (or a retried
    handler) never notifies twice, while the same action done again later does."""
    inbound, now = ctx.inbound, ctx.now()
    origin = f"{inbound.platform}:{inbound.update_id or f'{inbound.user_id}@{now.isoformat()}'}"
    messages = [
        NewMessage(
            key=f"note:{origin}:{message_key}:{account_id}", account_id=account_id,
            not_before=now, message_key=message_key, params=dict(params or {}), buttons=buttons,
        )
        for account_id in sorted(set(account_ids))
    ]
    added = await ctx.repos.outbox.enqueue_many(messages, now)
    if added:
        ctx.outbox_changed = True
    return added

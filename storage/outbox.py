"""The outbox: messages to people who did not just write to the bot, sent by the delivery worker.

One row per logical message and recipient, under a unique idempotency key, so enqueueing the same
message again (a retried handler, a restart) never makes a second row. A row holds only what is to
be sent — a message id with its parameters, rendered in the recipient's language and time zone at
send time, or an admin's own text — and no other personal data.

    pending ──claim──> sending ──> sent
       ^                  │ ├────> unreachable   (the person blocked the bot; account marked)
       └── retry/release ─┘ ├────> failed        (permanent error, or out of attempts)
                            └────> dropped       (expired before it could be sent)

A claimed row carries a lease: if the worker that claimed it dies, the row is claimed again once
the lease has run out. On PostgreSQL claims skip rows locked by another claim (`FOR UPDATE SKIP
LOCKED`); on SQLite the claiming transaction holds the write lock (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_ignoring_conflicts
from storage.tables import accounts, outbox, teachers

MAX_ERROR = 300
LOOKUP_CHUNK = 500

ButtonSpec = Mapping[str, Any]
ButtonRows = Sequence[Sequence[ButtonSpec]]


def action_button(label: str, action: str, *args: str) -> ButtonSpec:
    """A button that comes back as `action`; `label` is a message id, translated at send time."""
    return {"label": label, "action": action, "args": list(args)}


def link_button(url: str, *, label: str | None = None, text: str | None = None) -> ButtonSpec:
    """A button opening `url`, labelled by a message id or by a text shown as is (a name)."""
    if (label is None) == (text is None):
        raise ValueError("a link button has either a label (message id) or a text")
    return {"url": url, "label": label} if label is not None else {"url": url, "text": text}


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    DROPPED = "dropped"


FINAL = frozenset({Status.SENT, Status.UNREACHABLE, Status.FAILED, Status.DROPPED})


@dataclass(frozen=True, slots=True)
class NewMessage:
    """One message for one account: a message id with parameters, or `text` sent as is."""

    key: str
    """The idempotency key, e.g. `broadcast:17:account:42`; unique across the outbox."""
    account_id: int
    not_before: datetime
    message_key: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None
    batch_id: int | None = None
    expires_at: datetime | None = None
    buttons: ButtonRows = ()
    """Buttons under the message; see `action_button` and `link_button`."""
    file_id: int | None = None
    """A stored file (storage.files) sent with the text; the text may then be empty."""

    def __post_init__(self) -> None:
        if (self.message_key is None) == (self.text is None):
            raise ValueError("an outbox message has either a message_key or a text")


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed row with what sending it needs from the recipient's account."""

    id: int
    key: str
    account_id: int
    platform: str
    chat_id: str
    locale: str | None
    timezone: str | None
    reachable: bool
    message_key: str | None
    params: dict[str, Any]
    text: str | None
    batch_id: int | None
    not_before: datetime
    expires_at: datetime | None
    attempts: int
    """Claims so far, this one included (flood-control waits are not counted)."""
    lease_until: datetime | None
    file_id: int | None = None
    """A stored file to send with the text (storage.files)."""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)


class OutboxRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- enqueueing --------------------------------------------------------------------------

    async def enqueue(self, message: NewMessage, now: datetime) -> bool:
        """Add the message; False when a row with its key exists already (nothing changes)."""
        return await self.enqueue_many([message], now) == 1

    async def enqueue_many(self, messages: Sequence[NewMessage], now: datetime) -> int:
        """Add many messages in one statement; returns how many were new."""
        if not messages:
            return 0
        platforms = await self._platforms({m.account_id for m in messages})
        rows = [
            {
                "idempotency_key": m.key, "account_id": m.account_id,
                "platform": platforms[m.account_id],
                "message_key": m.message_key, "params": dict(m.params), "text": m.text,
                "buttons": [[dict(b) for b in row] for row in m.buttons] or None,
                "file_id": m.file_id,
                "batch_id": m.batch_id, "not_before": m.not_before, "expires_at": m.expires_at,
                "status": Status.PENDING.value, "attempts": 0, "created_at": now,
            }
            for m in messages
        ]
        stmt = insert_ignoring_conflicts(self.conn, outbox).returning(outbox.c.id)
        result = await self.conn.execute(stmt, rows)
        return len(result.all())

    async def _platforms(self, account_ids: Collection[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        ordered = sorted(account_ids)
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            chunk = ordered[start : start + LOOKUP_CHUNK]
            rows = await self.conn.execute(
                select(accounts.c.id, accounts.c.platform).where(accounts.c.id.in_(chunk))
            )
            found.update((account_id, platform) for account_id, platform in rows)
        if missing := sorted(set(account_ids) - found.keys()):
            raise ValueError(f"no accounts {missing[:5]}")
        return found

    # --- claiming ----------------------------------------------------------------------------

    async def claim_due(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        platforms: Collection[str] | None = None,
    ) -> list[OutboxItem]:
        """Claim up to `limit` rows that are due (or whose claim expired), oldest first.

        Each claimed row becomes `sending` with the lease and one more attempt."""
        due = or_(
            and_(outbox.c.status == Status.PENDING.value, outbox.c.not_before <= now),
            and_(outbox.c.status == Status.SENDING.value, outbox.c.lease_until < now),
        )
        query = (
            select(outbox.c.id)
            .where(due)
            .order_by(outbox.c.not_before, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if platforms is not None:
            query = query.where(outbox.c.platform.in_(sorted(platforms)))
        ids = list((await self.conn.execute(query)).scalars())
        if not ids:
            return []
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                status=Status.SENDING.value, lease_until=lease_until,
                attempts=outbox.c.attempts + 1,
            )
        )
        rows = await self.conn.execute(
            select(
                outbox, accounts.c.chat_id, accounts.c.locale, accounts.c.reachable,
                teachers.c.timezone,
            )
            .join(accounts, accounts.c.id == outbox.c.account_id)
            .outerjoin(teachers, teachers.c.id == accounts.c.teacher_id)
            .where(outbox.c.id.in_(ids))
            .order_by(outbox.c.not_before, outbox.c.id)
        )
        return [_item(row._mapping) for row in rows]

    async def next_due(self, platforms: Collection[str] | None = None) -> datetime | None:
        """When the earliest pending row becomes due (None when nothing is pending)."""
        query = select(func.min(outbox.c.not_before)).where(
            outbox.c.status == Status.PENDING.value
        )
        if platforms is not None:
            query = query.where(outbox.c.platform.in_(sorted(platforms)))
        value: datetime | None = (await self.conn.execute(query)).scalar()
        return value

    # --- outcomes ----------------------------------------------------------------------------

    async def mark_sent(self, outbox_id: int, now: datetime) -> None:
        await self.mark_sent_many([(outbox_id, now)])

    async def mark_sent_many(self, sent: Sequence[tuple[int, datetime]]) -> None:
        if not sent:
            return
        stmt = (
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"))
            .values(status=Status.SENT.value, sent_at=bindparam("at"), lease_until=None,
                    last_error=None)
        )
        await self.conn.execute(stmt, [{"row_id": row_id, "at": at} for row_id, at in sent])

    async def retry_later(
        self, outbox_id: int, not_before: datetime, error: str, *, count_attempt: bool = True
    ) -> None:
        """Back to pending until `not_before`; a flood-control wait does not count an attempt."""
        values: dict[str, Any] = {
            "status": Status.PENDING.value, "not_before": not_before, "lease_until": None,
            "last_error": _clip(error),
        }
        if not count_attempt:
            values["attempts"] = outbox.c.attempts - 1
        await self.conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(values))

    async def release(self, ids: Collection[int], not_before: datetime | None = None) -> None:
        """Give claimed rows back unsent (stopping, or waiting for a chat's limit): the claim
        does not count as an attempt."""
        if not ids:
            return
        values: dict[str, Any] = {
            "status": Status.PENDING.value, "lease_until": None,
            "attempts": outbox.c.attempts - 1,
        }
        if not_before is not None:
            values["not_before"] = not_before
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(sorted(ids)), outbox.c.status == Status.SENDING.value)
            .values(values)
        )

    async def mark_unreachable(self, outbox_id: int, error: str) -> None:
        """The recipient does not accept messages: this row ends, and the account is marked."""
        await self._finish(outbox_id, Status.UNREACHABLE, error)
        account = select(outbox.c.account_id).where(outbox.c.id == outbox_id).scalar_subquery()
        await self.conn.execute(
            update(accounts).where(accounts.c.id == account).values(reachable=False)
        )

    async def drop_pending(self, key_prefix: str, reason: str) -> int:
        """Drop the rows not sent yet whose idempotency key starts with `key_prefix` (reminders
        of a registration that was cancelled, of an event that moved)."""
        pattern = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        result = await self.conn.execute(
            update(outbox)
            .where(outbox.c.status == Status.PENDING.value,
                   outbox.c.idempotency_key.like(pattern, escape="\\"))
            .values(status=Status.DROPPED.value, last_error=reason[:MAX_ERROR])
        )
        return int(result.rowcount)

    async def move_chat(self, outbox_id: int, chat_id: str) -> None:
        """The recipient's chat got a new id: the account (and every later send) follows it."""
        account = select(outbox.c.account_id).where(outbox.c.id == outbox_id).scalar_subquery()
        await self.conn.execute(
            update(accounts).where(accounts.c.id == account).values(chat_id=chat_id)
        )

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        await self._finish(outbox_id, Status.FAILED, error)

    async def drop(self, outbox_id: int, reason: str) -> None:
        """Never sent: it no longer makes sense (expired)."""
        await self._finish(outbox_id, Status.DROPPED, reason)

    async def _finish(self, outbox_id: int, status: Status, error: str) -> None:
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == outbox_id)
            .values(status=status.value, last_error=_clip(error), lease_until=None)
        )

    # --- reading -----------------------------------------------------------------------------

    async def batch_counts(self, batch_id: int) -> dict[str, int]:
        """How many rows of the batch are in each status (statuses with none are left out)."""
        rows = await self.conn.execute(
            select(outbox.c.status, func.count())
            .where(outbox.c.batch_id == batch_id)
            .group_by(outbox.c.status)
        )
        return {status: int(count) for status, count in rows}

    async def status_of(self, key: str) -> tuple[str, int] | None:
        """(status, attempts) of the row with this idempotency key."""
        row = (
            await self.conn.execute(
                select(outbox.c.status, outbox.c.attempts).where(outbox.c.idempotency_key == key)
            )
        ).first()
        return (row.status, row.attempts) if row else None


def _clip(error: str) -> str:
    return error if len(error) <= MAX_ERROR else error[: MAX_ERROR - 1] + "…"


def _item(m: RowMapping) -> OutboxItem:
    return OutboxItem(
        id=m["id"], key=m["idempotency_key"], account_id=m["account_id"],
        platform=m["platform"], chat_id=m["chat_id"], locale=m["locale"],
        timezone=m["timezone"], reachable=m["reachable"], message_key=m["message_key"],
        params=dict(m["params"] or {}), text=m["text"], buttons=list(m["buttons"] or []),
        file_id=m["file_id"], batch_id=m["batch_id"],
        not_before=m["not_before"], expires_at=m["expires_at"], attempts=m["attempts"],
        lease_until=m["lease_until"],
    )

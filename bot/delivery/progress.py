"""The sender's live progress message for each broadcast, edited as delivery advances.

A scheduler job calls `BroadcastProgress.report()` every few seconds: for every unfinished
broadcast it counts the outbox rows of its batch, sends the progress message the first time (and
remembers its id) and edits it afterwards; when nothing is left to send it shows the final report
and marks the broadcast finished.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.core.clock import Clock
from bot.core.model import Reply
from bot.delivery.sender import Sender
from bot.i18n import Catalogs
from storage.broadcasts import Broadcast
from storage.db import Database
from storage.outbox import FINAL, Status

log = logging.getLogger(__name__)


class BroadcastProgress:
    def __init__(
        self, db: Database, catalogs: Catalogs, senders: Mapping[str, Sender], clock: Clock
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.senders = senders
        self.clock = clock
        self._shown: dict[int, str] = {}
        """The text last shown per broadcast, so an unchanged figure is not edited again."""

    async def report(self) -> None:
        async with self.db.transaction() as repos:
            unfinished = await repos.broadcasts.unfinished()
        for broadcast in unfinished:
            try:
                await self._report_one(broadcast)
            except Exception:
                log.exception("progress of broadcast %s could not be shown", broadcast.id)

    async def _report_one(self, broadcast: Broadcast) -> None:
        async with self.db.transaction() as repos:
            counts = await repos.outbox.batch_counts(broadcast.id)
            sender_account = (
                await repos.accounts.by_id(broadcast.sender_account_id)
                if broadcast.sender_account_id is not None else None
            )
        done = sum(counts.get(status.value, 0) for status in FINAL) >= broadcast.recipients
        sender = self.senders.get(sender_account.platform) if sender_account else None
        if sender_account is None or sender is None:
            if done:  # nobody to show it to (the sender left, or their messenger is not running)
                await self._finish(broadcast)
            return
        t = self.catalogs.translator(sender_account.locale)
        failed = counts.get(Status.FAILED.value, 0) + counts.get(Status.DROPPED.value, 0)
        figures = {
            "number": broadcast.id, "total": broadcast.recipients,
            "sent": counts.get(Status.SENT.value, 0),
            "unreachable": counts.get(Status.UNREACHABLE.value, 0), "failed": failed,
        }
        remaining = broadcast.recipients - sum(counts.get(s.value, 0) for s in FINAL)
        text = t("bc.done", **figures) if done else t("bc.progress", remaining=remaining, **figures)
        if self._shown.get(broadcast.id) != text:
            await self._show(broadcast, sender, sender_account.chat_id, text)
            self._shown[broadcast.id] = text
        if done:
            await self._finish(broadcast)

    async def _show(self, broadcast: Broadcast, sender: Sender, chat_id: str, text: str) -> None:
        if broadcast.progress_message_id is None:
            sent = await sender.send(chat_id, Reply(text))
            async with self.db.transaction() as repos:
                await repos.broadcasts.set_progress_message(broadcast.id, sent.message_id)
            return
        shown = await sender.edit(chat_id, broadcast.progress_message_id, Reply(text))
        if shown.message_id != broadcast.progress_message_id:  # could not edit: sent anew
            async with self.db.transaction() as repos:
                await repos.broadcasts.set_progress_message(broadcast.id, shown.message_id)

    async def _finish(self, broadcast: Broadcast) -> None:
        async with self.db.transaction() as repos:
            await repos.broadcasts.finish(broadcast.id, self.clock.now())
        self._shown.pop(broadcast.id, None)

"""The files of outbox rows, for one worker: each read from the database once per pump, and
uploaded to each messenger once.

A broadcast with a photo is thousands of rows sharing one file. The first row sends the bytes;
the messenger answers with its own id for the file, which is kept (in memory and in
`file_copies`) and sent instead of the bytes to everyone else. Rows of a file whose first upload
is under way wait for it before they are handed to the messenger, so the bytes go out once, not
once per send in flight.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.core.clock import Clock
from bot.core.model import Attachment, Reply, SentMessage
from bot.delivery.render import RenderError
from storage.db import Database
from storage.files import StoredFile
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)

_Key = tuple[int, str]  # (file id, platform)


class FileCache:
    def __init__(self, db: Database, db_lock: asyncio.Lock, clock: Clock) -> None:
        self.db = db
        self.db_lock = db_lock
        """The worker's: one database transaction of the worker at a time."""
        self.clock = clock
        self._files: dict[int, StoredFile] = {}
        self._remote: dict[_Key, str] = {}
        self._uploads: dict[_Key, asyncio.Event] = {}

    def clear(self) -> None:
        """Forget the contents (between pumps, so memory holds only the files being sent)."""
        self._files.clear()
        self._remote.clear()

    async def attach(self, item: OutboxItem, reply: Reply) -> Reply:
        """The row's file on the reply: by the messenger's id when it is known, else the bytes.

        Waits while the file is being uploaded to the row's messenger by another row."""
        if item.file_id is None:
            return reply
        key = (item.file_id, item.platform)
        while (upload := self._uploads.get(key)) is not None:
            await upload.wait()
        stored = self._files.get(item.file_id) or await self._load(item.file_id)
        attachment = Attachment(
            stored.file_name, stored.content, stored.mime, remote_id=self._remote.get(key)
        )
        return replace(reply, attachment=attachment)

    def begin(self, item: OutboxItem, reply: Reply) -> Reply:
        """Just before the send: an upload makes the file's next rows wait for its outcome."""
        attachment = reply.attachment
        if item.file_id is None or attachment is None or attachment.remote_id is not None:
            return reply
        key = (item.file_id, item.platform)
        if (remote := self._remote.get(key)) is not None:  # learnt while this row waited
            return replace(reply, attachment=replace(attachment, remote_id=remote))
        self._uploads[key] = asyncio.Event()
        return reply

    async def end(self, item: OutboxItem, reply: Reply, sent: SentMessage | None) -> None:
        """After an upload (sent or not): keep the messenger's id for the file, wake the rest."""
        attachment = reply.attachment
        if item.file_id is None or attachment is None or attachment.remote_id is not None:
            return
        key = (item.file_id, item.platform)
        remote = sent.file_remote_id if sent is not None else None
        if remote is not None:
            self._remote[key] = remote
        if (upload := self._uploads.pop(key, None)) is not None:
            upload.set()
        if remote is not None:
            await self._keep(key, remote)

    async def _load(self, file_id: int) -> StoredFile:
        async with self.db_lock, self.db.transaction() as repos:
            stored = await repos.files.get(file_id)
        if stored is None:  # the foreign key forbids it; a row is never sent without its file
            raise RenderError(f"file {file_id} is missing")
        self._files[file_id] = stored
        for platform, remote in stored.copies.items():
            self._remote.setdefault((file_id, platform), remote)
        return stored

    async def _keep(self, key: _Key, remote: str) -> None:
        try:
            async with self.db_lock, self.db.transaction() as repos:
                await repos.files.remember_copy(*key, remote, self.clock.now())
        except Exception:  # only a lost shortcut: the next pump uploads once more
            log.exception("could not keep the %s id of file %s", key[1], key[0])

"""Files people send to the bot on Telegram: a photo (its largest size) or a document.

They are downloaded through the configured Bot API server (`getFile`, then the file's URL) into
memory. A file over MAX_FILE_SIZE is not downloaded, and a download that fails is not retried:
either way the core gets an Attachment without content, marked with the reason, and answers
the person. Logs name file ids, never the download URL (it holds the bot's token).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import Message
from aiohttp import ClientError

from bot.core.model import MAX_FILE_SIZE, Attachment, AttachmentIssue

DOWNLOAD_TIMEOUT = 60
"""Seconds for one download (a file of up to MAX_FILE_SIZE)."""
TOO_BIG = "file is too big"
"""Telegram's refusal of getFile past its own download limit (20 MB)."""
PHOTO_MIME = "image/jpeg"
"""Telegram stores every photo as a JPEG."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _FileRef:
    file_id: str
    name: str
    mime: str
    size: int | None


class _TooBig(Exception):
    pass


class _CappedBuffer(io.BytesIO):
    """Stops a download whose size Telegram did not tell once it passes MAX_FILE_SIZE."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > MAX_FILE_SIZE:
            raise _TooBig
        return super().write(data)


async def incoming_files(bot: Bot, message: Message) -> tuple[Attachment, ...]:
    """The message's photo or document, downloaded (or marked too big / unavailable)."""
    ref = _file_of(message)
    return () if ref is None else (await _download(bot, ref),)


def _file_of(message: Message) -> _FileRef | None:
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        name = f"photo_{message.message_id}.jpg"
        return _FileRef(largest.file_id, name, PHOTO_MIME, largest.file_size)
    if message.document:
        document = message.document
        return _FileRef(
            document.file_id, document.file_name or "file",
            document.mime_type or "application/octet-stream", document.file_size,
        )
    return None


async def _download(bot: Bot, ref: _FileRef) -> Attachment:
    if ref.size is not None and ref.size > MAX_FILE_SIZE:
        return _without_content(ref, AttachmentIssue.TOO_BIG)
    buffer = _CappedBuffer()
    try:
        await bot.download(ref.file_id, destination=buffer, timeout=DOWNLOAD_TIMEOUT)
    except _TooBig:
        return _without_content(ref, AttachmentIssue.TOO_BIG)
    except TelegramBadRequest as exc:
        if TOO_BIG in exc.message:
            return _without_content(ref, AttachmentIssue.TOO_BIG)
        log.warning("file %s not received: %s", ref.file_id, exc.message)
        return _without_content(ref, AttachmentIssue.UNAVAILABLE)
    except (TelegramAPIError, ClientError, OSError, TimeoutError) as exc:
        log.warning("file %s not received: %s", ref.file_id, type(exc).__name__)
        return _without_content(ref, AttachmentIssue.UNAVAILABLE)
    return Attachment(ref.name, buffer.getvalue(), ref.mime)


def _without_content(ref: _FileRef, issue: AttachmentIssue) -> Attachment:
    return Attachment(ref.name, b"", ref.mime, issue=issue)

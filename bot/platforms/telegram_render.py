"""Rendering the core's replies as Telegram messages: split text, inline keyboards, files, edits.

Everything is plain text (no parse mode). Lengths are counted as Telegram counts them, in UTF-16
code units. Errors of the Bot API come through as aiogram's exceptions, unchanged, unless the
caller asks for the one polite retry after a flood-control answer (`retry=True`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.core import codec
from bot.core.model import AnyButton, Attachment, Keyboard, LinkButton, Reply, SentMessage
from bot.platforms.text import split_text, utf16_len

PLATFORM = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_RETRY_WAIT = 60
"""Longer flood-control waits are not sat out inside a reply: the error goes up instead."""
NOT_MODIFIED = "message is not modified"
PHOTO_MIMES = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Sent as a photo (shown inline, compressed by Telegram); any other file as a document."""
PHOTO_REFUSALS = ("IMAGE_PROCESS_FAILED", "PHOTO_INVALID_DIMENSIONS", "PHOTO_EXT_INVALID")
"""Telegram cannot make a photo of these images: they go out as documents instead."""
PHOTO, DOCUMENT = "photo", "document"

T = TypeVar("T")
log = logging.getLogger(__name__)


def inline_keyboard(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    rows = [[_button(button) for button in row] for row in keyboard if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _button(button: AnyButton) -> InlineKeyboardButton:
    if isinstance(button, LinkButton):
        return InlineKeyboardButton(text=button.label, url=button.url)
    return InlineKeyboardButton(
        text=button.label, callback_data=codec.encode(button.action, button.args)
    )


def chat_ref(chat_id: str) -> int | str:
    """Telegram's numeric chat id where it is one (an `@channel` name stays a string)."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


class Renderer:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = False) -> SentMessage:
        """Send a reply as new message(s); the reference is to the last one sent.

        Long text goes out in parts under 4096 UTF-16 units, the keyboard under the last one.
        A file carries the text as its caption when it fits 1024 units; otherwise the text goes
        first, on its own, and the file (with the keyboard) last. An image goes as a photo, other
        files as documents; the reference carries Telegram's id of the file sent
        (`file_remote_id`, "photo:<file_id>" or "document:<file_id>"), which sends it again
        without an upload when given as `Attachment.remote_id`."""
        markup = inline_keyboard(reply.keyboard)
        attachment = reply.attachment
        text = reply.text
        caption = None
        if attachment is not None and text.strip() and utf16_len(text) <= CAPTION_LIMIT:
            caption, text = text, ""
        parts = split_text(text, TEXT_LIMIT, utf16_len)
        if not parts and attachment is None:
            raise ValueError("a reply with neither text nor a file cannot be sent")
        chat = chat_ref(chat_id)
        last: Message | None = None
        remote_id: str | None = None
        for index, part in enumerate(parts):
            on_last = attachment is None and index == len(parts) - 1
            method = SendMessage(
                chat_id=chat, text=part, reply_markup=markup if on_last else None
            )
            last = await self._call(method, retry)
        if attachment is not None:
            last, remote_id = await self._send_file(chat, attachment, caption, markup, retry)
        assert last is not None
        return SentMessage(PLATFORM, chat_id, str(last.message_id), remote_id)

    async def _send_file(
        self, chat: int | str, attachment: Attachment, caption: str | None,
        markup: InlineKeyboardMarkup | None, retry: bool,
    ) -> tuple[Message, str | None]:
        """The file as a photo or a document: by Telegram's id for it when known, else uploaded."""
        kind, _, file_id = (attachment.remote_id or "").partition(":")
        upload = BufferedInputFile(attachment.content, filename=attachment.file_name)
        if kind == PHOTO or (not file_id and attachment.mime in PHOTO_MIMES):
            photo = SendPhoto(chat_id=chat, photo=file_id or upload, caption=caption,
                              reply_markup=markup)
            try:
                return _with_file_id(await self._call(photo, retry))
            except TelegramBadRequest as exc:
                if file_id or not any(reason in exc.message for reason in PHOTO_REFUSALS):
                    raise
                log.info("chat=%s: not a photo to Telegram (%s); sending a document",
                         chat, exc.message)
        document = SendDocument(chat_id=chat, document=file_id or upload, caption=caption,
                                reply_markup=markup)
        return _with_file_id(await self._call(document, retry))

    async def edit(
        self, chat_id: str, message_id: str, reply: Reply, *, retry: bool = False
    ) -> SentMessage:
        """Edit the message whose button was pressed; send anew when it cannot be edited."""
        fits = reply.text.strip() and utf16_len(reply.text) <= TEXT_LIMIT
        if reply.attachment is None and fits and message_id.isdigit():
            method = EditMessageText(
                chat_id=chat_ref(chat_id),
                message_id=int(message_id),
                text=reply.text,
                reply_markup=inline_keyboard(reply.keyboard),
            )
            try:
                await self._call(method, retry)
                return SentMessage(PLATFORM, chat_id, message_id)
            except TelegramBadRequest as exc:
                if NOT_MODIFIED in exc.message:
                    return SentMessage(PLATFORM, chat_id, message_id)
                log.info(
                    "cannot edit chat=%s message=%s (%s); sending a new message",
                    chat_id, message_id, exc.message,
                )
        return await self.send(chat_id, reply, retry=retry)

    async def _call(self, method: TelegramMethod[T], retry: bool) -> T:
        try:
            return await self.bot(method)
        except TelegramRetryAfter as exc:
            if not retry or exc.retry_after > MAX_RETRY_WAIT:
                raise
            log.warning(
                "flood control on %s chat=%s: retrying once in %s s",
                type(method).__name__, getattr(method, "chat_id", None), exc.retry_after,
            )
            await asyncio.sleep(exc.retry_after)
            return await self.bot(method)


def _with_file_id(message: Message) -> tuple[Message, str | None]:
    """The message and Telegram's id of the file it carries, marked with how it was sent."""
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return message, f"{PHOTO}:{largest.file_id}"
    if message.document:
        return message, f"{DOCUMENT}:{message.document.file_id}"
    return message, None

"""The neutral message model shared by every messenger adapter and every handler."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum


class InboundKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"


MAX_FILE_SIZE = 10 * 1024 * 1024
"""Bytes: larger files people send are refused, not downloaded. Telegram lets a bot download up
to 20 MB; 10 MB is also its limit for a photo, and a broadcast's file stays in the database."""


class AttachmentIssue(StrEnum):
    """Why a file someone sent arrived without its content."""

    TOO_BIG = "too_big"
    """Over MAX_FILE_SIZE: not downloaded."""
    UNAVAILABLE = "unavailable"
    """The messenger did not hand it over (a download error or timeout)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    file_name: str
    content: bytes
    mime: str
    remote_id: str | None = None
    """The platform's own reference to this very file, learnt from an earlier upload: an adapter
    sends it instead of the bytes. Opaque outside the adapter that made it."""
    issue: AttachmentIssue | None = None
    """Set on a file that came in without its content (then `content` is empty)."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did: wrote text, sent a command or pressed a button."""

    platform: str
    user_id: str
    chat_id: str
    kind: InboundKind
    text: str = ""
    command: str | None = None
    args: str = ""
    payload: str | None = None
    """Raw button data as the messenger returned it; the core decodes it into the two below."""
    action: str | None = None
    action_args: tuple[str, ...] = ()
    message_id: str | None = None
    """For a button: the message that carried it (so a reply can edit it)."""
    update_id: str | None = None
    """The messenger's id of this update, for dropping redeliveries."""
    language: str | None = None
    """The language the messenger reports for the person (a hint only)."""
    attachments: tuple[Attachment, ...] = ()
    is_private: bool = True
    username: str | None = None
    """The person's public handle on the platform (Telegram @username), if they have one."""

    @property
    def account_key(self) -> str:
        return f"{self.platform}:{self.user_id}"


def parse_text(
    platform: str,
    user_id: str,
    chat_id: str,
    text: str,
    *,
    update_id: str | None = None,
    message_id: str | None = None,
    language: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    is_private: bool = True,
    username: str | None = None,
) -> Inbound:
    """Build an Inbound from typed text, recognising `/command args` (and `/command@bot`)."""
    inbound = Inbound(
        platform, user_id, chat_id, InboundKind.TEXT, text=text, update_id=update_id,
        message_id=message_id, language=language, attachments=attachments, is_private=is_private,
        username=username,
    )
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        head, _, rest = stripped[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        if name and all(c.isascii() and (c.isalnum() or c == "_") for c in name):
            return replace(
                inbound, kind=InboundKind.COMMAND, text=stripped, command=name, args=rest.strip()
            )
    return inbound


@dataclass(frozen=True, slots=True)
class Button:
    """A button that comes back to the bot as an action with compact arguments."""

    label: str
    action: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkButton:
    """A button that opens a URL."""

    label: str
    url: str


AnyButton = Button | LinkButton
Keyboard = tuple[tuple[AnyButton, ...], ...]


def keyboard(*rows: Sequence[AnyButton]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


def columns(buttons: Sequence[AnyButton], width: int) -> Keyboard:
    """Lay buttons out in rows of `width`."""
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back: plain, already localized text, optional keyboard and file."""

    text: str
    keyboard: Keyboard = ()
    attachment: Attachment | None = None
    edit: bool = False
    """Edit the message whose button was pressed instead of sending a new one."""

    def buttons(self) -> list[AnyButton]:
        return [b for row in self.keyboard for b in row]


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A reference to a message the bot sent, so it can be edited later."""

    platform: str
    chat_id: str
    message_id: str
    file_remote_id: str | None = None
    """The platform's reference to the file the message carried, to send it again without an
    upload (see Attachment.remote_id)."""


@dataclass(slots=True)
class Outcome:
    """What the core produced for one inbound event."""

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None
    """A short toast for the button press (Telegram's callback answer), if any."""

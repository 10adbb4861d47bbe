"""A chat-like client over the core: send text, click buttons by label, read what came back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.core import codec
from bot.core.dispatcher import Core
from bot.core.model import AnyButton, Button, Inbound, InboundKind, Keyboard, Reply, parse_text

_update_ids = itertools.count(1)


@dataclass
class ChatMessage:
    id: int
    text: str
    keyboard: Keyboard = ()
    file_name: str | None = None

    @property
    def labels(self) -> list[str]:
        return [b.label for row in self.keyboard for b in row]


@dataclass
class ChatClient:
    core: Core
    user_id: str = "1001"
    platform: str = "telegram"
    language: str | None = "ru"
    username: str | None = None
    chat_id: str | None = None
    """A group chat's id; None: the private chat with the bot."""
    messages: list[ChatMessage] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def last(self) -> ChatMessage:
        return self.messages[-1]

    def texts(self, since: int = 0) -> list[str]:
        return [m.text for m in self.messages[since:]]

    async def send(self, text: str) -> list[ChatMessage]:
        inbound = parse_text(
            self.platform, self.user_id, self.chat_id or self.user_id, text,
            update_id=str(next(_update_ids)), language=self.language, username=self.username,
            is_private=self.chat_id is None,
        )
        return await self.deliver(inbound)

    async def click(self, label: str, *, exact: bool = False) -> list[ChatMessage]:
        """Press the newest button whose label contains `label` (or equals it, with exact)."""
        for message in reversed(self.messages):
            for button in (b for row in message.keyboard for b in row):
                matches = button.label == label if exact else label in button.label
                if matches and isinstance(button, Button):
                    return await self.press_payload(
                        codec.encode(button.action, button.args), message.id
                    )
        raise AssertionError(f"no button {label!r}; last message: {self.last_view()}")

    async def press_payload(self, payload: str, message_id: int | None = None) -> list[ChatMessage]:
        """Send raw button data — also what a forged or stale button looks like."""
        inbound = Inbound(
            self.platform, self.user_id, self.chat_id or self.user_id, InboundKind.BUTTON,
            payload=payload, message_id=str(message_id or (self.last.id if self.messages else 0)),
            update_id=str(next(_update_ids)), language=self.language, username=self.username,
            is_private=self.chat_id is None,
        )
        return await self.deliver(inbound)

    async def deliver(self, inbound: Inbound) -> list[ChatMessage]:
        outcome = await self.core.handle(inbound)
        if outcome.notice:
            self.notices.append(outcome.notice)
        return [self._show(reply, inbound) for reply in outcome.replies]

    def _show(self, reply: Reply, inbound: Inbound) -> ChatMessage:
        for button in reply.buttons():
            if isinstance(button, Button):
                codec.encode(button.action, button.args)  # fails loudly like an adapter would
        if reply.edit and inbound.message_id:
            for message in self.messages:
                if str(message.id) == inbound.message_id:
                    message.text, message.keyboard = reply.text, reply.keyboard
                    return message
        file_name = reply.attachment.file_name if reply.attachment else None
        message = ChatMessage(next(self._ids), reply.text, reply.keyboard, file_name)
        self.messages.append(message)
        return message

    def last_view(self) -> str:
        if not self.messages:
            return "(no messages)"
        return f"{self.last.text!r} buttons={self.last.labels}"


def button_labels(keyboard: Keyboard) -> list[str]:
    return [b.label for row in keyboard for b in row]


def all_buttons(keyboard: Keyboard) -> list[AnyButton]:
    return [b for row in keyboard for b in row]

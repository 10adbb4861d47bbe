"""What a platform adapter offers the delivery worker."""

from __future__ import annotations

from typing import Protocol

from bot.core.model import Reply, SentMessage
from bot.delivery.outcome import DeliveryOutcome


class Sender(Protocol):
    async def send(self, chat_id: str, reply: Reply) -> SentMessage:
        """Send to a chat; the platform's own exceptions come through for `classify`."""
        ...

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> SentMessage:
        """Edit a message sent earlier (a broadcast's progress); a new message when it can't be."""
        ...

    def classify(self, exc: BaseException) -> DeliveryOutcome:
        """What an exception raised by `send` means for delivery."""
        ...

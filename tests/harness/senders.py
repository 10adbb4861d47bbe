"""A sender that stands in for a messenger in delivery tests: it records what was sent and
answers with scripted refusals first."""

from __future__ import annotations

import asyncio

from bot.core.model import Reply, SentMessage
from bot.delivery import DeliveryOutcome


class Refusal(Exception):
    def __init__(self, outcome: DeliveryOutcome) -> None:
        super().__init__(str(outcome))
        self.outcome = outcome


class ScriptedSender:
    """Answers each chat's sends with the scripted refusals first, then accepts."""

    def __init__(self, script: dict[str, list[DeliveryOutcome]] | None = None) -> None:
        self.script = script or {}
        self.attempts: list[str] = []
        self.sent: list[tuple[str, str]] = []
        self.progress = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> SentMessage:
        self.attempts.append(chat_id)
        if self.script.get(chat_id):
            raise Refusal(self.script[chat_id].pop(0))
        self.sent.append((chat_id, reply.text))
        self.progress.set()
        return SentMessage("telegram", chat_id, str(len(self.sent)))

    def classify(self, exc: BaseException) -> DeliveryOutcome:
        assert isinstance(exc, Refusal)
        return exc.outcome

    async def wait_sent(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.sent) < count:
                self.progress.clear()
                await self.progress.wait()

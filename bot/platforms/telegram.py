"""The Telegram adapter (aiogram 3, long polling): updates in as Inbound, the core's replies out.

It is a thin translator. Typed text and commands become `parse_text(...)`, a button press an
`Inbound` of kind BUTTON carrying the raw `callback_data`; the core decides everything else,
including what to say in group chats and what a forged button means. Logs carry ids only.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import BotCommand, BotCommandScopeDefault, CallbackQuery, Message, Update

from bot.config import TelegramSettings
from bot.core.dispatcher import Core
from bot.core.locks import KeyedLocks
from bot.core.model import Inbound, InboundKind, Outcome, Reply, SentMessage, parse_text
from bot.core.roles import Role
from bot.core.router import Registry
from bot.delivery.outcome import DeliveryOutcome
from bot.i18n import LOCALES, Catalogs
from bot.platforms.telegram_errors import classify
from bot.platforms.telegram_files import incoming_files
from bot.platforms.telegram_render import PLATFORM, Renderer
from bot.platforms.text import utf16_len

MAX_ANSWER = 200
"""Telegram's limit for the text of a callback answer (the toast)."""
MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
DRAIN_TIMEOUT = 10.0
"""On stop, how long updates already being handled may take to finish."""
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

log = logging.getLogger(__name__)


class TelegramAdapter:
    def __init__(
        self, core: Core, settings: TelegramSettings, catalogs: Catalogs, registry: Registry
    ) -> None:
        if settings.token is None:
            raise ValueError("KOLLEGA_TELEGRAM__TOKEN is not set")
        self.core = core
        self.catalogs = catalogs
        self.registry = registry
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_url))
        self.bot = Bot(
            settings.token.get_secret_value(),
            session=session,
            default=DefaultBotProperties(parse_mode=None),
        )
        self.renderer = Renderer(self.bot)
        self.dp = Dispatcher()
        router = Router(name="kollega")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        self.dp.include_router(router)
        self._stop_requested = asyncio.Event()
        self._finished = asyncio.Event()
        self._started = False
        self._inflight: set[asyncio.Task[Any]] = set()
        self._chats = KeyedLocks()
        """One update per chat at a time, replies included, so answers keep their order."""

    # --- lifecycle ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Long-poll until `stop()`; the bot's HTTP session is closed on the way out."""
        if self._started:
            raise RuntimeError("the Telegram adapter runs only once")
        self._started = True
        if self._stop_requested.is_set():  # stopped before it began
            self._finished.set()
            return
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
            await self._learn_username()
            try:
                await self.set_commands()
            except TelegramAPIError as exc:
                log.warning("could not set the command menu: %s", exc.message)
            if not self._stop_requested.is_set():
                await self._poll()
        finally:
            await self._drain()
            await self.bot.session.close()
            self._finished.set()

    async def _learn_username(self) -> None:
        """Invitation links need the bot's @username; ask Telegram unless it is configured."""
        telegram = self.core.settings.telegram
        if telegram.username is None:
            telegram.username = (await self.bot.get_me()).username

    async def stop(self) -> None:
        """Stop polling, let updates in progress finish, close the session."""
        self._stop_requested.set()
        if self._started:
            await self._finished.wait()
        else:
            await self.bot.session.close()

    @property
    def busy(self) -> int:
        """How many updates are being handled right now."""
        return len(self._inflight)

    async def _poll(self) -> None:
        polling = asyncio.create_task(
            self.dp.start_polling(self.bot, handle_signals=False, close_bot_session=False)
        )
        stopper = asyncio.create_task(self._stop_requested.wait())
        try:
            await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not polling.done():
                try:
                    await self.dp.stop_polling()
                except RuntimeError:  # the polling task has not taken its lock yet
                    polling.cancel()
            await asyncio.wait({polling})
        if not polling.cancelled() and (error := polling.exception()) is not None:
            raise error

    async def _drain(self) -> None:
        pending = {task for task in self._inflight if task is not asyncio.current_task()}
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=DRAIN_TIMEOUT)
        if late:
            log.warning("stopping with %d update(s) still being handled", len(late))

    # --- the command menu --------------------------------------------------------------------

    async def set_commands(self) -> None:
        """The menu of commands a registered teacher may use: default language, ru and en."""
        routes = [
            route for route in self.registry.visible_commands(frozenset({Role.TEACHER}))
            if route.help_key and _COMMAND_NAME.match(route.name)
        ][:MAX_COMMANDS]
        if not routes:
            return
        for language in (None, *LOCALES):
            t = self.catalogs.translator(language or self.catalogs.default)
            commands = [
                BotCommand(
                    command=route.name,
                    description=_clip(t(route.help_key or "").strip() or route.name,
                                      MAX_DESCRIPTION),
                )
                for route in routes
            ]
            await self.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=language
            )

    # --- updates in --------------------------------------------------------------------------

    async def _on_message(self, message: Message, event_update: Update) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        inbound = parse_text(
            PLATFORM, str(user.id), str(message.chat.id), message.text or message.caption or "",
            update_id=str(event_update.update_id),
            message_id=str(message.message_id),
            language=user.language_code,
            is_private=message.chat.type == ChatType.PRIVATE,
            username=user.username,
        )
        await self._process(inbound, message=message)

    async def _on_callback(self, callback: CallbackQuery, event_update: Update) -> None:
        user, message = callback.from_user, callback.message
        inbound = Inbound(
            PLATFORM,
            str(user.id),
            str(message.chat.id) if message else str(user.id),
            InboundKind.BUTTON,
            payload=callback.data,
            message_id=str(message.message_id) if message else None,
            update_id=str(event_update.update_id),
            language=user.language_code,
            is_private=message.chat.type == ChatType.PRIVATE if message else True,
            username=user.username,
        )
        await self._process(inbound, callback)

    async def _process(
        self, inbound: Inbound, callback: CallbackQuery | None = None,
        message: Message | None = None,
    ) -> None:
        """Handle one update and deliver the replies; a message's file is downloaded first (in
        private chats only: files in group chats are not for the bot)."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        outcome: Outcome | None = None
        try:
            async with self._chats.hold(inbound.chat_id):
                if message is not None and inbound.is_private:
                    files = await incoming_files(self.bot, message)
                    inbound = replace(inbound, attachments=files)
                outcome = await self.core.handle(inbound)
                if callback is not None:
                    await self._answer(callback, outcome.notice)
                    callback = None
                await self._deliver(inbound, outcome)
        except Exception:
            log.exception(
                "reply failed update=%s user=%s chat=%s",
                inbound.update_id, inbound.user_id, inbound.chat_id,
            )
        finally:
            if callback is not None:  # always stop the button's spinner
                await self._answer(callback, outcome.notice if outcome else None)
            if task is not None:
                self._inflight.discard(task)

    async def _answer(self, callback: CallbackQuery, notice: str | None) -> None:
        try:
            await self.bot.answer_callback_query(
                callback.id, text=_clip(notice, MAX_ANSWER) if notice else None
            )
        except TelegramAPIError as exc:
            log.warning("callback answer failed query=%s: %s", callback.id, exc.message)

    # --- replies out -------------------------------------------------------------------------

    async def _deliver(self, inbound: Inbound, outcome: Outcome) -> None:
        """The replies to the person who just wrote; one polite retry after flood control."""
        for reply in outcome.replies:
            try:
                if reply.edit and inbound.kind is InboundKind.BUTTON and inbound.message_id:
                    await self.renderer.edit(inbound.chat_id, inbound.message_id, reply, retry=True)
                elif reply.text.strip() or reply.attachment is not None:
                    await self.renderer.send(inbound.chat_id, reply, retry=True)
            except TelegramForbiddenError:
                log.info("chat=%s does not accept messages; reply dropped", inbound.chat_id)
                return

    async def send(self, chat_id: str, reply: Reply) -> SentMessage:
        """Send to any chat; aiogram's exceptions come through unchanged for the caller to judge."""
        return await self.renderer.send(chat_id, reply)

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> SentMessage:
        """Edit a message sent earlier; sends a new one when Telegram cannot edit it."""
        return await self.renderer.edit(chat_id, message_id, reply)

    def classify(self, exc: BaseException) -> DeliveryOutcome:
        """What an exception from `send` means to the delivery worker (makes this a Sender)."""
        return classify(exc)


def _clip(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units, with an ellipsis when something was cut."""
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for char in text:
        size += utf16_len(char)
        if size > limit - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"

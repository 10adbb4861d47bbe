"""The core: turns one Inbound into replies, inside one database transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.config import Settings
from bot.core import codec
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context
from bot.core.dialog import Dialog
from bot.core.links import bot_link, chat_account_id, invite_link
from bot.core.locks import KeyedLocks
from bot.core.model import Inbound, InboundKind, LinkButton, Outcome, Reply
from bot.core.roles import Actor, Role, roles_of
from bot.core.router import Registry, Replies
from bot.i18n import Catalogs
from storage.db import Database
from storage.repositories import Repositories

log = logging.getLogger(__name__)


class Core:
    def __init__(
        self,
        db: Database,
        registry: Registry,
        settings: Settings,
        catalogs: Catalogs,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.settings = settings
        self.catalogs = catalogs
        self.clock = clock or SystemClock()
        self._locks = KeyedLocks()
        self.on_outbox_changed: Callable[[], None] | None = None
        """Called after a handler enqueued messages (the app wires it to the delivery worker)."""

    async def handle(self, inbound: Inbound) -> Outcome:
        """Handle one event; never raises for anything a person can send."""
        async with self._locks.hold(inbound.account_key):
            try:
                return await self._handle(inbound)
            except Exception:
                reference = secrets.token_hex(4)
                log.exception(
                    "handling failed ref=%s platform=%s user=%s kind=%s",
                    reference, inbound.platform, inbound.user_id, inbound.kind,
                )
                t = self.catalogs.translator(self.catalogs.pick_locale(inbound.language))
                return Outcome([Reply(t("error.internal", reference=reference))])

    async def _handle(self, inbound: Inbound) -> Outcome:
        now = self.clock.now()
        async with self.db.transaction() as repos:
            if inbound.update_id is not None and not await repos.updates.mark_processed(
                inbound.platform, inbound.update_id, now
            ):
                log.info("dropped redelivered update %s", inbound.update_id)
                return Outcome()
            ctx = Context(
                repos=repos,
                actor=await self._actor(repos, inbound),
                dialog=await Dialog.load(repos, inbound.platform, inbound.user_id),
                inbound=inbound,
                settings=self.settings,
                clock=self.clock,
                catalogs=self.catalogs,
                registry=self.registry,
            )
            replies = _as_list(await self._route(ctx, inbound))
            await ctx.dialog.persist(repos, inbound.platform, inbound.user_id, now)
        if ctx.outbox_changed and self.on_outbox_changed is not None:
            self.on_outbox_changed()  # after the commit, so the worker sees the new rows
        return Outcome(replies, ctx.notice)

    async def _actor(self, repos: Repositories, inbound: Inbound) -> Actor:
        account = await repos.accounts.get(inbound.platform, inbound.user_id)
        if account and not account.reachable and inbound.is_private:
            # They had blocked the bot; writing to it again means messages reach them again.
            await repos.accounts.set_reachable(account.id, True)
            account = replace(account, reachable=True)
        if account and inbound.is_private and account.username != inbound.username:
            await repos.accounts.set_username(account.id, inbound.username)
            account = replace(account, username=inbound.username)
        teacher = None
        if account and account.teacher_id is not None:
            teacher = await repos.teachers.get(account.teacher_id)
            if teacher and teacher.deleted:
                teacher = None
        coordinator = self.settings.is_coordinator(inbound.platform, inbound.user_id)
        group_admin = teacher is not None and await repos.groups.is_admin_anywhere(teacher.id)
        return Actor(
            platform=inbound.platform,
            user_id=inbound.user_id,
            chat_id=inbound.chat_id,
            account=account,
            teacher=teacher,
            roles=roles_of(teacher, coordinator=coordinator, group_admin=group_admin),
            locale=self.catalogs.pick_locale(account.locale if account else None, inbound.language),
            default_timezone=self.settings.default_timezone,
        )

    async def _route(self, ctx: Context, inbound: Inbound) -> Replies:
        if not inbound.is_private and inbound.kind is InboundKind.TEXT:
            return None  # people talking to each other in a group chat: not for the bot
        if inbound.kind is InboundKind.COMMAND:
            return await self._command(ctx, inbound)
        if inbound.kind is InboundKind.BUTTON:
            return await self._button(ctx, inbound)
        answer = self.registry.answers.get(ctx.dialog.state or "")
        if answer is not None:
            return await answer.handler(ctx, inbound)
        key = "fallback.registered" if ctx.actor.registered else "fallback.stranger"
        return Reply(ctx._(key))

    async def _command(self, ctx: Context, inbound: Inbound) -> Replies:
        route = self.registry.commands.get(inbound.command or "")
        if route is None:
            return None if not inbound.is_private else Reply(
                ctx._("command.unknown", command=inbound.command)
            )
        if not inbound.is_private and not route.in_groups:
            return await self._to_private_chat(ctx, "group_chat.private_only")
        if not ctx.actor.may(route.roles):
            if not inbound.is_private and not ctx.actor.registered:
                return await self._to_private_chat(ctx, "group_chat.register_first")
            return self._refuse(ctx, route.roles)
        return await route.handler(ctx, inbound)

    async def _button(self, ctx: Context, inbound: Inbound) -> Replies:
        try:
            data = codec.decode(inbound.payload)
        except codec.CodecError:
            log.warning("undecodable button data from user=%s", inbound.user_id)
            return self._stale(ctx, "button.unknown")
        route = self.registry.actions.get(data.action)
        if route is None:
            return self._stale(ctx, "button.unknown")
        if not ctx.actor.may(route.roles):  # before anything else, whatever the dialog state
            if not inbound.is_private and not ctx.actor.registered:
                return await self._to_private_chat(ctx, "group_chat.register_first")
            return self._refuse(ctx, route.roles)
        if route.states is not None and ctx.dialog.state not in route.states:
            return self._stale(ctx, "button.outdated")
        return await route.handler(ctx, replace(inbound, action=data.action, action_args=data.args))

    async def _to_private_chat(self, ctx: Context, key: str) -> Reply:
        """In a group chat: a button that opens a private chat with the bot — with the code of
        the group tied to this chat, so a newcomer joins it right after registering."""
        chat = await ctx.repos.accounts.get(ctx.inbound.platform, chat_account_id(ctx.inbound))
        bound = await ctx.repos.groups.by_chat_account(chat.id) if chat else []
        platform = ctx.inbound.platform
        url = (invite_link(self.settings, platform, bound[0].invite_code) if bound else None) or (
            bot_link(self.settings, platform)
        )
        ctx.notice = ctx._(key)
        if url is None:
            return Reply(ctx._(key))
        return Reply(ctx._(key), ((LinkButton(ctx._("group_chat.open_bot"), url),),))

    @staticmethod
    def _refuse(ctx: Context, roles: frozenset[Role] | None) -> Reply:
        if roles is not None and Role.TEACHER in roles and not ctx.actor.registered:
            return Reply(ctx._("access.register_first"))
        log.info("refused user=%s roles=%s", ctx.actor.user_id, sorted(ctx.actor.roles))
        return Reply(ctx._("access.denied"))

    @staticmethod
    def _stale(ctx: Context, key: str) -> Reply:
        ctx.notice = ctx._(key)
        return Reply(ctx._(key))


def _as_list(replies: Replies) -> list[Reply]:
    if replies is None:
        return []
    if isinstance(replies, Reply):
        return [replies]
    assert isinstance(replies, Sequence)
    return list(replies)

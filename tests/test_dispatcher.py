"""The core's guarantees: an internal error gets an apology and stores nothing; start codes kept."""

from __future__ import annotations

import logging

import pytest

from bot.app import App
from bot.core.context import Context
from bot.core.dispatcher import Core
from bot.core.model import Inbound, parse_text
from bot.core.router import Registry, Replies, Router
from handlers import ROUTERS
from tests.harness.chat import ChatClient
from tests.harness.flows import register


def _failing_core(app: App) -> Core:
    broken = Router("broken")

    @broken.command("boom")
    async def boom(ctx: Context, msg: Inbound) -> Replies:
        await ctx.repos.network.add_topic("Записано до ошибки")
        raise RuntimeError("a bug")

    return Core(app.db, Registry((*ROUTERS, broken)), app.settings, app.catalogs, app.core.clock)


async def test_internal_error_apologises_and_rolls_back(
    network_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    core = _failing_core(network_app)
    inbound = parse_text("telegram", "55", "55", "/boom", update_id="900")
    with caplog.at_level(logging.ERROR):
        outcome = await core.handle(inbound)
    [reply] = outcome.replies
    assert reply.text.startswith("Простите, что-то пошло не так на моей стороне.")
    reference = reply.text.rsplit(" ", 1)[-1].rstrip(".")
    assert f"ref={reference}" in caplog.text
    async with network_app.db.transaction() as repos:
        assert "Записано до ошибки" not in {t.name for t in await repos.network.topics()}
        # the update was not marked processed, so a redelivery is handled again
        assert await repos.updates.mark_processed("telegram", "900", network_app.core.clock.now())


async def test_start_code_from_an_invitation_is_kept(chat: ChatClient, network_app: App) -> None:
    await register(chat, start="/start grp7Kx2")
    assert chat.last.text.startswith("👤 Ваш профиль")
    async with network_app.db.transaction() as repos:
        account = await repos.accounts.get("telegram", "1001")
    assert account is not None
    assert account.start_code == "grp7Kx2"


async def test_registered_teacher_is_welcomed_back(chat: ChatClient) -> None:
    await register(chat)
    await chat.send("/start")
    assert chat.last.text == "С возвращением, Иванова Мария Петровна! Чем займёмся?"
    assert chat.last.labels == ["👤 Мой профиль", "❓ Что умеет бот"]
    await chat.click("Мой профиль")
    assert chat.last.text.startswith("👤 Ваш профиль")


async def test_plain_talk_in_a_group_chat_is_left_alone(network_app: App) -> None:
    talk = parse_text("telegram", "61", "-100200", "коллеги, добрый день!", is_private=False)
    command = parse_text("telegram", "61", "-100200", "/help", is_private=False)
    assert (await network_app.core.handle(talk)).replies == []
    [reply] = (await network_app.core.handle(command)).replies
    assert reply.text.startswith("Я «Коллега»")

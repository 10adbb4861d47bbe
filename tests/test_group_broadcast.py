"""A group's admin broadcasts to their groups (and the group chat) and can reach nobody else."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from bot.core import codec
from storage.groups import Group
from storage.tables import accounts, outbox
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import create_group, register

ChatFor = Callable[..., ChatClient]
DENIED = "Это действие вам недоступно. Что вы можете сделать — в /help."


async def groups_by_name(app: App) -> dict[str, Group]:
    async with app.db.transaction() as repos:
        return {g.name: g for g in await repos.groups.active()}


async def recipients(app: App) -> set[str]:
    """External ids of the accounts that broadcast rows were queued for."""
    async with app.db.engine.connect() as conn:
        rows = await conn.execute(
            select(accounts.c.external_id)
            .join(outbox, outbox.c.account_id == accounts.c.id)
            .where(outbox.c.batch_id.is_not(None))
        )
        return {r[0] for r in rows}


async def setup_two_groups(
    network_app: App, chat_for: ChatFor
) -> tuple[ChatClient, dict[str, Group]]:
    """«Математики» (admin: Иванова, member: 3001) and «Физики» (admin: Петров, member: 3002)."""
    admin, other_admin = chat_for("2001"), chat_for("2002")
    await register(admin, name="Иванова Мария Петровна")
    await register(other_admin, name="Петров Андрей Сергеевич")
    coordinator = chat_for(COORDINATOR_ID)
    await create_group(coordinator, "Иванова", name="Математики")
    await create_group(coordinator, "Петров Андрей", name="Физики")
    groups = await groups_by_name(network_app)
    for user_id, name, group in (("3001", "Смирнова Анна Ивановна", "Математики"),
                                 ("3002", "Орлов Глеб Петрович", "Физики"),
                                 ("3003", "Вне Групп Иван", None)):
        member = chat_for(user_id)
        await register(member, name=name)
        if group:
            await member.send(f"/join {groups[group].invite_code}")
    return admin, groups


async def test_admin_writes_to_their_group_only(network_app: App, chat_for: ChatFor) -> None:
    admin, _ = await setup_two_groups(network_app, chat_for)
    await admin.send("/broadcast")
    assert "«Математики»" in admin.last.text  # the only group: no audience question
    await admin.send("Встречаемся в четверг в 15:00, каб. 204.")
    assert admin.texts()[-2] == "Встречаемся в четверг в 15:00, каб. 204."
    assert "2 получателя" in admin.last.text
    await admin.click("Отправить")
    assert await recipients(network_app) == {"2001", "3001"}

    await admin.send("/broadcasts")
    assert "Математики" in admin.last.text


async def test_admin_cannot_reach_outside_their_groups_even_with_forged_buttons(
    network_app: App, chat_for: ChatFor
) -> None:
    admin, groups = await setup_two_groups(network_app, chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await create_group(coordinator, "Иванова", name="Математики-2")
    await admin.send("/broadcast")
    assert admin.last.labels[:2] == ["Математики", "Математики-2"]  # theirs, nobody else's
    for action, args in (("bc.ref", (str(groups["Физики"].id),)), ("bc.kind", ("all",)),
                         ("bc.kind", ("municipality",))):
        replies = await admin.press_payload(codec.encode(action, args))
        refusals = (DENIED, "уже нет в списке", "кнопка устарела")
        assert any(t in r.text for r in replies for t in refusals), action
    await admin.send("просто текст")
    assert "кнопк" in admin.last.text  # still choosing a group, nothing queued
    assert await recipients(network_app) == set()

    teacher = chat_for("3003")
    await teacher.send("/broadcast")
    assert teacher.last.text == DENIED
    await teacher.press_payload(codec.encode("bc.send"))
    assert teacher.last.text == DENIED
    assert await recipients(network_app) == set()


async def test_admin_rights_are_checked_again_when_sending(
    network_app: App, chat_for: ChatFor
) -> None:
    admin, groups = await setup_two_groups(network_app, chat_for)
    await admin.send("/broadcast")
    await admin.send("Текст")
    async with network_app.db.transaction() as repos:  # the coordinator archives the group
        await repos.groups.archive(groups["Математики"].id, network_app.core.clock.now())
    await admin.click("Отправить")
    assert admin.last.text == DENIED
    assert await recipients(network_app) == set()


async def test_group_broadcast_goes_to_the_tied_group_chat_too(
    network_app: App, chat_for: ChatFor
) -> None:
    admin, groups = await setup_two_groups(network_app, chat_for)
    in_chat = chat_for("2001", chat_id="-100555")
    await in_chat.send(f"/join {groups['Математики'].invite_code}")
    await admin.send("/broadcast")
    await admin.send("Всем привет!")
    assert "придёт и в общий чат группы" in admin.last.text
    await admin.click("Отправить")
    assert await recipients(network_app) == {"2001", "3001", "chat:-100555"}


async def test_coordinator_picks_any_group(network_app: App, chat_for: ChatFor) -> None:
    await setup_two_groups(network_app, chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/broadcast")
    await coordinator.click("Участникам группы")
    await coordinator.click("Физики")
    await coordinator.send("Методический день переносится.")
    await coordinator.click("Отправить")
    assert await recipients(network_app) == {"2002", "3002"}

"""Groups through the chat: create, invite by link and code, renew, join, leave, remove, archive,
group chats — and that a teacher cannot use admin actions, forged buttons included."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from bot.core import codec
from storage.groups import Group, MemberRole
from storage.tables import group_members, outbox
from tests.harness.chat import ChatClient
from tests.harness.flows import TOPIC, create_group, register

ChatFor = Callable[..., ChatClient]
DENIED = "Это действие вам недоступно. Что вы можете сделать — в /help."


async def the_group(app: App) -> Group:
    async with app.db.transaction() as repos:
        groups = await repos.groups.active()
    assert len(groups) == 1
    return groups[0]


async def roles(app: App, group_id: int) -> dict[str, MemberRole]:
    async with app.db.transaction() as repos:
        return {m.full_name: m.role for m in await repos.groups.members(group_id)}


async def notes(app: App, message_key: str) -> list[dict[str, object]]:
    async with app.db.engine.connect() as conn:
        rows = await conn.execute(select(outbox).where(outbox.c.message_key == message_key))
        return [dict(r._mapping) for r in rows]


async def test_coordinator_creates_a_group_with_an_admin(
    network_app: App, admin: ChatClient, coordinator: ChatClient
) -> None:
    await create_group(coordinator, limit="12")
    assert "создана" in coordinator.texts()[-2]
    card = coordinator.last
    assert "Математики Верхнегорья" in card.text and "Тема: " + TOPIC in card.text
    assert "В группе 1 участник, мест всего 12." in card.text
    assert {"👥 Участники", "✉️ Приглашение", "✏️ Изменить", "🗄 В архив"} <= set(card.labels)
    group = await the_group(network_app)
    assert group.size_limit == 12 and group.open and len(group.invite_code) == 8
    assert await roles(network_app, group.id) == {"Иванова Мария Петровна": MemberRole.ADMIN}
    assert len(await notes(network_app, "gr.note.made_admin")) == 1


async def test_bad_input_in_the_creation_dialog_is_answered_and_kept(
    network_app: App, coordinator: ChatClient
) -> None:
    await coordinator.send("/newgroup")
    await coordinator.send("🙂🙂")
    assert "хотя бы три буквы" in coordinator.last.text
    await coordinator.send("Г" * 500)
    assert "не больше 120 символов" in coordinator.last.text
    await coordinator.send("Клуб молодых педагогов")
    await coordinator.send("просто текст вместо кнопки")
    assert "кнопк" in coordinator.last.text
    await coordinator.click("Команда школы")
    await coordinator.click("Без темы")
    await coordinator.click("Пропустить")
    await coordinator.send("миллион")
    assert "от 2 до 1000" in coordinator.last.text
    await coordinator.send("25")
    await coordinator.send("Несуществующая")
    assert "Не нашёл педагога" in coordinator.last.text
    await coordinator.click("Готово")
    group = await the_group(network_app)
    assert (group.name, group.kind.value, group.topic_id, group.size_limit) == (
        "Клуб молодых педагогов", "school_team", None, 25)


async def test_newcomer_by_invitation_link_lands_in_the_group_after_registering(
    network_app: App, group: Group, chat_for: ChatFor
) -> None:
    newcomer = chat_for("3001")
    await register(newcomer, name="Петров Андрей Сергеевич", start=f"/start {group.invite_code}")
    assert "Вы в группе «Математики Верхнегорья»!" in newcomer.texts()
    assert "Петров Андрей Сергеевич" in await roles(network_app, group.id)
    joined = await notes(network_app, "gr.note.joined")
    assert [n["params"] for n in joined] == [
        {"group": "Математики Верхнегорья", "name": "Петров Андрей Сергеевич"}]


async def test_invitation_shows_the_deep_link_and_renewing_kills_the_old_code(
    network_app: App, group: Group, admin: ChatClient, chat_for: ChatFor
) -> None:
    network_app.settings.telegram.username = "kollega_test_bot"
    await admin.send("/groups")
    await admin.click("Математики Верхнегорья")
    await admin.click("Приглашение")
    assert f"https://t.me/kollega_test_bot?start={group.invite_code}" in admin.last.text
    assert f"/join {group.invite_code}" in admin.last.text
    await admin.click("Новый код")
    await admin.click("Да, выдать новый код")
    renewed = await the_group(network_app)
    assert renewed.invite_code != group.invite_code and renewed.invite_code in admin.last.text

    teacher = chat_for("3002")
    await register(teacher, name="Сидорова Ольга Ивановна")
    await teacher.send(f"/join {group.invite_code}")
    assert "Такого кода нет или он уже заменён" in teacher.last.text
    await teacher.send(f"/join {renewed.invite_code.lower()}")  # typed in lower case: fine
    assert "Вы в группе «Математики Верхнегорья»!" in teacher.texts()[-2]
    await teacher.send(f"/join {renewed.invite_code}")
    assert "Вы уже состоите в группе" in teacher.texts()[-2]
    assert len(await roles(network_app, group.id)) == 2


async def test_groups_offers_open_groups_on_my_topics_and_join_leave_by_buttons(
    network_app: App, group: Group, chat_for: ChatFor
) -> None:
    teacher = chat_for("3003")
    await register(teacher, name="Кузнецов Илья Петрович", topics=(TOPIC,))
    other = chat_for("3004")
    await register(other, name="Орлова Нина Юрьевна", topics=("Формирующее оценивание",))
    await other.send("/groups")
    assert "ни в одной группе" in other.last.text

    await teacher.send("/groups")
    assert "Открытые группы по вашим темам:" in teacher.last.text
    await teacher.click("Математики Верхнегорья")
    await teacher.click("Вступить")
    assert "Кузнецов Илья Петрович" in await roles(network_app, group.id)
    await teacher.click("Вступить")  # a second click on the old card
    assert len(await roles(network_app, group.id)) == 2
    await teacher.click("Выйти из группы")
    await teacher.click("Да, выйти")
    assert "Вы вышли из группы" in teacher.last.text
    await teacher.press_payload(codec.encode("gr.leave_ok", (str(group.id),)))
    assert "не состоите" in teacher.last.text
    assert "Кузнецов Илья Петрович" not in await roles(network_app, group.id)
    assert len(await notes(network_app, "gr.note.left")) == 1


async def test_full_and_closed_groups_refuse_joining(
    network_app: App, admin: ChatClient, coordinator: ChatClient, chat_for: ChatFor
) -> None:
    await create_group(coordinator, limit="2")
    group = await the_group(network_app)
    first, second = chat_for("3005"), chat_for("3006")
    await register(first, name="Первая Анна Ивановна")
    await register(second, name="Вторая Вера Ивановна")
    await first.send(f"/join {group.invite_code}")
    await second.send(f"/join {group.invite_code}")
    assert "нет свободных мест" in second.last.text
    await admin.send("/groups")
    await admin.click("Математики Верхнегорья")
    await admin.click("Изменить")
    await admin.click("Закрыть для вступления")
    assert not (await the_group(network_app)).open
    await second.press_payload(codec.encode("gr.join", (str(group.id),)))
    assert "только по приглашению" in second.last.text
    assert len(await roles(network_app, group.id)) == 2


async def test_admin_sees_members_and_removes_one(
    network_app: App, group: Group, admin: ChatClient, chat_for: ChatFor
) -> None:
    member = chat_for("3007")
    await register(member, name="Смирнов Олег Петрович")
    await member.send(f"/join {group.invite_code}")
    await admin.send("/groups")
    await admin.click("Математики Верхнегорья")
    await admin.click("Участники")
    assert "Смирнов Олег Петрович, МАОУ «Лицей № 3»" in admin.last.text
    assert "Иванова Мария Петровна, МАОУ «Лицей № 3» — администратор" in admin.last.text
    await admin.click("✖ Смирнов")
    await admin.click("Да, исключить")
    assert "Смирнов Олег Петрович" not in await roles(network_app, group.id)
    assert [n["params"] for n in await notes(network_app, "gr.note.removed")] == [
        {"group": "Математики Верхнегорья"}]
    await admin.press_payload(codec.encode("gr.rm_ok", (str(group.id), "999999")))
    assert "уже нет в списке" in admin.last.text


async def test_a_teacher_cannot_use_admin_actions_even_with_forged_buttons(
    network_app: App, group: Group, chat_for: ChatFor
) -> None:
    teacher = chat_for("3008")
    await register(teacher, name="Лебедев Павел Ильич")
    await teacher.send(f"/join {group.invite_code}")
    await teacher.send("/newgroup")
    assert "недоступно" in teacher.last.text
    admin_id = next(iter(await admin_ids(network_app, group.id)))
    gid = str(group.id)
    forged = [("gr.rm_ok", (gid, str(admin_id))), ("gr.archive_ok", (gid,)),
              ("gr.renew_ok", (gid,)), ("gr.edit.toggle", (gid,)),
              ("gr.edit.field", (gid, "name")), ("gr.admin.add", (gid,)),
              ("gr.invite", (gid,))]
    for action, args in forged:
        replies = await teacher.press_payload(codec.encode(action, args))
        assert [r.text for r in replies] == [DENIED], action
    fresh = await the_group(network_app)
    assert (fresh.invite_code, fresh.open, fresh.archived) == (group.invite_code, True, False)
    assert await roles(network_app, group.id) == {
        "Иванова Мария Петровна": MemberRole.ADMIN, "Лебедев Павел Ильич": MemberRole.MEMBER}
    card_labels = (await teacher.send("/groups"), await teacher.click("Математики"))[1][-1].labels
    assert "🗄 В архив" not in card_labels and "Выйти из группы" in card_labels


async def admin_ids(app: App, group_id: int) -> set[int]:
    async with app.db.engine.connect() as conn:
        rows = await conn.execute(select(group_members.c.teacher_id).where(
            group_members.c.group_id == group_id, group_members.c.role == "admin"))
        return {r[0] for r in rows}


async def test_archive_tells_members_and_stops_joining(
    network_app: App, group: Group, admin: ChatClient, chat_for: ChatFor
) -> None:
    member = chat_for("3009")
    await register(member, name="Фролова Дарья Андреевна")
    await member.send(f"/join {group.invite_code}")
    await admin.send("/groups")
    await admin.click("Математики Верхнегорья")
    await admin.click("В архив")
    await admin.click("Да, в архив")
    assert "в архиве" in admin.last.text
    assert len(await notes(network_app, "gr.note.archived")) == 1
    late = chat_for("3010")
    await register(late, name="Поздний Игорь Ильич")
    await late.send(f"/join {group.invite_code}")
    assert "Такого кода нет" in late.last.text
    await member.press_payload(codec.encode("gr.archive_ok", (str(group.id),)))
    assert "Этой группы уже нет" in member.last.text


async def test_group_chat_is_tied_by_its_admin_and_strangers_are_sent_to_the_bot(
    network_app: App, group: Group, admin: ChatClient, chat_for: ChatFor
) -> None:
    network_app.settings.telegram.username = "kollega_test_bot"
    in_chat = chat_for("2001", chat_id="-100777")
    stranger_in_chat = chat_for("4001", chat_id="-100777")
    teacher = chat_for("3011")
    await register(teacher, name="Зайцева Елена Олеговна")
    teacher_in_chat = chat_for("3011", chat_id="-100777")

    await teacher_in_chat.send(f"/join {group.invite_code}")
    assert "только её администратор" in teacher_in_chat.last.text
    await in_chat.send(f"/join {group.invite_code}")
    assert "будут приходить и в этот чат" in in_chat.last.text
    assert (await the_group(network_app)).chat_account_id is not None

    await in_chat.send("/profile")  # personal things stay in the private chat
    assert "в личных сообщениях" in in_chat.last.text
    await in_chat.send("обычная переписка коллег")
    assert in_chat.last.text.endswith("в личных сообщениях с ботом.")  # nothing new

    await stranger_in_chat.press_payload(codec.encode("gr.join", (str(group.id),)))
    reply = stranger_in_chat.last
    assert "Сначала зарегистрируйтесь" in reply.text
    link = reply.keyboard[0][0]
    assert getattr(link, "url", None) == (
        f"https://t.me/kollega_test_bot?start={group.invite_code}")

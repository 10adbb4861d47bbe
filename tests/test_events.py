"""Events through the chat: announcing one (a group admin, a coordinator), the card in each
reader's time zone, RSVP with a waitlist, the calendar file, and what stale, forged or repeated
buttons get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.core import codec
from bot.core.clock import ManualClock
from storage.events import EventFormat, EventKind, Seat
from storage.groups import Group, MemberRole
from storage.tables import events, outbox
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.events import (
    DENIED,
    GROUP,
    LINK,
    ChatFor,
    announce,
    calendar_of,
    member,
    outbox_rows,
    press,
    rendered_for,
    teacher_of,
    the_event,
)
from tests.harness.flows import create_group, register

# -- creating ----------------------------------------------------------------------------------


async def test_group_admin_announces_to_their_group_past_bad_dates(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    colleague = await member(chat_for, "3001", "Петров Андрей Сергеевич", group)
    await admin.send("/newevent")
    assert admin.last.labels[:6] == ["Вебинар", "Мастер-класс", "Открытый урок", "Семинар",
                                     "Консультация", "Сетевое событие"]
    await admin.click("Мастер-класс")
    await admin.send("🙂")
    assert "хотя бы три буквы" in admin.last.text
    await admin.send("Формирующее оценивание")
    await admin.send("Приёмы обратной связи на уроке.")
    assert "Екатеринбург (UTC+5)" in admin.last.text
    for typed, answer in (
        ("32.12 15:00", "Такой даты нет в календаре. Проверьте день и месяц, например: "
                        "25.12 15:00."),
        ("вчера", "Не понял дату. Напишите так: 25.12 15:00, 25.12.2026 15:00 или «завтра "
                  "16:30»."),
        ("01.10.2026 10:00", "Это время уже прошло. Укажите будущее, например: завтра 16:30."),
        ("25.12", "Нужно и время начала, например: 25.12 15:00."),
        ("25.12 25:00", "Такого времени нет: часы от 0 до 23, минуты от 0 до 59. "
                        "Например: 25.12 15:00."),
    ):
        await admin.send(typed)
        assert admin.last.text == answer, typed
    await admin.send("завтра 16:30")
    assert admin.last.text == "Начало: вт, 03.11.2026 16:30 (UTC+5). Верно?"
    await admin.click("Изменить")
    await admin.send("25.12 15:00")
    assert admin.last.text == "Начало: пт, 25.12.2026 15:00 (UTC+5). Верно?"
    await admin.click("Верно")
    await admin.send("час")
    assert "число от 15 до 600" in admin.last.text
    await admin.send("75 мин")
    await admin.click("Очно и онлайн")
    await admin.send("zoom.us/j/123")
    assert admin.last.text.startswith("Это не похоже на ссылку")
    await admin.send(LINK)
    await admin.send("г. Верхнегорск, ул. Ленина, 5")
    assert admin.last.labels == ["▫️ " + GROUP, "Готово", "Отменить"]
    await admin.click("Готово")
    assert admin.last.text == "Отметьте хотя бы одну группу."
    await admin.click(GROUP)
    assert admin.messages[-2].labels[0] == "✅ " + GROUP  # the question is edited in place
    await admin.click("Готово")
    await admin.send("0")
    assert "от 1 до 10000" in admin.last.text
    await admin.send("25")
    await admin.send("Кузнецова Ольга Ивановна, методист")
    card, summary = admin.texts()[-2:]
    assert card.startswith("📣 Мастер-класс «Формирующее оценивание»\n"
                           "🗓 пт, 25.12.2026 15:00 (UTC+5)\n⏱ 75 минут\n"
                           "🏫 Очно и 💻 онлайн, ссылку получат записавшиеся\n"
                           "📍 г. Верхнегорск, ул. Ленина, 5\n🪑 Осталось 25 мест\n"
                           "🎤 Кузнецова Ольга Ивановна, методист\n\n"
                           "Приёмы обратной связи на уроке.")
    assert summary.startswith(f"Для кого: группы {GROUP}.\nПолучат: 2 педагога.")
    await admin.click("Опубликовать")
    assert admin.texts()[-2] == ("Опубликовано: «Формирующее оценивание». Приглашение получат: "
                                 "2 получателя. Изменить или отменить мероприятие — /organized.")

    event = await the_event(network_app)
    assert (event.kind, event.format, event.duration_minutes, event.capacity) == (
        EventKind.MASTER_CLASS, EventFormat.MIXED, 75, 25)
    assert event.starts_at == datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    assert (event.link, event.for_network) == (LINK, False)
    async with network_app.db.transaction() as repos:
        assert await repos.events.group_ids(event.id) == [group.id]
        assert event.organizer_teacher_id == await teacher_of(repos, "2001")
    cards = await rendered_for(network_app, f"event:{event.id}:announce:")
    assert set(cards) == {"2001", "3001"}
    assert [b.label for row in cards["3001"].keyboard for b in row] == [
        "✅ Пойду", "Не смогу", "📅 В календарь", "Подробнее"]
    assert LINK not in cards["3001"].text
    await colleague.send("/events")
    assert colleague.last.labels == ["25.12 15:00 · Формирующее оценивание"]


async def test_forged_audience_and_lost_rights_are_refused(
    network_app: App, admin: ChatClient, group: Group, coordinator: ChatClient
) -> None:
    await create_group(coordinator, admin_surname=None, name="Клуб молодых педагогов")
    async with network_app.db.transaction() as repos:
        other = next(g for g in await repos.groups.active() if g.id != group.id)
    await admin.send("/newevent")
    await admin.click("Вебинар")
    await admin.send("Цифровые ресурсы на уроке")
    await admin.click("Пропустить")
    await admin.send("25.12 15:00")
    await admin.click("Верно")
    await admin.click("60 минут")
    await admin.click("Онлайн")
    await admin.send(LINK)
    assert admin.last.labels == ["▫️ " + GROUP, "Готово", "Отменить"]  # only their own group
    await admin.press_payload(codec.encode("ev.new.grp", (str(other.id), "0")))
    assert admin.last.text == DENIED
    await admin.press_payload(codec.encode("ev.new.net"))
    assert admin.last.text.startswith("Эта кнопка устарела")
    await admin.press_payload(codec.encode("ev.new.grp", ("999999", "0")))
    assert "Этого варианта уже нет" in admin.texts()[-2]
    await admin.click(GROUP)
    await admin.click("Готово")
    await admin.click("Без ограничения")
    await admin.click("Пропустить")
    # the coordinator takes the group's admin rights away before it is published
    async with network_app.db.transaction() as repos:
        await repos.groups.set_role(group.id, await teacher_of(repos, "2001"), MemberRole.MEMBER)
    await admin.click("Опубликовать")
    assert admin.last.text == DENIED
    async with network_app.db.connection() as conn:
        assert (await conn.execute(select(events))).first() is None
        assert (await conn.execute(select(outbox).where(
            outbox.c.message_key == "ev.card"))).first() is None


async def test_teacher_cannot_create_and_a_dialog_can_be_cancelled(
    network_app: App, admin: ChatClient, chat_for: ChatFor
) -> None:
    await admin.send("/newevent")  # no group to administer: not a group admin
    assert admin.last.text == DENIED
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/newevent")
    await coordinator.send("текст вместо кнопки")
    assert coordinator.last.text == "Пожалуйста, выберите вариант кнопкой."
    await coordinator.click("Семинар")
    await coordinator.click("Отменить")
    assert coordinator.last.text == "Мероприятие не создано, ничего не сохранено."
    async with network_app.db.transaction() as repos:
        assert await repos.dialogs.load("telegram", COORDINATOR_ID) is None


async def test_coordinator_announces_to_one_municipality(
    network_app: App, chat_for: ChatFor, coordinator: ChatClient
) -> None:
    upper = chat_for("3001")
    await register(upper, name="Петров Андрей Сергеевич")
    lower = chat_for("3002")
    await register(lower, name="Сидорова Ольга Ивановна", municipality="Заречный",
                   school="Заречная")
    await coordinator.send("/newevent")
    await coordinator.click("Открытый урок")
    await coordinator.send("Открытый урок по геометрии")
    await coordinator.click("Пропустить")
    await coordinator.send("10.12.2026 11:00")  # the coordinator's zone: Moscow by default
    await coordinator.click("Верно")
    await coordinator.click("45 минут")
    await coordinator.click("Очно —")
    await coordinator.send("МАОУ «Лицей № 3», каб. 21")
    assert coordinator.last.text == "Для кого мероприятие?"
    await coordinator.click("Вся сеть")
    await coordinator.click("Верхнегорский")
    await coordinator.click("Все предметы")
    await coordinator.send("12")
    await coordinator.send("Петров Андрей Сергеевич")
    assert coordinator.last.text.startswith(
        "Для кого: вся сеть · Верхнегорский городской округ.\nПолучат: 1 педагог.")
    await coordinator.click("Опубликовать")
    event = await the_event(network_app)
    assert event.for_network and event.municipality_id is not None and event.subject_id is None
    assert event.starts_at == datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    assert set(await rendered_for(network_app, f"event:{event.id}:announce:")) == {"3001"}

    await lower.send("/events")
    assert lower.last.text.startswith("Ближайших мероприятий для вас пока нет")
    not_for_you = ("Это мероприятие не для вас: оно для участников других групп или другой "
                   "части сети.")
    assert await press(lower, "ev.go", event) == not_for_you
    assert await press(lower, "ev.no", event) == not_for_you
    assert await press(lower, "ev.more", event) == not_for_you
    async with network_app.db.transaction() as repos:
        assert await repos.events.teacher_ids(event.id, list(Seat)) == []


# -- time zones --------------------------------------------------------------------------------


async def test_each_reader_sees_the_start_in_their_own_zone(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    west = await member(chat_for, "3001", "Калинина Анна Петровна", group, zone="Калининград")
    east = await member(chat_for, "3002", "Восточный Иван Ильич", group, zone="Владивосток")
    moscow = await member(chat_for, "3003", "Московская Ольга Ивановна", group, zone="Москва")
    await announce(admin, when="25.12 15:00")  # 15:00 in Yekaterinburg (UTC+5) = 10:00 UTC
    event = await the_event(network_app)
    cards = await rendered_for(network_app, f"event:{event.id}:announce:")
    assert "🗓 25.12.2026 12:00 (UTC+2)" in cards["3001"].text
    assert "🗓 25.12.2026 20:00 (UTC+10)" in cards["3002"].text
    assert "🗓 25.12.2026 13:00 (UTC+3)" in cards["3003"].text
    await west.send("/events")
    assert west.last.labels == ["25.12 12:00 · Формирующее оценивание"]
    await west.click("Формирующее оценивание")
    assert "🗓 пт, 25.12.2026 12:00 (UTC+2)" in west.last.text
    await east.send("/events")
    await east.click("Формирующее оценивание")
    assert "🗓 пт, 25.12.2026 20:00 (UTC+10)" in east.last.text

    # no daylight saving time: Moscow is UTC+3 in July too
    await announce(admin, title="Летняя школа", when="15.07.2027 15:00")
    summer = await the_event(network_app)
    assert summer.starts_at == datetime(2027, 7, 15, 10, 0, tzinfo=UTC)
    cards = await rendered_for(network_app, f"event:{summer.id}:announce:")
    assert "🗓 15.07.2027 13:00 (UTC+3)" in cards["3003"].text
    await moscow.send("/events")
    await moscow.click("Летняя школа")
    assert "🗓 чт, 15.07.2027 13:00 (UTC+3)" in moscow.last.text


# -- registering -------------------------------------------------------------------------------


async def test_waitlist_moves_up_when_someone_cancels(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor, clock: ManualClock
) -> None:
    people = [await member(chat_for, f"30{n}", name, group) for n, name in enumerate(
        ("Первый Иван Петрович", "Вторая Анна Ивановна", "Третий Олег Сергеевич",
         "Четвёртая Мария Павловна"), start=1)]
    await announce(admin, capacity="2")
    event = await the_event(network_app)
    answers = []
    for person in people:
        clock.advance(timedelta(minutes=1))
        answers.append(await press(person, "ev.go", event))
    assert answers[0].startswith("✅ Вы записаны: «Формирующее оценивание», пт, 25.12.2026 15:00")
    assert answers[1].startswith("✅ Вы записаны") and LINK in answers[1]
    assert answers[2] == ("Мест больше нет — вы в листе ожидания на «Формирующее оценивание», "
                          "№1. Если кто-то откажется, я запишу вас и сразу сообщу.")
    assert "№2" in answers[3]
    assert LINK not in answers[2]
    await people[3].send("/my_events")
    assert people[3].last.text.endswith("Формирующее оценивание — лист ожидания, №2")

    first = people[0]
    await first.send("/my_events")
    await first.click("Отменить запись")
    assert first.last.text.startswith("Отменить вашу запись на «Формирующее оценивание»")
    await first.click("Да, отменить запись")
    assert first.last.text == ("Запись на «Формирующее оценивание» отменена. Передумаете — "
                               "нажмите «Пойду».")
    async with network_app.db.transaction() as repos:
        teacher = {uid: await teacher_of(repos, uid) for uid in ("301", "303")}
        going = await repos.events.teacher_ids(event.id, [Seat.GOING])
    assert teacher["303"] in going and teacher["301"] not in going
    promoted = await rendered_for(network_app, "note:", "ev.promoted")
    assert set(promoted) == {"303"}
    assert promoted["303"].text == ("🎉 Освободилось место — вы записаны на «Формирующее "
                                    f"оценивание», 25.12.2026 15:00 (UTC+5).\n🔗 {LINK}")
    # reminders follow the seats: the first person's are dropped, the third's are planned
    statuses: dict[int, set[str]] = {}
    for row in await outbox_rows(network_app, f"event:{event.id}:remind:"):
        owner = int(str(row["idempotency_key"]).split(":")[4])
        statuses.setdefault(owner, set()).add(str(row["status"]))
    assert statuses[teacher["301"]] == {"dropped"}
    assert statuses[teacher["303"]] == {"pending"}
    await people[2].send("/my_events")
    assert people[2].last.text.endswith("Формирующее оценивание — вы записаны")
    await people[3].send("/my_events")
    assert people[3].last.text.endswith("Формирующее оценивание — лист ожидания, №1")
    assert await press(first, "ev.unreg_ok", event) == (
        "Вы не записаны на «Формирующее оценивание» — отменять нечего.")


async def test_link_only_for_people_going_and_second_clicks_change_nothing(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    teacher = await member(chat_for, "3001", "Петров Андрей Сергеевич", group)
    other = await member(chat_for, "3002", "Сидорова Ольга Ивановна", group)
    await announce(admin)
    event = await the_event(network_app)
    card = await press(teacher, "ev.more", event)
    assert card.startswith("📣 Вебинар «Формирующее оценивание»") and LINK not in card
    assert teacher.last.labels == ["✅ Пойду", "Не смогу", "📅 В календарь"]
    await teacher.click("Пойду")
    assert teacher.last.text == (
        "✅ Вы записаны: «Формирующее оценивание», пт, 25.12.2026 15:00 (UTC+5). Перед началом "
        f"напомню.\n🔗 Ссылка для подключения: {LINK}")
    assert teacher.last.labels == ["📅 В календарь", "Отменить запись"]
    assert await press(teacher, "ev.go", event) == (
        "Вы уже записаны: «Формирующее оценивание», пт, 25.12.2026 15:00 (UTC+5). Ничего не "
        f"меняю.\n🔗 Ссылка для подключения: {LINK}")
    card = await press(teacher, "ev.more", event)
    assert f"✅ Вы записаны.\n🔗 Ссылка для подключения: {LINK}" in card
    assert teacher.last.labels == ["Отменить запись", "📅 В календарь"]
    assert await press(teacher, "ev.no", event) == (
        "Отменить вашу запись на «Формирующее оценивание» — пт, 25.12.2026 15:00 (UTC+5)? Место "
        "перейдёт следующему в листе ожидания.")
    await teacher.click("Нет, остаюсь")
    assert "✅ Вы записаны." in teacher.last.text

    assert await press(other, "ev.no", event) == (
        "Понял: на «Формирующее оценивание» вы не придёте. Если планы изменятся — нажмите «Пойду».")
    assert (await press(other, "ev.no", event)).startswith("Вы уже ответили, что не сможете")
    assert LINK not in await press(other, "ev.more", event)
    assert await press(other, "ev.unreg", event) == (
        "Вы не записаны на «Формирующее оценивание» — отменять нечего.")
    async with network_app.db.transaction() as repos:
        assert await repos.events.seat_of(event.id, await teacher_of(repos, "3001")) is Seat.GOING
        assert await repos.events.seat_of(event.id, await teacher_of(repos, "3002")) is (
            Seat.DECLINED)
    await other.click("Пойду")  # changed their mind
    assert other.last.text.startswith("✅ Вы записаны") and LINK in other.last.text


async def test_calendar_file_in_utc_with_the_link_for_people_going_only(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    teacher = await member(chat_for, "3001", "Петров Андрей Сергеевич", group, zone="Владивосток")
    await announce(admin, fmt="Очно и онлайн")
    event = await the_event(network_app)
    before = await calendar_of(network_app, teacher, event)
    [entry] = before.walk("VEVENT")
    assert entry.decoded("dtstart") == datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    assert entry.decoded("dtend") == datetime(2026, 12, 25, 11, 30, tzinfo=UTC)
    assert b"DTSTART:20261225T100000Z" in before.to_ical()
    assert str(entry["summary"]) == "Формирующее оценивание"
    assert str(entry["location"]) == "г. Верхнегорск, ул. Ленина, 5, каб. 12"
    assert str(entry["description"]).startswith("Вебинар: Формирующее оценивание")
    assert LINK not in str(entry["description"]) and "url" not in entry
    await press(teacher, "ev.go", event)
    [after] = (await calendar_of(network_app, teacher, event)).walk("VEVENT")
    assert LINK in str(after["description"]) and str(after["url"]) == LINK
    assert str(after["uid"]) == str(entry["uid"]) == f"kollega-event-{event.id}"
    await teacher.click("В календарь")
    assert teacher.last.file_name == "event.ics"


async def test_buttons_of_a_cancelled_started_or_deleted_event(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor, clock: ManualClock
) -> None:
    teacher = await member(chat_for, "3001", "Петров Андрей Сергеевич", group)
    await announce(admin)
    await announce(admin, title="Клуб на каникулах", when="05.01.2027 11:00")
    holiday = await the_event(network_app)
    async with network_app.db.transaction() as repos:
        webinar = await repos.events.get(holiday.id - 1)
    assert webinar is not None and webinar.title == "Формирующее оценивание"
    await press(teacher, "ev.go", webinar)
    await press(teacher, "ev.go", holiday)
    async with network_app.db.transaction() as repos:
        await repos.events.cancel(holiday.id, clock.now())
    await teacher.send("/my_events")
    assert teacher.last.text == (
        "Ваши записи:\n• 25.12 15:00 · Формирующее оценивание — вы записаны\n"
        "• 05.01 11:00 · Клуб на каникулах — ❌ отменено организатором")
    for action in ("ev.go", "ev.no", "ev.more", "ev.ics", "ev.unreg", "ev.unreg_ok"):
        assert await press(teacher, action, holiday) == (
            "«Клуб на каникулах» отменено организатором."), action
    await teacher.press_payload(codec.encode("ev.go", ("999999",)))
    assert teacher.last.text == teacher.notices[-1] == "Этого мероприятия уже нет."
    await teacher.press_payload(codec.encode("ev.more", ("x",)))
    assert teacher.last.text == "Этого мероприятия уже нет."

    clock.set(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))  # registration closes at the start
    for action in ("ev.go", "ev.no", "ev.unreg_ok"):
        assert await press(teacher, action, webinar) == (
            "«Формирующее оценивание» уже началось — запись закрыта."), action
    card = await press(teacher, "ev.more", webinar)
    assert "⏳ Мероприятие уже началось — запись закрыта." in card
    assert teacher.last.labels == ["📅 В календарь"]
    async with network_app.db.transaction() as repos:
        assert await repos.events.seat_of(webinar.id, await teacher_of(repos, "3001")) is (
            Seat.GOING)


async def test_buttons_pressed_in_a_group_chat_answer_in_private(
    network_app: App, admin: ChatClient, group: Group, chat_for: ChatFor
) -> None:
    in_chat = chat_for("2001", chat_id="-100500")
    await in_chat.send(f"/join {group.invite_code}")  # the admin ties the group's chat
    await member(chat_for, "3001", "Петров Андрей Сергеевич", group)
    await announce(admin)
    event = await the_event(network_app)
    rows = await outbox_rows(network_app, f"event:{event.id}:announce:")
    async with network_app.db.transaction() as repos:
        chat_account = await repos.accounts.get("telegram", "chat:-100500")
    assert chat_account is not None
    assert chat_account.id in {r["account_id"] for r in rows} and len(rows) == 3
    teacher_in_chat = chat_for("3001", chat_id="-100500")
    assert await teacher_in_chat.press_payload(codec.encode("ev.go", (str(event.id),))) == []
    assert teacher_in_chat.notices == ["Ответил вам в личном чате с ботом."]
    [private] = [r for r in await outbox_rows(network_app, "event:private:")]
    async with network_app.db.transaction() as repos:
        account = await repos.accounts.get("telegram", "3001")
    assert account is not None and private["account_id"] == account.id
    assert str(private["text"]).startswith("✅ Вы записаны") and LINK in str(private["text"])
    assert teacher_in_chat.messages == []

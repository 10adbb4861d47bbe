"""Matching rounds as people see them: /match with preview, introductions, mentoring
capacity, «Удалось встретиться?», the three-ignored-rounds pause, /match_schedule."""



from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.core import codec
from bot.core.clock import ManualClock
from bot.core.model import LinkButton
from handlers.matching.jobs import ask_whether_met, run_due_schedules
from storage.tables import (
    group_members,
    groups,
    match_rounds,
    match_schedules,
    outbox,
    past_pairs,
    round_members,
)
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import register
from tests.harness.matching import (
    FG,
    FO,
    NAMES,
    SCHOOLS,
    Spec,
    count_rows,
    form_peer_round,
    insert_teachers,
    nine_teachers_by_chat,
    peers,
    preferences,
    rendered,
    rows,
)


async def test_coordinator_forms_peer_groups_after_a_preview(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await nine_teachers_by_chat(chat_for)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    assert coordinator.last.text == "Кого подбираем?"
    assert coordinator.last.labels == ["Группы по темам", "Наставничество", "Отмена"]
    await coordinator.click("Группы по темам")
    assert coordinator.last.labels == ["3", "4", "5", "6", "Отмена"]
    await coordinator.click("3", exact=True)
    preview = coordinator.last.text
    assert preview.startswith(
        "Предпросмотр подбора: группы по темам, по 3 человека.\n"
        "Хотят в группу: 9 педагогов.\n"
        "Получится: 3 группы из 3 человек.\n"
        "Без группы никто не останется.\n\n"
        f"Группа 1 · {FG}\n• "
    )
    assert preview.endswith("Сформировать эти группы и отправить участникам знакомство?")
    assert all(name in preview for name in NAMES[:9])
    assert "МАОУ «Лицей № 3»" in preview
    assert coordinator.last.labels == ["✅ Сформировать", "Отмена"]
    confirm = next(b for row in coordinator.last.keyboard for b in row if "Сформировать" in b.label)
    await coordinator.click("Сформировать")
    assert coordinator.last.text == (
        "Подбор №1 сформирован: 3 группы, в них 9 педагогов. Участникам отправлено знакомство; "
        "16.11.2026 12:00 (UTC+3) я спрошу их, удалось ли встретиться."
    )
    assert coordinator.last.labels == []

    made = await rows(network_app, select(groups.c.id, groups.c.name, groups.c.kind,
                                           groups.c.open, groups.c.round_id))
    assert [(g.name, g.kind, g.open, g.round_id) for g in made] == [
        (f"Группа {g.id} · {FG}", "peer", False, 1) for g in made
    ]
    members = await rows(network_app, select(group_members.c.group_id, group_members.c.role,
                                              group_members.c.teacher_id))
    assert len(members) == 9 and {m.role for m in members} == {"member"}
    assert await count_rows(network_app, round_members) == 9
    assert await count_rows(network_app, past_pairs) == 9
    async with network_app.db.transaction() as repos:
        for group in made:  # organizations are mixed: three schools, three in each group
            in_group = await repos.groups.members(group.id)
            assert len({m.organization for m in in_group}) == 3

    intros = await rendered(network_app, "match:1:intro:")
    assert len(intros) == 9
    first = intros["301"]  # Иванова, with two group mates
    assert first.text.startswith("Знакомьтесь: ваша группа «Группа ")
    assert f"Общие темы: {FG}." in first.text
    mates = [line[2:] for line in first.text.splitlines() if line.startswith("• ")]
    assert len(mates) == 2 and all(" — МА" in m or " — МБ" in m for m in mates)
    assert NAMES[0] not in first.text
    links = {b.label: b.url for b in first.buttons() if isinstance(b, LinkButton)}
    for mate in mates:
        name = mate.split(" — ")[0]
        index = NAMES.index(name)
        if index < 6:
            assert links[name] == f"https://t.me/teacher{index}"
        else:  # no username: Telegram gives no way to link to them
            assert name not in links

    await coordinator.press_payload(codec.encode(confirm.action, confirm.args))  # second click
    assert coordinator.last.text.startswith("Эта кнопка устарела")
    assert await count_rows(network_app, match_rounds) == 1
    assert await count_rows(network_app, groups) == 3
    assert await count_rows(network_app, outbox) == 9


async def test_preview_shows_the_first_groups_and_counts_the_rest(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    specs = [Spec(str(400 + i), f"{NAMES[i % 12]}-{i}" , SCHOOLS[i % 3], topics=(FG, FO))
             for i in range(60)]
    specs += [Spec("470", NAMES[0], "Заречная СОШ", topics=()),
              Spec("471", NAMES[1], "Заречная СОШ", topics=())]
    await insert_teachers(network_app, specs, wants_peer_group=True)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    text = coordinator.last.text
    assert text.startswith(
        "Предпросмотр подбора: группы по темам, по 3 человека.\n"
        "Хотят в группу: 62 педагога.\n"
        "Получится: 20 групп из 3 человек.\n"
        "Без группы: 2 педагога — в профиле не указаны темы развития. "
        "Их подберём в следующий раз.\n\n"
    )
    assert len(text) <= 3500
    shown = text.count("\nГруппа ")
    assert 3 <= shown < 20
    rest = 20 - shown
    word = {1: "группа", 2: "группы", 3: "группы", 4: "группы"}.get(rest % 10, "групп")
    if 11 <= rest % 100 <= 14:
        word = "групп"
    assert f"\n\n…и ещё {rest} {word}.\n\n" in text
    await coordinator.click("Отмена")
    assert coordinator.last.text == "Подбор отменён, ничего не создано."
    assert await count_rows(network_app, match_rounds) == 0


async def test_confirm_rechecks_who_is_still_eligible(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await insert_teachers(network_app, peers(6), wants_peer_group=True)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    assert "Получится: 2 группы из 3 человек." in coordinator.last.text
    async with network_app.db.transaction() as repos:
        stored = await repos.dialogs.load("telegram", COORDINATOR_ID)
        assert stored is not None
        first, second = stored.data["plan"]["groups"]
        # one of the first group opts out; two of the second pause
        await repos.matching.set_preferences(first[0], opted_out=True)
        for teacher_id in second[:2]:
            await repos.matching.set_preferences(
                teacher_id, paused_until=datetime(2027, 1, 1, tzinfo=UTC)
            )
    await coordinator.click("Сформировать")
    assert coordinator.last.text.splitlines() == [
        "Подбор №1 сформирован: 1 группа, в них 2 педагога. Участникам отправлено знакомство; "
        "16.11.2026 12:00 (UTC+3) я спрошу их, удалось ли встретиться.",
        "С момента предпросмотра выбыли: 3 педагога (пауза или отказ от подбора).",
        "Из-за этого не созданы: 1 группа.",
    ]
    placed = {r.teacher_id for r in await rows(network_app, select(round_members))}
    assert placed == set(first[1:])
    assert len(await rendered(network_app, "match:1:intro:")) == 2


async def test_a_stale_preview_creates_nothing(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    await insert_teachers(network_app, peers(6), wants_peer_group=True)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    old = next(b for row in coordinator.last.keyboard for b in row if "Сформировать" in b.label)
    await coordinator.send("/match")  # a second preview replaces the first
    await coordinator.click("Группы по темам")
    await coordinator.click("4", exact=True)
    await coordinator.press_payload(codec.encode(old.action, old.args))
    assert coordinator.last.text.startswith("Эта кнопка устарела")
    assert await count_rows(network_app, match_rounds) == 0

    async with network_app.db.transaction() as repos:  # meanwhile the schedule forms a round
        await repos.matching.set_schedule("peer", "1m", 3, clock.now())
    assert await run_due_schedules(network_app.core) == 1
    [answer] = await coordinator.click("Сформировать")
    assert answer.text == (
        "Пока был открыт этот предпросмотр, прошёл подбор №1. Запустите /match заново — "
        "я соберу свежий вариант."
    )
    assert await count_rows(network_app, match_rounds) == 1


# -- mentoring ----------------------------------------------------------------------------------


async def test_mentoring_pairs_respect_each_mentors_capacity(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    mentors = await insert_teachers(network_app, [
        Spec("501", "Наставникова Вера Ильинична", "Лицей № 3", mentor=True, username="vera"),
        Spec("502", "Опытный Олег Петрович", "Гимназия № 2", mentor=True),
    ])
    async with network_app.db.transaction() as repos:
        await repos.matching.set_preferences(mentors["501"], mentor_capacity=1)
    mentees = await insert_teachers(network_app, [
        Spec(str(510 + i), NAMES[i], "СОШ № 5", username=f"m{i}") for i in range(4)
    ], wants_mentor=True)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    await coordinator.click("Наставничество")
    text = coordinator.last.text
    assert text.startswith(
        "Предпросмотр подбора: наставничество.\n"
        "Ищут наставника: 4 педагога. Наставников со свободными местами: 2.\n"
        "Получится: 3 пары.\n"
        "Без наставника: 1 педагог — нет свободного наставника с общей темой. "
        "Подберём, когда места появятся.\n\n"
        f"Пара 1 · {FG}\n• наставник: Наставникова Вера Ильинична — МАОУ «Лицей № 3»\n"
    )
    await coordinator.click("Сформировать")
    assert coordinator.last.text.startswith("Подбор №1 сформирован: 3 пары, в них 5 педагогов.")

    roles = await rows(network_app, select(group_members.c.teacher_id, group_members.c.role)
                        .join(groups, groups.c.id == group_members.c.group_id)
                        .where(groups.c.kind == "mentoring"))
    mentor_counts = {t: sum(1 for r in roles if r.teacher_id == t and r.role == "mentor")
                     for t in mentors.values()}
    assert mentor_counts == {mentors["501"]: 1, mentors["502"]: 2}
    assert sum(1 for r in roles if r.role == "member") == 3
    names = [r.name for r in await rows(network_app, select(groups.c.name))]
    assert "Наставничество: Наставникова В. И. — Иванова М. П." in names

    intros = await rendered(network_app, "match:1:intro:")
    assert intros["501"].text.startswith("К вам в наставничество — Иванова Мария Петровна "
                                         "(МАОУ «СОШ № 5»).")
    assert [(b.label, b.url) for b in intros["501"].buttons()] == [
        ("Иванова Мария Петровна", "https://t.me/m0")
    ]
    mentee = intros["510"]
    assert mentee.text.startswith("Мы подобрали вам наставника: Наставникова Вера Ильинична "
                                  f"(МАОУ «Лицей № 3»).\nОбщие темы: {FG}.")
    assert [(b.label, b.url) for b in mentee.buttons()] == [
        ("Наставникова Вера Ильинична", "https://t.me/vera")
    ]
    placed = {r.teacher_id for r in roles if r.role == "member"}
    assert len(placed & set(mentees.values())) == 3

    await coordinator.send("/match")  # the mentors are full; those with a mentor are not asked
    await coordinator.click("Наставничество")
    assert coordinator.last.text.startswith(
        "Предпросмотр подбора: наставничество.\n"
        "Ищут наставника: 1 педагог. Наставников со свободными местами: 0.\n"
    )
    assert coordinator.last.text.endswith("Составить не из кого — подбор не создан. "
                                          "Когда желающих станет больше, запустите /match снова.")
    assert coordinator.last.labels == []


# -- rounds: the meeting question, the silence rule, schedules ----------------------------------


async def test_members_are_asked_whether_they_met_and_answer(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    ids = await insert_teachers(network_app, peers(3), wants_peer_group=True)
    await form_peer_round(chat_for(COORDINATOR_ID))
    assert await ask_whether_met(network_app.core) == 0  # not yet
    clock.advance(timedelta(days=14))
    assert await ask_whether_met(network_app.core) == 3
    assert await ask_whether_met(network_app.core) == 0  # asked once per round and teacher
    questions = await rendered(network_app, "match:1:met:")
    question = questions["201"]
    assert question.text.startswith("Удалось встретиться? Недавно мы познакомили вас с коллегами "
                                    "— группа «Группа ")
    assert [b.label for b in question.buttons()] == ["Да", "Нет"]

    async with network_app.db.transaction() as repos:
        await repos.matching.set_preferences(ids["201"], ignored_rounds=2)
    member = chat_for("201")
    yes, no = question.buttons()
    assert not isinstance(yes, LinkButton) and not isinstance(no, LinkButton)
    await member.press_payload(codec.encode(yes.action, yes.args))
    assert member.last.text == "Спасибо! Рады, что встреча состоялась."
    assert (await preferences(network_app, ids["201"])).ignored_rounds == 0
    await member.press_payload(codec.encode(no.action, no.args))  # changing the answer
    assert member.last.text.startswith("Спасибо, что ответили.")
    answers = await rows(network_app, select(round_members.c.teacher_id, round_members.c.met))
    assert {(r.teacher_id, r.met) for r in answers} == {
        (ids["201"], False), (ids["202"], None), (ids["203"], None)
    }

    await member.press_payload(codec.encode("mt.met", ("999", "1")))
    assert member.last.text.startswith("Этот подбор не найден среди ваших")
    await member.press_payload(codec.encode("mt.met", ("1", "maybe")))
    assert member.last.text.startswith("Эта кнопка не работает")
    outsider = chat_for("109")
    await register(outsider)
    await outsider.press_payload(codec.encode("mt.met", ("1", "1")))
    assert outsider.last.text.startswith("Этот подбор не найден среди ваших")
    stranger = chat_for("110")
    await stranger.press_payload(codec.encode("mt.met", ("1", "1")))
    assert stranger.last.text.startswith("Сначала нужно зарегистрироваться")


async def test_three_ignored_rounds_pause_a_teacher_who_can_stay(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    ids = await insert_teachers(network_app, peers(4), wants_peer_group=True)
    silent = ids["201"]
    coordinator = chat_for(COORDINATOR_ID)
    for number in (1, 2, 3):
        assert (await form_peer_round(coordinator)).startswith(
            f"Подбор №{number} сформирован: 1 группа, в них 4 педагога."
        )
        if number > 1:
            assert (await preferences(network_app, silent)).ignored_rounds == number - 1
        clock.advance(timedelta(days=15))
        await ask_whether_met(network_app.core)
        for user in ("202", "203", "204"):  # everyone else answers, «Нет» counts too
            await chat_for(user).press_payload(codec.encode("mt.met", (str(number), "0")))

    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    assert (
        "Пропустили вопрос о встрече 3 подбора подряд и не попадут в подбор: 1 педагог. "
        "Я поставлю их на паузу и сообщу им об этом." in coordinator.last.text
    )
    assert "Хотят в группу: 3 педагога." in coordinator.last.text
    await coordinator.click("Сформировать")
    assert coordinator.last.text.splitlines() == [
        "Подбор №4 сформирован: 1 группа, в них 3 педагога. Участникам отправлено знакомство; "
        "31.12.2026 12:00 (UTC+3) я спрошу их, удалось ли встретиться.",
        "На паузу за молчание поставлены: 1 педагог; я сообщил им об этом.",
    ]
    prefs = await preferences(network_app, silent)
    assert prefs.paused_until == clock.now() + timedelta(days=90)
    assert prefs.ignored_rounds == 0
    for other in ("202", "203", "204"):
        assert (await preferences(network_app, ids[other])).ignored_rounds == 0
    told = (await rendered(network_app, "match:3:paused:"))["201"]
    assert told.text == (
        "Вы не ответили на вопрос «Удалось встретиться?» 3 подбора подряд, поэтому подбор для "
        "вас на паузе до 17.03.2027 14:00 (UTC+5). Если хотите и дальше получать группу или "
        "наставника, нажмите «Остаться в подборе»."
    )
    [stay] = told.buttons()
    assert stay.label == "Остаться в подборе"
    assert not isinstance(stay, LinkButton)

    teacher = chat_for("201")
    await teacher.press_payload(codec.encode(stay.action, stay.args))
    assert teacher.last.text == (
        "Вы снова в подборе — пауза снята. Настройки подбора — в /matching."
    )
    prefs = await preferences(network_app, silent)
    assert (prefs.paused_until, prefs.ignored_rounds, prefs.opted_out) == (None, 0, False)
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    assert "Хотят в группу: 4 педагога." in coordinator.last.text


async def test_schedule_forms_rounds_and_reports_to_the_coordinator(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    await insert_teachers(network_app, peers(8), wants_peer_group=True)
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match_schedule")
    assert coordinator.last.text == (
        "Плановый подбор:\n• Группы по темам: не запланирован\n"
        "• Наставничество: не запланирован\n\nЧто настроить?"
    )
    await coordinator.click("Группы по темам")
    await coordinator.click("4", exact=True)
    assert coordinator.last.text == "Как часто проводить подбор «Группы по темам, по 4 человека»?"
    assert coordinator.last.labels == ["Каждые 2 недели", "Каждый месяц", "Выключить", "Отмена"]
    await coordinator.click("Каждый месяц")
    assert coordinator.last.text == (
        "Готово: «Группы по темам, по 4 человека» — каждый месяц. Первый плановый подбор — "
        "02.12.2026 12:00 (UTC+3); после каждого я пришлю вам короткую сводку."
    )
    assert await run_due_schedules(network_app.core) == 0
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert await run_due_schedules(network_app.core) == 1
    assert await run_due_schedules(network_app.core) == 0
    assert len(await rendered(network_app, "match:1:intro:")) == 8
    summary = await rendered(network_app, "match:schedule:peer:")
    assert summary[COORDINATOR_ID].text == (
        "Плановый подбор групп №1: 2 группы, в них 8 педагогов; без группы — 0 педагогов. "
        "Следующий — 02.01.2027 14:00 (UTC+5)."
    )
    await coordinator.send("/match_schedule")
    assert "• Группы по темам, по 4 человека: каждый месяц, следующий — 02.01.2027 12:00 (UTC+3)" \
        in coordinator.last.text
    await coordinator.click("Группы по темам")
    await coordinator.click("4", exact=True)
    await coordinator.click("Выключить")
    assert coordinator.last.text == (
        "Плановый подбор «Группы по темам, по 4 человека» выключен."
    )
    assert await count_rows(network_app, match_schedules) == 0

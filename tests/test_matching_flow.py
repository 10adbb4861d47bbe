"""Matching as people see it: /matching preferences, /match with preview, introductions, the
«Удалось встретиться?» question, the three-ignored-rounds pause, /match_schedule, and who may
do what.

Teachers whose conversation is the point register through the chat (`register`); where only
their number matters (the long preview, mentoring capacity, the rounds) they are inserted
through the repositories (`_insert`) — the matching code reads both the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.core import codec
from bot.core.clock import ManualClock
from bot.core.model import LinkButton, Reply
from bot.delivery.render import render
from handlers.matching.jobs import ask_whether_met, run_due_schedules
from handlers.matching.periods import after, next_run
from storage.outbox import OutboxItem
from storage.tables import (
    group_members,
    groups,
    match_rounds,
    match_schedules,
    outbox,
    past_pairs,
    round_members,
)
from storage.teachers import NewTeacher
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import register

FG = "Функциональная грамотность"
FO = "Формирующее оценивание"
SCHOOLS = ("Лицей № 3", "СОШ № 5", "Гимназия № 2")
ORGS = {"Лицей № 3": "МАОУ «Лицей № 3»", "СОШ № 5": "МАОУ «СОШ № 5»",
        "Гимназия № 2": "МБОУ «Гимназия № 2»", "Заречная СОШ": "МКОУ «Заречная СОШ»"}
NAMES = (
    "Иванова Мария Петровна", "Петров Алексей Сергеевич", "Сидорова Анна Ивановна",
    "Кузнецов Игорь Олегович", "Смирнова Ольга Викторовна", "Волков Денис Андреевич",
    "Морозова Елена Павловна", "Новиков Павел Юрьевич", "Фёдорова Ирина Николаевна",
    "Зайцева Татьяна Львовна", "Соколов Артём Максимович", "Лебедева Наталья Сергеевна",
)
DENIED = "Это действие вам недоступно. Что вы можете сделать — в /help."


@dataclass(frozen=True)
class Spec:
    user: str
    name: str
    school: str
    topics: tuple[str, ...] = (FG,)
    mentor: bool = False
    username: str | None = None


# -- helpers ------------------------------------------------------------------------------------

async def _insert(app: App, specs: Sequence[Spec], **prefs: Any) -> dict[str, int]:
    """Teachers straight into the database, with these matching preferences; user → teacher id."""
    now = datetime(2026, 10, 1, tzinfo=UTC)
    ids: dict[str, int] = {}
    async with app.db.transaction() as repos:
        orgs = {o.name: o.id for m in await repos.network.municipalities()
                for o in await repos.network.organizations_in(m.id)}
        topics = {t.name: t.id for t in await repos.network.topics()}
        for spec in specs:
            teacher_id = await repos.teachers.create(NewTeacher(
                full_name=spec.name, organization_id=orgs[ORGS[spec.school]], position="teacher",
                timezone="Asia/Yekaterinburg", wants_to_mentor=spec.mentor, subject_ids=(),
                topic_ids=tuple(topics[t] for t in spec.topics), consent_at=now,
            ), now)
            account = await repos.accounts.ensure("telegram", spec.user, spec.user, now)
            await repos.accounts.link_teacher(account.id, teacher_id)
            await repos.accounts.set_username(account.id, spec.username)
            if prefs:
                await repos.matching.set_preferences(teacher_id, **prefs)
            ids[spec.user] = teacher_id
    return ids


def _peers(count: int, first: int = 201) -> list[Spec]:
    return [Spec(str(first + i), NAMES[i % len(NAMES)], SCHOOLS[i % 3]) for i in range(count)]


async def _rows(app: App, query: Any) -> list[Any]:
    async with app.db.connection() as conn:
        return list(await conn.execute(query))


async def _count(app: App, table: Any) -> int:
    async with app.db.connection() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _rendered(app: App, key_prefix: str) -> dict[str, Reply]:
    """Outbox messages whose key starts with the prefix, rendered as their recipients will read
    them; by the recipient's Telegram id."""
    async with app.db.connection() as conn:
        rows = await conn.execute(select(outbox).where(outbox.c.idempotency_key.like(
            key_prefix + "%")).order_by(outbox.c.id))
        found = [row._mapping for row in rows]
    async with app.db.transaction() as repos:
        result: dict[str, Reply] = {}
        for m in found:
            account = await repos.accounts.by_id(m["account_id"])
            assert account is not None
            item = OutboxItem(
                id=m["id"], key=m["idempotency_key"], account_id=m["account_id"],
                platform=m["platform"], chat_id=account.chat_id, locale=account.locale,
                timezone="Asia/Yekaterinburg", reachable=True, message_key=m["message_key"],
                params=dict(m["params"]), text=m["text"], buttons=list(m["buttons"] or []),
                batch_id=None, not_before=m["not_before"], expires_at=None, attempts=1,
                lease_until=None,
            )
            result[account.external_id] = render(item, app.catalogs, "Europe/Moscow")
    return result


async def _form_peer_round(coordinator: ChatClient, size: str = "3") -> str:
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click(size, exact=True)
    await coordinator.click("Сформировать")
    return coordinator.last.text


async def _prefs(app: App, teacher_id: int) -> Any:
    async with app.db.transaction() as repos:
        return await repos.matching.preferences(teacher_id)


# -- /matching ----------------------------------------------------------------------------------

async def test_teacher_sets_matching_preferences(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    mentor = chat_for("101")
    await register(mentor, topics=(FG, FO))
    await mentor.send("/matching")
    assert mentor.last.text == (
        "Подбор коллег\n"
        "• Группа по темам: не подбираем.\n"
        "• Наставник: не нужен.\n"
        "• Сколько подопечных вы готовы вести одновременно: 2.\n"
        f"Подбираем по вашим темам развития: {FO}, {FG}. Изменить их можно в /profile."
    )
    assert mentor.last.labels == [
        "Хочу в группу по темам", "Ищу наставника", "Сколько подопечных могу взять: 2",
        "Пауза…", "Не участвовать в подборе",
    ]
    await mentor.click("Хочу в группу по темам")
    assert "• Группа по темам: подбираем" in mentor.last.text
    assert mentor.last.labels[0] == "Не подбирать мне группу"
    await mentor.click("Сколько подопечных могу взять")
    assert mentor.last.text == "Сколько подопечных вы готовы вести одновременно?"
    assert mentor.last.labels == ["1", "2", "3", "4", "5", "◀ Назад"]
    await mentor.click("3", exact=True)
    assert "• Сколько подопечных вы готовы вести одновременно: 3." in mentor.last.text
    await mentor.press_payload(codec.encode("mt.cap", ("9",)))
    assert mentor.last.text.startswith("Эта кнопка не работает")
    await mentor.send("/matching")
    [card] = await mentor.click("Не участвовать в подборе")
    assert "• Вы не участвуете в подборе" in card.text
    [card] = await mentor.click("Вернуться в подбор")
    assert "не участвуете" not in card.text

    learner = chat_for("102")
    await register(learner, school="СОШ № 5", topics=(), mentor="Пока нет")
    await learner.send("/matching")
    assert "Сколько подопечных" not in learner.last.text
    assert learner.last.text.endswith(
        "В профиле нет тем развития, а без них подобрать коллег не получится. "
        "Добавьте их в /profile."
    )
    await learner.click("Ищу наставника")
    assert "• Наставник: ищем для вас наставника." in learner.last.text
    for forged in (codec.encode("mt.cap", ("3",)), codec.encode("mt.cap_menu")):
        await learner.press_payload(forged)  # the mentee count is for mentors only
        assert learner.last.text == DENIED
    for forged in (codec.encode("mt.pref", ("peer", "yes")), codec.encode("mt.pause", ("1y",)),
                   codec.encode("mt.pref", ("admin", "1"))):
        await learner.press_payload(forged)
        assert learner.last.text.startswith("Эта кнопка не работает")

    async with network_app.db.transaction() as repos:
        first = await repos.accounts.get("telegram", "101")
        second = await repos.accounts.get("telegram", "102")
        assert first and first.teacher_id and second and second.teacher_id
        mentor_prefs = await repos.matching.preferences(first.teacher_id)
        learner_prefs = await repos.matching.preferences(second.teacher_id)
    assert (mentor_prefs.wants_peer_group, mentor_prefs.mentor_capacity) == (True, 3)
    assert not mentor_prefs.opted_out
    assert (learner_prefs.wants_mentor, learner_prefs.wants_peer_group) == (True, False)


async def test_pause_until_a_typed_date_ends_by_itself(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    await _insert(network_app, _peers(3), wants_peer_group=True)
    teacher = chat_for("101")
    await register(teacher)  # Екатеринбург, UTC+5
    await teacher.send("/matching")
    await teacher.click("Хочу в группу по темам")
    await teacher.click("Пауза")
    assert teacher.last.labels == ["На 2 недели", "На месяц", "До даты…", "◀ Назад"]
    await teacher.click("До даты")
    assert teacher.last.text == "Напишите дату, до которой поставить паузу, например 01.12.2026."
    for typed in ("через неделю", "31.02.2027", "🙂" * 500, "01.12.2026" * 100):
        await teacher.send(typed)
        assert teacher.last.text == "Не получилось понять дату. Напишите её так: 01.12.2026."
    await teacher.send("02.11.2026")
    assert teacher.last.text == (
        "Эта дата уже наступила. Напишите дату в будущем, например 01.12.2026."
    )
    await teacher.send("01.01.2099")
    assert teacher.last.text.startswith("Паузу можно поставить не больше чем на год.")
    await teacher.send("10.11.2026")
    assert "• Пауза до 10.11.2026: до этого дня мы вас не подбираем" in teacher.last.text
    assert "Снять паузу" in teacher.last.labels

    coordinator = chat_for(COORDINATOR_ID)

    async def wanting() -> str:
        await coordinator.send("/match")
        await coordinator.click("Группы по темам")
        await coordinator.click("3", exact=True)
        line = coordinator.last.text.splitlines()[1]
        await coordinator.click("Отмена")
        return line

    assert await wanting() == "Хотят в группу: 3 педагога."
    clock.set(datetime(2026, 11, 9, 18, 59, tzinfo=UTC))  # 23:59 on the 9th in Екатеринбург
    assert await wanting() == "Хотят в группу: 3 педагога."
    clock.set(datetime(2026, 11, 9, 19, 0, tzinfo=UTC))  # the 10th has begun there
    assert await wanting() == "Хотят в группу: 4 педагога."
    await teacher.send("/matching")
    assert "Пауза до" not in teacher.last.text
    await teacher.click("Пауза")
    await teacher.click("На 2 недели")
    assert "• Пауза до 24.11.2026" in teacher.last.text
    assert await wanting() == "Хотят в группу: 3 педагога."
    await teacher.click("Снять паузу")
    assert "Пауза до" not in teacher.last.text
    assert await wanting() == "Хотят в группу: 4 педагога."


# -- /match: peer groups -------------------------------------------------------------------------

async def _nine_teachers_by_chat(chat_for: Callable[..., ChatClient]) -> list[ChatClient]:
    """Nine teachers from three schools, each asking for a group in /matching; the first six
    have public Telegram usernames."""
    chats = []
    for i in range(9):
        chat = chat_for(str(301 + i), username=f"teacher{i}" if i < 6 else None)
        await register(chat, name=NAMES[i], school=SCHOOLS[i % 3], topics=(FG,))
        await chat.send("/matching")
        await chat.click("Хочу в группу по темам")
        chats.append(chat)
    return chats


async def test_coordinator_forms_peer_groups_after_a_preview(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _nine_teachers_by_chat(chat_for)
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

    made = await _rows(network_app, select(groups.c.id, groups.c.name, groups.c.kind,
                                           groups.c.open, groups.c.round_id))
    assert [(g.name, g.kind, g.open, g.round_id) for g in made] == [
        (f"Группа {g.id} · {FG}", "peer", False, 1) for g in made
    ]
    members = await _rows(network_app, select(group_members.c.group_id, group_members.c.role,
                                              group_members.c.teacher_id))
    assert len(members) == 9 and {m.role for m in members} == {"member"}
    assert await _count(network_app, round_members) == 9
    assert await _count(network_app, past_pairs) == 9
    async with network_app.db.transaction() as repos:
        for group in made:  # organizations are mixed: three schools, three in each group
            in_group = await repos.groups.members(group.id)
            assert len({m.organization for m in in_group}) == 3

    intros = await _rendered(network_app, "match:1:intro:")
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
    assert await _count(network_app, match_rounds) == 1
    assert await _count(network_app, groups) == 3
    assert await _count(network_app, outbox) == 9


async def test_preview_shows_the_first_groups_and_counts_the_rest(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    specs = [Spec(str(400 + i), f"{NAMES[i % 12]}-{i}" , SCHOOLS[i % 3], topics=(FG, FO))
             for i in range(60)]
    specs += [Spec("470", NAMES[0], "Заречная СОШ", topics=()),
              Spec("471", NAMES[1], "Заречная СОШ", topics=())]
    await _insert(network_app, specs, wants_peer_group=True)
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
    assert await _count(network_app, match_rounds) == 0


async def test_confirm_rechecks_who_is_still_eligible(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _insert(network_app, _peers(6), wants_peer_group=True)
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
    placed = {r.teacher_id for r in await _rows(network_app, select(round_members))}
    assert placed == set(first[1:])
    assert len(await _rendered(network_app, "match:1:intro:")) == 2


async def test_a_stale_preview_creates_nothing(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    await _insert(network_app, _peers(6), wants_peer_group=True)
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
    assert await _count(network_app, match_rounds) == 0

    async with network_app.db.transaction() as repos:  # meanwhile the schedule forms a round
        await repos.matching.set_schedule("peer", "1m", 3, clock.now())
    assert await run_due_schedules(network_app.core) == 1
    [answer] = await coordinator.click("Сформировать")
    assert answer.text == (
        "Пока был открыт этот предпросмотр, прошёл подбор №1. Запустите /match заново — "
        "я соберу свежий вариант."
    )
    assert await _count(network_app, match_rounds) == 1


# -- mentoring ----------------------------------------------------------------------------------

async def test_mentoring_pairs_respect_each_mentors_capacity(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    mentors = await _insert(network_app, [
        Spec("501", "Наставникова Вера Ильинична", "Лицей № 3", mentor=True, username="vera"),
        Spec("502", "Опытный Олег Петрович", "Гимназия № 2", mentor=True),
    ])
    async with network_app.db.transaction() as repos:
        await repos.matching.set_preferences(mentors["501"], mentor_capacity=1)
    mentees = await _insert(network_app, [
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

    roles = await _rows(network_app, select(group_members.c.teacher_id, group_members.c.role)
                        .join(groups, groups.c.id == group_members.c.group_id)
                        .where(groups.c.kind == "mentoring"))
    mentor_counts = {t: sum(1 for r in roles if r.teacher_id == t and r.role == "mentor")
                     for t in mentors.values()}
    assert mentor_counts == {mentors["501"]: 1, mentors["502"]: 2}
    assert sum(1 for r in roles if r.role == "member") == 3
    names = [r.name for r in await _rows(network_app, select(groups.c.name))]
    assert "Наставничество: Наставникова В. И. — Иванова М. П." in names

    intros = await _rendered(network_app, "match:1:intro:")
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
    ids = await _insert(network_app, _peers(3), wants_peer_group=True)
    await _form_peer_round(chat_for(COORDINATOR_ID))
    assert await ask_whether_met(network_app.core) == 0  # not yet
    clock.advance(timedelta(days=14))
    assert await ask_whether_met(network_app.core) == 3
    assert await ask_whether_met(network_app.core) == 0  # asked once per round and teacher
    questions = await _rendered(network_app, "match:1:met:")
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
    assert (await _prefs(network_app, ids["201"])).ignored_rounds == 0
    await member.press_payload(codec.encode(no.action, no.args))  # changing the answer
    assert member.last.text.startswith("Спасибо, что ответили.")
    answers = await _rows(network_app, select(round_members.c.teacher_id, round_members.c.met))
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
    ids = await _insert(network_app, _peers(4), wants_peer_group=True)
    silent = ids["201"]
    coordinator = chat_for(COORDINATOR_ID)
    for number in (1, 2, 3):
        assert (await _form_peer_round(coordinator)).startswith(
            f"Подбор №{number} сформирован: 1 группа, в них 4 педагога."
        )
        if number > 1:
            assert (await _prefs(network_app, silent)).ignored_rounds == number - 1
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
    prefs = await _prefs(network_app, silent)
    assert prefs.paused_until == clock.now() + timedelta(days=90)
    assert prefs.ignored_rounds == 0
    for other in ("202", "203", "204"):
        assert (await _prefs(network_app, ids[other])).ignored_rounds == 0
    told = (await _rendered(network_app, "match:3:paused:"))["201"]
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
    prefs = await _prefs(network_app, silent)
    assert (prefs.paused_until, prefs.ignored_rounds, prefs.opted_out) == (None, 0, False)
    await coordinator.send("/match")
    await coordinator.click("Группы по темам")
    await coordinator.click("3", exact=True)
    assert "Хотят в группу: 4 педагога." in coordinator.last.text


async def test_schedule_forms_rounds_and_reports_to_the_coordinator(
    chat_for: Callable[..., ChatClient], network_app: App, clock: ManualClock
) -> None:
    await _insert(network_app, _peers(8), wants_peer_group=True)
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
    assert len(await _rendered(network_app, "match:1:intro:")) == 8
    summary = await _rendered(network_app, "match:schedule:peer:")
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
    assert await _count(network_app, match_schedules) == 0


def test_schedule_periods_keep_their_rhythm() -> None:
    planned = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)
    assert after("1m", planned) == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    assert after("2w", planned) == datetime(2027, 2, 14, 9, 0, tzinfo=UTC)
    # on time: a period after the planned moment, not after the moment it ran
    assert next_run("1m", planned, planned + timedelta(minutes=1)) == datetime(
        2027, 2, 28, 9, 0, tzinfo=UTC)
    # after a long downtime: one round now, the next a period later, none made up
    late = datetime(2027, 5, 3, 12, 0, tzinfo=UTC)
    assert next_run("1m", planned, late) == datetime(2027, 6, 3, 12, 0, tzinfo=UTC)


# -- who may do what ----------------------------------------------------------------------------

async def test_a_teacher_cannot_use_coordinator_actions(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    await _insert(network_app, _peers(6), wants_peer_group=True)
    teacher = chat_for("101")
    await register(teacher)
    for command in ("/match", "/match_schedule"):
        await teacher.send(command)
        assert teacher.last.text == DENIED
    forged = [("mt.kind", ("peer",)), ("mt.size", ("3",)), ("mt.confirm", ("abcd1234",)),
              ("mt.cancel", ()), ("mt.sch_kind", ("peer",)), ("mt.sch_size", ("4",)),
              ("mt.sch_every", ("2w",)), ("mt.sch_close", ())]
    for action, args in forged:
        await teacher.press_payload(codec.encode(action, args))
        assert teacher.last.text == DENIED, action
    await teacher.send("/help")
    assert "/matching" in teacher.last.text and "/match " not in teacher.last.text
    assert await _count(network_app, match_rounds) == 0
    assert await _count(network_app, match_schedules) == 0
    assert await _count(network_app, groups) == 0

    stranger = chat_for("102")
    await stranger.send("/matching")
    assert stranger.last.text.startswith("Сначала нужно зарегистрироваться")


async def test_bad_input_in_the_match_dialogs(
    chat_for: Callable[..., ChatClient], network_app: App
) -> None:
    coordinator = chat_for(COORDINATOR_ID)
    await coordinator.send("/match")
    await coordinator.send("группы по 4, пожалуйста 🙏")
    assert coordinator.last.text == "Пожалуйста, выберите вариант кнопкой."
    await coordinator.press_payload(codec.encode("mt.kind", ("everyone",)))
    assert coordinator.last.text.startswith("Эта кнопка не работает")
    await coordinator.click("Группы по темам")
    for size in ("2", "99", "-1", "x" * 40):
        await coordinator.press_payload(codec.encode("mt.size", (size,)))
        assert coordinator.last.text.startswith("Эта кнопка не работает")
    [preview] = await coordinator.click("4", exact=True)
    assert preview.text.startswith(
        "Предпросмотр подбора: группы по темам, по 4 человека.\n"
        "Хотят в группу: 0 педагогов.\n"
        "Без группы никто не останется.\n\n"
        "Составить не из кого"
    )
    await coordinator.press_payload(codec.encode("mt.confirm", ("whatever",)))
    assert coordinator.last.text.startswith("Эта кнопка устарела")
    await coordinator.send("/match_schedule")
    await coordinator.send("каждый вторник")
    assert coordinator.last.text == "Пожалуйста, выберите вариант кнопкой."
    await coordinator.click("Наставничество")
    await coordinator.press_payload(codec.encode("mt.sch_every", ("daily",)))
    assert coordinator.last.text.startswith("Эта кнопка не работает")
    [closed] = await coordinator.click("Отмена")
    assert closed.text == "Расписание не изменилось."
    assert await _count(network_app, match_schedules) == 0

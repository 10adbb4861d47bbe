"""Matching preferences as a teacher sees them (/matching, pauses), bad input, and that
teachers cannot use coordinator actions."""



from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.core import codec
from bot.core.clock import ManualClock
from handlers.matching.periods import after, next_run
from storage.tables import (
    groups,
    match_rounds,
    match_schedules,
)
from tests.conftest import COORDINATOR_ID
from tests.harness.chat import ChatClient
from tests.harness.flows import register
from tests.harness.matching import (
    DENIED,
    FG,
    FO,
    count_rows,
    insert_teachers,
    peers,
)


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
    await insert_teachers(network_app, peers(3), wants_peer_group=True)
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
    await insert_teachers(network_app, peers(6), wants_peer_group=True)
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
    assert await count_rows(network_app, match_rounds) == 0
    assert await count_rows(network_app, match_schedules) == 0
    assert await count_rows(network_app, groups) == 0

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
    assert await count_rows(network_app, match_schedules) == 0

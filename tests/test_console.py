"""The terminal chat: typed lines and button numbers over the real core, as a person sees it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from bot.core.model import Attachment, Button, Inbound, InboundKind, LinkButton, Outcome, Reply
from bot.i18n import Catalogs
from bot.platforms.console import ConsoleAdapter

NAME = "Иванова Мария Петровна"
_BUTTON_LINE = re.compile(r"^\[(\d+)\] (.*)$")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """As configured out of the box: the console person `методист` is a coordinator."""
    return Settings(
        database_url=database_url,
        coordinators=("console:методист",),
        data_dir=tmp_path,
        _env_file=None,  # type: ignore[call-arg]
    )


class Terminal:
    """Types lines into a ConsoleAdapter through StringIO and reads what it printed."""

    def __init__(self, adapter: ConsoleAdapter, screen: io.StringIO) -> None:
        self.adapter = adapter
        self.screen = screen

    @classmethod
    def over(cls, core: object, catalogs: Catalogs) -> Terminal:
        screen = io.StringIO()
        adapter = ConsoleAdapter(core, catalogs, reader=io.StringIO(), writer=screen)  # type: ignore[arg-type]
        return cls(adapter, screen)

    async def type(self, *lines: str) -> str:
        """Feeds the lines and runs the chat until they are used up; returns the new output."""
        start = len(self.screen.getvalue())
        self.adapter.reader = io.StringIO("".join(f"{line}\n" for line in lines))
        await self.adapter.run()
        return self.screen.getvalue()[start:]

    def number(self, label: str, *, exact: bool = False) -> str:
        """The number printed for `label` among the buttons of the latest message with buttons."""
        buttons = self.latest_buttons()
        for number, shown in buttons.items():
            if (shown == label) if exact else (label in shown):
                return number
        raise AssertionError(f"no button {label!r} among {buttons}")

    def latest_buttons(self) -> dict[str, str]:
        """The last run of consecutive `[N] Label` lines: one message's buttons."""
        block: dict[str, str] = {}
        for line in reversed(self.screen.getvalue().splitlines()):
            match = _BUTTON_LINE.match(line)
            if match:
                block[match[1]] = match[2]
            elif block:
                break
        return dict(sorted(block.items(), key=lambda item: int(item[0])))


@pytest.fixture
def terminal(network_app: App) -> Terminal:
    return Terminal.over(network_app.core, network_app.catalogs)


async def test_registration_through_the_terminal(terminal: Terminal, network_app: App) -> None:
    shown = await terminal.type("/start")
    assert "согласны на обработку персональных данных" in shown
    assert "[1] ✅ Согласен(на)" in shown
    assert "[3] 📄 Политика обработки данных → https://example.org/privacy" in shown
    assert "https://example.org/privacy" in await terminal.type("3")  # a link is not pressed

    assert "Как вас зовут?" in await terminal.type("1")
    await terminal.type(NAME)
    await terminal.type(terminal.number("Верхнегорский"))
    await terminal.type(terminal.number("Лицей № 3"))
    await terminal.type(terminal.number("Учитель", exact=True))
    shown = await terminal.type(terminal.number("Математика"))
    assert "(обновлено)" in shown  # the multiple choice message was edited in place
    await terminal.type(terminal.number("Информатика"))
    await terminal.type(terminal.number("Готово"))
    await terminal.type(terminal.number("Екатеринбург"))
    await terminal.type(terminal.number("Функциональная грамотность"))
    await terminal.type(terminal.number("Готово"))
    shown = await terminal.type(terminal.number("Да, готов"))

    assert "Готово, регистрация завершена!" in shown
    assert f"ФИО: {NAME}" in shown
    async with network_app.db.transaction() as repos:
        account = await repos.accounts.get("console", "учитель")
        assert account is not None and account.teacher_id is not None
        profile = await repos.teachers.profile(account.teacher_id)
    assert profile is not None
    assert profile.teacher.full_name == NAME
    assert (profile.organization, profile.municipality) == (
        "МАОУ «Лицей № 3»", "Верхнегорский городской округ"
    )
    assert profile.teacher.position == "teacher"
    assert profile.subjects == ("Информатика", "Математика")
    assert profile.teacher.timezone == "Asia/Yekaterinburg"
    assert profile.topics == ("Функциональная грамотность",)
    assert profile.teacher.wants_to_mentor is True


async def test_switching_identity_changes_who_the_bot_sees(terminal: Terminal) -> None:
    shown = await terminal.type("/as", "/as   методист ", "/network", "/as учитель", "/network")
    coordinator, teacher = shown.split("Теперь вы — «учитель»")
    assert "Сейчас вы — «учитель»" in coordinator
    assert "методист> " in coordinator
    assert "Теперь вы — «методист»" in coordinator
    assert "Списки методической сети:" in coordinator
    assert "• 2 муниципалитета\n• 4 организации" in coordinator  # the small test network
    assert "учитель> " in teacher
    assert "Это действие вам недоступно" in teacher
    assert "Списки методической сети" not in teacher


async def test_quit_stops_before_the_next_line(terminal: Terminal) -> None:
    shown = await terminal.type("/quit", "/start")
    assert "До свидания!" in shown
    assert "согласны на обработку" not in shown


async def test_a_number_without_such_button_gets_a_hint(
    terminal: Terminal, network_app: App
) -> None:
    shown = await terminal.type("7")
    assert "Кнопки с номером 7 нет" in shown
    await terminal.type("/start")
    shown = await terminal.type("4")
    assert "Кнопки с номером 4 нет" in shown
    assert "Как вас зовут?" not in shown
    assert "Как вас зовут?" in await terminal.type("1")  # the buttons still work


class ScriptedCore:
    """Answers every event with the next prepared outcome, and records what it got."""

    def __init__(self, settings: Settings, *outcomes: Outcome) -> None:
        self.settings = settings
        self.outcomes = list(outcomes)
        self.received: list[Inbound] = []

    async def handle(self, inbound: Inbound) -> Outcome:
        self.received.append(inbound)
        return self.outcomes.pop(0)


async def test_rendering_of_edits_notices_and_files(settings: Settings, tmp_path: Path) -> None:
    keyboard = ((Button("Раз", "x.one", ("7",)), Button("Два", "x.two")),
                (LinkButton("Сайт", "https://example.org"),))
    report = Attachment("отчёт 2026.csv", b"a;b\n1;2\n", "text/csv")
    core = ScriptedCore(
        settings,
        Outcome([Reply("Выберите", keyboard)]),
        Outcome([Reply("Выбрано: раз", keyboard, edit=True)], notice="Отмечено"),
        Outcome([Reply("Отчёт готов", attachment=report), Reply("Ещё раз", attachment=report)]),
    )
    terminal = Terminal.over(core, Catalogs.load("ru"))

    shown = await terminal.type("привет")
    assert "[1] Раз\n[2] Два\n[3] Сайт → https://example.org" in shown
    shown = await terminal.type("1")
    first = core.received[1]
    assert (first.kind, first.payload, first.message_id) == (InboundKind.BUTTON, "x.one|7", "1")
    assert "ℹ️ Отмечено" in shown
    assert "(обновлено)\nВыбрано: раз\n[1] Раз\n[2] Два\n[3] Сайт" in shown

    shown = await terminal.type("/report")
    files = sorted((tmp_path / "console_files").iterdir())
    assert [f.name for f in files] == ["отчёт 2026-1.csv", "отчёт 2026.csv"]
    assert all(f.read_bytes() == b"a;b\n1;2\n" for f in files)
    assert f"📎 отчёт 2026.csv (1 КБ), сохранён: {files[1]}" in shown
    assert core.received[2].command == "report"
    assert "Кнопки с номером 9 нет" in await terminal.type("9")
    assert len(core.received) == 3  # numbers and hints never reached the core

"""The terminal chat: the same core the messengers use, with switchable simulated people.

Type as you would in a messenger; a line that is only a number presses that button of the latest
message with buttons. `/as <name>` becomes another person (`методист` is a coordinator by
default), `/quit` leaves. These two never reach the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.core import codec
from bot.core.dispatcher import Core
from bot.core.model import (
    AnyButton,
    Attachment,
    Inbound,
    InboundKind,
    LinkButton,
    Outcome,
    Reply,
    parse_text,
)
from bot.core.sizefmt import file_size
from bot.i18n import Catalogs

PLATFORM = "console"
DEFAULT_IDENTITY = "учитель"
MAX_IDENTITY = 32
FILES_DIR = "console_files"
KEPT_MESSAGES = 50
"""How many of a person's recent messages with buttons stay pressable by number."""
NO_ANSWERS = frozenset({"н", "нет", "n", "no"})

_NUMBER = re.compile(r"^\d{1,6}$")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w.\- ]+")

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Screen:
    """What one simulated person has been shown: the buttons of recent messages, by id."""

    buttons: dict[int, tuple[AnyButton, ...]] = field(default_factory=dict)
    current: int | None = None
    """The latest message with buttons: the one a typed number presses."""


class ConsoleAdapter:
    def __init__(
        self,
        core: Core,
        catalogs: Catalogs,
        *,
        reader: TextIO | None = None,
        writer: TextIO | None = None,
        identity: str = DEFAULT_IDENTITY,
        files_dir: Path | None = None,
    ) -> None:
        self.core = core
        self.t = catalogs.translator(catalogs.default)
        self.reader = reader or sys.stdin
        self.writer = writer or sys.stdout
        self.identity = clean_identity(identity) or DEFAULT_IDENTITY
        self.files_dir = files_dir or core.settings.data_dir / FILES_DIR
        self._screens: dict[str, _Screen] = {}
        self._ids = itertools.count(1)
        self._greeted = False

    async def run(self) -> None:
        """Chat until end of input or /quit."""
        if not self._greeted:
            self.say(self.t("console.welcome", identity=self.identity))
            self._greeted = True
        while True:
            line = await self.ask(f"{self.identity}> ")
            if line is None or not await self.handle_line(line):
                self.say(self.t("console.bye"))
                return

    async def confirm(self, question: str) -> bool:
        """A yes/no question whose default (empty answer, end of input) is yes."""
        answer = await self.ask(f"{question} ")
        return (answer or "").strip().casefold() not in NO_ANSWERS

    async def ask(self, prompt: str) -> str | None:
        """Show `prompt` and read one line; None at end of input."""
        self.writer.write(prompt)
        self.writer.flush()
        line = await _readline(self.reader)
        if not line:
            self.writer.write("\n")
            return None
        if not _isatty(self.reader):  # piped input is not echoed by a terminal: show it
            self.writer.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n")

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False when the person asked to quit."""
        text = line.strip()
        command, _, rest = text.partition(" ")
        if not text:
            return True
        if command.lower() == "/quit":
            return False
        if command.lower() == "/as":
            self._switch(rest)
        elif _NUMBER.match(text):
            await self._press(int(text))
        else:
            await self._deliver(parse_text(PLATFORM, self.identity, self.identity, text))
        return True

    def say(self, text: str) -> None:
        self.writer.write(f"{text}\n")
        self.writer.flush()

    @property
    def _screen(self) -> _Screen:
        return self._screens.setdefault(self.identity, _Screen())

    def _switch(self, name: str) -> None:
        identity = clean_identity(name)
        if not identity:
            self.say(self.t("console.whoami", identity=self.identity))
            return
        self.identity = identity
        self.say(self.t("console.identity_switched", identity=identity))

    async def _press(self, number: int) -> None:
        screen = self._screen
        buttons = screen.buttons.get(screen.current) if screen.current is not None else None
        if not buttons or not 1 <= number <= len(buttons):
            self.say(self.t("console.bad_number", number=number))
            return
        button = buttons[number - 1]
        if isinstance(button, LinkButton):
            self.say(self.t("console.link", url=button.url))
            return
        try:
            payload = codec.encode(button.action, button.args)
        except codec.CodecError:
            log.exception("a handler built a button the codec refuses: %s", button.action)
            self.say(f"ℹ️ {self.t('button.unknown')}")
            return
        await self._deliver(Inbound(
            PLATFORM, self.identity, self.identity, InboundKind.BUTTON,
            payload=payload, message_id=str(screen.current),
        ))

    async def _deliver(self, inbound: Inbound) -> None:
        outcome: Outcome = await self.core.handle(inbound)
        if outcome.notice and all(outcome.notice != r.text for r in outcome.replies):
            self.say(f"ℹ️ {outcome.notice}")
        for reply in outcome.replies:
            self._show(reply, inbound)

    def _show(self, reply: Reply, inbound: Inbound) -> None:
        screen = self._screen
        target = inbound.message_id if reply.edit else None
        edited = target is not None and target.isdigit() and int(target) in screen.buttons
        message_id = int(target) if edited and target else next(self._ids)
        buttons = tuple(reply.buttons())
        lines = [self.t("console.updated")] if edited else []
        lines.append(reply.text)
        for number, button in enumerate(buttons, 1):
            link = f" → {button.url}" if isinstance(button, LinkButton) else ""
            lines.append(f"[{number}] {button.label}{link}")
        if reply.attachment is not None:
            lines.append(self._file_line(reply.attachment))
        self._remember(screen, message_id, buttons)
        self.say("\n" + "\n".join(lines))

    @staticmethod
    def _remember(screen: _Screen, message_id: int, buttons: tuple[AnyButton, ...]) -> None:
        if buttons:
            screen.buttons[message_id] = buttons
            screen.current = message_id
            while len(screen.buttons) > KEPT_MESSAGES:
                del screen.buttons[min(screen.buttons)]
        elif screen.buttons.pop(message_id, None) is not None and screen.current == message_id:
            screen.current = max(screen.buttons, default=None)  # an edit took the buttons away

    def _file_line(self, attachment: Attachment) -> str:
        """«📎 программа.pdf (12 КБ), сохранён: data/console_files/программа.pdf»"""
        size = file_size(self.t, len(attachment.content))
        path = self._save(attachment)
        return self.t("console.file_saved", name=attachment.file_name, size=size, path=path)

    def _save(self, attachment: Attachment) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE_FILE_CHARS.sub("_", Path(attachment.file_name).name).lstrip(". ") or "file"
        path = self.files_dir / name
        for copy in itertools.count(1):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(name).stem}-{copy}{Path(name).suffix}"
        path.write_bytes(attachment.content)
        return path


def clean_identity(name: str) -> str:
    """A simulated person's name: spaces collapsed, at most MAX_IDENTITY characters."""
    return " ".join(name.split())[:MAX_IDENTITY].strip()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


async def _readline(reader: TextIO) -> str:
    """`reader.readline()` in a daemon thread, so the event loop keeps running meanwhile.

    Not `asyncio.to_thread`: its worker thread is joined when the loop shuts down, so after
    Ctrl+C the program would hang until the terminal delivered one more line.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(line: str, error: BaseException | None) -> None:
        if future.done():  # the reader was cancelled meanwhile
            return
        if error is None:
            future.set_result(line)
        else:
            future.set_exception(error)

    def work() -> None:
        line, error = "", None
        try:
            line = reader.readline()
        except Exception as exc:  # handed over to the awaiting coroutine
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    return await future

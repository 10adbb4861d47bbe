"""Command line: `python -m bot [run | console | migrate | demo | load-network FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import astuple
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.app import App
from bot.config import Settings, SettingsError, load_settings
from bot.network_file import (
    LoadReport,
    NetworkFileError,
    NetworkList,
    apply_network_list,
    parse_network_file,
)
from storage.db import Database
from storage.migrate import current_revision

DEMO_NETWORK = Path(__file__).resolve().parent / "demo_network.yaml"
LOG_FILE = "kollega.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STOP_TIMEOUT = 15.0
"""Seconds an adapter gets to finish what it is doing after Ctrl+C or SIGTERM."""

log = logging.getLogger("bot")

Stopper = Callable[[], Awaitable[None]]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: str = args.command or "run"
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    telegram = command == "run" and _is_set(settings.telegram.token)
    console = command in ("run", "console") and not telegram
    try:
        _setup_logging(settings, to_file=console)
    except OSError as exc:
        print(f"KOLLEGA_DATA_DIR: cannot write {LOG_FILE}: {exc.strerror}", file=sys.stderr)
        return 2
    if command == "run" and _is_set(settings.vk.token):
        print("Note: VK is not supported yet; opening the terminal chat"
              if console else "Note: VK is not supported yet; running Telegram only",
              file=sys.stderr)
    try:
        return asyncio.run(_command(settings, command, args, telegram=telegram))
    except KeyboardInterrupt:  # Ctrl+C in the terminal chat or during a command
        print(file=sys.stderr)
        return 130
    except Exception as exc:
        log.exception("%s stopped on an error", command)
        if console:  # the traceback went to the log file, not to the chat
            where = settings.data_dir / LOG_FILE
            print(_redact(f"Stopped on an error: {type(exc).__name__}: {exc} (details in "
                          f"{where})", _secrets(settings)), file=sys.stderr)
        return 1


async def _command(settings: Settings, command: str, args: argparse.Namespace, *,
                   telegram: bool) -> int:
    if command == "load-network":
        return await _load_file(settings, Path(args.file))
    if command == "demo":
        return await _load_file(settings, DEMO_NETWORK)
    if command == "migrate":
        return await _migrate(settings)
    return await (_telegram(settings) if telegram else _console(settings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Kollega, the chat bot for teacher networks. Settings come from KOLLEGA_* "
        "environment variables and .env.",
    )
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser(
        "run", help="run the bot: Telegram when KOLLEGA_TELEGRAM__TOKEN is set, "
        "otherwise the terminal chat (the default)",
    )
    commands.add_parser("console", help="chat with the bot in the terminal")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("demo", help="load the demo network (municipalities, schools, topics)")
    load = commands.add_parser("load-network", help="load network lists from a YAML or CSV file")
    load.add_argument("file", help="a .yaml/.yml or .csv file (format: bot/network_file.py)")
    return parser


# -- running the bot --


async def _telegram(settings: Settings) -> int:
    from bot.platforms.telegram import TelegramAdapter  # aiogram is loaded only when needed

    app = await App.start(settings)
    try:
        adapter = TelegramAdapter(app.core, settings.telegram, app.catalogs, app.core.registry)
        await app.start_delivery({"telegram": adapter})

        async def stop() -> None:
            await app.stop_delivery()  # while the adapter's session is still open
            await adapter.stop()

        return await _until_signal(adapter.run(), stop)
    finally:
        await app.close()


async def _until_signal(running: Coroutine[Any, Any, None], stop: Stopper) -> int:
    """Run an adapter until it ends by itself or Ctrl+C / SIGTERM arrives, then stop it cleanly."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, not main thread
            loop.add_signal_handler(sig, stopping.set)
            installed.append(sig)
    runner = asyncio.create_task(running, name="adapter")
    waiter = asyncio.create_task(stopping.wait(), name="signals")
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            log.info("stopping on a signal")
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await stop()
                    await runner
            except TimeoutError:
                log.warning("the adapter did not stop within %s s; cancelling it", STOP_TIMEOUT)
                runner.cancel()
                await asyncio.wait({runner})
        if not runner.cancelled():
            runner.result()  # the adapter's own error, if it ended with one
    finally:
        waiter.cancel()
        runner.cancel()
        for sig in installed:
            loop.remove_signal_handler(sig)
    return 0


async def _console(settings: Settings) -> int:
    from bot.platforms.console import ConsoleAdapter

    app = await App.start(settings)
    try:
        adapter = ConsoleAdapter(app.core, app.catalogs)
        async with app.db.transaction() as repos:
            counts = await repos.network.counts()
        if not any(astuple(counts)) and await adapter.confirm(adapter.t("console.offer_demo")):
            report = await _apply(app.db, parse_network_file(DEMO_NETWORK))
            t = adapter.t
            adapter.say(t(
                "console.demo_loaded",
                municipalities=t.plural("count.municipalities", report.municipalities.added),
                organizations=t.plural("count.organizations", report.organizations.added),
                subjects=t.plural("count.subjects", report.subjects.added),
                topics=t.plural("count.topics", report.topics.added),
            ))
        await adapter.run()
        return 0
    finally:
        await app.close()


# -- administration --


async def _migrate(settings: Settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await db.migrate()
        async with db.connection() as conn:
            revision = await conn.run_sync(current_revision)
    finally:
        await db.close()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"Database {where} is at revision {revision}.")
    return 0


async def _load_file(settings: Settings, path: Path) -> int:
    try:
        network = parse_network_file(path)  # a broken file is reported before opening the database
    except NetworkFileError as exc:
        message = str(exc)
        print(message if message.startswith(path.name) else f"{path.name}: {message}",
              file=sys.stderr)
        return 2
    db = Database.from_url(settings.database_url)
    try:
        await db.migrate()
        report = await _apply(db, network)
    finally:
        await db.close()
    print(_describe(path, report))
    return 0


async def _apply(db: Database, network: NetworkList) -> LoadReport:
    async with db.transaction() as repos:
        return await apply_network_list(repos.network, network)


def _describe(path: Path, report: LoadReport) -> str:
    kinds = {
        "municipalities": report.municipalities, "organizations": report.organizations,
        "subjects": report.subjects, "topics": report.topics,
    }
    lines = [f"Loaded {path.name}:"]
    lines += [f"  {name}: {kind.added} added, {kind.present} already present"
              for name, kind in kinds.items()]
    return "\n".join(lines)


# -- settings and logging --


def _is_set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


class RedactingFormatter(logging.Formatter):
    """Replaces secrets (bot tokens, the database password) wherever they appear in a record."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return _redact(super().format(record), self._secrets)


def _redact(text: str, secrets: list[str]) -> str:
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _secrets(settings: Settings) -> list[str]:
    values = [token.get_secret_value() for token in (settings.telegram.token, settings.vk.token)
              if token is not None]
    password = make_url(settings.database_url).password
    return [*values, str(password)] if password else values


def _setup_logging(settings: Settings, *, to_file: bool) -> None:
    """In the terminal chat logs go to <data_dir>/kollega.log, so they do not clutter the chat."""
    handler: logging.Handler
    if to_file:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings.data_dir / LOG_FILE, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(LOG_FORMAT, _secrets(settings)))
    logging.basicConfig(level=settings.log_level, handlers=[handler])


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m bot` as an operator runs it: real subprocesses, a database in tmp_path."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.db import Database
from storage.migrate import alembic_config
from tests.fakes.telegram_api import FakeTelegramAPI

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without any KOLLEGA_* of the machine (no token), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGA_")}
    env.update(
        KOLLEGA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/k.db",
        KOLLEGA_DATA_DIR=str(tmp_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def run_bot(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    # cwd is tmp_path, not the repository, so a developer's .env there cannot leak in.
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=bot_env(tmp_path, **env),
        input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT,
        check=False,
    )


async def organization_count(tmp_path: Path) -> int:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}/k.db")
    try:
        async with db.transaction() as repos:
            return (await repos.network.counts()).organizations
    finally:
        await db.close()


def test_migrate_reports_the_revision(tmp_path: Path) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    result = run_bot(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert f"is at revision {head}." in result.stdout
    assert run_bot(tmp_path, "migrate").returncode == 0  # again: nothing to do


async def test_demo_loads_the_demo_network_once(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    assert "organizations: 12 added, 0 already present" in result.stdout
    assert await organization_count(tmp_path) == 12
    again = run_bot(tmp_path, "demo")
    assert "organizations: 0 added, 12 already present" in again.stdout
    assert await organization_count(tmp_path) == 12


async def test_load_network_reports_a_broken_line(tmp_path: Path) -> None:
    broken = tmp_path / "сеть.csv"
    broken.write_text(
        "kind,name,municipality\nmunicipality,Город N\nплощадь,Центральная,Город N\n",
        encoding="utf-8",
    )
    result = run_bot(tmp_path, "load-network", str(broken))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "сеть.csv: line 3: unknown kind «площадь»; expected municipality, organization, "
        "subject or topic (муниципалитет, организация, предмет, тема)"
    ]
    good = tmp_path / "сеть.yaml"
    good.write_text("municipalities:\n  - name: Город N\n    organizations: [Школа № 1]\n",
                    encoding="utf-8")
    result = run_bot(tmp_path, "load-network", str(good))
    assert result.returncode == 0, result.stderr
    assert "organizations: 1 added" in result.stdout
    assert await organization_count(tmp_path) == 1


def test_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "migrate", KOLLEGA_DEFAULT_TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("KOLLEGA_DEFAULT_TIMEZONE:")
    assert "Mars/Olympus" in lines[0]


def test_without_a_token_the_terminal_chat_opens(tmp_path: Path) -> None:
    result = run_bot(tmp_path, stdin="\n/start\n1\n/quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[Д/н]" in out
    assert "Демонстрационная сеть загружена: 4 муниципалитета, 12 организаций" in out
    assert "согласны на обработку персональных данных" in out
    assert "Как вас зовут?" in out  # «1» pressed the consent button
    assert out.rstrip().endswith("До свидания!")
    assert "INFO" not in out + result.stderr  # logs went to the file
    assert "alembic" in (tmp_path / "kollega.log").read_text(encoding="utf-8")


def test_vk_alone_is_noted_and_never_logged(tmp_path: Path) -> None:
    token = "vk1.a.secret-token-0123456789"
    result = run_bot(tmp_path, "run", stdin="н\n/quit\n", KOLLEGA_VK__TOKEN=token,
                     KOLLEGA_LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert "VK is not supported yet" in result.stderr
    assert "До свидания!" in result.stdout
    assert "Демонстрационная сеть загружена" not in result.stdout  # the offer was declined
    log = (tmp_path / "kollega.log").read_text(encoding="utf-8")
    assert log and token not in log + result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_leaves_the_terminal_chat_at_once(tmp_path: Path) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the bot on a terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "console"], bot_env(tmp_path))
    exit_status: int | None = None
    try:
        seen, answered = b"", False
        deadline = time.monotonic() + TIMEOUT
        while "учитель> ".encode() not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([fd], [], [], 0.1)[0]:
                seen += os.read(fd, 4096)
            if "[Д/н]".encode() in seen and not answered:
                os.write(fd, b"\r")  # yes, load the demo network
                answered = True
        os.write(fd, b"\x03")  # Ctrl+C while the chat waits for a line
        # Generous: a loaded CI machine once took over 10 s here (not reproduced since; about
        # 1 s alone). A hang, the failure this guards against, never ends at all.
        deadline = time.monotonic() + 30
        while exit_status is None:
            assert time.monotonic() < deadline, "still running 30 s after Ctrl+C"
            if select.select([fd], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):  # the terminal closes as the bot exits
                    os.read(fd, 4096)
            reaped, status = os.waitpid(pid, os.WNOHANG)
            exit_status = os.waitstatus_to_exitcode(status) if reaped else None
        assert exit_status == 130
    finally:
        if exit_status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


async def test_with_a_token_it_serves_telegram_until_sigterm(tmp_path: Path) -> None:
    async with FakeTelegramAPI() as api:
        env = bot_env(tmp_path, KOLLEGA_TELEGRAM__TOKEN=api.token,
                      KOLLEGA_TELEGRAM__API_URL=api.base_url, KOLLEGA_LOG_LEVEL="DEBUG")
        with (tmp_path / "out.txt").open("w+b") as out, (tmp_path / "err.txt").open("w+b") as err:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            )
            try:
                api.push_message(5001, "/start")
                await api.wait_for(lambda a: any(
                    "согласны на обработку" in m.get("text", "") for m in a.sent_messages(5001)
                ), timeout=TIMEOUT)
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), TIMEOUT)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        logs = (tmp_path / "err.txt").read_text(encoding="utf-8")
    assert code == 0, logs
    assert "Traceback" not in logs
    assert "DEBUG" in logs  # logging was on, and to stderr
    assert api.token not in logs
    assert api.token.partition(":")[2] not in logs
    assert not (tmp_path / "kollega.log").exists()

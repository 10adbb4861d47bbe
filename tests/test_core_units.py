"""The button codec, command parsing and settings: the small pieces everything relies on."""

from __future__ import annotations

import pytest

from bot.config import SettingsError, load_settings
from bot.core import codec
from bot.core.model import InboundKind, parse_text


def test_codec_round_trip() -> None:
    data = codec.encode("q.tog", ("s", "12"))
    assert data == "q.tog|s|12"
    assert codec.decode(data) == codec.ButtonData("q.tog", ("s", "12"))


def test_codec_fails_loudly_past_64_bytes() -> None:
    with pytest.raises(codec.CodecError, match="over 64"):
        codec.encode("q.mun", ("ы" * 40,))


@pytest.mark.parametrize("bad", ["", "Q.X", "1abc", "a" * 65, "ev rsvp|1", "ω|1"])
def test_codec_rejects_foreign_data(bad: str) -> None:
    with pytest.raises(codec.CodecError):
        codec.decode(bad)


def test_codec_rejects_separator_in_arguments() -> None:
    with pytest.raises(codec.CodecError):
        codec.encode("q.tog", ("a|b",))


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [("/start", "start", ""), ("/start abc123", "start", "abc123"),
     ("/Help@KollegaBot", "help", ""), ("  /add_topic  Финансовая грамотность ", "add_topic",
                                        "Финансовая грамотность")],
)
def test_commands_are_recognised(text: str, command: str, args: str) -> None:
    inbound = parse_text("telegram", "1", "1", text)
    assert (inbound.kind, inbound.command, inbound.args) == (InboundKind.COMMAND, command, args)


@pytest.mark.parametrize("text", ["/", "/ пробел", "/команда", "просто текст", "1/2"])
def test_other_text_is_text(text: str) -> None:
    assert parse_text("telegram", "1", "1", text).kind is InboundKind.TEXT


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLLEGA_TELEGRAM__TOKEN", "123:secret")
    monkeypatch.setenv("KOLLEGA_TELEGRAM__API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("KOLLEGA_COORDINATORS", "telegram:42, vk:7")
    monkeypatch.setenv("KOLLEGA_DATABASE_URL", "postgresql+asyncpg://u@db/kollega")
    settings = load_settings(_env_file=None)
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:secret"
    assert "secret" not in repr(settings)
    assert settings.telegram.api_url == "http://127.0.0.1:8081"
    assert settings.is_coordinator("telegram", "42") and settings.is_coordinator("vk", "7")
    assert not settings.is_coordinator("telegram", "7")
    assert settings.database_url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("KOLLEGA_DEFAULT_TIMEZONE", "Europe/Atlantis"), ("KOLLEGA_COORDINATORS", "42"),
     ("KOLLEGA_DATABASE_URL", "mysql://x"), ("KOLLEGA_DEFAULT_LOCALE", "de")],
)
def test_bad_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    message = str(error.value)
    assert message.startswith(variable + ":")
    assert "\n" not in message

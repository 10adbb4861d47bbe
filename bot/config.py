"""Settings, read from KOLLEGA_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLATFORMS = ("telegram", "vk", "console")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/kollega.db"


class TelegramSettings(BaseModel):
    token: SecretStr | None = None
    api_url: str = "https://api.telegram.org"
    """Bot API base URL; point it at a local Bot API server or a test server."""


class VKSettings(BaseModel):
    token: SecretStr | None = None
    group_id: int | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KOLLEGA_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    telegram: TelegramSettings = TelegramSettings()
    vk: VKSettings = VKSettings()
    database_url: str = DEFAULT_DATABASE_URL
    coordinators: Annotated[tuple[str, ...], NoDecode] = ("console:методист",)
    """Network coordinators as `telegram:<user id>`, `vk:<user id>` or `console:<name>`."""
    default_locale: Literal["ru", "en"] = "ru"
    default_timezone: str = "Europe/Moscow"
    privacy_policy_url: str = "https://example.org/privacy"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    data_dir: Path = Path("data")

    @field_validator("coordinators", mode="before")
    @classmethod
    def _split_coordinators(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("coordinators")
    @classmethod
    def _check_coordinators(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            platform, _, user_id = item.partition(":")
            if platform not in PLATFORMS or not user_id:
                raise ValueError(
                    f"{item!r} is not of the form telegram:<id>, vk:<id> or console:<name>"
                )
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    def is_coordinator(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.coordinators


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "KOLLEGA_" + "__".join(str(p) for p in error["loc"] if isinstance(p, str)).upper()
        raise SettingsError(f"{name}: {error['msg']}") from None

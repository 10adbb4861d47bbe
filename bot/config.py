"""Settings, read from KOLLEGA_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLATFORMS = ("telegram", "vk", "console")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/kollega.db"


class TelegramSettings(BaseModel):
    token: SecretStr | None = None
    api_url: str = "https://api.telegram.org"
    """Bot API base URL; point it at a local Bot API server or a test server."""
    username: str | None = None
    """The bot's @username for invitation links (t.me/<username>?start=<code>); when empty it
    is asked from Telegram (getMe) at start."""


class VKSettings(BaseModel):
    token: SecretStr | None = None
    group_id: int | None = None


class DeliverySettings(BaseModel):
    """The outbox worker: platform limits, retries, and how often it looks for due messages."""

    telegram_global_per_second: Annotated[float, Field(gt=0)] = 30.0
    """Messages per second to Telegram, all chats together (Telegram allows about 30)."""
    telegram_per_chat_interval: Annotated[float, Field(ge=0)] = 1.0
    """Seconds between two messages to one Telegram chat."""
    telegram_group_per_minute: Annotated[int, Field(gt=0)] = 20
    """Messages per minute to one Telegram group chat."""
    flood_pause_after: Annotated[int, Field(ge=1)] = 2
    """Flood-control answers (429) in a row that pause all sending for their retry_after; a
    single one holds only its chat. 1: every 429 pauses all sending."""
    max_attempts: Annotated[int, Field(ge=1)] = 8
    """Attempts before a message that keeps failing (5xx, timeouts) is marked failed."""
    backoff_base: Annotated[float, Field(ge=1)] = 2.0
    """After a failed attempt n, the next one waits backoff_base ** n seconds ..."""
    backoff_cap: Annotated[float, Field(gt=0)] = 300.0
    """... but never longer than this."""
    pump_interval: Annotated[float, Field(gt=0)] = 2.0
    """Seconds between two looks for due messages (enqueueing for now also wakes the worker)."""
    progress_interval: Annotated[float, Field(gt=0)] = 3.0
    """Seconds between two updates of a broadcast's progress message."""
    batch_size: Annotated[int, Field(ge=1)] = 100
    """Messages claimed from the database at a time."""
    claim_lease_seconds: Annotated[float, Field(ge=5)] = 60.0
    """A claimed message whose worker died is claimed again after this long."""
    max_in_flight: Annotated[int, Field(ge=1)] = 16
    """Messages being sent at the same time. After a crash at most this many can arrive twice."""


class EventSettings(BaseModel):
    """Events: when registered people are reminded."""

    reminders_hours: Annotated[tuple[float, ...], NoDecode] = (24.0, 1.0)
    """Hours before the start at which each registered person is reminded (comma-separated)."""

    @field_validator("reminders_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("reminders_hours")
    @classmethod
    def _check_hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(h <= 0 or h > 24 * 14 for h in value):
            raise ValueError("reminder hours must be between 0 and 336")
        return tuple(sorted(set(value), reverse=True))


class MatchingSettings(BaseModel):
    """Peer groups and mentoring rounds: when to ask how it went, and the silence rule."""

    check_after_days: Annotated[int, Field(ge=1, le=365)] = 14
    """Days after a round when its members are asked «Удалось встретиться?»."""
    ignored_rounds_to_pause: Annotated[int, Field(ge=1)] = 3
    """Rounds in a row without an answer after which a teacher is paused (and told so)."""
    ignored_pause_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """How long that pause lasts; the teacher can end it at once with «Остаться в подборе»."""
    job_interval: Annotated[float, Field(ge=1)] = 60.0
    """Seconds between two looks for scheduled rounds and for rounds whose question is due."""


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
    delivery: DeliverySettings = DeliverySettings()
    matching: MatchingSettings = MatchingSettings()
    events: EventSettings = EventSettings()
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

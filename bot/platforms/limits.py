"""Each platform's sending limits, from the delivery settings."""

from __future__ import annotations

from bot.config import DeliverySettings
from bot.delivery.limiter import PlatformLimits


def telegram_is_group(chat_id: str) -> bool:
    """Telegram group and supergroup chats have negative ids."""
    return chat_id.startswith("-")


def platform_limits(platform: str, settings: DeliverySettings) -> PlatformLimits:
    if platform == "telegram":
        return PlatformLimits(
            per_second=settings.telegram_global_per_second,
            chat_interval=settings.telegram_per_chat_interval,
            group_per_minute=settings.telegram_group_per_minute,
            is_group=telegram_is_group,
            flood_pause_after=settings.flood_pause_after,
        )
    raise ValueError(f"no sending limits are known for {platform!r}")

"""Russian time zones offered as buttons, and reading a typed city or IANA zone name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.context import Context
from bot.core.timefmt import utc_offset

OFFERED = (
    ("Europe/Kaliningrad", "tz.kaliningrad"),
    ("Europe/Moscow", "tz.moscow"),
    ("Europe/Samara", "tz.samara"),
    ("Asia/Yekaterinburg", "tz.yekaterinburg"),
    ("Asia/Omsk", "tz.omsk"),
    ("Asia/Novosibirsk", "tz.novosibirsk"),
    ("Asia/Krasnoyarsk", "tz.krasnoyarsk"),
    ("Asia/Irkutsk", "tz.irkutsk"),
    ("Asia/Yakutsk", "tz.yakutsk"),
    ("Asia/Vladivostok", "tz.vladivostok"),
    ("Asia/Magadan", "tz.magadan"),
    ("Asia/Kamchatka", "tz.kamchatka"),
)

# Other big cities people may type, by their Russian and English names.
CITIES = {
    "санкт-петербург": "Europe/Moscow", "петербург": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow", "казань": "Europe/Moscow", "kazan": "Europe/Moscow",
    "нижний новгород": "Europe/Moscow", "волгоград": "Europe/Volgograd",
    "саратов": "Europe/Saratov", "ульяновск": "Europe/Ulyanovsk",
    "астрахань": "Europe/Astrakhan", "уфа": "Asia/Yekaterinburg", "ufa": "Asia/Yekaterinburg",
    "пермь": "Asia/Yekaterinburg", "челябинск": "Asia/Yekaterinburg",
    "тюмень": "Asia/Yekaterinburg", "нижний тагил": "Asia/Yekaterinburg",
    "барнаул": "Asia/Barnaul", "томск": "Asia/Tomsk", "кемерово": "Asia/Novokuznetsk",
    "новокузнецк": "Asia/Novokuznetsk", "чита": "Asia/Chita", "хабаровск": "Asia/Vladivostok",
    "khabarovsk": "Asia/Vladivostok", "южно-сахалинск": "Asia/Sakhalin",
    "анадырь": "Asia/Anadyr", "петропавловск-камчатский": "Asia/Kamchatka",
}


def zone_offset(zone: str, at: datetime) -> str:
    """The zone's offset at that moment: «UTC+5»."""
    return utc_offset(at.astimezone(ZoneInfo(zone)))


def zone_label(ctx: Context, zone: str) -> str:
    """«Москва (UTC+3)» for an offered zone, «Asia/Chita (UTC+9)» for any other."""
    city = next((ctx._(key) for name, key in OFFERED if name == zone), zone)
    return f"{city} ({zone_offset(zone, ctx.now())})"


def find_zone(ctx: Context, typed: str) -> str | None:
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        return None
    for name, key in OFFERED:
        if wanted in {ctx.catalogs.translator(loc)(key).casefold() for loc in ("ru", "en")}:
            return name
    if wanted in CITIES:
        return CITIES[wanted]
    by_folded = {z.casefold(): z for z in available_timezones()}
    return by_folded.get(wanted.replace(" ", "_"))


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True

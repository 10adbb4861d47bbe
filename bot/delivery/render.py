"""An outbox row as the text its recipient reads: their language, their time zone.

A row is either an admin's own text (sent as is) or a message id with parameters. Parameters
are JSON values; four forms are rendered for the reader:

- `{"at": "2026-11-02T09:00:00+00:00"}` — a moment, shown in the reader's zone with its offset:
  `02.11.2026 14:00 (UTC+5)`;
- `{"date": "2026-11-02"}` — a calendar date: `02.11.2026`;
- `{"plural": "count.participants", "n": 5}` — a counted phrase in the reader's language;
- `{"msg": "ev.kind.webinar"}` — a message id, in the reader's language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.model import AnyButton, Button, Keyboard, LinkButton, Reply
from bot.core.timefmt import utc_offset
from bot.i18n import Catalogs, Translator
from storage.outbox import OutboxItem


class RenderError(Exception):
    """The row cannot become a message (unknown message id, a parameter missing)."""


def render(item: OutboxItem, catalogs: Catalogs, default_timezone: str) -> Reply:
    t = catalogs.translator(item.locale)
    keyboard = _keyboard(item.buttons, t)
    if item.text is not None:
        return Reply(item.text, keyboard)
    key = item.message_key or ""
    zone = _zone(item.timezone or default_timezone)
    try:
        params = {name: _value(value, t, zone) for name, value in item.params.items()}
        text = t(key, **params)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise RenderError(f"cannot render {key}: {type(exc).__name__} {exc}") from None
    if text == key:
        raise RenderError(f"no message {key!r} in {t.locale}")
    return Reply(text, keyboard)


def _keyboard(rows: list[list[dict[str, Any]]], t: Translator) -> Keyboard:
    try:
        return tuple(tuple(_button(spec, t) for spec in row) for row in rows if row)
    except (KeyError, TypeError) as exc:
        raise RenderError(f"bad button {type(exc).__name__} {exc}") from None


def _button(spec: dict[str, Any], t: Translator) -> AnyButton:
    label = str(spec["text"]) if spec.get("text") is not None else t(str(spec["label"]))
    if "url" in spec:
        return LinkButton(label, str(spec["url"]))
    return Button(label, str(spec["action"]), tuple(str(a) for a in spec.get("args") or ()))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _value(value: Any, t: Translator, zone: ZoneInfo) -> Any:
    if not isinstance(value, dict):
        return value
    if "at" in value:
        moment = datetime.fromisoformat(str(value["at"]))
        if moment.tzinfo is None:
            raise ValueError("a moment needs its UTC offset")
        local = moment.astimezone(zone)
        return f"{local:%d.%m.%Y %H:%M} ({utc_offset(local)})"
    if "date" in value:
        return f"{date.fromisoformat(str(value['date'])):%d.%m.%Y}"
    if "plural" in value:
        return t.plural(str(value["plural"]), int(value["n"]))
    if "msg" in value:
        text = t(str(value["msg"]))
        if text == value["msg"]:
            raise KeyError(f"no message {text}")
        return text
    raise ValueError(f"unknown parameter form {sorted(value)}")

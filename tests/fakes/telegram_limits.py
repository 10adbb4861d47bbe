"""Rules of the real Telegram Bot API for the fake server: limits, validation, decoding.

Error texts are the ones Telegram answers with, so a client that matches on them (or a test
that asserts on aiogram's exception message) behaves as in production.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes, UTF-8
MAX_CALLBACK_ANSWER = 200
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MISSING = {
    "text": "message text is empty",
    "document": "there is no document in the request",
    "photo": "there is no photo in the request",
}
DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data", "url", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
        "copy_text", "callback_game", "pay",
    }
)
_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "span", "tg-spoiler", "tg-emoji", "tg-time", "blockquote",
    }
)
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAG_NAME = re.compile(r"[^\s>]*")
_MD2_ALWAYS_RESERVED = frozenset("#+-={}.!")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


class ApiError(Exception):
    """An answer `{"ok": false, ...}` with HTTP status = error_code, as Telegram sends it."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _load_schema() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    data = json.loads(Path(__file__).with_name("telegram_methods.json").read_text("utf-8"))
    return {
        name: (frozenset(spec["required"]), frozenset(spec["required"] + spec["optional"]))
        for name, spec in data["methods"].items()
    }


SCHEMA = _load_schema()  # method -> (required names, all names)


def check_names(method: str, params: dict[str, Any], file_parts: Iterable[str]) -> None:
    """Parameter names against the official schema: unknown ones and missing required ones."""
    required, known = SCHEMA[method]
    attached = {  # aiogram names file parts randomly and refers to them as attach://name
        value.removeprefix("attach://")
        for value in params.values()
        if isinstance(value, str) and value.startswith("attach://")
    }
    given = [*params, *file_parts]
    for name in given:
        if name not in known and name not in attached:
            raise bad_request(f"unknown parameter {name}")
    if missing := sorted(required - set(given)):
        raise bad_request(MISSING.get(missing[0], f"{missing[0]} is empty"))


def check_commands(commands: Any) -> None:
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands is empty")
    for command in commands:
        command = command if isinstance(command, dict) else {}
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


# --- parameters ----------------------------------------------------------------------------
# Values arrive as strings from a form (aiogram always sends a form) or as JSON values.


def int_param(params: dict[str, Any], name: str, default: int = 0) -> int:
    if name not in params:
        return default
    try:
        return int(params[name])
    except (TypeError, ValueError):
        raise bad_request(f"wrong parameter {name} specified") from None


def chat_id_param(params: dict[str, Any]) -> int:
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(params["chat_id"])
    except (TypeError, ValueError):
        chat_id = 0  # "@username" and garbage: no such chat here
    if chat_id == 0:
        raise bad_request("chat not found")
    return chat_id


def json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        what = "reply keyboard markup" if name == "reply_markup" else name
        raise bad_request(f"can't parse {what} JSON object") from None


def text_param(params: dict[str, Any], name: str = "text") -> str:
    """The text (or caption) as Telegram would store it; refused when empty or too long."""
    text = apply_parse_mode(str(params.get(name) or ""), params.get("parse_mode"))
    return check_text(text, caption=name == "caption")


def echoed_markup(params: dict[str, Any]) -> dict[str, Any]:
    """Validated reply_markup; only an inline keyboard comes back in the Message."""
    if params.get("reply_markup") in (None, ""):
        return {}
    markup = check_reply_markup(json_param(params, "reply_markup"))
    return {"reply_markup": markup} if "inline_keyboard" in markup else {}


# --- text and formatting -------------------------------------------------------------------


def check_text(text: str, *, caption: bool = False) -> str:
    """Telegram trims surrounding whitespace, then checks emptiness and length."""
    text = text.strip()
    if not caption and not text:
        raise bad_request("message text is empty")
    limit = MAX_CAPTION if caption else MAX_TEXT
    if utf16_len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text


def apply_parse_mode(text: str, parse_mode: str | None) -> str:
    """The visible text after entity parsing; malformed markup is refused like Telegram does."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _strip_html(text)
    if mode == "markdownv2":
        return _unescape_markdown_v2(text)
    if mode in ("", "markdown"):
        return text
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def _entities_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _strip_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "&" and (m := _HTML_ENTITY.match(text, i)):
            out.append(_html_entity(m.group(1)))
            i = m.end()
        elif text[i] != "<":
            out.append(text[i])
            i += 1
        else:
            i = _html_tag(text, i, stack)
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _html_entity(name: str) -> str:
    if name in _HTML_NAMED:
        return _HTML_NAMED[name]
    code = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF else f"&{name};"


def _html_tag(text: str, start: int, stack: list[str]) -> int:
    """Consumes one tag starting at `start`; returns the index after it."""
    closing = text.startswith("</", start)
    name_match = _HTML_TAG_NAME.match(text, start + (2 if closing else 1))
    assert name_match is not None  # the pattern matches the empty string
    name, end = name_match.group(0).lower(), text.find(">", name_match.end())
    offset = _byte_offset(text, start)
    if end < 0:
        kind = "end" if closing else "start"
        raise _entities_error(f"Unclosed {kind} tag at byte offset {offset}")
    if not closing:
        if name not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
        stack.append(name)
    elif not stack:
        raise _entities_error(f"Unexpected end tag at byte offset {offset}")
    elif name != stack[-1]:
        raise _entities_error(
            f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", '
            f'found "</{name}>"'
        )
    else:
        stack.pop()
    return end + 1


def _unescape_markdown_v2(text: str) -> str:
    """Checks the characters that must always be escaped (not inside code or a link's URL);
    formatting markers are kept in the returned text."""
    out: list[str] = []
    escaped, in_code, in_url = False, False, False
    for i, ch in enumerate(text):
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            continue
        in_code = in_code != (ch == "`")
        in_url = (in_url and ch != ")") or (i > 0 and text.startswith("](", i - 1))
        if ch in _MD2_ALWAYS_RESERVED and not (in_code or in_url):
            raise _entities_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
    return "".join(out)


def command_entities(text: str) -> list[dict[str, Any]]:
    """`bot_command` entities as Telegram attaches them to an incoming message."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in _COMMAND.finditer(text)
    ]


# --- reply markup ----------------------------------------------------------------------------


def check_reply_markup(markup: Any) -> dict[str, Any]:
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not _BUTTON_ACTIONS & button.keys():
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
        raise bad_request("BUTTON_URL_INVALID")


# --- rate limits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimits:
    """Telegram's published limits; shrink the windows to keep tests fast."""

    enabled: bool = True
    global_limit: int = 30  # messages per global_window, all chats together
    global_window: float = 1.0
    private_interval: float = 1.0  # one message per interval in a private chat ...
    private_burst: int = 3  # ... with a small burst allowed
    group_limit: int = 20  # messages per group_window in one group (negative chat id)
    group_window: float = 60.0

    @classmethod
    def off(cls) -> RateLimits:
        return cls(enabled=False)


class _Window:
    """At most `limit` events in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.window:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[0] + self.window - now

    def add(self, now: float) -> None:
        self.events.append(now)


class _Bucket:
    """Token bucket: one token per `interval`, at most `burst` saved up."""

    def __init__(self, interval: float, burst: int, now: float) -> None:
        self.interval, self.burst = interval, burst
        self.tokens, self.stamp = float(burst), now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) / self.interval)
        self.stamp = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) * self.interval

    def add(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class RateLimiter:
    """Counts message-producing calls; `retry_after` checks, `consume` records a sent one."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self._clock = limits, clock
        self._global = _Window(limits.global_limit, limits.global_window)
        self._groups: dict[int, _Window] = {}
        self._private: dict[int, _Bucket] = {}

    def _chat(self, chat_id: int, now: float) -> _Window | _Bucket:
        lim = self.limits
        if chat_id < 0:
            return self._groups.setdefault(chat_id, _Window(lim.group_limit, lim.group_window))
        if chat_id not in self._private:
            self._private[chat_id] = _Bucket(lim.private_interval, lim.private_burst, now)
        return self._private[chat_id]

    def retry_after(self, chat_id: int) -> int | None:
        """Whole seconds to wait (at least 1, as Telegram says), or None when allowed now."""
        if not self.limits.enabled:
            return None
        now = self._clock()
        wait = max(self._global.wait(now), self._chat(chat_id, now).wait(now))
        return max(1, math.ceil(wait)) if wait > 0 else None

    def consume(self, chat_id: int) -> None:
        if self.limits.enabled:
            now = self._clock()
            self._global.add(now)
            self._chat(chat_id, now).add(now)

"""A local fake of the Telegram Bot API for tests, spoken to by the real aiogram `Bot`.

    async with FakeTelegramAPI() as api:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = Bot(api.token, session=session)

It answers `/bot{token}/{method}` in the Bot API envelope, checks parameter names against the
official schema (telegram_methods.json, trimmed from shared/spec), validates and rate-limits
like Telegram (telegram_limits.py), records every call, plays the users (messages, photos,
documents, button presses), serves files at `/file/bot{token}/{file_path}` after `getFile`,
and injects faults on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import socket
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

from .telegram_limits import (
    CHAT_ACTIONS,
    DESCRIPTIONS,
    IMAGE_MAGIC,
    MAX_CALLBACK_ANSWER,
    MISSING,
    NOT_DELIVERED_BY_DEFAULT,
    NOT_MODIFIED,
    SCHEMA,
    ApiError,
    RateLimiter,
    RateLimits,
    bad_request,
    chat_id_param,
    check_commands,
    check_names,
    command_entities,
    echoed_markup,
    int_param,
    json_param,
    text_param,
)

DEFAULT_TOKEN = "123456789:AAFakeTokenForKollegaTests_0123456789"
DOWNLOAD = "downloadFile"  # how a file download (not an API method) is recorded and faulted
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})  # rate-limited
CHAT_METHODS = MESSAGE_METHODS | {"sendChatAction", "editMessageText", "editMessageReplyMarkup"}


@dataclass
class UploadedFile:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class RecordedCall:
    method: str  # canonical spelling, e.g. "sendMessage"
    params: dict[str, Any]  # as received: strings from a form, JSON values from a JSON body
    files: dict[str, UploadedFile]  # multipart file parts by part name
    time: float  # the fake's clock (monotonic)
    status: int = 0  # HTTP status answered (0 while in progress or when dropped)


@dataclass
class _Rule:
    """A queued fault, delay or connection drop for the next `count` matching requests."""

    method: str | None
    count: int
    chat_id: int | None = None
    error: ApiError | None = None
    seconds: float = 0.0

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (self.method is None or self.method.lower() == method.lower()) and (
            self.chat_id is None or self.chat_id == chat_id
        )


def _chat_of(params: dict[str, Any]) -> int | None:
    with contextlib.suppress(TypeError, ValueError):
        return int(params["chat_id"]) if "chat_id" in params else None
    return None


def _take(rules: list[_Rule], method: str, chat_id: int | None) -> _Rule | None:
    for rule in rules:
        if rule.matches(method, chat_id):
            rule.count -= 1
            if rule.count <= 0:
                rules.remove(rule)
            return rule
    return None


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Query string plus a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.read()
        data = json.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise bad_request("parameters must be a JSON object")
        params.update(data)
        return params, files
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
        else:
            params[name] = value
    return params, files


def _answer(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class FakeTelegramAPI:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        bot_username: str = "kollega_test_bot",
        bot_name: str = "Коллега (тест)",
    ) -> None:
        self.token, self.clock = token, clock
        self.limiter = RateLimiter(limits or RateLimits(), clock)  # RateLimits.off() disables
        self.bot_user: dict[str, Any] = {
            "id": int(token.partition(":")[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.requests: list[RecordedCall] = []
        self.answered_callbacks: dict[str, dict[str, Any]] = {}  # query id -> answer params
        self.uploaded: dict[str, UploadedFile] = {}  # file_id -> what the bot uploaded
        self.received: dict[str, UploadedFile] = {}  # file_id -> what the users sent
        self._file_paths: dict[str, str] = {}  # file_path (after getFile) -> file_id
        self.commands: dict[tuple[str, str], list[Any]] = {}  # (scope JSON, language) -> list
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}  # the bot's, (chat, id)
        self._last_message_id: dict[int, int] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._wakeup = asyncio.Event()
        self._open_callbacks: set[str] = set()
        self._callback_seq = 0
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._faults: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._drops: list[_Rule] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[RecordedCall], Coroutine[Any, Any, Any]]] = {
            name: getattr(self, "_" + re.sub(r"(?=[A-Z])", "_", name).lower())  # _send_message
            for name in SCHEMA  # every method of telegram_methods.json has its handler here
        }
        self._canonical = {name.lower(): name for name in self._handlers}

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload limit
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing = True
        self._wakeup.set()  # pending long polls answer at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # --- fault injection ---------------------------------------------------------------------

    def inject(
        self,
        method: str | None,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next `count` matching calls answer this error instead of being handled.

        `method=None` matches any method. A 429 always carries retry_after (default 1)."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or DESCRIPTIONS.get(status, f"Error {status}")
        parameters = None if retry_after is None else {"retry_after": retry_after}
        error = ApiError(status, description, parameters)
        self._faults.append(_Rule(method, count, chat_id=chat_id, error=error))

    def block_chat(self, chat_id: int) -> None:
        """Every send, chat action or edit to this chat answers 403 from now on."""
        self._blocked.add(chat_id)

    def migrate_chat(self, chat_id: int, to_chat_id: int) -> None:
        """The group became a supergroup: sends to the old id answer 400 with the new one."""
        self._migrated[chat_id] = to_chat_id

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def delay(self, seconds: float, method: str | None = None, count: int = 1) -> None:
        """The next `count` matching calls are answered only after `seconds`."""
        self._delays.append(_Rule(method, count, seconds=seconds))

    def drop_connection(self, method: str | None, count: int = 1) -> None:
        """The next `count` matching calls get their connection reset, with no answer."""
        self._drops.append(_Rule(method, count))

    # --- request handling --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _answer(ApiError(401, "Unauthorized").body(), 401)
        method = self._canonical.get(request.match_info["method"].lower())
        if method is None:
            return _answer(ApiError(404, "Not Found").body(), 404)
        try:
            params, files = await _read_params(request)
        except ApiError as error:
            return _answer(error.body(), error.status)
        except ValueError:
            return _answer(bad_request("can't parse JSON").body(), 400)
        call = RecordedCall(method, params, files, self.clock())
        self.requests.append(call)
        chat_id = _chat_of(params) if method in CHAT_METHODS else None
        if rule := _take(self._delays, method, chat_id):
            await asyncio.sleep(rule.seconds)
        if _take(self._drops, method, chat_id) and request.transport is not None:
            request.transport.abort()
            return web.Response(status=204)  # never reaches the client
        try:
            result = await self._dispatch(call, chat_id)
        except ApiError as error:
            call.status = error.status
            return _answer(error.body(), error.status)
        call.status = 200
        return _answer({"ok": True, "result": result})

    async def _dispatch(self, call: RecordedCall, chat_id: int | None) -> Any:
        if (rule := _take(self._faults, call.method, chat_id)) and rule.error:
            raise rule.error
        check_names(call.method, call.params, call.files.keys())
        if chat_id is not None and chat_id in self._migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self._migrated[chat_id]})
        if chat_id is not None and chat_id in self._blocked:
            who = "blocked by the user" if chat_id > 0 else "kicked from the group chat"
            raise ApiError(403, f"Forbidden: bot was {who}")
        if chat_id is None or call.method not in MESSAGE_METHODS:
            return await self._handlers[call.method](call)
        if retry := self.limiter.retry_after(chat_id):
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        result = await self._handlers[call.method](call)
        self.limiter.consume(chat_id)  # only messages actually sent count
        return result

    # --- methods -----------------------------------------------------------------------------

    async def _delete_webhook(self, call: RecordedCall) -> bool:
        return True

    async def _get_me(self, call: RecordedCall) -> Any:
        flags = {"can_join_groups": True, "can_read_all_group_messages": False}
        return {**self.bot_user, **flags, "supports_inline_queries": False}

    async def _get_updates(self, call: RecordedCall) -> Any:
        params = call.params
        offset, limit = int_param(params, "offset"), int_param(params, "limit", 100)
        if params.get("allowed_updates") not in (None, ""):
            self._allowed_updates = frozenset(json_param(params, "allowed_updates") or []) or None
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:  # confirmed updates are forgotten
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(int_param(params, "timeout"), 0)
        while not self._deliverable() and not self._closing and loop.time() < deadline:
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), deadline - loop.time())
        return copy.deepcopy(self._deliverable()[: min(max(limit, 1), 100)])

    def _deliverable(self) -> list[dict[str, Any]]:
        """Drops updates of types the bot did not ask for (as Telegram does); the rest."""

        def wanted(update: dict[str, Any]) -> bool:
            kind = next((k for k in update if k != "update_id"), "")
            if self._allowed_updates is None:
                return kind not in NOT_DELIVERED_BY_DEFAULT
            return kind in self._allowed_updates

        self._updates = [u for u in self._updates if wanted(u)]
        return self._updates

    async def _send_message(self, call: RecordedCall) -> Any:
        text, markup = text_param(call.params), echoed_markup(call.params)
        return self._new_message(chat_id_param(call.params), text=text, **markup)

    async def _send_document(self, call: RecordedCall) -> Any:
        upload, file_id = self._file(call, "document")
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.content),
        }
        return self._new_media(call, document=document)

    async def _send_photo(self, call: RecordedCall) -> Any:
        upload, file_id = self._file(call, "photo")
        if upload.content and not upload.content.startswith(IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED")
        size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 320, "height": 240}
        return self._new_media(call, photo=[{**size, "file_size": len(upload.content)}])

    def _new_media(self, call: RecordedCall, **content: Any) -> dict[str, Any]:
        caption, markup = text_param(call.params, "caption"), echoed_markup(call.params)
        if caption:
            content["caption"] = caption
        return self._new_message(chat_id_param(call.params), **content, **markup)

    def _file(self, call: RecordedCall, name: str) -> tuple[UploadedFile, str]:
        """The uploaded part (attach://x or a part named like the field), a file_id or a URL."""
        value, upload = call.params.get(name), call.files.get(name)
        is_url = isinstance(value, str) and value.startswith(("http://", "https://"))
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(MISSING[name])
        elif upload is None and isinstance(value, str) and (known := self._known(value)):
            return known, value  # a file_id seen before: no new upload
        elif upload is None and is_url:
            upload = UploadedFile(str(value).rsplit("/", 1)[-1] or "file", b"")  # not fetched
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not upload.content and not is_url:
            raise bad_request("file must be non-empty")
        file_id = f"BQACAgIAAxk{len(self.uploaded) + 1:08d}"
        self.uploaded[file_id] = upload
        return upload, file_id

    def _known(self, file_id: str) -> UploadedFile | None:
        """A file the bot may send or download by id: one it uploaded or one a user sent."""
        return self.uploaded.get(file_id) or self.received.get(file_id)

    async def _get_file(self, call: RecordedCall) -> Any:
        file_id = str(call.params["file_id"])
        known = self._known(file_id)
        if known is None:
            raise bad_request("invalid file_id")
        if len(known.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        path = next((p for p, f in self._file_paths.items() if f == file_id), None)
        if path is None:
            folder = "photos" if known.content_type.startswith("image/") else "documents"
            extension = known.filename.rpartition(".")[2] if "." in known.filename else "bin"
            path = f"{folder}/file_{len(self._file_paths)}.{extension}"
            self._file_paths[path] = file_id
        return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                "file_size": len(known.content), "file_path": path}

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """The file URL of getFile's answer, as Telegram serves it (bytes, or a JSON error)."""
        if request.match_info["token"] != self.token:
            return _answer(ApiError(401, "Unauthorized").body(), 401)
        path = request.match_info["path"]
        call = RecordedCall(DOWNLOAD, {"file_path": path}, {}, self.clock())
        self.requests.append(call)
        if rule := _take(self._delays, DOWNLOAD, None):
            await asyncio.sleep(rule.seconds)
        if _take(self._drops, DOWNLOAD, None) and request.transport is not None:
            request.transport.abort()
            return web.Response(status=204)  # never reaches the client
        fault = _take(self._faults, DOWNLOAD, None)
        file_id = self._file_paths.get(path)
        known = self._known(file_id) if file_id is not None else None
        if fault is not None or known is None:
            error = fault.error if fault and fault.error else ApiError(404, "Not Found")
            call.status = error.status
            return _answer(error.body(), error.status)
        call.status = 200
        return web.Response(body=known.content, content_type="application/octet-stream")

    async def _edit_message_text(self, call: RecordedCall) -> Any:
        message = self._message_to_edit(call.params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, markup = text_param(call.params), echoed_markup(call.params)
        if text == message["text"] and markup.get("reply_markup") == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(message, text=text, **markup)

    async def _edit_message_reply_markup(self, call: RecordedCall) -> Any:
        message, markup = self._message_to_edit(call.params), echoed_markup(call.params)
        if markup.get("reply_markup") == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(message, **markup)

    def _message_to_edit(self, params: dict[str, Any]) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline messages
        chat_id = chat_id_param(params)
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        message = self._messages.get((chat_id, int_param(params, "message_id")))
        if message is None:
            raise bad_request("message to edit not found")
        return message

    def _apply_edit(self, message: dict[str, Any], **content: Any) -> dict[str, Any]:
        message.pop("reply_markup", None)  # an edit that does not repeat the keyboard drops it
        message.update(content, edit_date=int(time.time()))
        return copy.deepcopy(message)

    async def _answer_callback_query(self, call: RecordedCall) -> Any:
        query_id = str(call.params["callback_query_id"])
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(call.params.get("text", ""))) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        answer = {k: v for k, v in call.params.items() if k != "callback_query_id"}
        self.answered_callbacks[query_id] = answer
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = json_param(params, "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, call: RecordedCall) -> Any:
        commands = json_param(call.params, "commands")
        check_commands(commands)
        self.commands[self._commands_key(call.params)] = commands
        return True

    async def _get_my_commands(self, call: RecordedCall) -> Any:
        return self.commands.get(self._commands_key(call.params), [])

    async def _delete_my_commands(self, call: RecordedCall) -> Any:
        self.commands.pop(self._commands_key(call.params), None)
        return True

    async def _send_chat_action(self, call: RecordedCall) -> Any:
        chat_id_param(call.params)
        if call.params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # --- messages, users, updates ------------------------------------------------------------

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Test group {-chat_id}"}
        first_name = self._users.get(chat_id, {}).get("first_name", "Test")
        return {"id": chat_id, "type": "private", "first_name": first_name}

    def _next_message_id(self, chat_id: int) -> int:
        """Ids count per chat, shared by the users' messages and the bot's."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _new_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message_id = self._next_message_id(chat_id)
        message = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._messages[(chat_id, message_id)] = message
        return copy.deepcopy(message)

    def _user(self, user_id: int) -> dict[str, Any]:
        default = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "ru"}
        return copy.deepcopy(self._users.get(user_id, default))

    # --- helpers for tests -------------------------------------------------------------------

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent, in order, as they look now (edits applied)."""
        return [
            copy.deepcopy(message)
            for (chat, _), message in self._messages.items()
            if chat_id is None or chat == chat_id
        ]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates the bot has not confirmed yet (by a getUpdates with a later offset)."""
        return copy.deepcopy(self._updates)

    def push_raw(self, update: dict[str, Any]) -> int:
        """Queues any update as is (update_id assigned when missing); returns the update_id."""
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        if "callback_query" in update:  # Telegram lets the bot answer any query it delivers
            self._open_callbacks.add(str(update["callback_query"]["id"]))
        self._updates.append(update)
        self._wakeup.set()
        return int(update["update_id"])

    def push_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str = "Test",
        language_code: str = "ru",
    ) -> int:
        """A user writes `text` to the bot (or in group `chat_id`); returns the update_id."""
        content: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return self._push_user_message(user_id, chat_id, first_name, language_code, content)

    def push_photo(
        self,
        user_id: int,
        content: bytes,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        chat_id: int | None = None,
    ) -> int:
        """A user sends a photo: Telegram offers it in sizes, a thumbnail first, the original
        last; each size is a file of its own. Returns the update_id."""
        thumbnail = self._receive(UploadedFile("thumb.jpg", content[:64], "image/jpeg"), "AgAD")
        original = self._receive(UploadedFile("photo.jpg", content, "image/jpeg"), "AgAD")
        scale = 90 / max(width, height)
        sizes = [
            {"file_id": thumbnail, "file_unique_id": f"u{thumbnail}", "file_size": 64,
             "width": max(1, int(width * scale)), "height": max(1, int(height * scale))},
            {"file_id": original, "file_unique_id": f"u{original}", "file_size": len(content),
             "width": width, "height": height},
        ]
        return self._push_user_message(
            user_id, chat_id, None, None, _with_caption({"photo": sizes}, caption)
        )

    def push_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        report_size: bool = True,
        chat_id: int | None = None,
    ) -> int:
        """A user sends a file; `report_size=False` leaves out file_size (it is optional)."""
        file_id = self._receive(UploadedFile(file_name, content, mime_type), "BQAD")
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                    "file_name": file_name, "mime_type": mime_type}
        if report_size:
            document["file_size"] = len(content)
        return self._push_user_message(
            user_id, chat_id, None, None, _with_caption({"document": document}, caption)
        )

    def _receive(self, file: UploadedFile, prefix: str) -> str:
        file_id = f"{prefix}AgIAAxkBAAI{len(self.received) + 1:06d}"
        self.received[file_id] = file
        return file_id

    def _push_user_message(
        self,
        user_id: int,
        chat_id: int | None,
        first_name: str | None,
        language_code: str | None,
        content: dict[str, Any],
    ) -> int:
        """`first_name` and `language_code` None: the user as they were last seen."""
        known = self._users.get(user_id, {})
        self._users[user_id] = {
            "id": user_id, "is_bot": False,
            "first_name": first_name or known.get("first_name", "Test"),
            "language_code": language_code or known.get("language_code", "ru"),
        }
        chat = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
            "from": self._user(user_id),
            "chat": self._chat(chat),
            "date": int(time.time()),
            **content,
        }
        return self.push_raw({"message": message})

    def push_callback(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> str:
        """A user presses the button carrying `data` under a message the bot sent.

        Only data on the message's current keyboard can be pressed (forge others with
        push_raw). Returns the callback query id."""
        chat = user_id if chat_id is None else chat_id
        message = self._messages.get((chat, message_id))
        if message is None:
            sent = [mid for (c, mid) in self._messages if c == chat]
            raise LookupError(f"the bot sent no message {message_id} to chat {chat}: {sent}")
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        on_keyboard = [button.get("callback_data") for row in rows for button in row]
        if data not in on_keyboard:
            raise LookupError(f"{data!r} is not on message {message_id}: {on_keyboard}")
        self._callback_seq += 1
        query_id = str(4_000_000_000_000_000_000 + self._callback_seq)
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat) * 7919),
            "data": data,
        }
        self.push_raw({"callback_query": query})
        return query_id

    async def wait_for(
        self, predicate: Callable[[Self], object], timeout: float = 5.0  # noqa: ASYNC109
    ) -> None:
        """Polls every 10 ms until predicate(self) is true; the TimeoutError says what happened."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            if loop.time() >= deadline:
                raise TimeoutError(self._describe_wait(predicate, timeout))
            await asyncio.sleep(0.01)

    def _describe_wait(self, predicate: Callable[[Self], object], timeout: float) -> str:
        name = getattr(predicate, "__qualname__", repr(predicate))
        calls = ", ".join(f"{c.method}->{c.status}" for c in self.requests[-10:]) or "none"
        texts = [m.get("text", m.get("caption", "<media>")) for m in self.sent_messages()[-5:]]
        return (
            f"{name} still false after {timeout}s. Last calls: {calls}. "
            f"Last texts sent: {texts}. Updates not confirmed: {len(self._updates)}."
        )


def _with_caption(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    return {**content, "caption": caption} if caption else content

"""A small fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

It serves getMe, getUpdates (scripted updates, long polling), sendMessage, editMessageText,
answerCallbackQuery, sendDocument, sendPhoto, getFile (and the file download under
/file/bot<token>/), setMyCommands, deleteMyCommands, deleteWebhook and records every call, so a
test can assert on what a user would see. Faults can be injected per method: a 429 with
retry_after, a 500, a slow reply, a timeout (the call is carried out, but answered only after
the client gave up), a hang (never answered, never carried out), a 401 for a wrong token; and
for every method at once (`outage`): the Bot API down until `recover()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

BOT_ID = 999_000
BOT_USERNAME = "draaibot_test_bot"
TOKEN = "123456:TEST-TOKEN"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None
    late: bool = False  # carried out, but answered after the client's timeout: fate unknown

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int:
        return int(self.params.get("chat_id", 0))

    @property
    def markup(self) -> dict[str, Any]:
        raw = self.params.get("reply_markup")
        return json.loads(raw) if isinstance(raw, str) else (raw or {})

    def buttons(self) -> list[tuple[str, str]]:
        rows = self.markup.get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []  # successful calls (what users see)
        self.failed: list[Call] = []  # calls answered with an injected fault
        self.counts: dict[str, int] = {}  # successful calls per method
        self.group_admins: set[int] = set()  # users getChatMember reports as administrators
        self.faults: dict[str, list[tuple[str, float]]] = {}
        self.down: list[tuple[str, float]] = []  # outage: faults taken in turn, all methods
        self.spared: set[str] = {"getUpdates"}  # methods an outage leaves working
        self.hanging = 0  # requests held open for good (a Bot API that stopped answering)
        self.busy = 0  # requests being handled now (getUpdates not counted)
        self._down_turn = itertools.count()
        self._recovered = asyncio.Event()
        self._updates: list[dict[str, Any]] = []
        self.pushed: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.changed = asyncio.Event()
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and the download
        self.downloads: list[str] = []  # file paths downloaded

    # -- server ---------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=20 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        app.router.add_post("/control/texts", self._control_texts)
        app.router.add_get("/control/sent", self._control_sent)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._recovered.set()  # release hanging requests
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getUpdates":
            return await self._handle_call(request, method)
        self.busy += 1
        try:
            return await self._handle_call(request, method)
        finally:
            self.busy -= 1
            self.changed.set()

    async def _handle_call(self, request: web.Request, method: str) -> web.Response:
        params = await self._params(request)
        call = Call(method, params)
        fault = self._take_fault(method)
        if fault is not None:
            kind, value = fault
            if kind == "hang":
                self.hanging += 1
                self.changed.set()
                await self._recovered.wait()  # until the server stops (or recovers)
                return _error(500, "Internal Server Error")
            if kind == "timeout":
                call.late = True  # carried out at once; the answer comes after the client gave up
            elif kind != "slow":
                self.failed.append(Call(method, params))
            if kind in ("401", "404"):  # a wrong or revoked token
                return _error(int(kind), "Unauthorized" if kind == "401" else "Not Found")
            if kind == "429":
                return _error(
                    429, f"Too Many Requests: retry after {value:g}", {"retry_after": value}
                )
            if kind == "500":
                return _error(500, "Internal Server Error")
            if kind == "slow":
                await asyncio.sleep(value)
            if kind == "not_modified":
                return _error(400, "Bad Request: message is not modified")
            if kind == "forbidden":
                return _error(403, "Forbidden: bot was kicked from the group chat")
        if method == "getUpdates":
            return _ok(await self._api_getUpdates(params))
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_api_{method}", None)
        call.result = handler(params) if handler is not None else True
        self.calls.append(call)
        self.counts[method] = self.counts.get(method, 0) + 1
        self.changed.set()
        if call.late:
            await asyncio.sleep(fault[1] if fault else 0)
        return _ok(call.result)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        file_id = path.rsplit("/", 1)[-1]
        if request.match_info["token"] != TOKEN or file_id not in self.files:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)
        return web.Response(body=self.files[file_id])

    # -- control from another process (benchmarks run the server in a process of its own) ------

    async def _control_texts(self, request: web.Request) -> web.Response:
        for item in await request.json():
            self.text(item["text"], user=item["user"])
        return web.json_response({"ok": True})

    async def _control_sent(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        sent = [(c.chat_id, c.at) for c in self.calls[since:] if c.method == "sendMessage"]
        return web.json_response({"total": len(self.calls), "sent": sent})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data: dict[str, Any] = await request.json()
            return data
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, FileField):
                params[key] = {"filename": value.filename, "content": value.file.read()}
            else:
                params[key] = value
        for key, value in request.query.items():
            params.setdefault(key, value)
        return params

    def _take_fault(self, method: str) -> tuple[str, float] | None:
        if self.down and method not in self.spared:
            return self.down[next(self._down_turn) % len(self.down)]
        queue = self.faults.get(method)
        return queue.pop(0) if queue else None

    def inject(self, method: str, kind: str, value: float = 0, times: int = 1) -> None:
        """The next `times` calls of `method` fail: '429' (retry_after=value), '500',
        'slow' (value seconds), 'timeout' (carried out, answered after value seconds),
        'hang', '401' or '404' (a wrong token), 'not_modified' or 'forbidden'."""
        self.faults.setdefault(method, []).extend([(kind, value)] * times)

    def outage(self, *faults: tuple[str, float], spare: tuple[str, ...] = ("getUpdates",)) -> None:
        """Every call (but those of `spare`) fails with these faults in turn until recover()."""
        self.down = list(faults)
        self.spared = set(spare)
        self._recovered.clear()

    def recover(self) -> None:
        self.down = []
        self._recovered.set()

    # -- Bot API methods ------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "draaibot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:  # like Telegram: an offset confirms every update before it
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self._updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                return pending[:100]
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self._api_getMe({}),
            **extra,
        }
        if "text" in params:
            message["text"] = params["text"]
        return message

    def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = int(params.get("user_id", 0))
        user = {"id": user_id, "is_bot": False, "first_name": "Lid"}
        if user_id not in self.group_admins:
            return {"status": "member", "user": user}
        rights = [
            "can_be_edited",
            "is_anonymous",
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_promote_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
        ]
        return {"status": "administrator", "user": user, **dict.fromkeys(rights, False)}

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params)

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params)
        message["message_id"] = int(params.get("message_id", 0))
        return message

    def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files.get(file_id, b"")),
            "file_path": f"documents/{file_id}",
        }

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params.get("document", {})
        name = document.get("filename", "document") if isinstance(document, dict) else "document"
        return self._message(
            params, document={"file_id": "f1", "file_unique_id": "u1", "file_name": name}
        )

    def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        size = {"file_id": "p1", "file_unique_id": "pu1", "width": 900, "height": 450}
        return self._message(params, photo=[size])

    # -- scripting updates ----------------------------------------------------------------

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver an update again, as Telegram may after a restart."""
        self._updates.append(update)
        self._new_update.set()

    def push(self, update: dict[str, Any]) -> int:
        update = {"update_id": next(self._update_ids), **update}
        self.pushed.append(update)
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def text(
        self,
        text: str,
        user: int = 1,
        chat: int | None = None,
        first_name: str = "Anna",
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        message = self._from_user(user, chat, first_name, text=text)
        if text.startswith("/"):
            command = text.split()[0]
            entities = [
                {"type": "bot_command", "offset": 0, "length": len(command)},
                *(entities or []),
            ]
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push({"message": message})

    def mention(self, text: str, user: int, chat: int) -> int:
        """A group message that mentions the bot: '@draaibot_test_bot <text>'."""
        full = f"@{BOT_USERNAME} {text}"
        entity = {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}
        return self.text(full, user=user, chat=chat, entities=[entity])

    def _from_user(
        self, user: int, chat: int | None, first_name: str = "Anna", **content: Any
    ) -> dict[str, Any]:
        """A new message from `user` in `chat` (their private chat when None) with `content`."""
        chat_id = user if chat is None else chat
        return {
            "message_id": self.next_message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "KSO"},
            "from": {"id": user, "is_bot": False, "first_name": first_name},
            **content,
        }

    def sticker(self, user: int = 1, chat: int | None = None) -> int:
        sticker = {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self.push({"message": self._from_user(user, chat, sticker=sticker)})

    def document(
        self,
        filename: str,
        content: bytes,
        user: int = 1,
        chat: int | None = None,
        size: int | None = None,
    ) -> int:
        """A file sent to the bot; `size` overrides the file_size Telegram reports."""
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": filename,
            "file_size": len(content) if size is None else size,
        }
        return self.push({"message": self._from_user(user, chat, document=document)})

    def press(self, data: str, message: dict[str, Any], user: int = 1) -> int:
        """A button press on a message the bot sent (the call that sent it, as a dict)."""
        return self.push(
            {
                "callback_query": {
                    "id": f"q{time.monotonic_ns()}",
                    "from": {"id": user, "is_bot": False, "first_name": "Anna"},
                    "chat_instance": "ci",
                    "data": data,
                    "message": message,
                }
            }
        )

    @staticmethod
    def bot_message(call: Call) -> dict[str, Any]:
        """The message a recorded sendMessage produced, as a user's client holds it."""
        message: dict[str, Any] = dict(call.result)
        return message

    # -- waiting --------------------------------------------------------------------------

    def sent(self, method: str = "sendMessage", chat: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat is None or c.chat_id == chat)]

    async def wait_for(
        self, predicate: Callable[[FakeBotAPI], bool], timeout: float = 10.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    "timed out; calls: "
                    + ", ".join(f"{c.method}:{c.text[:40]!r}" for c in self.calls)
                )
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.2))

    async def wait_sent(
        self, n: int, method: str = "sendMessage", chat: int | None = None, timeout: float = 10.0
    ) -> list[Call]:
        await self.wait_for(lambda f: len(f.sent(method, chat)) >= n, timeout)
        return self.sent(method, chat)


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)

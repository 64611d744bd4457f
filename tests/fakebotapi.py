"""A fake Telegram Bot API server on loopback, speaking real HTTP and Telegram's JSON shapes.

The bot under test talks to it as it talks to api.telegram.org (`<root>/bot<token>/<method>`).
Tests act as users through the methods below (type text, send commands, press inline buttons) and
read what the bot sent. Faults can be injected: 429 with retry_after, 403 for blocked users, 5xx,
slow answers, and a messages-per-second limit like Telegram's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 7_000_000_001,
    "is_bot": True,
    "first_name": "hipcoach",
    "username": "hipcoach_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
JSON_PARAMS = frozenset(
    {"reply_markup", "commands", "allowed_updates", "entities", "link_preview_options"}
)


@dataclass
class SentMessage:
    """A message as the bot sent or last edited it (one entry per send or edit in the outbox)."""

    method: str
    chat_id: int
    message_id: int
    text: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    file_name: str | None = None
    file_bytes: bytes | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return self.text or self.caption or ""

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text contains `label` (case-insensitive)."""
        found = [b for b in self.buttons() if label.lower() in b["text"].lower()]
        if not found:
            labels = [b["text"] for b in self.buttons()]
            raise AssertionError(f"no button {label!r} in {labels} on {self.body[:80]!r}")
        return found[0]


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.outbox: list[SentMessage] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.chat_admins: dict[int, set[int]] = {}
        # Group participants who are not admins (the bot itself is counted apart).
        self.chat_members: dict[int, set[int]] = {}
        # Users who never pressed Start in a private chat: the bot may not message them.
        self.not_started: set[int] = set()
        self.blocked_users: set[int] = set()
        self.too_many_requests_sent = 0
        self.messages_per_second: float | None = None
        self.delays: dict[str, float] = {}
        self.polling = asyncio.Event()
        self.webhook_set = asyncio.Event()
        self._faults: list[Fault] = []
        self._sends: deque[float] = deque()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._confirmed_offset = 0
        self._closing = False
        self._runner: web.AppRunner | None = None

    # ---- server lifecycle -------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- fault injection --------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(status, "Bad Request")
        self._faults.append(Fault(method, status, description or default, retry_after, times))

    def clear_faults(self) -> None:
        """Telegram is healthy again: drop every fault still waiting to be injected."""
        self._faults.clear()

    # ---- user side --------------------------------------------------------------------------
    @staticmethod
    def user(user_id: int, first_name: str = "Alex") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    @staticmethod
    def private_chat(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    @staticmethod
    def group_chat(chat_id: int, title: str = "Back club") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": title}

    async def send_text(
        self,
        user: dict[str, Any],
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> int:
        """The user types `text` (a leading /command gets Telegram's bot_command entity)."""
        message = self._user_message(user, chat)
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if edited:
            message["edit_date"] = int(time.time())
        return await self.push_update({"edited_message" if edited else "message": message})

    async def send_sticker(
        self, user: dict[str, Any], *, chat: dict[str, Any] | None = None
    ) -> int:
        message = self._user_message(user, chat)
        message["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self.push_update({"message": message})

    async def send_photo(self, user: dict[str, Any], *, chat: dict[str, Any] | None = None) -> int:
        message = self._user_message(user, chat)
        message["photo"] = [
            {"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}
        ]
        return await self.push_update({"message": message})

    async def press(
        self,
        user: dict[str, Any],
        message: SentMessage,
        label: str | None = None,
        *,
        data: str | None = None,
    ) -> int:
        """The user taps an inline button on `message`, found by its label or callback data."""
        if data is None:
            assert label is not None, "give a button label or callback data"
            data = message.button(label)["callback_data"]
        current = self.messages.get((message.chat_id, message.message_id), message)
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": str(message.chat_id),
            "data": data,
            "message": self._message_json(current),
        }
        return await self.push_update({"callback_query": query})

    async def push_update(self, payload: dict[str, Any], update_id: int | None = None) -> int:
        """Queue a raw update; pass an old `update_id` to simulate Telegram redelivering it."""
        update_id = next(self._update_ids) if update_id is None else update_id
        async with self._changed:
            self._updates.append({"update_id": update_id, **payload})
            self._changed.notify_all()
        return update_id

    def cursor(self) -> int:
        """A position in the outbox; `wait_for_message(since=...)` looks only after it."""
        return len(self.outbox)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        since: int = 0,
        match: str | Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,
    ) -> SentMessage:
        """The first message (or edit) to `chat_id` after `since` that matches; fails on timeout."""

        def matches(message: SentMessage) -> bool:
            if message.chat_id != chat_id:
                return False
            if match is None:
                return True
            if isinstance(match, str):
                return match.lower() in message.body.lower()
            return match(message)

        def find() -> SentMessage | None:
            return next((m for m in self.outbox[since:] if matches(m)), None)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: find() is not None), timeout)
            except TimeoutError:
                recent = [m.body[:70] for m in self.outbox[since:] if m.chat_id == chat_id]
                raise AssertionError(
                    f"no message to {chat_id} matching {match!r} within {timeout}s; got {recent}"
                ) from None
        found = find()
        assert found is not None
        return found

    def sent_to(self, chat_id: int, since: int = 0) -> list[SentMessage]:
        return [m for m in self.outbox[since:] if m.chat_id == chat_id]

    async def wait_until_fetched(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed `update_id` (asked for updates after it)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(
                    lambda: (
                        all(u["update_id"] > update_id for u in self._updates)
                        and self._confirmed_offset > update_id
                    )
                ),
                timeout,
            )

    # ---- Bot API side -----------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if delay := self.delays.get(method):
            await asyncio.sleep(delay)
        if fault := self._take_fault(method):
            return self._error(fault.status, fault.description, fault.retry_after)
        if method in SEND_METHODS:
            if int(params.get("chat_id", 0)) in self.blocked_users:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if int(params.get("chat_id", 0)) in self.not_started:
                return self._error(403, "Forbidden: bot can't initiate conversation with a user")
            if self._over_rate_limit():
                self.too_many_requests_sent += 1
                return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method} is not faked")
        try:
            result = await handler(params)
        except _ApiError as error:
            return self._error(400, error.description)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = (value.filename, value.file.read())
                elif key in JSON_PARAMS:
                    params[key] = json.loads(value)
                else:
                    params[key] = value
        return params

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.remaining > 0:
                fault.remaining -= 1
                return fault
        return None

    def _over_rate_limit(self) -> bool:
        if self.messages_per_second is None:
            return False
        now = time.monotonic()
        while self._sends and now - self._sends[0] >= 1.0:
            self._sends.popleft()
        if len(self._sends) >= self.messages_per_second:
            return True
        self._sends.append(now)
        return False

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _user_message(self, user: dict[str, Any], chat: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or self.private_chat(user),
            "from": user,
        }

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return self.group_chat(chat_id)
        return {"id": chat_id, "type": "private", "first_name": "Member"}

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chat_json(message.chat_id),
            "from": BOT_USER,
        }
        if message.text is not None:
            body["text"] = message.text
        if message.caption is not None:
            body["caption"] = message.caption
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        if message.method == "sendPhoto":
            body["photo"] = [
                {
                    "file_id": f"photo-{message.message_id}",
                    "file_unique_id": "u",
                    "width": 1,
                    "height": 1,
                }
            ]
        if message.method == "sendDocument":
            body["document"] = {
                "file_id": f"doc-{message.message_id}",
                "file_unique_id": "d",
                "file_name": message.file_name,
            }
        return body

    async def _record(self, message: SentMessage) -> dict[str, Any]:
        async with self._changed:
            self.messages[(message.chat_id, message.message_id)] = message
            self.outbox.append(message)
            self._changed.notify_all()
        return self._message_json(message)

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise _ApiError("Bad Request: message to edit not found")
        return self.messages[key]

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        async with self._changed:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._confirmed_offset = max(self._confirmed_offset, offset)
                self._changed.notify_all()
            self.polling.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates) or self._closing), timeout
                )
            return sorted(self._updates, key=lambda u: u["update_id"])[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _ApiError("Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError("Bad Request: message is too long")
        return await self._record(
            SentMessage(
                "sendMessage",
                int(params["chat_id"]),
                next(self._message_ids),
                text=text,
                reply_markup=params.get("reply_markup"),
                params=params,
            )
        )

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        old = self._existing(params)
        markup = params.get("reply_markup")
        if old.text == params.get("text") and old.reply_markup == markup:
            raise _ApiError("Bad Request: message is not modified")
        return await self._record(
            SentMessage(
                "editMessageText",
                old.chat_id,
                old.message_id,
                text=str(params.get("text")),
                reply_markup=markup,
                params=params,
            )
        )

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        old = self._existing(params)
        markup = params.get("reply_markup")
        if old.reply_markup == markup:
            raise _ApiError("Bad Request: message is not modified")
        return await self._record(
            SentMessage(
                "editMessageReplyMarkup",
                old.chat_id,
                old.message_id,
                text=old.text,
                caption=old.caption,
                reply_markup=markup,
                params=params,
            )
        )

    async def _send_file(self, method: str, field_name: str, params: dict[str, Any]) -> Any:
        upload = params.get(field_name)
        if not isinstance(upload, tuple):
            raise _ApiError(f"Bad Request: {field_name} must be uploaded as a file")
        file_name, content = upload
        return await self._record(
            SentMessage(
                method,
                int(params["chat_id"]),
                next(self._message_ids),
                caption=params.get("caption"),
                reply_markup=params.get("reply_markup"),
                file_name=file_name,
                file_bytes=content,
                params=params,
            )
        )

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file("sendPhoto", "photo", params)

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file("sendDocument", "document", params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.callback_answers.append(params)
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = params.get("commands", [])
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        self.webhook_set.set()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    def join_group(self, chat_id: int, *user_ids: int) -> None:
        """These users are now in the group as ordinary (non-admin) participants."""
        self.chat_members.setdefault(chat_id, set()).update(user_ids)

    def remove_admin(self, chat_id: int, user_id: int) -> None:
        """An admin is demoted or leaves: Telegram stops listing them at once."""
        self.chat_admins.get(chat_id, set()).discard(user_id)

    async def _api_getChatMemberCount(self, params: dict[str, Any]) -> int:
        chat_id = int(params["chat_id"])
        people = self.chat_admins.get(chat_id, set()) | self.chat_members.get(chat_id, set())
        return len(people) + 1  # and the bot, which is not an admin here

    async def _api_getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = int(params["chat_id"])
        return [
            await self._api_getChatMember({"chat_id": chat_id, "user_id": user_id})
            for user_id in sorted(self.chat_admins.get(chat_id, set()))
        ]

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        user = self.user(user_id, "Member")
        if user_id in self.chat_admins.get(chat_id, set()):
            rights = (
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
            )
            member = {name: name != "is_anonymous" for name in rights}
            return {"status": "administrator", "user": user, **member}
        return {"status": "member", "user": user}


class _ApiError(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

"""A local Telegram Bot API server on loopback, speaking real HTTP and Telegram's JSON shapes.

The bot talks to it as it talks to api.telegram.org (`<root>/bot<token>/<method>`), so nothing in
the application knows it is not Telegram. People act through the user-side methods (type text,
send commands, press inline buttons); what the bot sent is in `outbox`, and `listeners` hear each
send or edit as it happens. `hipcoach playground` puts a chat page in front of it; the end-to-end
tests (`tests/fakebotapi.py`) add fault injection and waiting helpers on top.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot import clock

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
    {"reply_markup", "commands", "allowed_updates", "entities", "link_preview_options", "scope"}
)
ADMIN_RIGHTS = (
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

    def to_json(self) -> dict[str, Any]:
        """For keeping the chats between runs (uploads are stored as base64, not as params)."""
        kept = {k: v for k, v in self.params.items() if isinstance(v, str | int | float | bool)}
        return {
            "method": self.method,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "file_name": self.file_name,
            "file": None if self.file_bytes is None else base64.b64encode(self.file_bytes).decode(),
            "params": kept,
        }

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> SentMessage:
        file = saved.pop("file")
        return cls(**saved, file_bytes=None if file is None else base64.b64decode(file))

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text contains `label` (case-insensitive)."""
        found = [b for b in self.buttons() if label.lower() in b["text"].lower()]
        if not found:
            labels = [b["text"] for b in self.buttons()]
            raise AssertionError(f"no button {label!r} in {labels} on {self.body[:80]!r}")
        return found[0]


class Counter:
    """Ids counting up from 1, whose next value can be read (and saved) at any time."""

    def __init__(self) -> None:
        self.next = 1

    def __next__(self) -> int:
        value, self.next = self.next, self.next + 1
        return value


class ApiError(Exception):
    """A Bot API request Telegram would refuse with 400 and this description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class BotAPIServer:
    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.outbox: list[SentMessage] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        # The command menu per scope ("default", "all_group_chats", …), as setMyCommands set it.
        self.command_menus: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.chat_admins: dict[int, set[int]] = {}
        # Group participants who are not admins (the bot itself is counted apart).
        self.chat_members: dict[int, set[int]] = {}
        self.listeners: list[Callable[[SentMessage], None]] = []
        # Hear a button's answer that has text (Telegram shows it as a toast): chat id, text.
        self.toast_listeners: list[Callable[[int, str], None]] = []
        self._pressed_in: dict[str, int] = {}
        self.polling = asyncio.Event()
        self.webhook_set = asyncio.Event()
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = Counter()
        self._message_ids = Counter()
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._confirmed_offset = 0
        self._closing = False
        self._runner: web.AppRunner | None = None

    # ---- server lifecycle -------------------------------------------------------------------
    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        add_routes: Callable[[web.Application], None] | None = None,
    ) -> str:
        """Listen (port 0: any free port) and return the root URL; `add_routes` adds more pages."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        if add_routes is not None:
            add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        return self.url

    async def close(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    def next_ids(self) -> tuple[int, int]:
        """The next update id and message id, to carry on from after a restart."""
        return self._update_ids.next, self._message_ids.next

    def carry_on(self, update_id: int, message_id: int) -> None:
        """Number from here on: the bot drops an update whose id it has already handled."""
        self._update_ids.next = max(self._update_ids.next, update_id)
        self._message_ids.next = max(self._message_ids.next, message_id)

    def restore(self, messages: list[SentMessage]) -> None:
        """Messages a previous run sent, as they last looked: their buttons can still be pressed."""
        self.outbox = list(messages)
        self.messages = {(m.chat_id, m.message_id): m for m in messages}

    def forget(self) -> None:
        """Start over: no messages, no pending updates (ids keep counting up, as Telegram's do)."""
        self.outbox.clear()
        self.messages.clear()
        self.callback_answers.clear()
        self._updates.clear()

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
            message["edit_date"] = _timestamp()
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
        self._users[user["id"]] = user
        query_id = str(next(self._callback_ids))
        self._pressed_in[query_id] = message.chat_id
        query = {
            "id": query_id,
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

    # ---- Bot API side -----------------------------------------------------------------------
    async def _intercept(self, method: str, params: dict[str, Any]) -> web.Response | None:
        """A response to give instead of the method's own; the tests inject faults here."""
        return None

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        if (response := await self._intercept(method, params)) is not None:
            return response
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method} is not faked")
        try:
            result = await handler(params)
        except ApiError as error:
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

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _user_message(self, user: dict[str, Any], chat: dict[str, Any] | None) -> dict[str, Any]:
        chat = chat or self.private_chat(user)
        self._chats[chat["id"]] = chat
        self._users[user["id"]] = user
        return {
            "message_id": next(self._message_ids),
            "date": _timestamp(),
            "chat": chat,
            "from": user,
        }

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return self._chats[chat_id]
        if chat_id < 0:
            return self.group_chat(chat_id)
        return {"id": chat_id, "type": "private", "first_name": "Member"}

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": _timestamp(),
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
        for listener in self.listeners:
            listener(message)
        return self._message_json(message)

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError("Bad Request: message to edit not found")
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
            raise ApiError("Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError("Bad Request: message is too long")
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
            raise ApiError("Bad Request: message is not modified")
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
            raise ApiError("Bad Request: message is not modified")
        return await self._record(
            SentMessage(
                "editMessageReplyMarkup",
                old.chat_id,
                old.message_id,
                text=old.text,
                caption=old.caption,
                reply_markup=markup,
                file_name=old.file_name,
                file_bytes=old.file_bytes,
                params=old.params | {"reply_markup": markup},
            )
        )

    async def _send_file(self, method: str, field_name: str, params: dict[str, Any]) -> Any:
        upload = params.get(field_name)
        if not isinstance(upload, tuple):
            raise ApiError(f"Bad Request: {field_name} must be uploaded as a file")
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
        chat_id = self._pressed_in.pop(str(params.get("callback_query_id")), None)
        if chat_id is not None and params.get("text"):
            for listener in self.toast_listeners:
                listener(chat_id, str(params["text"]))
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = params.get("commands", [])
        scope = (params.get("scope") or {}).get("type", "default")
        self.command_menus[scope] = self.commands
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
        user = self._users.get(user_id) or self.user(user_id, "Member")
        if user_id in self.chat_admins.get(chat_id, set()):
            member = {name: name != "is_anonymous" for name in ADMIN_RIGHTS}
            return {"status": "administrator", "user": user, **member}
        return {"status": "member", "user": user}


def _timestamp() -> int:
    """Message dates follow the application's clock, so a playground jump moves them too."""
    return int(clock.now().timestamp())

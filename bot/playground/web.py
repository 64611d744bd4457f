"""The playground's chat page: who is in which chat, what was said, and live updates over SSE.

The page (`static/`) is plain HTML, CSS and JavaScript served from here, so it works offline and
needs no build step. People type and press buttons through small JSON endpoints that turn into
the Bot API updates Telegram would send; every message the bot sends or edits reaches open pages
as a server-sent event.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot import clock
from bot.playground.botapi import BotAPIServer, SentMessage

STATIC = Path(__file__).with_name("static")
KEEPALIVE_SECONDS = 15.0
MAX_TEXT = 4096


@dataclass(frozen=True)
class Persona:
    user_id: int
    name: str
    role: str  # what the page shows under the name


@dataclass(frozen=True)
class Room:
    """A chat on the page: a person's private chat with the bot, or the coach group."""

    chat_id: int
    title: str
    kind: str  # "private" or "group"
    people: tuple[Persona, ...]
    admins: tuple[int, ...] = ()


ALEX = Persona(1001, "Alex", "member")
SAM = Persona(1002, "Sam", "member")
ROBIN = Persona(2001, "Robin", "coach, group admin")
JO = Persona(2002, "Jo", "group participant, not an admin")
GROUP_CHAT_ID = -1_001_000_000_001
GROUP_TITLE = "Back club coaches"
ROOMS = (
    Room(ALEX.user_id, "Alex", "private", (ALEX,)),
    Room(SAM.user_id, "Sam", "private", (SAM,)),
    Room(GROUP_CHAT_ID, GROUP_TITLE, "group", (ROBIN, JO), admins=(ROBIN.user_id,)),
    Room(ROBIN.user_id, "Robin (coach)", "private", (ROBIN,)),
    Room(JO.user_id, "Jo", "private", (JO,)),
)


@dataclass(frozen=True)
class Controls:
    """What the page's clock and reset buttons do; the runner fills these in."""

    jump: Callable[[str, int | None], Awaitable[None]]  # "hour" | "day" | "reminder", whose
    reset: Callable[[], Awaitable[None]]
    next_reminder: Callable[[], Awaitable[str | None]]


class ChatPage:
    def __init__(self, server: BotAPIServer, controls: Controls) -> None:
        self.server = server
        self.controls = controls
        self.entries: dict[str, dict[str, Any]] = {}
        self._streams: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._typed = itertools.count(1)
        self._rooms = {room.chat_id: room for room in ROOMS}
        server.listeners.append(self._bot_sent)
        server.toast_listeners.append(self._toast)
        # The group as Telegram reports it: its admins, and everyone else as a plain participant,
        # so the bot sees a group with a non-admin in it and keeps member data out of it. Every
        # persona has pressed Start in their private chat (the local server lets the bot write to
        # each), as a coach who has set up has: dashboards and alerts reach Robin there.
        for room in ROOMS:
            if room.kind == "group":
                server.chat_admins[room.chat_id] = set(room.admins)
                others = (p.user_id for p in room.people if p.user_id not in room.admins)
                server.join_group(room.chat_id, *others)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/pg/state", self._state)
        app.router.add_get("/pg/events", self._events)
        app.router.add_get("/pg/file/{chat_id}/{message_id}", self._file)
        app.router.add_post("/pg/send", self._send)
        app.router.add_post("/pg/press", self._press)
        app.router.add_post("/pg/clock", self._clock)
        app.router.add_post("/pg/reset", self._reset)
        app.on_shutdown.append(self._close_streams)
        app.middlewares.append(_only_json_posts)

    def restore(self, entries: list[dict[str, Any]]) -> None:
        """The chats as a previous run left them."""
        self.entries = {entry["key"]: entry for entry in entries}
        # Keys of typed messages and notices are numbered; carry on after the restored ones.
        self._typed = itertools.count(len(self.entries) + 1)

    def forget(self) -> None:
        """Start over: every open page clears its chats."""
        self.entries.clear()
        self._publish({"type": "reset"})

    async def publish_clock(self) -> None:
        self._publish({"type": "clock", "clock": await self._clock_json()})

    # ---- what the page shows ----------------------------------------------------------------
    def _bot_sent(self, message: SentMessage) -> None:
        key = f"bot:{message.chat_id}:{message.message_id}"
        entry = {
            "key": key,
            "chat_id": message.chat_id,
            "from": "bot",
            "text": message.body,
            "parse_mode": message.params.get("parse_mode"),
            "buttons": (message.reply_markup or {}).get("inline_keyboard", []),
            "message_id": message.message_id,
            "edited": message.method.startswith("edit"),
            "at": clock.now().isoformat(),
        }
        if message.file_bytes is not None:
            url = f"/pg/file/{message.chat_id}/{message.message_id}"
            kind = "photo" if message.method == "sendPhoto" else "document"
            entry[kind] = {"url": url, "name": message.file_name}
        old = self.entries.get(key)
        if old is not None:
            entry["at"] = old["at"]
            for kind in ("photo", "document"):
                if kind in old and kind not in entry:
                    entry[kind] = old[kind]
        self.entries[key] = entry
        self._publish({"type": "entry", "entry": entry})

    def _toast(self, chat_id: int, text: str) -> None:
        """A button's answer: Telegram shows it over the chat; the page keeps it as a notice."""
        key = f"toast:{next(self._typed)}"
        entry = {"key": key, "chat_id": chat_id, "from": "toast", "text": text}
        self.entries[key] = entry | {"at": clock.now().isoformat()}
        self._publish({"type": "entry", "entry": self.entries[key]})

    def _user_said(self, room: Room, person: Persona, text: str) -> None:
        key = f"user:{next(self._typed)}"
        entry = {
            "key": key,
            "chat_id": room.chat_id,
            "from": person.name,
            "user_id": person.user_id,
            "text": text,
            "at": clock.now().isoformat(),
        }
        self.entries[key] = entry
        self._publish({"type": "entry", "entry": entry})

    def _publish(self, event: dict[str, Any]) -> None:
        for queue in self._streams:
            queue.put_nowait(event)

    async def _clock_json(self) -> dict[str, Any]:
        return {
            "now": clock.now().isoformat(timespec="seconds"),
            "ahead_hours": round(clock.offset().total_seconds() / 3600, 1),
            "next_reminder": await self.controls.next_reminder(),
        }

    # ---- endpoints --------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "rooms": [asdict(room) for room in ROOMS],
                "entries": list(self.entries.values()),
                "menus": self.server.command_menus,
                "clock": await self._clock_json(),
            }
        )

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._streams.add(queue)
        try:
            await response.write(b": connected\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if event is None:
                    break
                await response.write(f"data: {json.dumps(event)}\n\n".encode())
        except ConnectionResetError:  # the page was closed
            pass
        finally:
            self._streams.discard(queue)
        return response

    async def _close_streams(self, app: web.Application) -> None:
        for queue in self._streams:
            queue.put_nowait(None)

    async def _file(self, request: web.Request) -> web.Response:
        key = (int(request.match_info["chat_id"]), int(request.match_info["message_id"]))
        message = self.server.messages.get(key)
        if message is None or message.file_bytes is None:
            raise web.HTTPNotFound(text="no such file")
        name = message.file_name or "file"
        headers = {"Cache-Control": "no-store"}
        if message.method != "sendPhoto":
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        content_type = _sniff(message.file_bytes) or mimetypes.guess_type(name)[0]
        return web.Response(
            body=message.file_bytes,
            content_type=content_type or "application/octet-stream",
            headers=headers,
        )

    async def _who(self, request: web.Request) -> tuple[dict[str, Any], Room, Persona]:
        """The request's JSON body, and the chat and person it names (who must be in that chat)."""
        try:
            body = await request.json()
            room = self._rooms[int(body["chat_id"])]
            person = next(p for p in room.people if p.user_id == int(body["user_id"]))
        except (ValueError, KeyError, TypeError, StopIteration):
            raise web.HTTPBadRequest(text="name a chat and a person in it") from None
        return body, room, person

    def _chat(self, room: Room, person: Persona) -> tuple[dict[str, Any], dict[str, Any]]:
        user = self.server.user(person.user_id, person.name)
        if room.kind == "group":
            return user, self.server.group_chat(room.chat_id, room.title)
        return user, self.server.private_chat(user)

    async def _send(self, request: web.Request) -> web.Response:
        body, room, person = await self._who(request)
        text = str(body.get("text", "")).strip()
        if not text or len(text) > MAX_TEXT:
            raise web.HTTPBadRequest(text=f"type between 1 and {MAX_TEXT} characters")
        user, chat = self._chat(room, person)
        self._user_said(room, person, text)
        await self.server.send_text(user, text, chat=chat)
        return web.json_response({"ok": True})

    async def _press(self, request: web.Request) -> web.Response:
        body, room, person = await self._who(request)
        message = self.server.messages.get((room.chat_id, int(body.get("message_id", 0))))
        data = body.get("data")
        if message is None or data not in {b.get("callback_data") for b in message.buttons()}:
            raise web.HTTPBadRequest(text="that button is not on that message")
        user, _ = self._chat(room, person)
        await self.server.press(user, message, data=data)
        return web.json_response({"ok": True})

    async def _clock(self, request: web.Request) -> web.Response:
        body = await request.json()
        jump = body.get("jump")
        if jump not in ("hour", "day", "reminder"):
            raise web.HTTPBadRequest(text="jump by 'hour', 'day' or to the next 'reminder'")
        room = self._rooms.get(body.get("chat_id"))
        # From a person's own chat, "next reminder" means theirs.
        whose = room.people[0].user_id if room is not None and room.kind == "private" else None
        await self.controls.jump(jump, whose)
        await self.publish_clock()
        return web.json_response(await self._clock_json())

    async def _reset(self, request: web.Request) -> web.Response:
        await self.controls.reset()
        await self.publish_clock()
        return web.json_response({"ok": True})


@web.middleware
async def _only_json_posts(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Another web site open in the same browser can post a form here, but not JSON (the browser
    asks first, and this server never says yes): so it cannot type, reset or move the clock."""
    if (
        request.method == "POST"
        and request.path.startswith("/pg/")
        and request.content_type != "application/json"
    ):
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    return await handler(request)


def _sniff(content: bytes) -> str | None:
    """The image type of an upload, which PTB sends without a useful file name."""
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return None

"""The tests' Bot API: the product's local server (`bot.playground.botapi`) plus test-only powers.

The server itself (Telegram's methods and JSON, users typing and pressing buttons) lives in the
product, because `hipcoach playground` runs on it too; tests import it from here as `FakeBotAPI`.
This subclass adds what only tests need: faults (429 with retry_after, 403 for blocked users,
5xx), slow answers (per method, or a latency on every call), a messages-per-second limit like
Telegram's, a log of every call, and waiting for the bot's messages. Several bot processes can
share one fake: `url_for(name)` is a base URL that tags that process's calls, and two long polls
at once get Telegram's 409 and are counted. A Bot API method only tests need may be added here
as `_api_<method>`.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.playground.botapi import BOT_USER, SEND_METHODS, ApiError, BotAPIServer, SentMessage

__all__ = ["BOT_USER", "FakeBotAPI", "SentMessage"]

# The name this module used before the server moved; an `_api_<method>` written here raises it.
_ApiError = ApiError

CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# Which process made the call being answered (`url_for`); "" for the untagged URL.
_caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="")


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int


class FakeBotAPI(BotAPIServer):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.blocked_users: set[int] = set()
        # Users who never pressed Start in a private chat: the bot may not message them.
        self.not_started: set[int] = set()
        self.too_many_requests_sent = 0
        self.messages_per_second: float | None = None
        self.delays: dict[str, float] = {}
        # Seconds added to every call, whatever the method: a network round trip to Telegram.
        self.latency = 0.0
        self._faults: list[Fault] = []
        self._sends: deque[float] = deque()
        # Who asked for updates, call by call (the `url_for` name), and how many long polls
        # arrived while another was still open (Telegram answers those 409).
        self.pollers: list[str] = []
        # (`url_for` name, method) of every call, in order.
        self.calls_by: list[tuple[str, str]] = []
        self.overlapping_polls = 0
        self._open_polls: list[web.Request] = []

    # ---- several processes ------------------------------------------------------------------
    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        add_routes: Callable[[web.Application], None] | None = None,
    ) -> str:
        def routes(app: web.Application) -> None:
            app.router.add_route("*", "/{caller:p-[a-z0-9]+}/bot{token}/{method}", self._dispatch)
            if add_routes is not None:
                add_routes(app)

        return await super().start(host, port, add_routes=routes)

    def url_for(self, name: str) -> str:
        """A TELEGRAM_API_URL for one bot process: its calls are told apart by `name`."""
        return f"{self.url}/p-{name}"

    @staticmethod
    def caller() -> str:
        """The `url_for` name of the process whose call is being answered."""
        return _caller.get()

    async def _dispatch(self, request: web.Request) -> web.Response:
        _caller.set(request.match_info.get("caller", "").removeprefix("p-"))
        self.calls_by.append((self.caller(), request.match_info["method"]))
        if request.match_info["method"] != "getUpdates":
            return await super()._dispatch(request)
        self.pollers.append(self.caller())
        # A poll whose process died has lost its connection: it no longer counts as open.
        if any(_connected(other) for other in self._open_polls):
            self.overlapping_polls += 1
            return self._error(409, CONFLICT)
        self._open_polls.append(request)
        try:
            return await super()._dispatch(request)
        finally:
            self._open_polls.remove(request)

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

    async def _intercept(self, method: str, params: dict[str, Any]) -> web.Response | None:
        self.calls.append((method, params))
        if delay := self.latency + self.delays.get(method, 0.0):
            await asyncio.sleep(delay)
        if fault := self._take_fault(method):
            return self._error(fault.status, fault.description, fault.retry_after)
        if method in SEND_METHODS or method == "sendChatAction":  # as Telegram: 403 for both
            if int(params.get("chat_id", 0)) in self.blocked_users:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if int(params.get("chat_id", 0)) in self.not_started:
                return self._error(403, "Forbidden: bot can't initiate conversation with a user")
        if method in SEND_METHODS and self._over_rate_limit():
            self.too_many_requests_sent += 1
            return self._error(429, "Too Many Requests: retry after 1", retry_after=1)
        return None

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

    # ---- reading what the bot sent ----------------------------------------------------------
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


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()

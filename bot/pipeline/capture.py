"""What a handler sends is written to the outbox in the update's transaction, not sent.

The pipeline opens one session per update and sets it as the current `UpdateUnit`; every Bot
API call that sends or edits a message, made while it is set, becomes an outbox row in that
session (`PipelineBot._do_post`, the one method every PTB call goes through). So the handler's
writes, the inbox row's "handled" mark and its replies commit together or not at all, and the
replies leave only after the commit (`bot/pipeline/sending.py`). Calls that read (chat members,
invite links) go to Telegram at once. Handlers never use what a send returns, so the queued call
answers with a placeholder message (id 0) that nothing reads.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput

from bot import clock
from bot.pipeline import outbox
from bot.signed_bot import SigningBot

# Calls that send or change a message (or answer a press): queued while an update is handled.
QUEUED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
        "answerCallbackQuery",
        "sendChatAction",
    }
)


@dataclass
class UpdateUnit:
    """One update being handled: its session, and what went wrong if a handler raised."""

    session: AsyncSession
    update_id: int | None
    chat_key: int
    chats: set[int] = field(default_factory=set)  # the chats it queued calls for
    error: BaseException | None = None


current_unit: contextvars.ContextVar[UpdateUnit | None] = contextvars.ContextVar(
    "current_unit", default=None
)
_live: contextvars.ContextVar[bool] = contextvars.ContextVar("live", default=False)
_anew: contextvars.ContextVar[bool] = contextvars.ContextVar("anew", default=False)


@contextlib.contextmanager
def live_calls() -> Iterator[None]:
    """Calls made inside go to Telegram at once, even while an update is handled: for the rare
    answer a handler needs before it can decide (can this admin be written to privately?)."""
    token = _live.set(True)
    try:
        yield
    finally:
        _live.reset(token)


@contextlib.contextmanager
def or_sent_anew() -> Iterator[None]:
    """A message edit queued inside is sent as a new message if Telegram refuses to edit the
    old one (the member deleted it, say): for an edit that asks the member's next question or
    tells them what became of their answer. The handler cannot catch that refusal itself; the
    edit is made after its transaction commits."""
    token = _anew.set(True)
    try:
        yield
    finally:
        _anew.reset(token)


def unit_session() -> AsyncSession:
    """The session of the update being handled; a bug to ask for outside one."""
    unit = current_unit.get()
    if unit is None:
        raise RuntimeError("no update is being handled in this task")
    return unit.session


class PipelineBot(SigningBot):
    """The application's bot: signed buttons, and sends queued in the update's transaction."""

    __slots__ = ()

    async def _do_post(
        self,
        endpoint: str,
        data: dict[str, Any],
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> Any:
        unit = current_unit.get()
        if unit is None or endpoint not in QUEUED or _live.get():
            return await super()._do_post(
                endpoint,
                data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        call = outbox.queued_call(endpoint, data, unit.update_id, unit.chat_key)
        call.sent_anew_if_uneditable = endpoint == "editMessageText" and _anew.get()
        unit.session.add(call)
        unit.chats.add(call.chat_key)
        return _placeholder(endpoint, data)

    async def deliver(self, method: str, data: dict[str, Any]) -> Any:
        """Make a queued call now (the outbox sender), through the rate budget."""
        return await super()._do_post(method, data)

    async def fetch_updates(
        self, offset: int | None, long_poll_seconds: float, allowed_updates: list[str]
    ) -> list[dict[str, Any]]:
        """getUpdates as Telegram's JSON, which the inbox stores as it came (PTB's
        `get_updates` returns objects with button data already checked)."""
        data: dict[str, Any] = {"timeout": long_poll_seconds, "allowed_updates": allowed_updates}
        if offset is not None:
            data["offset"] = offset
        result = await self._post("getUpdates", data, read_timeout=long_poll_seconds + 10)
        return list(result)


def _placeholder(endpoint: str, data: dict[str, Any]) -> Any:
    chat_id = data.get("chat_id")
    if endpoint in {"answerCallbackQuery", "deleteMessage", "sendChatAction"} or chat_id is None:
        return True
    chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"
    return {
        "message_id": 0,
        "date": int(clock.now().timestamp()),
        "chat": {"id": chat_id, "type": chat_type},
    }

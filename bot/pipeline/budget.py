"""One rate budget for every message the process sends, as PTB's rate limiter hook.

PTB routes every Bot API call through `ExtBot.rate_limiter`; this one takes each message's turn
from the shared `SendPacer`, so replies (the outbox), reminders (the dispatcher takes turns from
the same pacer), alerts, check-ins and dashboards never add up to more than the limit. Calls
that are not messages (answering a button press, "typing…", reading chat members) are not
counted. A 429 holds every sender for the `retry_after` Telegram asked for, then the call is
tried again. Only the leader process sends (`bot/pipeline/leadership.py`), so the budget is
the whole bot's, however many processes run.
"""

from __future__ import annotations

import contextvars
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.scheduling.pacing import Priority, SendPacer

log = logging.getLogger(__name__)

TELEGRAM_MESSAGES_PER_SECOND = 30
# The pace is 96% of the limit: turns are evenly spaced, but requests reach Telegram with the
# network's and the event loop's jitter, so at the limit some one-second windows get one too
# many, and each 429 holds every send for a second. bench/replies.py on a loaded machine: at
# 100% 95 answers of 429 and 16.1 messages/s; at 98% 9 and 26.8/s; at 96% 2 and 27.6/s.
PACE_SHARE = 0.96
# Calls Telegram does not count as messages sent to a chat.
UNMETERED = frozenset(
    {
        "answerCallbackQuery",
        "sendChatAction",
        "getChatMember",
        "getChatAdministrators",
        "getChatMemberCount",
        "getChat",
        "getMe",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "createChatInviteLink",
        "getFile",
    }
)
# Edits change a message already in the chat: counted overall, not against the chat's second.
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup", "deleteMessage"})
FLOOD_RETRIES = 3

# Who is sending: the outbox sender marks its calls as replies; anything else is background.
sending_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "sending_priority", default=Priority.BACKGROUND
)

Call = Callable[..., Coroutine[Any, Any, Any]]


class SharedBudget(BaseRateLimiter[None]):
    """Every message's turn from one pacer; a 429 holds them all."""

    def __init__(self, pacer: SendPacer | None = None) -> None:
        self.pacer = pacer or SendPacer(TELEGRAM_MESSAGES_PER_SECOND * PACE_SHARE)

    async def initialize(self) -> None:
        """Nothing to open: the pacer lives in memory."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Call,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        if endpoint in UNMETERED:
            return await callback(*args, **kwargs)
        chat_id = None if endpoint in EDITS else _chat_id(data.get("chat_id"))
        for attempt in range(FLOOD_RETRIES + 1):
            await self.pacer.wait_turn(chat_id, sending_priority.get())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                if attempt == FLOOD_RETRIES:
                    raise
                self.pacer.hold(retry_after_seconds(flood))
                log.warning("Telegram asked to slow down: %s", flood)
        raise AssertionError("unreachable")


def _chat_id(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None  # a channel's @username: counted overall only


def retry_after_seconds(flood: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that `retry_after` becomes a timedelta; accept either.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)

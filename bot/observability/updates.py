"""Updates counted and timed in one place: PTB's `process_update`, which runs every handler group.

Failures are counted by an error handler. PTB awaits error handlers inside `process_update` for
blocking handlers, so the failure is seen before the update is counted as handled; a handler with
`block=False` (e.g. chart rendering) is timed only up to its start.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.observability.logs import CURRENT_UPDATE
from bot.observability.metrics import (
    HEARTBEAT,
    UPDATE_SECONDS,
    UPDATES_FAILED,
    UPDATES_HANDLED,
    UPDATES_RECEIVED,
)

# Set by the error handler for the update being processed in this task.
_failed: ContextVar[list[bool] | None] = ContextVar("hipcoach_update_failed", default=None)


def update_type(update: object) -> str:
    """`message`, `callback_query`, `my_chat_member`…: the update's one payload field."""
    if isinstance(update, Update):
        for name in Update.ALL_TYPES:
            if getattr(update, name, None) is not None:
                return name
    return "other"


class ObservedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, counting and timing each update it processes."""

    async def process_update(self, update: object) -> None:
        kind = update_type(update)
        UPDATES_RECEIVED.labels(kind).inc()
        HEARTBEAT.received()
        failed: list[bool] = []
        failed_token = _failed.set(failed)
        update_token = CURRENT_UPDATE.set(_ids(update))
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            UPDATE_SECONDS.labels(kind).observe(time.perf_counter() - started)
            CURRENT_UPDATE.reset(update_token)
            _failed.reset(failed_token)
            if not failed:
                UPDATES_HANDLED.labels(kind).inc()


def _ids(update: object) -> tuple[int, int | None] | None:
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    return update.update_id, chat.id if chat is not None else None


async def count_failed_update(update: object, context: Any) -> None:
    """An error handler beside the one that answers the member: it only counts."""
    UPDATES_FAILED.labels(update_type(update)).inc()
    failed = _failed.get()
    if failed is not None:
        failed.append(True)

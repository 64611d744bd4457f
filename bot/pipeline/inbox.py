"""The inbox table: every update stored before Telegram is told, then taken one chat at a time.

A chat's updates are handled strictly in update_id order, one at a time, across every process:
a worker takes only a chat's oldest unhandled update, and on PostgreSQL holds a transaction-level
advisory lock on the chat while the handler runs (released by the commit or by the connection
dying with its process). SQLite runs one process (`bot/pipeline/leadership.py`), whose workers
never take a chat twice at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_for
from bot.db.models import InboxUpdate

# Namespace of the per-chat advisory locks (the leader's lock uses another).
CHAT_LOCK_NAMESPACE = 14_001
# A handler that raises is tried this many times in all, after these pauses, then given up.
RETRY_DELAYS = (timedelta(seconds=1), timedelta(seconds=4))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


FORGOTTEN = "{}"


@dataclass(frozen=True)
class Received:
    """One update as Telegram sent it, with the keys the inbox orders and deletes it by."""

    update_id: int
    chat_key: int
    user_id: int | None
    payload: dict[str, Any]


async def store(session: AsyncSession, updates: Sequence[Received]) -> int:
    """Insert what is new; a redelivered update_id changes nothing. Returns how many were new."""
    if not updates:
        return 0
    rows = [
        {
            "update_id": item.update_id,
            "chat_key": item.chat_key,
            "user_id": item.user_id,
            "payload": json.dumps(item.payload, ensure_ascii=False),
            "state": "pending",
            "attempts": 0,
        }
        for item in updates
    ]
    statement = insert_for(session)(InboxUpdate).values(rows).on_conflict_do_nothing()
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount


async def waiting(
    session: AsyncSession, now: datetime, busy: set[int], limit: int
) -> list[tuple[int, int]]:
    """(update_id, chat_key) of chats' oldest unhandled updates that may be handled now, oldest
    first, leaving out chats this process is already handling."""
    oldest = (
        select(InboxUpdate.chat_key, func.min(InboxUpdate.update_id).label("first"))
        .where(InboxUpdate.state == "pending")
        .group_by(InboxUpdate.chat_key)
        .subquery()
    )
    statement = (
        select(oldest.c.first, oldest.c.chat_key)
        .join(InboxUpdate, InboxUpdate.update_id == oldest.c.first)
        .where(InboxUpdate.not_before <= now)
        .order_by(oldest.c.first)
        .limit(limit + len(busy))
    )
    found = (await session.execute(statement)).all()
    return [(update_id, chat) for update_id, chat in found if chat not in busy][:limit]


async def take(session: AsyncSession, update_id: int, chat_key: int) -> InboxUpdate | None:
    """The update, locked for this transaction, if it is still its chat's oldest unhandled one
    and no other process is handling that chat; None means leave it."""
    if session.bind.dialect.name == "postgresql":
        locked = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:namespace, hashtext(:chat))"),
            {"namespace": CHAT_LOCK_NAMESPACE, "chat": str(chat_key)},
        )
        if not locked:
            return None
    row = await session.scalar(
        select(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.state == "pending")
        .with_for_update()
    )
    if row is None:
        return None
    first = await session.scalar(
        select(func.min(InboxUpdate.update_id)).where(
            InboxUpdate.chat_key == chat_key, InboxUpdate.state == "pending"
        )
    )
    return row if first == update_id else None


def mark_handled(row: InboxUpdate, now: datetime) -> None:
    """Handled: what the member wrote is forgotten (their answers are stored where they belong,
    and a symptom they typed never is); the id stays, so a redelivery is still recognised."""
    row.state, row.handled_at, row.payload = "handled", now, FORGOTTEN


async def record_failure(session: AsyncSession, update_id: int, error: str, now: datetime) -> bool:
    """One more failed attempt; True when that was the last (the update is marked failed)."""
    row = await session.get(InboxUpdate, update_id, with_for_update=True)
    if row is None or row.state != "pending":
        return False
    row.attempts += 1
    row.error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.state, row.handled_at = "failed", now  # the payload goes once the member is told
        return True
    row.not_before = now + RETRY_DELAYS[row.attempts - 1]
    return False

"""Exactly-once handling of Telegram updates, which Telegram may deliver more than once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_for
from bot.db.models import ProcessedUpdate

KEEP_PROCESSED_UPDATES = timedelta(days=7)


async def claim_update(session: AsyncSession, update_id: int, user_id: int | None) -> bool:
    """Record the update id; False when it was already recorded (a redelivery to ignore)."""
    values = {"update_id": update_id, "user_id": user_id}
    statement = insert_for(session)(ProcessedUpdate).values(values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return result.rowcount == 1


async def forget_old_updates(session: AsyncSession, now: datetime) -> int:
    """Telegram never redelivers after a day; a week of ids is plenty and keeps the table small."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP_PROCESSED_UPDATES)
    )
    return result.rowcount

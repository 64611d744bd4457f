"""Redelivered Telegram updates are recognised by id and ignored (kept as `services/retention`
says)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_for
from bot.db.models import ProcessedUpdate


async def claim_update(session: AsyncSession, update_id: int, user_id: int | None) -> bool:
    """Record the update id; False when it was already recorded (a redelivery to ignore)."""
    values = {"update_id": update_id, "user_id": user_id}
    statement = insert_for(session)(ProcessedUpdate).values(values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return result.rowcount == 1

"""Whether Telegram can reach a member: none of the bot's messages go to one who blocked it.

Looked at for every private update (blocking the bot, or writing again), so each function is one
small statement that changes nothing in the usual case: the member is reachable and stays so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member
from bot.services.reminders.schedule import reschedule

_members = Member.__table__


async def mark_reachable_again(session: AsyncSession, telegram_user_id: int, now: datetime) -> bool:
    """A member Telegram had refused wrote again: remind them again from now on."""
    member = await session.scalar(
        select(Member).where(
            Member.telegram_user_id == telegram_user_id, Member.is_reachable.is_(False)
        )
    )
    if member is None:
        return False
    member.is_reachable = True
    reschedule(member, now)
    return True


async def mark_unreachable(session: AsyncSession, telegram_user_id: int) -> bool:
    """The member blocked the bot (Telegram says so before a send fails): no more reminders."""
    result = await session.execute(
        update(_members)
        .where(_members.c.telegram_user_id == telegram_user_id, _members.c.is_reachable.is_(True))
        .values(is_reachable=False, next_reminder_at=None)
    )
    return result.rowcount == 1

"""A session left open closes when the member's day ends, not when they next open /today.

Otherwise yesterday's half session stays `in_progress`: invisible to adherence, its pain never
feeding the pause rule, and a cause of false missed-day alerts. The day-close job finds open
sessions of days that may have ended (an indexed `status, local_date` range, so the cost is
that of the open sessions, not of all history), keeps those whose day has ended in the member's
own zone, and closes each in its own short transaction, exactly as a stopped session: what was
done counts, the rest is recorded as not done, and the coaching core's `finish_session` decides.
Run at start-up too, so a restart after downtime closes what it missed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, TrainingSession
from bot.services.members import Flow, find_member, today_for
from bot.services.questions import SessionStatus
from bot.services.sessions import close_earlier_sessions
from bot.timekeeping import local_date

# A member's day differs from the UTC day by at most this (UTC+14 to UTC-12).
LARGEST_OFFSET = timedelta(hours=14)


async def members_with_ended_days(
    session: AsyncSession, now: datetime, default_zone: str
) -> list[int]:
    """Telegram user ids of members with a session still open on a day that has ended."""
    latest_possible_today = (now.astimezone(UTC) + LARGEST_OFFSET).date()
    result = await session.execute(
        select(Member.telegram_user_id, Member.timezone, TrainingSession.local_date)
        .join(Member, Member.id == TrainingSession.member_id)
        .where(
            TrainingSession.status == SessionStatus.IN_PROGRESS.value,
            TrainingSession.local_date < latest_possible_today,
        )
    )
    return sorted(
        {
            user_id
            for user_id, zone, day in result
            if day < local_date(now, ZoneInfo(zone or default_zone))
        }
    )


async def close_ended_day(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> None:
    """Close the member's sessions of ended days (the member row is locked, as answers lock it,
    so an answer arriving at the same moment waits and then finds the session closed)."""
    member = await find_member(session, user_id)
    if member is not None:
        await close_earlier_sessions(
            session, flow, member, today_for(member, now, flow.default_zone), now
        )

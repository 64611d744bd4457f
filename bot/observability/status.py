"""Backlog numbers read from the database, shared by `hipcoach check` and /metrics.

Plain counting queries over indexed columns, so a scrape or a check stays cheap at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Alert, Member, Reminder
from bot.services.reminders.status import ReminderStatus

# A reminder still unsent this long after its time means no bot is sending (ticks run every 30 s;
# a 10,000-member fan-out at Telegram's rate takes about 6 minutes).
OVERDUE_AFTER = timedelta(minutes=15)
# Alert delivery runs every minute; an alert older than this is not going out.
ALERT_STUCK_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Backlog:
    members_by_status: dict[str, int]
    reminders_due: int
    reminders_overdue: int
    alerts_unsent: int
    alerts_sent: int
    oldest_unsent_alert: datetime | None


async def read_backlog(connection: AsyncConnection, now: datetime) -> Backlog:
    """Members by status, reminders due now (and overdue), and alerts not yet delivered."""
    counted = select(Member.status, func.count()).group_by(Member.status)
    by_status = dict((await connection.execute(counted)).tuples().all())
    due = await _due_reminders(connection, now)
    overdue = await _due_reminders(connection, now - OVERDUE_AFTER)
    unsent, oldest = (
        await connection.execute(
            select(func.count(), func.min(Alert.created_at)).where(Alert.sent_at.is_(None))
        )
    ).one()
    sent = await connection.scalar(
        select(func.count()).select_from(Alert).where(Alert.sent_at.is_not(None))
    )
    return Backlog(
        members_by_status=dict(sorted(by_status.items())),
        reminders_due=due,
        reminders_overdue=overdue,
        alerts_unsent=unsent,
        alerts_sent=int(sent or 0),
        oldest_unsent_alert=oldest,
    )


async def _due_reminders(connection: AsyncConnection, due_by: datetime) -> int:
    """Reminders whose time came by `due_by` and that are not sent: members whose next reminder
    has come (not claimed yet), and reminder rows waiting or claimed."""
    members = await connection.scalar(
        select(func.count()).select_from(Member).where(Member.next_reminder_at <= due_by)
    )
    rows = await connection.scalar(
        select(func.count())
        .select_from(Reminder)
        .where(
            or_(
                Reminder.status == ReminderStatus.PENDING, Reminder.status == ReminderStatus.CLAIMED
            ),
            Reminder.due_at <= due_by,
        )
    )
    return int(members or 0) + int(rows or 0)

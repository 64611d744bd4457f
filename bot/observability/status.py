"""Backlog numbers read from the database, shared by `hipcoach check` and /metrics.

Plain counting queries over indexed columns, so a scrape or a check stays cheap at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Alert, InboxUpdate, Member, OutboxMessage, Reminder
from bot.services.reminders.status import ReminderStatus

# A reminder still unsent this long after its time means no bot is sending (ticks run every 30 s;
# a 10,000-member fan-out at Telegram's rate takes about 6 minutes).
OVERDUE_AFTER = timedelta(minutes=15)
# Alert delivery runs every minute; an alert older than this is not going out.
ALERT_STUCK_AFTER = timedelta(minutes=30)
# Updates are handled within a second or two, and replies sent as soon as the budget allows; one
# still waiting after this means no process is handling or sending.
PIPELINE_STUCK_AFTER = timedelta(minutes=5)


_INBOX = cast(Table, InboxUpdate.__table__)
_OUTBOX = cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True)
class Backlog:
    members_by_status: dict[str, int]
    reminders_due: int
    reminders_overdue: int
    alerts_unsent: int
    alerts_sent: int
    oldest_unsent_alert: datetime | None
    updates_waiting: int
    updates_failed: int
    oldest_waiting_update: datetime | None
    replies_waiting: int
    replies_failed: int
    oldest_waiting_reply: datetime | None


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
    updates_waiting, oldest_update = await _waiting(connection, _INBOX, "received_at")
    replies_waiting, oldest_reply = await _waiting(connection, _OUTBOX, "created_at")
    return Backlog(
        members_by_status=dict(sorted(by_status.items())),
        reminders_due=due,
        reminders_overdue=overdue,
        alerts_unsent=unsent,
        alerts_sent=int(sent or 0),
        oldest_unsent_alert=oldest,
        updates_waiting=updates_waiting,
        updates_failed=await _failed(connection, _INBOX),
        oldest_waiting_update=oldest_update,
        replies_waiting=replies_waiting,
        replies_failed=await _failed(connection, _OUTBOX),
        oldest_waiting_reply=oldest_reply,
    )


async def _waiting(
    connection: AsyncConnection, table: Table, since: str
) -> tuple[int, datetime | None]:
    """Inbox updates not yet handled, or outbox calls not yet sent, and the oldest one's time."""
    count, oldest = (
        await connection.execute(
            select(func.count(), func.min(table.c[since])).where(table.c.state == "pending")
        )
    ).one()
    return int(count), oldest


async def _failed(connection: AsyncConnection, table: Table) -> int:
    """Given up (kept until retention): updates whose handler kept failing, calls Telegram
    refused."""
    count = await connection.scalar(
        select(func.count()).select_from(table).where(table.c.state == "failed")
    )
    return int(count or 0)


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

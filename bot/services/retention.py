"""What is deleted when, so the database holds only what the bot still needs.

Kept until the member's /delete: their programme, sessions, exercise results and coaching
decisions, which are their history (progress, /why, the coach's view of their course).
Deleted by the daily retention job once older than the settings say (defaults in README):

- reminders (one row per member per day): only closed ones, by when they were due;
- sent coach alerts, by when they were sent (unsent ones wait for delivery or are dropped when
  the member stops sharing);
- handled updates in the inbox and sent calls in the outbox (they hold members' words and the
  bot's replies), by when they arrived or were queued; unhandled and unsent ones stay.

Each batch is its own short transaction of at most BATCH_ROWS rows (found through an index), so
no lock is held long and a restart mid-way simply carries on next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Alert, InboxUpdate, OutboxMessage, Reminder
from bot.services.reminders.status import ReminderStatus

BATCH_ROWS = 500
KINDS = ("reminders", "alerts", "update_ids", "outbox")
# Reminders still in flight are never pruned, however old.
_OPEN = (ReminderStatus.PENDING, ReminderStatus.CLAIMED)


@dataclass(frozen=True)
class Retention:
    reminders: timedelta
    sent_alerts: timedelta
    update_ids: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            reminders=timedelta(days=settings.retain_reminders_days),
            sent_alerts=timedelta(days=settings.retain_alerts_days),
            update_ids=timedelta(days=settings.retain_update_ids_days),
        )


def _old_reminders(now: datetime, keep: timedelta) -> Select[tuple[int]]:
    closed = [status.value for status in ReminderStatus if status not in _OPEN]
    return select(Reminder.id).where(Reminder.status.in_(closed), Reminder.due_at < now - keep)


def _old_alerts(now: datetime, keep: timedelta) -> Select[tuple[int]]:
    return select(Alert.id).where(Alert.sent_at < now - keep)


def _old_updates(now: datetime, keep: timedelta) -> Select[tuple[int]]:
    return select(InboxUpdate.update_id).where(
        InboxUpdate.state != "pending", InboxUpdate.received_at < now - keep
    )


def _old_calls(now: datetime, keep: timedelta) -> Select[tuple[int]]:
    return select(OutboxMessage.id).where(
        OutboxMessage.state != "pending", OutboxMessage.created_at < now - keep
    )


async def delete_batch(
    session: AsyncSession, what: str, retention: Retention, now: datetime
) -> int:
    """Delete up to BATCH_ROWS expired rows of one kind (one of `KINDS`)."""
    if what == "reminders":
        key, ids = Reminder.id, _old_reminders(now, retention.reminders)
    elif what == "alerts":
        key, ids = Alert.id, _old_alerts(now, retention.sent_alerts)
    elif what == "update_ids":
        key, ids = InboxUpdate.update_id, _old_updates(now, retention.update_ids)
    else:
        key, ids = OutboxMessage.id, _old_calls(now, retention.update_ids)
    batch = list(await session.scalars(ids.limit(BATCH_ROWS)))
    if batch:
        await session.execute(delete(key.class_).where(key.in_(batch)))
    return len(batch)

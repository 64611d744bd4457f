"""Recording how sending went: a batch of send results written in a few statements.

The dispatcher sends the claimed messages with no transaction open and hands the results here
every half second. A module of its own because it is the fan-out's busy write path (one statement
per kind of result, each covering many rows) and the one place that decides what a send result
does to a reminder and its member.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, case, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, Reminder, UtcDateTime
from bot.services.reminders.claims import DueMessage, MessageKind
from bot.services.reminders.schedule import NUDGE_AFTER
from bot.services.reminders.status import ReminderStatus


class DeliveryResult(StrEnum):
    SENT = "sent"
    RETRY_LATER = "retry_later"
    UNREACHABLE = "unreachable"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Delivery:
    message: DueMessage
    result: DeliveryResult
    at: datetime
    message_id: int | None = None


_reminders = Reminder.__table__
_members = Member.__table__
_AT = bindparam("at", type_=UtcDateTime())


async def record_deliveries(session: AsyncSession, deliveries: Iterable[Delivery]) -> None:
    """Write a batch of send results, a few statements each covering many rows.

    Only a row still `claimed` becomes `sent`: a member who pressed Snooze in the moment between
    the send and this write keeps their snooze.
    """
    groups: dict[tuple[MessageKind, DeliveryResult], list[dict[str, Any]]] = {}
    unreachable: set[int] = set()
    for delivery in deliveries:
        message = delivery.message
        params = {"rid": message.reminder_id, "at": delivery.at}
        if delivery.result is DeliveryResult.SENT and message.kind is MessageKind.REMINDER:
            params |= {"mid": delivery.message_id, "nudge_at": delivery.at + NUDGE_AFTER}
        groups.setdefault((message.kind, delivery.result), []).append(params)
        if delivery.result is DeliveryResult.UNREACHABLE:
            unreachable.add(message.member_id)
    for (kind, result), params in groups.items():
        await session.execute(_DELIVERY_STATEMENTS[kind][result], params)
    if unreachable:
        await session.execute(
            update(_members)
            .where(_members.c.id.in_(unreachable))
            .values(is_reachable=False, next_reminder_at=None)
        )


def _reminder_update(*, only_claimed: bool = True, **values: Any) -> Any:
    condition = _reminders.c.id == bindparam("rid")
    if only_claimed:
        condition = condition & (_reminders.c.status == ReminderStatus.CLAIMED)
    return update(_reminders).where(condition).values(**values)


_DELIVERY_STATEMENTS: dict[MessageKind, dict[DeliveryResult, Any]] = {
    MessageKind.REMINDER: {
        DeliveryResult.SENT: _reminder_update(
            status=ReminderStatus.SENT,
            sent_at=_AT,
            message_id=bindparam("mid"),
            # One nudge a day: a snoozed reminder sent again is not nudged a second time.
            nudge_due_at=case(
                (_reminders.c.nudged_at.is_(None), bindparam("nudge_at", type_=UtcDateTime())),
                else_=None,
            ),
        ),
        DeliveryResult.RETRY_LATER: _reminder_update(
            status=ReminderStatus.PENDING, claimed_at=None
        ),
        DeliveryResult.UNREACHABLE: _reminder_update(status=ReminderStatus.UNDELIVERABLE),
        DeliveryResult.REJECTED: _reminder_update(status=ReminderStatus.FAILED),
    },
    MessageKind.NUDGE: {
        DeliveryResult.SENT: _reminder_update(only_claimed=False, nudge_due_at=None, nudged_at=_AT),
        DeliveryResult.RETRY_LATER: _reminder_update(only_claimed=False, nudged_at=None),
        DeliveryResult.UNREACHABLE: _reminder_update(only_claimed=False, nudge_due_at=None),
        DeliveryResult.REJECTED: _reminder_update(only_claimed=False, nudge_due_at=None),
    },
}

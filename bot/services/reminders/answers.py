"""The member's answers to a reminder: Snooze, Skip today, and the next-morning check-in.

Each answer locks the reminder and its member (`_own_open_reminder`) and changes only a reminder
that is still today's and open, because the button may be days old or pressed twice, and the
fan-out may be recording the same reminder's delivery at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Checkin as CheckinAnswer
from bot.coaching import ProgrammeState, Status, record_checkin
from bot.coaching.content import Library
from bot.db.engine import insert_for
from bot.db.models import Checkin, Member, Reminder
from bot.services.alerts import AlertKind, record_alert
from bot.services.members import record_decisions
from bot.services.outcomes import answered_weeks, week_of
from bot.services.reminders.schedule import reschedule
from bot.services.reminders.status import ReminderStatus
from bot.timekeeping import local_date

SNOOZE_MINUTES = (30, 60)


class AnswerOutcome(StrEnum):
    DONE = "done"
    # Already answered, from an earlier day, or the programme is paused: nothing to do.
    CLOSED = "closed"
    # A snooze that would land after the member's midnight: today's reminder ends, and the next
    # is tomorrow's usual one (a snoozed reminder of yesterday would arrive already closed).
    TOMORROW = "tomorrow"


@dataclass(frozen=True)
class ReminderAnswer:
    """The result of Snooze or Skip, with the local time the member will hear from the bot next."""

    outcome: AnswerOutcome
    reminder_id: int
    next_local_time: time | None = None


@dataclass(frozen=True)
class CheckinResult:
    outcome: AnswerOutcome
    reminder_id: int
    answer: CheckinAnswer
    paused: bool = False
    reasons: tuple[str, ...] = ()
    offer_peg: bool = False  # the week's PEG is not answered yet: offered with today's choices


_OPEN = (ReminderStatus.CLAIMED, ReminderStatus.SENT, ReminderStatus.PENDING)


async def _own_open_reminder(
    session: AsyncSession, telegram_user_id: int, reminder_id: int, now: datetime
) -> tuple[Reminder, Member] | None:
    """The reminder if it belongs to this user and is today's, still open, for an active member."""
    found = (
        await session.execute(
            select(Reminder, Member)
            .join(Member, Reminder.member_id == Member.id)
            .where(Reminder.id == reminder_id, Member.telegram_user_id == telegram_user_id)
            # Locked: the fan-out's delivery record (status, nudge) must not land between this
            # read and the answer's write, or a cleared nudge comes back.
            .with_for_update()
        )
    ).first()
    if found is None:
        return None
    reminder, member = found
    if (
        reminder.status not in _OPEN
        or member.status != Status.ACTIVE
        or member.timezone is None
        or local_date(now, ZoneInfo(member.timezone)) != reminder.local_date
    ):
        return None
    return reminder, member


async def snooze(
    session: AsyncSession, telegram_user_id: int, reminder_id: int, minutes: int, now: datetime
) -> ReminderAnswer:
    """Send today's reminder again in `minutes` (30 or 60); a second tap keeps the first snooze.

    Never into the member's next day: then tomorrow's usual reminder is the next one.
    """
    if minutes not in SNOOZE_MINUTES:
        raise ValueError(f"snooze is {SNOOZE_MINUTES} minutes, not {minutes}")
    found = await _own_open_reminder(session, telegram_user_id, reminder_id, now)
    if found is None:
        return ReminderAnswer(AnswerOutcome.CLOSED, reminder_id)
    reminder, member = found
    assert member.timezone is not None
    later = now + timedelta(minutes=minutes)
    if local_date(later, ZoneInfo(member.timezone)) != reminder.local_date:
        reminder.status = ReminderStatus.SKIPPED
        reminder.nudge_due_at = None
        return ReminderAnswer(AnswerOutcome.TOMORROW, reminder_id, member.reminder_time)
    if reminder.status != ReminderStatus.PENDING:
        reminder.status = ReminderStatus.PENDING
        reminder.due_at = now + timedelta(minutes=minutes)
        reminder.claimed_at = None
        reminder.nudge_due_at = None
    at = reminder.due_at.astimezone(ZoneInfo(member.timezone)).time()
    return ReminderAnswer(AnswerOutcome.DONE, reminder_id, at)


async def skip_today(
    session: AsyncSession, telegram_user_id: int, reminder_id: int, now: datetime
) -> ReminderAnswer:
    """No session, nudge or snoozed reminder today; the next reminder is the usual one."""
    found = await _own_open_reminder(session, telegram_user_id, reminder_id, now)
    if found is None:
        return ReminderAnswer(AnswerOutcome.CLOSED, reminder_id)
    reminder, member = found
    reminder.status = ReminderStatus.SKIPPED
    reminder.nudge_due_at = None
    return ReminderAnswer(AnswerOutcome.DONE, reminder_id, member.reminder_time)


async def answer_checkin(
    session: AsyncSession,
    library: Library,
    telegram_user_id: int,
    reminder_id: int,
    answer: CheckinAnswer,
    now: datetime,
) -> CheckinResult:
    """Store the next-morning answer and let the coaching rules weigh it.

    When the rules pause the programme, the decision is saved, the coach is alerted and no more
    reminders are scheduled. A second answer for the same day changes nothing.
    """
    found = await _own_open_reminder(session, telegram_user_id, reminder_id, now)
    if found is None:
        return CheckinResult(AnswerOutcome.CLOSED, reminder_id, answer)
    reminder, member = found
    day = reminder.local_date
    insert = insert_for(session)
    stored = await session.execute(
        insert(Checkin)
        .values(member_id=member.id, local_date=day, answer=answer.value, created_at=now)
        .on_conflict_do_nothing(index_elements=["member_id", "local_date"])
    )
    if stored.rowcount != 1 or member.programme is None:
        return CheckinResult(AnswerOutcome.DONE, reminder_id, answer)
    outcome = record_checkin(
        ProgrammeState.from_json(member.programme), library, today=day, answer=answer
    )
    member.programme = outcome.state.to_json()
    member.status = outcome.state.status.value
    await record_decisions(session, member, outcome.decisions, day)
    reasons = tuple(decision.reason for decision in outcome.decisions)
    if not outcome.paused:
        week = week_of(day)
        offer = (member.id, week) not in await answered_weeks(session, {member.id}, {week})
        return CheckinResult(
            AnswerOutcome.DONE, reminder_id, answer, reasons=reasons, offer_peg=offer
        )
    await record_alert(session, member, AlertKind.PAIN_PAUSE, day)
    reminder.status = ReminderStatus.CANCELLED
    reminder.nudge_due_at = None
    reschedule(member, now)
    return CheckinResult(AnswerOutcome.DONE, reminder_id, answer, paused=True, reasons=reasons)

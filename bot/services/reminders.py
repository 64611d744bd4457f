"""Daily reminders: when each is due, claiming due ones exactly once, and the member's answers.

The next reminder of every member is one indexed column, `members.next_reminder_at` (UTC). A tick
claims what is due in one transaction: it writes the day's row in `reminders` (unique per member
and local date, so a second send for the same day cannot happen) and moves the member on to the
next day. The message goes out after the transaction, and a second short transaction records how
it went. A reminder row moves through these statuses:

    claimed → sent                    the usual path; `claimed_at` starts a lease
    claimed → pending → claimed       handed back (Telegram unavailable, bot stopping) or snoozed
    claimed, lease expired → claimed  the process died between claim and send: claimed again
    sent → skipped                    the member chose "Skip today"
    missed                            due while the bot was down for longer than the grace period
    not_needed                        the member had already started today's session
    cancelled                         the member paused or became unreachable before it went out
    undeliverable / failed            Telegram refused it (blocked; or a bad request)

The one nudge three hours after a sent reminder uses `nudge_due_at` (indexed) and `nudged_at`,
which holds the claim time until the nudge is sent and the send time afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from bot.coaching import Checkin as CheckinAnswer
from bot.coaching import ProgrammeState, Status, record_checkin
from bot.coaching.content import Library
from bot.db.engine import insert_for
from bot.db.models import Checkin, Member, Reminder, TrainingSession, UtcDateTime
from bot.services.alerts import AlertKind, record_alert
from bot.services.members import record_decisions
from bot.services.outcomes import answered_weeks, week_of
from bot.timekeeping import local_date, next_reminder_at

# A member who just finished onboarding (or changed their time) is not reminded within the hour.
QUIET_AFTER_CHANGE = timedelta(hours=1)
# A member who has not started this long after the reminder gets one gentle nudge.
NUDGE_AFTER = timedelta(hours=3)
SNOOZE_MINUTES = (30, 60)
# How long a claim stays with the tick that made it; after that any tick may claim it again.
# Too short, and a second tick re-sends a message the first is still retrying (the dispatcher
# gives up at half the lease, so that cannot happen). Too long, and a reminder claimed just before
# a crash waits that long to go out (a clean stop hands unsent claims back at once instead). What
# no lease can settle: a crash after Telegram accepted a message but before the result was written
# (results are written every half second) sends that one message again. A lost reminder would be
# worse than a rare repeat, so the claim is re-claimable rather than dropped.
CLAIM_LEASE = timedelta(minutes=10)

_MEMBER_FIELDS = (
    Member.id,
    Member.telegram_user_id,
    Member.chat_id,
    Member.first_name,
    Member.status,
    Member.is_reachable,
    Member.timezone,
    Member.reminder_time,
    Member.next_reminder_at,
)


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    MISSED = "missed"
    NOT_NEEDED = "not_needed"
    CANCELLED = "cancelled"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"


class MessageKind(StrEnum):
    REMINDER = "reminder"
    NUDGE = "nudge"


@dataclass(frozen=True)
class DueMessage:
    """Everything needed to send one claimed reminder or nudge without touching the database."""

    kind: MessageKind
    reminder_id: int
    member_id: int
    chat_id: int
    first_name: str
    local_date: date
    due_at: datetime
    # Yesterday had a session and today's next-morning check is not answered yet.
    ask_checkin: bool = False
    # The member's wall-clock hour as it goes out (a late one is later): the greeting fits it.
    local_hour: int | None = None
    # This local week's PEG is not answered yet: the reminder offers it (`services.outcomes`).
    offer_peg: bool = False


@dataclass
class Claim:
    """What one claim did: messages to send now, and rows settled without a message."""

    messages: list[DueMessage] = field(default_factory=list)
    missed: int = 0
    settled: int = 0

    @property
    def touched(self) -> int:
        return len(self.messages) + self.missed + self.settled


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


def reschedule(member: Member, now: datetime) -> None:
    """Set the next reminder from the member's own time and zone; none while not active."""
    if (
        member.status != Status.ACTIVE
        or member.is_reachable is False  # None: a new member not yet flushed, reachable
        or member.reminder_time is None
        or member.timezone is None
    ):
        member.next_reminder_at = None
        return
    member.next_reminder_at = next_reminder_at(
        member.reminder_time, ZoneInfo(member.timezone), after=now + QUIET_AFTER_CHANGE
    )


# ---- claiming --------------------------------------------------------------------------------


def lock_for_claim(session: AsyncSession, statement: Select[Any], *of: Any) -> Select[Any]:
    """Make a due-work query safe against a concurrent tick, in this process or another.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` locks the rows this transaction claims, and a concurrent
    claim skips them instead of waiting, so two ticks split the due work between them.
    SQLite: nothing to add. The engine opens every transaction with `BEGIN IMMEDIATE`, so the
    claiming transaction holds the database's only write lock; a second tick waits (busy timeout)
    and then reads the rows already claimed and moved on.
    """
    if session.bind.dialect.name == "postgresql":
        return statement.with_for_update(skip_locked=True, of=of or None)
    return statement


async def claim_due(
    session: AsyncSession,
    now: datetime,
    *,
    grace: timedelta,
    limit: int,
    lease: timedelta = CLAIM_LEASE,
) -> Claim:
    """Claim up to `limit` reminders and nudges due at `now`; the caller sends them after commit.

    A reminder more than `grace` late (the bot was down) is recorded as missed instead, and the
    member's next reminder is scheduled either way.
    """
    claim = Claim()
    await _claim_nudges(session, now, grace, lease, limit, claim)
    await _reclaim_reminders(session, now, grace, lease, limit - claim.touched, claim)
    await _claim_new_reminders(session, now, grace, limit - claim.touched, claim)
    return claim


async def _claim_new_reminders(
    session: AsyncSession, now: datetime, grace: timedelta, limit: int, claim: Claim
) -> None:
    """Members whose `next_reminder_at` has come: write the day's row, move them to the next day."""
    if limit <= 0:
        return
    query = (
        select(Member)
        .options(load_only(*_MEMBER_FIELDS))
        .where(Member.next_reminder_at <= now)
        .order_by(Member.next_reminder_at)
        .limit(limit)
    )
    members = (await session.scalars(lock_for_claim(session, query))).all()
    rows: list[dict[str, Any]] = []
    for member in members:
        due = member.next_reminder_at
        if not _remindable(member) or due is None:
            member.next_reminder_at = None
            claim.settled += 1
            continue
        assert member.reminder_time is not None and member.timezone is not None
        zone = ZoneInfo(member.timezone)
        # From the due instant, not from now: after days of downtime each day is accounted for.
        member.next_reminder_at = next_reminder_at(member.reminder_time, zone, after=due)
        rows.append({"member_id": member.id, "local_date": local_date(due, zone), "due_at": due})
    if not rows:
        return
    facts = await _MorningFacts.load(
        session, [(row["member_id"], row["local_date"]) for row in rows]
    )
    for row in rows:
        key = (row["member_id"], row["local_date"])
        if now - row["due_at"] > grace:
            row["status"] = ReminderStatus.MISSED
        elif facts.trained(*key):
            row["status"] = ReminderStatus.NOT_NEEDED
        else:
            row["status"] = ReminderStatus.CLAIMED
        row["claimed_at"] = now if row["status"] is ReminderStatus.CLAIMED else None
        row["attempts"] = 1 if row["status"] is ReminderStatus.CLAIMED else 0
    inserted = await _insert_new_days(session, rows)
    by_id = {member.id: member for member in members}
    row_of = {row["member_id"]: row for row in rows}
    for reminder_id, member_id in inserted:
        row = row_of[member_id]
        if row["status"] is ReminderStatus.CLAIMED:
            member = by_id[member_id]
            claim.messages.append(
                _reminder_message(reminder_id, member, row["local_date"], row["due_at"], now, facts)
            )
        elif row["status"] is ReminderStatus.MISSED:
            claim.missed += 1
        else:
            claim.settled += 1
    # A day that already had its row (the member changed their time after it went out) is done.
    claim.settled += len(rows) - len(inserted)


async def _insert_new_days(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Insert the day's rows; the unique (member, local date) key drops a day that has one."""
    insert = insert_for(session)
    statement = (
        insert(Reminder)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["member_id", "local_date"])
        .returning(Reminder.id, Reminder.member_id)
    )
    return [(row.id, row.member_id) for row in await session.execute(statement)]


async def _reclaim_reminders(
    session: AsyncSession,
    now: datetime,
    grace: timedelta,
    lease: timedelta,
    limit: int,
    claim: Claim,
) -> None:
    """Snoozed or handed-back reminders now due, and claims whose lease ran out (a crash)."""
    if limit <= 0:
        return
    query = (
        select(Reminder, Member)
        .join(Member, Reminder.member_id == Member.id)
        .options(load_only(*_MEMBER_FIELDS))
        .where(
            or_(
                and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now),
                and_(Reminder.status == ReminderStatus.CLAIMED, Reminder.claimed_at <= now - lease),
            )
        )
        .order_by(Reminder.due_at)
        .limit(limit)
    )
    found = (await session.execute(lock_for_claim(session, query, Reminder))).tuples().all()
    if not found:
        return
    facts = await _MorningFacts.load(session, [(r.member_id, r.local_date) for r, _ in found])
    for reminder, member in found:
        if not _remindable(member):
            reminder.status = ReminderStatus.CANCELLED
            claim.settled += 1
        elif now - reminder.due_at > grace:
            reminder.status = ReminderStatus.MISSED
            claim.missed += 1
        else:
            reminder.status = ReminderStatus.CLAIMED
            reminder.claimed_at = now
            reminder.attempts += 1
            claim.messages.append(
                _reminder_message(
                    reminder.id, member, reminder.local_date, reminder.due_at, now, facts
                )
            )


async def _claim_nudges(
    session: AsyncSession,
    now: datetime,
    grace: timedelta,
    lease: timedelta,
    limit: int,
    claim: Claim,
) -> None:
    """Sent reminders not started three hours later: one nudge, unless it no longer makes sense."""
    query = (
        select(Reminder, Member)
        .join(Member, Reminder.member_id == Member.id)
        .options(load_only(*_MEMBER_FIELDS))
        .where(
            Reminder.nudge_due_at <= now,
            or_(Reminder.nudged_at.is_(None), Reminder.nudged_at <= now - lease),
        )
        .order_by(Reminder.nudge_due_at)
        .limit(limit)
    )
    found = (await session.execute(lock_for_claim(session, query, Reminder))).tuples().all()
    if not found:
        return
    facts = await _MorningFacts.load(session, [(r.member_id, r.local_date) for r, _ in found])
    for reminder, member in found:
        due = reminder.nudge_due_at
        assert due is not None
        if (
            reminder.status != ReminderStatus.SENT
            or not _remindable(member)
            or facts.trained(reminder.member_id, reminder.local_date)
            or now - due > grace
        ):
            reminder.nudge_due_at = None
            claim.settled += 1
            continue
        reminder.nudged_at = now
        claim.messages.append(
            DueMessage(
                MessageKind.NUDGE,
                reminder.id,
                member.id,
                member.chat_id,
                member.first_name,
                reminder.local_date,
                due,
            )
        )


def _remindable(member: Member) -> bool:
    return (
        member.status == Status.ACTIVE
        and member.is_reachable
        and member.reminder_time is not None
        and member.timezone is not None
    )


def _reminder_message(
    reminder_id: int,
    member: Member,
    day: date,
    due: datetime,
    now: datetime,
    facts: _MorningFacts,
) -> DueMessage:
    return DueMessage(
        MessageKind.REMINDER,
        reminder_id,
        member.id,
        member.chat_id,
        member.first_name,
        day,
        due,
        ask_checkin=facts.trained(member.id, day - timedelta(days=1))
        and not facts.checked_in(member.id, day),
        local_hour=None
        if member.timezone is None
        else max(due, now).astimezone(ZoneInfo(member.timezone)).hour,
        offer_peg=(member.id, week_of(day)) not in facts.pegs,
    )


@dataclass(frozen=True)
class _MorningFacts:
    """For a batch of (member, day): who trained the day before or that day, who checked in."""

    sessions: frozenset[tuple[int, date]]
    checkins: frozenset[tuple[int, date]]
    pegs: frozenset[tuple[int, date]]  # (member, week) with a complete PEG

    def trained(self, member_id: int, day: date) -> bool:
        return (member_id, day) in self.sessions

    def checked_in(self, member_id: int, day: date) -> bool:
        return (member_id, day) in self.checkins

    @classmethod
    async def load(cls, session: AsyncSession, wanted: Sequence[tuple[int, date]]) -> _MorningFacts:
        member_ids = {member_id for member_id, _ in wanted}
        first = min(day for _, day in wanted) - timedelta(days=1)
        last = max(day for _, day in wanted)
        sessions = await session.execute(
            select(TrainingSession.member_id, TrainingSession.local_date).where(
                TrainingSession.member_id.in_(member_ids),
                TrainingSession.local_date.between(first, last),
            )
        )
        checkins = await session.execute(
            select(Checkin.member_id, Checkin.local_date).where(
                Checkin.member_id.in_(member_ids), Checkin.local_date.between(first, last)
            )
        )
        weeks = {week_of(day) for _, day in wanted}
        pegs = await answered_weeks(session, member_ids, weeks)
        return cls(frozenset(map(tuple, sessions)), frozenset(map(tuple, checkins)), pegs)


# ---- recording how sending went --------------------------------------------------------------

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


# ---- the member's answers --------------------------------------------------------------------


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


# ---- reachability ----------------------------------------------------------------------------


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

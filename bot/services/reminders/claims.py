"""Claiming due reminders and nudges exactly once, and building the messages that go out.

A tick claims what is due in one transaction: it writes the day's row in `reminders` (unique per
member and local date, so a second send for the same day cannot happen) and moves the member on
to the next day (`schedule`). The messages go out after the transaction, with no database open
(`bot.scheduling.dispatcher`), and `deliveries` records how that went. A module of its own because
it is the part that must stay right with several ticks at once, in one process or several
(`lock_for_claim`, the lease), and nothing else in reminders needs to think about that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from bot.db.engine import insert_for
from bot.db.models import Checkin, Member, Reminder, TrainingSession
from bot.services.outcomes import answered_weeks, week_of
from bot.services.reminders.schedule import remindable
from bot.services.reminders.status import ReminderStatus
from bot.timekeeping import local_date, next_reminder_at

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
        if not remindable(member) or due is None:
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
        if not remindable(member):
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
            or not remindable(member)
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

"""Database tables. Everything a conversation needs to resume lives here, never in memory.

All instants are stored as UTC; `local_date` columns hold the member's own calendar day, computed
from their time zone when the row is written, so reports never have to guess it again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return clock.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class CoachGroup(Base):
    """A Telegram group where a coach watches the members who joined through its invite link."""

    __tablename__ = "coach_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255))
    invite_code: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    members: Mapped[list[Member]] = relationship(back_populates="coach_group")


class Member(Base):
    """A person in the programme, their settings, and where they are in every conversation."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    consent_at: Mapped[datetime | None]
    # Conversation position: which onboarding question is open, or which typed answer is awaited.
    onboarding_step: Mapped[str | None] = mapped_column(String(32))
    awaiting: Mapped[str | None] = mapped_column(String(32))
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Programme: `status` mirrors the core's state so the scheduler and dashboard can filter on it.
    status: Mapped[str] = mapped_column(String(24), default="onboarding", index=True)
    programme: Mapped[dict[str, Any] | None]
    baseline_pain: Mapped[int | None] = mapped_column(Integer)
    activity_level: Mapped[str | None] = mapped_column(String(16))
    equipment: Mapped[list[Any]] = mapped_column(default=list)
    onboarded_at: Mapped[datetime | None]
    # Reminders: local time and zone as chosen, and the next due instant in UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminder_time: Mapped[time | None] = mapped_column(Time)
    next_reminder_at: Mapped[datetime | None] = mapped_column(index=True)
    # Delivery: false once Telegram says the member blocked the bot; true again when they write.
    is_reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Coach group membership (at most one), with the moment the member agreed to share.
    coach_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("coach_groups.id", ondelete="SET NULL"), index=True
    )
    coach_consent_at: Mapped[datetime | None]
    # Safety: the level of the latest confirmed red flag (its advice is shown while stopped),
    # the check-ins while paused (3 and 7 days after), and the last weekly re-screen.
    red_flag_urgency: Mapped[str | None] = mapped_column(String(16))
    paused_at: Mapped[datetime | None]
    pause_checkin_due_at: Mapped[datetime | None] = mapped_column(index=True)
    pause_checkins_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    screened_at: Mapped[datetime | None]

    coach_group: Mapped[CoachGroup | None] = relationship(back_populates="members")


class TrainingSession(Base):
    """One day's session: the plan as prescribed, and which question is open right now."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        # The day-close job finds open sessions of past days (`services/day_close.py`).
        Index("ix_training_sessions_status_day", "status", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    plan: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(16), default="reps")
    max_pain: Mapped[int | None] = mapped_column(Integer)
    stop_reason: Mapped[str | None] = mapped_column(String(16))  # asked at "Stop for today"

    results: Mapped[list[ExerciseResultRow]] = relationship(
        back_populates="session", order_by="ExerciseResultRow.position"
    )


class ExerciseResultRow(Base):
    """What the member did in one exercise of a session, beside what was prescribed."""

    __tablename__ = "exercise_results"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    ladder_id: Mapped[str] = mapped_column(String(48))
    variation_id: Mapped[str] = mapped_column(String(48))
    prescribed_sets: Mapped[int] = mapped_column(Integer)
    prescribed_reps: Mapped[int | None] = mapped_column(Integer)
    prescribed_hold_seconds: Mapped[int | None] = mapped_column(Integer)
    per_side: Mapped[bool] = mapped_column(Boolean)
    reps_done: Mapped[int | None] = mapped_column(Integer)
    hold_completed: Mapped[bool | None] = mapped_column(Boolean)
    pain: Mapped[int | None] = mapped_column(Integer)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_reason: Mapped[str | None] = mapped_column(String(16))  # SkipReason, asked at a skip
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="results")


class DecisionRow(Base):
    """A coaching decision and its plain-words reason, as `/why` and the coach dashboard show it."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_member_created", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    ladder_id: Mapped[str | None] = mapped_column(String(48))
    from_variation: Mapped[str | None] = mapped_column(String(48))
    to_variation: Mapped[str | None] = mapped_column(String(48))
    reason: Mapped[str] = mapped_column(Text)


class Checkin(Base):
    """The next-morning check: how the back feels compared with before the last session."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """One member's reminder for one local day; the unique key makes it go out at most once."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    nudge_due_at: Mapped[datetime | None] = mapped_column(index=True)
    nudged_at: Mapped[datetime | None]


class Alert(Base):
    """A message to a coach group about a member; unique per member, kind and day."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("member_id", "kind", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_group_id: Mapped[int] = mapped_column(ForeignKey("coach_groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    local_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the delivery run that is sending it (`services.alert_delivery`), until its lease ends.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)  # pruned by age (retention)


class InboxUpdate(Base):
    """Every Telegram update as it arrived, written before Telegram is told it was received.

    The update is handled from here (`bot/pipeline/handling.py`); the transaction that marks it
    handled is the one the handlers wrote in, so it is handled exactly once. A redelivery is a
    no-op by the primary key. Kept `RETAIN_UPDATE_IDS_DAYS` after handling (it holds members'
    words), deleted with the member by /delete.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_waiting", "state", "chat_key", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Updates of one chat are handled one at a time, in update_id order.
    chat_key: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[str] = mapped_column(Text)  # Telegram's JSON, as received
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)  # backoff after a failure
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    handled_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A Bot API call a handler made, written in the handler's transaction, sent after commit.

    `params` holds the call's parameters as the Bot API takes them (buttons already signed); a
    file (a chart, an export) is kept beside them. `message_id` is Telegram's answer, written
    the moment Telegram accepts the call (`bot/pipeline/sending.py`).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_waiting", "state", "chat_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    chat_key: Mapped[int] = mapped_column(BigInteger)  # sent one at a time per chat, in id order
    method: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text)
    file_field: Mapped[str | None] = mapped_column(String(32))
    file_name: Mapped[str | None] = mapped_column(String(128))
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # An edit the member must see (their next question): sent as a new message if Telegram can
    # no longer edit the old one (`bot.pipeline.capture.or_sent_anew`).
    sent_anew_if_uneditable: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)  # pruned by age (retention)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)


class TipShown(Base):
    """The short tip shown after a member's completed session, so none repeats within two weeks
    (`bot.coaching.education.pick_tip`); at most one a day."""

    __tablename__ = "tips_shown"
    __table_args__ = (UniqueConstraint("member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    tip_id: Mapped[str] = mapped_column(String(48))
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)


class PegScore(Base):
    """One member's weekly PEG (Krebs 2009): average pain, interference with enjoyment of life
    and with general activity, each 0-10, for the local week starting `week_start` (a Monday).

    Answers are kept as they are given, so a restart mid-way asks the next item;
    `answered_at` is set when all three are in, and only complete rows are reported.
    """

    __tablename__ = "peg_scores"
    __table_args__ = (UniqueConstraint("member_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    pain: Mapped[int | None] = mapped_column(Integer)
    enjoyment: Mapped[int | None] = mapped_column(Integer)
    activity: Mapped[int | None] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

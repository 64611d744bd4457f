"""The member record as every conversation reads and writes it: lookup, programme state, time.

A member is locked (`FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises
writers) when loaded for an answer, so two bot instances can never both apply the same step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import ActivityLevel, Decision, ProgrammeState, Status
from bot.coaching.content import Equipment, Library
from bot.coaching.education import Education
from bot.coaching.screening import Screen
from bot.db.models import CoachGroup, DecisionRow, Member
from bot.timekeeping import local_date

# Anything a handler has a renderer for: a question, or a note such as a summary or a pointer.
Reply = object


@dataclass(frozen=True)
class Flow:
    """What every conversation needs besides the database: the content and the default zone."""

    library: Library
    default_zone: str
    # Tips and the flare-up plan (content/education.yaml); None: no tips after sessions.
    education: Education | None = None

    @property
    def screen(self) -> Screen:
        """The red-flag screen (content/red_flags.yaml); the loader always loads it."""
        assert self.library.screen is not None, "this library has no red-flag screen"
        return self.library.screen


@dataclass(frozen=True)
class Person:
    """Who is writing, as Telegram says: enough to create or find their member record."""

    user_id: int
    chat_id: int
    first_name: str


@dataclass(frozen=True)
class TypedAnswer:
    """Every reading of one typed message; the open question picks the one it needs.

    Each field is None (or False) when the text does not read as that kind of answer.
    """

    pain: int | None = None
    reps: int | None = None
    all_done: bool = False
    yes_no: bool | None = None
    at: time | None = None
    zone: str | None = None
    zone_choices: tuple[str, ...] = ()  # the real zones with a typed UTC offset, by city
    activity: ActivityLevel | None = None
    equipment: frozenset[Equipment] | None = None
    command: str | None = None  # "skip" or "stop", typed instead of tapped
    choice: str | None = None  # an option of the open question (a stop or skip reason, ...)
    # Screen items a typed message mentions (the text itself is never kept): asked first.
    symptoms: tuple[str, ...] = ()
    # Three scores 0-10 typed at once ("4 5 3"), as the weekly PEG takes them.
    scores: tuple[int, int, int] | None = None

    def reps_for(self, target: int, max_reps: int) -> int | None:
        if self.all_done:
            return target
        if self.reps is None or self.reps > max_reps:
            return None
        return self.reps


async def find_member(session: AsyncSession, user_id: int) -> Member | None:
    """The member with this Telegram user id, locked for the rest of the transaction."""
    statement = select(Member).where(Member.telegram_user_id == user_id).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def active_group(session: AsyncSession, group_id: int | None) -> CoachGroup | None:
    if group_id is None:
        return None
    group = await session.get(CoachGroup, group_id)
    return group if group is not None and group.is_active else None


async def group_title(session: AsyncSession, member: Member) -> str | None:
    group = await active_group(session, member.coach_group_id)
    return None if group is None else group.title


def is_enrolled(member: Member) -> bool:
    """Past onboarding with a programme (whatever its status now)."""
    return member.onboarding_step is None and member.onboarded_at is not None


def programme_state(member: Member) -> ProgrammeState | None:
    return None if member.programme is None else ProgrammeState.from_json(member.programme)


def store_state(member: Member, state: ProgrammeState) -> None:
    """Save the core's state; the status column mirrors it so jobs and dashboards can filter."""
    member.programme = state.to_json()
    member.status = state.status.value
    if state.status in (Status.ACTIVE, Status.PAUSED_BY_MEMBER):  # no pause check-ins pending
        member.paused_at = None
        member.pause_checkin_due_at = None
        member.pause_checkins_sent = 0


def zone_of(member: Member, default_zone: str) -> ZoneInfo:
    """The member's zone, or the bot's default while onboarding has not asked for it yet."""
    return ZoneInfo(member.timezone or default_zone)


def today_for(member: Member, now: datetime, default_zone: str) -> date:
    return local_date(now, zone_of(member, default_zone))


def is_active(member: Member) -> bool:
    return member.status == Status.ACTIVE.value


async def record_decisions(
    session: AsyncSession,
    member: Member,
    decisions: Iterable[Decision],
    day: date,
    training_session_id: int | None = None,
) -> None:
    """Keep each decision and its reason, as `/why` and the coach dashboard show them."""
    for decision in decisions:
        session.add(
            DecisionRow(
                member_id=member.id,
                session_id=training_session_id,
                local_date=day,
                kind=decision.kind.value,
                ladder_id=decision.ladder_id,
                from_variation=decision.from_variation,
                to_variation=decision.to_variation,
                reason=decision.reason,
            )
        )

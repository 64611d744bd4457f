"""Coach groups and their members built straight into the database, as the other features leave
them, so the dashboard and alert tests need neither onboarding nor the daily session to run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import ActivityLevel, start_programme
from bot.coaching.content import Equipment, Library
from bot.db.models import CoachGroup, DecisionRow, Member, TrainingSession

# Members join long before any day a test looks at, unless a test says otherwise.
LONG_AGO = date(2025, 1, 6)


def utc_today() -> date:
    return datetime.now(UTC).date()


def programme(library: Library, *, phase: int = 1) -> dict[str, Any]:
    """A real stored programme (the coaching core's JSON) at the start of `phase`'s rungs."""
    state = start_programme(
        library,
        baseline_pain=3,
        activity=ActivityLevel.SOME,
        equipment=frozenset(Equipment),
        today=date(2026, 1, 5),
    ).state
    return replace(state, phase=phase).to_json()


def starting_rung(library: Library) -> float:
    """The mean rung `programme()` starts on, as the dashboard computes it."""
    prescriptions = programme(library)["prescriptions"].values()
    levels = [library.variation(p["variation_id"]).level for p in prescriptions]
    return sum(levels) / len(levels)


async def add_group(session: AsyncSession, chat_id: int, title: str = "Back club") -> CoachGroup:
    group = CoachGroup(
        chat_id=chat_id,
        title=title,
        invite_code=f"code{-chat_id}",
        created_by_user_id=1,
        is_active=True,
    )
    session.add(group)
    await session.flush()
    return group


async def add_member(
    session: AsyncSession,
    user_id: int,
    first_name: str,
    *,
    group: CoachGroup | None,
    consented: bool = True,
    status: str = "active",
    onboarded_on: date | None = None,
    reachable: bool = True,
    stored_programme: dict[str, Any] | None = None,
    zone: str = "UTC",
) -> Member:
    """A member as onboarding leaves them; by default joined `group` and agreed to share."""
    onboarded_at = datetime.combine(onboarded_on or LONG_AGO, time(9), tzinfo=UTC)
    member = Member(
        telegram_user_id=user_id,
        chat_id=user_id,
        first_name=first_name,
        consent_at=onboarded_at,
        onboarding_step=None,
        status=status,
        programme=stored_programme,
        baseline_pain=3,
        activity_level="some",
        equipment=["band"],
        onboarded_at=onboarded_at,
        timezone=zone,
        reminder_time=time(7, 30),
        is_reachable=reachable,
        coach_group_id=None if group is None else group.id,
        coach_consent_at=onboarded_at if group is not None and consented else None,
    )
    session.add(member)
    await session.flush()
    return member


async def add_session(
    session: AsyncSession,
    member: Member,
    day: date,
    max_pain: int | None,
    *,
    status: str = "completed",
) -> TrainingSession:
    """A session on the member's `day` whose highest pain was `max_pain` (None: nothing done)."""
    training = TrainingSession(
        member_id=member.id,
        local_date=day,
        status=status,
        plan=[],
        position=0,
        step="done",
        max_pain=max_pain,
        finished_at=None if status == "in_progress" else datetime.now(UTC),
    )
    session.add(training)
    await session.flush()
    return training


async def add_decision(
    session: AsyncSession,
    member: Member,
    day: date,
    kind: str,
    reason: str,
    *,
    ladder_id: str | None = None,
    from_variation: str | None = None,
    to_variation: str | None = None,
) -> DecisionRow:
    decision = DecisionRow(
        member_id=member.id,
        created_at=datetime.combine(day, time(8), tzinfo=UTC),
        local_date=day,
        kind=kind,
        ladder_id=ladder_id,
        from_variation=from_variation,
        to_variation=to_variation,
        reason=reason,
    )
    session.add(decision)
    await session.flush()
    return decision

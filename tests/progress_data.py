"""Seeding a member's history straight into the database, as the daily session would leave it.

The progress, history, export and delete tests build their data here, so they do not depend on
the onboarding or session conversations to get a member with weeks of sessions behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Alert,
    Checkin,
    CoachGroup,
    DecisionRow,
    ExerciseResultRow,
    InboxUpdate,
    Member,
    PegScore,
    Reminder,
    TipShown,
    TrainingSession,
)
from bot.timekeeping import local_instant

# Phase 1 as the daily session prescribes it: (ladder, variation, sets, reps, hold, per side).
PHASE_ONE = (
    ("clamshell", "clamshell", 3, 12, None, True),
    ("side_lying_abduction", "side_lying_leg_raise", 3, 10, None, True),
    ("bridge", "glute_bridge", 3, 10, None, False),
    ("bird_dog", "bird_dog", 3, 8, None, True),
    ("hamstring_stretch", "seated_hamstring_stretch", 3, None, 30, True),
)


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon at `now`: no test day rolls over mid-test."""
    offset = 12 - now.astimezone(UTC).hour  # -11 … +12, every one an Etc/GMT zone
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


async def add_member(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    zone: str,
    onboarded_on: date,
    first_name: str = "Alex",
    coach_group_id: int | None = None,
) -> Member:
    """An onboarded, active member, as onboarding leaves them."""
    onboarded_at = local_instant(onboarded_on, time(9), ZoneInfo(zone))
    member = Member(
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,
        first_name=first_name,
        consent_at=onboarded_at - timedelta(minutes=5),
        status="active",
        programme={"version": 1, "phase": 1},
        baseline_pain=4,
        activity_level="some",
        equipment=["band"],
        onboarded_at=onboarded_at,
        timezone=zone,
        reminder_time=time(7, 30),
        coach_group_id=coach_group_id,
        coach_consent_at=onboarded_at if coach_group_id else None,
    )
    session.add(member)
    await session.flush()
    return member


async def add_session(
    session: AsyncSession,
    member: Member,
    day: date,
    pains: Sequence[int | None],
    *,
    status: str = "finished",
    decisions: Sequence[tuple[str, str, str]] = (),
) -> TrainingSession:
    """A session on the member's local `day`: one result per pain (None: skipped).

    `decisions` are (ladder id or "" for the whole session, kind, reason).
    """
    done_pains = [pain for pain in pains if pain is not None]
    training = TrainingSession(
        member_id=member.id,
        local_date=day,
        status=status,
        plan=[],
        position=len(pains),
        step="done",
        max_pain=max(done_pains) if done_pains else None,
        finished_at=None if status == "in_progress" else datetime.now(UTC),
    )
    session.add(training)
    await session.flush()
    for position, pain in enumerate(pains):
        ladder, variation, sets, reps, hold, per_side = PHASE_ONE[position % len(PHASE_ONE)]
        skipped = pain is None
        session.add(
            ExerciseResultRow(
                session_id=training.id,
                position=position,
                ladder_id=ladder,
                variation_id=variation,
                prescribed_sets=sets,
                prescribed_reps=reps,
                prescribed_hold_seconds=hold,
                per_side=per_side,
                reps_done=None if skipped or reps is None else reps - position % 2,
                hold_completed=None if skipped or hold is None else True,
                pain=pain,
                skipped=skipped,
            )
        )
    for ladder, kind, reason in decisions:
        add_decision(session, member, day, kind, reason, ladder=ladder or None, training=training)
    await session.flush()
    return training


def add_decision(
    session: AsyncSession,
    member: Member,
    day: date,
    kind: str,
    reason: str,
    *,
    ladder: str | None = None,
    training: TrainingSession | None = None,
) -> DecisionRow:
    variations = {entry[0]: entry[1] for entry in PHASE_ONE}
    decision = DecisionRow(
        member_id=member.id,
        session_id=None if training is None else training.id,
        created_at=local_instant(day, time(8), ZoneInfo(member.timezone or "UTC")),
        local_date=day,
        kind=kind,
        ladder_id=ladder,
        from_variation=variations.get(ladder or ""),
        to_variation=variations.get(ladder or ""),
        reason=reason,
    )
    session.add(decision)
    return decision


async def add_member_with_everything(
    session: AsyncSession, now: datetime, zone: str, telegram_user_id: int
) -> Member:
    """A member with a row in every table about members: a coach group and its alert, three
    sessions of five exercises with decisions, a check-in, a pending reminder, a handled update,
    this week's PEG and a tip shown.
    """
    today = local_today(now, zone)
    group = CoachGroup(
        chat_id=-(10**12) - telegram_user_id,
        title="Tuesday back club",
        invite_code=f"code{telegram_user_id}",
        created_by_user_id=1,
    )
    session.add(group)
    await session.flush()
    member = await add_member(
        session, telegram_user_id, zone=zone, onboarded_on=today - timedelta(10)
    )
    member.coach_group_id = group.id
    member.coach_consent_at = member.consent_at
    member.next_reminder_at = now + timedelta(hours=5)
    for ago in (3, 2, 1):
        await add_session(
            session,
            member,
            today - timedelta(ago),
            [ago, None, 2, 1, 0],
            decisions=[
                ("clamshell", "progress", f"Up after day {ago}."),
                ("side_lying_abduction", "hold", f"Skipped on day {ago}."),
                ("", "phase_up", f"Next phase on day {ago}."),
            ],
        )
    add_decision(session, member, today - timedelta(10), "start", "Started gently.")
    session.add(Checkin(member_id=member.id, local_date=today, answer="better"))
    session.add(Reminder(member_id=member.id, local_date=today, due_at=now, status="sent"))
    session.add(
        Alert(coach_group_id=group.id, member_id=member.id, kind="pain_pause", local_date=today)
    )
    session.add(
        InboxUpdate(
            update_id=telegram_user_id * 10,
            chat_key=telegram_user_id,
            user_id=telegram_user_id,
            payload="{}",
            state="handled",
        )
    )
    monday = today - timedelta(days=today.weekday())
    session.add(
        PegScore(
            member_id=member.id, week_start=monday, pain=4, enjoyment=3, activity=5, answered_at=now
        )
    )
    session.add(
        TipShown(member_id=member.id, local_date=today - timedelta(1), tip_id="pacing_steady")
    )
    await session.flush()
    return member

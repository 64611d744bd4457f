"""The numbers behind `/progress` and `/history`: streak, weekly counts, pain trend, level changes.

Everything is counted in the member's own calendar (their time zone; weeks start on Monday), and
only the chart's window is queried, so a member with a year of sessions costs what one with a
month does. A session counts as done once it is no longer in progress and at least one exercise in
it was done (it has a highest pain): a day where everything was skipped is not a session done,
as in the coaching core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import DecisionKind
from bot.db.models import DecisionRow, ExerciseResultRow, Member, TrainingSession
from bot.services.members import zone_of
from bot.services.outcomes import PegPoint
from bot.services.outcomes import history as peg_history
from bot.services.questions import SessionStatus
from bot.timekeeping import local_date, local_instant

IN_PROGRESS = SessionStatus.IN_PROGRESS.value
WINDOW_WEEKS_MIN = 4
WINDOW_WEEKS_MAX = 8
PLANNED_PER_WEEK = 7
# The trend compares the average pain of the last 7 days with that of the 7 days before.
TREND_DAYS = 7
# A change in average pain smaller than this reads as steady: one point of noise is not a trend.
TREND_MIN_CHANGE = 0.5
# A streak longer than the chart's window is counted back in steps of this many days.
STREAK_STEP_DAYS = 366
HISTORY_SESSIONS = 10

LEVEL_CHANGE_KINDS = (DecisionKind.PROGRESS, DecisionKind.REGRESS, DecisionKind.PHASE_UP)
EXERCISE_DECISION_KINDS = (DecisionKind.PROGRESS, DecisionKind.HOLD, DecisionKind.REGRESS)


class Trend(StrEnum):
    EASING = "easing"
    STEADY = "steady"
    RISING = "rising"


@dataclass(frozen=True)
class SessionPoint:
    """One session done: its local day and its highest pain."""

    day: date
    max_pain: int


@dataclass(frozen=True)
class WeekTally:
    """Sessions done in one local week (Monday first) against the plan for that week."""

    first_day: date
    done: int
    planned: int


@dataclass(frozen=True)
class LevelChange:
    day: date
    kind: DecisionKind


@dataclass(frozen=True)
class PainTrend:
    """Average session pain in the earlier and the recent 7 days; no direction without both."""

    earlier: float | None
    recent: float | None

    @property
    def direction(self) -> Trend | None:
        if self.earlier is None or self.recent is None:
            return None
        change = self.recent - self.earlier
        if change <= -TREND_MIN_CHANGE:
            return Trend.EASING
        if change >= TREND_MIN_CHANGE:
            return Trend.RISING
        return Trend.STEADY


@dataclass(frozen=True)
class ProgressReport:
    today: date
    first_day: date
    points: tuple[SessionPoint, ...]
    weeks: tuple[WeekTally, ...]
    level_changes: tuple[LevelChange, ...]
    streak: int
    trend: PainTrend
    # Sessions exist before the window: "no sessions lately" rather than "none yet".
    has_older_sessions: bool
    # Every weekly PEG answered, oldest first (`services.outcomes`): how the weeks go overall.
    pegs: tuple[PegPoint, ...] = ()

    @property
    def this_week(self) -> WeekTally:
        return self.weeks[-1]


@dataclass(frozen=True)
class HistoryExercise:
    ladder_id: str
    variation_id: str
    sets: int
    prescribed_reps: int | None
    prescribed_hold_seconds: int | None
    per_side: bool
    reps_done: int | None
    hold_completed: bool | None
    pain: int | None
    skipped: bool
    decision: DecisionKind | None
    reason: str | None


@dataclass(frozen=True)
class HistoryNote:
    """A decision about the whole session (stop, pause, next phase), not one exercise."""

    kind: DecisionKind | None
    reason: str


@dataclass(frozen=True)
class HistorySession:
    day: date
    in_progress: bool
    max_pain: int | None
    exercises: tuple[HistoryExercise, ...]
    notes: tuple[HistoryNote, ...]


def session_done() -> ColumnElement[bool]:
    """The SQL condition for a session that counts as done (see the module docstring)."""
    return (TrainingSession.status != IN_PROGRESS) & TrainingSession.max_pain.is_not(None)


async def find_member(session: AsyncSession, telegram_user_id: int) -> Member | None:
    """The member, read without a lock: these reports never change them."""
    return await session.scalar(select(Member).where(Member.telegram_user_id == telegram_user_id))


async def load_progress(
    session: AsyncSession, telegram_user_id: int, now: datetime, default_zone: str
) -> ProgressReport | None:
    """The member's progress up to `now`; None for someone who has not finished setting up."""
    member = await find_member(session, telegram_user_id)
    if member is None or member.onboarded_at is None:
        return None
    zone = zone_of(member, default_zone)
    today = local_date(now, zone)
    started = local_date(member.onboarded_at, zone)
    first_day = window_start(today, started)

    rows = await session.execute(
        select(TrainingSession.local_date, TrainingSession.max_pain)
        .where(
            TrainingSession.member_id == member.id,
            TrainingSession.local_date >= first_day,
            TrainingSession.local_date <= today,
            session_done(),
        )
        .order_by(TrainingSession.local_date)
    )
    points = tuple(SessionPoint(day, max_pain) for day, max_pain in rows)
    done_days = {point.day for point in points}

    known_from = first_day
    streak = streak_ending(done_days, today)
    while streak and streak_first_day(done_days, today, streak) <= known_from:
        # The streak may run on before the days read so far: read further back, a step at a time.
        earlier_from = known_from - timedelta(days=STREAK_STEP_DAYS)
        done_days |= await _done_days(session, member.id, earlier_from, known_from)
        known_from = earlier_from
        streak = streak_ending(done_days, today)

    return ProgressReport(
        today=today,
        first_day=first_day,
        points=points,
        weeks=week_tallies(points, first_day, today, started),
        level_changes=await _level_changes(session, member.id, first_day, zone),
        streak=streak,
        trend=pain_trend(points, today),
        has_older_sessions=await _has_sessions_before(session, member.id, first_day),
        pegs=tuple(await peg_history(session, member.id)),
    )


def window_start(today: date, started: date) -> date:
    """The Monday the chart starts: back to the start week, at least 4 and at most 8 weeks."""
    this_monday = monday_of(today)
    weeks_since_start = (this_monday - monday_of(started)).days // 7 + 1
    weeks = min(max(weeks_since_start, WINDOW_WEEKS_MIN), WINDOW_WEEKS_MAX)
    return this_monday - timedelta(weeks=weeks - 1)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def streak_ending(done_days: set[date], today: date) -> int:
    """Consecutive days with a session done, ending today, or yesterday if today is still open."""
    day = today if today in done_days else today - timedelta(days=1)
    streak = 0
    while day in done_days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def streak_first_day(done_days: set[date], today: date, streak: int) -> date:
    last_day = today if today in done_days else today - timedelta(days=1)
    return last_day - timedelta(days=streak - 1)


def week_tallies(
    points: Iterable[SessionPoint], first_day: date, today: date, started: date
) -> tuple[WeekTally, ...]:
    """Sessions done per week; a week's plan is 7, or the days left in it after the start day."""
    done: dict[date, int] = {}
    for point in points:
        week = monday_of(point.day)
        done[week] = done.get(week, 0) + 1
    tallies = []
    week = first_day
    while week <= today:
        last_day = week + timedelta(days=6)
        planned = 0 if started > last_day else min(PLANNED_PER_WEEK, (last_day - started).days + 1)
        tallies.append(WeekTally(week, done.get(week, 0), planned))
        week += timedelta(weeks=1)
    return tuple(tallies)


def pain_trend(points: Sequence[SessionPoint], today: date) -> PainTrend:
    recent_from = today - timedelta(days=TREND_DAYS - 1)
    earlier_from = recent_from - timedelta(days=TREND_DAYS)
    recent = [p.max_pain for p in points if recent_from <= p.day <= today]
    earlier = [p.max_pain for p in points if earlier_from <= p.day < recent_from]
    return PainTrend(earlier=_mean(earlier), recent=_mean(recent))


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


async def _done_days(session: AsyncSession, member_id: int, since: date, before: date) -> set[date]:
    days = await session.scalars(
        select(TrainingSession.local_date).where(
            TrainingSession.member_id == member_id,
            TrainingSession.local_date >= since,
            TrainingSession.local_date < before,
            session_done(),
        )
    )
    return set(days)


async def _level_changes(
    session: AsyncSession, member_id: int, first_day: date, zone: ZoneInfo
) -> tuple[LevelChange, ...]:
    # created_at bounds the scan through the (member_id, created_at) index; a decision is never
    # recorded before its own local day, and a day's slack covers a time-zone change since.
    created_from = local_instant(first_day, time(0), zone) - timedelta(days=1)
    rows = await session.execute(
        select(DecisionRow.local_date, DecisionRow.kind)
        .where(
            DecisionRow.member_id == member_id,
            DecisionRow.created_at >= created_from,
            DecisionRow.local_date >= first_day,
            DecisionRow.kind.in_([kind.value for kind in LEVEL_CHANGE_KINDS]),
        )
        .order_by(DecisionRow.local_date, DecisionRow.id)
    )
    return tuple(LevelChange(day, DecisionKind(kind)) for day, kind in rows)


async def _has_sessions_before(session: AsyncSession, member_id: int, day: date) -> bool:
    older = select(TrainingSession.id).where(
        TrainingSession.member_id == member_id, TrainingSession.local_date < day, session_done()
    )
    return bool(await session.scalar(select(exists(older))))


async def load_history(
    session: AsyncSession, telegram_user_id: int, limit: int = HISTORY_SESSIONS
) -> list[HistorySession] | None:
    """The member's last sessions with anything recorded, newest first; None for a non-member."""
    member = await find_member(session, telegram_user_id)
    if member is None:
        return None
    has_results = exists().where(ExerciseResultRow.session_id == TrainingSession.id)
    sessions = list(
        await session.scalars(
            select(TrainingSession)
            .where(TrainingSession.member_id == member.id, has_results)
            .order_by(TrainingSession.local_date.desc())
            .limit(limit)
        )
    )
    ids = [training.id for training in sessions]
    results = await session.scalars(
        select(ExerciseResultRow)
        .where(ExerciseResultRow.session_id.in_(ids))
        .order_by(ExerciseResultRow.session_id, ExerciseResultRow.position)
    )
    decisions = await session.scalars(
        select(DecisionRow).where(DecisionRow.session_id.in_(ids)).order_by(DecisionRow.id)
    )
    results_by_session: dict[int, list[ExerciseResultRow]] = {}
    for result in results:
        results_by_session.setdefault(result.session_id, []).append(result)
    decisions_by_session: dict[int, list[DecisionRow]] = {}
    for decision in decisions:
        assert decision.session_id is not None
        decisions_by_session.setdefault(decision.session_id, []).append(decision)
    return [
        _history_session(
            training,
            results_by_session.get(training.id, []),
            decisions_by_session.get(training.id, []),
        )
        for training in sessions
    ]


def exercise_decisions(decisions: Iterable[DecisionRow]) -> dict[str, DecisionRow]:
    """Per ladder, the progress/hold/regress decision a session made about that exercise."""
    found: dict[str, DecisionRow] = {}
    for decision in decisions:
        if decision.ladder_id is not None and decision.kind in EXERCISE_DECISION_KINDS:
            found.setdefault(decision.ladder_id, decision)
    return found


def decision_kind(value: str) -> DecisionKind | None:
    """The stored kind as the core's enum; None for a kind this code does not know."""
    try:
        return DecisionKind(value)
    except ValueError:
        return None


def _history_session(
    training: TrainingSession, results: list[ExerciseResultRow], decisions: list[DecisionRow]
) -> HistorySession:
    per_exercise = exercise_decisions(decisions)
    used = {decision.id for decision in per_exercise.values()}
    exercises = []
    for result in results:
        decision = per_exercise.get(result.ladder_id)
        exercises.append(
            HistoryExercise(
                ladder_id=result.ladder_id,
                variation_id=result.variation_id,
                sets=result.prescribed_sets,
                prescribed_reps=result.prescribed_reps,
                prescribed_hold_seconds=result.prescribed_hold_seconds,
                per_side=result.per_side,
                reps_done=result.reps_done,
                hold_completed=result.hold_completed,
                pain=result.pain,
                skipped=result.skipped,
                decision=None if decision is None else decision_kind(decision.kind),
                reason=None if decision is None else decision.reason,
            )
        )
    notes = tuple(
        HistoryNote(decision_kind(decision.kind), decision.reason)
        for decision in decisions
        if decision.id not in used
    )
    return HistorySession(
        day=training.local_date,
        in_progress=training.status == IN_PROGRESS,
        max_pain=training.max_pain,
        exercises=tuple(exercises),
        notes=notes,
    )

"""The coach dashboard's numbers: one row per member of a group, computed in a few SQL queries.

Only members who joined the group and agreed to share (`coach_consent_at` set) are ever read.
Counts and averages are aggregated by the database for the whole group at once, so a group of
500 costs the same handful of queries as a group of five.

A session counts as done once it is over with at least one exercise done, whether it ran to the
end or was stopped for pain: the member showed up. Pain figures are each session's highest pain.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import DecisionKind, Prescription, Status
from bot.coaching.content import Library
from bot.db.models import DecisionRow, ExerciseResultRow, Member, PegScore, TrainingSession
from bot.services.outcomes import score as peg_score

IN_PROGRESS = "in_progress"
WINDOW_DAYS = 28
WEEK = 7
PAGE_SIZE = 15
# Days in a row without a session before a member counts as missing (and the coach is told).
MISSED_DAYS_ALERT = 3
# A change in the 7-day average of at least one point on the 0-10 scale reads as a trend; smaller
# moves are the day-to-day noise of a self-reported score.
TREND_POINTS = 1.0
RECENT_SESSIONS = 10
RECENT_DECISIONS = 10


class MemberState(StrEnum):
    """What the coach sees in the status column, most urgent first."""

    RED_FLAG = "red_flag"
    PAUSED_PAIN = "paused_pain"
    INACTIVE = "inactive"  # Telegram says the member blocked the bot
    PAUSED_BY_MEMBER = "paused_by_member"
    MISSING = "missing"  # active, but no session for MISSED_DAYS_ALERT days or more
    ACTIVE = "active"
    ONBOARDING = "onboarding"


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    UNKNOWN = "unknown"  # no pain reported in one of the two weeks compared


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    name: str  # unique within the group: a repeated first name gets " 2", " 3"
    state: MemberState
    phase: int | None
    mean_rung: float | None  # mean level of the current variations, 1 = easiest
    sessions_7d: int
    sessions_28d: int
    last_session: date | None
    last_pain: int | None
    avg_pain_7d: float | None
    avg_pain_prev_7d: float | None
    # The weekly PEG (Krebs 2009, 0-10): the latest score and the member's first (week 1).
    peg_latest: float | None = None
    peg_first: float | None = None

    @property
    def peg_change(self) -> float | None:
        """Since week 1: negative is better; None until there are two weeks to compare."""
        if self.peg_latest is None or self.peg_first is None:
            return None
        return round(self.peg_latest - self.peg_first, 1)

    @property
    def trend(self) -> Trend:
        if self.avg_pain_7d is None or self.avg_pain_prev_7d is None:
            return Trend.UNKNOWN
        change = self.avg_pain_7d - self.avg_pain_prev_7d
        if change >= TREND_POINTS:
            return Trend.UP
        if change <= -TREND_POINTS:
            return Trend.DOWN
        return Trend.FLAT

    @property
    def attention(self) -> int:
        """0 needs the coach most: red flag, paused for pain, rising pain, gone quiet, the rest."""
        if self.state is MemberState.RED_FLAG:
            return 0
        if self.state is MemberState.PAUSED_PAIN:
            return 1
        if self.trend is Trend.UP:
            return 2
        if self.state in (MemberState.INACTIVE, MemberState.MISSING):
            return 3
        return 4


@dataclass(frozen=True)
class ChartData:
    """What the dashboard chart draws, for the members of one page, oldest day first."""

    names: list[str]
    days: list[date]
    pain: list[list[int | None]]  # per member, per day: the session's highest pain
    week_starts: list[date]
    sessions_per_week: list[list[int]]  # per member, per week: sessions done


@dataclass(frozen=True)
class SessionLine:
    local_date: date
    status: str
    finished: bool
    max_pain: int | None
    exercises_done: int
    exercises: int


@dataclass(frozen=True)
class DecisionLine:
    local_date: date
    kind: str
    ladder_id: str | None
    from_variation: str | None
    to_variation: str | None
    reason: str


@dataclass(frozen=True)
class MemberDetail:
    row: MemberRow
    sessions: list[SessionLine]
    decisions: list[DecisionLine]


@dataclass(frozen=True)
class NameMatch:
    """The member a typed name found (id and dashboard name), or the names it could mean."""

    member_id: int | None
    name: str | None
    candidates: list[str]


def last_active_day(enrolled: date, last_session: date | None, restarted: date | None) -> date:
    """The day a run of missed days counts from: the last session, joining, or coming back."""
    return max(day for day in (enrolled, last_session, restarted) if day is not None)


def days_missed(today: date, since: date) -> int:
    """Whole days strictly between `since` and today: today is not over, so it is not missed."""
    return max(0, (today - since).days - 1)


def member_zone(member_timezone: str | None) -> ZoneInfo:
    """The member's own zone; UTC when unknown, so a broken value never stops a report."""
    try:
        return ZoneInfo(member_timezone) if member_timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def page_count(rows: Sequence[MemberRow]) -> int:
    return max(1, math.ceil(len(rows) / PAGE_SIZE))


def page_of(rows: Sequence[MemberRow], page: int) -> list[MemberRow]:
    """One page of rows; a page number out of range shows the nearest page."""
    page = min(max(page, 0), page_count(rows) - 1)
    return list(rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])


def _shared_with(group_id: int) -> ColumnElement[bool]:
    """The privacy rule, in one place: members of this group who agreed to share with it."""
    return and_(Member.coach_group_id == group_id, Member.coach_consent_at.is_not(None))


# Done: over (finished or stopped for pain) with at least one exercise done, as `/progress` counts.
SESSION_DONE = and_(TrainingSession.status != IN_PROGRESS, TrainingSession.max_pain.is_not(None))


def latest_session(column: Any, *conditions: ColumnElement[bool]) -> Any:
    """`column` of the member's latest session meeting `conditions`, correlated to `Member`.

    One backwards step along the (member, day) unique index per member: far cheaper than
    max() over each member's whole history, which grows every day.
    """
    return (
        select(column)
        .where(TrainingSession.member_id == Member.id, *conditions)
        .order_by(TrainingSession.local_date.desc())
        .limit(1)
        .scalar_subquery()
    )


def _rows_query(group_id: int, today: date, member_ids: Sequence[int]) -> Select[Any]:
    """The rows of these members, whose own local day is `today`."""
    recent_from = today - timedelta(days=WEEK - 1)
    previous_from = today - timedelta(days=2 * WEEK - 1)
    window_from = today - timedelta(days=WINDOW_DAYS - 1)
    shared = and_(_shared_with(group_id), Member.id.in_(member_ids))
    recent = TrainingSession.local_date >= recent_from
    previous = and_(
        TrainingSession.local_date >= previous_from, TrainingSession.local_date < recent_from
    )
    stats = (
        select(
            TrainingSession.member_id,
            func.count(case((and_(SESSION_DONE, recent), 1))).label("sessions_7d"),
            func.count(case((SESSION_DONE, 1))).label("sessions_28d"),
            func.avg(case((recent, TrainingSession.max_pain))).label("avg_7d"),
            func.avg(case((previous, TrainingSession.max_pain))).label("avg_prev"),
        )
        .join(Member, Member.id == TrainingSession.member_id)
        .where(
            shared,
            TrainingSession.local_date >= window_from,
            TrainingSession.local_date <= today,
        )
        .group_by(TrainingSession.member_id)
        .subquery("stats")
    )
    return (
        select(
            Member.id,
            Member.first_name,
            Member.status,
            Member.is_reachable,
            Member.onboarded_at,
            Member.timezone,
            # Only the two parts of the programme shown: its history is most of its size, and
            # PostgreSQL parses a `json` value again for every key taken from it.
            Member.programme["phase"].label("phase"),
            Member.programme["prescriptions"].label("prescriptions"),
            stats.c.sessions_7d,
            stats.c.sessions_28d,
            stats.c.avg_7d,
            stats.c.avg_prev,
            latest_session(TrainingSession.local_date, SESSION_DONE).label("last_session"),
            latest_session(TrainingSession.max_pain, TrainingSession.max_pain.is_not(None)).label(
                "last_pain"
            ),
        )
        .outerjoin(stats, stats.c.member_id == Member.id)
        .where(shared)
        .order_by(Member.id)
    )


async def restart_days(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, date]:
    """The last day each of these members came back from a pause (`/resume`), if they did."""
    if not member_ids:
        return {}
    result = await session.execute(
        select(DecisionRow.member_id, func.max(DecisionRow.local_date))
        .where(
            DecisionRow.member_id.in_(member_ids),
            DecisionRow.kind == DecisionKind.RESUME.value,
        )
        .group_by(DecisionRow.member_id)
    )
    return dict(result.tuples().all())


async def dashboard_rows(
    session: AsyncSession, group_id: int, library: Library, now: datetime
) -> list[MemberRow]:
    """Every member the group may see, most in need of the coach first, then by name."""
    rows = await _rows(session, group_id, library, now, member_id=None)
    return sorted(rows, key=lambda row: (row.attention, row.name.casefold()))


async def _members_by_day(
    session: AsyncSession, group_id: int, now: datetime, member_id: int | None
) -> dict[date, list[int]]:
    """The members to show, by their own local date: "today", a week and missed days are each
    member's, not the operator's (at most three dates, so at most three queries)."""
    shared = _shared_with(group_id)
    if member_id is not None:
        shared = and_(shared, Member.id == member_id)
    by_day: dict[date, list[int]] = {}
    for found_id, zone in await session.execute(select(Member.id, Member.timezone).where(shared)):
        by_day.setdefault(now.astimezone(member_zone(zone)).date(), []).append(found_id)
    return by_day


async def _rows(
    session: AsyncSession, group_id: int, library: Library, now: datetime, member_id: int | None
) -> list[MemberRow]:
    result: list[tuple[Any, date]] = []
    by_day = await _members_by_day(session, group_id, now, member_id)
    for today, ids in sorted(by_day.items()):
        records = await session.execute(_rows_query(group_id, today, ids))
        result += [(record, today) for record in records]
    result.sort(key=lambda found: found[0].id)
    labels = _labels([(record.id, record.first_name) for record, _ in result])
    # A resume only matters for someone who would otherwise count as missing: ask for those only.
    maybe_missing = [
        r.id for r, today in result if _days_missed(r, today, None) >= MISSED_DAYS_ALERT
    ]
    restarted = await restart_days(session, maybe_missing)
    rungs = {
        variation.id: variation.level
        for ladder in library.ladders
        for variation in ladder.variations
    }
    pegs = await peg_scores(session, [record.id for record, _ in result])
    rows = []
    for record, today in result:
        phase, mean_rung = _level(record, rungs)
        scores = pegs.get(record.id, [])
        rows.append(
            MemberRow(
                member_id=record.id,
                name=labels[record.id],
                state=_state(record, _days_missed(record, today, restarted.get(record.id))),
                phase=phase,
                mean_rung=mean_rung,
                sessions_7d=record.sessions_7d or 0,
                sessions_28d=record.sessions_28d or 0,
                last_session=record.last_session,
                last_pain=record.last_pain,
                avg_pain_7d=_float(record.avg_7d),
                avg_pain_prev_7d=_float(record.avg_prev),
                peg_latest=scores[-1] if scores else None,
                peg_first=scores[0] if len(scores) > 1 else None,
            )
        )
    return rows


async def peg_scores(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, list[float]]:
    """Each member's complete weekly PEG scores, oldest first (one query for the whole page)."""
    if not member_ids:
        return {}
    rows = await session.execute(
        select(PegScore)
        .where(PegScore.member_id.in_(member_ids), PegScore.answered_at.is_not(None))
        .order_by(PegScore.member_id, PegScore.week_start)
    )
    found: dict[int, list[float]] = {}
    for row in rows.scalars():
        assert row.pain is not None and row.enjoyment is not None and row.activity is not None
        found.setdefault(row.member_id, []).append(
            peg_score((row.pain, row.enjoyment, row.activity))
        )
    return found


def _labels(members: Sequence[tuple[int, str]]) -> dict[int, str]:
    """First names, numbered where several members share one, so each row can be asked for."""
    totals = Counter(name.strip().casefold() for _, name in members)
    seen: Counter[str] = Counter()
    labels = {}
    for member_id, name in sorted(members):
        key = name.strip().casefold()
        seen[key] += 1
        labels[member_id] = name.strip() if totals[key] == 1 else f"{name.strip()} {seen[key]}"
    return labels


def _level(record: Any, rungs: dict[str, int]) -> tuple[int | None, float | None]:
    """Phase and mean rung from the stored programme; unknown (None) if it cannot be read.

    Prescriptions are read with the coaching core's own `Prescription.from_json`, so a change
    of their shape shows as an unknown level here rather than a wrong one.
    """
    if not isinstance(record.phase, int):
        return None, None
    try:
        variations = [Prescription.from_json(p).variation_id for p in record.prescriptions.values()]
    except (AttributeError, KeyError, TypeError):
        return record.phase, None
    levels = [rungs[variation] for variation in variations if variation in rungs]
    return record.phase, (sum(levels) / len(levels) if levels else None)


def _days_missed(record: Any, today: date, restarted: date | None) -> int:
    """Days in a row an active member has gone without a session (0 for everyone else)."""
    if record.status != Status.ACTIVE or record.onboarded_at is None:
        return 0
    enrolled = record.onboarded_at.astimezone(member_zone(record.timezone)).date()
    return days_missed(today, last_active_day(enrolled, record.last_session, restarted))


def _state(record: Any, missed: int) -> MemberState:
    if record.status == Status.STOPPED_RED_FLAG:
        return MemberState.RED_FLAG
    if record.status == Status.PAUSED_PAIN:
        return MemberState.PAUSED_PAIN
    if not record.is_reachable:
        return MemberState.INACTIVE
    if record.status == Status.PAUSED_BY_MEMBER:
        return MemberState.PAUSED_BY_MEMBER
    if record.status != Status.ACTIVE:
        return MemberState.ONBOARDING
    return MemberState.MISSING if missed >= MISSED_DAYS_ALERT else MemberState.ACTIVE


def _float(value: Any) -> float | None:
    # PostgreSQL's avg() of integers is a Decimal, SQLite's a float.
    return None if value is None else float(value)


async def chart_data(session: AsyncSession, rows: Sequence[MemberRow], today: date) -> ChartData:
    """Daily pain and weekly sessions over the last 28 days for these members, in row order."""
    days = [today - timedelta(days=offset) for offset in range(WINDOW_DAYS - 1, -1, -1)]
    week_starts = days[::WEEK]
    ids = [row.member_id for row in rows]
    result = await session.execute(
        select(
            TrainingSession.member_id,
            TrainingSession.local_date,
            TrainingSession.max_pain,
            SESSION_DONE.label("done"),
        ).where(
            TrainingSession.member_id.in_(ids),
            TrainingSession.local_date >= days[0],
            TrainingSession.local_date <= today,
        )
    )
    day_index = {day: index for index, day in enumerate(days)}
    row_index = {member_id: index for index, member_id in enumerate(ids)}
    pain: list[list[int | None]] = [[None] * len(days) for _ in ids]
    sessions = [[0] * len(week_starts) for _ in ids]
    for member_id, local_date, max_pain, done in result:
        row, day = row_index[member_id], day_index[local_date]
        pain[row][day] = max_pain
        if done:
            sessions[row][day // WEEK] += 1
    return ChartData([row.name for row in rows], days, pain, week_starts, sessions)


async def group_names(session: AsyncSession, group_id: int) -> dict[int, str]:
    """Member id to dashboard name, for every member the group may see."""
    members = await session.execute(
        select(Member.id, Member.first_name).where(_shared_with(group_id))
    )
    return _labels([(member_id, name) for member_id, name in members])


async def find_member(session: AsyncSession, group_id: int, typed: str) -> NameMatch:
    """The one member of the group whose dashboard name is `typed` or starts with it."""
    labels = await group_names(session, group_id)
    wanted = " ".join(typed.split()).casefold()
    exact = [member_id for member_id, label in labels.items() if label.casefold() == wanted]
    if not exact:
        exact = [
            member_id for member_id, label in labels.items() if label.casefold().startswith(wanted)
        ]
    if len(exact) == 1:
        return NameMatch(exact[0], labels[exact[0]], [])
    return NameMatch(
        None, None, sorted((labels[member_id] for member_id in exact), key=str.casefold)
    )


async def member_detail(
    session: AsyncSession, group_id: int, match: NameMatch, library: Library, now: datetime
) -> MemberDetail | None:
    """One member's dashboard row, recent sessions and the coaching decisions with reasons."""
    if match.member_id is None:
        return None
    found = await _rows(session, group_id, library, now, member_id=match.member_id)
    if not found or match.name is None:
        return None
    zone = await session.scalar(select(Member.timezone).where(Member.id == match.member_id))
    today = now.astimezone(member_zone(zone)).date()
    row = replace(found[0], name=match.name)
    exercises = (
        select(
            ExerciseResultRow.session_id,
            func.count().label("total"),
            func.count(case((ExerciseResultRow.skipped.is_(False), 1))).label("done"),
        )
        .join(TrainingSession, TrainingSession.id == ExerciseResultRow.session_id)
        .where(TrainingSession.member_id == row.member_id)
        .group_by(ExerciseResultRow.session_id)
        .subquery("exercises")
    )
    sessions = await session.execute(
        select(
            TrainingSession.local_date,
            TrainingSession.status,
            SESSION_DONE,
            TrainingSession.max_pain,
            exercises.c.done,
            exercises.c.total,
        )
        .outerjoin(exercises, exercises.c.session_id == TrainingSession.id)
        .where(TrainingSession.member_id == row.member_id, TrainingSession.local_date <= today)
        .order_by(TrainingSession.local_date.desc())
        .limit(RECENT_SESSIONS)
    )
    decisions = await session.scalars(
        select(DecisionRow)
        .where(DecisionRow.member_id == row.member_id)
        .order_by(DecisionRow.created_at.desc(), DecisionRow.id.desc())
        .limit(RECENT_DECISIONS)
    )
    return MemberDetail(
        row=row,
        sessions=[
            SessionLine(day, status, bool(done), pain, exercises_done or 0, total or 0)
            for day, status, done, pain, exercises_done, total in sessions
        ],
        decisions=[
            DecisionLine(
                d.local_date, d.kind, d.ladder_id, d.from_variation, d.to_variation, d.reason
            )
            for d in decisions
        ],
    )

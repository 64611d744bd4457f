"""The weekly PEG (Krebs 2009): how the member's week went, beyond the pain of each session.

Three questions about the past week, each 0-10: average pain, how much pain got in the way of
enjoying life, and of general activity. Offered on the daily reminder until answered that local
week (Monday to Sunday), asked in one message that steps through the three items, answered by
button or typed ("4 5 3", or one number for the item asked). Answers are stored as given, so a
restart asks the next item; the score is the mean of the three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, PegScore
from bot.services.buttons import PEG_ITEMS
from bot.services.members import Flow, Reply, TypedAnswer, find_member, today_for

# As the buttons name the items (short, for the 51 bytes of callback data), in asking order.
ITEMS = PEG_ITEMS


def week_of(day: date) -> date:
    """The Monday of the local week `day` is in."""
    return day - timedelta(days=day.weekday())


def score(answers: Sequence[int]) -> float:
    """The PEG score: the mean of the three items (Krebs 2009)."""
    return round(sum(answers) / len(answers), 1)


@dataclass(frozen=True)
class AskPeg:
    """The PEG message: the answers so far and the item asked now."""

    week: date
    answers: tuple[int | None, int | None, int | None]

    @property
    def item(self) -> str:
        return ITEMS[self.answers.index(None)]


@dataclass(frozen=True)
class PegNotUnderstood:
    """Typed text that is no answer to the PEG: say what it takes, with the keypad again."""

    question: AskPeg


@dataclass(frozen=True)
class PegDone:
    week: date
    answers: tuple[int, int, int]
    first: float | None  # the member's first PEG score, when this is a later week
    already: bool = False  # answered before this week: nothing was changed


@dataclass(frozen=True)
class PegClosed:
    """A PEG button of a week that is over, or for someone not in the programme."""


@dataclass(frozen=True)
class PegPoint:
    week: date
    score: float


def _answers(row: PegScore) -> tuple[int | None, int | None, int | None]:
    return row.pain, row.enjoyment, row.activity


def _store(row: PegScore, item: str, value: int) -> None:
    setattr(row, {"pain": "pain", "enjoy": "enjoyment", "activity": "activity"}[item], value)


async def _this_week(
    session: AsyncSession, member: Member, week: date, *, create: bool
) -> PegScore | None:
    statement = select(PegScore).where(PegScore.member_id == member.id, PegScore.week_start == week)
    row = (await session.execute(statement)).scalar_one_or_none()
    if row is None and create:
        row = PegScore(member_id=member.id, week_start=week)
        session.add(row)
        await session.flush()
    return row


async def answered_weeks(
    session: AsyncSession, member_ids: set[int], weeks: set[date]
) -> frozenset[tuple[int, date]]:
    """(member, week) pairs with a complete PEG: the reminder offers it to the others."""
    if not member_ids:
        return frozenset()
    rows = await session.execute(
        select(PegScore.member_id, PegScore.week_start).where(
            PegScore.member_id.in_(member_ids),
            PegScore.week_start.in_(weeks),
            PegScore.answered_at.is_not(None),
        )
    )
    return frozenset((member_id, week) for member_id, week in rows)


async def history(session: AsyncSession, member_id: int) -> list[PegPoint]:
    """Every complete PEG of the member, oldest first."""
    rows = await session.execute(
        select(PegScore)
        .where(PegScore.member_id == member_id, PegScore.answered_at.is_not(None))
        .order_by(PegScore.week_start)
    )
    return [PegPoint(row.week_start, score(_complete(row))) for row in rows.scalars()]


def _complete(row: PegScore) -> tuple[int, int, int]:
    assert row.pain is not None and row.enjoyment is not None and row.activity is not None
    return row.pain, row.enjoyment, row.activity


async def _done(session: AsyncSession, member: Member, row: PegScore, *, already: bool) -> PegDone:
    points = await history(session, member.id)
    first = points[0].score if points and points[0].week != row.week_start else None
    return PegDone(row.week_start, _complete(row), first, already)


async def _next(
    session: AsyncSession, member: Member, row: PegScore, now: datetime, *, already: bool = False
) -> Reply:
    if None in _answers(row):
        return AskPeg(row.week_start, _answers(row))
    if row.answered_at is None:
        row.answered_at = now
    return await _done(session, member, row, already=already)


async def open_peg(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """The reminder's weekly-check button: this week's PEG, where the member left it."""
    member = await find_member(session, user_id)
    if member is None or member.onboarded_at is None:
        return [PegClosed()]
    week = week_of(today_for(member, now, flow.default_zone))
    row = await _this_week(session, member, week, create=True)
    assert row is not None
    return [await _next(session, member, row, now, already=row.answered_at is not None)]


async def press(
    session: AsyncSession,
    flow: Flow,
    user_id: int,
    week: date,
    item: str,
    value: int,
    now: datetime,
) -> list[Reply]:
    """One keypad press; nothing when it is not the item open now (an old or repeated press)."""
    member = await find_member(session, user_id)
    if member is None or week != week_of(today_for(member, now, flow.default_zone)):
        return [PegClosed()]
    row = await _this_week(session, member, week, create=False)
    if row is None or row.answered_at is not None or AskPeg(week, _answers(row)).item != item:
        return []
    _store(row, item, value)
    return [await _next(session, member, row, now)]


async def answer_typed(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply] | None:
    """A typed answer while this week's PEG is open: three numbers ("4 5 3") answer every item,
    one number the item asked; anything else re-asks. None when no PEG is open."""
    week = week_of(today_for(member, now, flow.default_zone))
    row = await _this_week(session, member, week, create=False)
    if row is None or row.answered_at is not None:
        return None
    if answer.scores is not None:
        for item, value in zip(ITEMS, answer.scores, strict=True):
            _store(row, item, value)
    elif answer.pain is not None:
        _store(row, AskPeg(week, _answers(row)).item, answer.pain)
    else:
        return [PegNotUnderstood(AskPeg(week, _answers(row)))]
    return [await _next(session, member, row, now)]

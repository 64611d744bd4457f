"""The weekly PEG kept per member and local week, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.services import outcomes
from bot.services.members import Flow
from tests.progress_data import add_member

Maker = async_sessionmaker[AsyncSession]
USER = 5201
# Sunday 29 November 2026, 23:30 in UTC is already Monday 30 November in Berlin (UTC+1).
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
BERLIN_MONDAY = date(2026, 11, 30)


async def _answer_all(
    maker: Maker, flow: Flow, now: datetime, values: tuple[int, int, int]
) -> tuple[date, object]:
    async with maker.begin() as session:
        [asked] = await outcomes.open_peg(session, flow, USER, now)
    assert isinstance(asked, outcomes.AskPeg)
    reply: object = None
    for item, value in zip(outcomes.ITEMS, values, strict=True):
        async with maker.begin() as session:
            [reply] = await outcomes.press(session, flow, USER, asked.week, item, value, now)
    return asked.week, reply


async def test_one_peg_per_local_week_compared_with_the_first(
    sessionmaker: Maker, library: Library
) -> None:
    flow = Flow(library, "UTC")
    async with sessionmaker.begin() as session:
        member = await add_member(session, USER, zone="Europe/Berlin", onboarded_on=BERLIN_MONDAY)
        member_id = member.id

    week, done = await _answer_all(sessionmaker, flow, SUNDAY_NIGHT, (6, 7, 5))
    assert week == BERLIN_MONDAY  # the member's own week, not UTC's
    assert done == outcomes.PegDone(BERLIN_MONDAY, (6, 7, 5), first=None)
    async with sessionmaker() as session:
        assert await outcomes.answered_weeks(session, {member_id}, {week}) == {(member_id, week)}
        # Answered once this week: opening it again changes nothing.
        [again] = await outcomes.open_peg(session, flow, USER, SUNDAY_NIGHT + timedelta(days=2))
    assert again == outcomes.PegDone(BERLIN_MONDAY, (6, 7, 5), first=None, already=True)

    next_week = SUNDAY_NIGHT + timedelta(days=7)
    async with sessionmaker.begin() as session:
        # Last week's keypad is closed in the new week.
        stale = await outcomes.press(session, flow, USER, week, "pain", 1, next_week)
    assert stale == [outcomes.PegClosed()]
    later, done = await _answer_all(sessionmaker, flow, next_week, (3, 4, 2))
    assert later == BERLIN_MONDAY + timedelta(days=7)
    assert done == outcomes.PegDone(later, (3, 4, 2), first=6.0)
    async with sessionmaker() as session:
        points = await outcomes.history(session, member_id)
    assert points == [outcomes.PegPoint(week, 6.0), outcomes.PegPoint(later, 3.0)]


async def test_a_press_for_an_item_already_answered_changes_nothing(
    sessionmaker: Maker, library: Library
) -> None:
    flow = Flow(library, "UTC")
    async with sessionmaker.begin() as session:
        await add_member(session, USER, zone="Europe/Berlin", onboarded_on=BERLIN_MONDAY)
        assert await outcomes.open_peg(session, flow, USER, SUNDAY_NIGHT) == [
            outcomes.AskPeg(BERLIN_MONDAY, (None, None, None))
        ]
        await outcomes.press(session, flow, USER, BERLIN_MONDAY, "pain", 4, SUNDAY_NIGHT)
        assert (
            await outcomes.press(session, flow, USER, BERLIN_MONDAY, "pain", 9, SUNDAY_NIGHT) == []
        )
        [now_asked] = await outcomes.open_peg(session, flow, USER, SUNDAY_NIGHT)
    assert now_asked == outcomes.AskPeg(BERLIN_MONDAY, (4, None, None))
    assert now_asked.item == "enjoy"

"""A session left open closes when the member's own day ends (Berlin here), as a stopped one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import DecisionRow, ExerciseResultRow, TrainingSession
from bot.services import day_close
from bot.services.members import Flow, TypedAnswer
from tests.integration.test_member_services import NOW, USER, enrol, run, today, typed

Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
def flow(library: Library) -> Flow:
    return Flow(library, "UTC")


# NOW is 11:00 UTC on 10 March, noon in Berlin where the member lives; that day ends 23:00 UTC.
BEFORE_BERLIN_MIDNIGHT = NOW.replace(hour=22, minute=55)
AFTER_BERLIN_MIDNIGHT = NOW.replace(hour=23, minute=5)


async def half_done(maker: Maker, flow: Flow) -> None:
    """First exercise done (8 reps, pain 2); the second's reps answered, its pain never given."""
    await enrol(maker, flow)
    await today(maker, flow)
    await typed(maker, flow, TypedAnswer(reps=8))
    await typed(maker, flow, TypedAnswer(pain=2))
    await typed(maker, flow, TypedAnswer(all_done=True))


async def due(maker: Maker, flow: Flow, now: datetime) -> list[int]:
    return await run(maker, lambda s: day_close.members_with_ended_days(s, now, flow.default_zone))


async def state(maker: Maker) -> tuple[TrainingSession, list[ExerciseResultRow], list[DecisionRow]]:
    async with maker() as session:
        training = await session.scalar(select(TrainingSession))
        results = (await session.scalars(select(ExerciseResultRow).order_by("position"))).all()
        decisions = (
            await session.scalars(select(DecisionRow).where(DecisionRow.session_id == training.id))
        ).all()
        return training, list(results), list(decisions)


async def test_an_open_session_stays_open_until_the_members_midnight_then_closes_as_stopped(
    sessionmaker: Maker, flow: Flow
) -> None:
    await half_done(sessionmaker, flow)
    _, _, opening_decisions = await state(sessionmaker)

    assert await due(sessionmaker, flow, BEFORE_BERLIN_MIDNIGHT) == []
    assert await due(sessionmaker, flow, AFTER_BERLIN_MIDNIGHT) == [USER]
    await run(
        sessionmaker,
        lambda s: day_close.close_ended_day(s, flow, USER, AFTER_BERLIN_MIDNIGHT),
    )
    training, results, decisions = await state(sessionmaker)

    assert training.status == "stopped" and training.local_date == date(2026, 3, 10)
    assert [(r.reps_done, r.pain, r.skipped) for r in results] == [
        (8, 2, False),  # counts
        (results[1].reps_done, None, True),  # reps without pain: not done
    ]
    assert len(decisions) > len(opening_decisions)  # the rules weighed what was done
    assert {d.local_date for d in decisions} == {date(2026, 3, 10)}
    assert await due(sessionmaker, flow, AFTER_BERLIN_MIDNIGHT) == []


async def test_after_days_of_downtime_the_first_run_closes_what_it_missed_once(
    sessionmaker: Maker, flow: Flow
) -> None:
    await half_done(sessionmaker, flow)
    later = NOW + timedelta(days=3)

    for user_id in await due(sessionmaker, flow, later):
        await run(sessionmaker, lambda s, u=user_id: day_close.close_ended_day(s, flow, u, later))
    training, _, decisions = await state(sessionmaker)
    await run(sessionmaker, lambda s: day_close.close_ended_day(s, flow, USER, later))

    assert training.status == "stopped" and training.finished_at is not None
    again = (await state(sessionmaker))[2]
    assert [d.id for d in again] == [d.id for d in decisions]  # a second close adds nothing

"""Check-ins while paused, on a simulated clock: 3 and 7 days after a pain pause, at the
member's reminder time, each exactly once, nothing after the second, nothing once resumed; and
their answers (resume, keep pausing, worse)."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import Alert, CoachGroup, Member
from bot.services import pause_checkins
from bot.services.members import Flow
from bot.services.questions import AskRescreen, AskSymptom, MovedOn
from tests.reminder_data import Clock, add_member, fresh_programme, utc

Maker = async_sessionmaker[AsyncSession]
PAUSED_AT = utc(2026, 3, 2, 15, 0)  # a Monday, 16:00 in Berlin; reminders at 08:00 Berlin


@pytest.fixture
def flow(library: Library) -> Flow:
    return Flow(library, "UTC")


async def paused_member(maker: Maker, library: Library, status: str = "paused_pain") -> int:
    async with maker.begin() as session:
        programme = {**fresh_programme(library, PAUSED_AT.date()), "status": status}
        member = await add_member(
            session, 8801, next_at=None, status=status, programme=programme, at=time(8, 0)
        )
        return member.id


async def tick(maker: Maker, flow: Flow, clock: Clock) -> list[pause_checkins.PauseCheckinDue]:
    async with maker.begin() as session:
        return await pause_checkins.claim_due(session, flow, clock())


async def test_two_check_ins_at_the_reminder_time_each_once_then_nothing(
    sessionmaker: Maker, library: Library, flow: Flow
) -> None:
    await paused_member(sessionmaker, library)
    clock = Clock(PAUSED_AT)
    assert await tick(sessionmaker, flow, clock) == []  # the pause is noted, nothing due yet
    sent: list[tuple[object, int]] = []
    for _ in range(24 * 10):  # ten days, hour by hour
        clock.advance(hours=1)
        sent += [(clock(), due.number) for due in await tick(sessionmaker, flow, clock)]
        sent += [(clock(), due.number) for due in await tick(sessionmaker, flow, clock)]
    # Monday + 3 days = Thursday 08:00 Berlin (07:00 UTC); + 7 days = the next Monday.
    assert sent == [(utc(2026, 3, 5, 7, 0), 1), (utc(2026, 3, 9, 7, 0), 2)]
    clock.advance(days=30)
    assert await tick(sessionmaker, flow, clock) == []


async def test_a_resume_before_the_check_in_cancels_it(
    sessionmaker: Maker, library: Library, flow: Flow
) -> None:
    member_id = await paused_member(sessionmaker, library)
    clock = Clock(PAUSED_AT)
    await tick(sessionmaker, flow, clock)
    async with sessionmaker.begin() as session:
        member = await session.get(Member, member_id)
        assert member is not None and member.pause_checkin_due_at is not None
        member.status = "active"  # as store_state writes it when the programme resumes
        member.pause_checkin_due_at = None
    clock.advance(days=8)
    assert await tick(sessionmaker, flow, clock) == []


async def answer(maker: Maker, flow: Flow, number: int, choice: str) -> list[object]:
    async with maker.begin() as session:
        return await pause_checkins.answer(session, flow, 8801, number, choice, PAUSED_AT)


async def test_answers_resume_runs_the_check_keep_waits_and_worse_alerts_and_asks(
    sessionmaker: Maker, library: Library, flow: Flow
) -> None:
    member_id = await paused_member(sessionmaker, library)
    async with sessionmaker.begin() as session:
        group = CoachGroup(chat_id=-77, title="Back club", invite_code="c", created_by_user_id=1)
        session.add(group)
        await session.flush()
        member = await session.get(Member, member_id)
        assert member is not None
        member.coach_group_id = group.id
    clock = Clock(PAUSED_AT)
    await tick(sessionmaker, flow, clock)
    clock.advance(days=3, hours=17)
    (due,) = await tick(sessionmaker, flow, clock)
    assert (due.number, due.last) == (1, False)
    assert isinstance((await answer(sessionmaker, flow, 2, "keep"))[0], MovedOn)
    assert await answer(sessionmaker, flow, 1, "keep") == [pause_checkins.KeepPausing(last=False)]
    resumed = await answer(sessionmaker, flow, 1, "resume")
    assert resumed == [AskRescreen(resumed[0].questions, weekly=False)]
    worse = await answer(sessionmaker, flow, 1, "worse")
    assert worse[0] == pause_checkins.WorseWhilePaused("Back club")
    assert isinstance(worse[1], AskSymptom)
    async with sessionmaker() as session:
        kinds = (await session.scalars(select(Alert.kind))).all()
    assert kinds == ["worse_paused"]


async def test_a_check_in_button_before_any_was_sent_has_moved_on(
    sessionmaker: Maker, library: Library, flow: Flow
) -> None:
    await paused_member(sessionmaker, library)
    replies = await answer(sessionmaker, flow, 1, "keep")
    assert isinstance(replies[0], MovedOn)

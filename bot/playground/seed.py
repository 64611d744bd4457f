"""`--seed demo`: a coach group with a few simulated members and weeks of history.

Nothing is written by hand: each member joins through the group's invite code, onboards and
trains day by day through the same services the bot's handlers call (so the coaching core plans
each session and decides after it), with the clock set to each simulated day. The dashboard,
charts and missed-days alerts then have something real to show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.services import coach_groups, conversation, onboarding, sessions
from bot.services.members import Flow, Person, Reply
from bot.services.questions import (
    AskActivity,
    AskBaselinePain,
    AskConsent,
    AskEquipment,
    AskHold,
    AskPain,
    AskReminderTime,
    AskReps,
    AskRescreen,
    AskScreenItem,
    AskTimezone,
    ConfirmTimezone,
)
from handlers.answers import read

HISTORY_DAYS = 24
TRAINING_HOUR = time(8, 0)
# A guard against a question the simulation cannot answer: fail instead of looping.
MAX_ANSWERS_PER_DAY = 60


@dataclass(frozen=True)
class Simulated:
    """A simulated member: who, how much it hurts on day n, and on which days they skip."""

    user_id: int
    name: str
    pain_on: Callable[[int], int]
    trains_on: Callable[[int], bool]


DEMO_MEMBERS = (
    # Steady and pain-free: progresses up the ladders.
    Simulated(3001, "Maya", lambda day: 1 if day % 3 else 2, lambda day: True),
    # Amber pain that eases over the weeks, a few days off.
    Simulated(3002, "Tom", lambda day: max(5 - day // 6, 2), lambda day: day % 5 != 4),
    # Trained well, then stopped: the last four days are missed (a missed-days alert).
    Simulated(3003, "Priya", lambda day: 3, lambda day: day < HISTORY_DAYS - 4),
)


def _answer_for(member: Simulated, day: int, question: Reply) -> str | None:
    """What the simulated member types to the question, or None when nothing is asked."""
    answers: dict[type, str] = {
        AskConsent: "yes",
        AskScreenItem: "no",
        AskRescreen: "no",
        AskBaselinePain: str(member.pain_on(0)),
        AskActivity: "2",
        AskEquipment: "none",
        AskReminderTime: "07:30",
        AskTimezone: "UTC",
        ConfirmTimezone: "yes",
        AskReps: "all",
        AskHold: "yes",
        AskPain: str(member.pain_on(day)),
    }
    return answers.get(type(question))


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    flow: Flow,
    *,
    chat_id: int,
    title: str,
    coach_user_id: int,
) -> bool:
    """Create the coach group with its simulated members; False if the group already exists."""
    async with sessionmaker.begin() as session:
        if await coach_groups.group_for_chat(session, chat_id) is not None:
            return False
        group = await coach_groups.open_group(
            session, chat_id=chat_id, title=title, coach_user_id=coach_user_id
        )
        code = group.invite_code
    real_start = clock.offset()
    first_day = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS)
    try:
        for member in DEMO_MEMBERS:
            for day in range(HISTORY_DAYS):
                if day and not member.trains_on(day):
                    continue
                instant = datetime.combine(first_day + timedelta(days=day), TRAINING_HOUR, UTC)
                clock.set_offset(instant - datetime.now(UTC))
                await _live_day(sessionmaker, flow, member, day, code)
    finally:
        clock.set_offset(real_start)
    return True


async def _live_day(
    sessionmaker: async_sessionmaker[AsyncSession],
    flow: Flow,
    member: Simulated,
    day: int,
    code: str,
) -> None:
    """Day 0: join through the invite and onboard; every day: today's session to its summary."""
    if day == 0:
        person = Person(member.user_id, member.user_id, member.name)
        await _converse(
            sessionmaker,
            member,
            day,
            lambda session: onboarding.start(session, flow, person, code, clock.now()),
            flow,
        )
    await _converse(
        sessionmaker,
        member,
        day,
        lambda session: sessions.open_today(session, flow, member.user_id, clock.now()),
        flow,
    )


async def _converse(
    sessionmaker: async_sessionmaker[AsyncSession],
    member: Simulated,
    day: int,
    opening: Callable[[AsyncSession], Awaitable[list[Reply]]],
    flow: Flow,
) -> None:
    """Open the conversation, then answer each question as the member would until none is left."""
    async with sessionmaker.begin() as session:
        replies = await opening(session)
    for _ in range(MAX_ANSWERS_PER_DAY):
        typed = _answer_for(member, day, replies[-1]) if replies else None
        if typed is None:
            return
        async with sessionmaker.begin() as session:
            replies = await conversation.answer_typed(
                session, flow, member.user_id, read(typed, clock.now()), clock.now()
            )
    raise RuntimeError(f"{member.name}'s simulated day {day} never ended")

"""Members straight into the database, a clock tests move by hand, and a dispatcher wired to the
fake Bot API, for the reminder tests (integration and end-to-end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.coaching import ActivityLevel, start_programme
from bot.coaching.content import Library
from bot.db.models import Member, Reminder, TrainingSession
from bot.scheduling.dispatcher import ReminderDispatcher, fanout_bot
from handlers.reminder_texts import render
from tests.botprocess import FAKE_TOKEN
from tests.fakebotapi import FakeBotAPI

GRACE = timedelta(hours=3)


@dataclass
class Clock:
    """The time a dispatcher sees; tests move it with `advance` or set `now`."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon at `now`, so no test day rolls over mid-test."""
    offset = 12 - now.astimezone(UTC).hour
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def add_member(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    zone: str = "Europe/Berlin",
    at: time = time(8, 0),
    next_at: datetime | None,
    status: str = "active",
    programme: dict[str, Any] | None = None,
    coach_group_id: int | None = None,
    first_name: str = "Alex",
) -> Member:
    member = Member(
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,
        first_name=first_name,
        consent_at=datetime(2026, 1, 1, tzinfo=UTC),
        status=status,
        programme=programme,
        baseline_pain=3,
        activity_level="some",
        equipment=[],
        onboarded_at=datetime(2026, 1, 1, tzinfo=UTC),
        timezone=zone,
        reminder_time=at,
        next_reminder_at=next_at,
        coach_group_id=coach_group_id,
    )
    session.add(member)
    await session.flush()
    return member


def fresh_programme(library: Library, today: date) -> dict[str, Any]:
    outcome = start_programme(
        library, baseline_pain=3, activity=ActivityLevel.SOME, equipment=frozenset(), today=today
    )
    return outcome.state.to_json()


async def add_session_on(session: AsyncSession, member_id: int, day: date) -> None:
    session.add(TrainingSession(member_id=member_id, local_date=day, status="finished"))
    await session.flush()


async def reminders_of(
    sessionmaker: async_sessionmaker[AsyncSession], member_id: int
) -> list[Reminder]:
    async with sessionmaker() as session:
        found = await session.scalars(
            select(Reminder).where(Reminder.member_id == member_id).order_by(Reminder.local_date)
        )
        return list(found)


async def member_row(sessionmaker: async_sessionmaker[AsyncSession], member_id: int) -> Member:
    async with sessionmaker() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return member


def telegram_bot(fake_api: FakeBotAPI) -> Bot:
    """The fan-out's own bot, as the application builds it, talking to the fake Bot API."""
    return fanout_bot(FAKE_TOKEN, fake_api.url)


def make_dispatcher(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    **options: Any,
) -> ReminderDispatcher:
    options.setdefault("retry_delays", (0.05, 0.05))
    options.setdefault("rate", 200)
    return ReminderDispatcher(bot, sessionmaker, render, grace=GRACE, clock=clock, **options)

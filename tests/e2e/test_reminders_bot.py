"""The daily reminder from the real bot process, against the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching import ProgrammeState
from bot.coaching.content import Library
from bot.db.models import Alert, CoachGroup, Reminder
from tests.botprocess import BotProcess, signed
from tests.fakebotapi import FakeBotAPI
from tests.reminder_data import (
    add_member,
    add_session_on,
    fresh_programme,
    member_row,
    midday_zone,
    reminders_of,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
async def start_bot(
    fake_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[Callable[[], Awaitable[BotProcess]]]:
    """Start the bot only once the test has put its members in the database."""
    process = BotProcess(fake_api, database_url, tmp_path)

    async def start() -> BotProcess:
        await process.start()
        return process

    yield start
    await process.stop()


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """For what the bot writes to the database, where there is no event to wait on."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the database never got there"
        await asyncio.sleep(0.05)


async def test_a_due_reminder_arrives_with_its_buttons_and_snooze_moves_it_half_an_hour(
    start_bot: Callable[[], Awaitable[BotProcess]],
    sessionmaker: async_sessionmaker[AsyncSession],
    fake_api: FakeBotAPI,
) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    local_now = now.astimezone(ZoneInfo(zone))
    async with sessionmaker.begin() as session:
        member = await add_member(
            session,
            6001,
            zone=zone,
            at=(local_now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
            next_at=now - timedelta(hours=1),  # due while the bot was down, within the grace
        )
    await start_bot()

    reminder = await fake_api.wait_for_message(6001, match="today's hip routine")
    assert reminder.button("Start")["callback_data"] == signed("sess:start")
    labels = [button["text"] for button in reminder.buttons()]
    assert any("30 min" in label for label in labels) and any("1 hour" in label for label in labels)
    assert "Skip today" in labels
    since = fake_api.cursor()
    before = datetime.now(UTC)
    await fake_api.press(fake_api.user(6001), reminder, "30 min")
    answer = await fake_api.wait_for_message(6001, since=since, match="remind you again")

    [row] = await reminders_of(sessionmaker, member.id)
    assert row.status == "pending"
    assert before + timedelta(minutes=30) <= row.due_at <= datetime.now(UTC) + timedelta(minutes=30)
    assert row.due_at.astimezone(ZoneInfo(zone)).strftime("%H:%M") in answer.body
    assert answer.message_id == reminder.message_id  # edited in place


async def test_a_member_who_blocked_the_bot_is_reachable_again_once_they_write(
    start_bot: Callable[[], Awaitable[BotProcess]],
    sessionmaker: async_sessionmaker[AsyncSession],
    fake_api: FakeBotAPI,
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        member = await add_member(
            session, 6002, zone=midday_zone(now), next_at=now - timedelta(minutes=5)
        )
    fake_api.blocked_users.add(6002)
    await start_bot()

    async def unreachable() -> bool:
        return not (await member_row(sessionmaker, member.id)).is_reachable

    await _eventually(unreachable)
    assert (await member_row(sessionmaker, member.id)).next_reminder_at is None
    fake_api.blocked_users.discard(6002)
    since = fake_api.cursor()
    await fake_api.send_text(fake_api.user(6002), "/help")
    await fake_api.wait_for_message(6002, since=since)

    async def rescheduled() -> bool:
        return (await member_row(sessionmaker, member.id)).next_reminder_at is not None

    await _eventually(rescheduled)
    assert (await member_row(sessionmaker, member.id)).is_reachable


async def test_a_second_worse_morning_pauses_with_advice_and_tells_the_coach(
    start_bot: Callable[[], Awaitable[BotProcess]],
    sessionmaker: async_sessionmaker[AsyncSession],
    fake_api: FakeBotAPI,
    library: Library,
) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    today = now.astimezone(ZoneInfo(zone)).date()
    state = ProgrammeState.from_json(fresh_programme(library, today - timedelta(days=7)))
    worse_yesterday = replace(
        state, worse_checkins_in_a_row=1, last_checkin_date=today - timedelta(days=1)
    )
    async with sessionmaker.begin() as session:
        group = CoachGroup(
            chat_id=-1006003, title="Back club", invite_code="e2e", created_by_user_id=1
        )
        session.add(group)
        await session.flush()
        member = await add_member(
            session,
            6003,
            zone=zone,
            next_at=now - timedelta(minutes=1),
            programme=worse_yesterday.to_json(),
            coach_group_id=group.id,
        )
        await add_session_on(session, member.id, today - timedelta(days=1))
    await start_bot()

    question = await fake_api.wait_for_message(6003, match="compared with before your last")
    since = fake_api.cursor()
    await fake_api.press(fake_api.user(6003), question, "Worse")
    advice = await fake_api.wait_for_message(6003, since=since, match="physiotherapist")

    assert advice.buttons() == []
    assert "/resume" in advice.body
    assert (await member_row(sessionmaker, member.id)).status == "paused_pain"
    async with sessionmaker() as session:
        alerts = (await session.scalars(select(Alert.kind))).all()
        reminder = await session.scalar(select(Reminder))
    assert alerts == ["pain_pause"]
    assert reminder is not None and reminder.nudge_due_at is None

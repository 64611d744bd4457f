"""The reminder tick on a real database with a clock the test moves: who gets what, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.services.reminders.schedule import reschedule
from bot.services.reminders.status import ReminderStatus
from tests.botprocess import signed
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.reminder_data import (
    Clock,
    add_member,
    add_session_on,
    make_dispatcher,
    member_row,
    reminders_of,
    telegram_bot,
    utc,
)

BERLIN = ZoneInfo("Europe/Berlin")


def daily_reminders(messages: list[SentMessage]) -> list[SentMessage]:
    """The reminders among the messages (the nudge has no snooze button)."""
    return [m for m in messages if any(":snooze:" in b["callback_data"] for b in m.buttons())]


@pytest.fixture
def telegram(fake_api: FakeBotAPI) -> Bot:
    return telegram_bot(fake_api)


async def test_a_due_reminder_goes_out_once_with_its_buttons_and_the_next_day_is_scheduled(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)  # 08:00 in Berlin (summer time)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 101, next_at=due)
    clock = Clock(due)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    report = await dispatcher.tick()
    clock.advance(seconds=30)
    await dispatcher.tick()

    [message] = fake_api.sent_to(101)
    assert "Alex" in message.body
    assert message.button("Start")["callback_data"] == signed("sess:start")
    assert message.button("30 min") and message.button("1 hour") and message.button("Skip")
    assert report.sent == 1
    [reminder] = await reminders_of(sessionmaker, member.id)
    assert (reminder.status, reminder.local_date) == (ReminderStatus.SENT, date(2026, 6, 10))
    assert reminder.message_id == message.message_id
    assert (await member_row(sessionmaker, member.id)).next_reminder_at == utc(2026, 6, 11, 6, 0)


async def test_nothing_goes_out_before_the_members_time(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        await add_member(session, 102, next_at=due)
    dispatcher = make_dispatcher(telegram, sessionmaker, Clock(due - timedelta(seconds=1)))

    await dispatcher.tick()

    assert fake_api.sent_to(102) == []


@pytest.mark.parametrize(
    ("zone", "at", "due"),
    [
        ("Europe/Berlin", time(7, 30), utc(2026, 1, 15, 6, 30)),  # winter, UTC+1
        ("America/New_York", time(7, 30), utc(2026, 7, 15, 11, 30)),  # summer, UTC-4
        ("Asia/Kolkata", time(21, 0), utc(2026, 7, 15, 15, 30)),  # UTC+5:30
        ("Pacific/Auckland", time(6, 0), utc(2026, 7, 14, 18, 0)),  # the day before in UTC
    ],
)
async def test_the_reminder_goes_out_at_the_local_time_in_the_members_zone(
    sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    fake_api: FakeBotAPI,
    zone: str,
    at: time,
    due: datetime,
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 103, zone=zone, at=at, next_at=None)
        reschedule(member, due - timedelta(days=1))
    clock = Clock(due - timedelta(minutes=1))
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    await dispatcher.tick()
    assert fake_api.sent_to(103) == []
    clock.now = due
    await dispatcher.tick()

    assert len(fake_api.sent_to(103)) == 1
    [reminder] = await reminders_of(sessionmaker, member.id)
    assert reminder.due_at == due
    assert reminder.local_date == due.astimezone(ZoneInfo(zone)).date()


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Spring forward: 02:00-03:00 does not exist; 02:30 goes out at 03:00 local, once.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 0, 30)),
        # Fall back: 02:00-03:00 happens twice; the first 02:30 (summer time) only.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(1, 30), utc(2026, 10, 24, 23, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 3, 8), time(1, 30), utc(2026, 3, 8, 6, 30)),
        ("America/New_York", date(2026, 11, 1), time(2, 30), utc(2026, 11, 1, 7, 30)),
        # 01:00-02:00 happens twice in New York: the first 01:30 (daylight time) only.
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
    ],
)
async def test_on_daylight_saving_days_the_reminder_goes_out_exactly_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    fake_api: FakeBotAPI,
    zone: str,
    day: date,
    at: time,
    expected: datetime,
) -> None:
    tz = ZoneInfo(zone)
    # Clocks run in UTC: aware arithmetic in a local zone would step through the DST gap wrongly.
    start = datetime.combine(day - timedelta(days=1), time(22), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day, time(6), tzinfo=tz).astimezone(UTC)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 104, zone=zone, at=at, next_at=None)
        reschedule(member, start - timedelta(hours=12))
    clock = Clock(start)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    # Tick every 10 minutes through the night the clocks change, past both changes' hours.
    while clock.now < end:
        await dispatcher.tick()
        clock.advance(minutes=10)

    [reminder] = await reminders_of(sessionmaker, member.id)
    assert (reminder.local_date, reminder.due_at) == (day, expected)
    assert len(daily_reminders(fake_api.sent_to(104))) == 1
    tomorrow = datetime.combine(day + timedelta(days=1), at, tzinfo=tz)
    assert (await member_row(sessionmaker, member.id)).next_reminder_at == tomorrow


async def test_a_reminder_two_hours_late_still_goes_out_after_downtime(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 105, next_at=due)
    dispatcher = make_dispatcher(telegram, sessionmaker, Clock(due + timedelta(hours=2)))

    await dispatcher.tick()

    assert len(fake_api.sent_to(105)) == 1
    [reminder] = await reminders_of(sessionmaker, member.id)
    assert reminder.status == ReminderStatus.SENT
    assert (await member_row(sessionmaker, member.id)).next_reminder_at == utc(2026, 6, 11, 6, 0)


async def test_a_reminder_four_hours_late_is_recorded_missed_and_tomorrow_is_scheduled(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 106, next_at=due)
    dispatcher = make_dispatcher(telegram, sessionmaker, Clock(due + timedelta(hours=4)))

    report = await dispatcher.tick()

    assert fake_api.sent_to(106) == []
    assert report.missed == 1
    [reminder] = await reminders_of(sessionmaker, member.id)
    assert (reminder.status, reminder.local_date) == (ReminderStatus.MISSED, date(2026, 6, 10))
    assert (await member_row(sessionmaker, member.id)).next_reminder_at == utc(2026, 6, 11, 6, 0)


async def test_after_days_down_each_missed_day_is_recorded_and_only_todays_goes_out(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 107, next_at=due)
    dispatcher = make_dispatcher(telegram, sessionmaker, Clock(due + timedelta(days=3, hours=1)))

    await dispatcher.tick()

    statuses = [(r.local_date.day, r.status) for r in await reminders_of(sessionmaker, member.id)]
    assert statuses == [
        (10, ReminderStatus.MISSED),
        (11, ReminderStatus.MISSED),
        (12, ReminderStatus.MISSED),
        (13, ReminderStatus.SENT),
    ]
    assert len(fake_api.sent_to(107)) == 1


@pytest.mark.parametrize("status", ["paused_pain", "paused_by_member", "stopped_red_flag"])
async def test_members_not_active_get_no_reminder_and_leave_the_schedule(
    sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    fake_api: FakeBotAPI,
    status: str,
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 108, next_at=due, status=status)
    dispatcher = make_dispatcher(telegram, sessionmaker, Clock(due))

    await dispatcher.tick()

    assert fake_api.sent_to(108) == []
    assert (await member_row(sessionmaker, member.id)).next_reminder_at is None


async def test_an_unreachable_member_gets_no_reminder(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 109, next_at=due)
        member.is_reachable = False
    await make_dispatcher(telegram, sessionmaker, Clock(due)).tick()

    assert fake_api.sent_to(109) == []


async def test_no_reminder_when_todays_session_is_already_done(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 110, next_at=due)
        await add_session_on(session, member.id, date(2026, 6, 10))
    await make_dispatcher(telegram, sessionmaker, Clock(due)).tick()

    assert fake_api.sent_to(110) == []
    [reminder] = await reminders_of(sessionmaker, member.id)
    assert reminder.status == ReminderStatus.NOT_NEEDED


async def test_after_a_session_yesterday_the_reminder_opens_with_the_morning_check(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    due = utc(2026, 6, 10, 6, 0)
    async with sessionmaker.begin() as session:
        member = await add_member(session, 111, next_at=due)
        await add_session_on(session, member.id, date(2026, 6, 9))
    await make_dispatcher(telegram, sessionmaker, Clock(due)).tick()

    [message] = fake_api.sent_to(111)
    assert "compared with before your last session" in message.body.lower()
    labels = [button["text"] for button in message.buttons()]
    assert labels == ["Better", "Same", "Worse"]

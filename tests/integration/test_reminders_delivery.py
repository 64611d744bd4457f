"""Exactly once, whatever happens: racing ticks, Telegram faults, a crash between claim and send."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.db.models import Member
from bot.scheduling import dispatcher
from bot.services.reminders.claims import claim_due
from bot.services.reminders.deliveries import Delivery, record_deliveries
from bot.services.reminders.schedule import reschedule
from bot.services.reminders.status import ReminderStatus
from tests.fakebotapi import FakeBotAPI
from tests.reminder_data import (
    GRACE,
    Clock,
    add_member,
    make_dispatcher,
    member_row,
    reminders_of,
    telegram_bot,
    utc,
)

DUE = utc(2026, 6, 10, 6, 0)  # 08:00 in Berlin


@pytest.fixture
def telegram(fake_api: FakeBotAPI) -> Bot:
    return telegram_bot(fake_api)


async def _members_due(
    sessionmaker: async_sessionmaker[AsyncSession], count: int, first_user: int
) -> list[int]:
    async with sessionmaker.begin() as session:
        members = [await add_member(session, first_user + i, next_at=DUE) for i in range(count)]
        return [member.id for member in members]


async def test_two_ticks_racing_in_two_processes_send_each_reminder_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    second_sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    fake_api: FakeBotAPI,
) -> None:
    await _members_due(sessionmaker, 90, 3000)
    clock = Clock(DUE)
    # Small claims (two seconds of sending at 15/s each), so the two ticks take turns claiming.
    first = make_dispatcher(telegram, sessionmaker, clock, rate=15)
    second = make_dispatcher(telegram_bot(fake_api), second_sessionmaker, clock, rate=15)

    reports = await asyncio.gather(first.tick(), second.tick())

    per_chat = Counter(message.chat_id for message in fake_api.outbox)
    assert per_chat == Counter(range(3000, 3090))
    assert all(report.sent > 0 for report in reports)


async def test_two_claims_racing_split_the_due_reminders_without_overlap(
    sessionmaker: async_sessionmaker[AsyncSession],
    second_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _members_due(sessionmaker, 60, 3200)

    async def claim(maker: async_sessionmaker[AsyncSession]) -> list[int]:
        async with maker.begin() as session:
            claimed = await claim_due(session, DUE, grace=GRACE, limit=100)
        return [message.member_id for message in claimed.messages]

    first, second = await asyncio.gather(claim(sessionmaker), claim(second_sessionmaker))

    assert not set(first) & set(second)
    assert len(first) + len(second) == 60


async def test_a_member_who_moves_their_time_later_after_todays_reminder_gets_no_second_one(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    [member_id] = await _members_due(sessionmaker, 1, 3300)
    clock = Clock(DUE)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)
    await dispatcher.tick()
    async with sessionmaker.begin() as session:
        member = await session.get_one(Member, member_id)
        member.reminder_time = time(18, 0)
        reschedule(member, clock.advance(minutes=5))

    clock.now = utc(2026, 6, 10, 16, 0)  # 18:00 in Berlin, the same day
    await dispatcher.tick()

    assert len(fake_api.sent_to(3300)) == 1
    assert (await member_row(sessionmaker, member_id)).next_reminder_at == utc(2026, 6, 11, 16, 0)


async def test_a_429_is_waited_out_and_the_reminder_goes_out_once(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    [member_id] = await _members_due(sessionmaker, 1, 3400)
    fake_api.fail_next("sendMessage", 429, retry_after=1)

    report = await make_dispatcher(telegram, sessionmaker, Clock(DUE)).tick()

    assert report.sent == 1
    assert len(fake_api.sent_to(3400)) == 1
    assert [method for method, _ in fake_api.calls].count("sendMessage") == 2
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert reminder.status == ReminderStatus.SENT


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_not_reminded_again(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    [member_id] = await _members_due(sessionmaker, 1, 3500)
    fake_api.blocked_users.add(3500)
    clock = Clock(DUE)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    report = await dispatcher.tick()
    clock.advance(days=1)
    await dispatcher.tick()

    assert report.unreachable == 1
    member = await member_row(sessionmaker, member_id)
    assert (member.is_reachable, member.next_reminder_at) == (False, None)
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert reminder.status == ReminderStatus.UNDELIVERABLE
    assert [method for method, _ in fake_api.calls].count("sendMessage") == 1


async def test_a_passing_5xx_is_retried_and_the_reminder_goes_out_once(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    await _members_due(sessionmaker, 1, 3600)
    fake_api.fail_next("sendMessage", 502, times=2)

    report = await make_dispatcher(telegram, sessionmaker, Clock(DUE)).tick()

    assert report.sent == 1
    assert len(fake_api.sent_to(3600)) == 1


async def test_while_telegram_is_down_reminders_wait_for_the_next_tick_and_none_is_lost(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    member_ids = await _members_due(sessionmaker, 20, 3700)
    fake_api.fail_next("sendMessage", 500, times=1000)
    clock = Clock(DUE)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock, rate=50)

    down = await dispatcher.tick()
    fake_api.clear_faults()
    clock.advance(seconds=30)
    await dispatcher.tick()

    assert (down.sent, down.handed_back) == (0, 20)
    per_chat = Counter(message.chat_id for message in fake_api.outbox)
    assert per_chat == Counter(range(3700, 3720))
    for member_id in member_ids:
        [reminder] = await reminders_of(sessionmaker, member_id)
        assert reminder.status == ReminderStatus.SENT


async def test_a_claim_left_by_a_crash_is_sent_once_its_lease_runs_out(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    [member_id] = await _members_due(sessionmaker, 1, 3800)
    async with sessionmaker.begin() as session:  # the process that claimed it died here
        await claim_due(session, DUE, grace=GRACE, limit=10)
    clock = Clock(DUE + timedelta(minutes=5))
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    await dispatcher.tick()
    assert fake_api.sent_to(3800) == []
    clock.now = DUE + timedelta(minutes=10)
    await dispatcher.tick()
    clock.advance(minutes=11)
    await dispatcher.tick()

    assert len(fake_api.sent_to(3800)) == 1
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 2)


async def test_a_clean_stop_hands_unsent_claims_back_for_the_next_start(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    await _members_due(sessionmaker, 30, 3900)
    clock = Clock(DUE)
    stopping = make_dispatcher(
        telegram, sessionmaker, clock, rate=20, keep_going=lambda: len(fake_api.outbox) < 5
    )
    await stopping.tick()
    sent_before_stop = len(fake_api.outbox)
    assert sent_before_stop < 30

    clock.advance(seconds=5)
    await make_dispatcher(telegram, sessionmaker, clock).tick()

    per_chat = Counter(message.chat_id for message in fake_api.outbox)
    assert per_chat == Counter(range(3900, 3930))


class _SendsAfterTheFirstWaitForAWrite:
    """Stands in for the fan-out bot: every send after the first finishes only once results are
    being written, i.e. while the previous batch of results is on its way to the database."""

    def __init__(self, writing: asyncio.Event) -> None:
        self.writing = writing
        self.sends = 0

    async def __aenter__(self) -> _SendsAfterTheFirstWaitForAWrite:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def send_message(self, chat_id: int, text: str, **_: object) -> SimpleNamespace:
        self.sends += 1
        if self.sends > 1:
            await self.writing.wait()
        return SimpleNamespace(message_id=chat_id)


async def test_a_send_finishing_while_results_are_being_written_is_recorded_too(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    member_ids = await _members_due(sessionmaker, 2, 3960)
    writing = asyncio.Event()

    async def slow_record(session: AsyncSession, deliveries: list[Delivery]) -> None:
        writing.set()
        await asyncio.sleep(0.2)
        await record_deliveries(session, deliveries)

    monkeypatch.setattr(dispatcher, "record_deliveries", slow_record)
    bot = _SendsAfterTheFirstWaitForAWrite(writing)

    await make_dispatcher(bot, sessionmaker, Clock(DUE)).tick()  # type: ignore[arg-type]

    for member_id in member_ids:
        [reminder] = await reminders_of(sessionmaker, member_id)
        assert reminder.status == ReminderStatus.SENT

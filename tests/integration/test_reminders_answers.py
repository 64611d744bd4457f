"""What the member does with a reminder: snooze, skip, the morning check, the one nudge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.coaching import Checkin as CheckinAnswer
from bot.coaching import ProgrammeState, Status
from bot.coaching.content import Library
from bot.db.models import Alert, Checkin, CoachGroup, DecisionRow, Member
from bot.services.reminders.answers import AnswerOutcome, answer_checkin, skip_today, snooze
from bot.services.reminders.reachability import mark_reachable_again
from bot.services.reminders.status import ReminderStatus
from tests.botprocess import signed
from tests.fakebotapi import FakeBotAPI
from tests.reminder_data import (
    Clock,
    add_member,
    add_session_on,
    fresh_programme,
    make_dispatcher,
    member_row,
    reminders_of,
    telegram_bot,
    utc,
)

DUE = utc(2026, 6, 10, 6, 0)  # 08:00 in Berlin
TODAY = date(2026, 6, 10)


@pytest.fixture
def telegram(fake_api: FakeBotAPI) -> Bot:
    return telegram_bot(fake_api)


async def _member_with_sent_reminder(
    sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    user_id: int,
    **member: Any,
) -> tuple[int, int, Clock]:
    """A member whose reminder for today went out at 08:00; returns member and reminder ids."""
    async with sessionmaker.begin() as session:
        member_id = (await add_member(session, user_id, next_at=DUE, **member)).id
    clock = Clock(DUE)
    await make_dispatcher(telegram, sessionmaker, clock).tick()
    [reminder] = await reminders_of(sessionmaker, member_id)
    return member_id, reminder.id, clock


async def test_snooze_sends_the_reminder_again_after_30_minutes_and_not_before(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    member_id, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 201)
    async with sessionmaker.begin() as session:
        answer = await snooze(session, 201, reminder_id, 30, clock.advance(minutes=2))
    assert (answer.outcome, answer.next_local_time) == (AnswerOutcome.DONE, time(8, 32))
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    clock.advance(minutes=29)
    await dispatcher.tick()
    assert len(fake_api.sent_to(201)) == 1
    clock.advance(minutes=1)
    await dispatcher.tick()

    _, again = fake_api.sent_to(201)
    assert again.button("Start")["callback_data"] == signed("sess:start")
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert reminder.status == ReminderStatus.SENT
    assert reminder.message_id == again.message_id


@pytest.mark.parametrize(
    ("minutes", "outcome", "local_time"),
    [
        (30, AnswerOutcome.DONE, time(23, 52)),  # still today in Berlin
        (60, AnswerOutcome.TOMORROW, time(23, 0)),  # would be 00:22: tomorrow's usual reminder
    ],
)
async def test_a_snooze_never_crosses_the_members_midnight(
    sessionmaker: async_sessionmaker[AsyncSession],
    telegram: Bot,
    fake_api: FakeBotAPI,
    minutes: int,
    outcome: AnswerOutcome,
    local_time: time,
) -> None:
    late = utc(2026, 6, 10, 21, 0)  # 23:00 in Berlin
    async with sessionmaker.begin() as session:
        member_id = (await add_member(session, 209, at=time(23, 0), next_at=late)).id
    clock = Clock(late)
    await make_dispatcher(telegram, sessionmaker, clock).tick()
    [reminder] = await reminders_of(sessionmaker, member_id)

    async with sessionmaker.begin() as session:
        answer = await snooze(session, 209, reminder.id, minutes, clock.advance(minutes=22))
    clock.advance(minutes=minutes)
    await make_dispatcher(telegram, sessionmaker, clock).tick()
    reminders = await reminders_of(sessionmaker, member_id)

    assert (answer.outcome, answer.next_local_time) == (outcome, local_time)
    if outcome is AnswerOutcome.TOMORROW:
        assert reminders[0].status == ReminderStatus.SKIPPED
        # No reminder of 10 June arrives on the 11th; tomorrow's is the usual one.
        assert all(r.local_date != TODAY or r.id == reminder.id for r in reminders)
        assert len(fake_api.sent_to(209)) == 1


async def test_snoozing_for_an_hour_and_tapping_twice_keeps_one_snooze(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot
) -> None:
    member_id, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 202)
    async with sessionmaker.begin() as session:
        await snooze(session, 202, reminder_id, 60, clock.now)
    async with sessionmaker.begin() as session:
        second = await snooze(session, 202, reminder_id, 60, clock.advance(minutes=5))

    assert second.next_local_time == time(9, 0)
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert (reminder.status, reminder.due_at) == (ReminderStatus.PENDING, DUE + timedelta(hours=1))


async def test_someone_elses_reminder_cannot_be_snoozed(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot
) -> None:
    member_id, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 203)
    async with sessionmaker.begin() as session:
        answer = await snooze(session, 999, reminder_id, 30, clock.now)

    assert answer.outcome is AnswerOutcome.CLOSED
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert reminder.status == ReminderStatus.SENT


async def test_skip_today_means_no_nudge_and_tomorrows_reminder_as_usual(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    member_id, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 204)
    async with sessionmaker.begin() as session:
        answer = await skip_today(session, 204, reminder_id, clock.advance(minutes=1))
    assert answer.next_local_time == time(8, 0)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    clock.advance(hours=4)
    await dispatcher.tick()
    assert len(fake_api.sent_to(204)) == 1
    clock.now = DUE + timedelta(days=1)
    await dispatcher.tick()

    assert len(fake_api.sent_to(204)) == 2
    today, tomorrow = await reminders_of(sessionmaker, member_id)
    assert (today.status, tomorrow.status) == (ReminderStatus.SKIPPED, ReminderStatus.SENT)


async def test_one_gentle_nudge_three_hours_later_and_none_after_that(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    _, _, clock = await _member_with_sent_reminder(sessionmaker, telegram, 205)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)

    clock.advance(hours=2, minutes=59)
    await dispatcher.tick()
    assert len(fake_api.sent_to(205)) == 1
    for _ in range(6):
        clock.advance(minutes=30)
        await dispatcher.tick()

    _, nudge = fake_api.sent_to(205)
    assert "nudge" in nudge.body
    assert nudge.button("Start")["callback_data"] == signed("sess:start")


async def test_no_nudge_once_todays_session_has_started(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    member_id, _, clock = await _member_with_sent_reminder(sessionmaker, telegram, 206)
    async with sessionmaker.begin() as session:
        await add_session_on(session, member_id, TODAY)
    clock.advance(hours=3)
    await make_dispatcher(telegram, sessionmaker, clock).tick()

    assert len(fake_api.sent_to(206)) == 1


async def test_a_snoozed_reminder_sent_again_is_nudged_only_once_that_day(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    _, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 207)
    dispatcher = make_dispatcher(telegram, sessionmaker, clock)
    clock.advance(hours=3)
    await dispatcher.tick()  # the nudge
    async with sessionmaker.begin() as session:
        await snooze(session, 207, reminder_id, 30, clock.now)
    clock.advance(minutes=30)
    await dispatcher.tick()  # the reminder again
    for _ in range(8):
        clock.advance(hours=1)
        await dispatcher.tick()

    bodies = [m.body for m in fake_api.sent_to(207)]
    assert len(bodies) == 3
    assert sum("nudge" in body for body in bodies) == 1


async def test_a_member_who_pauses_after_snoozing_is_not_reminded_again(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, fake_api: FakeBotAPI
) -> None:
    member_id, reminder_id, clock = await _member_with_sent_reminder(sessionmaker, telegram, 208)
    async with sessionmaker.begin() as session:
        await snooze(session, 208, reminder_id, 30, clock.now)
    async with sessionmaker.begin() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        member.status = Status.PAUSED_BY_MEMBER
    clock.advance(minutes=30)
    await make_dispatcher(telegram, sessionmaker, clock).tick()

    assert len(fake_api.sent_to(208)) == 1
    [reminder] = await reminders_of(sessionmaker, member_id)
    assert reminder.status == ReminderStatus.CANCELLED


async def test_the_morning_check_is_stored_and_weighed_by_the_coaching_rules(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, library: Library
) -> None:
    programme = fresh_programme(library, TODAY - timedelta(days=7))
    member_id, reminder_id, clock = await _member_with_sent_reminder(
        sessionmaker, telegram, 209, programme=programme
    )
    async with sessionmaker.begin() as session:
        result = await answer_checkin(
            session, library, 209, reminder_id, CheckinAnswer.WORSE, clock.now
        )

    assert result.outcome is AnswerOutcome.DONE and not result.paused
    assert result.reasons  # "nothing steps up" in plain words
    async with sessionmaker() as session:
        [checkin] = (await session.scalars(select(Checkin))).all()
        decisions = (await session.scalars(select(DecisionRow))).all()
    assert (checkin.member_id, checkin.local_date, checkin.answer) == (member_id, TODAY, "worse")
    assert [d.kind for d in decisions] == ["hold"]
    state = ProgrammeState.from_json((await member_row(sessionmaker, member_id)).programme or {})
    assert state.worse_checkin_since_last_session


async def test_answering_the_morning_check_twice_counts_once(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, library: Library
) -> None:
    programme = fresh_programme(library, TODAY - timedelta(days=7))
    member_id, reminder_id, clock = await _member_with_sent_reminder(
        sessionmaker, telegram, 210, programme=programme
    )
    for answer in (CheckinAnswer.WORSE, CheckinAnswer.BETTER):
        async with sessionmaker.begin() as session:
            await answer_checkin(session, library, 210, reminder_id, answer, clock.now)

    async with sessionmaker() as session:
        answers = (await session.scalars(select(Checkin.answer))).all()
    assert answers == ["worse"]
    state = ProgrammeState.from_json((await member_row(sessionmaker, member_id)).programme or {})
    assert state.worse_checkins_in_a_row == 1


async def test_a_second_worse_morning_pauses_alerts_the_coach_and_stops_reminders(
    sessionmaker: async_sessionmaker[AsyncSession], telegram: Bot, library: Library
) -> None:
    state = ProgrammeState.from_json(fresh_programme(library, TODAY - timedelta(days=7)))
    yesterday_worse = replace(
        state, worse_checkins_in_a_row=1, last_checkin_date=TODAY - timedelta(days=1)
    )
    async with sessionmaker.begin() as session:
        group = CoachGroup(chat_id=-100, title="Back club", invite_code="x1", created_by_user_id=1)
        session.add(group)
        await session.flush()
        group_id = group.id
    member_id, reminder_id, clock = await _member_with_sent_reminder(
        sessionmaker,
        telegram,
        211,
        programme=yesterday_worse.to_json(),
        coach_group_id=group_id,
    )
    async with sessionmaker.begin() as session:
        result = await answer_checkin(
            session, library, 211, reminder_id, CheckinAnswer.WORSE, clock.now
        )

    assert result.paused
    assert any("GP or a physiotherapist" in reason for reason in result.reasons)
    member = await member_row(sessionmaker, member_id)
    assert (member.status, member.next_reminder_at) == (Status.PAUSED_PAIN, None)
    async with sessionmaker() as session:
        [alert] = (await session.scalars(select(Alert))).all()
        kinds = (await session.scalars(select(DecisionRow.kind))).all()
    assert (alert.member_id, alert.kind, alert.local_date) == (member_id, "pain_pause", TODAY)
    assert kinds == ["pause"]


async def test_a_member_who_writes_again_after_blocking_is_rescheduled(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 212, next_at=None)
        member.is_reachable = False
    async with sessionmaker.begin() as session:
        assert await mark_reachable_again(session, 212, DUE - timedelta(hours=3))
    async with sessionmaker.begin() as session:
        assert not await mark_reachable_again(session, 212, DUE - timedelta(hours=3))

    member = await member_row(sessionmaker, member.id)
    assert member.is_reachable
    assert member.next_reminder_at == DUE

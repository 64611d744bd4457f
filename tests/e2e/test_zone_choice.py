"""A typed UTC offset is answered with real zones by city, so daylight saving is kept.

"UTC+1" used to become `Etc/GMT-1`, which never changes its clocks: a Berlin member's reminder
came an hour late all summer. The bot runs in this process (`tests.inprocess`) so its clock can
stand on a winter day for onboarding and on a summer day afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot import clock
from bot.coaching.content import Library
from bot.db.models import Member
from bot.playground.botapi import SentMessage
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import Harness, bot_in_process

pytestmark = pytest.mark.e2e

MIA = 8201
WINTER = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)  # Berlin is UTC+1
SUMMER = datetime(2027, 7, 14, 10, 0, tzinfo=UTC)  # Berlin is UTC+2, London UTC+1


@pytest.fixture
async def bot(fake_api: FakeBotAPI, database_url: str, library: Library) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        yield found


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """The bot's one clock stands (and runs on) from `instant`; real time again afterwards."""
    clock.set_offset(instant - datetime.now(UTC))
    try:
        yield
    finally:
        clock.set_offset(timedelta(0))


def last_to(bot: Harness, user_id: int) -> SentMessage:
    return next(m for m in reversed(bot.api.outbox) if m.chat_id == user_id)


async def up_to_the_zone_question(bot: Harness) -> None:
    asked = sum(1 for item in bot.screen.items if item.only_if is None)
    for words in ["/start", "yes", *["no"] * asked, "3", "2", "none", "07:30"]:
        await bot.say(MIA, words)
    assert "Which time zone" in last_to(bot, MIA).body


async def stored(bot: Harness) -> Member:
    async with bot.maker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == MIA))
        assert member is not None
        return member


async def test_utc_plus_one_offers_berlin_whose_reminders_follow_summer_time(bot: Harness) -> None:
    with clock_at(WINTER):
        await up_to_the_zone_question(bot)
        await bot.say(MIA, "UTC+1")
        offer = last_to(bot, MIA)
        cities = [button["text"] for button in offer.buttons()]
        assert "Berlin" in cities and "London" not in cities and len(cities) <= 5
        await bot.press(MIA, offer.button("Berlin")["callback_data"])
        assert last_to(bot, MIA).body.startswith("Europe/Berlin, now 11:")
        await bot.say(MIA, "yes")
        member = await stored(bot)
        assert member.timezone == "Europe/Berlin" and member.onboarding_step is None
        assert member.next_reminder_at == datetime(2027, 1, 16, 6, 30, tzinfo=UTC)
    with clock_at(SUMMER):
        await bot.say(MIA, "/settings")
        await bot.press(MIA, last_to(bot, MIA).button("reminder time")["callback_data"])
        await bot.say(MIA, "07:30")
        member = await stored(bot)
        assert member.reminder_time == time(7, 30)
        assert member.next_reminder_at == datetime(2027, 7, 15, 5, 30, tzinfo=UTC)  # 07:30 CEST
    assert bot.errors == []


async def test_a_typed_city_still_counts_after_the_offer_and_bare_utc_is_utc(
    bot: Harness,
) -> None:
    with clock_at(SUMMER):
        await up_to_the_zone_question(bot)
        await bot.say(MIA, "GMT-5")
        cities = [button["text"] for button in last_to(bot, MIA).buttons()]
        assert "Chicago" in cities and "New York" not in cities  # New York is UTC-4 in July
        await bot.say(MIA, "new york")
        assert last_to(bot, MIA).body.startswith("America/New_York, now 06:")
        await bot.say(MIA, "no")
        await bot.say(MIA, "UTC")
        assert last_to(bot, MIA).body.startswith("UTC, now 10:")
        await bot.say(MIA, "yes")
        assert (await stored(bot)).timezone == "UTC"
    assert bot.errors == []

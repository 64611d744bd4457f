"""The weekly PEG (Krebs 2009) from the reminder, through the real bot and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import PegScore
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.member_chat import MemberChat
from tests.reminder_data import add_member, add_session_on, fresh_programme, midday_zone

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]
OPEN = "📊 Weekly check (3 questions)"


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


async def _reminded(
    maker: Maker,
    fake_api: FakeBotAPI,
    start_bot: Callable[[], Awaitable[BotProcess]],
    user_id: int,
) -> SentMessage:
    """A member whose reminder is due when the bot starts; the reminder as it arrives."""
    now = datetime.now(UTC)
    zone = midday_zone(now)
    local_now = now.astimezone(ZoneInfo(zone))
    async with maker.begin() as session:
        await add_member(
            session,
            user_id,
            zone=zone,
            at=(local_now - timedelta(minutes=5)).time().replace(second=0, microsecond=0),
            next_at=now - timedelta(minutes=5),
        )
    await start_bot()
    return await fake_api.wait_for_message(user_id, match="today's hip routine")


async def _rows(maker: Maker) -> list[tuple[int | None, int | None, int | None, bool]]:
    async with maker() as session:
        rows = (await session.scalars(select(PegScore))).all()
    return [(r.pain, r.enjoyment, r.activity, r.answered_at is not None) for r in rows]


def edited(needle: str) -> Callable[[SentMessage], bool]:
    return lambda message: message.method == "editMessageText" and needle in message.body


async def test_the_reminder_offers_the_peg_which_steps_through_three_items_in_one_message(
    start_bot: Callable[[], Awaitable[BotProcess]], sessionmaker: Maker, fake_api: FakeBotAPI
) -> None:
    ada = MemberChat(fake_api, 6101, "Ada")
    reminder = await _reminded(sessionmaker, fake_api, start_bot, 6101)
    assert "3 quick questions" in reminder.body
    assert reminder.button("Start") and reminder.button(OPEN)

    peg = await ada.tap_on(reminder, OPEN, "👉 1. On average, how bad was your pain?")
    assert [b["text"] for b in peg.buttons()] == [str(n) for n in range(11)]
    second = await ada.tap_on(peg, "4", edited("👉 2. How much did pain get in the way of enjoy"))
    assert "✓ 1. Pain: 4" in second.body and second.message_id == peg.message_id
    third = await ada.tap_on(second, "6", edited("👉 3."))
    assert "✓ 2. Enjoying life: 6" in third.body
    done = await ada.tap_on(third, "5", edited("Your weekly score: 5.0/10"))
    assert done.buttons() == []
    assert "your first one" in done.body
    assert await _rows(sessionmaker) == [(4, 6, 5, True)]

    # A key of the first keypad again, and the reminder's button again: nothing is changed.
    since = fake_api.cursor()
    await fake_api.press(ada.user, peg, "9")
    again = await ada.tap_on(reminder, OPEN, "already done this week's check: 5.0/10")
    assert again.method == "sendMessage"
    assert not [m for m in fake_api.sent_to(6101, since) if m.method == "editMessageText"]
    assert await _rows(sessionmaker) == [(4, 6, 5, True)]


async def test_a_keypad_telegram_can_no_longer_edit_brings_the_next_item_as_a_new_message(
    start_bot: Callable[[], Awaitable[BotProcess]], sessionmaker: Maker, fake_api: FakeBotAPI
) -> None:
    """The edit is made after the handler has finished, so the sender says it anew."""
    cleo = MemberChat(fake_api, 6104, "Cleo")
    reminder = await _reminded(sessionmaker, fake_api, start_bot, 6104)
    peg = await cleo.tap_on(reminder, OPEN, "👉 1.")
    del fake_api.messages[(6104, peg.message_id)]  # deleted on her other phone as she tapped

    second = await cleo.tap_on(peg, "4", "👉 2. How much did pain get in the way of enjoy")

    assert second.method == "sendMessage" and "✓ 1. Pain: 4" in second.body
    assert len(second.buttons()) == 11
    assert await _rows(sessionmaker) == [(4, None, None, False)]


async def test_the_peg_can_be_typed_all_at_once_and_a_word_gets_the_keypad_again(
    start_bot: Callable[[], Awaitable[BotProcess]], sessionmaker: Maker, fake_api: FakeBotAPI
) -> None:
    ben = MemberChat(fake_api, 6102, "Ben")
    reminder = await _reminded(sessionmaker, fake_api, start_bot, 6102)
    await ben.tap_on(reminder, OPEN, "👉 1.")
    hint = await ben.say("not sure", "type all three, e.g. 4 5 3")
    assert len(hint.buttons()) == 11
    await ben.say("7", "✓ 1. Pain: 7")
    done = await ben.say("7, 8, 6", "Your weekly score: 7.0/10")
    assert "pain 7, life 8, activity 6" in done.body
    assert await _rows(sessionmaker) == [(7, 8, 6, True)]
    # With the week's check done, numbers typed are no PEG answer any more.
    other = await ben.say("3 3 3", lambda m: m.method == "sendMessage")
    assert "weekly score" not in other.body
    assert await _rows(sessionmaker) == [(7, 8, 6, True)]


async def test_after_the_morning_check_the_reminder_offers_the_peg_with_todays_choices(
    start_bot: Callable[[], Awaitable[BotProcess]],
    sessionmaker: Maker,
    fake_api: FakeBotAPI,
    library: Library,
) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    today = now.astimezone(ZoneInfo(zone)).date()
    async with sessionmaker.begin() as session:
        member = await add_member(
            session,
            6103,
            zone=zone,
            next_at=now - timedelta(minutes=1),
            programme=fresh_programme(library, today - timedelta(days=7)),
        )
        await add_session_on(session, member.id, today - timedelta(days=1))
    await start_bot()
    cat = MemberChat(fake_api, 6103, "Cat")

    question = await fake_api.wait_for_message(6103, match="compared with before your last")
    assert [b["text"] for b in question.buttons()] == ["Better", "Same", "Worse"]
    choices = await cat.tap_on(question, "Same", edited("3 quick questions"))
    assert choices.button("Start") and choices.button(OPEN)
    await cat.tap_on(choices, OPEN, "👉 1.")

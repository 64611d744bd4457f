"""A variation removed from `content/` while a member is prescribed it and mid-session.

The start-up job moves such members to the nearest rung, but until it has run (or for a ladder
that is gone altogether) every service still reads the stored ids: none may raise. The bot runs
in this process (`tests.inprocess`), so every error it meets is caught by the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.coaching.content import Library
from bot.db.models import Member, TrainingSession
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import Harness, bot_in_process

pytestmark = pytest.mark.e2e

MIA = 8301
GONE = "a_rung_taken_out"


@pytest.fixture
async def bot(fake_api: FakeBotAPI, database_url: str, library: Library) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        yield found


async def enrolled_mid_session(bot: Harness) -> None:
    asked = sum(1 for item in bot.screen.items if item.only_if is None)
    for words in ["/start", "yes", *["no"] * asked, "3", "2", "none", "07:30", "UTC", "yes"]:
        await bot.say(MIA, words)
    await bot.say(MIA, "/today")


async def remove_from_content(bot: Harness) -> str:
    """Point Mia's first prescription and her open session's exercise at an unknown id."""
    async with bot.maker.begin() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == MIA))
        assert member is not None and member.programme is not None
        training = await session.scalar(
            select(TrainingSession).where(TrainingSession.member_id == member.id)
        )
        assert training is not None and training.status == "in_progress"
        plan = [dict(entry) for entry in training.plan]
        ladder = plan[training.position]["ladder_id"]
        plan[training.position]["variation_id"] = GONE
        training.plan = plan
        programme = dict(member.programme)
        prescriptions = dict(programme["prescriptions"])
        prescriptions[ladder] = {**prescriptions[ladder], "variation_id": GONE}
        programme["prescriptions"] = prescriptions
        member.programme = programme
        return ladder


def replies_to(bot: Harness, since: int) -> list[str]:
    return [m.body for m in bot.api.outbox[since:] if m.chat_id == MIA]


@pytest.mark.parametrize("command", ["/today", "/why", "/progress", "/history"])
async def test_a_removed_variation_never_raises_and_each_command_answers(
    bot: Harness, library: Library, command: str
) -> None:
    await enrolled_mid_session(bot)
    ladder = await remove_from_content(bot)
    since = len(bot.api.outbox)
    await bot.say(MIA, command)
    # /progress runs apart from the update (block=False): wait for its answer.
    await bot.api.wait_for_message(MIA, since=since, match=lambda message: True)
    assert bot.errors == []
    answered = replies_to(bot, since)
    assert answered and not any("went wrong" in body for body in answered), answered
    if command == "/today":  # the exercise is named by its ladder, and can still be answered
        assert any(library.ladder(ladder).name in body for body in answered), answered


async def test_the_session_can_be_answered_to_its_end_without_raising(bot: Harness) -> None:
    await enrolled_mid_session(bot)
    await remove_from_content(bot)
    for _ in range(40):  # answers for every exercise left, whatever each one asks
        async with bot.maker() as session:
            training = await session.scalar(select(TrainingSession))
            assert training is not None
            if training.status != "in_progress":
                break
        await bot.say(MIA, {"reps": "all", "hold": "yes"}.get(training.step, "2"))
    assert training.status == "finished"
    assert bot.errors == []
    await bot.say(MIA, "/today")  # the summary, then tomorrow's plan reads the same programme
    assert bot.errors == []

"""Every member command, arriving while a question is open, says what happened to it.

One mechanism does it for all (`questions.on_command`, run ahead of every command in
`texts.COMMAND_MENU`): a symptom question is asked again and the command waits; a settings
question is closed, saying so; today's open session waits, saying so. The bot runs in this
process (`tests.inprocess`), so all commands × three open questions × both databases stay fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.coaching.content import Library
from bot.db.models import Member, TrainingSession
from bot.services.questions import SESSION_COMMANDS
from handlers.texts import COMMAND_MENU
from tests.botprocess import signed
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import Harness, bot_in_process

pytestmark = pytest.mark.e2e

MIA = 8401
COMMANDS = [name for name, _ in COMMAND_MENU]
CLOSED = "closed the open question about your reminder time"
WAITS = "Today's session waits at exercise 1 of"
SAFETY_FIRST = "safety question"


@pytest.fixture
async def bot(fake_api: FakeBotAPI, database_url: str, library: Library) -> AsyncIterator[Harness]:
    async with bot_in_process(fake_api, database_url, library) as found:
        asked = sum(1 for item in found.screen.items if item.only_if is None)
        for words in ["/start", "yes", *["no"] * asked, "3", "2", "none", "07:30", "UTC", "yes"]:
            await found.say(MIA, words)
        yield found


async def where(bot: Harness) -> tuple[str | None, str, str | None]:
    async with bot.maker() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == MIA))
        assert member is not None
        training = await session.scalar(
            select(TrainingSession).where(TrainingSession.member_id == member.id)
        )
        step = None if training is None else f"{training.status}:{training.step}"
        return member.awaiting, member.status, step


async def command(bot: Harness, name: str) -> list[str]:
    """Send /name; what the bot said to Mia (waiting for /progress, which runs apart)."""
    since = len(bot.api.outbox)
    await bot.say(MIA, f"/{name}")
    await bot.api.wait_for_message(MIA, since=since, match=lambda message: True)
    return [m.body for m in bot.api.outbox[since:] if m.chat_id == MIA]


@pytest.mark.parametrize("name", COMMANDS)
async def test_a_settings_question_is_closed_saying_so(bot: Harness, name: str) -> None:
    await bot.say(MIA, "/settings")
    await bot.press(MIA, signed("set:open:time"))
    assert (await where(bot))[0] == "time"
    said = await command(bot, name)
    assert any(CLOSED in body for body in said), said
    assert (await where(bot))[0] != "time"
    assert bot.errors == []


@pytest.mark.parametrize("name", COMMANDS)
async def test_a_symptom_question_comes_first_and_the_command_waits(
    bot: Harness, name: str
) -> None:
    await bot.say(MIA, "my leg went numb")
    before = await where(bot)
    assert before[0] is not None and before[0].startswith("symptom:")
    said = await command(bot, name)
    assert any(SAFETY_FIRST in body for body in said), said
    assert await where(bot) == before  # nothing the command does has happened
    assert bot.errors == []


@pytest.mark.parametrize("name", COMMANDS)
async def test_todays_open_session_waits_saying_so(bot: Harness, name: str) -> None:
    await bot.say(MIA, "/today")
    before = await where(bot)
    assert before[2] is not None and before[2].startswith("in_progress:")
    said = await command(bot, name)
    if name in SESSION_COMMANDS:  # they resume, close, interrupt or show the session themselves
        assert not any(WAITS in body for body in said), said
    else:
        assert any(WAITS in body for body in said), said
        assert (await where(bot))[2] == before[2]
    assert bot.errors == []

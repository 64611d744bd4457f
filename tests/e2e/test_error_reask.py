"""When Telegram fails to take a reply, the member still gets the question they are at, without
retyping, and their next answer lands on that question (a lost reply once let a pain score
become reps). The handler-failure path (told, then the current question) is in
tests/integration/test_update_pipeline.py and tests/e2e/test_foundation.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ExerciseResultRow
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, onboard

pytestmark = pytest.mark.e2e


async def test_a_reply_telegram_failed_to_take_still_arrives_and_the_next_answer_lands_there(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ada = MemberChat(fake_api, 7301, "Ada")
    await onboard(ada)
    await ada.say("/today", "how many reps")
    fake_api.fail_next("sendMessage", 500)  # Telegram fails to take the reply to the reps answer
    since = fake_api.cursor()
    await fake_api.send_text(ada.user, "all")
    question = await fake_api.wait_for_message(ada.chat_id, since=since, match="right now")

    await ada.say("3", "Exercise 2 of")
    async with sessionmaker() as session:
        [result] = (await session.scalars(select(ExerciseResultRow))).all()

    assert len(fake_api.sent_to(ada.chat_id, since)) == 2  # the question, then exercise 2
    assert question.buttons()  # the pain keypad, ready to tap
    assert result.pain == 3 and result.reps_done > 3  # the 3 is the pain score, not reps

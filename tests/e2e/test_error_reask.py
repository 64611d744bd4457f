"""After a failure the member is shown their current question again, so a retyped answer lands on
the question they can see (not "try that again", which let a pain score become reps)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ExerciseResultRow
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, onboard

pytestmark = pytest.mark.e2e


async def test_a_failed_reply_re_asks_the_open_question_and_the_retyped_answer_lands_there(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ada = MemberChat(fake_api, 7301, "Ada")
    await onboard(ada)
    await ada.say("/today", "how many reps")
    fake_api.fail_next("sendMessage", 500)  # the reply to the reps answer is lost
    since = fake_api.cursor()
    await fake_api.send_text(ada.user, "all")
    sorry = await fake_api.wait_for_message(ada.chat_id, since=since, match="went wrong")
    question = await fake_api.wait_for_message(ada.chat_id, since=since, match="right now")

    await ada.say("3", "Exercise 2 of")
    async with sessionmaker() as session:
        [result] = (await session.scalars(select(ExerciseResultRow))).all()

    assert "try that again" not in sorry.body.lower()
    assert question.buttons()  # the pain keypad, ready to tap
    assert result.pain == 3 and result.reps_done > 3  # the 3 is the pain score, not reps

"""The daily session end to end: buttons and typed answers, pain stops, restarts, repeats, stale
buttons. Every member starts enrolled through the real onboarding (`onboard`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Alert, CoachGroup, DecisionRow, ExerciseResultRow, TrainingSession
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.member_chat import (
    MemberChat,
    has_buttons,
    keep_only,
    member_row,
    onboard,
    replies_settled,
    snapshot,
)

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]


async def count(maker: Maker, model: type, *where: object) -> int:
    async with maker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def training(maker: Maker) -> TrainingSession:
    async with maker() as session:
        found = await session.scalar(select(TrainingSession))
        assert found is not None
        return found


def finished(message: SentMessage) -> bool:
    return message.method == "sendMessage" and "Exercises done" in message.body


async def test_a_whole_session_by_buttons_records_every_answer_and_explains_next_time(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ada = MemberChat(fake_api, 7201, "Ada")
    summary = await onboard(ada, equipment="chair")
    await keep_only(sessionmaker, 7201, {"bridge", "clamshell", "hamstring_stretch"})
    since = fake_api.cursor()
    await ada.tap_on(summary, "Start today's session", "Glute bridge: how many reps")
    card = next(m for m in ada.sent(since) if m.body.startswith("Exercise 1 of 3: Glute bridge"))
    assert "1. " in card.body and "Key points" in card.body and "Do: 3 sets of 8" in card.body
    await ada.tap("All 8", "Glute bridge: pain in your back or leg, right now, 0–10?")
    await ada.tap("1", "Clamshell: how many reps did you do in your weakest set? (per side)")
    await ada.tap("8", "Clamshell: pain in your back or leg")
    hold = await ada.tap("2", "did you manage the full holds?")
    hold_card = ada.sent(since)[-2]
    assert "hold 30 seconds, 3 times each side" in hold_card.body
    assert [b["text"] for b in hold.buttons()][:2] == ["Yes", "Not quite"]
    await ada.tap("Not quite", "Seated hamstring stretch: pain in your back or leg")
    end = await ada.tap("0", finished)
    assert "Exercises done: 3 of 3" in end.body and "Highest pain: 2/10" in end.body
    assert "Staying the same next time" in end.body

    async with sessionmaker() as session:
        results = (await session.scalars(select(ExerciseResultRow).order_by("position"))).all()
    assert [(r.reps_done, r.hold_completed, r.pain) for r in results] == [
        (8, None, 1),
        (8, None, 2),
        (None, False, 0),
    ]
    assert (await training(sessionmaker)).status == "finished"
    assert await count(sessionmaker, DecisionRow, DecisionRow.session_id.is_not(None)) == 3
    member = await member_row(sessionmaker, 7201)
    assert member.programme is not None and member.programme["last_session_date"] is not None
    again = await ada.say("/today", "Today's session is done")
    assert "Exercises done: 3 of 3" in again.body


async def test_a_whole_session_by_typed_answers(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ben = MemberChat(fake_api, 7202, "Ben")
    await onboard(ben, equipment="chair")
    await keep_only(sessionmaker, 7202, {"bridge", "hamstring_stretch"})
    await ben.say("/today", "Glute bridge: how many reps")
    await ben.say("all", "Glute bridge: pain in your back or leg")
    await ben.say(" 3/10 ", "did you manage the full holds?")
    await ben.say("yes", "right now")
    end = await ben.say("2", finished)
    assert "Exercises done: 2 of 2" in end.body
    async with sessionmaker() as session:
        results = (await session.scalars(select(ExerciseResultRow).order_by("position"))).all()
    assert [(r.reps_done, r.hold_completed, r.pain) for r in results] == [
        (8, None, 3),
        (None, True, 2),
    ]


async def test_pain_of_8_stops_the_session_pauses_and_tells_the_coach(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    async with sessionmaker.begin() as session:
        session.add(
            CoachGroup(chat_id=-1001, title="Back club", invite_code="club8", created_by_user_id=1)
        )
    cy = MemberChat(fake_api, 7203, "Cy")
    summary = await onboard(cy, code="club8")
    await cy.tap_on(summary, "Start today's session", "how many reps")
    await cy.tap("All", "right now")
    since = fake_api.cursor()
    stop = await cy.tap("8", "Let's stop here")
    assert "GP or a physiotherapist" in stop.body and "/resume" in stop.body
    assert "«Back club»" in stop.body
    assert not any("Exercise 2 of" in m.body or has_buttons(m) for m in cy.sent(since))
    member = await member_row(sessionmaker, 7203)
    assert (member.status, member.next_reminder_at) == ("paused_pain", None)
    assert (await training(sessionmaker)).status == "stopped_for_pain"
    assert await count(sessionmaker, Alert, Alert.kind == "pain_pause") == 1
    await cy.say("3", "not waiting for an answer")


async def test_stop_for_today_finishes_with_what_was_done(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    di = MemberChat(fake_api, 7204, "Di")
    await onboard(di)
    await di.say("/today", "how many reps")
    await di.tap("Skip this one", "Why, if you don't mind?")
    await di.tap("I can't do it", "Exercise 2 of")
    await di.say("10", "right now")
    await di.tap("Stop for today", "reason for stopping")
    end = await di.tap("Something else", finished)
    assert "stop there" in end.body and "Exercises done: 0" in end.body and "Skipped: 2" in end.body
    assert (await training(sessionmaker)).status == "stopped"
    assert (await member_row(sessionmaker, 7204)).status == "active"


@pytest.mark.parametrize("crash", [False, True], ids=["sigterm", "crash"])
async def test_a_restart_mid_session_lands_the_next_answer_on_the_same_question(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker, crash: bool
) -> None:
    eve = MemberChat(fake_api, 7205, "Eve")
    await onboard(eve)
    await eve.say("/today", "how many reps")
    await eve.say("all", "right now")
    await replies_settled(sessionmaker)
    await bot.restart(crash=crash)
    await eve.say("2", "Exercise 2 of")
    async with sessionmaker() as session:
        first = await session.scalar(
            select(ExerciseResultRow).where(ExerciseResultRow.position == 0)
        )
    assert first is not None and first.pain == 2
    await replies_settled(sessionmaker)
    await bot.restart(crash=crash)
    since = fake_api.cursor()
    question = await eve.say("/today", lambda m: has_buttons(m) and "how many reps" in m.body)
    shown = [m.body for m in eve.sent(since)]
    assert shown[0].startswith("Welcome back! Picking up where you left off: exercise 2 of")
    assert shown[1].startswith("Exercise 2 of") and "how many reps" in question.body


async def test_a_repeated_update_is_answered_once_and_stored_once(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    fay = MemberChat(fake_api, 7206, "Fay")
    await onboard(fay)
    await fay.say("/today", "how many reps")
    since = fake_api.cursor()
    update_id = await fake_api.send_text(fay.user, "all")
    await fake_api.wait_for_message(fay.chat_id, since=since, match="right now")
    await fake_api.wait_until_fetched(update_id)
    message = {
        "message_id": 999,
        "date": 0,
        "chat": fake_api.private_chat(fay.user),
        "from": fay.user,
        "text": "all",
    }
    await fake_api.push_update({"message": message}, update_id=update_id)
    await fay.barrier()
    assert sum("right now" in m.body for m in fay.sent(since)) == 1
    assert not any("Please" in m.body for m in fay.sent(since))
    assert await count(sessionmaker, ExerciseResultRow) == 1


async def test_an_old_pain_keypad_has_moved_on_and_changes_nothing(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    gus = MemberChat(fake_api, 7207, "Gus")
    await onboard(gus)
    await gus.say("/today", "how many reps")
    pain = await gus.say("all", "right now")
    await gus.tap("2", "Exercise 2 of")
    await gus.say("all", "right now")
    before = await snapshot(sessionmaker, 7207)
    old_data = pain.button("5")["callback_data"]
    shown = await gus.tap_on(pain, None, has_buttons, data=old_data)
    assert fake_api.callback_answers[-1].get("text") == "That question has moved on"
    assert "right now" in shown.body and shown.button("5")["callback_data"] != old_data
    assert await snapshot(sessionmaker, 7207) == before

"""Onboarding end to end: the real bot, the fake Bot API, a member's private chat."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CoachGroup, DecisionRow
from tests.botprocess import BotProcess, signed
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, member_row, noon_offset, onboard, snapshot

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]


async def add_group(maker: Maker, code: str, title: str = "Back club") -> int:
    async with maker.begin() as session:
        group = CoachGroup(
            chat_id=-1000 - len(code), title=title, invite_code=code, created_by_user_id=1
        )
        session.add(group)
        await session.flush()
        return group.id


async def rows(maker: Maker, model: type, *where: object) -> int:
    async with maker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_onboarding_by_buttons_ends_with_the_plan_and_the_first_reminder(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    alex = MemberChat(fake_api, 7101)
    consent = await alex.say("/start", expect="Is that OK?")
    assert "Alex" in consent.body and "10–20 minutes" in consent.body
    assert "not medical advice" in consent.body
    await alex.tap("I agree", expect="Safety check 1/16")
    for number in range(2, 17):
        await alex.tap("No", expect=f"Safety check {number}/16")
    await alex.tap("No", expect="How much pain")
    await alex.tap("3", expect="How active")
    equipment = await alex.tap("I walk most days", expect="Which of these")
    ticked = await alex.tap_on(
        equipment, "Resistance band", lambda m: m.method == "editMessageReplyMarkup"
    )
    assert ticked.button("Resistance band")["text"].startswith("✓")
    await alex.tap("Done", expect="daily reminder")
    await alex.tap("08:00", expect="Which time zone")
    confirm = await alex.tap("Use UTC", expect="is that right?")
    assert confirm.body.startswith("UTC, now ")
    summary = await alex.tap("Yes", expect="You're all set")
    assert "Phase 1" in summary.body and "minutes" in summary.body
    assert "Your first reminder comes" in summary.body and "at 08:00" in summary.body
    assert summary.button("Start today's session")["callback_data"] == signed("sess:start")

    answered = fake_api.messages[(confirm.chat_id, confirm.message_id)]
    assert answered.body.endswith("✓ Yes") and not answered.buttons()
    member = await member_row(sessionmaker, 7101)
    assert (member.status, member.onboarding_step, member.equipment) == ("active", None, ["band"])
    assert (member.timezone, member.reminder_time, member.baseline_pain) == ("UTC", time(8), 3)
    assert member.next_reminder_at is not None and member.programme is not None
    assert await rows(sessionmaker, DecisionRow, DecisionRow.kind == "start") == 1


async def test_onboarding_by_typed_answers_confirms_the_zone_in_words(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    sam = MemberChat(fake_api, 7102, "Sam")
    await sam.say("/start", expect="Is that OK?")
    await sam.say("yes", expect="Safety check 1/16")
    for number in range(2, 17):
        await sam.say("No", expect=f"Safety check {number}/16")
    await sam.say("n", expect="How much pain")
    await sam.say("4/10", expect="How active")
    await sam.say("exercise regularly", expect="Which of these")
    await sam.say("band, chair", expect="daily reminder")
    await sam.say("7.15pm", expect="Which time zone")
    confirm = await sam.say("new york", expect="is that right?")
    assert confirm.body.startswith("America/New_York, now ")
    await sam.tap("No, let me type it", expect="Which time zone")
    offer = await sam.say(noon_offset(), expect="Which is yours")
    city = offer.buttons()[0]["text"]
    await sam.tap(city, expect="is that right?")
    await sam.say("yes", expect="You're all set")
    member = await member_row(sessionmaker, 7102)
    assert (member.activity_level, member.baseline_pain, member.reminder_time) == (
        "active",
        4,
        time(19, 15),
    )
    assert member.equipment == ["band", "chair_or_counter"]
    assert member.timezone is not None and member.timezone.endswith(city.replace(" ", "_"))


async def test_saying_no_to_storing_answers_keeps_nothing_but_the_refusal(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    kim = MemberChat(fake_api, 7103, "Kim")
    await kim.say("/start", expect="Is that OK?")
    declined = await kim.tap("No thanks", expect="haven't kept")
    assert "/start" in declined.body
    member = await member_row(sessionmaker, 7103)
    assert (member.first_name, member.consent_at, member.onboarding_step) == ("", None, "declined")
    assert member.draft == {} and member.baseline_pain is None
    await kim.say("my back hurts", expect="change your mind")
    again = await kim.say("/start", expect="Is that OK?")
    assert "Kim" in again.body


async def test_an_unknown_link_is_called_out_and_onboarding_carries_on_alone(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    bo = MemberChat(fake_api, 7106, "Bo")
    since = fake_api.cursor()
    consent = await bo.say("/start nosuchcode", expect="Is that OK?")
    assert any("no longer valid" in m.body for m in bo.sent(since))
    assert "shared with the coaches" not in consent.body
    await bo.tap("I agree", expect="Safety check 1/16")
    assert (await member_row(sessionmaker, 7106)).coach_group_id is None


async def test_an_enrolled_member_joins_a_group_by_link_only_after_saying_yes(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    first = await add_group(sessionmaker, "firstclub", "First club")
    second = await add_group(sessionmaker, "secondclub", "Second club")
    jo = MemberChat(fake_api, 7107, "Jo")
    await onboard(jo, code="firstclub")
    assert (await member_row(sessionmaker, 7107)).coach_group_id == first
    offer = await jo.say("/start secondclub", expect="Would you like to join?")
    assert "instead of «First club»" in offer.body
    joined = await jo.tap("Join «Second club»", expect="now shared with")
    assert "no longer with «First club»" in joined.body
    member = await member_row(sessionmaker, 7107)
    assert member.coach_group_id == second and member.status == "active"


async def test_start_again_shows_where_the_member_is_and_resets_nothing(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    mo = MemberChat(fake_api, 7108, "Mo")
    await onboard(mo, at="07:30")
    before = await snapshot(sessionmaker, 7108)
    overview = await mo.say("/start", expect="Here's where you are")
    assert "Programme: active" in overview.body and "Phase 1" in overview.body
    assert "Next reminder: tomorrow at 07:30" in overview.body
    assert "not started yet" in overview.body and "/today" in overview.body
    assert await snapshot(sessionmaker, 7108) == before


async def test_start_during_onboarding_asks_the_open_question_again(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    eli = MemberChat(fake_api, 7109, "Eli")
    await eli.say("/start", expect="Is that OK?")
    await eli.say("yes", expect="Safety check 1/16")
    await eli.say("no", expect="Safety check 2/16")
    again = await eli.say("/start", expect="Safety check")
    assert "Safety check 2/16" in again.body and again.buttons()
    assert (await member_row(sessionmaker, 7109)).onboarding_step == "screen:saddle_numbness"


async def test_a_button_from_an_answered_question_has_moved_on(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ivy = MemberChat(fake_api, 7110, "Ivy")
    await ivy.say("/start", expect="Is that OK?")
    first = await ivy.tap("I agree", expect="Safety check 1/16")
    await ivy.tap("No", expect="Safety check 2/16")
    before = await snapshot(sessionmaker, 7110)
    shown = await ivy.tap_on(
        first, None, "Safety check 2/16", data=first.button("Yes")["callback_data"]
    )
    assert fake_api.callback_answers[-1].get("text") == "That question has moved on"
    assert shown.buttons()
    assert await snapshot(sessionmaker, 7110) == before

"""/settings, /pause, /resume and /why end to end, and member commands sent to a group."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import DecisionRow
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.member_chat import MemberChat, member_row, onboard

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]


async def test_settings_change_the_time_by_button_and_the_zone_by_typing(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    hal = MemberChat(fake_api, 7301, "Hal")
    await onboard(hal, at="07:30")
    shown = await hal.say("/settings", "Your settings")
    assert "Reminder: 07:30" in shown.body and "Equipment: none" in shown.body
    await hal.tap("Change reminder time", "daily reminder")
    moved = await hal.tap("18:00", "Reminders come at 18:00")
    assert "the next one" in moved.body
    assert (await member_row(sessionmaker, 7301)).reminder_time == time(18)
    await hal.say("/settings", "Your settings")
    await hal.tap("Change reminder time", "daily reminder")
    await hal.say("6.45am", "Reminders come at 06:45")
    await hal.say("/settings", "Your settings")
    await hal.tap("Change time zone", "Which time zone")
    await hal.say("Berlin", "Europe/Berlin, now")
    await hal.tap("Yes", "(Europe/Berlin)")
    member = await member_row(sessionmaker, 7301)
    assert (member.timezone, member.reminder_time, member.awaiting) == (
        "Europe/Berlin",
        time(6, 45),
        None,
    )
    assert member.next_reminder_at is not None


async def test_changing_equipment_lets_the_programme_use_it(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ida = MemberChat(fake_api, 7302, "Ida")
    await onboard(ida, equipment="none")
    await ida.say("/settings", "Your settings")
    choice = await ida.tap("Change equipment", "Which of these")
    await ida.tap_on(choice, "Sturdy chair", lambda m: m.method == "editMessageReplyMarkup")
    changed = await ida.tap("Done", "Equipment: Sturdy chair or counter")
    assert "hamstring stretch joins your sessions" in changed.body
    member = await member_row(sessionmaker, 7302)
    assert member.equipment == ["chair_or_counter"]
    assert member.programme is not None and "hamstring_stretch" in member.programme["prescriptions"]
    async with sessionmaker() as session:
        kinds = (await session.scalars(select(DecisionRow.kind))).all()
    assert kinds.count("equipment") == 2  # left out at the start, joined now


async def test_pause_stops_reminders_and_resume_brings_them_back(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    jay = MemberChat(fake_api, 7303, "Jay")
    await onboard(jay)
    await jay.say("/pause", "Paused")
    member = await member_row(sessionmaker, 7303)
    assert (member.status, member.next_reminder_at) == ("paused_by_member", None)
    await jay.say("/today", "Your programme is paused")
    await jay.say("/pause", "already paused")
    back = await jay.say("/resume", "Welcome back")
    assert "next reminder comes" in back.body
    member = await member_row(sessionmaker, 7303)
    assert member.status == "active" and member.next_reminder_at is not None
    await jay.say("/resume", "already running")


async def pain_pause(chat: MemberChat) -> None:
    await onboard(chat)
    await chat.say("/today", "how many reps")
    await chat.say("all", "right now")
    await chat.say("9", "Let's stop here")


async def test_resume_after_a_pain_pause_asks_three_questions(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    kai = MemberChat(fake_api, 7304, "Kai")
    await pain_pause(kai)
    await kai.say("/resume", "Do you have any of these now?")
    await kai.tap("None of these", "1/3 How much pain do you have")
    await kai.tap("7", "2/3 Have you seen a doctor or physiotherapist")
    await kai.tap("Yes", "3/3 Have the symptoms settled?")
    declined = await kai.tap("No", "Not yet")
    assert "3/10 or less" in declined.body and "/resume" in declined.body
    assert (await member_row(sessionmaker, 7304)).status == "paused_pain"
    await kai.say("/resume", "Do you have any of these now?")
    await kai.say("none of these", "1/3")
    await kai.say("3", "2/3")
    await kai.say("no", "3/3")
    back = await kai.say("yes", "Welcome back")
    assert "restart in Activate with every exercise at its first step" in back.body
    member = await member_row(sessionmaker, 7304)
    assert member.status == "active" and member.next_reminder_at is not None
    why = await kai.say("/why", "Phase 1")
    assert "Programme: active" in why.body and "every exercise at its first step" in why.body
    assert "Your usual pain is 3/10" in why.body  # the answer at the restart


async def test_why_explains_each_exercise_after_a_session(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    lou = MemberChat(fake_api, 7305, "Lou")
    await onboard(lou)
    start = await lou.say("/why", "Phase 1")
    assert "every exercise starts at the easy end" in start.body
    await lou.say("/today", "how many reps")
    await lou.say("all", "right now")
    await lou.say("stop", "reason for stopping")
    await lou.say("other", "Exercises done")
    why = await lou.say("/why", "Phase 1")
    assert "with pain at" in why.body or "stays at" in why.body


async def test_member_commands_in_a_group_only_point_to_the_private_chat(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    max_ = MemberChat(fake_api, 7306, "Max")
    await onboard(max_)
    group = fake_api.group_chat(-100777, "Back club")
    for command in ("/today", "/settings", "/why", "/pause"):
        since = fake_api.cursor()
        await fake_api.send_text(max_.user, command, chat=group)
        pointer = await fake_api.wait_for_message(group["id"], since=since)
        assert pointer.body.startswith("Let's talk in a private chat")
        assert "Phase" not in pointer.body and not pointer.buttons()
    assert (await member_row(sessionmaker, 7306)).status == "active"


async def test_an_edited_message_is_not_read_as_an_answer(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ned = MemberChat(fake_api, 7307, "Ned")
    await onboard(ned)
    await ned.say("/today", "how many reps")
    await ned.say("8", "edited messages", edited=True)
    await ned.say("8", "right now")

"""After-session tips and /flare through the real bot and the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.loader import default_content_dir, load_education
from bot.db.models import DecisionRow, TipShown
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.member_chat import MemberChat, keep_only, member_row, onboard

pytestmark = pytest.mark.e2e

Maker = async_sessionmaker[AsyncSession]
EDUCATION = load_education(default_content_dir())


def finished(message: SentMessage) -> bool:
    return message.method == "sendMessage" and "Exercises done" in message.body


async def _flare_eases(maker: Maker) -> int:
    async with maker() as session:
        statement = select(func.count()).where(DecisionRow.kind == "flare_ease")
        return await session.scalar(statement) or 0


async def test_a_completed_session_ends_with_a_tip_shown_again_with_its_summary(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ada = MemberChat(fake_api, 7401, "Ada")
    await onboard(ada, equipment="chair")
    await keep_only(sessionmaker, 7401, {"bridge"})
    await ada.say("/today", "Glute bridge: how many reps")
    await ada.say("all", "Glute bridge: pain in your back or leg")
    end = await ada.say("1", finished)

    first = EDUCATION.tips[0]
    assert end.body.endswith(f"💡 {first.text}")
    async with sessionmaker() as session:
        shown = (await session.scalars(select(TipShown))).all()
    assert [row.tip_id for row in shown] == [first.id]
    again = await ada.say("/today", "Today's session is done")
    assert again.body.endswith(f"💡 {first.text}")


async def test_a_session_stopped_early_gets_no_tip(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    ben = MemberChat(fake_api, 7402, "Ben")
    await onboard(ben, equipment="chair")
    await keep_only(sessionmaker, 7402, {"bridge", "hamstring_stretch"})
    await ben.say("/today", "Glute bridge: how many reps")
    await ben.tap("Stop for today", "reason for stopping")
    end = await ben.tap("No time", finished)
    assert "💡" not in end.body
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(TipShown)) == 0


async def test_flare_gives_the_plan_and_eases_the_next_sessions_once(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    cat = MemberChat(fake_api, 7403, "Cat")
    await onboard(cat, equipment="chair")
    before = (await member_row(sessionmaker, 7403)).programme
    assert before is not None

    plan = await cat.say("/flare", "If your back flares up")
    assert EDUCATION.flare_plan.today[0] in plan.body
    assert EDUCATION.flare_plan.seek_help[0] in plan.body
    assert [b["text"] for b in plan.buttons()] == ["Ease my next sessions"]
    eased = await cat.tap_on(plan, "Ease my next sessions", "your sessions go easier")
    assert "For your flare-up" in eased.body
    count = await _flare_eases(sessionmaker)
    assert count >= 1
    after = (await member_row(sessionmaker, 7403)).programme
    assert after is not None and after["flare_until"] is not None
    assert after["prescriptions"] != before["prescriptions"]

    # The same button again, the same day: nothing is eased a second time.
    again = await cat.tap_on(plan, "Ease my next sessions", "already eased")
    assert "haven't made them easier again" in again.body
    assert await _flare_eases(sessionmaker) == count
    assert (await member_row(sessionmaker, 7403)).programme == after

    why = await cat.say("/why", "For your flare-up")
    assert why.method == "sendMessage"
    shown = await cat.say("/flare", "already going easier")
    assert shown.buttons() == []


async def test_flare_before_enrolling_gives_the_plan_without_easing(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    dan = MemberChat(fake_api, 7404, "Dan")
    plan = await dan.say("/flare", "If your back flares up")
    assert plan.buttons() == []
    assert "Once your programme is running" in plan.body


async def test_flare_mid_session_keeps_the_session_open_and_it_finishes_as_usual(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: Maker
) -> None:
    eve = MemberChat(fake_api, 7405, "Eve")
    await onboard(eve, equipment="chair")
    await keep_only(sessionmaker, 7405, {"bridge", "bird_dog"})
    await eve.say("/today", "Glute bridge: how many reps")
    since = fake_api.cursor()
    await fake_api.send_text(eve.user, "/flare")
    await fake_api.wait_for_message(
        7405, since=since, match="Today's session waits at exercise 1 of 2: /today carries on."
    )
    plan = await fake_api.wait_for_message(7405, since=since, match="If your back flares up")
    await eve.tap_on(plan, "Ease my next sessions", "your sessions go easier")
    await eve.say("all", "Glute bridge: pain in your back or leg")
    await eve.say("1", "Bird dog")
    await eve.say("all", "Bird dog: pain")
    end = await eve.say("1", finished)
    assert "Exercises done: 2 of 2" in end.body

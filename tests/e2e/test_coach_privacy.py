"""Members' health data reaches only their coaches: a group with non-admin participants gets no
member data, its admins get it privately; only a staff-only group may see it posted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.alerts import AlertKind, record_alert
from tests.botprocess import BotProcess
from tests.coachdata import add_group, add_member, add_session, utc_today
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e

GROUP_ID = -1001
COACH_ID = 9001
SECOND_COACH_ID = 9004
PARTICIPANT_ID = 9002
Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
def coach(fake_api: FakeBotAPI) -> dict:
    fake_api.chat_admins[GROUP_ID] = {COACH_ID}
    fake_api.join_group(GROUP_ID, PARTICIPANT_ID)  # a member who is not an admin
    return fake_api.user(COACH_ID, "Coach")


async def seed(maker: Maker) -> None:
    async with maker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group, status="paused_pain")
        await add_session(session, alex, utc_today() - timedelta(days=1), 7)


def member_data(messages: list[SentMessage]) -> list[SentMessage]:
    return [
        m
        for m in messages
        if "Alex" in m.body or m.method in ("sendPhoto", "sendDocument") or m.buttons()
    ]


async def command(api: FakeBotAPI, user: dict, text: str, expect: str) -> SentMessage:
    since = api.cursor()
    await api.send_text(user, text, chat=api.group_chat(GROUP_ID))
    return await api.wait_for_message(GROUP_ID, since=since, match=expect)


async def test_every_dashboard_form_goes_to_the_admin_privately_and_the_group_sees_none(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    await seed(sessionmaker)
    since = fake_api.cursor()

    for text in ("/dashboard", "/dashboard Alex", "/dashboard csv"):
        await command(fake_api, coach, text, "Sent to you privately")
    table = await fake_api.wait_for_message(COACH_ID, since=since, match="Back club")
    await fake_api.wait_for_message(COACH_ID, since=since, match=lambda m: m.caption is not None)
    detail = await fake_api.wait_for_message(COACH_ID, since=since, match="<b>Alex</b>")
    csv = await fake_api.wait_for_message(
        COACH_ID, since=since, match=lambda m: m.method == "sendDocument"
    )
    answers = len(fake_api.callback_answers)
    await fake_api.press(coach, table, "Refresh")
    barrier = fake_api.cursor()  # updates are handled one at a time: /help answers after it
    await fake_api.send_text(coach, "/help", chat=fake_api.private_chat(coach))
    await fake_api.wait_for_message(COACH_ID, since=barrier)

    in_group = fake_api.sent_to(GROUP_ID, since)
    assert [m.body for m in in_group] == ["Sent to you privately."] * 3
    assert member_data(in_group) == []
    assert "Alex" in table.body and "Alex" in detail.body and b"Alex" in (csv.file_bytes or b"")
    [refreshed] = fake_api.callback_answers[answers:]
    assert refreshed.get("text") is None  # allowed in the private chat: no refusal


async def test_an_admin_without_a_private_chat_gets_a_one_tap_link_and_no_data(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    await seed(sessionmaker)
    fake_api.not_started.add(COACH_ID)
    since = fake_api.cursor()

    link = await command(fake_api, coach, "/dashboard", "t.me/hipcoach_test_bot?start=coach")
    fake_api.not_started.discard(COACH_ID)
    private = fake_api.private_chat(coach)
    started_from = fake_api.cursor()
    await fake_api.send_text(coach, "/start coach", chat=private)
    ready = await fake_api.wait_for_message(COACH_ID, since=started_from)

    assert member_data(fake_api.sent_to(GROUP_ID, since)) == []
    assert "haven't started" in link.body
    assert "dashboards and alerts here" in ready.body  # not the member onboarding


async def test_a_staff_only_group_may_see_the_dashboard_posted(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    await seed(sessionmaker)
    fake_api.chat_members[GROUP_ID].clear()  # everyone left is an admin
    since = fake_api.cursor()

    table = await command(fake_api, coach, "/dashboard", "Back club")

    assert "Alex" in table.body
    assert fake_api.sent_to(COACH_ID, since) == []


async def test_alerts_reach_each_admin_privately_and_a_removed_admin_gets_nothing(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    fake_api.chat_admins[GROUP_ID].add(SECOND_COACH_ID)
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group, status="paused_pain")
        sam = await add_member(session, 2, "Sam", group=group, status="stopped_red_flag")
        await record_alert(session, alex, AlertKind.PAIN_PAUSE, utc_today())
    since = fake_api.cursor()

    await bot.restart()  # alert jobs run at start-up
    first = await fake_api.wait_for_message(COACH_ID, since=since, match="Alex")
    copy = await fake_api.wait_for_message(SECOND_COACH_ID, since=since, match="Alex")
    fake_api.remove_admin(GROUP_ID, SECOND_COACH_ID)
    async with sessionmaker.begin() as session:
        await record_alert(session, sam, AlertKind.RED_FLAG, utc_today())
    await bot.restart()
    second = await fake_api.wait_for_message(COACH_ID, since=since, match="Sam")

    assert "«Back club»" in first.body and "paused for pain" in copy.body
    assert "Sam" in second.body
    assert all("Sam" not in m.body for m in fake_api.sent_to(SECOND_COACH_ID, since))
    assert member_data(fake_api.sent_to(GROUP_ID, since)) == []


async def test_alerts_in_a_group_whose_admins_never_started_the_bot_wait_and_ask_once(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    fake_api.not_started.add(COACH_ID)
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group, status="paused_pain")
        await record_alert(session, alex, AlertKind.PAIN_PAUSE, utc_today())
    since = fake_api.cursor()

    await bot.restart()
    asked = await fake_api.wait_for_message(GROUP_ID, since=since, match="start=coach")
    fake_api.not_started.clear()
    await bot.restart()
    alert = await fake_api.wait_for_message(COACH_ID, since=since, match="Alex")

    assert "Alex" not in asked.body and "paused for pain" in alert.body
    assert member_data(fake_api.sent_to(GROUP_ID, since)) == []


async def test_someone_joining_a_staff_only_group_ends_posting_there_at_once(
    bot: BotProcess, fake_api: FakeBotAPI, coach: dict, sessionmaker: Maker
) -> None:
    await seed(sessionmaker)
    fake_api.chat_members[GROUP_ID].clear()
    posted_from = fake_api.cursor()
    await command(fake_api, coach, "/dashboard", "Back club")  # staff-only: posted, and cached
    await fake_api.wait_for_message(
        GROUP_ID, since=posted_from, match=lambda m: m.method == "sendPhoto"
    )
    newcomer = fake_api.user(9005, "New")
    fake_api.join_group(GROUP_ID, newcomer["id"])
    joined = {
        "message_id": 900,
        "date": 0,
        "chat": fake_api.group_chat(GROUP_ID),
        "from": newcomer,
        "new_chat_members": [newcomer],
    }
    await fake_api.push_update({"message": joined})
    since = fake_api.cursor()

    await command(fake_api, coach, "/dashboard", "Sent to you privately")

    assert member_data(fake_api.sent_to(GROUP_ID, since)) == []
    await fake_api.wait_for_message(COACH_ID, since=since, match="Back club")

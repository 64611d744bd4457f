"""Coach groups end to end: the real bot, the fake Bot API, a group chat with admins and members."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CoachGroup
from bot.services.alerts import AlertKind, record_alert
from tests.botprocess import BotProcess, signed
from tests.coachdata import add_decision, add_group, add_member, add_session, utc_today
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e

GROUP_ID = -1001
COACH_ID = 9001
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INVITE = re.compile(r"https://t\.me/hipcoach_test_bot\?start=([A-Za-z0-9_-]{1,64})$", re.M)


@pytest.fixture
def coach(fake_api: FakeBotAPI) -> dict:
    fake_api.chat_admins[GROUP_ID] = {COACH_ID}
    return fake_api.user(COACH_ID, "Coach")


@pytest.fixture
def group_chat(fake_api: FakeBotAPI) -> dict:
    return fake_api.group_chat(GROUP_ID, "Back club")


async def ask(fake_api: FakeBotAPI, user: dict, text: str, chat: dict, **match) -> SentMessage:
    since = fake_api.cursor()
    await fake_api.send_text(user, text, chat=chat)
    return await fake_api.wait_for_message(chat["id"], since=since, **match)


def is_photo(message: SentMessage) -> bool:
    return message.method == "sendPhoto"


async def test_an_admin_sets_up_the_group_and_a_new_link_revokes_the_old(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    member = fake_api.user(9002, "Sam")
    refused = await ask(fake_api, member, "/coach", group_chat)
    assert "only this group's admins" in refused.body

    not_yet = await ask(fake_api, coach, "/dashboard", group_chat)
    assert "isn't a coach group yet" in not_yet.body

    first = await ask(fake_api, coach, "/coach", group_chat)
    again = await ask(fake_api, coach, "/coach", group_chat)
    renewed = await ask(fake_api, coach, "/coach newlink", group_chat)
    async with sessionmaker.begin() as session:
        codes = (await session.scalars(select(CoachGroup.invite_code))).all()

    old_code, same_code = INVITE.search(first.body)[1], INVITE.search(again.body)[1]
    new_code = INVITE.search(renewed.body)[1]
    assert old_code == same_code != new_code
    assert "old link no longer works" in renewed.body
    assert codes == [new_code]  # the old code finds no group any more

    in_private = await ask(fake_api, coach, "/coach", fake_api.private_chat(coach))
    assert "add me to your group" in in_private.body
    group_menus = [
        params
        for method, params in fake_api.calls
        if method == "setMyCommands" and "all_group_chats" in str(params.get("scope"))
    ]
    assert {c["command"] for c in group_menus[0]["commands"]} == {"coach", "dashboard"}


async def test_the_dashboard_shows_admins_only_this_groups_consenting_members(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    today = utc_today()
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        other = await add_group(session, -2002, "Other club")
        alex = await add_member(session, 1, "Alex", group=group)
        await add_session(session, alex, today - timedelta(days=1), 2)
        await add_member(session, 2, "Sam", group=group, status="paused_pain")
        await add_member(session, 3, "Olga", group=other)
        await add_member(session, 4, "Nina", group=group, consented=False)

    stranger = fake_api.user(9003, "Nosy")
    since = fake_api.cursor()
    refused = await ask(fake_api, stranger, "/dashboard", group_chat)
    table = await ask(fake_api, coach, "/dashboard", group_chat, match="Back club")
    photo = await fake_api.wait_for_message(GROUP_ID, since=since, match=is_photo)

    assert "only this group's admins" in refused.body
    between = fake_api.sent_to(GROUP_ID, since)
    assert between.index(refused) + 1 == between.index(table)  # nothing else went to the nosy one
    names = [
        line.split()[0] for line in table.body.split("<pre>")[1].split("</pre>")[0].splitlines()
    ]
    assert names == ["Name", "Sam", "Alex"]  # paused for pain first
    assert "Olga" not in table.body and "Nina" not in table.body
    assert photo.file_bytes is not None and photo.file_bytes.startswith(PNG_SIGNATURE)
    assert 10_000 < len(photo.file_bytes) < 1_000_000

    private = fake_api.private_chat(coach)
    in_private = await ask(fake_api, coach, "/dashboard", private)
    assert "Alex" not in in_private.body and "coach group" in in_private.body


async def test_a_member_who_leaves_disappears_from_the_dashboard_at_once(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        await add_member(session, 9101, "Kim", group=group)
        await add_member(session, 9102, "Lee", group=group)
    kim = fake_api.user(9101, "Kim")

    before = await ask(fake_api, coach, "/dashboard", group_chat, match="Back club")
    left = await ask(fake_api, kim, "/leavecoach", fake_api.private_chat(kim))
    after = await ask(fake_api, coach, "/dashboard", group_chat, match="Back club")
    again = await ask(fake_api, kim, "/leavecoach", fake_api.private_chat(kim))

    assert "Kim" in before.body
    assert "left Back club" in left.body
    assert "Kim" not in after.body and "Lee" in after.body
    assert "nothing to leave" in again.body


async def test_csv_export_has_the_dashboard_columns_and_values(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    today = utc_today()
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group)
        for days, pain in ((1, 4), (2, 6), (8, 1), (20, 1)):
            await add_session(session, alex, today - timedelta(days=days), pain)
        await add_member(session, 2, "Olga", group=await add_group(session, -2002))

    document = await ask(
        fake_api, coach, "/dashboard csv", group_chat, match=lambda m: m.method == "sendDocument"
    )
    rows = list(csv.DictReader(io.StringIO(document.file_bytes.decode("utf-8-sig"))))

    assert document.file_name == f"dashboard-{today.isoformat()}.csv"
    assert len(rows) == 1
    assert rows[0]["name"] == "Alex"
    assert (rows[0]["sessions_7d"], rows[0]["sessions_28d"]) == ("2", "4")
    assert rows[0]["last_session"] == (today - timedelta(days=1)).isoformat()
    assert (rows[0]["last_pain"], rows[0]["avg_pain_7d"], rows[0]["avg_pain_prev_7d"]) == (
        "4",
        "5.0",
        "1.0",
    )
    assert (rows[0]["status"], rows[0]["pain_trend"]) == ("active", "up")


async def test_one_members_page_shows_sessions_and_decisions_with_reasons(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    today = utc_today()
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group)
        await add_session(session, alex, today - timedelta(days=1), 7, status="stopped")
        await add_decision(
            session,
            alex,
            today - timedelta(days=1),
            "regress",
            "Pain reached 7 of 10.",
            ladder_id="clamshell",
            from_variation="clamshell_band",
            to_variation="clamshell",
        )
        await add_member(session, 2, "Sam", group=group)
        await add_member(session, 3, "Sam", group=group)

    page = await ask(fake_api, coach, "/dashboard alex", group_chat)
    unknown = await ask(fake_api, coach, "/dashboard Zed", group_chat)
    ambiguous = await ask(fake_api, coach, "/dashboard sam", group_chat)

    assert "<b>Alex</b>" in page.body
    assert "stopped" in page.body and "pain 7" in page.body
    assert "Easier" in page.body and "Pain reached 7 of 10." in page.body
    assert "No member called “Zed”" in unknown.body
    assert "Sam 1, Sam 2" in ambiguous.body


async def test_long_groups_page_and_every_press_is_checked(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        for number in range(20):  # joined today: no missed-days alert comes between the pages
            name = f"M{number:02d}"
            await add_member(session, 100 + number, name, group=group, onboarded_on=utc_today())
        other = await add_group(session, -2002, "Other club")

    since = fake_api.cursor()
    first = await ask(fake_api, coach, "/dashboard", group_chat, match="page 1/2")
    await fake_api.wait_for_message(GROUP_ID, since=since, match=is_photo)
    assert "M00" in first.body and "M15" not in first.body

    nosy = fake_api.user(9003, "Nosy")
    answers = len(fake_api.callback_answers)
    since = fake_api.cursor()
    await fake_api.press(nosy, first, "Next")
    await fake_api.press(coach, first, data=signed(f"dash:{other.id}:0"))  # another group's id
    await fake_api.press(coach, first, "Next")
    second = await fake_api.wait_for_message(GROUP_ID, since=since, match="page 2/2")

    assert second.method == "editMessageText" and second.message_id == first.message_id
    assert "M15" in second.body and "M00" not in second.body
    refusals = fake_api.callback_answers[answers : answers + 2]
    assert "only this group's admins" in refusals[0]["text"]
    assert "out of date" in refusals[1]["text"]
    assert [m.method for m in fake_api.sent_to(GROUP_ID, since)] == ["editMessageText"]


async def test_alerts_reach_the_group_once(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    today = utc_today()
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        alex = await add_member(session, 1, "Alex", group=group, status="paused_pain")
        sam = await add_member(session, 2, "Sam", group=group, status="stopped_red_flag")
        await record_alert(session, alex, AlertKind.PAIN_PAUSE, today)
    async with sessionmaker.begin() as session:
        await record_alert(session, alex, AlertKind.PAIN_PAUSE, today)  # the same again: no-op

    since = fake_api.cursor()
    await bot.restart()  # alert jobs run at start-up
    first = await fake_api.wait_for_message(GROUP_ID, since=since, match="Alex")
    async with sessionmaker.begin() as session:
        await record_alert(session, sam, AlertKind.RED_FLAG, today)
    await bot.restart()
    second = await fake_api.wait_for_message(GROUP_ID, since=since, match="Sam")

    assert "paused for pain" in first.body
    assert "Alex" not in second.body
    assert [m for m in fake_api.sent_to(GROUP_ID, since) if "Alex" in m.body] == [first]


async def test_three_missed_days_alert_the_group(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        quiet = await add_member(session, 1, "Quiet", group=group)
        await add_session(session, quiet, utc_today() - timedelta(days=5), 2)

    since = fake_api.cursor()
    await bot.restart()
    alert = await fake_api.wait_for_message(GROUP_ID, since=since)

    assert "Quiet: no session for 3 days" in alert.body


async def test_the_group_is_followed_when_telegram_makes_it_a_supergroup(
    bot: BotProcess,
    fake_api: FakeBotAPI,
    coach: dict,
    group_chat: dict,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, GROUP_ID)
        await add_member(session, 1, "Alex", group=group)
    new_id = -1009999
    fake_api.chat_admins[new_id] = {COACH_ID}
    service_message = {
        "message_id": 500,
        "date": 0,
        "chat": group_chat,
        "from": coach,
        "migrate_to_chat_id": new_id,
    }
    await fake_api.push_update({"message": service_message})

    table = await ask(fake_api, coach, "/dashboard", fake_api.group_chat(new_id), match="Back club")

    assert "Alex" in table.body

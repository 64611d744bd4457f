"""/progress and /history through the real bot and the fake Bot API, on a seeded history."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.progress_data import add_member, add_session, local_today, noon_zone

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _seed_three_weeks(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int
) -> tuple[str, date, list[int]]:
    """Sessions every day for three weeks except 3 days ago; pain easing from 4 to 1."""
    zone = noon_zone(datetime.now(UTC))
    today = local_today(datetime.now(UTC), zone)
    skipped_days = {3}
    async with sessionmaker.begin() as session:
        member = await add_member(session, user_id, zone=zone, onboarded_on=today - timedelta(25))
        for ago in range(21):
            if ago not in skipped_days:
                await add_session(session, member, today - timedelta(ago), [1 if ago < 7 else 4])
    done_days = [ago for ago in range(21) if ago not in skipped_days]
    return zone, today, done_days


async def test_progress_sends_a_chart_and_a_summary_that_matches_the_data(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alex = fake_api.user(6001, "Alex")
    _, today, done_days = await _seed_three_weeks(sessionmaker, alex["id"])
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/progress")
    chart = await fake_api.wait_for_message(alex["id"], since=since)

    assert chart.method == "sendPhoto"
    assert chart.file_bytes is not None and chart.file_bytes.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", chart.file_bytes[16:24])
    assert 600 <= width <= 1200 and width < height <= 2 * width
    assert 10_000 < len(chart.file_bytes) < 500_000
    this_week = sum(1 for ago in done_days if ago <= today.weekday())
    assert chart.caption is not None
    assert chart.caption.splitlines() == [
        "Streak: 3 days in a row",
        f"This week: {this_week} of 7 sessions",
        "Pain is easing: 4.0 → 1.0 on average over the last two weeks",
    ]


async def test_progress_without_sessions_says_so_instead_of_an_empty_chart(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    sam = fake_api.user(6002, "Sam")
    zone = noon_zone(datetime.now(UTC))
    async with sessionmaker.begin() as session:
        await add_member(
            session, sam["id"], zone=zone, onboarded_on=local_today(datetime.now(UTC), zone)
        )
    since = fake_api.cursor()
    await fake_api.send_text(sam, "/progress")
    reply = await fake_api.wait_for_message(sam["id"], since=since)
    assert reply.method == "sendMessage"
    assert "No sessions yet — /today starts your first one" in reply.body

    stranger = fake_api.user(6003, "Kim")
    since = fake_api.cursor()
    await fake_api.send_text(stranger, "/progress")
    reply = await fake_api.wait_for_message(stranger["id"], since=since)
    assert "/start" in reply.body and reply.method == "sendMessage"


async def test_a_chart_being_sent_does_not_hold_up_another_members_answer(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alex, sam = fake_api.user(6004, "Alex"), fake_api.user(6005, "Sam")
    await _seed_three_weeks(sessionmaker, alex["id"])
    fake_api.delays["sendPhoto"] = 3.0  # a slow upload of the chart
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/progress")
    await fake_api.send_text(sam, "/help")
    await fake_api.wait_for_message(sam["id"], since=since)
    assert fake_api.sent_to(alex["id"], since) == []  # Sam was answered while Alex's chart uploads
    chart = await fake_api.wait_for_message(alex["id"], since=since)
    assert chart.method == "sendPhoto"


async def test_history_lists_recent_sessions_with_reps_pain_and_reasons(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lee = fake_api.user(6006, "Lee")
    zone = noon_zone(datetime.now(UTC))
    today = local_today(datetime.now(UTC), zone)
    async with sessionmaker.begin() as session:
        member = await add_member(session, lee["id"], zone=zone, onboarded_on=today - timedelta(20))
        for ago in range(12, 0, -1):
            await add_session(
                session,
                member,
                today - timedelta(ago),
                [ago % 3, None, 2],
                decisions=[("clamshell", "hold", f"Same clamshell as on day {ago}, gently.")],
            )
    since = fake_api.cursor()
    await fake_api.send_text(lee, "/history")
    reply = await fake_api.wait_for_message(lee["id"], since=since)

    body = reply.body
    yesterday = today - timedelta(1)
    assert f"{yesterday:%a} {yesterday.day} {yesterday:%b} · highest pain 2/10" in body
    assert "• Clamshell — 12/12 reps per side, pain 1" in body
    assert "• Side-lying straight-leg raise — skipped" in body
    assert "• Glute bridge — 10/10 reps, pain 2" in body
    assert "= Same clamshell as on day 1, gently." in body
    assert "day 10, gently." in body
    assert "day 11," not in body and "day 12," not in body  # only the last ten sessions
    assert body.index("day 1,") < body.index("day 2,")  # newest first

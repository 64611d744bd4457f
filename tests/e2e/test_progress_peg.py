"""/progress shows the weekly PEG's trend under the chart, through the real bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import PegScore
from tests.botprocess import BotProcess
from tests.fakebotapi import FakeBotAPI
from tests.progress_data import add_member, add_session, local_today, noon_zone

pytestmark = pytest.mark.e2e


async def test_progress_shows_the_weekly_score_since_week_one(
    bot: BotProcess, fake_api: FakeBotAPI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    alex = fake_api.user(6201, "Alex")
    zone = noon_zone(datetime.now(UTC))
    today = local_today(datetime.now(UTC), zone)
    monday = today - timedelta(days=today.weekday())
    async with sessionmaker.begin() as session:
        member = await add_member(
            session, alex["id"], zone=zone, onboarded_on=today - timedelta(22)
        )
        for ago in range(10):
            await add_session(session, member, today - timedelta(ago), [2])
        for weeks_ago, answers in ((3, (6, 7, 5)), (2, (5, 5, 5)), (1, (4, 4, 3))):
            pain, enjoyment, activity = answers
            session.add(
                PegScore(
                    member_id=member.id,
                    week_start=monday - timedelta(weeks=weeks_ago),
                    pain=pain,
                    enjoyment=enjoyment,
                    activity=activity,
                    answered_at=datetime.now(UTC),
                )
            )
        # This week's check, half answered: not counted.
        session.add(PegScore(member_id=member.id, week_start=monday, pain=1))
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/progress")
    chart = await fake_api.wait_for_message(alex["id"], since=since)
    assert chart.caption is not None
    assert chart.caption.splitlines()[-1] == (
        "Weekly check: 6.0 → 5.0 → 3.7 (week 1: 6.0, change -2.3; lower is better)"
    )

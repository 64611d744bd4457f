"""Tips after sessions, kept per member: one a day, none again within two weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.coaching.education import Education
from bot.coaching.loader import default_content_dir, load_education
from bot.db.models import Member, TipShown
from bot.services import education
from bot.services.members import Flow
from tests.progress_data import add_member

Maker = async_sessionmaker[AsyncSession]
FIRST_DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def content() -> Education:
    return load_education(default_content_dir())


async def _daily_tips(maker: Maker, flow: Flow, member_id: int, days: int) -> list[str | None]:
    """A completed session every day for `days` days; the tip each summary would show."""
    shown = []
    for n in range(days):
        day = FIRST_DAY + timedelta(days=n)
        async with maker.begin() as session:
            member = await session.get(Member, member_id)
            assert member is not None
            await education.record_tip(session, flow, member, day)
            await education.record_tip(session, flow, member, day)  # a second call adds nothing
            shown.append(await education.tip_on(session, flow, member, day))
    return shown


async def test_a_daily_member_never_sees_a_tip_twice_within_two_weeks(
    sessionmaker: Maker, library: Library, content: Education
) -> None:
    flow = Flow(library, "UTC", content)
    async with sessionmaker.begin() as session:
        ada = (await add_member(session, 5101, zone="UTC", onboarded_on=FIRST_DAY)).id
        ben = (await add_member(session, 5102, zone="UTC", onboarded_on=FIRST_DAY)).id

    shown = await _daily_tips(sessionmaker, flow, ada, 40)
    assert None not in shown
    for n, text in enumerate(shown):
        assert text not in shown[max(0, n - content.repeat_after_days) : n]
    # Every tip comes round before any repeats, in the file's order.
    tips = [tip.text for tip in content.tips]
    assert shown[: len(tips)] == tips
    assert shown[len(tips)] == tips[0]

    # Another member's history is their own: Ben starts at the first tip.
    assert (await _daily_tips(sessionmaker, flow, ben, 1)) == [tips[0]]
    async with sessionmaker() as session:
        rows = (await session.scalars(select(TipShown).where(TipShown.member_id == ada))).all()
    assert len(rows) == 40


async def test_without_education_content_no_tip_is_kept(
    sessionmaker: Maker, library: Library
) -> None:
    flow = Flow(library, "UTC")
    async with sessionmaker.begin() as session:
        member = await add_member(session, 5103, zone="UTC", onboarded_on=FIRST_DAY)
        await education.record_tip(session, flow, member, FIRST_DAY)
        assert await education.tip_on(session, flow, member, FIRST_DAY) is None
        assert (await session.scalars(select(TipShown))).all() == []

"""The weekly PEG on the coach dashboard: the latest score and its change since week 1."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.models import Member, PegScore
from bot.services import dashboard
from handlers import coach_texts
from tests.coachdata import add_group, add_member

TODAY = date(2026, 3, 20)
NOON = datetime.combine(TODAY, time(12), UTC)
FIRST_MONDAY = date(2026, 2, 23)


def _peg(
    member: Member, weeks: int, answers: tuple[int, int, int], *, done: bool = True
) -> PegScore:
    pain, enjoyment, activity = answers
    return PegScore(
        member_id=member.id,
        week_start=FIRST_MONDAY + timedelta(weeks=weeks),
        pain=pain,
        enjoyment=enjoyment,
        activity=activity if done else None,
        answered_at=NOON if done else None,
    )


async def test_the_dashboard_shows_the_latest_peg_and_its_change_since_week_one(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        bea = await add_member(session, 2, "Bea", group=group)
        await add_member(session, 3, "Cal", group=group)
        session.add_all(
            [
                _peg(alex, 0, (7, 6, 5)),
                _peg(alex, 1, (6, 5, 5)),
                _peg(alex, 3, (4, 3, 3)),
                _peg(alex, 4, (1, 1, 1), done=False),  # half answered: not counted
                _peg(bea, 3, (5, 5, 5)),
            ]
        )

    async with sessionmaker.begin() as session:
        rows = {r.name: r for r in await dashboard.dashboard_rows(session, group.id, library, NOON)}
        match = await dashboard.find_member(session, group.id, "Alex")
        detail = await dashboard.member_detail(session, group.id, match, library, NOON)

    assert (rows["Alex"].peg_latest, rows["Alex"].peg_first, rows["Alex"].peg_change) == (
        3.3,
        6.0,
        -2.7,
    )
    assert (rows["Bea"].peg_latest, rows["Bea"].peg_change) == (5.0, None)
    assert rows["Cal"].peg_latest is None
    assert detail is not None
    page = coach_texts.member_page(detail, library)
    assert "Weekly PEG (0–10, lower is better): latest 3.3, week 1 6.0, change -2.7" in page
    csv = coach_texts.dashboard_csv(list(rows.values())).decode("utf-8-sig")
    assert "3.3,6.0,-2.7" in csv

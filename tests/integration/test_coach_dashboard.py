"""The dashboard's numbers on a real database (SQLite and PostgreSQL), from hand-built data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.services import dashboard
from bot.services.dashboard import MemberState, Trend
from tests.coachdata import (
    add_decision,
    add_group,
    add_member,
    add_session,
    programme,
    starting_rung,
)

TODAY = date(2026, 3, 20)
# Noon UTC: TODAY for the members here, who live in UTC unless a test says otherwise.
NOON = datetime.combine(TODAY, time(12), UTC)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def rows_by_name(
    sessionmaker: async_sessionmaker[AsyncSession], group_id: int, library: Library
) -> dict[str, dashboard.MemberRow]:
    async with sessionmaker.begin() as session:
        rows = await dashboard.dashboard_rows(session, group_id, library, NOON)
    return {row.name: row for row in rows}


async def test_sessions_are_counted_over_the_last_7_and_28_days(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group, onboarded_on=ago(90))
        for days in (0, 6, 7, 27, 28, 40):
            await add_session(session, alex, ago(days), 2)
        await add_session(session, alex, ago(1), None, status="skipped")  # nothing done
        await add_session(session, alex, ago(2), 3, status="in_progress")  # never finished
        await add_session(session, alex, ago(3), 8, status="stopped")  # stopped for pain: done

    row = (await rows_by_name(sessionmaker, group.id, library))["Alex"]

    assert (row.sessions_7d, row.sessions_28d) == (3, 5)
    assert row.last_session == TODAY


async def test_pain_averages_compare_this_week_with_the_one_before(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    weeks = {
        "Rising": ([4, 6], [2, 2]),
        "Easing": ([1, 2], [3, 4]),
        "Steady": ([3, 3], [3, 2]),
        "New": ([5], []),
    }
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        for user_id, (name, (this_week, week_before)) in enumerate(weeks.items(), start=1):
            member = await add_member(session, user_id, name, group=group)
            for offset, pain in enumerate(this_week):
                await add_session(session, member, ago(offset + 1), pain)
            for offset, pain in enumerate(week_before):
                await add_session(session, member, ago(offset + 8), pain)
        # Pain reported in a session never finished still counts: the member felt it.
        await add_session(session, member, ago(0), 9, status="in_progress")

    rows = await rows_by_name(sessionmaker, group.id, library)

    assert (rows["Rising"].avg_pain_7d, rows["Rising"].avg_pain_prev_7d) == (5.0, 2.0)
    assert rows["Rising"].trend is Trend.UP
    assert rows["Easing"].trend is Trend.DOWN
    assert rows["Steady"].avg_pain_prev_7d == pytest.approx(2.5)
    assert rows["Steady"].trend is Trend.FLAT
    assert rows["New"].trend is Trend.UNKNOWN
    assert (rows["New"].last_pain, rows["New"].avg_pain_7d) == (9, 7.0)
    assert rows["Rising"].last_pain == 4


async def test_members_needing_attention_come_first(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        ann = await add_member(session, 1, "Ann", group=group, status="active")
        await add_session(session, ann, ago(1), 2)
        flagged = await add_member(session, 2, "Zoe", group=group, status="stopped_red_flag")
        await add_member(session, 3, "Yan", group=group, status="paused_pain")
        rising = await add_member(session, 4, "Xia", group=group)
        await add_session(session, rising, ago(1), 6)
        await add_session(session, rising, ago(9), 1)
        await add_member(session, 5, "Wes", group=group, reachable=False)
        quiet = await add_member(session, 6, "Vic", group=group)
        await add_session(session, quiet, ago(4), 1)  # 3 days missed since
        await add_member(session, 7, "Bea", group=group, status="paused_by_member")
        await add_member(session, 8, "Cal", group=group, status="onboarding")
        recent = await add_member(session, 9, "Dee", group=group)
        await add_session(session, recent, ago(3), 1)  # only 2 days missed
        await add_session(session, flagged, ago(0), 2)

    async with sessionmaker.begin() as session:
        rows = await dashboard.dashboard_rows(session, group.id, library, NOON)

    assert [row.name for row in rows] == [
        "Zoe",
        "Yan",
        "Xia",
        "Vic",
        "Wes",
        "Ann",
        "Bea",
        "Cal",
        "Dee",
    ]
    states = {row.name: row.state for row in rows}
    assert states["Vic"] is MemberState.MISSING
    assert states["Wes"] is MemberState.INACTIVE
    assert states["Dee"] is MemberState.ACTIVE


async def test_a_member_counts_missed_days_from_their_restart_after_a_pause(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        back = await add_member(session, 1, "Back", group=group)
        await add_session(session, back, ago(30), 7)
        await add_decision(session, back, ago(2), "resume", "Pain has settled.")
        gone = await add_member(session, 2, "Gone", group=group)
        await add_session(session, gone, ago(30), 2)

    rows = await rows_by_name(sessionmaker, group.id, library)

    assert rows["Back"].state is MemberState.ACTIVE
    assert rows["Gone"].state is MemberState.MISSING


async def test_only_consenting_members_of_this_group_are_shown(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        other = await add_group(session, -200, "Other club")
        await add_member(session, 1, "Mine", group=group)
        await add_member(session, 2, "Theirs", group=other)
        await add_member(session, 3, "Undecided", group=group, consented=False)
        await add_member(session, 4, "Solo", group=None)

    assert list(await rows_by_name(sessionmaker, group.id, library)) == ["Mine"]
    assert list(await rows_by_name(sessionmaker, other.id, library)) == ["Theirs"]


async def test_level_is_the_phase_and_mean_rung_of_the_stored_programme(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        stored = programme(library, phase=2)
        await add_member(session, 1, "Stored", group=group, stored_programme=stored)
        await add_member(session, 2, "Broken", group=group, stored_programme={"version": 99})
        await add_member(session, 3, "Nothing", group=group, stored_programme=None)

    rows = await rows_by_name(sessionmaker, group.id, library)

    assert rows["Stored"].phase == 2
    assert rows["Stored"].mean_rung == pytest.approx(starting_rung(library))
    assert (rows["Broken"].phase, rows["Broken"].mean_rung) == (None, None)
    assert (rows["Nothing"].phase, rows["Nothing"].mean_rung) == (None, None)


async def test_shared_first_names_are_numbered_and_found_by_name(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        first = await add_member(session, 1, "Alex", group=group)
        second = await add_member(session, 2, "alex", group=group)
        bea = await add_member(session, 3, "Beatrice", group=group)
        await add_member(session, 4, "Bea", group=await add_group(session, -200))

    async with sessionmaker.begin() as session:
        names = [r.name for r in await dashboard.dashboard_rows(session, group.id, library, NOON)]
        ambiguous = await dashboard.find_member(session, group.id, "ALEX")
        exact = await dashboard.find_member(session, group.id, "alex  2")
        prefix = await dashboard.find_member(session, group.id, "bea")
        unknown = await dashboard.find_member(session, group.id, "Zed")
        first_alex = await dashboard.find_member(session, group.id, "Alex 1")

    assert names == ["Alex 1", "alex 2", "Beatrice"]
    assert (ambiguous.member_id, ambiguous.candidates) == (None, ["Alex 1", "alex 2"])
    assert (exact.member_id, exact.name) == (second.id, "alex 2")
    assert (first_alex.member_id, prefix.member_id) == (first.id, bea.id)
    assert (unknown.member_id, unknown.candidates) == (None, [])


async def test_member_detail_lists_recent_sessions_and_decisions_with_reasons(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        for days in range(12, 0, -1):
            await add_session(session, alex, ago(days), days % 5)
        await add_decision(session, alex, ago(3), "progress", "Two easy sessions in a row.")
        await add_decision(session, alex, ago(1), "regress", "Pain reached 7.")
        stranger = await add_member(session, 2, "Stranger", group=await add_group(session, -200))
        await add_decision(session, stranger, ago(1), "pause", "Not for this group.")

    async with sessionmaker.begin() as session:
        match = await dashboard.find_member(session, group.id, "Alex")
        detail = await dashboard.member_detail(session, group.id, match, library, NOON)
        outsider = dashboard.NameMatch(stranger.id, "Stranger", [])
        hidden = await dashboard.member_detail(session, group.id, outsider, library, NOON)

    assert detail is not None
    assert [s.local_date for s in detail.sessions] == [ago(d) for d in range(1, 11)]
    assert [d.reason for d in detail.decisions] == [
        "Pain reached 7.",
        "Two easy sessions in a row.",
    ]
    assert (detail.row.sessions_7d, detail.row.sessions_28d) == (6, 12)
    assert hidden is None


async def test_chart_data_holds_each_days_pain_and_each_weeks_sessions(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        alex = await add_member(session, 1, "Alex", group=group)
        await add_session(session, alex, ago(0), 4)
        await add_session(session, alex, ago(1), 6)
        await add_session(session, alex, ago(27), 1)
        await add_session(session, alex, ago(28), 9)  # outside the 28 days
        await add_member(session, 2, "Bo", group=group, status="paused_by_member")

    async with sessionmaker.begin() as session:
        rows = await dashboard.dashboard_rows(session, group.id, library, NOON)
        data = await dashboard.chart_data(session, rows, TODAY)

    assert data.names == ["Alex", "Bo"]
    assert (data.days[0], data.days[-1], len(data.days)) == (ago(27), TODAY, 28)
    assert data.pain[0][0] == 1
    assert data.pain[0][-2:] == [6, 4]
    assert data.pain[1] == [None] * 28
    assert data.sessions_per_week == [[1, 0, 0, 2], [0, 0, 0, 0]]


@pytest.mark.parametrize(
    ("utc_time", "missing"),
    [
        # 12:00 UTC: Auckland is already on the 21st (01:00), the others still on the 20th.
        (time(12), {"Auckland"}),
        # 23:30 UTC: New York (19:30) is the only one still on the 20th.
        (time(23, 30), {"Berlin", "Kolkata", "Auckland"}),
    ],
)
async def test_each_members_today_is_their_own_seen_from_a_utc_operator(
    sessionmaker: async_sessionmaker[AsyncSession],
    library: Library,
    utc_time: time,
    missing: set[str],
) -> None:
    """Same data for four members: last session on their local 17 March, so on their own 21st
    three days are missed (18-20), on their 20th only two. Auckland also did one on its 21st."""
    zones = {
        "Berlin": "Europe/Berlin",
        "NewYork": "America/New_York",
        "Kolkata": "Asia/Kolkata",
        "Auckland": "Pacific/Auckland",
    }
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        for number, (name, zone) in enumerate(zones.items(), start=1):
            member = await add_member(session, number, name, group=group, zone=zone)
            await add_session(session, member, ago(3), 2)
    now = datetime.combine(TODAY, utc_time, UTC)
    async with sessionmaker.begin() as session:
        rows = {r.name: r for r in await dashboard.dashboard_rows(session, group.id, library, now)}

    assert {name for name, row in rows.items() if row.state is MemberState.MISSING} == missing
    assert all(row.sessions_7d == 1 for row in rows.values())


async def test_a_session_on_a_members_tomorrow_by_utc_counts_as_their_today(
    sessionmaker: async_sessionmaker[AsyncSession], library: Library
) -> None:
    async with sessionmaker.begin() as session:
        group = await add_group(session, -100)
        kiwi = await add_member(session, 1, "Kiwi", group=group, zone="Pacific/Auckland")
        await add_session(session, kiwi, TODAY + timedelta(days=1), 3)  # 01:00 on the 21st there
    async with sessionmaker.begin() as session:
        [row] = await dashboard.dashboard_rows(session, group.id, library, NOON)
    assert row.last_session == TODAY + timedelta(days=1) and row.sessions_7d == 1

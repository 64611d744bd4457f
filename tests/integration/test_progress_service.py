"""Progress numbers from a real database (SQLite and PostgreSQL), in the member's own calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching import DecisionKind
from bot.services.progress import Trend, load_history, load_progress
from handlers.progress_texts import summary
from tests.progress_data import add_decision, add_member, add_session

# Thursday 12 March 2026, 10:00 UTC.
NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 12)
ZONE = "Europe/Berlin"


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def test_streak_counts_back_from_today_and_stops_at_a_missed_day(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 101, zone=ZONE, onboarded_on=days_ago(30))
        for ago in (6, 5, 4, 1, 0):  # day 3 and 2 ago missed
            await add_session(session, member, days_ago(ago), [2, 3])
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 101, NOW, "UTC")
    assert report is not None
    assert report.streak == 2


async def test_a_streak_still_counts_until_today_is_over(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 102, zone=ZONE, onboarded_on=days_ago(30))
        for ago in (3, 2, 1):
            await add_session(session, member, days_ago(ago), [1])
        other = await add_member(session, 103, zone=ZONE, onboarded_on=days_ago(30))
        await add_session(session, other, days_ago(2), [1])
    async with sessionmaker.begin() as session:
        kept_up = await load_progress(session, 102, NOW, "UTC")
        lapsed = await load_progress(session, 103, NOW, "UTC")
    assert kept_up is not None and lapsed is not None
    assert kept_up.streak == 3
    assert lapsed.streak == 0


async def test_sessions_not_finished_or_all_skipped_are_not_sessions_done(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 104, zone=ZONE, onboarded_on=days_ago(30))
        await add_session(session, member, days_ago(2), [2, 2])
        await add_session(session, member, days_ago(1), [None, None])
        await add_session(session, member, days_ago(0), [3], status="in_progress")
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 104, NOW, "UTC")
    assert report is not None
    assert [point.day for point in report.points] == [days_ago(2)]
    assert report.streak == 0
    assert report.this_week.done == 1


async def test_a_streak_longer_than_the_chart_is_counted_in_full(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 105, zone=ZONE, onboarded_on=days_ago(500))
        for ago in range(400):
            await add_session(session, member, days_ago(ago), [1])
        await add_session(session, member, days_ago(401), [1])  # day 400 missed
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 105, NOW, "UTC")
    assert report is not None
    assert report.streak == 400
    # The chart itself still covers 8 weeks only.
    assert report.first_day == date(2026, 1, 19)
    assert len(report.points) == (TODAY - date(2026, 1, 19)).days + 1
    assert report.has_older_sessions


async def test_weeks_and_today_follow_the_members_time_zone_not_utc(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Sunday 1 March 2026, 12:00 UTC is already Monday 2 March, 01:00 in Auckland (UTC+13).
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    async with sessionmaker.begin() as session:
        member = await add_member(
            session, 106, zone="Pacific/Auckland", onboarded_on=date(2026, 2, 1)
        )
        await add_session(session, member, date(2026, 2, 28), [2])  # Saturday
        await add_session(session, member, date(2026, 3, 1), [2])  # Sunday
        await add_session(session, member, date(2026, 3, 2), [2])  # Monday, local today
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 106, now, "UTC")
    assert report is not None
    assert report.today == date(2026, 3, 2)
    assert report.this_week.first_day == date(2026, 3, 2)
    assert report.this_week.done == 1
    assert report.weeks[-2].done == 2
    assert report.streak == 3


async def test_the_first_week_plans_only_the_days_since_the_start(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Started on Wednesday 4 March: that week plans 5 sessions, this week 7.
    async with sessionmaker.begin() as session:
        member = await add_member(session, 107, zone=ZONE, onboarded_on=date(2026, 3, 4))
        for day in (4, 5, 7, 9, 10):
            await add_session(session, member, date(2026, 3, day), [3])
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 107, NOW, "UTC")
    assert report is not None
    assert len(report.weeks) == 4  # at least four weeks are shown
    assert [(week.done, week.planned) for week in report.weeks] == [(0, 0), (0, 0), (3, 5), (2, 7)]
    assert "This week: 2 of 7 sessions" in summary(report)


async def test_pain_trend_in_words_compares_the_last_two_weeks(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        easing = await add_member(session, 108, zone=ZONE, onboarded_on=days_ago(40))
        rising = await add_member(session, 109, zone=ZONE, onboarded_on=days_ago(40))
        for ago, high, low in ((13, 4, 1), (10, 3, 2), (8, 4, 2), (5, 2, 3), (1, 2, 4)):
            await add_session(session, easing, days_ago(ago), [high, 0])
            await add_session(session, rising, days_ago(ago), [low, 0])
        await add_session(session, easing, days_ago(20), [9])  # outside the two weeks
    async with sessionmaker.begin() as session:
        easing_report = await load_progress(session, 108, NOW, "UTC")
        rising_report = await load_progress(session, 109, NOW, "UTC")
    assert easing_report is not None and rising_report is not None
    assert easing_report.trend.direction is Trend.EASING
    assert summary(easing_report).splitlines()[2] == (
        "Pain is easing: 3.7 → 2.0 on average over the last two weeks"
    )
    assert rising_report.trend.direction is Trend.RISING
    assert "Pain is creeping up: 1.7 → 3.5" in summary(rising_report)


async def test_level_changes_come_from_progress_regress_and_phase_decisions_in_the_window(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 110, zone=ZONE, onboarded_on=days_ago(200))
        await add_session(
            session,
            member,
            days_ago(3),
            [1, 1],
            decisions=[
                ("clamshell", "progress", "Moved up."),
                ("side_lying_abduction", "hold", "Same again."),
            ],
        )
        await add_session(
            session, member, days_ago(2), [6], decisions=[("clamshell", "regress", "Eased.")]
        )
        add_decision(session, member, days_ago(1), "phase_up", "Next phase.")
        add_decision(session, member, days_ago(100), "progress", "Long ago.", ladder="bridge")
    async with sessionmaker.begin() as session:
        report = await load_progress(session, 110, NOW, "UTC")
    assert report is not None
    assert [(change.day, change.kind) for change in report.level_changes] == [
        (days_ago(3), DecisionKind.PROGRESS),
        (days_ago(2), DecisionKind.REGRESS),
        (days_ago(1), DecisionKind.PHASE_UP),
    ]


async def test_someone_not_set_up_has_no_progress_and_no_history(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 111, zone=ZONE, onboarded_on=days_ago(1))
        member.onboarded_at = None
    async with sessionmaker.begin() as session:
        assert await load_progress(session, 111, NOW, "UTC") is None
        assert await load_progress(session, 999, NOW, "UTC") is None
        assert await load_history(session, 999) is None
        assert await load_history(session, 111) == []


async def test_history_lists_the_last_ten_sessions_with_each_exercises_decision(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        member = await add_member(session, 112, zone=ZONE, onboarded_on=days_ago(60))
        for ago in range(14, 0, -1):
            await add_session(
                session,
                member,
                days_ago(ago),
                [ago % 4, None],
                decisions=[
                    ("clamshell", "hold", f"Same again on day {ago}."),
                    ("side_lying_abduction", "hold", f"Skipped on day {ago}."),
                    ("", "stop_session", f"Stopped on day {ago}."),
                ],
            )
        await add_session(session, member, days_ago(0), [], status="in_progress")
    async with sessionmaker.begin() as session:
        history = await load_history(session, 112)
    assert history is not None
    assert [training.day for training in history] == [days_ago(ago) for ago in range(1, 11)]
    newest = history[0]
    assert newest.max_pain == 1
    clamshell, leg_raise = newest.exercises
    assert (clamshell.variation_id, clamshell.pain, clamshell.reps_done) == ("clamshell", 1, 12)
    assert (clamshell.decision, clamshell.reason) == (DecisionKind.HOLD, "Same again on day 1.")
    assert leg_raise.skipped and leg_raise.reason == "Skipped on day 1."
    assert [(note.kind, note.reason) for note in newest.notes] == [
        (DecisionKind.STOP_SESSION, "Stopped on day 1.")
    ]

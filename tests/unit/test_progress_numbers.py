"""The calendar arithmetic behind /progress: chart window, weekly plan, streak and trend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.services.progress import (
    PainTrend,
    SessionPoint,
    Trend,
    pain_trend,
    streak_ending,
    week_tallies,
    window_start,
)

TODAY = date(2026, 3, 12)  # a Thursday
THIS_MONDAY = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("started", "weeks_shown"),
    [
        (TODAY, 4),  # a new member still sees a month, not a sliver
        (date(2026, 2, 16), 4),
        (date(2026, 2, 8), 6),  # a Sunday: its week counts
        (date(2025, 3, 1), 8),  # a year in: the last 8 weeks only
    ],
)
def test_the_chart_shows_the_weeks_since_the_start_between_four_and_eight(
    started: date, weeks_shown: int
) -> None:
    assert window_start(TODAY, started) == THIS_MONDAY - timedelta(weeks=weeks_shown - 1)


def test_a_streak_runs_to_today_or_yesterday_and_breaks_at_a_missed_day() -> None:
    days = {TODAY - timedelta(n) for n in (0, 1, 2, 4, 5)}
    assert streak_ending(days, TODAY) == 3
    assert streak_ending(days - {TODAY}, TODAY) == 2
    assert streak_ending(days - {TODAY, TODAY - timedelta(1)}, TODAY) == 0
    assert streak_ending(set(), TODAY) == 0


def test_weeks_before_the_start_plan_nothing_and_the_start_week_plans_the_days_left() -> None:
    points = [SessionPoint(date(2026, 3, day), 2) for day in (7, 8, 9, 12)]
    weeks = week_tallies(points, date(2026, 2, 23), TODAY, started=date(2026, 3, 7))
    assert [(w.first_day.day, w.done, w.planned) for w in weeks] == [
        (23, 0, 0),
        (2, 2, 2),  # started Saturday 7 March: two days in that week
        (9, 2, 7),
    ]


@pytest.mark.parametrize(
    ("earlier", "recent", "direction"),
    [
        ([4, 4], [3, 3], Trend.EASING),
        ([4, 4], [4, 3], Trend.EASING),  # exactly half a point
        ([4, 4], [4, 4, 3], Trend.STEADY),
        ([2], [3, 2], Trend.RISING),
        ([], [2], None),
        ([2], [], None),
    ],
)
def test_the_trend_compares_average_pain_of_the_last_7_days_with_the_7_before(
    earlier: list[int], recent: list[int], direction: Trend | None
) -> None:
    points = [SessionPoint(TODAY - timedelta(days=10), pain) for pain in earlier]
    points += [SessionPoint(TODAY - timedelta(days=6), pain) for pain in recent]
    points.append(SessionPoint(TODAY - timedelta(days=14), 10))  # older than two weeks: ignored
    assert pain_trend(points, TODAY).direction is direction


def test_the_trend_edges_are_whole_days() -> None:
    points = [SessionPoint(TODAY - timedelta(days=13), 5), SessionPoint(TODAY - timedelta(7), 3)]
    points.append(SessionPoint(TODAY - timedelta(days=6), 1))
    assert pain_trend(points, TODAY) == PainTrend(earlier=4.0, recent=1.0)

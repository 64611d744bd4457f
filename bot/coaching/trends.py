"""The member's pain over time: their usual pain, the weekly middle values and what they show.

Policy v2 (DESIGN.md §3): the baseline moves with the member instead of staying at the onboarding
rating, and the pain-monitoring model's "not building week to week" is read from a dated log of
session pains. Medians are the lower median, so they stay whole 0-10 numbers a member can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from statistics import median_low

from bot.coaching import reasons
from bot.coaching.content import Rules
from bot.coaching.state import ProgrammeState


def usual_pain(state: ProgrammeState, rules: Rules) -> int:
    """The middle value of the last usual_pain_sessions session pains, the starting rating first.

    The starting rating is the onboarding answer, or the answer at the last restart after a
    pause; it drops out once enough sessions have been done.
    """
    values = (state.baseline_pain, *state.session_pains)[-rules.usual_pain_sessions :]
    return median_low(values)


def describe_usual_pain(state: ProgrammeState, rules: Rules) -> str:
    """The usual pain and how it was worked out, for /why."""
    counted = min(len(state.session_pains), rules.usual_pain_sessions)
    return reasons.usual_pain(usual_pain(state, rules), counted, rules)


def weekly_pain(pain_log: Sequence[tuple[date, int]], today: date, weeks_ago: int) -> int | None:
    """The middle session pain of the 7 days ending `weeks_ago` weeks before today, if any."""
    end = today - timedelta(days=7 * weeks_ago)
    start = end - timedelta(days=6)
    pains = [pain for day, pain in pain_log if start <= day <= end]
    return median_low(pains) if pains else None


def build_up(
    pain_log: Sequence[tuple[date, int]], today: date, rules: Rules
) -> tuple[int, int] | None:
    """(this week, last week) when this week's middle pain is weekly_build_up_points or more
    above last week's; None when it is not, or there is no week to compare with."""
    this_week, last_week = weekly_pain(pain_log, today, 0), weekly_pain(pain_log, today, 1)
    if this_week is None or last_week is None:
        return None
    if this_week - last_week >= rules.weekly_build_up_points:
        return this_week, last_week
    return None


def persisting_pain(state: ProgrammeState, today: date, rules: Rules) -> tuple[int, ...] | None:
    """The weekly middle pains, oldest first, when pain persists: the log covers the whole of the
    last pain_persists_weeks weeks, each had sessions, all amber or above, and the latest is not
    lower than the first. None otherwise."""
    first_day = today - timedelta(days=7 * rules.pain_persists_weeks - 1)
    if not state.pain_log or state.pain_log[0][0] > first_day:
        return None  # the log does not cover the whole span yet
    weeks = [
        weekly_pain(state.pain_log, today, weeks_ago)
        for weeks_ago in reversed(range(rules.pain_persists_weeks))
    ]
    green_max = rules.pain_zones.green_max
    if any(week is None or week <= green_max for week in weeks):
        return None
    known = tuple(week for week in weeks if week is not None)
    return known if known[-1] >= known[0] else None

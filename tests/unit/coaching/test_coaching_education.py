"""Tips after a session and the flare-up easing: never a repeat within two weeks, a plan that
eases once and holds every step up for its days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.coaching import DecisionKind, Status, ease_for_days
from bot.coaching.content import Library
from bot.coaching.education import Education, pick_tip
from bot.coaching.loader import default_content_dir, load_education
from tests.unit.coaching.conftest import Member

EDUCATION = load_education(default_content_dir())
DAY = date(2026, 3, 2)


def shown_daily(days: int, start: date = DAY) -> list[tuple[date, str]]:
    history: list[tuple[date, str]] = []
    for offset in range(days):
        today = start + timedelta(days=offset)
        tip = pick_tip(history, today, EDUCATION)
        assert tip is not None
        history.append((today, tip.id))
    return history


def test_the_real_tips_cover_every_topic_in_two_or_three_sentences() -> None:
    assert {tip.topic for tip in EDUCATION.tips} == {
        "hurt_not_harm",
        "stay_active",
        "pacing",
        "sleep",
        "flare_ups",
    }
    assert len(EDUCATION.tips) >= EDUCATION.repeat_after_days == 14


def test_a_daily_member_never_sees_a_tip_twice_within_two_weeks() -> None:
    history = shown_daily(60)
    last: dict[str, date] = {}
    for day, tip_id in history:
        assert tip_id not in last or (day - last[tip_id]).days >= 14
        last[tip_id] = day
    # Rotation: the first five days bring five different topics.
    topics = [next(t.topic for t in EDUCATION.tips if t.id == tip_id) for _, tip_id in history[:5]]
    assert len(set(topics)) == 5


def test_one_tip_a_day_at_most_and_the_oldest_comes_back_first() -> None:
    history = shown_daily(len(EDUCATION.tips))
    assert pick_tip(history, history[-1][0], EDUCATION) is None  # already shown today
    next_day = history[-1][0] + timedelta(days=1)
    tip = pick_tip(history, next_day, EDUCATION)
    assert tip is not None and tip.id == history[0][1]


def test_with_every_tip_too_recent_there_is_none() -> None:
    history = [(DAY - timedelta(days=1), tip.id) for tip in EDUCATION.tips]
    assert pick_tip(history, DAY, EDUCATION) is None
    assert pick_tip(history, DAY + timedelta(days=13), EDUCATION) is not None  # 14 days on


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=80))
def test_whatever_the_gaps_no_tip_repeats_within_two_weeks(gaps: list[int]) -> None:
    history: list[tuple[date, str]] = []
    today = DAY
    for gap in gaps:
        today += timedelta(days=gap)
        tip = pick_tip(history, today, EDUCATION)
        assert pick_tip(history, today, EDUCATION) == tip  # deterministic
        if tip is None:
            continue
        assert all((today - day).days >= 14 for day, tip_id in history if tip_id == tip.id)
        history.append((today, tip.id))


def test_tips_are_checked_for_length_sources_and_enough_of_them() -> None:
    raw = EDUCATION.model_dump()
    with pytest.raises(ValidationError, match="2 or 3 sentences"):
        Education.model_validate(
            raw | {"tips": [raw["tips"][0] | {"text": "One long sentence " * 4 + "only."}]}
        )
    with pytest.raises(ValidationError, match="cannot avoid a repeat"):
        Education.model_validate(raw | {"tips": raw["tips"][:5]})
    with pytest.raises(ValidationError, match="not listed under sources"):
        Education.model_validate(raw | {"sources": {}})


def test_a_flare_eases_every_exercise_once_and_holds_steps_for_three_days(
    library: Library,
) -> None:
    member = Member(library, baseline_pain=1)
    for _ in range(4):
        member.session(1)
    before = member.state.prescriptions
    outcome = ease_for_days(member.state, library, today=member.today)
    eased = [d for d in outcome.decisions if d.kind is DecisionKind.FLARE_EASE]
    assert {d.ladder_id for d in eased} == set(before)
    assert outcome.state.flare_until == member.today + timedelta(days=2)
    assert "nothing steps up until" in eased[0].reason
    # Asking again the next day does not ease twice.
    again = ease_for_days(outcome.state, library, today=member.today + timedelta(days=1))
    assert again.decisions == () and again.state.prescriptions == outcome.state.prescriptions
    # Today (its session already done) and the next two days: nothing steps up.
    member.state = outcome.state
    for _ in range(2):
        member.session(1)
        kinds = {d.kind for d in member.decisions[-len(before) :]}
        assert DecisionKind.PROGRESS not in kinds
    assert "going easy for a flare-up" in member.decisions[-1].reason
    for _ in range(3):
        member.session(1)
    assert any(d.kind is DecisionKind.PROGRESS for d in member.decisions[-len(before) :])


def test_a_flare_while_paused_changes_nothing(library: Library) -> None:
    member = Member(library)
    paused = replace(member.state, status=Status.PAUSED_BY_MEMBER)
    assert ease_for_days(paused, library, today=member.today).state == paused

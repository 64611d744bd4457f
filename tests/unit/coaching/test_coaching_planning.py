"""Planning today's session: which exercises, in what order, and how long it takes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.coaching import (
    Prescription,
    ProgrammeState,
    Status,
    estimate_minutes,
    plan_session,
)
from bot.coaching.content import Library
from tests.unit.coaching.conftest import DAY_ONE, Member


def short_sessions(library: Library, minutes_max: int) -> Library:
    programme = library.programme.model_copy(
        update={"session_minutes_min": 5, "session_minutes_max": minutes_max}
    )
    return library.model_copy(update={"programme": programme})


def test_floor_work_first_and_the_seated_stretch_last(library: Library) -> None:
    state = Member(library).state
    plan = plan_session(state, library, DAY_ONE)
    assert [p.ladder_id for p in plan] == ["bridge", "clamshell", "bird_dog", "stretch"]
    assert plan[1] == state.prescriptions["clamshell"]


def test_the_estimate_counts_reps_holds_sides_rests_and_set_up(library: Library) -> None:
    plan = plan_session(Member(library).state, library, DAY_ONE)
    # bridge 30 + 3x8x3 + 2x30 = 162 s; clamshell 30 + 3x10x3x2 + 60 = 270 s;
    # bird dog 30 + 3x10x2 + 60 = 150 s; stretch 30 + 2x30x2 + 30 = 180 s: 762 s in all.
    assert estimate_minutes(plan) == 13
    assert estimate_minutes(plan[:1]) == 3
    assert estimate_minutes(()) == 0
    assert library.programme.session_minutes_min <= 13 <= library.programme.session_minutes_max


@pytest.mark.parametrize(
    "status", [Status.PAUSED_PAIN, Status.PAUSED_BY_MEMBER, Status.STOPPED_RED_FLAG]
)
def test_nothing_is_planned_unless_active(library: Library, status: Status) -> None:
    state = replace(Member(library).state, status=status)
    assert plan_session(state, library, DAY_ONE) == ()


def test_the_same_state_and_day_give_the_same_plan(library: Library) -> None:
    short = short_sessions(library, 8)
    state = Member(short).state
    for day in range(10):
        today = DAY_ONE + timedelta(days=day)
        plan = plan_session(state, short, today)
        assert plan == plan_session(state, short, today)
        assert plan == plan_session(ProgrammeState.from_json(state.to_json()), short, today)


def test_when_not_everything_fits_the_exercises_take_turns(library: Library) -> None:
    short = short_sessions(library, 8)
    state = Member(short).state
    plans = [plan_session(state, short, DAY_ONE + timedelta(days=day)) for day in range(4)]
    for plan in plans:
        assert 1 <= len(plan) < 4
        assert estimate_minutes(plan) <= 8
    assert len({tuple(p.ladder_id for p in plan) for plan in plans}) > 1
    # Every exercise comes up at least once in as many days as the phase has exercises.
    assert {p.ladder_id for plan in plans for p in plan} == set(state.prescriptions)


def test_one_exercise_longer_than_the_session_is_still_planned(library: Library) -> None:
    short = short_sessions(library, 5)
    state = Member(short).state
    huge = Prescription("clamshell", "clamshell", 3, 16, None, True)  # about 6 minutes
    state = replace(state, prescriptions={"clamshell": huge})
    assert plan_session(state, short, DAY_ONE) == (huge,)


def test_ladders_outside_the_current_phase_are_not_planned(library: Library) -> None:
    state = Member(library).state
    stray = Prescription("lunge", "split_squat", 3, 6, None, True)
    state = replace(state, prescriptions={**state.prescriptions, "lunge": stray})
    assert stray not in plan_session(state, library, DAY_ONE)

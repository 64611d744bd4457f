"""Moving up a phase by the programme's `advance` criteria."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.coaching import Checkin, DecisionKind, Prescription, ProgrammeState, finish_session
from bot.coaching.content import Library
from tests.unit.coaching.conftest import BAND, BLOCK, DAY_ONE, Member, result_for

PHASE_UP = DecisionKind.PHASE_UP


def phase_ups(member: Member) -> list[str]:
    return [d.reason for d in member.decisions if d.kind is PHASE_UP]


@pytest.mark.parametrize(("sessions", "phase"), [(3, 1), (4, 2)])
def test_min_sessions_green_recent_sessions_and_ladders_progressed_move_a_phase_up(
    library: Library, sessions: int, phase: int
) -> None:
    member = Member(library)
    for _ in range(sessions):
        member.session(1)
    assert member.state.phase == phase


def test_moving_up_keeps_shared_ladders_and_starts_new_ones_at_their_easiest(
    library: Library,
) -> None:
    member = Member(library)
    for _ in range(3):
        member.session(1)
    outcome = member.session(1)
    state = outcome.state
    assert state.phase == 2
    assert list(state.prescriptions) == ["clamshell", "bridge", "monster_walk", "kicks"]
    # Kept ladders keep the prescription this very session gave them (10 -> 12 -> 14).
    assert state.prescriptions["clamshell"] == Prescription(
        "clamshell", "clamshell", 3, 14, None, True
    )
    assert state.prescriptions["monster_walk"] == Prescription(
        "monster_walk", "monster_walk", 3, 10, None, True
    )
    assert state.prescriptions["kicks"] == Prescription("kicks", "counter_kicks", 2, 8, None, True)
    assert state.sessions_in_phase == 0
    assert state.ladders_progressed_in_phase == frozenset()
    assert set(state.history) <= set(state.prescriptions)
    assert outcome.decisions[-1].kind is PHASE_UP
    assert outcome.decisions[-1].reason == (
        "You've done 4 sessions of Activate, with pain at 2/10 or less in the last 3, "
        "so you move on to Strengthen."
    )


def test_new_ladders_follow_the_members_kit(library: Library) -> None:
    member = Member(library, equipment=frozenset({BAND, BLOCK}))
    for _ in range(4):
        member.session(1)
    state = member.state
    assert state.phase == 2
    assert "monster_walk" in state.prescriptions
    assert state.prescriptions["kicks"].variation_id == "free_kicks"  # no counter: the rung above
    member_without_band = Member(library, equipment=frozenset())
    for _ in range(4):
        outcome = member_without_band.session(1)
    assert "monster_walk" not in member_without_band.state.prescriptions
    left_out = [d for d in outcome.decisions if d.kind is DecisionKind.EQUIPMENT]
    assert [d.ladder_id for d in left_out] == ["monster_walk"]


def test_an_amber_session_among_the_recent_ones_waits(library: Library) -> None:
    member = Member(library, baseline_pain=2)
    member.session(2)
    member.session(2)
    member.session(3)
    member.session(2)
    assert member.state.phase == 1  # 3/10 is within the last 3
    member.session(2)
    assert member.state.phase == 1
    member.session(2)
    assert member.state.phase == 2


def session_done(library: Library, state: ProgrammeState) -> ProgrammeState:
    """One more green session with only the bird dog hold, which cannot progress."""
    bird_dog = state.prescriptions["bird_dog"]
    return finish_session(state, library, today=DAY_ONE, results=[result_for(bird_dog, 1)]).state


@pytest.mark.parametrize(
    ("progressed", "phase"), [({"clamshell"}, 1), ({"clamshell", "bridge"}, 2)]
)
def test_enough_ladders_must_have_progressed(
    library: Library, progressed: set[str], phase: int
) -> None:
    state = replace(
        Member(library).state,
        sessions_in_phase=3,
        session_pains=(1, 1),
        ladders_progressed_in_phase=frozenset(progressed),
    )
    assert session_done(library, state).phase == phase


def test_no_phase_up_in_a_session_held_back_by_a_worse_checkin(library: Library) -> None:
    member = Member(library)
    for _ in range(3):
        member.session(1)
    member.checkin(Checkin.WORSE, days_later=1)
    member.session(1, days_later=0)
    assert member.state.phase == 1
    member.session(1)
    assert member.state.phase == 2


def test_the_last_phase_is_the_last(library: Library) -> None:
    member = Member(library)
    for _ in range(60):
        member.session(1)
    assert member.state.phase == 3
    assert len(phase_ups(member)) == 2

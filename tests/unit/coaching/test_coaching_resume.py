"""Restarting after a pause: straight back after the member's own, a short check after pain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.coaching import (
    ActivityLevel,
    DecisionKind,
    Outcome,
    Prescription,
    Status,
    pause_by_member,
    record_red_flag,
    resume,
)
from bot.coaching.content import Library
from bot.coaching.screening import Urgency
from tests.unit.coaching.conftest import Member

RESUME, DECLINED = DecisionKind.RESUME, DecisionKind.RESUME_DECLINED


def red_bridge(prescription: Prescription) -> int:
    return 6 if prescription.ladder_id == "bridge" else 2


def paused_for_pain(library: Library) -> Member:
    """Two sessions with the bridge at 6/10: the second one pauses the programme."""
    member = Member(library, baseline_pain=2)
    for _ in range(2):
        member.session(red_bridge)
    assert member.state.status is Status.PAUSED_PAIN
    return member


def test_after_the_members_own_pause_it_is_straight_back(library: Library) -> None:
    member = Member(library)
    member.session(1)
    paused = pause_by_member(member.state, today=member.today).state
    outcome = resume(paused, library, today=member.today + timedelta(days=1))
    assert outcome.state == member.state
    (welcome,) = outcome.decisions
    assert welcome.kind is RESUME
    assert "3 days or more" in welcome.reason


def test_after_a_long_members_pause_the_missed_days_rule_eases_the_next_session(
    library: Library,
) -> None:
    member = Member(library, baseline_pain=0, activity=ActivityLevel.ACTIVE)
    member.session(1)
    member.state = pause_by_member(member.state, today=member.today).state
    member.today += timedelta(days=7)
    member.state = resume(member.state, library, today=member.today).state
    before = member.state.prescriptions["clamshell"]
    member.plan()
    assert member.state.prescriptions["clamshell"].reps == before.reps - 2
    assert member.decisions[-1].kind is DecisionKind.EASIER_AFTER_BREAK


@pytest.mark.parametrize(
    ("pain_now", "seen_professional", "symptoms_settled", "resumed", "says"),
    [
        # Green plus one (3/10) or less, and help or settled symptoms.
        (3, True, False, True, "3/10 now"),
        (0, False, True, True, "0/10 now"),
        (4, True, True, False, "your back is at 3/10 or less (it's 4/10 now)"),
        (
            3,
            False,
            False,
            False,
            "you've seen a GP or physiotherapist (or your symptoms have settled)",
        ),
        (None, True, True, False, "how your back is right now"),
    ],
)
def test_after_a_pain_pause_resume_needs_low_pain_and_help_or_settled_symptoms(
    library: Library,
    pain_now: int | None,
    seen_professional: bool,
    symptoms_settled: bool,
    resumed: bool,
    says: str,
) -> None:
    member = paused_for_pain(library)
    paused = member.state
    outcome = resume(
        paused,
        library,
        today=member.today + timedelta(days=5),
        pain_now=pain_now,
        seen_professional=seen_professional,
        symptoms_settled=symptoms_settled,
    )
    decision = outcome.decisions[0]
    assert says in decision.reason
    if not resumed:
        assert decision.kind is DECLINED
        assert outcome.state == paused
        assert decision.reason.startswith("Not yet: the programme restarts once")
        return
    assert decision.kind is RESUME
    assert "restart in Activate with every exercise at its first step" in decision.reason
    assert outcome.state.status is Status.ACTIVE
    # Phase 1 has no phase before it: its first steps, and the pains that caused the pause set
    # aside, with the answer now as the starting rating.
    assert outcome.state.prescriptions["clamshell"] == Prescription(
        "clamshell", "clamshell", 3, 10, None, True
    )
    assert outcome.state.prescriptions["bridge"].sets == 3
    assert outcome.state.session_pains == ()
    assert outcome.state.baseline_pain == pain_now


def test_a_resume_after_pain_counts_as_the_easing_for_that_break(library: Library) -> None:
    member = paused_for_pain(library)
    member.today += timedelta(days=10)
    member.state = resume(
        member.state, library, today=member.today, pain_now=2, symptoms_settled=True
    ).state
    eased = member.state.prescriptions
    member.plan()
    assert member.state.prescriptions == eased


def test_after_resuming_one_red_session_does_not_pause_again_but_two_do(library: Library) -> None:
    member = paused_for_pain(library)
    member.state = resume(
        member.state, library, today=member.today, pain_now=2, symptoms_settled=True
    ).state
    assert member.session(red_bridge).state.status is Status.ACTIVE
    assert member.session(red_bridge).state.status is Status.PAUSED_PAIN


@pytest.mark.parametrize(
    ("pain_now", "seen_professional", "symptoms_settled", "resumed", "says"),
    [
        (3, True, False, True, "A clinician has checked you"),
        (3, False, True, False, "a doctor or physiotherapist has checked you"),
        (6, True, False, False, "(it's 6/10 now)"),
        (None, True, False, False, "how your back is right now"),
    ],
)
def test_after_a_red_flag_resume_needs_a_clinician(
    library: Library,
    pain_now: int | None,
    seen_professional: bool,
    symptoms_settled: bool,
    resumed: bool,
    says: str,
) -> None:
    member = Member(library)
    member.session(1)
    flagged = record_red_flag(member.state, today=member.today, urgency=Urgency.EMERGENCY).state
    outcome = resume(
        flagged,
        library,
        today=member.today + timedelta(days=3),
        pain_now=pain_now,
        seen_professional=seen_professional,
        symptoms_settled=symptoms_settled,
    )
    decision = outcome.decisions[0]
    assert says in decision.reason
    assert decision.kind is (RESUME if resumed else DECLINED)
    assert outcome.state.status is (Status.ACTIVE if resumed else Status.STOPPED_RED_FLAG)


def test_resuming_an_active_programme_changes_nothing(library: Library) -> None:
    state = Member(library).state
    assert resume(state, library, today=Member(library).today) == Outcome(state, ())


def test_resume_refuses_a_pain_outside_0_to_10(library: Library) -> None:
    member = paused_for_pain(library)
    with pytest.raises(ValueError, match="0 to 10"):
        resume(member.state, library, today=member.today, pain_now=12, symptoms_settled=True)

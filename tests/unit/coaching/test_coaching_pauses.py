"""Stopping a session, pausing the programme for pain, red flags and the member's own pause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.coaching import (
    ActivityLevel,
    Checkin,
    DecisionKind,
    ExerciseResult,
    Outcome,
    Prescription,
    ProgrammeState,
    Status,
    finish_session,
    pause_by_member,
    record_checkin,
    record_red_flag,
    start_programme,
)
from bot.coaching.content import Library
from bot.coaching.screening import Urgency
from tests.unit.coaching.conftest import (
    ALL_EQUIPMENT,
    DAY_ONE,
    Member,
    result_for,
    skipped,
    with_rules,
)

STOP, PAUSE = DecisionKind.STOP_SESSION, DecisionKind.PAUSE


def fresh(library: Library) -> ProgrammeState:
    return start_programme(
        library,
        baseline_pain=1,
        activity=ActivityLevel.SOME,
        equipment=ALL_EQUIPMENT,
        today=DAY_ONE,
    ).state


def session_kinds(outcome: Outcome) -> list[DecisionKind]:
    return [d.kind for d in outcome.decisions if d.ladder_id is None]


@pytest.mark.parametrize(("pain", "stops"), [(7, False), (8, True), (10, True)])
def test_pain_at_stop_session_pain_stops_the_session_and_pauses(
    library: Library, pain: int, stops: bool
) -> None:
    member = Member(library)
    outcome = member.session(lambda p: pain if p.ladder_id == "bridge" else 1)
    bridge = next(d for d in outcome.decisions if d.ladder_id == "bridge")
    assert bridge.kind is DecisionKind.REGRESS
    if stops:
        assert session_kinds(outcome) == [STOP, PAUSE]
        assert outcome.state.status is Status.PAUSED_PAIN
        assert outcome.paused
        stop, pause = (d for d in outcome.decisions if d.ladder_id is None)
        assert f"Pain reached {pain}/10 in the glute bridge" in stop.reason
        assert "GP or a physiotherapist" in pause.reason
        assert "You stopped during the glute bridge because of pain" in bridge.reason
    else:
        assert session_kinds(outcome) == []
        assert outcome.state.status is Status.ACTIVE


def test_a_session_stopped_by_the_member_for_pain_regresses_that_exercise(
    library: Library,
) -> None:
    state = fresh(library)
    clamshell, bridge = state.prescriptions["clamshell"], state.prescriptions["bridge"]
    outcome = finish_session(
        state,
        library,
        today=DAY_ONE,
        results=[result_for(clamshell, 1), result_for(bridge, 5)],
        stopped_for_pain=True,
    )
    kinds = [(d.ladder_id, d.kind) for d in outcome.decisions]
    assert kinds == [
        ("clamshell", DecisionKind.HOLD),
        ("bridge", DecisionKind.REGRESS),
        (None, STOP),
        (None, PAUSE),
    ]
    assert outcome.decisions[2].reason.startswith("You stopped today's session because of pain.")
    assert outcome.state.status is Status.PAUSED_PAIN


def red_or_green(pains: Sequence[str]) -> list[int]:
    return [{"R": 6, "G": 1, "-": -1}[mark] for mark in pains]


def run_sessions(library: Library, marks: str) -> Member:
    """'R' a session with one red exercise, 'G' a green one, '-' everything skipped."""
    member = Member(library)
    for pain in red_or_green(marks):
        if pain < 0:
            member.session(results=lambda plan: [skipped(p) for p in plan])
        else:
            member.session(lambda p, pain=pain: pain if p.ladder_id == "bird_dog" else 1)
    return member


@pytest.mark.parametrize(
    ("marks", "paused"),
    [
        ("R", False),
        ("RR", True),  # two red sessions in a row
        ("RG", False),
        ("RGR", False),
        ("RGRG", False),
        ("RGRGR", True),  # 3 of the last 5
        ("GRGRGR", True),
        ("RGGRGR", False),  # 2 of the last 5
        ("RGGGGRGR", False),  # the first red is outside the window of 5
        ("R-R", True),  # a session of only skips neither counts nor breaks the run
    ],
)
def test_red_sessions_pause_the_programme(library: Library, marks: str, paused: bool) -> None:
    member = run_sessions(library, marks)
    assert (member.state.status is Status.PAUSED_PAIN) is paused
    pauses = [d for d in member.decisions if d.kind is PAUSE]
    assert len(pauses) == int(paused)
    if paused:
        assert "GP or a physiotherapist" in pauses[0].reason
        assert "Pain was above 5/10" in pauses[0].reason


def test_the_pause_reason_gives_the_count(library: Library) -> None:
    in_a_row = run_sessions(library, "RR").decisions[-1]
    assert "in your last 2 sessions" in in_a_row.reason
    in_window = run_sessions(library, "RGRGR").decisions[-1]
    assert "in 3 of your last 5 sessions" in in_window.reason


def test_pause_thresholds_come_from_the_rules(library: Library) -> None:
    patient = with_rules(library, pause_red_sessions_in_a_row=3, stop_session_pain=9)
    assert run_sessions(patient, "RR").state.status is Status.ACTIVE
    assert run_sessions(patient, "RRR").state.status is Status.PAUSED_PAIN
    member = Member(patient)
    member.session(8)
    assert member.state.status is Status.ACTIVE
    assert member.session(9).state.status is Status.PAUSED_PAIN


@pytest.mark.parametrize(
    ("answers", "paused"),
    [
        ([Checkin.WORSE], False),
        ([Checkin.WORSE, Checkin.WORSE], True),
        ([Checkin.WORSE, Checkin.SAME, Checkin.WORSE], False),
        ([Checkin.WORSE, Checkin.BETTER, Checkin.WORSE, Checkin.WORSE], True),
    ],
)
def test_worse_checkins_in_a_row_pause(
    library: Library, answers: list[Checkin], paused: bool
) -> None:
    member = Member(library)
    member.session(1)
    for answer in answers:
        member.checkin(answer)
    assert (member.state.status is Status.PAUSED_PAIN) is paused
    if paused:
        pause = member.decisions[-1]
        assert pause.kind is PAUSE
        assert "felt worse the morning after exercise 2 times in a row" in pause.reason


def test_a_worse_checkin_explains_the_hold_to_come(library: Library) -> None:
    member = Member(library)
    member.session(1)
    (hold,) = member.checkin(Checkin.WORSE).decisions
    assert hold.kind is DecisionKind.HOLD
    assert hold.ladder_id is None
    assert "nothing steps up in your next session" in hold.reason
    assert member.checkin(Checkin.BETTER).decisions == ()


def test_only_the_first_checkin_of_a_day_counts(library: Library) -> None:
    member = Member(library)
    member.session(1)
    member.checkin(Checkin.WORSE)
    again = member.checkin(Checkin.WORSE, days_later=0)
    assert again.decisions == ()
    assert member.state.status is Status.ACTIVE
    assert member.state.worse_checkins_in_a_row == 1


def test_checkins_while_paused_change_nothing(library: Library) -> None:
    state = pause_by_member(fresh(library), today=DAY_ONE).state
    outcome = record_checkin(state, library, today=DAY_ONE, answer=Checkin.WORSE)
    assert outcome == Outcome(state, ())


@pytest.mark.parametrize(
    ("urgency", "who"),
    [(Urgency.EMERGENCY, "emergency department"), (Urgency.DOCTOR_SOON, "next few days")],
)
@pytest.mark.parametrize("status", list(Status))
def test_a_red_flag_that_needs_a_doctor_stops_the_programme_from_any_status(
    library: Library, status: Status, urgency: Urgency, who: str
) -> None:
    state = ProgrammeState.from_json({**fresh(library).to_json(), "status": status.value})
    outcome = record_red_flag(state, today=DAY_ONE, urgency=urgency)
    assert outcome.state.status is Status.STOPPED_RED_FLAG
    assert outcome.paused
    (flag,) = outcome.decisions
    assert flag.kind is DecisionKind.RED_FLAG
    assert who in flag.reason
    assert outcome.state.prescriptions == state.prescriptions


def test_a_flag_to_tell_the_clinician_keeps_the_programme_going_with_a_decision(
    library: Library,
) -> None:
    state = fresh(library)
    outcome = record_red_flag(state, today=DAY_ONE, urgency=Urgency.TELL_CLINICIAN)
    assert outcome.state == state and not outcome.paused
    (flag,) = outcome.decisions
    assert flag.kind is DecisionKind.RED_FLAG and "carries on" in flag.reason


def test_the_member_can_pause_only_an_active_programme(library: Library) -> None:
    outcome = pause_by_member(fresh(library), today=DAY_ONE)
    assert outcome.state.status is Status.PAUSED_BY_MEMBER
    assert not outcome.paused
    assert [d.kind for d in outcome.decisions] == [DecisionKind.MEMBER_PAUSE]
    flagged = record_red_flag(fresh(library), today=DAY_ONE, urgency=Urgency.DOCTOR_SOON).state
    assert pause_by_member(flagged, today=DAY_ONE) == Outcome(flagged, ())


@pytest.mark.parametrize(
    "status", [Status.PAUSED_PAIN, Status.PAUSED_BY_MEMBER, Status.STOPPED_RED_FLAG]
)
def test_no_session_can_be_finished_unless_active(library: Library, status: Status) -> None:
    state = ProgrammeState.from_json({**fresh(library).to_json(), "status": status.value})
    with pytest.raises(ValueError, match="only be finished while active"):
        finish_session(state, library, today=DAY_ONE, results=[])


def bad_result(prescription: Prescription, **changes: object) -> ExerciseResult:
    fields = {
        "ladder_id": prescription.ladder_id,
        "variation_id": prescription.variation_id,
        "reps_done": prescription.reps,
        "hold_completed": None,
        "pain": 1,
    } | changes
    return ExerciseResult(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reps_done": 501}, "0 to 500"),
        ({"reps_done": -1}, "0 to 500"),
        ({"reps_done": 2.5}, "whole number"),
        ({"reps_done": None, "hold_completed": True}, "done in reps"),
        ({"variation_id": "band_clam"}, "prescription is 'clamshell'"),
        ({"ladder_id": "lunge", "variation_id": "split_squat"}, "not in the member's programme"),
    ],
)
def test_finish_session_refuses_garbage(
    library: Library, changes: dict[str, object], message: str
) -> None:
    state = fresh(library)
    with pytest.raises(ValueError, match=message):
        finish_session(
            state,
            library,
            today=DAY_ONE,
            results=[bad_result(state.prescriptions["clamshell"], **changes)],
        )


def test_finish_session_refuses_two_results_for_one_exercise(library: Library) -> None:
    state = fresh(library)
    clamshell = state.prescriptions["clamshell"]
    with pytest.raises(ValueError, match="more than one result"):
        finish_session(
            state,
            library,
            today=DAY_ONE + timedelta(days=1),
            results=[result_for(clamshell, 1), result_for(clamshell, 1)],
        )


def test_a_hold_result_needs_hold_completed(library: Library) -> None:
    state = fresh(library)
    bird_dog = state.prescriptions["bird_dog"]
    with pytest.raises(ValueError, match="is a hold"):
        finish_session(
            state,
            library,
            today=DAY_ONE,
            results=[ExerciseResult("bird_dog", bird_dog.variation_id, 10, None, 1)],
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("clamshell", "clamshell", 10, None, 11), "0 to 10"),
        (("clamshell", "clamshell", 10, None, None), "pain is required"),
        (("clamshell", "clamshell", 10, True, 1), "either reps_done or hold_completed"),
        (("clamshell", "clamshell", None, None, 1), "either reps_done or hold_completed"),
    ],
)
def test_an_exercise_result_refuses_garbage(fields: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExerciseResult(*fields)


def test_a_skipped_result_carries_nothing_else() -> None:
    with pytest.raises(ValueError, match="must be None"):
        ExerciseResult("clamshell", "clamshell", None, None, 3, skipped=True)

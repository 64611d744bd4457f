"""Starting the programme: phase 1, the easiest rung the kit allows, a dose that fits the member."""

from __future__ import annotations

import pytest

from bot.coaching import (
    ActivityLevel,
    DecisionKind,
    Prescription,
    Status,
    start_programme,
)
from bot.coaching.content import Equipment, Library
from tests.unit.coaching.conftest import ALL_EQUIPMENT, DAY_ONE, NO_EQUIPMENT

LOW, SOME, ACTIVE = ActivityLevel.LOW, ActivityLevel.SOME, ActivityLevel.ACTIVE


@pytest.mark.parametrize(
    ("baseline_pain", "activity", "clamshell_sets", "clamshell_reps", "bridge_reps"),
    [
        (0, ACTIVE, 3, 13, 10),  # green and exercising regularly: mid-range
        (2, ACTIVE, 3, 13, 10),
        (3, ACTIVE, 3, 10, 8),  # amber: bottom of the range
        (2, SOME, 3, 10, 8),
        (2, LOW, 3, 10, 8),  # mostly sitting: bottom of the range
        (5, LOW, 3, 10, 8),
        (6, ACTIVE, 2, 10, 8),  # red: bottom of the range, one set fewer
        (9, LOW, 2, 10, 8),
    ],
)
def test_starting_dose_follows_baseline_pain_and_activity(
    library: Library,
    baseline_pain: int,
    activity: ActivityLevel,
    clamshell_sets: int,
    clamshell_reps: int,
    bridge_reps: int,
) -> None:
    outcome = start_programme(
        library,
        baseline_pain=baseline_pain,
        activity=activity,
        equipment=ALL_EQUIPMENT,
        today=DAY_ONE,
    )
    state = outcome.state
    assert state.status is Status.ACTIVE
    assert state.phase == 1
    assert state.baseline_pain == baseline_pain
    assert state.prescriptions["clamshell"] == Prescription(
        "clamshell", "clamshell", clamshell_sets, clamshell_reps, None, True
    )
    assert state.prescriptions["bridge"].reps == bridge_reps
    assert [d.kind for d in outcome.decisions] == [DecisionKind.START]


@pytest.mark.parametrize(
    ("baseline_pain", "activity", "reason"),
    [
        (
            7,
            ACTIVE,
            "Your back is at 7/10 today, so every exercise starts at its gentlest: the easiest "
            "version, with one set fewer.",
        ),
        (
            4,
            ACTIVE,
            "Your back is at 4/10 today, so every exercise starts at the easy end of its range.",
        ),
        (
            1,
            LOW,
            "You're mostly sitting at the moment, so every exercise starts at the easy end of its "
            "range and builds from there.",
        ),
        (
            1,
            ACTIVE,
            "Your back is at 1/10 and you exercise regularly, so every exercise starts in the "
            "middle of its range.",
        ),
    ],
)
def test_the_start_says_why_in_plain_words(
    library: Library, baseline_pain: int, activity: ActivityLevel, reason: str
) -> None:
    outcome = start_programme(
        library,
        baseline_pain=baseline_pain,
        activity=activity,
        equipment=ALL_EQUIPMENT,
        today=DAY_ONE,
    )
    assert outcome.decisions[0].reason == reason


def test_every_phase_one_ladder_starts_on_its_easiest_rung(library: Library) -> None:
    state = start_programme(
        library, baseline_pain=1, activity=SOME, equipment=ALL_EQUIPMENT, today=DAY_ONE
    ).state
    assert state.prescriptions == {
        "clamshell": Prescription("clamshell", "clamshell", 3, 10, None, True),
        "bridge": Prescription("bridge", "glute_bridge", 3, 8, None, False),
        "bird_dog": Prescription("bird_dog", "bird_dog_hold", 3, None, 10, True),
        "stretch": Prescription("stretch", "hamstring_stretch", 2, None, 30, True),
    }
    assert state.history == {}
    assert state.last_session_date is None


def test_a_hold_is_never_put_mid_range(library: Library) -> None:
    state = start_programme(
        library, baseline_pain=0, activity=ACTIVE, equipment=ALL_EQUIPMENT, today=DAY_ONE
    ).state
    assert state.prescriptions["bird_dog"] == Prescription(
        "bird_dog", "bird_dog_hold", 3, None, 10, True
    )


def test_a_ladder_with_no_rung_for_the_members_kit_is_left_out_and_said_so(
    library: Library,
) -> None:
    outcome = start_programme(
        library, baseline_pain=1, activity=SOME, equipment=NO_EQUIPMENT, today=DAY_ONE
    )
    assert set(outcome.state.prescriptions) == {"clamshell", "bridge", "bird_dog"}
    start, left_out = outcome.decisions
    assert start.kind is DecisionKind.START
    assert left_out.kind is DecisionKind.EQUIPMENT
    assert left_out.ladder_id == "stretch"
    assert "a sturdy chair or counter" in left_out.reason


def test_equipment_given_as_strings_is_read_as_equipment(library: Library) -> None:
    state = start_programme(
        library,
        baseline_pain=1,
        activity=SOME,
        equipment=frozenset({"band"}),  # type: ignore[arg-type]
        today=DAY_ONE,
    ).state
    assert state.equipment == frozenset({Equipment.BAND})


@pytest.mark.parametrize(
    ("baseline_pain", "equipment", "message"),
    [
        (-1, ALL_EQUIPMENT, "0 to 10"),
        (11, ALL_EQUIPMENT, "0 to 10"),
        (3, frozenset({"rowing machine"}), "rowing machine"),
    ],
)
def test_start_refuses_bad_input(
    library: Library, baseline_pain: int, equipment: frozenset[Equipment], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        start_programme(
            library,
            baseline_pain=baseline_pain,
            activity=SOME,
            equipment=equipment,
            today=DAY_ONE,
        )

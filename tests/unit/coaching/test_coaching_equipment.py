"""Changing equipment: losing kit moves down to a rung that fits; new kit never jumps a rung."""

from __future__ import annotations

from dataclasses import replace

from bot.coaching import (
    ActivityLevel,
    DecisionKind,
    Prescription,
    ProgrammeState,
    Status,
    change_equipment,
    start_programme,
)
from bot.coaching.content import Equipment, Library
from tests.unit.coaching.conftest import ALL_EQUIPMENT, BAND, BLOCK, CHAIR, DAY_ONE, NO_EQUIPMENT


def state_with(
    library: Library, equipment: frozenset[Equipment], **doses: Prescription
) -> ProgrammeState:
    state = start_programme(
        library,
        baseline_pain=1,
        activity=ActivityLevel.SOME,
        equipment=equipment,
        today=DAY_ONE,
    ).state
    return replace(state, prescriptions={**state.prescriptions, **doses})


def test_without_its_kit_a_rung_moves_down_to_the_top_of_the_highest_rung_that_fits(
    library: Library,
) -> None:
    state = state_with(
        library,
        ALL_EQUIPMENT,
        clamshell=Prescription("clamshell", "band_clam", 3, 12, None, True),
        bridge=Prescription("bridge", "single_leg_bridge", 3, 8, None, True),
    )
    outcome = change_equipment(state, library, equipment=frozenset({CHAIR}), today=DAY_ONE)
    assert outcome.state.equipment == frozenset({CHAIR})
    assert outcome.state.prescriptions["clamshell"] == Prescription(
        "clamshell", "clamshell", 3, 16, None, True
    )
    # The single-leg bridge needs nothing: it stays although the block rung below does not fit.
    assert outcome.state.prescriptions["bridge"] == state.prescriptions["bridge"]
    (decision,) = outcome.decisions
    assert decision.kind is DecisionKind.EQUIPMENT
    assert (decision.from_variation, decision.to_variation) == ("band_clam", "clamshell")
    assert decision.reason == (
        "Without a resistance band, the clamshell with band switches to the clamshell: "
        "3 sets of 16 per side."
    )


def test_a_rung_in_the_middle_passes_down_over_nothing_it_needs(library: Library) -> None:
    state = state_with(
        library,
        ALL_EQUIPMENT,
        bridge=Prescription("bridge", "block_bridge", 2, 6, None, True),
    )
    outcome = change_equipment(state, library, equipment=frozenset({BAND, CHAIR}), today=DAY_ONE)
    assert outcome.state.prescriptions["bridge"] == Prescription(
        "bridge", "bridge_march", 3, 10, None, True
    )


def test_an_exercise_no_rung_of_which_fits_is_left_out_and_joins_again_with_the_kit(
    library: Library,
) -> None:
    state = state_with(library, ALL_EQUIPMENT)
    without = change_equipment(state, library, equipment=frozenset({BAND, BLOCK}), today=DAY_ONE)
    assert "stretch" not in without.state.prescriptions
    (left_out,) = without.decisions
    assert left_out.ladder_id == "stretch"
    assert "a sturdy chair or counter" in left_out.reason
    assert "left out of your sessions" in left_out.reason

    back = change_equipment(without.state, library, equipment=ALL_EQUIPMENT, today=DAY_ONE)
    assert back.state.prescriptions["stretch"] == state.prescriptions["stretch"]
    (joined,) = back.decisions
    assert joined.reason == (
        "Now that you have a sturdy chair or counter, the seated hamstring stretch joins your "
        "sessions: 2 holds of 30 seconds per side."
    )


def test_new_kit_never_jumps_a_rung(library: Library) -> None:
    top = Prescription("clamshell", "clamshell", 3, 16, None, True)
    state = state_with(library, NO_EQUIPMENT, clamshell=top)
    outcome = change_equipment(state, library, equipment=ALL_EQUIPMENT, today=DAY_ONE)
    assert outcome.state.prescriptions["clamshell"] == top
    assert {d.ladder_id for d in outcome.decisions} == {"stretch"}  # only the one left out


def test_an_unchanged_kit_changes_nothing(library: Library) -> None:
    state = state_with(library, ALL_EQUIPMENT)
    outcome = change_equipment(state, library, equipment=ALL_EQUIPMENT, today=DAY_ONE)
    assert outcome.state == state
    assert outcome.decisions == ()


def test_kit_can_change_while_paused_and_the_pause_stays(library: Library) -> None:
    state = replace(state_with(library, ALL_EQUIPMENT), status=Status.PAUSED_PAIN)
    outcome = change_equipment(state, library, equipment=NO_EQUIPMENT, today=DAY_ONE)
    assert outcome.state.status is Status.PAUSED_PAIN
    assert outcome.state.equipment == NO_EQUIPMENT

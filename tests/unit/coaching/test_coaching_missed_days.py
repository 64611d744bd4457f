"""After missed days the next session starts one step easier, once per break."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.coaching import (
    ActivityLevel,
    DecisionKind,
    Prescription,
    ProgrammeState,
    Status,
    apply_missed_days,
    finish_session,
    start_programme,
)
from bot.coaching.content import Library
from tests.unit.coaching.conftest import ALL_EQUIPMENT, DAY_ONE, result_for, with_rules

MONDAY = DAY_ONE


def after_a_session_on_monday(library: Library) -> ProgrammeState:
    """Mid-range doses (clamshell 13, bridge 10), one session done on Monday with pain 3."""
    state = start_programme(
        library,
        baseline_pain=2,
        activity=ActivityLevel.ACTIVE,
        equipment=ALL_EQUIPMENT,
        today=MONDAY,
    ).state
    results = [result_for(p, 3) for p in state.prescriptions.values()]
    return finish_session(state, library, today=MONDAY, results=results).state


@pytest.mark.parametrize(
    ("today", "missed", "eased"),
    [
        (MONDAY + timedelta(days=1), 0, False),
        (MONDAY + timedelta(days=3), 2, False),  # Thursday: Tuesday and Wednesday missed
        (MONDAY + timedelta(days=4), 3, True),  # Friday: three days missed
        (MONDAY + timedelta(days=7), 6, True),  # the longest break that eases one step
    ],
)
def test_three_or_more_missed_days_make_every_exercise_one_step_easier(
    library: Library, today: date, missed: int, eased: bool
) -> None:
    state = after_a_session_on_monday(library)
    outcome = apply_missed_days(state, library, today=today)
    if not eased:
        assert outcome.state == state
        assert outcome.decisions == ()
        return
    doses = {k: (p.variation_id, p.sets, p.reps) for k, p in outcome.state.prescriptions.items()}
    assert doses == {
        "clamshell": ("clamshell", 3, 11),  # 13 - reps_step
        "bridge": ("glute_bridge", 3, 8),  # 10 - reps_step
        "bird_dog": ("bird_dog_hold", 2, None),  # a single-rung hold: one set fewer
        "stretch": ("hamstring_stretch", 1, None),
    }
    assert [d.kind for d in outcome.decisions] == [DecisionKind.EASIER_AFTER_BREAK] * 4
    assert outcome.decisions[0].reason == (
        f"After {missed} days without a session, the clamshell starts a step easier: "
        "3 sets of 11 per side."
    )


def test_a_break_eases_once_however_often_it_is_asked(library: Library) -> None:
    state = after_a_session_on_monday(library)
    friday = MONDAY + timedelta(days=4)
    eased = apply_missed_days(state, library, today=friday).state
    assert apply_missed_days(eased, library, today=friday).state == eased
    assert apply_missed_days(eased, library, today=friday + timedelta(days=3)).decisions == ()
    # The next break eases again.
    results = [result_for(p, 3) for p in eased.prescriptions.values()]
    after = finish_session(eased, library, today=friday, results=results).state
    again = apply_missed_days(after, library, today=friday + timedelta(days=4))
    assert again.state.prescriptions["clamshell"].reps == 10


def test_one_step_easier_from_the_bottom_of_a_rung_is_the_top_of_the_rung_below(
    library: Library,
) -> None:
    state = after_a_session_on_monday(library)
    band = Prescription("clamshell", "band_clam", 3, 10, None, True)
    state = replace(state, prescriptions={**state.prescriptions, "clamshell": band})
    outcome = apply_missed_days(state, library, today=MONDAY + timedelta(days=5))
    assert outcome.state.prescriptions["clamshell"] == Prescription(
        "clamshell", "clamshell", 3, 16, None, True
    )
    assert "the clamshell with band starts a step easier: the clamshell, 3 sets of 16" in (
        outcome.decisions[0].reason
    )


def test_the_gentlest_dose_stays_and_is_not_mentioned(library: Library) -> None:
    state = after_a_session_on_monday(library)
    gentlest = Prescription("clamshell", "clamshell", 1, 10, None, True)
    state = replace(state, prescriptions={**state.prescriptions, "clamshell": gentlest})
    outcome = apply_missed_days(state, library, today=MONDAY + timedelta(days=5))
    assert outcome.state.prescriptions["clamshell"] == gentlest
    assert "clamshell" not in {d.ladder_id for d in outcome.decisions}


def test_nothing_eases_before_the_first_session(library: Library) -> None:
    state = start_programme(
        library,
        baseline_pain=1,
        activity=ActivityLevel.ACTIVE,
        equipment=ALL_EQUIPMENT,
        today=MONDAY,
    ).state
    outcome = apply_missed_days(state, library, today=MONDAY + timedelta(days=10))
    assert outcome.state == state


@pytest.mark.parametrize("status", [Status.PAUSED_BY_MEMBER, Status.PAUSED_PAIN])
def test_nothing_eases_while_paused(library: Library, status: Status) -> None:
    state = replace(after_a_session_on_monday(library), status=status)
    outcome = apply_missed_days(state, library, today=MONDAY + timedelta(days=10))
    assert outcome.state == state


def test_the_number_of_days_comes_from_the_rules(library: Library) -> None:
    relaxed = with_rules(library, missed_days_for_easier_start=5)
    state = after_a_session_on_monday(relaxed)
    assert apply_missed_days(state, relaxed, today=MONDAY + timedelta(days=5)).decisions == ()
    assert apply_missed_days(state, relaxed, today=MONDAY + timedelta(days=6)).decisions

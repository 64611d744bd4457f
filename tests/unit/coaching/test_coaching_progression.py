"""Progress, hold and regress for one exercise after a session, with every boundary of the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.coaching import (
    ActivityLevel,
    Checkin,
    Decision,
    DecisionKind,
    Outcome,
    Prescription,
    ProgrammeState,
    Status,
    finish_session,
    record_checkin,
    start_programme,
)
from bot.coaching.content import Library
from tests.unit.coaching.conftest import ALL_EQUIPMENT, DAY_ONE, result_for, skipped

PROGRESS, HOLD, REGRESS = DecisionKind.PROGRESS, DecisionKind.HOLD, DecisionKind.REGRESS
GREEN = 1


def started(
    library: Library, baseline_pain: int = 1, equipment: frozenset = ALL_EQUIPMENT, **doses: object
) -> ProgrammeState:
    """A fresh phase-1 state, with some prescriptions replaced (ladder_id=Prescription)."""
    state = start_programme(
        library,
        baseline_pain=baseline_pain,
        activity=ActivityLevel.SOME,
        equipment=equipment,
        today=DAY_ONE,
    ).state
    return replace(state, prescriptions={**state.prescriptions, **doses})


def sessions(
    library: Library,
    state: ProgrammeState,
    *pains: int | tuple[int, int],
    ladder: str = "clamshell",
) -> Outcome:
    """Do only `ladder` on consecutive days: a pain, or (pain, reps_done); the last outcome."""
    outcome = Outcome(state, ())
    for day, entry in enumerate(pains, start=1):
        pain, reps_done = entry if isinstance(entry, tuple) else (entry, None)
        prescription = outcome.state.prescriptions[ladder]
        outcome = finish_session(
            outcome.state,
            library,
            today=DAY_ONE + timedelta(days=day),
            results=[result_for(prescription, pain, reps_done=reps_done)],
        )
    return outcome


def only(outcome: Outcome, kind: DecisionKind) -> Decision:
    """The one exercise decision of a one-exercise session, checked to be of `kind`."""
    (decision,) = [d for d in outcome.decisions if d.ladder_id is not None]
    assert decision.kind is kind, decision
    return decision


@pytest.mark.parametrize(
    ("baseline_pain", "pains", "kind", "reps"),
    [
        # One versus two green sessions.
        (1, [GREEN], HOLD, 10),
        (1, [GREEN, GREEN], PROGRESS, 12),
        (1, [GREEN, GREEN, GREEN], HOLD, 12),  # the new dose needs its own two
        (1, [GREEN, GREEN, GREEN, GREEN], PROGRESS, 14),
        # Pain 2 versus 3 (green versus amber), with the baseline out of the way.
        (2, [2, 2], PROGRESS, 12),
        (2, [2, 3], HOLD, 10),
        (2, [3, 3], HOLD, 10),
        # Pain 5 versus 6 (amber versus red).
        (5, [5], HOLD, 10),
        (5, [6], REGRESS, 10),
        # +2 over the usual pain counts only above green: 2/10 from a usual 0 is fine...
        (0, [1, 1], PROGRESS, 12),
        (0, [1, 2], PROGRESS, 12),
        (0, [2, 2], PROGRESS, 12),
        # ...3/10 is +2 over a usual 1 (regress) but only +1 over a usual 2 (hold).
        (1, [3], REGRESS, 10),
        (2, [3], HOLD, 10),
        # Reps short with low pain: hold, and the streak starts again.
        (1, [(GREEN, 9)], HOLD, 10),
        (1, [GREEN, (GREEN, 9), GREEN], HOLD, 10),
        (1, [GREEN, (GREEN, 9), GREEN, GREEN], PROGRESS, 12),
        # More reps than prescribed still counts as done.
        (1, [(GREEN, 15), (GREEN, 11)], PROGRESS, 12),
        # Amber without a "same or better" morning holds but keeps the run; red restarts it.
        (2, [2, 3, 2], PROGRESS, 12),
        (2, [2, 6, 2], HOLD, 10),
    ],
)
def test_progress_hold_or_regress(
    library: Library,
    baseline_pain: int,
    pains: list[int | tuple[int, int]],
    kind: DecisionKind,
    reps: int,
) -> None:
    state = started(library, baseline_pain)
    outcome = sessions(library, state, *pains)
    decision = only(outcome, kind)
    assert decision.reason
    clamshell = outcome.state.prescriptions["clamshell"]
    assert clamshell.reps == reps
    assert clamshell.variation_id == "clamshell"


def test_reasons_name_the_exercise_the_numbers_and_the_rule(library: Library) -> None:
    state = started(library)
    held = only(sessions(library, state, GREEN), HOLD)
    assert held.reason == (
        "You did all 10 reps of the clamshell with pain at 1/10. "
        "One more session like that and it steps up."
    )
    progressed = only(sessions(library, state, GREEN, GREEN), PROGRESS)
    assert progressed.reason == (
        "You did all 10 reps of the clamshell twice in a row with pain at 1/10 or less, "
        "so next time it's 12."
    )
    amber = only(sessions(library, started(library, 3), 4), HOLD)
    assert amber.reason.startswith("Pain was 4/10 in the clamshell")
    assert "3 sets of 10 per side" in amber.reason
    short = only(sessions(library, state, (GREEN, 7)), HOLD)
    assert short.reason == "You did 7 of 10 reps of the clamshell, so next time it's 10 again."
    risen = only(sessions(library, started(library, 0), 3), REGRESS)
    assert risen.reason == (
        "Pain was 3/10 in the clamshell, 3 above your usual 0/10 (the middle of your last 7 "
        "sessions' highest pain), so next time it's 2 sets of 10 per side."
    )


def test_at_the_top_of_the_range_the_next_rung_starts_at_its_reps_min(library: Library) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 16, None, True))
    outcome = sessions(library, state, GREEN, GREEN)
    decision = only(outcome, PROGRESS)
    assert (decision.from_variation, decision.to_variation) == ("clamshell", "band_clam")
    assert outcome.state.prescriptions["clamshell"] == Prescription(
        "clamshell", "band_clam", 3, 10, None, True
    )
    assert "move on to the clamshell with band: 3 sets of 10 per side" in decision.reason


def test_reps_never_step_past_reps_max(library: Library) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 15, None, True))
    outcome = sessions(library, state, GREEN, GREEN)
    assert outcome.state.prescriptions["clamshell"].reps == 16


def test_no_next_rung_without_its_equipment(library: Library) -> None:
    state = started(
        library,
        equipment=frozenset(),
        clamshell=Prescription("clamshell", "clamshell", 3, 16, None, True),
    )
    outcome = sessions(library, state, GREEN, GREEN)
    decision = only(outcome, HOLD)
    assert "the clamshell with band, needs a resistance band" in decision.reason
    assert outcome.state.prescriptions["clamshell"].variation_id == "clamshell"
    assert "clamshell" not in outcome.state.ladders_progressed_in_phase


def test_the_top_of_a_ladder_holds_and_says_so(library: Library) -> None:
    top = Prescription("clamshell", "clam_plank", 2, None, 20, True)
    outcome = sessions(library, started(library, clamshell=top), GREEN, GREEN)
    decision = only(outcome, HOLD)
    assert "top of this exercise" in decision.reason
    assert outcome.state.prescriptions["clamshell"] == top


def test_a_hold_not_completed_holds(library: Library) -> None:
    state = started(library)
    bird_dog = state.prescriptions["bird_dog"]
    outcome = finish_session(
        state,
        library,
        today=DAY_ONE,
        results=[result_for(bird_dog, GREEN, hold_completed=False)],
    )
    decision = only(outcome, HOLD)
    assert "didn't finish every hold of the bird dog hold" in decision.reason


@pytest.mark.parametrize(
    ("before", "pain", "after"),
    [
        # A middle rung goes back to the rung below at its reps_min.
        (("clamshell", "band_clam", 3, 12), 7, ("clamshell", "clamshell", 3, 10)),
        # On the bottom rung: back to reps_min first...
        (("clamshell", "clamshell", 3, 14), 6, ("clamshell", "clamshell", 3, 10)),
        # ...then one set fewer...
        (("clamshell", "clamshell", 3, 10), 6, ("clamshell", "clamshell", 2, 10)),
        (("clamshell", "clamshell", 2, 10), 6, ("clamshell", "clamshell", 1, 10)),
        # ...and a hold at the top goes back to the rung below at its reps_min.
        (("clamshell", "clam_plank", 2, None), 6, ("clamshell", "band_clam", 3, 10)),
    ],
)
def test_regress_steps(
    library: Library,
    before: tuple[str, str, int, int | None],
    pain: int,
    after: tuple[str, str, int, int | None],
) -> None:
    def prescription(
        ladder_id: str, variation_id: str, sets: int, reps: int | None
    ) -> Prescription:
        variation = library.variation(variation_id)
        return Prescription(ladder_id, variation_id, sets, reps, variation.dose.hold_seconds, True)

    state = started(library, clamshell=prescription(*before))
    outcome = sessions(library, state, pain)
    only(outcome, REGRESS)
    assert outcome.state.prescriptions["clamshell"] == prescription(*after)


def test_at_the_gentlest_dose_red_pain_holds_and_warns(library: Library) -> None:
    gentlest = Prescription("clamshell", "clamshell", 1, 10, None, True)
    outcome = sessions(library, started(library, clamshell=gentlest), 7)
    decision = only(outcome, HOLD)
    assert "already at its gentlest (1 set of 10 per side)" in decision.reason
    assert outcome.state.prescriptions["clamshell"] == gentlest


def test_regress_passes_over_a_rung_the_member_has_no_kit_for(library: Library) -> None:
    state = started(
        library,
        equipment=frozenset(),
        bridge=Prescription("bridge", "single_leg_bridge", 3, 8, None, True),
    )
    outcome = sessions(library, state, 6, ladder="bridge")
    only(outcome, REGRESS)
    assert outcome.state.prescriptions["bridge"] == Prescription(
        "bridge", "bridge_march", 3, 6, None, True
    )


def test_after_a_set_was_taken_off_progress_adds_it_back_first(library: Library) -> None:
    two_sets = Prescription("clamshell", "clamshell", 2, 10, None, True)
    outcome = sessions(library, started(library, clamshell=two_sets), GREEN, GREEN)
    only(outcome, PROGRESS)
    assert outcome.state.prescriptions["clamshell"] == replace(two_sets, sets=3)
    assert "next time it's 3 sets" in outcome.decisions[0].reason


def test_a_skipped_exercise_holds_and_keeps_its_streak(library: Library) -> None:
    state = sessions(library, started(library), GREEN).state
    clamshell = state.prescriptions["clamshell"]
    outcome = finish_session(
        state, library, today=DAY_ONE + timedelta(days=2), results=[skipped(clamshell)]
    )
    decision = only(outcome, HOLD)
    assert (
        decision.reason == "You skipped the clamshell today, so it stays at 3 sets of 10 per side."
    )
    assert outcome.state.prescriptions["clamshell"] == clamshell
    assert only(sessions(library, outcome.state, GREEN), PROGRESS)


def test_no_progression_in_the_session_after_a_worse_checkin(library: Library) -> None:
    state = sessions(library, started(library), GREEN).state
    state = record_checkin(
        state, library, today=DAY_ONE + timedelta(days=2), answer=Checkin.WORSE
    ).state
    held = sessions(library, state, GREEN)
    decision = only(held, HOLD)
    assert "felt worse the morning after your last session" in decision.reason
    # The block is for that one session only.
    assert only(sessions(library, held.state, GREEN), PROGRESS)


@pytest.mark.parametrize("answer", [Checkin.BETTER, Checkin.SAME])
def test_a_better_or_same_checkin_does_not_hold_back(library: Library, answer: Checkin) -> None:
    state = sessions(library, started(library), GREEN).state
    state = record_checkin(state, library, today=DAY_ONE + timedelta(days=2), answer=answer).state
    assert only(sessions(library, state, GREEN), PROGRESS)


def test_a_red_exercise_holds_back_every_other_exercise_that_session(library: Library) -> None:
    state = sessions(library, started(library, baseline_pain=2), 2).state
    clamshell, bridge = state.prescriptions["clamshell"], state.prescriptions["bridge"]
    outcome = finish_session(
        state,
        library,
        today=DAY_ONE + timedelta(days=2),
        results=[result_for(clamshell, 2), result_for(bridge, 6)],
    )
    kinds = {d.ladder_id: d.kind for d in outcome.decisions}
    assert kinds == {"clamshell": HOLD, "bridge": REGRESS}
    assert "Your pain reached 6/10 today, so nothing steps up" in outcome.decisions[0].reason


def test_one_decision_per_exercise_in_result_order(library: Library) -> None:
    state = started(library)
    plan = list(state.prescriptions.values())
    results = [result_for(plan[0], 1), skipped(plan[1]), result_for(plan[2], 4)]
    outcome = finish_session(state, library, today=DAY_ONE, results=results)
    assert [(d.ladder_id, d.kind) for d in outcome.decisions] == [
        ("clamshell", HOLD),
        ("bridge", HOLD),
        ("bird_dog", REGRESS),  # 4 is 3 over the baseline of 1
    ]
    assert outcome.state.last_session_date == DAY_ONE
    assert outcome.state.sessions_in_phase == 1


def test_a_session_of_only_skips_counts_as_a_missed_day_not_for_the_phase(
    library: Library,
) -> None:
    state = started(library)
    results = [skipped(p) for p in state.prescriptions.values()]
    outcome = finish_session(state, library, today=DAY_ONE, results=results)
    assert outcome.state.last_session_date is None
    assert outcome.state.sessions_in_phase == 0
    assert outcome.state.session_pains == ()
    assert outcome.state.status is Status.ACTIVE


def test_a_rung_of_a_later_phase_waits_for_that_phase(library: Library) -> None:
    top_band_clam = Prescription("clamshell", "band_clam", 3, 14, None, True)
    in_phase_one = started(library, clamshell=top_band_clam)
    held = only(sessions(library, in_phase_one, GREEN, GREEN), HOLD)
    assert "phase 2" in held.reason
    assert held.reason.startswith("You did all 14 reps of the clamshell with band")

    in_phase_two = replace(in_phase_one, phase=2)
    moved = sessions(library, in_phase_two, GREEN, GREEN)
    only(moved, PROGRESS)
    assert moved.state.prescriptions["clamshell"].variation_id == "clam_plank"

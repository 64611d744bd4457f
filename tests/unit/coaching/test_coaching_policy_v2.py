"""Policy v2 at each of its new boundaries, on the sample library (docs/coaching-rules.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

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
    apply_missed_days,
    finish_session,
    record_checkin,
    resume,
    start_programme,
)
from bot.coaching.content import Library
from bot.coaching.reasons import usual_pain as usual_pain_text
from bot.coaching.state import SkipReason
from bot.coaching.trends import build_up, persisting_pain, usual_pain
from tests.unit.coaching.conftest import ALL_EQUIPMENT, DAY_ONE, result_for, with_rules

PROGRESS, HOLD, REGRESS = DecisionKind.PROGRESS, DecisionKind.HOLD, DecisionKind.REGRESS


def started(library: Library, baseline_pain: int = 1, **doses: Prescription) -> ProgrammeState:
    state = start_programme(
        library,
        baseline_pain=baseline_pain,
        activity=ActivityLevel.SOME,
        equipment=ALL_EQUIPMENT,
        today=DAY_ONE,
    ).state
    return replace(state, prescriptions={**state.prescriptions, **doses})


def clamshell_days(
    library: Library,
    state: ProgrammeState,
    *entries: int | tuple[int, int | None] | ExerciseResult | None,
    morning: Checkin | None = None,
    start: date = DAY_ONE,
) -> Outcome:
    """Only the clamshell on consecutive days: a pain, (pain, reps_done), a ready result, or
    None for a skip; each session followed by `morning` the next day when given."""
    outcome = Outcome(state, ())
    for day, entry in enumerate(entries, start=1):
        today = start + timedelta(days=day)
        prescription = outcome.state.prescriptions["clamshell"]
        if entry is None:
            result = ExerciseResult("clamshell", prescription.variation_id, None, None, None, True)
        elif isinstance(entry, ExerciseResult):
            result = replace(entry, variation_id=prescription.variation_id)
        elif isinstance(entry, tuple):
            result = result_for(prescription, entry[0], reps_done=entry[1])
        else:
            result = result_for(prescription, entry)
        outcome = finish_session(outcome.state, library, today=today, results=[result])
        if morning is not None:
            checked = record_checkin(outcome.state, library, today=today, answer=morning)
            outcome = Outcome(checked.state, outcome.decisions)
    return outcome


def clamshell_decision(outcome: Outcome) -> DecisionKind:
    (decision,) = [d for d in outcome.decisions if d.ladder_id == "clamshell"]
    return decision.kind


def skip(reason: SkipReason | None, reps_done: int | None = None) -> ExerciseResult:
    return ExerciseResult("clamshell", "clamshell", reps_done, None, None, True, reason)


# Usual pain


@pytest.mark.parametrize(
    ("start", "pains", "usual"),
    [
        (4, (), 4),  # no session yet: the starting rating
        (6, (1, 1, 1), 1),  # lower median of 6, 1, 1, 1
        (0, (2, 2), 2),
        (0, (2, 3, 2, 3), 2),  # lower median of an even count
        (6, (5, 5, 5, 1, 1, 5, 5), 5),  # seven sessions: the start has dropped out
        (6, (1, 1, 1, 1, 1, 1, 1), 1),
    ],
)
def test_usual_pain_is_the_lower_median_of_the_last_7_sessions_with_the_start(
    library: Library, start: int, pains: tuple[int, ...], usual: int
) -> None:
    state = replace(started(library, start), session_pains=pains)
    assert usual_pain(state, library.rules) == usual


def test_why_can_say_how_the_usual_pain_was_worked_out(library: Library) -> None:
    assert usual_pain_text(4, 0, library.rules) == (
        "Your usual pain is 4/10: the rating you gave when you started."
    )
    assert "highest pain in your last 3 sessions" in usual_pain_text(2, 3, library.rules)


@pytest.mark.parametrize(
    ("baseline", "pain", "kind"),
    [
        (0, 2, HOLD),  # +2 but green: never a rise (then it waits for its second session)
        (0, 3, REGRESS),  # +3 and amber
        (1, 3, REGRESS),  # +2 and amber: the boundary
        (2, 3, HOLD),  # +1
        (4, 5, HOLD),
        (3, 5, REGRESS),
    ],
)
def test_the_rise_rule_applies_only_above_green(
    library: Library, baseline: int, pain: int, kind: DecisionKind
) -> None:
    assert clamshell_decision(clamshell_days(library, started(library, baseline), pain)) is kind


# Amber per the pain-monitoring model


@pytest.mark.parametrize(
    ("morning", "kind"),
    [(Checkin.SAME, PROGRESS), (Checkin.BETTER, PROGRESS), (None, HOLD)],
)
def test_amber_progresses_after_a_settled_morning(
    library: Library, morning: Checkin | None, kind: DecisionKind
) -> None:
    outcome = clamshell_days(library, started(library, 4), 4, 4, morning=morning)
    assert clamshell_decision(outcome) is kind


def test_amber_after_a_worse_morning_holds(library: Library) -> None:
    first = clamshell_days(library, started(library, 4), 4, morning=Checkin.SAME)
    worse = record_checkin(first.state, library, today=DAY_ONE + timedelta(days=2), answer="worse")
    outcome = clamshell_days(library, worse.state, 4, start=DAY_ONE + timedelta(days=1))
    assert clamshell_decision(outcome) is HOLD
    assert "felt worse the morning after" in outcome.decisions[0].reason


@pytest.mark.parametrize(
    ("last_week", "this_week", "building"),
    [((3, 3, 3), (3, 4, 4), True), ((3, 3, 3), (3, 3, 4), False), ((4, 4), (3, 3), False)],
)
def test_a_week_one_point_above_the_last_is_building_up(
    library: Library, last_week: tuple[int, ...], this_week: tuple[int, ...], building: bool
) -> None:
    today = DAY_ONE + timedelta(days=13)
    log = [(DAY_ONE + timedelta(days=i), p) for i, p in enumerate(last_week)]
    log += [(today - timedelta(days=i), p) for i, p in enumerate(reversed(this_week))]
    assert (build_up(log, today, library.rules) is not None) is building


def test_a_building_week_holds_every_step(library: Library) -> None:
    # A week at 2/10, then a week at 3/10 with settled mornings: a rise, though each day is fine.
    outcome = clamshell_days(
        library, started(library, 2), *([2] * 7), *([3] * 6), morning=Checkin.SAME
    )
    assert clamshell_decision(outcome) is HOLD
    assert "Your pain this week (3/10 in the middle) is higher than last week's (2/10)" in (
        outcome.decisions[0].reason
    )


@pytest.mark.parametrize(
    ("weeks", "persists"),
    [
        ((4, 4, 4), True),
        ((3, 3, 3), True),  # amber from 3
        ((4, 5, 4), True),  # not lower than at the start
        ((5, 4, 4), False),  # easing
        ((4, 2, 4), False),  # a green week in between
        ((4, 4), False),  # only two weeks
    ],
)
def test_pain_persists_when_three_weeks_stay_amber_without_easing(
    library: Library, weeks: tuple[int, ...], persists: bool
) -> None:
    today = DAY_ONE + timedelta(days=20)
    # Three sessions a week, on its first, fourth and last day, oldest first.
    log = tuple(
        (today - timedelta(days=7 * (len(weeks) - 1 - week) + back), pain)
        for week, pain in enumerate(weeks)
        for back in (6, 3, 0)
    )
    state = replace(started(library), pain_log=log)
    assert (persisting_pain(state, today, library.rules) is not None) is persists


def test_not_improving_is_advised_once_per_three_weeks(library: Library) -> None:
    outcome = Outcome(started(library, 4), ())
    advised_on: list[int] = []
    for day in range(42):
        outcome = clamshell_days(
            library, outcome.state, 4, morning=Checkin.SAME, start=DAY_ONE + timedelta(days=day)
        )
        if any(d.kind is DecisionKind.NOT_IMPROVING for d in outcome.decisions):
            advised_on.append(day + 1)
    assert advised_on == [21, 42]  # a full third week of 4/10, then three weeks later
    assert outcome.state.status is Status.ACTIVE


# Pacing and lighter weeks


@pytest.mark.parametrize(("wait", "kind"), [(6, HOLD), (7, PROGRESS)])
def test_an_exercise_steps_up_about_once_a_week(
    library: Library, wait: int, kind: DecisionKind
) -> None:
    weekly = with_rules(library, min_days_between_steps=7)
    state = started(weekly)  # the start counts as the last change, on DAY_ONE
    outcome = clamshell_days(weekly, state, *([1] * wait))
    assert clamshell_decision(outcome) is kind
    if kind is HOLD:
        assert "steps up about once a week" in outcome.decisions[0].reason


def test_every_few_steps_comes_a_lighter_week(library: Library) -> None:
    deloading = with_rules(library, deload_every_steps=2)
    outcome = clamshell_days(deloading, started(deloading), *([1] * 6))
    prescription = outcome.state.prescriptions["clamshell"]
    assert clamshell_decision(outcome) is DecisionKind.LIGHTER_WEEK
    assert "lighter week" in outcome.decisions[0].reason
    assert prescription.reps == 12  # 10 → 12 → 14, then back one step
    assert outcome.state.pacing["clamshell"].steps_since_deload == 0


# Skips


def test_a_skip_because_it_hurts_counts_as_red_pain(library: Library) -> None:
    outcome = clamshell_days(library, started(library), skip(SkipReason.HURTS, reps_done=4))
    assert clamshell_decision(outcome) is REGRESS
    assert "because it hurt" in outcome.decisions[0].reason
    assert outcome.state.session_pains == (library.rules.pain_zones.amber_max + 1,)
    assert outcome.state.history["clamshell"][-1].reps_done == 4  # the reps given are kept


def test_a_skip_because_it_cant_be_done_eases_one_step(library: Library) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 14, None, True))
    outcome = clamshell_days(library, state, skip(SkipReason.CANT_DO))
    assert clamshell_decision(outcome) is REGRESS
    assert outcome.state.prescriptions["clamshell"].reps == 12


@pytest.mark.parametrize(
    ("reasons", "kind"),
    [
        ((None, None), HOLD),
        ((None, None, None), DecisionKind.KEEPS_SKIPPING),
        ((SkipReason.OTHER, SkipReason.CANT_DO, SkipReason.OTHER), DecisionKind.KEEPS_SKIPPING),
        ((None, None, SkipReason.NO_TIME), HOLD),  # "no time" is not about the exercise
    ],
)
def test_three_skips_in_a_row_swap_for_an_easier_version(
    library: Library, reasons: tuple[SkipReason | None, ...], kind: DecisionKind
) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 14, None, True))
    outcome = clamshell_days(library, state, *(skip(reason) for reason in reasons))
    assert clamshell_decision(outcome) is kind
    if kind is DecisionKind.KEEPS_SKIPPING:
        assert "skipped the clamshell 3 sessions in a row" in outcome.decisions[0].reason
        assert "Your coach has been told" in outcome.decisions[0].reason


def test_a_done_exercise_ends_the_skip_run(library: Library) -> None:
    outcome = clamshell_days(library, started(library), None, None, 1, None)
    assert clamshell_decision(outcome) is HOLD
    assert outcome.state.pacing["clamshell"].skips_in_a_row == 1


def test_a_skip_keeps_reps_but_never_a_pain_and_a_reason_needs_a_skip() -> None:
    kept = ExerciseResult("clamshell", "clamshell", 6, None, None, True, SkipReason.OTHER)
    assert kept.reps_done == 6
    with pytest.raises(ValueError, match="pain must be None"):
        ExerciseResult("clamshell", "clamshell", 6, None, 3, True)
    with pytest.raises(ValueError, match="only for a skipped"):
        ExerciseResult("clamshell", "clamshell", 6, None, 3, False, SkipReason.HURTS)


# Short sets


@pytest.mark.parametrize(
    ("sessions", "kind", "reps"),
    [
        (((1, 8),), HOLD, 12),  # one short session
        (((1, 8), (1, 8)), REGRESS, 10),  # 8 of 12 = 67 %, twice: below reps_min → reps_min
        (((1, 9), (1, 8)), HOLD, 12),  # 9 of 12 = 75 %: not short
        (((4, 8), (4, 8)), HOLD, 12),  # amber: only green shortfalls ease
    ],
)
def test_two_short_green_sessions_bring_the_dose_to_what_was_done(
    library: Library, sessions: tuple[tuple[int, int], ...], kind: DecisionKind, reps: int
) -> None:
    state = started(library, 4, clamshell=Prescription("clamshell", "clamshell", 3, 12, None, True))
    outcome = clamshell_days(library, state, *sessions)
    assert clamshell_decision(outcome) is kind
    assert outcome.state.prescriptions["clamshell"].reps == reps


def test_short_sessions_within_the_range_land_on_the_reps_done(library: Library) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 16, None, True))
    outcome = clamshell_days(library, state, (1, 11), (1, 10))
    assert outcome.state.prescriptions["clamshell"].reps == 11
    assert outcome.decisions[0].reason.startswith(
        "You did up to 11 of 16 reps of the clamshell twice in a row, so next time it's"
    )


# Graded return


@pytest.mark.parametrize(
    ("missed", "kind", "reps"),
    [
        (3, DecisionKind.EASIER_AFTER_BREAK, 14),
        (6, DecisionKind.EASIER_AFTER_BREAK, 14),
        (7, DecisionKind.EASIER_AFTER_BREAK, 12),  # two steps
        (20, DecisionKind.EASIER_AFTER_BREAK, 12),
        (21, DecisionKind.PHASE_BACK, 10),  # phase 1 stays 1, at its first steps
    ],
)
def test_the_easing_after_a_break_scales_with_its_length(
    library: Library, missed: int, kind: DecisionKind, reps: int
) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 16, None, True))
    state = replace(state, last_session_date=DAY_ONE)
    outcome = apply_missed_days(state, library, today=DAY_ONE + timedelta(days=missed + 1))
    assert outcome.decisions[0].kind is kind
    assert outcome.state.prescriptions["clamshell"].reps == reps


def test_three_weeks_away_in_phase_2_restart_phase_1(library: Library) -> None:
    state = replace(
        started(library),
        phase=2,
        prescriptions={
            "clamshell": Prescription("clamshell", "band_clam", 3, 12, None, True),
            "monster_walk": Prescription("monster_walk", "monster_walk", 3, 12, None, True),
        },
        last_session_date=DAY_ONE,
    )
    outcome = apply_missed_days(state, library, today=DAY_ONE + timedelta(days=30))
    assert outcome.state.phase == 1
    assert outcome.state.prescriptions["clamshell"].variation_id == "clamshell"
    assert "monster_walk" not in outcome.state.prescriptions
    assert outcome.decisions[0].reason.startswith(
        "After 29 days without a session, you restart in Activate"
    )
    # Once per break.
    again = apply_missed_days(outcome.state, library, today=DAY_ONE + timedelta(days=31))
    assert again.decisions == ()


@pytest.mark.parametrize(("pain_now", "resumed"), [(3, True), (4, False)])
def test_resume_after_a_pain_pause_needs_green_plus_one(
    library: Library, pain_now: int, resumed: bool
) -> None:
    paused = replace(started(library), status=Status.PAUSED_PAIN, last_session_date=DAY_ONE)
    outcome = resume(paused, library, today=DAY_ONE, pain_now=pain_now, symptoms_settled=True)
    assert (outcome.state.status is Status.ACTIVE) is resumed


def test_reps_kept_with_a_skip_are_checked_like_any_reps(library: Library) -> None:
    state = started(library)
    with pytest.raises(ValueError, match="reps_done must be a whole number"):
        finish_session(state, library, today=DAY_ONE, results=[skip(SkipReason.HURTS, 9999)])


def test_the_coach_hears_once_per_run_of_skips_and_it_keeps_easing(library: Library) -> None:
    state = started(library, clamshell=Prescription("clamshell", "clamshell", 3, 14, None, True))
    kinds: list[DecisionKind] = []
    outcome = Outcome(state, ())
    for day in range(6):
        outcome = clamshell_days(
            library, outcome.state, skip(None), start=DAY_ONE + timedelta(days=day)
        )
        kinds.append(clamshell_decision(outcome))
    assert kinds == [HOLD, HOLD, DecisionKind.KEEPS_SKIPPING, HOLD, HOLD, REGRESS]
    assert outcome.state.prescriptions["clamshell"].sets == 2  # 14 → 10, then a set fewer
    assert "goes easier again" in outcome.decisions[0].reason

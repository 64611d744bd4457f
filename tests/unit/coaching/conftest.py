"""Fixtures for the coaching-core tests: a small hand-built library and a simulated member.

The library is Python objects, not the real `content/`, so these tests pin the rules rather than
the exercises: three phases, ladders of one to four rungs, rep, hold and per-side doses, rungs that
need equipment at the bottom, in the middle and at the top. Rules are the documented defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest

from bot.coaching import (
    ActivityLevel,
    Checkin,
    Decision,
    ExerciseResult,
    Outcome,
    Prescription,
    ProgrammeState,
    apply_missed_days,
    finish_session,
    plan_session,
    record_checkin,
    start_programme,
)
from bot.coaching.content import (
    Dose,
    Equipment,
    Ladder,
    Library,
    PainZones,
    Phase,
    PhaseAdvance,
    Position,
    Programme,
    Rules,
    Timing,
    Variation,
)

DAY_ONE = date(2025, 3, 3)  # a Monday
ALL_EQUIPMENT = frozenset(Equipment)
NO_EQUIPMENT: frozenset[Equipment] = frozenset()

DEFAULT_RULES = Rules(
    pain_zones=PainZones(green_max=2, amber_max=5),
    progress_after_green_sessions=2,
    reps_step=2,
    regress_rise_over_baseline=2,
    stop_session_pain=8,
    pause_red_sessions_in_a_row=2,
    pause_red_sessions_window=5,
    pause_red_sessions_in_window=3,
    pause_worse_checkins_in_a_row=2,
    missed_days_for_easier_start=3,
    resume_max_pain=3,
    max_reps=500,
    usual_pain_sessions=7,
    # The sample pins the step rules one by one: no weekly wait and no lighter weeks unless a
    # test asks for them (with_rules), so a step comes after every green streak.
    min_days_between_steps=0,
    deload_every_steps=10,
    weekly_build_up_points=1,
    pain_persists_weeks=3,
    replace_after_skips_in_a_row=3,
    short_session_percent=70,
    short_sessions_in_a_row=2,
    missed_days_for_two_steps=7,
    missed_days_for_phase_back=21,
)


def reps(sets: int, low: int, high: int, *, per_side: bool = False) -> Dose:
    return Dose(sets=sets, reps_min=low, reps_max=high, per_side=per_side)


def hold(sets: int, seconds: int, *, per_side: bool = False) -> Dose:
    return Dose(sets=sets, hold_seconds=seconds, per_side=per_side)


TIMING = Timing(seconds_per_rep=3, rest_seconds=30, setup_seconds=30)
HOLD_TIMING = Timing(rest_seconds=30, setup_seconds=30)


def rung(
    variation_id: str,
    name: str,
    position: Position,
    dose: Dose,
    *,
    level: int = 1,
    phase: int = 1,
    equipment: tuple[Equipment, ...] = (),
    next_id: str | None = None,
) -> Variation:
    return Variation(
        id=variation_id,
        name=name,
        level=level,
        phase=phase,
        position=position,
        equipment=equipment,
        steps=("Get into position.", "Move slowly and with control."),
        cues=("Breathe out as you move.",),
        mistakes=("Rushing the movement.",),
        stop_if=("Sharp pain, or pain spreading down your leg.",),
        dose=dose,
        timing=HOLD_TIMING if dose.is_hold else TIMING,
        next=next_id,
        sources=("000_bd63b92ea4424484.txt",),
    )


def ladder(ladder_id: str, name: str, *rungs: Variation) -> Ladder:
    return Ladder(
        id=ladder_id,
        name=name,
        summary=f"The {name.lower()} family, easiest first.",
        start=rungs[0].id,
        variations=rungs,
    )


LYING, SIDE, FOURS, STANDING, SEATED = (
    Position.LYING_ON_BACK,
    Position.SIDE_LYING,
    Position.HANDS_AND_KNEES,
    Position.STANDING,
    Position.SEATED,
)
BAND, BLOCK, CHAIR = Equipment.BAND, Equipment.BLOCK_OR_STEP, Equipment.CHAIR_OR_COUNTER

SAMPLE_LADDERS = (
    # Three rungs; the band rung in the middle, a hold at the top.
    ladder(
        "clamshell",
        "Clamshell",
        rung("clamshell", "Clamshell", SIDE, reps(3, 10, 16, per_side=True), next_id="band_clam"),
        rung(
            "band_clam",
            "Clamshell with band",
            SIDE,
            reps(3, 10, 14, per_side=True),
            level=2,
            equipment=(BAND,),
            next_id="clam_plank",
        ),
        rung(
            "clam_plank",
            "Side plank clam",
            SIDE,
            hold(2, 20, per_side=True),
            level=3,
            phase=2,
            equipment=(BAND,),
        ),
    ),
    # Four rungs; a block is needed only for the third.
    ladder(
        "bridge",
        "Bridge",
        rung("glute_bridge", "Glute bridge", LYING, reps(3, 8, 12), next_id="bridge_march"),
        rung(
            "bridge_march",
            "Bridge march",
            LYING,
            reps(3, 6, 10, per_side=True),
            level=2,
            next_id="block_bridge",
        ),
        rung(
            "block_bridge",
            "Single-leg bridge on a block",
            LYING,
            reps(2, 6, 8, per_side=True),
            level=3,
            phase=2,
            equipment=(BLOCK,),
            next_id="single_leg_bridge",
        ),
        rung(
            "single_leg_bridge",
            "Single-leg bridge",
            LYING,
            reps(3, 6, 10, per_side=True),
            level=4,
            phase=3,
        ),
    ),
    # One rung, a hold.
    ladder(
        "bird_dog",
        "Bird dog",
        rung("bird_dog_hold", "Bird dog hold", FOURS, hold(3, 10, per_side=True)),
    ),
    # One rung, a hold that needs a chair: left out without one.
    ladder(
        "stretch",
        "Hamstring stretch",
        rung(
            "hamstring_stretch",
            "Seated hamstring stretch",
            SEATED,
            hold(2, 30, per_side=True),
            equipment=(CHAIR,),
        ),
    ),
    # One rung, all band.
    ladder(
        "monster_walk",
        "Monster walk",
        rung(
            "monster_walk",
            "Monster walk",
            STANDING,
            reps(3, 10, 15, per_side=True),
            phase=2,
            equipment=(BAND,),
        ),
    ),
    # Two rungs; the easier one needs a counter, the harder one nothing.
    ladder(
        "kicks",
        "Three-way kicks",
        rung(
            "counter_kicks",
            "Three-way kicks at a counter",
            STANDING,
            reps(2, 8, 12, per_side=True),
            phase=2,
            equipment=(CHAIR,),
            next_id="free_kicks",
        ),
        rung(
            "free_kicks",
            "Free-standing three-way kicks",
            STANDING,
            reps(2, 8, 12, per_side=True),
            level=2,
            phase=2,
        ),
    ),
    ladder(
        "lunge",
        "Lunge",
        rung(
            "split_squat",
            "Split squat",
            STANDING,
            reps(3, 6, 10, per_side=True),
            phase=3,
            next_id="forward_lunge",
        ),
        rung(
            "forward_lunge",
            "Forward lunge",
            STANDING,
            reps(3, 6, 12, per_side=True),
            level=2,
            phase=3,
        ),
    ),
    ladder(
        "hinge",
        "Hip hinge",
        rung(
            "supported_hinge",
            "Supported single-leg hinge",
            STANDING,
            reps(3, 8, 10, per_side=True),
            phase=3,
            equipment=(CHAIR,),
            next_id="single_leg_hinge",
        ),
        rung(
            "single_leg_hinge",
            "Single-leg hip hinge",
            STANDING,
            reps(3, 8, 10, per_side=True),
            level=2,
            phase=3,
        ),
    ),
)

SAMPLE_PROGRAMME = Programme(
    session_minutes_min=10,
    session_minutes_max=20,
    phases=(
        Phase(
            number=1,
            name="activate",
            title="Activate",
            summary="Wake up the side of your hips and your trunk.",
            ladders=("clamshell", "bridge", "bird_dog", "stretch"),
            advance=PhaseAdvance(
                min_sessions=4, recent_sessions=3, max_recent_pain=2, min_ladders_progressed=2
            ),
        ),
        Phase(
            number=2,
            name="strengthen",
            title="Strengthen",
            summary="Make your hips stronger while you stand and move.",
            ladders=("clamshell", "bridge", "monster_walk", "kicks"),
            advance=PhaseAdvance(
                min_sessions=4, recent_sessions=3, max_recent_pain=2, min_ladders_progressed=1
            ),
        ),
        Phase(
            number=3,
            name="function",
            title="Function",
            summary="Use that strength on one leg.",
            ladders=("bridge", "lunge", "hinge"),
        ),
    ),
)

SAMPLE_LIBRARY = Library(ladders=SAMPLE_LADDERS, programme=SAMPLE_PROGRAMME, rules=DEFAULT_RULES)


def with_rules(library: Library, **changes: object) -> Library:
    """The library with some rules changed, validated like content/rules.yaml would be."""
    rules = Rules.model_validate(library.rules.model_dump() | changes)
    return library.model_copy(update={"rules": rules})


def result_for(
    prescription: Prescription,
    pain: int,
    *,
    reps_done: int | None = None,
    hold_completed: bool = True,
) -> ExerciseResult:
    """A done exercise: all prescribed reps (or the hold) unless told otherwise."""
    if prescription.reps is None:
        return ExerciseResult(
            prescription.ladder_id, prescription.variation_id, None, hold_completed, pain
        )
    done = prescription.reps if reps_done is None else reps_done
    return ExerciseResult(prescription.ladder_id, prescription.variation_id, done, None, pain)


def skipped(prescription: Prescription) -> ExerciseResult:
    return ExerciseResult(
        prescription.ladder_id, prescription.variation_id, None, None, None, skipped=True
    )


def assert_valid(state: ProgrammeState, library: Library) -> None:
    """Every prescription names a real rung of its ladder, the member has its kit, and its dose
    is inside the rung's bounds."""
    for ladder_id, prescription in state.prescriptions.items():
        assert prescription.ladder_id == ladder_id
        assert library.ladder_of(prescription.variation_id).id == ladder_id
        variation = library.variation(prescription.variation_id)
        dose = variation.dose
        assert set(variation.equipment) <= state.equipment
        assert 1 <= prescription.sets <= dose.sets
        assert prescription.per_side == dose.per_side
        assert prescription.hold_seconds == dose.hold_seconds
        if dose.is_hold:
            assert prescription.reps is None
        else:
            assert dose.reps_min <= prescription.reps <= dose.reps_max  # type: ignore[operator]
        if prescription.sets < dose.sets:
            assert prescription.reps in (None, dose.reps_min)


class Member:
    """A simulated member driving the core the way the handlers do, one day at a time."""

    def __init__(
        self,
        library: Library,
        *,
        baseline_pain: int = 1,
        activity: ActivityLevel = ActivityLevel.SOME,
        equipment: frozenset[Equipment] = ALL_EQUIPMENT,
        today: date = DAY_ONE,
    ) -> None:
        self.library = library
        self.today = today
        outcome = start_programme(
            library,
            baseline_pain=baseline_pain,
            activity=activity,
            equipment=equipment,
            today=today,
        )
        self.state: ProgrammeState = outcome.state
        self.decisions: list[Decision] = list(outcome.decisions)

    def _take(self, outcome: Outcome) -> Outcome:
        self.state = outcome.state
        self.decisions.extend(outcome.decisions)
        return outcome

    def plan(self) -> tuple[Prescription, ...]:
        self._take(apply_missed_days(self.state, self.library, today=self.today))
        return plan_session(self.state, self.library, self.today)

    def session(
        self,
        pain: int | Callable[[Prescription], int] = 1,
        *,
        days_later: int = 1,
        results: Callable[[Sequence[Prescription]], Sequence[ExerciseResult]] | None = None,
        stopped_for_pain: bool = False,
    ) -> Outcome:
        """Move on `days_later` days, plan the session and report every exercise done in full."""
        self.today += timedelta(days=days_later)
        plan = self.plan()
        if results is None:
            done = [result_for(p, pain(p) if callable(pain) else pain) for p in plan]
        else:
            done = list(results(plan))
        return self._take(
            finish_session(
                self.state,
                self.library,
                today=self.today,
                results=done,
                stopped_for_pain=stopped_for_pain,
            )
        )

    def checkin(self, answer: Checkin, *, days_later: int = 1) -> Outcome:
        self.today += timedelta(days=days_later)
        return self._take(record_checkin(self.state, self.library, today=self.today, answer=answer))


@pytest.fixture(scope="session")
def library() -> Library:
    """The hand-built sample library (this overrides the real-content fixture of tests/conftest)."""
    return SAMPLE_LIBRARY

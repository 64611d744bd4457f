"""Today's session: which exercises, in which order, and roughly how long it takes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from bot.coaching.content import Library, Position, Timing
from bot.coaching.state import Prescription, ProgrammeState, Status

# Only for callers that estimate without the library: 3 s a rep, 30 s rests and set-up. Every
# variation in content/ gives its own numbers (`timing`), which the planner always uses.
DEFAULT_TIMING = Timing(seconds_per_rep=3, rest_seconds=30, setup_seconds=30)

# Down on the floor first and up once: lying, then hands and knees, then standing; seated work
# (where the stretches sit) last, as a cool-down.
_POSITION_ORDER = (
    Position.LYING_ON_BACK,
    Position.SIDE_LYING,
    Position.HANDS_AND_KNEES,
    Position.STANDING,
    Position.SEATED,
)


def exercise_seconds(prescription: Prescription, library: Library | None = None) -> int:
    """sets × (reps × seconds_per_rep, or the hold) × directions × sides, plus the rests between
    sets and the set-up, with the variation's own timing from content/."""
    timing = (
        DEFAULT_TIMING if library is None else library.variation(prescription.variation_id).timing
    )
    sides = 2 if prescription.per_side else 1
    if prescription.hold_seconds is not None:
        one = prescription.hold_seconds
    else:
        one = (prescription.reps or 0) * (timing.seconds_per_rep or 0)
    work = prescription.sets * one * timing.directions * sides
    return timing.setup_seconds + work + (prescription.sets - 1) * timing.rest_seconds


def estimate_minutes(plan: Sequence[Prescription], library: Library | None = None) -> int:
    """Whole minutes, rounded up, so the member is never promised less time than it takes."""
    return math.ceil(sum(exercise_seconds(p, library) for p in plan) / 60)


def plan_session(state: ProgrammeState, library: Library, today: date) -> tuple[Prescription, ...]:
    """The current phase's exercises that fit in the session, floor work first.

    When they do not all fit in session_minutes_max, the starting point of the phase's list moves
    on by one each day, so every exercise leads the rotation (and is planned) at least once every
    as many days as the phase has exercises. The same state and date always give the same plan.
    """
    if state.status is not Status.ACTIVE:
        return ()
    ladder_order = library.phase(state.phase).ladders
    candidates = [
        state.prescriptions[ladder] for ladder in ladder_order if ladder in state.prescriptions
    ]
    if not candidates:
        return ()
    start = today.toordinal() % len(candidates)
    rotated = candidates[start:] + candidates[:start]
    budget = library.programme.session_minutes_max * 60
    chosen: list[Prescription] = []
    for prescription in rotated:
        seconds = exercise_seconds(prescription, library)
        if not chosen or seconds <= budget:
            chosen.append(prescription)
            budget -= seconds

    def place(prescription: Prescription) -> tuple[int, int]:
        position = library.variation(prescription.variation_id).position
        return _POSITION_ORDER.index(position), ladder_order.index(prescription.ladder_id)

    return tuple(sorted(chosen, key=place))

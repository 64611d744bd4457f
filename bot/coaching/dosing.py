"""Moving a prescription along its ladder.

A ladder's doses form one line from gentlest to hardest: on the easiest rung the member can do,
fewer sets than the variation's own (down to one) at reps_min; then its full sets from reps_min up
to reps_max in steps of rules.reps_step (a hold rung is a single dose); then the next rung at its
reps_min, and so on. "One step" moves one place along that line; a regression drops a whole rung.
Rungs needing equipment the member lacks are passed over on the way down and block the way up.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from bot.coaching.content import Equipment, Ladder, Library, Rules, Variation
from bot.coaching.state import Prescription


def fits(variation: Variation, equipment: Collection[Equipment]) -> bool:
    """True when the member has everything the variation needs."""
    return all(item in equipment for item in variation.equipment)


def prescribe(
    ladder_id: str, variation: Variation, *, reps: int | None = None, sets: int | None = None
) -> Prescription:
    """The variation's own dose; reps default to the bottom of its range, sets to its own."""
    dose = variation.dose
    return Prescription(
        ladder_id=ladder_id,
        variation_id=variation.id,
        sets=dose.sets if sets is None else sets,
        reps=None if dose.is_hold else (dose.reps_min if reps is None else reps),
        hold_seconds=dose.hold_seconds,
        per_side=dose.per_side,
    )


def top_of_rung(ladder_id: str, variation: Variation) -> Prescription:
    """The hardest dose of a rung: its full sets at reps_max."""
    return prescribe(ladder_id, variation, reps=variation.dose.reps_max)


def easiest_rung(ladder: Ladder, equipment: Collection[Equipment]) -> Variation | None:
    """The first rung the member's equipment allows, or None when it allows none."""
    return next((rung for rung in ladder.ordered() if fits(rung, equipment)), None)


def rung_below(
    ladder: Ladder, variation: Variation, equipment: Collection[Equipment]
) -> Variation | None:
    """The highest rung easier than `variation` that the member's equipment allows."""
    rungs = ladder.ordered()
    below = rungs[: rungs.index(variation)]
    return next((rung for rung in reversed(below) if fits(rung, equipment)), None)


def rung_above(ladder: Ladder, variation: Variation) -> Variation | None:
    """The next rung up (whatever it needs), or None at the top of the ladder."""
    rungs = ladder.ordered()
    position = rungs.index(variation)
    return rungs[position + 1] if position + 1 < len(rungs) else None


def step_up_within_rung(
    prescription: Prescription, variation: Variation, rules: Rules
) -> Prescription | None:
    """A set back first (after a bottom-of-ladder regression), then more reps; None at the top."""
    dose = variation.dose
    if prescription.sets < dose.sets:
        return replace(prescription, sets=prescription.sets + 1)
    reps, reps_max = prescription.reps, dose.reps_max
    if reps is not None and reps_max is not None and reps < reps_max:
        return replace(prescription, reps=min(reps + rules.reps_step, reps_max))
    return None


def one_step_easier(
    prescription: Prescription, library: Library, equipment: Collection[Equipment]
) -> Prescription | None:
    """One place down the line; None when it is already the gentlest dose there is."""
    variation = library.variation(prescription.variation_id)
    reps, reps_min = prescription.reps, variation.dose.reps_min
    if reps is not None and reps_min is not None and reps > reps_min:
        return replace(prescription, reps=max(reps - library.rules.reps_step, reps_min))
    lower = rung_below(library.ladder(prescription.ladder_id), variation, equipment)
    if lower is not None:
        return top_of_rung(prescription.ladder_id, lower)
    return _one_set_fewer(prescription)


def regressed(
    prescription: Prescription, library: Library, equipment: Collection[Equipment]
) -> Prescription | None:
    """The rung below at its reps_min; on the bottom rung reps_min, then one set fewer.

    None when it is already the gentlest dose there is.
    """
    variation = library.variation(prescription.variation_id)
    lower = rung_below(library.ladder(prescription.ladder_id), variation, equipment)
    if lower is not None:
        return prescribe(prescription.ladder_id, lower)
    reps_min = variation.dose.reps_min
    if prescription.reps is not None and reps_min is not None and prescription.reps > reps_min:
        return replace(prescription, reps=reps_min)
    return _one_set_fewer(prescription)


def _one_set_fewer(prescription: Prescription) -> Prescription | None:
    if prescription.sets <= 1:
        return None
    return replace(prescription, sets=prescription.sets - 1)

"""Stored programmes after `content/` changed under live members.

A member's programme stores variation ids. A renamed variation (listed in `content/aliases.yaml`)
is followed silently: nothing changes for the member. A removed one cannot simply vanish, or every
session of that member would fail, so its member moves to the nearest rung of the same ladder:
the most recent rung in their own history that still exists and that their equipment allows
(they have shown they can do it, and it is never a jump up), else the ladder's easiest rung they
can do, at that rung's starting dose. Either way a REGRESS decision says why. A ladder that is
gone altogether, or has no rung their equipment allows, leaves the programme with a decision too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.coaching.content import Ladder, Library, Variation
from bot.coaching.dosing import easiest_rung, fits, prescribe
from bot.coaching.state import (
    Decision,
    DecisionKind,
    ExerciseRecord,
    Outcome,
    Prescription,
    ProgrammeState,
)

MOVED = (
    "The exercise you were doing for «{ladder}» was taken out of the programme, so you're on "
    "«{rung}» now, starting gently."
)
LEFT_OUT = "«{ladder}» was taken out of the programme, so it's no longer in your sessions."
UNKNOWN_LADDER = "An exercise was taken out of the programme, so it's no longer in your sessions."


def points_to_nothing(state: ProgrammeState, library: Library) -> list[str]:
    """The variation ids in the programme that no longer exist (aliases count as existing)."""
    return sorted(
        p.variation_id
        for p in state.prescriptions.values()
        if not library.has_variation(p.variation_id)
    )


def reconcile(state: ProgrammeState, library: Library) -> Outcome:
    """The programme with every stored id pointing at content that exists; see the module."""
    prescriptions: dict[str, Prescription] = {}
    decisions: list[Decision] = []
    for ladder_id, current in state.prescriptions.items():
        if library.has_variation(current.variation_id):
            prescriptions[ladder_id] = _renamed(current, library)
            continue
        try:
            ladder = library.ladder(ladder_id)
        except KeyError:
            decisions.append(Decision(DecisionKind.REGRESS, UNKNOWN_LADDER, ladder_id))
            continue
        rung = _nearest_rung(ladder, state.history.get(ladder_id, ()), state, library)
        if rung is None:
            reason = LEFT_OUT.format(ladder=ladder.name)
            decisions.append(Decision(DecisionKind.REGRESS, reason, ladder_id))
            continue
        prescriptions[ladder_id] = prescribe(ladder_id, rung)
        reason = MOVED.format(ladder=ladder.name, rung=rung.name)
        decisions.append(Decision(DecisionKind.REGRESS, reason, ladder_id, None, rung.id))
    history = {
        ladder_id: tuple(_renamed_record(record, library) for record in records)
        for ladder_id, records in state.history.items()
    }
    return Outcome(replace(state, prescriptions=prescriptions, history=history), tuple(decisions))


def _nearest_rung(
    ladder: Ladder, records: Iterable[ExerciseRecord], state: ProgrammeState, library: Library
) -> Variation | None:
    rungs = {rung.id: rung for rung in ladder.variations}
    for record in reversed(tuple(records)):
        done = library.aliases.get(
            record.prescription.variation_id, record.prescription.variation_id
        )
        if done in rungs and fits(rungs[done], state.equipment):
            return rungs[done]
    return easiest_rung(ladder, state.equipment)


def _renamed(prescription: Prescription, library: Library) -> Prescription:
    new_id = library.aliases.get(prescription.variation_id, prescription.variation_id)
    return (
        prescription
        if new_id == prescription.variation_id
        else replace(prescription, variation_id=new_id)
    )


def _renamed_record(record: ExerciseRecord, library: Library) -> ExerciseRecord:
    renamed = _renamed(record.prescription, library)
    return record if renamed is record.prescription else replace(record, prescription=renamed)

"""After a session and after the next-morning check: progress, hold, regress, stop or pause.

The policy is DESIGN.md §3 with every threshold from `library.rules`; docs/coaching-rules.md lays
it out as a table with its clinical basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.coaching import reasons
from bot.coaching.content import Library, Rules, Variation
from bot.coaching.dosing import fits, prescribe, regressed, rung_above, step_up_within_rung
from bot.coaching.lifecycle import advance_phase_if_ready
from bot.coaching.pain import Zone, is_session_stopping_pain, pain_zone
from bot.coaching.state import (
    RECORDS_KEPT_PER_LADDER,
    SESSION_PAINS_KEPT,
    Checkin,
    Decision,
    DecisionKind,
    ExerciseRecord,
    ExerciseResult,
    Outcome,
    Prescription,
    ProgrammeState,
    Status,
)


@dataclass(frozen=True)
class _Session:
    """What the session as a whole says about every exercise in it."""

    max_pain: int | None
    stopped: bool
    red: bool
    after_worse_checkin: bool
    at_fault: ExerciseResult | None  # the exercise the session stopped in

    @property
    def holds_everything_back(self) -> bool:
        return self.stopped or self.red or self.after_worse_checkin


def finish_session(
    state: ProgrammeState,
    library: Library,
    *,
    today: date,
    results: Sequence[ExerciseResult],
    stopped_for_pain: bool = False,
) -> Outcome:
    """Decide each exercise done, then whether to stop, pause or move up a phase.

    One PROGRESS, HOLD or REGRESS per result (skipped ones hold), then STOP_SESSION and PAUSE, or
    PHASE_UP. A session where everything was skipped still counts as a session for the missed-days
    rule, but not towards the phase.
    """
    rules = library.rules
    if state.status is not Status.ACTIVE:
        raise ValueError(f"a session can only be finished while active, not {state.status.value}")
    _check_results(state, rules, results)
    session = _read_session(state, rules, results, stopped_for_pain)

    prescriptions = dict(state.prescriptions)
    history = dict(state.history)
    progressed = set(state.ladders_progressed_in_phase)
    decisions: list[Decision] = []
    for result in results:
        prescription = state.prescriptions[result.ladder_id]
        records = history.get(result.ladder_id, ())
        if not result.skipped and result.pain is not None:  # a done exercise always has pain
            record = ExerciseRecord(prescription, _completed(result, prescription), result.pain)
            records = (*records, record)[-RECORDS_KEPT_PER_LADDER:]
            history[result.ladder_id] = records
        decision, prescriptions[result.ladder_id] = _decide_exercise(
            result, prescription, records, state, library, session
        )
        decisions.append(decision)
        if decision.kind is DecisionKind.PROGRESS:
            progressed.add(result.ladder_id)

    # Only sessions with something done have a pain to count, for the pause rules and the phase.
    done = session.max_pain is not None
    session_pains = state.session_pains
    if session.max_pain is not None:
        session_pains = (*session_pains, session.max_pain)[-SESSION_PAINS_KEPT:]
    pause = _pause_decisions(session, session_pains, rules, library)
    decisions.extend(pause)
    new_state = replace(
        state,
        status=Status.PAUSED_PAIN if pause else Status.ACTIVE,
        prescriptions=prescriptions,
        history=history,
        session_pains=session_pains,
        sessions_in_phase=state.sessions_in_phase + int(done),
        ladders_progressed_in_phase=frozenset(progressed),
        last_session_date=today,
        worse_checkin_since_last_session=False,
    )
    if done and not pause and not session.holds_everything_back:
        new_state, phase_decisions = advance_phase_if_ready(new_state, library)
        decisions.extend(phase_decisions)
    return Outcome(new_state, tuple(decisions))


def record_checkin(
    state: ProgrammeState, library: Library, *, today: date, answer: Checkin
) -> Outcome:
    """The next-morning check: 'worse' holds back the next session, and enough in a row pause.

    One answer a day counts (a repeat the same day is ignored), and only while active: the check
    is about how the back takes the exercise.
    """
    answer = Checkin(answer)
    if state.status is not Status.ACTIVE or state.last_checkin_date == today:
        return Outcome(state, ())
    worse = answer is Checkin.WORSE
    in_a_row = state.worse_checkins_in_a_row + 1 if worse else 0
    new_state = replace(
        state,
        last_checkin_date=today,
        worse_checkins_in_a_row=in_a_row,
        worse_checkin_since_last_session=worse,
    )
    if in_a_row >= library.rules.pause_worse_checkins_in_a_row:
        pause = Decision(DecisionKind.PAUSE, reasons.pause_worse_checkins(in_a_row))
        return Outcome(replace(new_state, status=Status.PAUSED_PAIN), (pause,))
    if worse:
        return Outcome(new_state, (Decision(DecisionKind.HOLD, reasons.worse_checkin()),))
    return Outcome(new_state, ())


def _check_results(state: ProgrammeState, rules: Rules, results: Sequence[ExerciseResult]) -> None:
    seen: set[str] = set()
    for result in results:
        prescription = state.prescriptions.get(result.ladder_id)
        if prescription is None:
            raise ValueError(f"{result.ladder_id!r} is not in the member's programme")
        if result.variation_id != prescription.variation_id:
            raise ValueError(
                f"{result.ladder_id}: result is for {result.variation_id!r} but the prescription "
                f"is {prescription.variation_id!r}"
            )
        if result.ladder_id in seen:
            raise ValueError(f"{result.ladder_id}: more than one result in one session")
        seen.add(result.ladder_id)
        if result.skipped:
            continue
        if prescription.reps is None and result.hold_completed is None:
            raise ValueError(f"{result.variation_id} is a hold: give hold_completed")
        if prescription.reps is not None and result.reps_done is None:
            raise ValueError(f"{result.variation_id} is done in reps: give reps_done")
        reps_done = result.reps_done
        if reps_done is not None and (
            isinstance(reps_done, bool)
            or not isinstance(reps_done, int)
            or not 0 <= reps_done <= rules.max_reps
        ):
            raise ValueError(
                f"reps_done must be a whole number from 0 to {rules.max_reps}, got {reps_done!r}"
            )


def _read_session(
    state: ProgrammeState,
    rules: Rules,
    results: Sequence[ExerciseResult],
    stopped_for_pain: bool,
) -> _Session:
    done = [result for result in results if result.pain is not None]
    max_pain = max((result.pain for result in results if result.pain is not None), default=None)
    stopped = stopped_for_pain or (
        max_pain is not None and is_session_stopping_pain(max_pain, rules)
    )
    # The exercise the session stopped in: the most painful, the later one on a tie.
    at_fault = (
        max(reversed(done), key=lambda result: result.pain or 0, default=None) if stopped else None
    )
    return _Session(
        max_pain=max_pain,
        stopped=stopped,
        red=max_pain is not None and pain_zone(max_pain, rules) is Zone.RED,
        after_worse_checkin=state.worse_checkin_since_last_session,
        at_fault=at_fault,
    )


def _completed(result: ExerciseResult, prescription: Prescription) -> bool:
    if prescription.reps is None:
        return bool(result.hold_completed)
    return result.reps_done is not None and result.reps_done >= prescription.reps


def _decide_exercise(
    result: ExerciseResult,
    prescription: Prescription,
    records: tuple[ExerciseRecord, ...],
    state: ProgrammeState,
    library: Library,
    session: _Session,
) -> tuple[Decision, Prescription]:
    """Regress, hold or progress one exercise; the order of the checks is the order of priority."""
    rules = library.rules
    variation = library.variation(prescription.variation_id)
    if result.skipped or result.pain is None:
        return _hold(prescription, reasons.skipped(prescription, variation))
    pain = result.pain
    trigger = _regress_trigger(
        result.ladder_id, variation, pain, state.baseline_pain, rules, session
    )
    if trigger is not None:
        return _regress(prescription, variation, trigger, state, library)
    if pain_zone(pain, rules) is Zone.AMBER:
        return _hold(prescription, reasons.amber_pain(prescription, variation, pain))
    if not _completed(result, prescription):
        return _hold(prescription, reasons.fell_short(prescription, variation, result.reps_done))
    if session.holds_everything_back:
        return _hold(prescription, _held_back_reason(prescription, variation, session))
    needed = rules.progress_after_green_sessions
    streak = _green_streak(records, prescription, state.baseline_pain, rules)
    if streak < needed:
        return _hold(
            prescription,
            reasons.not_yet_enough_green(prescription, variation, pain, needed - streak),
        )
    return _progress(prescription, variation, needed, state, library)


def _regress_trigger(
    ladder_id: str,
    variation: Variation,
    pain: int,
    baseline_pain: int,
    rules: Rules,
    session: _Session,
) -> str | None:
    if session.at_fault is not None and session.at_fault.ladder_id == ladder_id:
        return reasons.regress_trigger_stop(variation)
    if pain_zone(pain, rules) is Zone.RED:
        return reasons.regress_trigger_red(variation, pain)
    if _rose_over_baseline(pain, baseline_pain, rules):
        return reasons.regress_trigger_rise(variation, pain, baseline_pain)
    return None


def _rose_over_baseline(pain: int, baseline_pain: int, rules: Rules) -> bool:
    return pain - baseline_pain >= rules.regress_rise_over_baseline


def _green_streak(
    records: tuple[ExerciseRecord, ...],
    prescription: Prescription,
    baseline_pain: int,
    rules: Rules,
) -> int:
    """How many of the latest records in a row were this very dose, completed, with green pain
    no higher than the rise over baseline allows."""
    streak = 0
    for record in reversed(records):
        if (
            record.prescription != prescription
            or not record.completed
            or pain_zone(record.pain, rules) is not Zone.GREEN
            or _rose_over_baseline(record.pain, baseline_pain, rules)
        ):
            break
        streak += 1
    return streak


def _held_back_reason(prescription: Prescription, variation: Variation, session: _Session) -> str:
    if session.red and session.max_pain is not None:
        return reasons.held_after_red_session(prescription, variation, session.max_pain)
    if session.stopped:
        return reasons.held_after_stop(prescription, variation)
    return reasons.held_after_worse_checkin(prescription, variation)


def _progress(
    prescription: Prescription,
    variation: Variation,
    sessions: int,
    state: ProgrammeState,
    library: Library,
) -> tuple[Decision, Prescription]:
    """More sets or reps within the rung; then the next rung, if the member has its equipment."""
    rules = library.rules
    within = step_up_within_rung(prescription, variation, rules)
    if within is not None:
        reason = reasons.progress_within_rung(prescription, within, variation, sessions, rules)
        return _move(DecisionKind.PROGRESS, prescription, within, reason)
    next_rung = rung_above(library.ladder(prescription.ladder_id), variation)
    if next_rung is None:
        return _hold(prescription, reasons.top_of_ladder(prescription, variation, sessions, rules))
    if next_rung.phase > state.phase:
        reason = reasons.next_rung_in_later_phase(
            prescription, variation, next_rung, sessions, rules
        )
        return _hold(prescription, reason)
    if not fits(next_rung, state.equipment):
        missing = set(next_rung.equipment) - state.equipment
        reason = reasons.needs_equipment(
            prescription, variation, next_rung, missing, sessions, rules
        )
        return _hold(prescription, reason)
    harder = prescribe(prescription.ladder_id, next_rung)
    reason = reasons.progress_to_next_rung(
        prescription, variation, harder, next_rung, sessions, rules
    )
    return _move(DecisionKind.PROGRESS, prescription, harder, reason)


def _regress(
    prescription: Prescription,
    variation: Variation,
    trigger: str,
    state: ProgrammeState,
    library: Library,
) -> tuple[Decision, Prescription]:
    easier = regressed(prescription, library, state.equipment)
    if easier is None:
        return _hold(prescription, reasons.already_gentlest(trigger, prescription, variation))
    new_rung = library.variation(easier.variation_id)
    reason = reasons.regress(trigger, variation, easier, new_rung)
    return _move(DecisionKind.REGRESS, prescription, easier, reason)


def _pause_decisions(
    session: _Session, session_pains: tuple[int, ...], rules: Rules, library: Library
) -> tuple[Decision, ...]:
    """STOP_SESSION and PAUSE for a stop; PAUSE when red sessions come too often; else nothing."""
    if session.stopped:
        return (
            Decision(DecisionKind.STOP_SESSION, _stop_reason(session.at_fault, rules, library)),
            Decision(DecisionKind.PAUSE, reasons.pause_after_stop()),
        )
    red = [pain_zone(pain, rules) is Zone.RED for pain in session_pains]
    in_a_row = rules.pause_red_sessions_in_a_row
    if len(red) >= in_a_row and all(red[-in_a_row:]):
        return (Decision(DecisionKind.PAUSE, reasons.pause_red_in_a_row(in_a_row, rules)),)
    window = red[-rules.pause_red_sessions_window :]
    if sum(window) >= rules.pause_red_sessions_in_window:
        reason = reasons.pause_red_in_window(sum(window), len(window), rules)
        return (Decision(DecisionKind.PAUSE, reason),)
    return ()


def _stop_reason(at_fault: ExerciseResult | None, rules: Rules, library: Library) -> str:
    """Name the exercise and the pain when pain reached the stop level, else just the stop."""
    if (
        at_fault is None
        or at_fault.pain is None
        or not is_session_stopping_pain(at_fault.pain, rules)
    ):
        return reasons.stop_session(None, None)
    return reasons.stop_session(at_fault.pain, library.variation(at_fault.variation_id))


def _hold(prescription: Prescription, reason: str) -> tuple[Decision, Prescription]:
    return _move(DecisionKind.HOLD, prescription, prescription, reason)


def _move(
    kind: DecisionKind, old: Prescription, new: Prescription, reason: str
) -> tuple[Decision, Prescription]:
    decision = Decision(
        kind,
        reason,
        ladder_id=old.ladder_id,
        from_variation=old.variation_id,
        to_variation=new.variation_id,
    )
    return decision, new

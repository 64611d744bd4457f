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
from bot.coaching.dosing import (
    fits,
    one_step_easier,
    prescribe,
    regressed,
    rung_above,
    step_up_within_rung,
)
from bot.coaching.lifecycle import advance_phase_if_ready
from bot.coaching.pain import Zone, is_session_stopping_pain, pain_zone
from bot.coaching.state import (
    PAIN_LOG_KEPT,
    RECORDS_KEPT_PER_LADDER,
    SESSION_PAINS_KEPT,
    Checkin,
    Decision,
    DecisionKind,
    ExerciseRecord,
    ExerciseResult,
    LadderPacing,
    Outcome,
    Prescription,
    ProgrammeState,
    SkipReason,
    Status,
)
from bot.coaching.trends import build_up, persisting_pain, usual_pain


@dataclass(frozen=True)
class _Session:
    """What the session as a whole says about every exercise in it."""

    today: date
    max_pain: int | None
    stopped: bool
    red: bool
    after_worse_checkin: bool
    after_settled_checkin: bool
    usual_pain: int
    building_up: tuple[int, int] | None  # (this week, last week) middle pains
    flare_until: date | None  # easing off for a flare-up up to this day
    at_fault: ExerciseResult | None  # the exercise the session stopped in

    @property
    def holds_everything_back(self) -> bool:
        return (
            self.stopped
            or self.red
            or self.after_worse_checkin
            or self.building_up is not None
            or self.flare_until is not None
        )


def finish_session(
    state: ProgrammeState,
    library: Library,
    *,
    today: date,
    results: Sequence[ExerciseResult],
    stopped_for_pain: bool = False,
) -> Outcome:
    """Decide each exercise done or skipped, then whether to stop, pause or move up a phase.

    One decision per result (PROGRESS, HOLD, REGRESS or KEEPS_SKIPPING), then STOP_SESSION and
    PAUSE, or PHASE_UP, and NOT_IMPROVING when pain persists. A skip "because it hurts" counts as
    red pain for that exercise. A session where nothing was done (every exercise skipped for
    another reason) counts as a missed day: it moves neither the phase nor the last session date.
    """
    rules = library.rules
    if state.status is not Status.ACTIVE:
        raise ValueError(f"a session can only be finished while active, not {state.status.value}")
    _check_results(state, rules, results)
    session = _read_session(state, rules, results, stopped_for_pain, today)

    prescriptions = dict(state.prescriptions)
    history = dict(state.history)
    pacing = dict(state.pacing)
    progressed = set(state.ladders_progressed_in_phase)
    decisions: list[Decision] = []
    for result in results:
        prescription = state.prescriptions[result.ladder_id]
        records = history.get(result.ladder_id, ())
        pain = _pain_of(result, rules)
        if pain is not None:
            completed = not result.skipped and _completed(result, prescription)
            record = ExerciseRecord(prescription, completed, pain, result.reps_done)
            records = (*records, record)[-RECORDS_KEPT_PER_LADDER:]
            history[result.ladder_id] = records
        ladder_pacing = pacing.get(result.ladder_id, LadderPacing())
        decision, prescriptions[result.ladder_id], pacing[result.ladder_id] = _decide_exercise(
            result, prescription, records, ladder_pacing, state, library, session
        )
        decisions.append(decision)
        if decision.kind is DecisionKind.PROGRESS:
            progressed.add(result.ladder_id)

    # Only sessions with something done have a pain to count, for the pause rules and the phase.
    done = session.max_pain is not None
    session_pains, pain_log = state.session_pains, state.pain_log
    if session.max_pain is not None:
        session_pains = (*session_pains, session.max_pain)[-SESSION_PAINS_KEPT:]
        pain_log = (*pain_log, (today, session.max_pain))[-PAIN_LOG_KEPT:]
    pause = _pause_decisions(session, session_pains, rules, library)
    decisions.extend(pause)
    new_state = replace(
        state,
        status=Status.PAUSED_PAIN if pause else Status.ACTIVE,
        prescriptions=prescriptions,
        history=history,
        pacing=pacing,
        session_pains=session_pains,
        pain_log=pain_log,
        sessions_in_phase=state.sessions_in_phase + int(done),
        ladders_progressed_in_phase=frozenset(progressed),
    )
    if done:
        new_state = replace(
            new_state,
            last_session_date=today,
            worse_checkin_since_last_session=False,
            settled_checkin_since_last_session=False,
        )
    if done and not pause and not session.holds_everything_back:
        new_state, phase_decisions = advance_phase_if_ready(new_state, library)
        decisions.extend(phase_decisions)
    if done and not pause:
        new_state, persisting = _pain_persists(new_state, today, rules)
        decisions.extend(persisting)
    return Outcome(new_state, tuple(decisions))


def record_checkin(
    state: ProgrammeState, library: Library, *, today: date, answer: Checkin
) -> Outcome:
    """The next-morning check: 'worse' holds back the next session, and enough in a row pause;
    'same' or 'better' lets amber pain progress in the next session.

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
        settled_checkin_since_last_session=not worse,
    )
    if in_a_row >= library.rules.pause_worse_checkins_in_a_row:
        pause = Decision(DecisionKind.PAUSE, reasons.pause_worse_checkins(in_a_row))
        return Outcome(replace(new_state, status=Status.PAUSED_PAIN), (pause,))
    if worse:
        return Outcome(new_state, (Decision(DecisionKind.HOLD, reasons.worse_checkin()),))
    return Outcome(new_state, ())


def _pain_persists(
    state: ProgrammeState, today: date, rules: Rules
) -> tuple[ProgrammeState, tuple[Decision, ...]]:
    """NOT_IMPROVING, at most once per pain_persists_weeks, when weekly pain stays amber or up."""
    weeks = persisting_pain(state, today, rules)
    last = state.not_improving_advised_on
    if weeks is None or (last is not None and (today - last).days < 7 * rules.pain_persists_weeks):
        return state, ()
    decision = Decision(DecisionKind.NOT_IMPROVING, reasons.not_improving(weeks))
    return replace(state, not_improving_advised_on=today), (decision,)


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
        # Checked for skips too: reps reported before a skip are kept.
        reps_done = result.reps_done
        if reps_done is not None and (
            isinstance(reps_done, bool)
            or not isinstance(reps_done, int)
            or not 0 <= reps_done <= rules.max_reps
        ):
            raise ValueError(
                f"reps_done must be a whole number from 0 to {rules.max_reps}, got {reps_done!r}"
            )
        if result.skipped:
            continue
        if prescription.reps is None and result.hold_completed is None:
            raise ValueError(f"{result.variation_id} is a hold: give hold_completed")
        if prescription.reps is not None and result.reps_done is None:
            raise ValueError(f"{result.variation_id} is done in reps: give reps_done")


def _read_session(
    state: ProgrammeState,
    rules: Rules,
    results: Sequence[ExerciseResult],
    stopped_for_pain: bool,
    today: date,
) -> _Session:
    pains = [(result, pain) for result in results if (pain := _pain_of(result, rules)) is not None]
    max_pain = max((pain for _, pain in pains), default=None)
    stopped = stopped_for_pain or (
        max_pain is not None and is_session_stopping_pain(max_pain, rules)
    )
    # The exercise the session stopped in: the most painful done one, the later one on a tie.
    done = [result for result in results if result.pain is not None]
    at_fault = (
        max(reversed(done), key=lambda result: result.pain or 0, default=None) if stopped else None
    )
    log = state.pain_log if max_pain is None else (*state.pain_log, (today, max_pain))
    return _Session(
        today=today,
        max_pain=max_pain,
        stopped=stopped,
        red=max_pain is not None and pain_zone(max_pain, rules) is Zone.RED,
        after_worse_checkin=state.worse_checkin_since_last_session,
        after_settled_checkin=state.settled_checkin_since_last_session,
        usual_pain=usual_pain(state, rules),
        building_up=build_up(log, today, rules),
        flare_until=state.flare_until
        if state.flare_until is not None and today <= state.flare_until
        else None,
        at_fault=at_fault,
    )


def _pain_of(result: ExerciseResult, rules: Rules) -> int | None:
    """The pain to count: the answer, or red for a skip because it hurts; None for other skips."""
    if result.skipped:
        return rules.pain_zones.amber_max + 1 if result.skip_reason is SkipReason.HURTS else None
    return result.pain


def _completed(result: ExerciseResult, prescription: Prescription) -> bool:
    if prescription.reps is None:
        return bool(result.hold_completed)
    return result.reps_done is not None and result.reps_done >= prescription.reps


def _decide_exercise(
    result: ExerciseResult,
    prescription: Prescription,
    records: tuple[ExerciseRecord, ...],
    pacing: LadderPacing,
    state: ProgrammeState,
    library: Library,
    session: _Session,
) -> tuple[Decision, Prescription, LadderPacing]:
    """Regress, hold or progress one exercise, and how its pacing moves on.

    Any change of dose restarts the wait of min_days_between_steps; a step up counts towards the
    next lighter week, which resets the count. A skip for "no time" leaves the skip count alone.
    """
    skips = pacing.skips_in_a_row
    if not result.skipped:
        skips = 0
    elif result.skip_reason is not SkipReason.NO_TIME:
        skips += 1
    decision, new = _decide(result, prescription, records, skips, pacing, state, library, session)
    steps = pacing.steps_since_deload
    if decision.kind is DecisionKind.LIGHTER_WEEK:
        steps = 0
    elif decision.kind is DecisionKind.PROGRESS:
        steps += 1
    last_step = session.today if new != prescription else pacing.last_step_on
    return decision, new, LadderPacing(last_step, steps, skips)


def _decide(
    result: ExerciseResult,
    prescription: Prescription,
    records: tuple[ExerciseRecord, ...],
    skips: int,
    pacing: LadderPacing,
    state: ProgrammeState,
    library: Library,
    session: _Session,
) -> tuple[Decision, Prescription]:
    """The checks in the order of docs/coaching-rules.md; the first that applies decides."""
    rules = library.rules
    variation = library.variation(prescription.variation_id)
    if result.skipped or result.pain is None:
        return _skipped(result, prescription, variation, skips, state, library)
    pain = result.pain
    trigger = _regress_trigger(result.ladder_id, variation, pain, session, rules)
    if trigger is not None:
        return _regress(prescription, variation, trigger, state, library)
    zone = pain_zone(pain, rules)
    if not _completed(result, prescription):
        short = _short_run(records, prescription, rules)
        if short is not None and zone is Zone.GREEN:
            return _to_achieved(prescription, variation, short, state, library)
        return _hold(prescription, reasons.fell_short(prescription, variation, result.reps_done))
    if session.holds_everything_back:
        return _hold(prescription, _held_back_reason(prescription, variation, session))
    if zone is Zone.AMBER and not session.after_settled_checkin:
        return _hold(prescription, reasons.amber_pain(prescription, variation, pain))
    needed = rules.progress_after_green_sessions
    streak = _steady_streak(records, prescription, session.usual_pain, rules)
    if streak < needed:
        reason = reasons.not_yet_enough_green(prescription, variation, pain, needed - streak)
        return _hold(prescription, reason)
    last_step = pacing.last_step_on
    if last_step is not None and (session.today - last_step).days < rules.min_days_between_steps:
        days = (session.today - last_step).days
        return _hold(prescription, reasons.too_soon_to_step(prescription, variation, days, rules))
    if pacing.steps_since_deload >= rules.deload_every_steps:
        lighter = one_step_easier(prescription, library, state.equipment)
        if lighter is not None:
            new_rung = library.variation(lighter.variation_id)
            reason = reasons.lighter_week(variation, lighter, new_rung, pacing.steps_since_deload)
            return _move(DecisionKind.LIGHTER_WEEK, prescription, lighter, reason)
    pain_cap = max(record.pain for record in records[-needed:])
    return _progress(prescription, variation, needed, state, library, pain_cap)


def _skipped(
    result: ExerciseResult,
    prescription: Prescription,
    variation: Variation,
    skips: int,
    state: ProgrammeState,
    library: Library,
) -> tuple[Decision, Prescription]:
    """Skipped too often (every replace_after_skips_in_a_row in a row): an easier version, and
    the first time the coach is told (KEEPS_SKIPPING); it hurts: as red pain; can't do it: a step
    easier."""
    every = library.rules.replace_after_skips_in_a_row
    if skips >= every and skips % every == 0:
        easier = regressed(prescription, library, state.equipment)
        new = prescription if easier is None else easier
        new_rung = library.variation(new.variation_id)
        change = None if easier is None else (new, new_rung)
        if skips > every:  # the coach heard at the first run: just easier again
            reason = reasons.still_skipping(variation, skips, change)
            return _move(DecisionKind.REGRESS, prescription, new, reason)
        reason = reasons.keeps_skipping(variation, skips, change)
        return _move(DecisionKind.KEEPS_SKIPPING, prescription, new, reason)
    if result.skip_reason is SkipReason.HURTS:
        return _regress(
            prescription, variation, reasons.regress_trigger_hurts(variation), state, library
        )
    if result.skip_reason is SkipReason.CANT_DO:
        easier = one_step_easier(prescription, library, state.equipment)
        if easier is None:
            return _hold(prescription, reasons.cant_do_at_gentlest(prescription, variation))
        reason = reasons.cant_do(variation, easier, library.variation(easier.variation_id))
        return _move(DecisionKind.REGRESS, prescription, easier, reason)
    return _hold(prescription, reasons.skipped(prescription, variation))


def _short_run(
    records: tuple[ExerciseRecord, ...], prescription: Prescription, rules: Rules
) -> tuple[ExerciseRecord, ...] | None:
    """The last short_sessions_in_a_row records when each was this dose, short and green."""
    run = records[-rules.short_sessions_in_a_row :]
    if len(run) < rules.short_sessions_in_a_row:
        return None
    for record in run:
        if record.prescription != prescription or record.completed:
            return None
        if pain_zone(record.pain, rules) is not Zone.GREEN:
            return None
        if prescription.reps is not None and (
            record.reps_done is None
            or record.reps_done * 100 >= rules.short_session_percent * prescription.reps
        ):
            return None
    return run


def _to_achieved(
    prescription: Prescription,
    variation: Variation,
    run: tuple[ExerciseRecord, ...],
    state: ProgrammeState,
    library: Library,
) -> tuple[Decision, Prescription]:
    """The dose the member actually managed: their best reps of the run, within the rung's
    range; below it (or for a hold) the next gentler dose."""
    achieved = max((record.reps_done or 0) for record in run)
    reps_min = variation.dose.reps_min
    if reps_min is not None and achieved >= reps_min:
        easier: Prescription | None = replace(prescription, reps=achieved)
    elif prescription.reps is None:
        easier = one_step_easier(prescription, library, state.equipment)
    else:
        easier = regressed(prescription, library, state.equipment)
    reason_in = reasons.short_sessions(prescription, variation, len(run), achieved)
    if easier is None:
        return _hold(prescription, reasons.already_gentlest(reason_in, prescription, variation))
    new_rung = library.variation(easier.variation_id)
    return _move(
        DecisionKind.REGRESS,
        prescription,
        easier,
        reasons.regress(reason_in, variation, easier, new_rung),
    )


def _regress_trigger(
    ladder_id: str, variation: Variation, pain: int, session: _Session, rules: Rules
) -> str | None:
    if session.at_fault is not None and session.at_fault.ladder_id == ladder_id:
        return reasons.regress_trigger_stop(variation)
    if pain_zone(pain, rules) is Zone.RED:
        return reasons.regress_trigger_red(variation, pain)
    if _rose_over_usual(pain, session.usual_pain, rules):
        return reasons.regress_trigger_rise(variation, pain, session.usual_pain, rules)
    return None


def _rose_over_usual(pain: int, usual: int, rules: Rules) -> bool:
    """Only pain above green can count as a rise: green is always fine to train in."""
    return pain > rules.pain_zones.green_max and pain - usual >= rules.regress_rise_over_baseline


def _steady_streak(
    records: tuple[ExerciseRecord, ...], prescription: Prescription, usual: int, rules: Rules
) -> int:
    """How many of the latest records in a row were this very dose, completed, with pain no
    higher than amber and not risen over the usual pain."""
    streak = 0
    for record in reversed(records):
        if (
            record.prescription != prescription
            or not record.completed
            or pain_zone(record.pain, rules) is Zone.RED
            or _rose_over_usual(record.pain, usual, rules)
        ):
            break
        streak += 1
    return streak


def _held_back_reason(prescription: Prescription, variation: Variation, session: _Session) -> str:
    if session.red and session.max_pain is not None:
        return reasons.held_after_red_session(prescription, variation, session.max_pain)
    if session.stopped:
        return reasons.held_after_stop(prescription, variation)
    if session.after_worse_checkin:
        return reasons.held_after_worse_checkin(prescription, variation)
    if session.building_up is not None:
        this_week, last_week = session.building_up
        return reasons.held_after_build_up(prescription, variation, this_week, last_week)
    return reasons.held_for_flare(prescription, variation, session.flare_until or session.today)


def _progress(
    prescription: Prescription,
    variation: Variation,
    sessions: int,
    state: ProgrammeState,
    library: Library,
    pain_cap: int,
) -> tuple[Decision, Prescription]:
    """More sets or reps within the rung; then the next rung, if the member has its equipment.

    The reason names the highest pain of the run (amber included), so the member knows what
    it stepped up on."""
    within = step_up_within_rung(prescription, variation, library.rules)
    if within is not None:
        reason = reasons.progress_within_rung(prescription, within, variation, sessions, pain_cap)
        return _move(DecisionKind.PROGRESS, prescription, within, reason)
    next_rung = rung_above(library.ladder(prescription.ladder_id), variation)
    if next_rung is None:
        return _hold(
            prescription, reasons.top_of_ladder(prescription, variation, sessions, pain_cap)
        )
    if next_rung.phase > state.phase:
        reason = reasons.next_rung_in_later_phase(
            prescription, variation, next_rung, sessions, pain_cap
        )
        return _hold(prescription, reason)
    if not fits(next_rung, state.equipment):
        missing = set(next_rung.equipment) - state.equipment
        reason = reasons.needs_equipment(
            prescription, variation, next_rung, missing, sessions, pain_cap
        )
        return _hold(prescription, reason)
    harder = prescribe(prescription.ladder_id, next_rung)
    reason = reasons.progress_to_next_rung(
        prescription, variation, harder, next_rung, sessions, pain_cap
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

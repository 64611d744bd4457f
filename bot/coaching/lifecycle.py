"""The programme around the sessions: starting, moving up a phase, breaks, pauses, restarts, kit.

Pain-driven decisions after a session live in `decisions`; everything here changes the programme
as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import date, timedelta

from bot.coaching import reasons
from bot.coaching.content import Equipment, Ladder, Library, Phase, Variation
from bot.coaching.dosing import (
    easiest_rung,
    fits,
    one_step_easier,
    prescribe,
    rung_below,
    top_of_rung,
)
from bot.coaching.pain import Zone, check_pain, pain_zone
from bot.coaching.screening import Urgency
from bot.coaching.state import (
    ActivityLevel,
    Decision,
    DecisionKind,
    LadderPacing,
    Outcome,
    Prescription,
    ProgrammeState,
    Status,
)


def start_programme(
    library: Library,
    *,
    baseline_pain: int,
    activity: ActivityLevel,
    equipment: frozenset[Equipment],
    today: date,
) -> Outcome:
    """Phase 1, each ladder at the easiest rung the member's equipment allows.

    The dose within that rung follows the baseline: red pain starts at reps_min with one set fewer;
    amber pain, or little activity, at reps_min; regular exercise with green pain mid-range.
    """
    check_pain(baseline_pain)
    activity = ActivityLevel(activity)
    equipment = _equipment(equipment)
    zone = pain_zone(baseline_pain, library.rules)
    first = min(library.programme.phases, key=lambda phase: phase.number)

    def starting_dose(ladder_id: str, rung: Variation) -> Prescription:
        reps_min, reps_max = rung.dose.reps_min, rung.dose.reps_max
        if zone is Zone.RED:
            return prescribe(ladder_id, rung, sets=max(1, rung.dose.sets - 1))
        mid_range = zone is Zone.GREEN and activity is ActivityLevel.ACTIVE
        if mid_range and reps_min is not None and reps_max is not None:
            return prescribe(ladder_id, rung, reps=(reps_min + reps_max) // 2)
        return prescribe(ladder_id, rung)

    prescriptions, left_out = _enter_ladders(first.ladders, library, equipment, starting_dose)
    state = ProgrammeState(
        status=Status.ACTIVE,
        phase=first.number,
        baseline_pain=baseline_pain,
        equipment=equipment,
        prescriptions=prescriptions,
        history={},
        session_pains=(),
        sessions_in_phase=0,
        ladders_progressed_in_phase=frozenset(),
        last_session_date=None,
        last_checkin_date=None,
        worse_checkins_in_a_row=0,
        worse_checkin_since_last_session=False,
        eased_after_session_on=None,
        # The first step up of each exercise comes about a week in, like every later one.
        pacing={ladder_id: LadderPacing(last_step_on=today) for ladder_id in prescriptions},
    )
    start = Decision(DecisionKind.START, reasons.start(baseline_pain, activity, zone))
    return Outcome(state, (start, *left_out))


def advance_phase_if_ready(
    state: ProgrammeState, library: Library
) -> tuple[ProgrammeState, tuple[Decision, ...]]:
    """Move up when the current phase's `advance` criteria all hold and a next phase exists.

    Ladders the next phase keeps keep their prescription; new ones start at their easiest rung
    the member's equipment allows, at reps_min.
    """
    phase = library.phase(state.phase)
    criteria = phase.advance
    upcoming = _phase_after(phase, library)
    if criteria is None or upcoming is None:
        return state, ()
    recent = state.session_pains[-criteria.recent_sessions :]
    # An exercise skipped the last time it came up may be the one that hurts: not yet.
    skipping = any(
        state.pacing.get(ladder_id, LadderPacing()).skips_in_a_row for ladder_id in phase.ladders
    )
    ready = (
        state.sessions_in_phase >= criteria.min_sessions
        and len(recent) == criteria.recent_sessions
        and max(recent) <= criteria.max_recent_pain
        and len(state.ladders_progressed_in_phase) >= criteria.min_ladders_progressed
        and not skipping
    )
    if not ready:
        return state, ()
    kept = {lid: p for lid, p in state.prescriptions.items() if lid in upcoming.ladders}
    new_ladders = [lid for lid in upcoming.ladders if lid not in kept]
    entered, left_out = _enter_ladders(new_ladders, library, state.equipment, prescribe)
    joined = kept | entered
    prescriptions = {lid: joined[lid] for lid in upcoming.ladders if lid in joined}
    pacing = {lid: state.pacing.get(lid, LadderPacing()) for lid in kept} | {
        lid: LadderPacing(last_step_on=state.last_session_date) for lid in entered
    }
    new_state = replace(
        state,
        phase=upcoming.number,
        prescriptions=prescriptions,
        history={lid: rec for lid, rec in state.history.items() if lid in prescriptions},
        pacing=pacing,
        sessions_in_phase=0,
        ladders_progressed_in_phase=frozenset(),
    )
    reason = reasons.phase_up(
        phase, state.sessions_in_phase, criteria.max_recent_pain, criteria.recent_sessions, upcoming
    )
    return new_state, (Decision(DecisionKind.PHASE_UP, reason), *left_out)


def apply_missed_days(state: ProgrammeState, library: Library, *, today: date) -> Outcome:
    """Before planning: after a break, the next session starts easier, by as much as the break
    is long; calling again changes nothing until the break reaches its next length.

    missed_days_for_easier_start or more: one step easier; missed_days_for_two_steps or more: two
    steps; missed_days_for_phase_back or more: the previous phase (or this one, from phase 1) at
    its first steps. Days missed are the days strictly between the last session and today. Nothing
    eases before the first session: the starting dose already fits the member.
    """
    last = state.last_session_date
    if state.status is not Status.ACTIVE or last is None:
        return Outcome(state, ())
    missed = (today - last).days - 1
    level = _break_level(missed, library)
    done = state.break_eased_level if state.eased_after_session_on == last else 0
    if level <= done:
        return Outcome(state, ())
    if level == PHASE_BACK_LEVEL:
        restarted, phase, left_out = _restart_a_phase_back(state, library, today=today)
        eased = replace(restarted, eased_after_session_on=last, break_eased_level=level)
        back = Decision(DecisionKind.PHASE_BACK, reasons.phase_back(missed, phase))
        return Outcome(eased, (back, *left_out))
    steps = level - done
    prescriptions, changes = _every_ladder_easier(state, library, steps)
    decisions = tuple(
        Decision(
            DecisionKind.EASIER_AFTER_BREAK,
            reasons.easier_after_break(
                missed,
                library.variation(old.variation_id),
                new,
                library.variation(new.variation_id),
                steps,
            ),
            ladder_id=old.ladder_id,
            from_variation=old.variation_id,
            to_variation=new.variation_id,
        )
        for old, new in changes
    )
    new_state = replace(
        state, prescriptions=prescriptions, eased_after_session_on=last, break_eased_level=level
    )
    return Outcome(new_state, decisions)


PHASE_BACK_LEVEL = 3


def _break_level(missed: int, library: Library) -> int:
    """0 for no easing, 1 or 2 steps, or PHASE_BACK_LEVEL, by the days missed."""
    rules = library.rules
    if missed >= rules.missed_days_for_phase_back:
        return PHASE_BACK_LEVEL
    if missed >= rules.missed_days_for_two_steps:
        return 2
    return 1 if missed >= rules.missed_days_for_easier_start else 0


def _restart_a_phase_back(
    state: ProgrammeState, library: Library, *, today: date
) -> tuple[ProgrammeState, Phase, list[Decision]]:
    """The phase before this one (phase 1 stays phase 1), every exercise at its easiest rung the
    member's kit allows, at reps_min; the first step up comes a week later. Returns the phase
    and an EQUIPMENT decision for each exercise the kit leaves out."""
    phase = library.phase(state.phase)
    earlier = [other for other in library.programme.phases if other.number < phase.number]
    target = max(earlier, key=lambda other: other.number, default=phase)
    prescriptions, left_out = _enter_ladders(target.ladders, library, state.equipment, prescribe)
    new_state = replace(
        state,
        phase=target.number,
        prescriptions=prescriptions,
        history={},
        pacing={lid: LadderPacing(last_step_on=today) for lid in prescriptions},
        sessions_in_phase=0,
        ladders_progressed_in_phase=frozenset(),
    )
    return new_state, target, left_out


def ease_for_days(
    state: ProgrammeState, library: Library, *, today: date, days: int = 3
) -> Outcome:
    """/flare: every exercise one step easier now, and nothing steps up for `days` days.

    Only while active. Asking again during a flare-up only extends it: the doses are not eased
    a second time.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if state.status is not Status.ACTIVE:
        return Outcome(state, ())
    until = today + timedelta(days=days - 1)
    if state.flare_until is not None and today <= state.flare_until:
        return Outcome(replace(state, flare_until=max(until, state.flare_until)), ())
    prescriptions, changes = _every_ladder_easier(state, library, 1)
    decisions = tuple(
        Decision(
            DecisionKind.FLARE_EASE,
            reasons.flare_ease(
                library.variation(old.variation_id), new, library.variation(new.variation_id), until
            ),
            ladder_id=old.ladder_id,
            from_variation=old.variation_id,
            to_variation=new.variation_id,
        )
        for old, new in changes
    )
    new_state = replace(state, prescriptions=prescriptions, flare_until=until)
    return Outcome(new_state, decisions)


def record_red_flag(state: ProgrammeState, *, today: date, urgency: Urgency) -> Outcome:
    """A confirmed red flag. Emergency or see-a-doctor stops the programme whatever its status:
    it needs a clinician first. Tell-your-clinician keeps the status as it is, with a RED_FLAG
    decision the coach sees, so the member carries on with care."""
    decision = Decision(DecisionKind.RED_FLAG, reasons.red_flag(urgency))
    if not urgency.stops_programme:
        return Outcome(state, (decision,))
    return Outcome(replace(state, status=Status.STOPPED_RED_FLAG), (decision,))


def pause_by_member(state: ProgrammeState, *, today: date) -> Outcome:
    """The member's own pause, from ACTIVE only; any other status is left as it is."""
    if state.status is not Status.ACTIVE:
        return Outcome(state, ())
    new_state = replace(state, status=Status.PAUSED_BY_MEMBER)
    return Outcome(new_state, (Decision(DecisionKind.MEMBER_PAUSE, reasons.member_pause()),))


def resume(
    state: ProgrammeState,
    library: Library,
    *,
    today: date,
    pain_now: int | None = None,
    seen_professional: bool = False,
    symptoms_settled: bool = False,
) -> Outcome:
    """Back to ACTIVE when it is safe; otherwise RESUME_DECLINED saying what has to change.

    After the member's own pause, straight back (the missed-days rule applies at the next plan).
    After a pain pause: pain_now <= resume_max_pain and a professional seen or symptoms settled;
    after a red flag: pain_now <= resume_max_pain and cleared by a clinician (a "no" keeps the
    pause). Both restart in the previous phase at its first steps, as after a long break, with the
    pain history that caused the pause set aside and pain_now as the new starting rating.
    """
    rules = library.rules
    if pain_now is not None:
        check_pain(pain_now)
    if state.status is Status.PAUSED_BY_MEMBER:
        resumed = Decision(DecisionKind.RESUME, reasons.resume_after_member_pause(rules))
        return Outcome(replace(state, status=Status.ACTIVE), (resumed,))
    if state.status not in (Status.PAUSED_PAIN, Status.STOPPED_RED_FLAG):
        return Outcome(state, ())

    needs: list[str] = []
    if pain_now is None:
        needs.append(reasons.need_pain_answer())
    elif pain_now > rules.resume_max_pain:
        needs.append(reasons.need_lower_pain(pain_now, rules))
    if state.status is Status.STOPPED_RED_FLAG:
        if not seen_professional:
            needs.append(reasons.need_clinician_clearance())
    elif not (seen_professional or symptoms_settled):
        needs.append(reasons.need_professional_or_settled())
    if pain_now is None or needs:
        return Outcome(
            state, (Decision(DecisionKind.RESUME_DECLINED, reasons.resume_declined(needs)),)
        )

    restarted, phase, left_out = _restart_a_phase_back(state, library, today=today)
    if state.status is Status.STOPPED_RED_FLAG:
        welcome = reasons.resume_after_red_flag(pain_now, phase)
    else:
        welcome = reasons.resume_after_pain(pain_now, phase)
    new_state = replace(
        restarted,
        status=Status.ACTIVE,
        baseline_pain=pain_now,
        session_pains=(),
        pain_log=(),
        worse_checkins_in_a_row=0,
        worse_checkin_since_last_session=False,
        settled_checkin_since_last_session=False,
        eased_after_session_on=state.last_session_date,
        break_eased_level=PHASE_BACK_LEVEL,
    )
    return Outcome(new_state, (Decision(DecisionKind.RESUME, welcome), *left_out))


def change_equipment(
    state: ProgrammeState, library: Library, *, equipment: frozenset[Equipment], today: date
) -> Outcome:
    """Without a rung's equipment, drop to the highest rung below that fits (at its top dose),
    or leave the exercise out when none does; new equipment never jumps a rung, but lets an
    exercise that was left out join at its easiest rung.
    """
    equipment = _equipment(equipment)
    prescriptions = dict(state.prescriptions)
    decisions: list[Decision] = []
    for ladder_id in library.phase(state.phase).ladders:
        ladder = library.ladder(ladder_id)
        current = prescriptions.get(ladder_id)
        if current is None:
            rung = easiest_rung(ladder, equipment)
            if rung is not None:
                added = prescribe(ladder_id, rung)
                prescriptions[ladder_id] = added
                decisions.append(
                    _equipment_decision(reasons.equipment_added(rung, added), None, added)
                )
            continue
        variation = library.variation(current.variation_id)
        if fits(variation, equipment):
            continue
        missing = set(variation.equipment) - equipment
        lower = rung_below(ladder, variation, equipment)
        if lower is None:
            del prescriptions[ladder_id]
            decisions.append(_left_out(ladder, equipment))
            continue
        switched = top_of_rung(ladder_id, lower)
        prescriptions[ladder_id] = switched
        reason = reasons.equipment_switch(variation, missing, switched, lower)
        decisions.append(_equipment_decision(reason, current, switched))
    new_state = replace(state, equipment=equipment, prescriptions=prescriptions)
    return Outcome(new_state, tuple(decisions))


def _equipment(equipment: Iterable[Equipment | str]) -> frozenset[Equipment]:
    return frozenset(Equipment(item) for item in equipment)


def _phase_after(phase: Phase, library: Library) -> Phase | None:
    later = [other for other in library.programme.phases if other.number > phase.number]
    return min(later, key=lambda other: other.number, default=None)


def _enter_ladders(
    ladder_ids: Iterable[str],
    library: Library,
    equipment: Collection[Equipment],
    dose: Callable[[str, Variation], Prescription],
) -> tuple[dict[str, Prescription], list[Decision]]:
    """Prescriptions for ladders joining the programme, and an EQUIPMENT decision for each that
    the member's equipment leaves out."""
    prescriptions: dict[str, Prescription] = {}
    left_out: list[Decision] = []
    for ladder_id in ladder_ids:
        ladder = library.ladder(ladder_id)
        rung = easiest_rung(ladder, equipment)
        if rung is None:
            left_out.append(_left_out(ladder, equipment))
        else:
            prescriptions[ladder_id] = dose(ladder_id, rung)
    return prescriptions, left_out


def _left_out(ladder: Ladder, equipment: Collection[Equipment]) -> Decision:
    missing = {item for item in ladder.ordered()[0].equipment if item not in equipment}
    return Decision(
        DecisionKind.EQUIPMENT,
        reasons.equipment_left_out(ladder.name, missing),
        ladder_id=ladder.id,
    )


def _equipment_decision(reason: str, old: Prescription | None, new: Prescription) -> Decision:
    return Decision(
        DecisionKind.EQUIPMENT,
        reason,
        ladder_id=new.ladder_id,
        from_variation=None if old is None else old.variation_id,
        to_variation=new.variation_id,
    )


def _every_ladder_easier(
    state: ProgrammeState, library: Library, steps: int
) -> tuple[dict[str, Prescription], list[tuple[Prescription, Prescription]]]:
    """Every prescription `steps` steps easier (as far as it goes), in the phase's order, with
    the (old, new) pairs that changed."""
    prescriptions = dict(state.prescriptions)
    changes: list[tuple[Prescription, Prescription]] = []
    for ladder_id in library.phase(state.phase).ladders:
        old = prescriptions.get(ladder_id)
        if old is None:
            continue
        new = old
        for _ in range(steps):
            new = one_step_easier(new, library, state.equipment) or new
        if new != old:
            prescriptions[ladder_id] = new
            changes.append((old, new))
    return prescriptions, changes

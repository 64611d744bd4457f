"""Properties over random members: whatever happens, the safety rules and invariants hold.

A member's life is a random list of events (sessions with any pains, reps and skips, check-ins,
pauses, resumes, red flags, kit changes, gaps of days), played through the core the way the
handlers would, on the sample library under a few rule settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coaching import (
    ActivityLevel,
    Checkin,
    DecisionKind,
    ExerciseResult,
    Outcome,
    Prescription,
    ProgrammeState,
    Status,
    Zone,
    apply_missed_days,
    change_equipment,
    ease_for_days,
    estimate_minutes,
    finish_session,
    is_session_stopping_pain,
    pain_zone,
    pause_by_member,
    plan_session,
    record_checkin,
    record_red_flag,
    resume,
    start_programme,
)
from bot.coaching.content import Equipment, Library
from bot.coaching.loader import default_content_dir, load_library
from bot.coaching.planning import exercise_seconds
from bot.coaching.screening import Urgency
from bot.coaching.state import SkipReason
from tests.unit.coaching.conftest import DAY_ONE, SAMPLE_LIBRARY, Member, assert_valid, with_rules

LIBRARIES = [
    SAMPLE_LIBRARY,
    with_rules(SAMPLE_LIBRARY, progress_after_green_sessions=1, reps_step=3),
    with_rules(
        SAMPLE_LIBRARY,
        pain_zones={"green_max": 3, "amber_max": 6},
        stop_session_pain=9,
        pause_red_sessions_in_a_row=3,
        pause_red_sessions_window=6,
        pause_red_sessions_in_window=4,
        regress_rise_over_baseline=3,
        missed_days_for_easier_start=1,
    ),
    # Policy v2's pacing at its content values: a week between steps, a lighter week often.
    with_rules(SAMPLE_LIBRARY, min_days_between_steps=7, deload_every_steps=3),
]

pains = st.integers(0, 10)
# Half the answers low, so members also get far enough to progress and move up a phase.
session_pains = st.one_of(st.integers(0, 2), pains)
equipment_sets = st.frozensets(st.sampled_from(list(Equipment)))
# (pain, how the reps went, skipped and why) for each exercise in the plan, in order.
exercise_reports = st.tuples(
    session_pains,
    st.sampled_from(["all", "all", "all", "short", "more", "few"]),
    st.sampled_from([None] * 6 + list(SkipReason) + [False]),
)

EVENTS = {
    "session": st.tuples(
        st.just("session"),
        st.sampled_from([1, 1, 1, 0, 2, 3, 4, 8]),  # days since the last event
        st.lists(exercise_reports, min_size=1, max_size=6),
        st.sampled_from([False] * 9 + [True]),  # the member pressed "stop, it hurts" at the end
    ),
    "checkin": st.tuples(st.just("checkin"), st.integers(0, 2), st.sampled_from(list(Checkin))),
    "resume": st.tuples(
        st.just("resume"), st.integers(0, 6), st.none() | pains, st.booleans(), st.booleans()
    ),
    "member_pause": st.tuples(st.just("member_pause"), st.integers(0, 3)),
    "equipment": st.tuples(st.just("equipment"), st.integers(0, 2), equipment_sets),
    "red_flag": st.tuples(st.just("red_flag"), st.integers(0, 2)),
    "flare": st.tuples(st.just("flare"), st.integers(0, 2), st.integers(1, 5)),
}
# Sessions and check-ins are most of a member's life; a red flag is rare.
EVENT_MIX = ["session"] * 12 + ["checkin"] * 4 + ["resume"] * 3 + list(EVENTS)
lives = st.lists(st.sampled_from(EVENT_MIX).flatmap(EVENTS.__getitem__), max_size=60)

members = st.fixed_dictionaries(
    {
        "library": st.sampled_from(LIBRARIES),
        "baseline_pain": pains,
        "activity": st.sampled_from(list(ActivityLevel)),
        "equipment": equipment_sets,
        "events": lives,
    }
)


@dataclass(frozen=True)
class Step:
    """One call into the core: what went in and what came out."""

    event: str
    today: date
    before: ProgrammeState
    outcome: Outcome
    answer: Checkin | None = None
    plan: tuple[Prescription, ...] = ()
    results: tuple[ExerciseResult, ...] = ()
    stopped_for_pain: bool = False


def report(
    prescription: Prescription, pain: int, reps: str, skip: SkipReason | bool | None
) -> ExerciseResult:
    """skip: None done, False skipped with no reason given, or the reason."""
    ids = (prescription.ladder_id, prescription.variation_id)
    if skip is not None:
        reason = None if skip is False else SkipReason(skip)
        return ExerciseResult(*ids, None, None, None, skipped=True, skip_reason=reason)
    if prescription.reps is None:
        return ExerciseResult(*ids, None, reps not in ("short", "few"), pain)
    done = {"all": 0, "short": -3, "more": 2, "few": -prescription.reps // 2}[reps]
    return ExerciseResult(*ids, max(done + prescription.reps, 0), None, pain)


def counted_pain(result: ExerciseResult, library: Library) -> int | None:
    """The pain the rules count: a skip because it hurts is red."""
    if result.skip_reason is SkipReason.HURTS:
        return library.rules.pain_zones.amber_max + 1
    return result.pain


def live(member: dict[str, Any]) -> list[Step]:
    """Play a member's events through the core, as the handlers would."""
    library: Library = member["library"]
    today = DAY_ONE
    start = start_programme(
        library,
        baseline_pain=member["baseline_pain"],
        activity=member["activity"],
        equipment=member["equipment"],
        today=today,
    )
    steps = [Step("start", today, start.state, start)]
    state = start.state
    for event in member["events"]:
        kind, gap, *details = event
        today += timedelta(days=gap)
        if kind == "session":
            eased = apply_missed_days(state, library, today=today)
            steps.append(Step("missed_days", today, state, eased))
            plan = plan_session(eased.state, library, today)
            if not plan:
                state = eased.state
                continue
            reports, pressed_stop = details
            results: list[ExerciseResult] = []
            stopped = pressed_stop
            for prescription, (pain, reps, skip) in zip(plan, reports * 6, strict=False):
                results.append(report(prescription, pain, reps, skip))
                if skip is None and is_session_stopping_pain(pain, library.rules):
                    stopped = True  # the handlers end the session here
                    break
            outcome = finish_session(
                eased.state, library, today=today, results=results, stopped_for_pain=stopped
            )
            steps.append(
                Step("session", today, eased.state, outcome, None, plan, tuple(results), stopped)
            )
        elif kind == "checkin":
            outcome = record_checkin(state, library, today=today, answer=details[0])
            steps.append(Step(kind, today, state, outcome, answer=details[0]))
        elif kind == "member_pause":
            steps.append(Step(kind, today, state, pause_by_member(state, today=today)))
        elif kind == "resume":
            pain_now, seen, settled = details
            outcome = resume(
                state,
                library,
                today=today,
                pain_now=pain_now,
                seen_professional=seen,
                symptoms_settled=settled,
            )
            steps.append(Step(kind, today, state, outcome))
        elif kind == "red_flag":
            steps.append(
                Step(
                    kind,
                    today,
                    state,
                    record_red_flag(state, today=today, urgency=Urgency.EMERGENCY),
                )
            )
        elif kind == "flare":
            outcome = ease_for_days(state, library, today=today, days=details[0])
            steps.append(Step(kind, today, state, outcome))
        else:
            outcome = change_equipment(state, library, equipment=details[0], today=today)
            steps.append(Step(kind, today, state, outcome))
        state = steps[-1].outcome.state
    return steps


properties = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@properties
@given(members)
def test_no_progression_in_a_session_with_red_pain(member: dict[str, Any]) -> None:
    library = member["library"]
    for step in live(member):
        if step.event != "session":
            continue
        pains = [p for r in step.results if (p := counted_pain(r, library)) is not None]
        if any(pain_zone(pain, library.rules) is Zone.RED for pain in pains):
            kinds = {d.kind for d in step.outcome.decisions}
            assert DecisionKind.PROGRESS not in kinds
            assert DecisionKind.PHASE_UP not in kinds


@properties
@given(members)
def test_a_pause_whenever_the_pause_rule_holds_and_only_then(member: dict[str, Any]) -> None:
    rules = member["library"].rules
    # Counted since the start, or since the last restart after a pain pause or red flag.
    red_sessions: list[bool] = []
    worse_in_a_row = 0
    for step in live(member):
        restarted = step.event == "resume" and step.outcome.state.status is Status.ACTIVE
        if restarted and step.before.status in (Status.PAUSED_PAIN, Status.STOPPED_RED_FLAG):
            red_sessions, worse_in_a_row = [], 0
        if step.event == "checkin":
            counted = (
                step.before.status is Status.ACTIVE and step.before.last_checkin_date != step.today
            )
            if not counted:
                assert step.outcome == Outcome(step.before, ())
                continue
            worse_in_a_row = worse_in_a_row + 1 if step.answer is Checkin.WORSE else 0
            should_pause = worse_in_a_row >= rules.pause_worse_checkins_in_a_row
            assert (step.outcome.state.status is Status.PAUSED_PAIN) is should_pause
        if step.event != "session":
            continue
        pains = [p for r in step.results if (p := counted_pain(r, member["library"])) is not None]
        if pains:
            red_sessions.append(pain_zone(max(pains), rules) is Zone.RED)
        window = red_sessions[-rules.pause_red_sessions_window :]
        in_a_row = red_sessions[-rules.pause_red_sessions_in_a_row :]
        rule_holds = (
            step.stopped_for_pain
            or (len(in_a_row) == rules.pause_red_sessions_in_a_row and all(in_a_row))
            or sum(window) >= rules.pause_red_sessions_in_window
        )
        assert (step.outcome.state.status is Status.PAUSED_PAIN) is rule_holds
        assert step.outcome.paused is rule_holds
        kinds = [d.kind for d in step.outcome.decisions]
        assert (DecisionKind.PAUSE in kinds) is rule_holds
        assert (DecisionKind.STOP_SESSION in kinds) is step.stopped_for_pain


@properties
@given(members)
def test_the_same_inputs_give_the_same_outputs(member: dict[str, Any]) -> None:
    first, second = live(member), live(member)
    assert first == second
    for step in first:
        stored = ProgrammeState.from_json(step.outcome.state.to_json())
        assert stored == step.outcome.state
        if step.event == "session":
            library = member["library"]
            before = ProgrammeState.from_json(step.before.to_json())
            assert plan_session(before, library, step.today) == step.plan
            again = finish_session(
                before,
                library,
                today=step.today,
                results=step.results,
                stopped_for_pain=step.stopped_for_pain,
            )
            assert again == step.outcome


@properties
@given(members)
def test_prescriptions_are_always_real_rungs_with_doses_in_bounds(member: dict[str, Any]) -> None:
    library = member["library"]
    for step in live(member):
        assert_valid(step.outcome.state, library)
        for decision in step.outcome.decisions:
            assert decision.reason
            if decision.ladder_id is not None:
                assert decision.ladder_id in {ladder.id for ladder in library.ladders}


@properties
@given(members)
def test_plans_fit_the_session_minutes_when_the_phase_allows(member: dict[str, Any]) -> None:
    library = member["library"]
    programme = library.programme
    for step in live(member):
        if step.event != "session":
            continue
        phase = library.phase(step.before.phase)
        available = [
            step.before.prescriptions[lid]
            for lid in phase.ladders
            if lid in step.before.prescriptions
        ]
        seconds = [exercise_seconds(p, library) for p in available]
        assert step.plan, "an active member with exercises always gets a session"
        if max(seconds) <= programme.session_minutes_max * 60:
            assert estimate_minutes(step.plan, library) <= programme.session_minutes_max
        longest_allowed = (programme.session_minutes_max - programme.session_minutes_min) * 60
        if sum(seconds) >= programme.session_minutes_min * 60 and max(seconds) <= longest_allowed:
            assert estimate_minutes(step.plan, library) >= programme.session_minutes_min
        if sum(seconds) <= programme.session_minutes_max * 60:
            assert sorted(step.plan, key=str) == sorted(available, key=str)


@properties
@given(
    library=st.sampled_from(LIBRARIES),
    red_or_green=st.lists(st.booleans(), min_size=1, max_size=12),
)
def test_red_session_patterns_pause_exactly_by_the_rule(
    library: Library, red_or_green: list[bool]
) -> None:
    """Sessions only, each either all green or with one red exercise below the stop level."""
    rules = library.rules
    red_pain, green_pain = rules.pain_zones.amber_max + 1, rules.pain_zones.green_max
    member = Member(library, baseline_pain=green_pain)
    for count, red in enumerate(red_or_green, start=1):
        member.session(
            lambda p, red=red: red_pain if red and p.ladder_id == "bridge" else green_pain
        )
        so_far = red_or_green[:count]
        in_a_row = so_far[-rules.pause_red_sessions_in_a_row :]
        should_pause = (
            len(in_a_row) == rules.pause_red_sessions_in_a_row and all(in_a_row)
        ) or sum(so_far[-rules.pause_red_sessions_window :]) >= rules.pause_red_sessions_in_window
        assert (member.state.status is Status.PAUSED_PAIN) is should_pause
        if should_pause:
            break


@properties
@given(members)
def test_no_progression_after_a_worse_morning_or_during_a_flare(member: dict[str, Any]) -> None:
    for step in live(member):
        flare = step.before.flare_until is not None and step.today <= step.before.flare_until
        if step.event == "session" and (step.before.worse_checkin_since_last_session or flare):
            kinds = {d.kind for d in step.outcome.decisions}
            assert DecisionKind.PROGRESS not in kinds
            assert DecisionKind.PHASE_UP not in kinds


REAL_LIBRARY = load_library(default_content_dir())
real_members = members.map(lambda member: member | {"library": REAL_LIBRARY})


@properties
@given(real_members)
def test_real_sessions_stay_within_the_phase_minutes(member: dict[str, Any]) -> None:
    """On the real content: never over the phase's maximum; never under its minimum while every
    exercise is at its own number of sets (only pain takes sets off)."""
    programme = REAL_LIBRARY.programme
    for step in live(member):
        if step.event != "session":
            continue
        minutes = estimate_minutes(step.plan, REAL_LIBRARY)
        assert minutes <= programme.session_minutes_max
        full_sets = all(
            p.sets == REAL_LIBRARY.variation(p.variation_id).dose.sets
            for p in step.before.prescriptions.values()
        )
        if full_sets:
            assert minutes >= programme.session_minutes_min, step.plan

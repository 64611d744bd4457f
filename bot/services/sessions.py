"""The daily session: plan it, walk through its exercises one question at a time, finish it.

Every answer is written as it is given (one `ExerciseResultRow` per exercise) and
`TrainingSession.position`/`step` name the open question, so a restart mid-session resumes at
the same question. The coaching core decides; this module only records and reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import (
    DecisionKind,
    ExerciseResult,
    Prescription,
    ProgrammeState,
    SkipReason,
    Status,
    Zone,
    apply_missed_days,
    estimate_minutes,
    finish_session,
    is_session_stopping_pain,
    pain_zone,
    plan_session,
)
from bot.coaching.content_changes import points_to_nothing, reconcile
from bot.coaching.dosing import one_step_easier
from bot.coaching.screening import Urgency
from bot.db.models import DecisionRow, ExerciseResultRow, Member, TrainingSession
from bot.services.alerts import AlertKind, record_alert
from bot.services.buttons import SessionPress, number
from bot.services.conversation_machine import Draft, set_draft
from bot.services.education import record_tip, tip_on
from bot.services.members import (
    Flow,
    Reply,
    TypedAnswer,
    find_member,
    group_title,
    is_active,
    programme_state,
    record_decisions,
    store_state,
    today_for,
)
from bot.services.questions import (
    AskPain,
    Awaiting,
    ButtonExpired,
    MovedOn,
    NotUnderstood,
    SessionStatus,
    SessionStep,
    before_command,
    close_open_question,
    current_question,
    exercise_card,
    planned,
    rescreen,
    session_question,
    start_symptom_check,
    training_on,
)
from bot.services.reminders.schedule import reschedule

# Decisions that change what the member does next time (or advise them); the rest keep it the same.
CHANGES = frozenset(
    {
        DecisionKind.PROGRESS,
        DecisionKind.REGRESS,
        DecisionKind.PHASE_UP,
        DecisionKind.LIGHTER_WEEK,
        DecisionKind.KEEPS_SKIPPING,
        DecisionKind.NOT_IMPROVING,
    }
)
# Decisions the coach group is told about, besides a pause.
ALERTS = {
    DecisionKind.NOT_IMPROVING: AlertKind.NOT_IMPROVING,
    DecisionKind.KEEPS_SKIPPING: AlertKind.KEEPS_SKIPPING,
}
PAUSES = frozenset({DecisionKind.STOP_SESSION, DecisionKind.PAUSE})
EXERCISE_STEPS = frozenset({SessionStep.REPS, SessionStep.HOLD, SessionStep.PAIN})


class StopReason(StrEnum):
    """Asked at "Stop for today"; the answer decides what the stop means."""

    PAIN = "pain"  # the pain keypad, then a stop for pain in the rules
    SYMPTOM = "symptom"  # the symptom questions; the session stays open on a no
    TIRED = "tired"  # a normal partial session: the unfinished exercise is not a skip
    NO_TIME = "no_time"
    OTHER = "other"


class RedPainChoice(StrEnum):
    """Offered when pain is red but below the stop level."""

    STOP = "stop"
    EASIER = "easier"
    SKIP_REST = "skip_rest"


@dataclass(frozen=True)
class SessionOpening:
    exercises: int
    minutes: int
    eased: tuple[str, ...]  # reasons, when a break made today's session easier


@dataclass(frozen=True)
class SessionResumed:
    number: int  # 1-based, the exercise the member is on
    total: int


@dataclass(frozen=True)
class NotActive:
    """No session while paused or stopped: the status says why and what to do."""

    status: str
    advice: str | None = None  # a red flag's advice, the same words as when it was reported


@dataclass(frozen=True)
class NothingPlanned:
    """Every exercise of the phase was left out (e.g. for lack of kit)."""


@dataclass(frozen=True)
class Summary:
    """The end of a session: what was done, and what changes next time and why."""

    status: str  # SessionStatus
    done: int
    skipped: int
    total: int
    max_pain: int | None
    changes: tuple[str, ...]
    unchanged: tuple[str, ...]  # names of exercises that stay the same
    pause_reasons: tuple[str, ...]
    coach_group: str | None  # told about a pause
    seen_before: bool  # /today after the session was already over
    stop_reason: str | None = None  # StopReason, or "skip_rest" after red pain
    tip: str | None = None  # after a completed session: one short tip (`services.education`)


# ---- opening today's session ------------------------------------------------------------------


async def open_today(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """Start today's session, or resume it at its open question, or show how it went."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    waiting = await before_command(session, flow, member, now)
    if waiting is not None:
        return waiting
    notes = close_open_question(member, flow, now)
    if not is_active(member):
        return [*notes, NotActive(member.status, _advice(flow, member))]
    return [*notes, *await _today(session, flow, member, now)]


def _advice(flow: Flow, member: Member) -> str | None:
    """While stopped for a red flag: the advice of its level, worded as when it was given."""
    if member.status != Status.STOPPED_RED_FLAG or member.red_flag_urgency is None:
        return None
    return flow.screen.level(Urgency(member.red_flag_urgency)).advice


def _rescreen_due(flow: Flow, member: Member, now: datetime) -> bool:
    """The short screen is due again once `rescreen_every_days` have passed since the last."""
    last = member.screened_at or member.onboarded_at
    return last is not None and now - last >= timedelta(days=flow.screen.rescreen_every_days)


async def today_for_member(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> list[Reply]:
    """Today's session for a member already loaded: start it, resume it, or its summary."""
    return await _today(session, flow, member, now)


async def _today(session: AsyncSession, flow: Flow, member: Member, now: datetime) -> list[Reply]:
    today = today_for(member, now, flow.default_zone)
    await close_earlier_sessions(session, flow, member, today, now)
    training = await training_on(session, member, now, flow.default_zone)
    if training is None and _rescreen_due(flow, member, now):
        member.awaiting = Awaiting.WEEKLY_SCREEN.value
        return [rescreen(flow.screen, weekly=True)]
    if training is None:
        return await _plan_today(session, flow, member, today)
    if training.status != SessionStatus.IN_PROGRESS:
        return [await _summary(session, flow, member, training, seen_before=True)]
    resumed = SessionResumed(training.position + 1, len(training.plan))
    return [resumed, *_exercise_prompt(training, flow)]


async def _plan_today(
    session: AsyncSession, flow: Flow, member: Member, today: date
) -> list[Reply]:
    state = programme_state(member)
    assert state is not None
    state = await _follow_content(session, flow, member, state, today)
    outcome = apply_missed_days(state, flow.library, today=today)
    store_state(member, outcome.state)
    plan = plan_session(outcome.state, flow.library, today)
    if not plan:
        await record_decisions(session, member, outcome.decisions, today)
        return [NothingPlanned()]
    training = TrainingSession(
        member_id=member.id,
        local_date=today,
        status=SessionStatus.IN_PROGRESS.value,
        plan=[prescription.to_json() for prescription in plan],
        position=0,
        step=_first_step(plan[0]),
    )
    session.add(training)
    await session.flush()
    await record_decisions(session, member, outcome.decisions, today, training.id)
    eased = tuple(decision.reason for decision in outcome.decisions)
    return [
        SessionOpening(len(plan), estimate_minutes(plan, flow.library), eased),
        *_exercise_prompt(training, flow),
    ]


async def _follow_content(
    session: AsyncSession, flow: Flow, member: Member, state: ProgrammeState, day: date
) -> ProgrammeState:
    """A programme naming a variation content lost is moved to the nearest rung first, as the
    start-up job would (`content_changes.reconcile`), so the rules never meet a missing id."""
    if not points_to_nothing(state, flow.library):
        return state
    outcome = reconcile(state, flow.library)
    store_state(member, outcome.state)
    await record_decisions(session, member, outcome.decisions, day)
    return outcome.state


def _first_step(prescription: Prescription) -> str:
    return (SessionStep.HOLD if prescription.hold_seconds is not None else SessionStep.REPS).value


def _exercise_prompt(training: TrainingSession, flow: Flow) -> list[Reply]:
    """The exercise card, unless only its pain question is left, then the open question."""
    question = session_question(training, flow.library)
    card = exercise_card(training, flow.library)
    if isinstance(question, AskPain) or card is None:
        return [question]
    return [card, question]


async def close_earlier_sessions(
    session: AsyncSession, flow: Flow, member: Member, today: date, now: datetime
) -> None:
    """A session left open on an earlier day ends with what was done that day.

    Also called by the day-close job (`services/day_close.py`) when the member's day ends.
    """
    statement = select(TrainingSession).where(
        TrainingSession.member_id == member.id,
        TrainingSession.status == SessionStatus.IN_PROGRESS.value,
        TrainingSession.local_date < today,
    )
    for training in (await session.execute(statement)).scalars().all():
        await _finish(session, flow, member, training, now, SessionStatus.STOPPED)


# ---- answers ----------------------------------------------------------------------------------


async def press(
    session: AsyncSession, flow: Flow, user_id: int, pressed: SessionPress, now: datetime
) -> list[Reply]:
    """A session button; stale unless its (session, position, step) is the open question."""
    member = await find_member(session, user_id)
    training = (
        None if member is None else await training_on(session, member, now, flow.default_zone)
    )
    if (
        member is None
        or training is None
        or not is_active(member)
        or (training.id, training.position, training.step)
        != (pressed.session_id, pressed.position, pressed.step)
        or training.status != SessionStatus.IN_PROGRESS
    ):
        return [MovedOn(), *await current_question(session, flow, member, now)]
    answer = _button_answer(training.step, pressed.value, flow.library.rules.max_reps)
    if answer is None:
        return [ButtonExpired(), *await current_question(session, flow, member, now)]
    return await _answer(session, flow, member, training, answer, now)


_CHOICES: dict[str, frozenset[str]] = {
    SessionStep.STOP_WHY: frozenset(StopReason),
    SessionStep.SKIP_WHY: frozenset(SkipReason),
    SessionStep.RED_PAIN: frozenset(RedPainChoice),
}


def _button_answer(step: str, value: str, max_reps: int) -> TypedAnswer | None:
    """What a button's value means on this step, range-checked; None when no button of this
    step could carry it (a forged or expired one)."""
    if step in _CHOICES:
        return TypedAnswer(choice=value) if value in _CHOICES[step] else None
    if value in ("skip", "stop"):
        return TypedAnswer(command=value)
    match step:
        case SessionStep.REPS if (reps := number(value, 0, max_reps)) is not None:
            return TypedAnswer(reps=reps)
        case SessionStep.HOLD if value in ("yes", "no"):
            return TypedAnswer(yes_no=value == "yes")
        case SessionStep.PAIN | SessionStep.STOP_PAIN if (pain := number(value, 0, 10)) is not None:
            return TypedAnswer(pain=pain)
    return None


async def answer_typed(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply] | None:
    """Apply a typed answer to today's open session; None when no session is open."""
    training = await training_on(session, member, now, flow.default_zone)
    if training is None or training.status != SessionStatus.IN_PROGRESS or not is_active(member):
        return None
    return await _answer(session, flow, member, training, answer, now)


async def _answer(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    training: TrainingSession,
    answer: TypedAnswer,
    now: datetime,
) -> list[Reply]:
    rules = flow.library.rules
    prescription = planned(training, training.position)
    question = session_question(training, flow.library)
    step = training.step
    if step in _CHOICES:
        if answer.choice not in _CHOICES[step]:
            return [NotUnderstood(question)]
        return await _choice(session, flow, member, training, answer.choice, now)
    if answer.command == "stop":
        set_draft(member, session_step=step)
        training.step = SessionStep.STOP_WHY.value
        return [session_question(training, flow.library)]
    if answer.command == "skip":
        set_draft(member, session_step=step)
        training.step = SessionStep.SKIP_WHY.value
        return [session_question(training, flow.library)]
    if step == SessionStep.REPS:
        reps = answer.reps_for(prescription.reps or 0, rules.max_reps)
        if reps is None:
            return [NotUnderstood(question)]
        (await _result_row(session, training, prescription)).reps_done = reps
    elif step == SessionStep.HOLD:
        if answer.yes_no is None:
            return [NotUnderstood(question)]
        (await _result_row(session, training, prescription)).hold_completed = answer.yes_no
    else:
        if answer.pain is None:
            return [NotUnderstood(question)]
        row = await _result_row(session, training, prescription)
        row.pain = answer.pain
        training.max_pain = max(training.max_pain or 0, answer.pain)
        if step == SessionStep.STOP_PAIN and row.reps_done is None and row.hold_completed is None:
            # Stopped for pain before answering how it went: the exercise was not completed.
            if prescription.hold_seconds is None:
                row.reps_done = 0
            else:
                row.hold_completed = False
        if step == SessionStep.STOP_PAIN or is_session_stopping_pain(answer.pain, rules):
            status = SessionStatus.STOPPED_FOR_PAIN
            return await _finish_with_summary(session, flow, member, training, now, status)
        last = training.position + 1 >= len(training.plan)
        if pain_zone(answer.pain, rules) is Zone.RED and not last:
            training.step = SessionStep.RED_PAIN.value
            return [session_question(training, flow.library)]
        return await _advance(session, flow, member, training, now)
    training.step = SessionStep.PAIN.value
    return [session_question(training, flow.library)]


async def _choice(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    training: TrainingSession,
    choice: str,
    now: datetime,
) -> list[Reply]:
    """The answer to "why stop?", "why skip?" or the offer after red pain."""
    prescription = planned(training, training.position)
    before = Draft.of(member).session_step or _first_step(prescription)
    match training.step, choice:
        case SessionStep.STOP_WHY, StopReason.PAIN:
            training.stop_reason = choice
            training.step = SessionStep.STOP_PAIN.value
            return [session_question(training, flow.library)]
        case SessionStep.STOP_WHY, StopReason.SYMPTOM:
            training.step = before  # a no to every question comes back to this exercise
            items = [item.id for item in flow.screen.short_form()]
            return start_symptom_check(member, flow, items)
        case SessionStep.STOP_WHY, StopReason.TIRED | StopReason.NO_TIME:
            await _drop_unfinished(session, training)
            training.stop_reason = choice
            status = SessionStatus.STOPPED
            return await _finish_with_summary(session, flow, member, training, now, status)
        case SessionStep.STOP_WHY, _:
            training.stop_reason = choice
            status = SessionStatus.STOPPED
            return await _finish_with_summary(session, flow, member, training, now, status)
        case SessionStep.SKIP_WHY, _:
            row = await _result_row(session, training, prescription)
            row.skipped, row.skip_reason = True, choice  # reps already reported are kept
            return await _advance(session, flow, member, training, now)
        case SessionStep.RED_PAIN, RedPainChoice.STOP:
            training.stop_reason = StopReason.PAIN.value
            status = SessionStatus.STOPPED_FOR_PAIN
            return await _finish_with_summary(session, flow, member, training, now, status)
        case SessionStep.RED_PAIN, RedPainChoice.EASIER:
            _ease_the_rest(training, flow, member)
            return await _advance(session, flow, member, training, now)
    training.stop_reason = RedPainChoice.SKIP_REST.value
    status = SessionStatus.STOPPED
    return await _finish_with_summary(session, flow, member, training, now, status)


async def _drop_unfinished(session: AsyncSession, training: TrainingSession) -> None:
    """Tired or out of time: the exercise in progress was not done, and is not a skip either."""
    statement = select(ExerciseResultRow).where(
        ExerciseResultRow.session_id == training.id,
        ExerciseResultRow.position == training.position,
        ExerciseResultRow.pain.is_(None),
    )
    row = (await session.execute(statement)).scalar_one_or_none()
    if row is not None:
        await session.delete(row)


def _ease_the_rest(training: TrainingSession, flow: Flow, member: Member) -> None:
    """The exercises after this one, each one step easier today (the programme is unchanged)."""
    state = programme_state(member)
    equipment = frozenset() if state is None else state.equipment
    plan = list(training.plan)
    for position in range(training.position + 1, len(plan)):
        easier = one_step_easier(Prescription.from_json(plan[position]), flow.library, equipment)
        if easier is not None:
            plan[position] = easier.to_json()
    training.plan = plan


async def _result_row(
    session: AsyncSession, training: TrainingSession, prescription: Prescription
) -> ExerciseResultRow:
    """The result row of the open exercise, created at its first answer."""
    statement = select(ExerciseResultRow).where(
        ExerciseResultRow.session_id == training.id,
        ExerciseResultRow.position == training.position,
    )
    row = (await session.execute(statement)).scalar_one_or_none()
    if row is None:
        row = ExerciseResultRow(
            session_id=training.id,
            position=training.position,
            ladder_id=prescription.ladder_id,
            variation_id=prescription.variation_id,
            prescribed_sets=prescription.sets,
            prescribed_reps=prescription.reps,
            prescribed_hold_seconds=prescription.hold_seconds,
            per_side=prescription.per_side,
            skipped=False,
        )
        session.add(row)
    return row


async def _advance(
    session: AsyncSession, flow: Flow, member: Member, training: TrainingSession, now: datetime
) -> list[Reply]:
    training.position += 1
    if training.position >= len(training.plan):
        return await _finish_with_summary(
            session, flow, member, training, now, SessionStatus.FINISHED
        )
    training.step = _first_step(planned(training, training.position))
    return _exercise_prompt(training, flow)


# ---- finishing --------------------------------------------------------------------------------


async def stop_open_session(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> Summary | None:
    """End today's open session with what was done (before a pause); None when none is open."""
    training = await training_on(session, member, now, flow.default_zone)
    if training is None or training.status != SessionStatus.IN_PROGRESS:
        return None
    await _finish(session, flow, member, training, now, SessionStatus.STOPPED)
    return await _summary(session, flow, member, training, seen_before=False)


async def _finish_with_summary(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    training: TrainingSession,
    now: datetime,
    status: SessionStatus,
) -> list[Reply]:
    await _finish(session, flow, member, training, now, status)
    if status is SessionStatus.FINISHED:
        await record_tip(session, flow, member, training.local_date)
    return [await _summary(session, flow, member, training, seen_before=False)]


async def _finish(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    training: TrainingSession,
    now: datetime,
    status: SessionStatus,
) -> None:
    """The core decides from the results so far; keep its decisions; tell the coach of a pause."""
    rows = await _rows(session, training)
    for row in rows:
        if row.pain is None:  # answered the reps but not the pain: not done
            row.skipped = True
    state = programme_state(member)
    training.status = status.value
    training.finished_at = now
    if state is None or state.status is not Status.ACTIVE:
        return
    state = await _follow_content(session, flow, member, state, training.local_date)
    outcome = finish_session(
        state,
        flow.library,
        today=training.local_date,
        results=[_result(row) for row in rows if _still_prescribed(row, state)],
        stopped_for_pain=status is SessionStatus.STOPPED_FOR_PAIN,
    )
    store_state(member, outcome.state)
    if outcome.state.status is not state.status:
        reschedule(member, now)
    await record_decisions(session, member, outcome.decisions, training.local_date, training.id)
    if outcome.paused:
        await record_alert(session, member, AlertKind.PAIN_PAUSE, training.local_date)
    for kind in {ALERTS[d.kind] for d in outcome.decisions if d.kind in ALERTS}:
        await record_alert(session, member, kind, training.local_date)


async def _rows(session: AsyncSession, training: TrainingSession) -> Sequence[ExerciseResultRow]:
    statement = (
        select(ExerciseResultRow)
        .where(ExerciseResultRow.session_id == training.id)
        .order_by(ExerciseResultRow.position)
    )
    return (await session.execute(statement)).scalars().all()


def _still_prescribed(row: ExerciseResultRow, state: ProgrammeState) -> bool:
    """A change of kit mid-session can swap an exercise; its old result then cannot count."""
    current = state.prescriptions.get(row.ladder_id)
    return current is not None and current.variation_id == row.variation_id


def _result(row: ExerciseResultRow) -> ExerciseResult:
    if row.skipped:
        reason = None if row.skip_reason is None else SkipReason(row.skip_reason)
        return ExerciseResult(
            row.ladder_id,
            row.variation_id,
            row.reps_done,
            row.hold_completed,
            None,
            skipped=True,
            skip_reason=reason,
        )
    return ExerciseResult(
        row.ladder_id, row.variation_id, row.reps_done, row.hold_completed, row.pain
    )


async def _summary(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    training: TrainingSession,
    *,
    seen_before: bool,
) -> Summary:
    """Built from the database, so `/today` after the session shows the same summary."""
    await session.flush()
    rows = await _rows(session, training)
    decisions = (
        (
            await session.execute(
                select(DecisionRow)
                .where(DecisionRow.session_id == training.id)
                .order_by(DecisionRow.id)
            )
        )
        .scalars()
        .all()
    )
    kinds = [(DecisionKind(row.kind), row) for row in decisions]
    unchanged = tuple(
        variation.name
        for kind, row in kinds
        if kind is DecisionKind.HOLD
        and row.from_variation is not None
        and (variation := flow.library.find_variation(row.from_variation)) is not None
    )
    pause_reasons = tuple(row.reason for kind, row in kinds if kind in PAUSES)
    return Summary(
        status=training.status,
        done=sum(1 for row in rows if not row.skipped),
        skipped=sum(1 for row in rows if row.skipped),
        total=len(training.plan),
        max_pain=training.max_pain,
        changes=tuple(row.reason for kind, row in kinds if kind in CHANGES),
        unchanged=unchanged,
        pause_reasons=pause_reasons,
        coach_group=await group_title(session, member) if pause_reasons else None,
        seen_before=seen_before,
        stop_reason=training.stop_reason,
        tip=await tip_on(session, flow, member, training.local_date),
    )

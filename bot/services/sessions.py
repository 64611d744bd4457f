"""The daily session: plan it, walk through its exercises one question at a time, finish it.

Every answer is written as it is given (one `ExerciseResultRow` per exercise) and
`TrainingSession.position`/`step` name the open question, so a restart mid-session resumes at
the same question. The coaching core decides; this module only records and reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import (
    DecisionKind,
    ExerciseResult,
    Prescription,
    ProgrammeState,
    Status,
    apply_missed_days,
    estimate_minutes,
    finish_session,
    is_session_stopping_pain,
    plan_session,
)
from bot.db.models import DecisionRow, ExerciseResultRow, Member, TrainingSession
from bot.services.alerts import AlertKind, record_alert
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
    MovedOn,
    NotUnderstood,
    SessionStatus,
    SessionStep,
    current_question,
    exercise_card,
    planned,
    session_question,
    training_on,
)
from bot.services.reminders import reschedule

# Decisions that change what the member does next time; the rest keep it the same.
CHANGES = frozenset({DecisionKind.PROGRESS, DecisionKind.REGRESS, DecisionKind.PHASE_UP})
PAUSES = frozenset({DecisionKind.STOP_SESSION, DecisionKind.PAUSE})


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


# ---- opening today's session ------------------------------------------------------------------


async def open_today(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """Start today's session, or resume it at its open question, or show how it went."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    member.awaiting = None
    if not is_active(member):
        return [NotActive(member.status)]
    today = today_for(member, now, flow.default_zone)
    await close_earlier_sessions(session, flow, member, today, now)
    training = await training_on(session, member, now, flow.default_zone)
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
        SessionOpening(len(plan), estimate_minutes(plan), eased),
        *_exercise_prompt(training, flow),
    ]


def _first_step(prescription: Prescription) -> str:
    return (SessionStep.HOLD if prescription.hold_seconds is not None else SessionStep.REPS).value


def _exercise_prompt(training: TrainingSession, flow: Flow) -> list[Reply]:
    """The exercise card, unless only its pain question is left, then the open question."""
    question = session_question(training, flow.library)
    if isinstance(question, AskPain):
        return [question]
    return [exercise_card(training, flow.library), question]


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
    session: AsyncSession,
    flow: Flow,
    user_id: int,
    target: tuple[int, int, str],
    value: str,
    now: datetime,
) -> list[Reply]:
    """A session button, `target` = (session id, position, step); stale unless it is open now."""
    member = await find_member(session, user_id)
    training = (
        None if member is None else await training_on(session, member, now, flow.default_zone)
    )
    session_id, position, step = target
    answer = _button_answer(value)
    if (
        member is None
        or training is None
        or answer is None
        or not is_active(member)
        or (training.id, training.position, training.step) != (session_id, position, step)
        or training.status != SessionStatus.IN_PROGRESS
    ):
        return [MovedOn(), *await current_question(session, flow, member, now)]
    return await _answer(session, flow, member, training, answer, now)


def _button_answer(value: str) -> TypedAnswer | None:
    if value in ("skip", "stop"):
        return TypedAnswer(command=value)
    if value in ("yes", "no"):
        return TypedAnswer(yes_no=value == "yes")
    if value.isdigit() and len(value) <= 3:
        return TypedAnswer(reps=int(value), pain=int(value) if int(value) <= 10 else None)
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
    if answer.command == "stop":
        return await _finish_with_summary(
            session, flow, member, training, now, SessionStatus.STOPPED
        )
    if answer.command == "skip":
        row = await _result_row(session, training, prescription)
        row.skipped = True
        return await _advance(session, flow, member, training, now)
    if training.step == SessionStep.REPS:
        reps = answer.reps_for(prescription.reps or 0, rules.max_reps)
        if reps is None:
            return [NotUnderstood(question)]
        (await _result_row(session, training, prescription)).reps_done = reps
    elif training.step == SessionStep.HOLD:
        if answer.yes_no is None:
            return [NotUnderstood(question)]
        (await _result_row(session, training, prescription)).hold_completed = answer.yes_no
    else:
        if answer.pain is None:
            return [NotUnderstood(question)]
        (await _result_row(session, training, prescription)).pain = answer.pain
        training.max_pain = max(training.max_pain or 0, answer.pain)
        if is_session_stopping_pain(answer.pain, rules):
            status = SessionStatus.STOPPED_FOR_PAIN
            return await _finish_with_summary(session, flow, member, training, now, status)
        return await _advance(session, flow, member, training, now)
    training.step = SessionStep.PAIN.value
    return [session_question(training, flow.library)]


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
        return ExerciseResult(row.ladder_id, row.variation_id, None, None, None, skipped=True)
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
        flow.library.variation(row.from_variation).name
        for kind, row in kinds
        if kind is DecisionKind.HOLD and row.from_variation is not None
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
    )

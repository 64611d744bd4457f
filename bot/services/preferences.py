"""After onboarding: /settings (time, zone, kit), /pause, /resume with its check, and /why.

A typed answer to a settings or resume question is expected while `Member.awaiting` names it;
the answers given so far wait in `Member.draft`, so these short conversations survive a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import (
    DecisionKind,
    Prescription,
    Status,
    change_equipment,
    describe_usual_pain,
    pause_by_member,
    resume,
)
from bot.coaching import reasons as coaching_reasons
from bot.coaching.content import Equipment
from bot.db.models import DecisionRow, Member
from bot.services.members import (
    Flow,
    Reply,
    TypedAnswer,
    find_member,
    is_enrolled,
    programme_state,
    record_decisions,
    store_state,
    today_for,
    zone_of,
)
from bot.services.questions import (
    AskBaselinePain,
    AskResumePain,
    AskResumeProfessional,
    AskResumeSettled,
    AskTimezone,
    Awaiting,
    ConfirmTimezone,
    EquipmentTicked,
    MovedOn,
    NotUnderstood,
    Step,
    awaited_question,
    current_question,
)
from bot.services.reminders import reschedule
from bot.services.sessions import Summary, stop_open_session

# How many recent decisions /why looks through for the latest one per exercise.
WHY_LOOKBACK = 200
# Programme-wide decisions that reset every exercise's dose, so they explain each one afterwards.
RESETS_EVERY_EXERCISE = frozenset(
    {DecisionKind.START.value, DecisionKind.RESUME.value, DecisionKind.PHASE_BACK.value}
)


@dataclass(frozen=True)
class SettingsShown:
    reminder_time: time | None
    zone: str | None
    equipment: frozenset[Equipment]


@dataclass(frozen=True)
class NotEnrolledYet:
    """Settings, /pause and /why need a programme; /resume may still apply (see status)."""

    status: str


@dataclass(frozen=True)
class ReminderMoved:
    """A new time or zone: when the next reminder comes now."""

    reminder_time: time | None
    zone: str | None
    next_reminder: datetime | None  # in the member's zone
    local_now: datetime


@dataclass(frozen=True)
class EquipmentChanged:
    equipment: frozenset[Equipment]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Paused:
    closed_session: Summary | None


@dataclass(frozen=True)
class CannotPause:
    status: str


@dataclass(frozen=True)
class AlreadyActive:
    pass


@dataclass(frozen=True)
class Resumed:
    reason: str
    next_reminder: datetime | None  # in the member's zone
    local_now: datetime


@dataclass(frozen=True)
class ClearedToStart:
    """A red flag during onboarding is cleared: onboarding carries on at the baseline."""


@dataclass(frozen=True)
class ResumeDeclined:
    reason: str


@dataclass(frozen=True)
class WhyLine:
    exercise: str
    prescription: Prescription
    reason: str | None


@dataclass(frozen=True)
class WhyReport:
    status: str
    phase_number: int | None
    phase_title: str | None
    exercises: tuple[WhyLine, ...]
    latest_overall: str | None  # the latest programme-wide decision (start, pause, resume…)
    usual_pain: str | None = None  # the usual pain the rise rule compares with, and how


# ---- /settings ------------------------------------------------------------------------------


async def show_settings(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> list[Reply]:
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    if not is_enrolled(member):
        return [NotEnrolledYet(member.status)]
    member.awaiting = None
    member.draft = {}
    return [_shown(member)]


def _shown(member: Member) -> SettingsShown:
    kit = frozenset(Equipment(item) for item in member.equipment)
    return SettingsShown(member.reminder_time, member.timezone, kit)


async def choose_setting(
    session: AsyncSession, flow: Flow, user_id: int, setting: str, now: datetime
) -> list[Reply]:
    """Open the question for one setting; its answer may be tapped or typed."""
    member = await find_member(session, user_id)
    if member is None or not is_enrolled(member) or setting not in ("time", "zone", "equipment"):
        return [MovedOn(), *await current_question(session, flow, member, now)]
    member.awaiting = Awaiting(setting).value
    member.draft = {"equipment": list(member.equipment)} if setting == "equipment" else {}
    question = awaited_question(member, now, flow.default_zone)
    return [question]


async def press(
    session: AsyncSession, flow: Flow, user_id: int, awaiting: str, value: str, now: datetime
) -> list[Reply]:
    """A button on a settings or resume question; stale unless that question is open."""
    member = await find_member(session, user_id)
    answer = None
    if member is not None and member.awaiting == awaiting:
        answer = _button_answer(member, awaiting, value, flow)
    if member is None or answer is None:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    return await answer_typed(session, flow, member, answer, now)


def _button_answer(member: Member, awaiting: str, value: str, flow: Flow) -> TypedAnswer | None:
    choice, _, detail = value.partition(":")
    yes_no = {"yes": True, "no": False}.get(choice)
    if awaiting == Awaiting.TIME and len(choice) == 4 and choice.isdigit():
        return TypedAnswer(at=time(int(choice[:2]), int(choice[2:])))
    if awaiting == Awaiting.ZONE and choice == "default":
        return TypedAnswer(zone=flow.default_zone)
    if awaiting == Awaiting.ZONE_OK and detail == member.draft.get("zone"):
        return TypedAnswer(yes_no=yes_no)
    if awaiting == Awaiting.EQUIPMENT and choice == "done":
        kit = member.draft.get("equipment", [])
        return TypedAnswer(equipment=frozenset(Equipment(item) for item in kit))
    if awaiting == Awaiting.RESUME_PAIN and choice.isdigit():
        return TypedAnswer(pain=int(choice))
    if awaiting in (Awaiting.RESUME_PROFESSIONAL, Awaiting.RESUME_SETTLED) and yes_no is not None:
        return TypedAnswer(yes_no=yes_no)
    return None


async def toggle_equipment(
    session: AsyncSession, flow: Flow, user_id: int, item: str, now: datetime
) -> list[Reply]:
    member = await find_member(session, user_id)
    if member is None or member.awaiting != Awaiting.EQUIPMENT or item not in set(Equipment):
        return [MovedOn(), *await current_question(session, flow, member, now)]
    selected = set(member.draft.get("equipment", [])) ^ {item}
    member.draft = {"equipment": sorted(selected)}
    return [EquipmentTicked(frozenset(Equipment(i) for i in selected), "set")]


async def answer_typed(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    """Apply an answer to the open settings or resume question."""
    question = awaited_question(member, now, flow.default_zone)
    match member.awaiting:
        case Awaiting.TIME if answer.at is not None:
            member.reminder_time = answer.at
            return [_reminder_moved(member, flow, now)]
        case Awaiting.ZONE if answer.zone is not None:
            member.awaiting = Awaiting.ZONE_OK.value
            member.draft = {"zone": answer.zone}
            return [ConfirmTimezone(answer.zone, now.astimezone(ZoneInfo(answer.zone)), "set")]
        case Awaiting.ZONE_OK if answer.yes_no is True:
            member.timezone = member.draft["zone"]
            return [_reminder_moved(member, flow, now)]
        case Awaiting.ZONE_OK if answer.yes_no is False:
            member.awaiting = Awaiting.ZONE.value
            member.draft = {}
            return [AskTimezone(flow.default_zone, "set")]
        case Awaiting.EQUIPMENT if answer.equipment is not None:
            return await _change_equipment(session, flow, member, answer.equipment, now)
        case Awaiting.RESUME_PAIN if answer.pain is not None:
            member.awaiting = Awaiting.RESUME_PROFESSIONAL.value
            member.draft = {"pain": answer.pain}
            return [AskResumeProfessional()]
        case Awaiting.RESUME_PROFESSIONAL if answer.yes_no is not None:
            member.awaiting = Awaiting.RESUME_SETTLED.value
            member.draft = {**member.draft, "seen_professional": answer.yes_no}
            return [AskResumeSettled()]
        case Awaiting.RESUME_SETTLED if answer.yes_no is not None:
            return await _decide_resume(session, flow, member, answer.yes_no, now)
    if question is None:
        return await current_question(session, flow, member, now)
    return [NotUnderstood(question)]


def _reminder_moved(member: Member, flow: Flow, now: datetime) -> ReminderMoved:
    member.awaiting = None
    member.draft = {}
    reschedule(member, now)
    zone = zone_of(member, flow.default_zone)
    next_at = member.next_reminder_at
    return ReminderMoved(
        member.reminder_time,
        member.timezone,
        None if next_at is None else next_at.astimezone(zone),
        now.astimezone(zone),
    )


async def _change_equipment(
    session: AsyncSession, flow: Flow, member: Member, kit: frozenset[Equipment], now: datetime
) -> list[Reply]:
    """The core swaps or adds exercises to fit the new kit; each swap keeps its reason."""
    member.awaiting = None
    member.draft = {}
    member.equipment = sorted(item.value for item in kit)
    state = programme_state(member)
    if state is None:
        return [EquipmentChanged(kit, ())]
    day = today_for(member, now, flow.default_zone)
    outcome = change_equipment(state, flow.library, equipment=kit, today=day)
    store_state(member, outcome.state)
    await record_decisions(session, member, outcome.decisions, day)
    return [EquipmentChanged(kit, tuple(decision.reason for decision in outcome.decisions))]


# ---- /pause and /resume -----------------------------------------------------------------------


async def pause(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """The member's own break: today's open session ends with what was done; no reminders."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    member.awaiting = None
    state = programme_state(member)
    if state is None or state.status is not Status.ACTIVE:
        return [CannotPause(member.status)]
    closed = await stop_open_session(session, flow, member, now)
    state = programme_state(member)
    assert state is not None
    day = today_for(member, now, flow.default_zone)
    outcome = pause_by_member(state, today=day)
    store_state(member, outcome.state)
    reschedule(member, now)
    await record_decisions(session, member, outcome.decisions, day)
    if outcome.state.status is not Status.PAUSED_BY_MEMBER:  # the closed session paused it
        return [closed] if closed is not None else [CannotPause(member.status)]
    return [Paused(closed)]


async def start_resume(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> list[Reply]:
    """Straight back after the member's own pause; after pain or a red flag, three questions."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    member.draft = {}
    member.awaiting = None
    if member.status == Status.ACTIVE:
        return [AlreadyActive()]
    if member.status == Status.PAUSED_BY_MEMBER:
        return await _resume_with(session, flow, member, now, pain=None, seen=False, settled=False)
    member.awaiting = Awaiting.RESUME_PAIN.value
    return [AskResumePain()]


async def _decide_resume(
    session: AsyncSession, flow: Flow, member: Member, settled: bool, now: datetime
) -> list[Reply]:
    pain, seen = member.draft["pain"], member.draft["seen_professional"]
    member.awaiting = None
    member.draft = {}
    if member.programme is None:
        return _clear_onboarding_red_flag(flow, member, pain, seen)
    return await _resume_with(session, flow, member, now, pain=pain, seen=seen, settled=settled)


async def _resume_with(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    now: datetime,
    *,
    pain: int | None,
    seen: bool,
    settled: bool,
) -> list[Reply]:
    state = programme_state(member)
    assert state is not None
    day = today_for(member, now, flow.default_zone)
    outcome = resume(
        state,
        flow.library,
        today=day,
        pain_now=pain,
        seen_professional=seen,
        symptoms_settled=settled,
    )
    store_state(member, outcome.state)
    reschedule(member, now)
    await record_decisions(session, member, outcome.decisions, day)
    reason = " ".join(decision.reason for decision in outcome.decisions)
    if outcome.state.status is not Status.ACTIVE:
        return [ResumeDeclined(reason)]
    zone = zone_of(member, flow.default_zone)
    next_at = member.next_reminder_at
    local_next = None if next_at is None else next_at.astimezone(zone)
    return [Resumed(reason, local_next, now.astimezone(zone))]


def _clear_onboarding_red_flag(
    flow: Flow, member: Member, pain: int, seen_professional: bool
) -> list[Reply]:
    """A red flag before any programme: the core's red-flag resume rule, in its own words."""
    rules = flow.library.rules
    needs = []
    if not seen_professional:
        needs.append(coaching_reasons.need_clinician_clearance())
    if pain > rules.resume_max_pain:
        needs.append(coaching_reasons.need_lower_pain(pain, rules))
    if needs:
        return [ResumeDeclined(coaching_reasons.resume_declined(needs))]
    member.status = Status.ONBOARDING.value
    member.onboarding_step = Step.PAIN.value
    return [ClearedToStart(), AskBaselinePain()]


# ---- /why -----------------------------------------------------------------------------------


async def why(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """The reasons behind the current plan: the latest decision for each exercise in it."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return await current_question(session, flow, member, now)
    member.awaiting = None
    statement = (
        select(DecisionRow)
        .where(DecisionRow.member_id == member.id)
        .order_by(DecisionRow.id.desc())
        .limit(WHY_LOOKBACK)
    )
    decisions = (await session.execute(statement)).scalars().all()
    per_exercise, reset, overall = _latest_reasons(decisions)
    state = programme_state(member)
    if state is None:
        return [WhyReport(member.status, None, None, (), overall)]
    phase = flow.library.phase(state.phase)
    lines = tuple(
        WhyLine(
            flow.library.variation(state.prescriptions[ladder_id].variation_id).name,
            state.prescriptions[ladder_id],
            per_exercise.get(ladder_id, reset),
        )
        for ladder_id in phase.ladders
        if ladder_id in state.prescriptions
    )
    usual = describe_usual_pain(state, flow.library.rules)
    return [WhyReport(member.status, phase.number, phase.title, lines, overall, usual)]


def _latest_reasons(
    newest_first: Sequence[DecisionRow],
) -> tuple[dict[str, str], str | None, str | None]:
    """Per exercise, the reason of its latest decision; the latest start or resume; the latest
    programme-wide reason. A start or resume sets every dose, so it explains an exercise with no
    decision of its own since."""
    per_exercise: dict[str, str] = {}
    reset: str | None = None
    overall: str | None = None
    for row in newest_first:
        if row.ladder_id is None:
            overall = overall or row.reason
            if reset is None and row.kind in RESETS_EVERY_EXERCISE:
                reset = row.reason
        elif reset is None:
            per_exercise.setdefault(row.ladder_id, row.reason)
    return per_exercise, reset, overall

"""After onboarding: /settings (time, zone, kit), /pause, /resume with its check, and /why.

A typed answer to a settings or resume question is expected while `Member.awaiting` names it;
the answers given so far wait in `Member.draft` (typed: `conversation_machine.Draft`), so these
short conversations survive a restart. /resume after a pain or red-flag pause and the weekly
check before a session start with the short red-flag re-screen.
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
from bot.services.buttons import OpenSetting, Press, Toggle
from bot.services.conversation_machine import Draft, new_draft, set_draft
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
    SYMPTOM,
    AskBaselinePain,
    AskResumePain,
    AskResumeProfessional,
    AskResumeSettled,
    AskTimezone,
    Awaiting,
    ChooseTimezone,
    ConfirmTimezone,
    EquipmentTicked,
    MovedOn,
    NotUnderstood,
    Step,
    awaited_question,
    before_command,
    close_open_question,
    current_question,
    item_of,
    rescreen,
    start_symptom_check,
)
from bot.services.reminders.schedule import reschedule
from bot.services.sessions import Summary, stop_open_session, today_for_member

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


async def _command_member(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> tuple[Member | None, list[Reply]]:
    """The member a command is for, or the replies instead of running it: the open onboarding
    question comes first. (What happens to any other open question is said before every
    command, `questions.on_command`; this repeats it for a button such as a check-in's Resume.)"""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step is not None:
        return None, await current_question(session, flow, member, now)
    waiting = await before_command(session, flow, member, now)
    if waiting is not None:
        return None, waiting
    return member, close_open_question(member, flow, now)


async def show_settings(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> list[Reply]:
    member, notes = await _command_member(session, flow, user_id, now)
    if member is None:
        return notes
    if not is_enrolled(member):
        return [*notes, NotEnrolledYet(member.status)]
    return [*notes, _shown(member)]


def _shown(member: Member) -> SettingsShown:
    kit = frozenset(Equipment(item) for item in member.equipment)
    return SettingsShown(member.reminder_time, member.timezone, kit)


async def choose_setting(
    session: AsyncSession, flow: Flow, user_id: int, pressed: OpenSetting, now: datetime
) -> list[Reply]:
    """Open the question for one setting; its answer may be tapped or typed."""
    member = await find_member(session, user_id)
    if member is None or not is_enrolled(member) or item_of(member.awaiting, SYMPTOM) is not None:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    member.awaiting = Awaiting(pressed.setting).value
    new_draft(member, kit=tuple(member.equipment) if pressed.setting == "equipment" else ())
    question = awaited_question(member, flow, now)
    return [question]


async def press(
    session: AsyncSession, flow: Flow, user_id: int, pressed: Press | Toggle, now: datetime
) -> list[Reply]:
    """A button on a settings or resume question; stale unless that question is open."""
    member = await find_member(session, user_id)
    if member is None or member.awaiting != pressed.question:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    draft = Draft.of(member)
    if isinstance(pressed, Toggle):
        selected = set(draft.kit) ^ {pressed.item.value}
        set_draft(member, kit=tuple(sorted(selected)))
        return [EquipmentTicked(frozenset(Equipment(i) for i in selected), "set")]
    answer = pressed.answer
    if pressed.question == Awaiting.ZONE_OK and pressed.detail != draft.zone:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    if pressed.question == Awaiting.EQUIPMENT:
        answer = TypedAnswer(equipment=frozenset(Equipment(item) for item in draft.kit))
    return await answer_typed(session, flow, member, answer, now)


async def answer_typed(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    """Apply an answer to the open settings or resume question."""
    question = awaited_question(member, flow, now)
    draft = Draft.of(member)
    match member.awaiting:
        case Awaiting.TIME if answer.at is not None:
            member.reminder_time = answer.at
            return [_reminder_moved(member, flow, now)]
        case Awaiting.ZONE if answer.zone_choices:
            return [ChooseTimezone(answer.zone_choices, "set")]
        case Awaiting.ZONE if answer.zone is not None:
            member.awaiting = Awaiting.ZONE_OK.value
            set_draft(member, zone=answer.zone)
            return [ConfirmTimezone(answer.zone, now.astimezone(ZoneInfo(answer.zone)), "set")]
        case Awaiting.ZONE_OK if answer.yes_no is True and draft.zone is not None:
            member.timezone = draft.zone
            return [_reminder_moved(member, flow, now)]
        case Awaiting.ZONE_OK if answer.yes_no is False:
            member.awaiting = Awaiting.ZONE.value
            set_draft(member, zone=None)
            return [AskTimezone(flow.default_zone, "set")]
        case Awaiting.EQUIPMENT if answer.equipment is not None:
            return await _change_equipment(session, flow, member, answer.equipment, now)
        case Awaiting.RESUME_SCREEN | Awaiting.WEEKLY_SCREEN if _some(answer) is not None:
            return await _rescreened(session, flow, member, bool(_some(answer)), now)
        case Awaiting.RESUME_PAIN if answer.pain is not None:
            member.awaiting = Awaiting.RESUME_PROFESSIONAL.value
            set_draft(member, resume_pain=answer.pain)
            return [AskResumeProfessional()]
        case Awaiting.RESUME_PROFESSIONAL if answer.yes_no is not None:
            member.awaiting = Awaiting.RESUME_SETTLED.value
            set_draft(member, seen_professional=answer.yes_no)
            return [AskResumeSettled()]
        case Awaiting.RESUME_SETTLED if answer.yes_no is not None:
            return await _decide_resume(session, flow, member, answer.yes_no, now)
    if question is None:
        return await current_question(session, flow, member, now)
    return [NotUnderstood(question)]


def _some(answer: TypedAnswer) -> bool | None:
    """The short re-screen's answer: "none of these" (or no) is False, "one of these" True."""
    if answer.choice in ("none", "some"):
        return answer.choice == "some"
    return answer.yes_no


async def _rescreened(
    session: AsyncSession, flow: Flow, member: Member, some: bool, now: datetime
) -> list[Reply]:
    """None of these: on to the resume check, or today's session. One of these: each item asked
    on its own, then (after a no to all) back to the resume check."""
    weekly = member.awaiting == Awaiting.WEEKLY_SCREEN
    member.screened_at = now
    member.awaiting = None if weekly else Awaiting.RESUME_PAIN.value
    if some:
        return start_symptom_check(member, flow, [item.id for item in flow.screen.short_form()])
    if weekly:
        return await today_for_member(session, flow, member, now)
    return [AskResumePain()]


def _reminder_moved(member: Member, flow: Flow, now: datetime) -> ReminderMoved:
    member.awaiting = None
    new_draft(member)
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
    new_draft(member)
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
    member, notes = await _command_member(session, flow, user_id, now)
    if member is None:
        return notes
    state = programme_state(member)
    if state is None or state.status is not Status.ACTIVE:
        return [*notes, CannotPause(member.status)]
    closed = await stop_open_session(session, flow, member, now)
    state = programme_state(member)
    assert state is not None
    day = today_for(member, now, flow.default_zone)
    outcome = pause_by_member(state, today=day)
    store_state(member, outcome.state)
    reschedule(member, now)
    await record_decisions(session, member, outcome.decisions, day)
    if outcome.state.status is not Status.PAUSED_BY_MEMBER:  # the closed session paused it
        return [*notes, closed] if closed is not None else [*notes, CannotPause(member.status)]
    return [*notes, Paused(closed)]


async def start_resume(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> list[Reply]:
    """Straight back after the member's own pause; after pain or a red flag, three questions."""
    member, notes = await _command_member(session, flow, user_id, now)
    if member is None:
        return notes
    if member.status == Status.ACTIVE:
        return [*notes, AlreadyActive()]
    if member.status == Status.PAUSED_BY_MEMBER:
        return await _resume_with(session, flow, member, now, pain=None, seen=False, settled=False)
    member.awaiting = Awaiting.RESUME_SCREEN.value
    return [*notes, rescreen(flow.screen, weekly=False)]


async def _decide_resume(
    session: AsyncSession, flow: Flow, member: Member, settled: bool, now: datetime
) -> list[Reply]:
    draft = Draft.of(member)
    member.awaiting = None
    new_draft(member)
    if draft.resume_pain is None or draft.seen_professional is None:  # an older draft: ask again
        member.awaiting = Awaiting.RESUME_PAIN.value
        return [AskResumePain()]
    pain, seen = draft.resume_pain, draft.seen_professional
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
    member, notes = await _command_member(session, flow, user_id, now)
    if member is None:
        return notes
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
        return [*notes, WhyReport(member.status, None, None, (), overall)]
    phase = flow.library.phase(state.phase)
    lines = tuple(
        WhyLine(
            flow.library.exercise_name(state.prescriptions[ladder_id].variation_id, ladder_id),
            state.prescriptions[ladder_id],
            per_exercise.get(ladder_id, reset),
        )
        for ladder_id in phase.ladders
        if ladder_id in state.prescriptions
    )
    usual = describe_usual_pain(state, flow.library.rules)
    return [*notes, WhyReport(member.status, phase.number, phase.title, lines, overall, usual)]


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

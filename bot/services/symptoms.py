"""A new symptom at any moment: typed, `/symptom`, or the ⚠️ button on every session question.

The screen items it may be are asked one at a time (`Member.awaiting` = "symptom:<item>"); a
yes goes through the core's `record_red_flag` at the item's urgency, and after the last no the
member is back at the exact question they were on (`return_to_question`). What the member typed
is never stored: only the matching item ids reach this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Decision, DecisionKind, Status, record_red_flag
from bot.coaching import reasons as coaching_reasons
from bot.coaching.screening import Urgency
from bot.db.models import Member
from bot.services import pause_checkins
from bot.services.alerts import AlertKind, record_alert
from bot.services.conversation_machine import Draft
from bot.services.members import (
    Flow,
    Reply,
    TypedAnswer,
    find_member,
    group_title,
    programme_state,
    record_decisions,
    store_state,
    today_for,
)
from bot.services.questions import (
    SYMPTOM,
    MovedOn,
    NotUnderstood,
    Step,
    SymptomCheck,
    SymptomNoticed,
    awaited_question,
    current_question,
    item_of,
    return_to_question,
    start_symptom_check,
    symptom_question,
)
from bot.services.reminders.schedule import reschedule
from bot.services.sessions import stop_open_session


@dataclass(frozen=True)
class SymptomCleared:
    """No to every question: nothing changes; the member goes back to where they were."""


@dataclass(frozen=True)
class RedFlagStop:
    """A confirmed red flag that needs a doctor: the programme is stopped."""

    urgency: Urgency
    advice: str
    coach_group: str | None


@dataclass(frozen=True)
class ClinicianNote:
    """Tell your clinician: the programme goes on, with a note the coach sees."""

    advice: str
    coach_group: str | None


def can_check(member_consented: bool, onboarding_step: str | None) -> bool:
    """Nothing is recorded before consent (or after a refusal)."""
    return member_consented and onboarding_step not in (Step.CONSENT, Step.DECLINED)


async def ask(session: AsyncSession, flow: Flow, user_id: int, now: datetime) -> list[Reply]:
    """/symptom and ⚠️: the short form (emergency and see-a-doctor items), one at a time."""
    member = await find_member(session, user_id)
    if member is None or not can_check(member.consent_at is not None, member.onboarding_step):
        return await current_question(session, flow, member, now)
    items = tuple(item.id for item in flow.screen.short_form())
    return [SymptomCheck(), *start_symptom_check(member, flow, items)]


def noticed(member: Member, flow: Flow, items: tuple[str, ...]) -> list[Reply]:
    """Typed text mentioned these items: ask them before reading it as any answer."""
    return [SymptomNoticed(), *start_symptom_check(member, flow, items)]


async def press(
    session: AsyncSession, flow: Flow, user_id: int, question: str, yes: bool, now: datetime
) -> list[Reply]:
    member = await find_member(session, user_id)
    if member is None or member.awaiting != question:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    return await answer(session, flow, member, TypedAnswer(yes_no=yes), now)


async def answer(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    item = item_of(member.awaiting, SYMPTOM)
    assert item is not None
    if answer.yes_no is None:
        question = awaited_question(member, flow, now)
        return [NotUnderstood(question)] if question is not None else []
    items = Draft.of(member).symptoms
    if answer.yes_no:
        return await confirmed(session, flow, member, flow.screen.item(item).urgency, now)
    rest = items[items.index(item) + 1 :] if item in items else ()
    if rest:
        member.awaiting = SYMPTOM + rest[0]
        return [symptom_question(flow.screen, rest[0], items)]
    return [SymptomCleared(), *await return_to_question(session, flow, member, now)]


async def confirmed(
    session: AsyncSession, flow: Flow, member: Member, urgency: Urgency, now: datetime
) -> list[Reply]:
    """A red flag, confirmed by the member, at onboarding or at any moment after it."""
    advice = flow.screen.level(urgency).advice
    day = today_for(member, now, flow.default_zone)
    if not urgency.stops_programme:
        state = programme_state(member)
        decisions = (
            record_red_flag(state, today=day, urgency=urgency).decisions
            if state is not None
            else (Decision(DecisionKind.RED_FLAG, coaching_reasons.red_flag(urgency)),)
        )
        await record_decisions(session, member, decisions, day)
        await record_alert(session, member, AlertKind.CLINICIAN_NOTE, day)
        note = ClinicianNote(advice, await group_title(session, member))
        if item_of(member.awaiting, SYMPTOM) is None:
            return [note]
        return [note, *await return_to_question(session, flow, member, now)]
    member.awaiting = None
    Draft().save(member)
    state = programme_state(member)
    if member.onboarding_step is None and state is not None:
        await stop_open_session(session, flow, member, now)  # what was done today still counts
        outcome = record_red_flag(programme_state(member) or state, today=day, urgency=urgency)
        store_state(member, outcome.state)
        decisions = outcome.decisions
    else:  # during onboarding: no programme yet, or one not started; clearance starts again
        member.programme = None
        member.onboarding_step = None
        member.status = Status.STOPPED_RED_FLAG.value
        decisions = (Decision(DecisionKind.RED_FLAG, coaching_reasons.red_flag(urgency)),)
    member.red_flag_urgency = urgency.value
    pause_checkins.arm(member, flow, now)
    await record_decisions(session, member, decisions, day)
    await record_alert(session, member, AlertKind.RED_FLAG, day)
    reschedule(member, now)
    return [RedFlagStop(urgency, advice, await group_title(session, member))]

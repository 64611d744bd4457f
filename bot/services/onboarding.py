"""Onboarding: consent, the red-flag screen, baseline, reminder time and zone; joining a coach.

Each step's answer is written as it is given and `Member.onboarding_step` names the open
question, so onboarding resumes exactly where it was after a restart, and a button from a step
already answered is recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import (
    ActivityLevel,
    DecisionKind,
    Prescription,
    Status,
    estimate_minutes,
    plan_session,
    start_programme,
)
from bot.coaching.content import Equipment
from bot.db.models import CoachGroup, Member
from bot.services import symptoms
from bot.services.buttons import JoinPress, Press, Toggle
from bot.services.conversation_machine import Draft, new_draft, set_draft
from bot.services.members import (
    Flow,
    Person,
    Reply,
    TypedAnswer,
    active_group,
    find_member,
    group_title,
    programme_state,
    record_decisions,
    store_state,
    today_for,
    zone_of,
)
from bot.services.questions import (
    SCREEN,
    AskActivity,
    AskBaselinePain,
    AskConsent,
    AskEquipment,
    AskReminderTime,
    AskTimezone,
    ButtonExpired,
    ChooseTimezone,
    ConfirmTimezone,
    EquipmentTicked,
    MovedOn,
    NotUnderstood,
    Question,
    Step,
    current_question,
    item_of,
    onboarding_question,
    screen_question,
    training_on,
)
from bot.services.reminders.schedule import reschedule

# ---- what onboarding tells the member, besides its questions --------------------------------


@dataclass(frozen=True)
class LinkInvalid:
    """The coach link's code is unknown or its group no longer active."""


@dataclass(frozen=True)
class Declined:
    """No consent: nothing is kept but the refusal."""


@dataclass(frozen=True)
class ScreenClear:
    """No red flag: on to the baseline questions."""


@dataclass(frozen=True)
class PlannedExercise:
    name: str
    prescription: Prescription


@dataclass(frozen=True)
class ProgrammeReady:
    """Right after the baseline: the starting exercises, and any left out for lack of kit."""

    exercises: tuple[str, ...]
    left_out: tuple[str, ...]


@dataclass(frozen=True)
class Enrolled:
    """Onboarding done: the plan for today and when the first reminder comes."""

    phase_number: int
    phase_title: str
    phase_summary: str
    today: tuple[PlannedExercise, ...]
    minutes: int
    next_reminder: datetime | None  # in the member's zone
    local_now: datetime


@dataclass(frozen=True)
class JoinOffer:
    group_id: int
    group_title: str
    current_group: str | None


@dataclass(frozen=True)
class Joined:
    group_title: str
    previous_group: str | None


@dataclass(frozen=True)
class JoinDeclined:
    group_title: str


@dataclass(frozen=True)
class AlreadyInGroup:
    group_title: str


@dataclass(frozen=True)
class Overview:
    """`/start` for someone already enrolled: where they are, nothing reset."""

    first_name: str
    status: str
    phase_number: int | None
    phase_title: str | None
    next_reminder: datetime | None  # in the member's zone
    local_now: datetime
    session_status: str | None  # today's session, None before it is started
    session_position: int
    session_total: int
    coach_group: str | None


# ---- /start ---------------------------------------------------------------------------------


async def start(
    session: AsyncSession, flow: Flow, person: Person, code: str | None, now: datetime
) -> list[Reply]:
    """Begin, carry on, or show where the member is; a coach code offers that group."""
    member = await find_member(session, person.user_id)
    group = await _group_by_code(session, code) if code else None
    notes: list[Reply] = [LinkInvalid()] if code and group is None else []
    if member is None or member.onboarding_step in (Step.CONSENT, Step.DECLINED):
        return [*notes, await _ask_consent(session, member, person, code, group)]
    offer = (
        []
        if group is None
        else [_join_offer_or_note(member, group, await group_title(session, member))]
    )
    if member.onboarding_step is not None:
        question = await onboarding_question(session, flow, member, now)
        return [*notes, *offer, question]
    return [*notes, await overview(session, flow, member, now), *offer]


async def _ask_consent(
    session: AsyncSession,
    member: Member | None,
    person: Person,
    code: str | None,
    group: CoachGroup | None,
) -> AskConsent:
    """Only what the conversation needs is kept before consent: who, where, which group."""
    if member is None:
        member = Member(
            telegram_user_id=person.user_id,
            chat_id=person.chat_id,
            first_name=person.first_name,
            status=Status.ONBOARDING.value,
            draft={},
        )
        session.add(member)
    member.onboarding_step = Step.CONSENT.value
    member.first_name = person.first_name
    if code is None:  # a plain /start keeps the group of an earlier link, if still active
        group = await active_group(session, Draft.of(member).consent_group)
    new_draft(member, consent_group=_id(group))
    return AskConsent(person.first_name, _id(group), None if group is None else group.title)


async def _group_by_code(session: AsyncSession, code: str) -> CoachGroup | None:
    statement = select(CoachGroup).where(
        CoachGroup.invite_code == code[:64], CoachGroup.is_active.is_(True)
    )
    return (await session.execute(statement)).scalar_one_or_none()


def _id(group: CoachGroup | None) -> int | None:
    return None if group is None else group.id


def _join_offer_or_note(
    member: Member, group: CoachGroup, current: str | None
) -> JoinOffer | AlreadyInGroup:
    if member.coach_group_id == group.id:
        return AlreadyInGroup(group.title)
    set_draft(member, invite=group.id)  # the only group a join button may name
    return JoinOffer(group.id, group.title, current)


async def overview(session: AsyncSession, flow: Flow, member: Member, now: datetime) -> Overview:
    state = programme_state(member)
    phase = None if state is None else flow.library.phase(state.phase)
    zone = zone_of(member, flow.default_zone)
    training = await training_on(session, member, now, flow.default_zone)
    return Overview(
        first_name=member.first_name,
        status=member.status,
        phase_number=None if phase is None else phase.number,
        phase_title=None if phase is None else phase.title,
        next_reminder=_local(member.next_reminder_at, zone),
        local_now=now.astimezone(zone),
        session_status=None if training is None else training.status,
        session_position=0 if training is None else training.position,
        session_total=0 if training is None else len(training.plan),
        coach_group=await group_title(session, member),
    )


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


# ---- joining a coach group by link ----------------------------------------------------------


async def join_group(
    session: AsyncSession, flow: Flow, user_id: int, press: JoinPress, now: datetime
) -> list[Reply]:
    """Share with this group (replacing any other) only on an explicit yes, and only with the
    group of the member's own pending invite: a group id in forged callback data is refused."""
    member = await find_member(session, user_id)
    if member is None or member.consent_at is None:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    if Draft.of(member).invite != press.group_id:
        return [ButtonExpired(), *await current_question(session, flow, member, now)]
    set_draft(member, invite=None)
    group = await active_group(session, press.group_id)
    if group is None:
        return [LinkInvalid()]
    if member.coach_group_id == group.id:
        return [AlreadyInGroup(group.title)]
    if not press.accept:
        return [JoinDeclined(group.title)]
    previous = await group_title(session, member)
    member.coach_group_id = group.id
    member.coach_consent_at = now
    follow_up = await current_question(session, flow, member, now) if member.onboarding_step else []
    return [Joined(group.title, previous), *follow_up]


# ---- answers ----------------------------------------------------------------------------------


async def press(
    session: AsyncSession, flow: Flow, user_id: int, pressed: Press | Toggle, now: datetime
) -> list[Reply]:
    """A button on an onboarding question; stale unless it belongs to the open step."""
    member = await find_member(session, user_id)
    if member is None or member.onboarding_step != pressed.question:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    if isinstance(pressed, Toggle):
        selected = set(member.equipment) ^ {pressed.item.value}
        member.equipment = sorted(selected)
        return [EquipmentTicked(frozenset(Equipment(i) for i in selected), "onb")]
    answer = _button_answer(member, pressed)
    if answer is None:
        return [MovedOn(), *await current_question(session, flow, member, now)]
    return await answer_typed(session, flow, member, answer, now)


def _button_answer(member: Member, pressed: Press) -> TypedAnswer | None:
    """The answer a (parsed) button stands for, or None when it was made for an older version
    of the open question: consent for another group, or another zone."""
    draft = Draft.of(member)
    match pressed.question:
        case Step.CONSENT if pressed.detail != str(draft.consent_group or 0):
            return None
        case Step.ZONE_OK if pressed.detail != draft.zone:
            return None
        case Step.EQUIPMENT:
            return TypedAnswer(equipment=frozenset(Equipment(i) for i in member.equipment))
    return pressed.answer


async def answer_typed(
    session: AsyncSession, flow: Flow, member: Member, answer: TypedAnswer, now: datetime
) -> list[Reply]:
    """Apply an answer to the open onboarding step and ask the next question."""
    step = member.onboarding_step
    question = await onboarding_question(session, flow, member, now)
    if step == Step.DECLINED or not isinstance(question, Question):
        return [question]
    item = item_of(step, SCREEN)
    if item is not None:
        if answer.yes_no is None:
            return [NotUnderstood(question)]
        return await _screen_answer(session, flow, member, item, answer.yes_no, now)
    match step:
        case Step.CONSENT if answer.yes_no is not None:
            return await _consent(session, flow, member, answer.yes_no, now)
        case Step.PAIN if answer.pain is not None:
            member.baseline_pain = answer.pain
            member.onboarding_step = Step.ACTIVITY.value
            return [AskActivity()]
        case Step.ACTIVITY if answer.activity is not None:
            member.activity_level = answer.activity.value
            member.equipment = []
            member.onboarding_step = Step.EQUIPMENT.value
            return [AskEquipment(frozenset(), "onb")]
        case Step.EQUIPMENT if answer.equipment is not None:
            return await _start_programme(session, flow, member, answer.equipment, now)
        case Step.TIME if answer.at is not None:
            member.reminder_time = answer.at
            member.onboarding_step = Step.ZONE.value
            return [AskTimezone(flow.default_zone, "onb")]
        case Step.ZONE if answer.zone_choices:
            return [ChooseTimezone(answer.zone_choices, "onb")]
        case Step.ZONE if answer.zone is not None:
            set_draft(member, zone=answer.zone)
            member.onboarding_step = Step.ZONE_OK.value
            return [ConfirmTimezone(answer.zone, now.astimezone(ZoneInfo(answer.zone)), "onb")]
        case Step.ZONE_OK if answer.yes_no is True:
            return await _finish(session, flow, member, now)
        case Step.ZONE_OK if answer.yes_no is False:
            member.onboarding_step = Step.ZONE.value
            set_draft(member, zone=None)
            return [AskTimezone(flow.default_zone, "onb")]
    return [NotUnderstood(question)]


async def _consent(
    session: AsyncSession, flow: Flow, member: Member, agreed: bool, now: datetime
) -> list[Reply]:
    group_id = Draft.of(member).consent_group
    new_draft(member)
    if not agreed:
        # Keep only what remembers the refusal: the Telegram ids, nothing they told us.
        member.onboarding_step = Step.DECLINED.value
        member.first_name = ""
        return [Declined()]
    member.consent_at = now
    first = flow.screen.next_item(None, ())
    assert first is not None
    member.onboarding_step = SCREEN + first.id
    group = await active_group(session, group_id)
    if group is not None:
        member.coach_group_id = group.id
        member.coach_consent_at = now
    notes: list[Reply] = [LinkInvalid()] if group_id is not None and group is None else []
    return [*notes, screen_question(flow.screen, first.id, ())]


async def _screen_answer(
    session: AsyncSession, flow: Flow, member: Member, item: str, present: bool, now: datetime
) -> list[Reply]:
    """Every item is asked; only after the last does the most urgent answer decide."""
    screen = flow.screen
    yes = tuple(i for i in Draft.of(member).screen_yes if i != item) + ((item,) if present else ())
    set_draft(member, screen_yes=yes)
    upcoming = screen.next_item(item, yes)
    if upcoming is not None:
        member.onboarding_step = SCREEN + upcoming.id
        return [screen_question(screen, upcoming.id, yes)]
    set_draft(member, screen_yes=())
    member.screened_at = now
    urgency = screen.outcome(yes)
    if urgency is None:
        member.onboarding_step = Step.PAIN.value
        return [ScreenClear(), AskBaselinePain()]
    if not urgency.stops_programme:
        member.onboarding_step = Step.PAIN.value
        return [*await symptoms.confirmed(session, flow, member, urgency, now), AskBaselinePain()]
    return await symptoms.confirmed(session, flow, member, urgency, now)


async def _start_programme(
    session: AsyncSession,
    flow: Flow,
    member: Member,
    equipment: frozenset[Equipment],
    now: datetime,
) -> list[Reply]:
    """The starting level from the baseline; the status stays 'onboarding' until the zone is set."""
    assert member.baseline_pain is not None and member.activity_level is not None
    day = today_for(member, now, flow.default_zone)
    outcome = start_programme(
        flow.library,
        baseline_pain=member.baseline_pain,
        activity=ActivityLevel(member.activity_level),
        equipment=equipment,
        today=day,
    )
    member.equipment = sorted(item.value for item in equipment)
    member.programme = outcome.state.to_json()
    member.onboarding_step = Step.TIME.value
    await record_decisions(session, member, outcome.decisions, day)
    library = flow.library
    names = tuple(
        library.exercise_name(p.variation_id, p.ladder_id)
        for p in outcome.state.prescriptions.values()
    )
    left_out = tuple(d.reason for d in outcome.decisions if d.kind is DecisionKind.EQUIPMENT)
    return [ProgrammeReady(names, left_out), AskReminderTime("onb")]


async def _finish(session: AsyncSession, flow: Flow, member: Member, now: datetime) -> list[Reply]:
    state = programme_state(member)
    assert state is not None
    member.timezone = Draft.of(member).zone
    new_draft(member)
    member.onboarding_step = None
    member.onboarded_at = now
    store_state(member, state)
    reschedule(member, now)
    zone = zone_of(member, flow.default_zone)
    today = today_for(member, now, flow.default_zone)
    plan = plan_session(state, flow.library, today)
    phase = flow.library.phase(state.phase)
    return [
        Enrolled(
            phase_number=phase.number,
            phase_title=phase.title,
            phase_summary=phase.summary,
            today=tuple(
                PlannedExercise(flow.library.exercise_name(p.variation_id, p.ladder_id), p)
                for p in plan
            ),
            minutes=estimate_minutes(plan, flow.library),
            next_reminder=_local(member.next_reminder_at, zone),
            local_now=now.astimezone(zone),
        )
    ]

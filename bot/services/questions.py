"""Every question the bot can have open with a member, and which one is open right now.

The open question is read from the database only (the member's `awaiting`, then
`onboarding_step`, then the position of today's session; see `conversation_machine`), so after a
restart the next answer lands on the same question, and a button from an old message can be
recognised as stale and the current question shown again. The moves every flow shares live here
too: `return_to_question` after an interruption, and `on_command`, run ahead of every member
command, which says what happens to the question that is open.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Prescription
from bot.coaching.content import Equipment, Library, Variation
from bot.coaching.screening import Screen
from bot.db.models import Member, TrainingSession
from bot.services.conversation_machine import Draft, new_draft
from bot.services.members import Flow, Reply, active_group, find_member, is_active, today_for

Scope = Literal["onb", "set"]  # the callback prefix: onboarding or /settings
SCREEN = "screen:"  # Member.onboarding_step for one screen item: "screen:<item id>"
SYMPTOM = "symptom:"  # Member.awaiting while confirming a reported symptom: "symptom:<item id>"


class Step(StrEnum):
    """`Member.onboarding_step`: the open onboarding question (the screen is `screen:<item>`)."""

    CONSENT = "consent"
    DECLINED = "declined"
    PAIN = "pain"
    ACTIVITY = "activity"
    EQUIPMENT = "equipment"
    TIME = "time"
    ZONE = "zone"
    ZONE_OK = "zone_ok"


class Awaiting(StrEnum):
    """`Member.awaiting`: the open settings or /resume question (or `symptom:<item>`)."""

    TIME = "time"
    ZONE = "zone"
    ZONE_OK = "zone_ok"
    EQUIPMENT = "equipment"
    RESUME_SCREEN = "resume_screen"  # the short re-screen before the /resume check
    RESUME_PAIN = "resume_pain"
    RESUME_PROFESSIONAL = "resume_professional"
    RESUME_SETTLED = "resume_settled"
    WEEKLY_SCREEN = "weekly_screen"  # the short re-screen once a week, before a session


class SessionStatus(StrEnum):
    """`TrainingSession.status`."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    STOPPED = "stopped"  # the member stopped early, or the day ended with it open
    STOPPED_FOR_PAIN = "stopped_for_pain"


class SessionStep(StrEnum):
    """`TrainingSession.step`: the open question of the exercise at `position`."""

    REPS = "reps"
    HOLD = "hold"
    PAIN = "pain"
    STOP_PAIN = "stop_pain"  # the pain question after stopping for pain
    STOP_WHY = "stop_why"
    SKIP_WHY = "skip_why"
    RED_PAIN = "red_pain"


def item_of(stored: str | None, prefix: str) -> str | None:
    """The item id in "screen:<id>" or "symptom:<id>", else None."""
    if stored is None or not stored.startswith(prefix):
        return None
    return stored[len(prefix) :] or None


# ---- onboarding and settings questions ------------------------------------------------------


@dataclass(frozen=True)
class AskConsent:
    first_name: str
    group_id: int | None
    group_title: str | None


@dataclass(frozen=True)
class AskScreenItem:
    """One item of the onboarding screen; every item is asked before the result decides."""

    item: str
    question: str
    number: int  # 1-based
    total: int


@dataclass(frozen=True)
class AskSymptom:
    """Confirming a symptom the member reported (typed, /symptom or the ⚠️ button)."""

    item: str
    question: str
    number: int  # 1-based among the items to confirm
    total: int


@dataclass(frozen=True)
class AskBaselinePain:
    pass


@dataclass(frozen=True)
class AskActivity:
    pass


@dataclass(frozen=True)
class AskEquipment:
    selected: frozenset[Equipment]
    scope: Scope


@dataclass(frozen=True)
class EquipmentTicked:
    """A tick or untick on the equipment question, which stays open until Done."""

    selected: frozenset[Equipment]
    scope: Scope


@dataclass(frozen=True)
class AskReminderTime:
    scope: Scope


@dataclass(frozen=True)
class AskTimezone:
    default_zone: str
    scope: Scope


@dataclass(frozen=True)
class ChooseTimezone:
    """A typed UTC offset: the real zones that have it now, by city, to tap (the zone question
    stays open, so a typed city is still read)."""

    zones: tuple[str, ...]
    scope: Scope


@dataclass(frozen=True)
class ConfirmTimezone:
    zone: str
    local_now: datetime
    scope: Scope


@dataclass(frozen=True)
class AskRescreen:
    """The short form in one message: one tap "None of these", or go through them one by one."""

    questions: tuple[str, ...]
    weekly: bool  # once a week before a session, rather than at /resume


@dataclass(frozen=True)
class AskResumePain:
    pass


@dataclass(frozen=True)
class AskResumeProfessional:
    pass


@dataclass(frozen=True)
class AskResumeSettled:
    pass


@dataclass(frozen=True)
class AskPauseCheckin:
    """Some days into a pain or red-flag pause, at the reminder time: how is the back now?"""

    number: int  # which check-in of this pause, 1-based (its buttons carry it)
    first_name: str


# ---- session questions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseCard:
    """How to do the exercise: shown before its first question."""

    number: int
    total: int
    variation: Variation
    prescription: Prescription


@dataclass(frozen=True)
class AskReps:
    session_id: int
    position: int
    exercise: str
    target: int
    per_side: bool
    sets: int = 1


@dataclass(frozen=True)
class AskHold:
    session_id: int
    position: int
    exercise: str
    sets: int
    hold_seconds: int
    per_side: bool


@dataclass(frozen=True)
class AskPain:
    session_id: int
    position: int
    exercise: str
    step: str = "pain"  # "stop_pain" after "Stop for today" -> pain: the stop counts for pain


@dataclass(frozen=True)
class AskStopReason:
    """ "Stop for today" asks why: the answer decides what the stop means."""

    session_id: int
    position: int


@dataclass(frozen=True)
class AskSkipReason:
    session_id: int
    position: int
    exercise: str


@dataclass(frozen=True)
class OfferAfterRedPain:
    """Pain in the red but below the stop level: stop, carry on easier, or skip the rest."""

    session_id: int
    position: int
    pain: int


Question = (
    AskConsent
    | AskScreenItem
    | AskSymptom
    | AskBaselinePain
    | AskActivity
    | AskEquipment
    | AskReminderTime
    | AskTimezone
    | ConfirmTimezone
    | AskRescreen
    | AskResumePain
    | AskResumeProfessional
    | AskResumeSettled
    | AskPauseCheckin
    | AskReps
    | AskHold
    | AskPain
    | AskStopReason
    | AskSkipReason
    | OfferAfterRedPain
)


# ---- what surrounds a question --------------------------------------------------------------


@dataclass(frozen=True)
class NotUnderstood:
    """The answer did not fit: say what is expected, and offer the question's buttons again."""

    question: Question


@dataclass(frozen=True)
class MovedOn:
    """A button from an old message: the question it belonged to is no longer open."""


@dataclass(frozen=True)
class NothingOpen:
    """Text with no open question: point to what the member can do."""

    enrolled: bool


@dataclass(frozen=True)
class SymptomNoticed:
    """Typed text mentioned a symptom: say so, then ask about it (the text is not kept)."""


@dataclass(frozen=True)
class SymptomCheck:
    """/symptom or the ⚠️ button: the questions that follow go through the urgent symptoms."""


@dataclass(frozen=True)
class QuestionClosed:
    """A command replaced this open question; nothing it asked about was changed."""

    question: Question


@dataclass(frozen=True)
class SessionKeptOpen:
    """A command while today's session has a question open: the session waits, unchanged."""

    number: int  # 1-based, the exercise the member is on
    total: int


@dataclass(frozen=True)
class SymptomFirst:
    """A command while a symptom question is open: the safety question comes first."""


@dataclass(frozen=True)
class ButtonExpired:
    """Callback data no button of this bot could carry for the open question (out of range,
    forged, or from a much older version): nothing changes, the open question is shown."""


@dataclass(frozen=True)
class NotStarted:
    """Someone the bot has never talked to."""


@dataclass(frozen=True)
class DeclinedBefore:
    """Someone who said no to storing their answers: nothing to answer until /start."""


# ---- finding the open question --------------------------------------------------------------


async def training_on(
    session: AsyncSession, member: Member, now: datetime, default_zone: str
) -> TrainingSession | None:
    """Today's session in the member's own calendar, whatever its status."""
    statement = select(TrainingSession).where(
        TrainingSession.member_id == member.id,
        TrainingSession.local_date == today_for(member, now, default_zone),
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def open_training(
    session: AsyncSession, member: Member, now: datetime, default_zone: str
) -> TrainingSession | None:
    """Today's session while it is still in progress and the programme is active."""
    training = await training_on(session, member, now, default_zone)
    if training is None or training.status != SessionStatus.IN_PROGRESS or not is_active(member):
        return None
    return training


def planned(training: TrainingSession, position: int) -> Prescription:
    return Prescription.from_json(training.plan[position])


def exercise_card(training: TrainingSession, library: Library) -> ExerciseCard | None:
    """None for a variation content no longer has (until the start-up job moves the member)."""
    prescription = planned(training, training.position)
    variation = library.find_variation(prescription.variation_id)
    if variation is None:
        return None
    return ExerciseCard(
        number=training.position + 1,
        total=len(training.plan),
        variation=variation,
        prescription=prescription,
    )


def session_question(training: TrainingSession, library: Library) -> Question:
    """The open question of an in-progress session, from its position and step."""
    prescription = planned(training, training.position)
    name = library.exercise_name(prescription.variation_id, prescription.ladder_id)
    where = (training.id, training.position)
    match training.step:
        case SessionStep.PAIN | SessionStep.STOP_PAIN:
            return AskPain(*where, name, training.step)
        case SessionStep.STOP_WHY:
            return AskStopReason(*where)
        case SessionStep.SKIP_WHY:
            return AskSkipReason(*where, name)
        case SessionStep.RED_PAIN:
            return OfferAfterRedPain(*where, training.max_pain or 0)
    if prescription.hold_seconds is not None:
        return AskHold(
            *where, name, prescription.sets, prescription.hold_seconds, prescription.per_side
        )
    return AskReps(*where, name, prescription.reps or 0, prescription.per_side, prescription.sets)


def screen_question(screen: Screen, item_id: str, yes: Collection[str]) -> AskScreenItem:
    item = screen.item(item_id)
    asked = [i.id for i in screen.items if i.only_if is None or i.only_if in yes]
    number = asked.index(item_id) + 1 if item_id in asked else len(asked)
    return AskScreenItem(item.id, item.question, number, len(asked))


def rescreen(screen: Screen, *, weekly: bool) -> AskRescreen:
    return AskRescreen(tuple(item.question for item in screen.short_form()), weekly)


def symptom_question(screen: Screen, item_id: str, items: Sequence[str]) -> AskSymptom:
    number = items.index(item_id) + 1 if item_id in items else 1
    return AskSymptom(item_id, screen.item(item_id).question, number, max(len(items), 1))


async def onboarding_question(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> Question | DeclinedBefore:
    draft = Draft.of(member)
    item = item_of(member.onboarding_step, SCREEN)
    if item is not None:
        return screen_question(flow.screen, item, draft.screen_yes)
    match member.onboarding_step:
        case Step.CONSENT:
            group = await active_group(session, draft.consent_group)
            return AskConsent(
                member.first_name,
                None if group is None else group.id,
                None if group is None else group.title,
            )
        case Step.PAIN:
            return AskBaselinePain()
        case Step.ACTIVITY:
            return AskActivity()
        case Step.EQUIPMENT:
            return AskEquipment(frozenset(Equipment(item) for item in member.equipment), "onb")
        case Step.TIME:
            return AskReminderTime("onb")
        case Step.ZONE:
            return AskTimezone(flow.default_zone, "onb")
        case Step.ZONE_OK if draft.zone is not None:
            return ConfirmTimezone(draft.zone, now.astimezone(ZoneInfo(draft.zone)), "onb")
        case Step.ZONE_OK:
            member.onboarding_step = Step.ZONE.value
            return AskTimezone(flow.default_zone, "onb")
    return DeclinedBefore()


def awaited_question(member: Member, flow: Flow, now: datetime) -> Question | None:
    """The open symptom, settings or /resume question, if any."""
    draft = Draft.of(member)
    item = item_of(member.awaiting, SYMPTOM)
    if item is not None:
        return symptom_question(flow.screen, item, draft.symptoms)
    match member.awaiting:
        case Awaiting.TIME:
            return AskReminderTime("set")
        case Awaiting.ZONE:
            return AskTimezone(flow.default_zone, "set")
        case Awaiting.ZONE_OK if draft.zone is not None:
            return ConfirmTimezone(draft.zone, now.astimezone(ZoneInfo(draft.zone)), "set")
        case Awaiting.EQUIPMENT:
            return AskEquipment(frozenset(Equipment(item) for item in draft.kit), "set")
        case Awaiting.RESUME_SCREEN | Awaiting.WEEKLY_SCREEN:
            return rescreen(flow.screen, weekly=member.awaiting == Awaiting.WEEKLY_SCREEN)
        case Awaiting.RESUME_PAIN:
            return AskResumePain()
        case Awaiting.RESUME_PROFESSIONAL:
            return AskResumeProfessional()
        case Awaiting.RESUME_SETTLED:
            return AskResumeSettled()
    member.awaiting = None  # nothing valid is open: an unknown value never blocks the member
    return None


async def current_question(
    session: AsyncSession, flow: Flow, member: Member | None, now: datetime
) -> list[Reply]:
    """What the member is being asked right now, ready to show again."""
    if member is None:
        return [NotStarted()]
    if member.awaiting is not None:
        awaited = awaited_question(member, flow, now)
        if awaited is not None:
            return [awaited]
    if member.onboarding_step is not None:
        return [await onboarding_question(session, flow, member, now)]
    training = await open_training(session, member, now, flow.default_zone)
    if training is not None:
        return [session_question(training, flow.library)]
    return [NothingOpen(enrolled=member.onboarded_at is not None)]


# ---- the two moves every flow shares --------------------------------------------------------


async def return_to_question(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> list[Reply]:
    """Back to the exact question the member was on before an interruption (a symptom check):
    the question put aside in `awaiting` comes back, onboarding and session steps never moved."""
    draft = Draft.of(member)
    member.awaiting = draft.interrupted
    draft.save(member, symptoms=(), interrupted=None)
    return await current_question(session, flow, member, now)


# Commands that deal with today's open session themselves: resume it, close it, interrupt it
# (and come back), or show where it is; any other command says the session waits.
SESSION_COMMANDS = frozenset({"today", "pause", "symptom", "start"})


async def on_command(
    session: AsyncSession, flow: Flow, user_id: int, command: str, now: datetime
) -> tuple[list[Reply], bool]:
    """Before any member command: what happens to the question that is open, said once, here,
    for every command (`handlers.basics` runs this ahead of each). True: the command waits.

    A symptom question is safety first: asked again, the command waits. A settings or resume
    question is closed, saying so. Today's open session waits, unchanged, saying so. An
    onboarding question is each command's own to show (most answer with it).
    """
    member = await find_member(session, user_id)
    if member is None:
        return [], False
    waiting = await before_command(session, flow, member, now)
    if waiting is not None:
        return waiting, True
    if member.onboarding_step is not None:
        return [], False
    notes = close_open_question(member, flow, now)
    if command not in SESSION_COMMANDS:
        notes += await session_kept_open(session, flow, member, now)
    return notes, False


async def before_command(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> list[Reply] | None:
    """A command arrived while a question may be open: say what happens to that question.

    A symptom question is safety first: it is asked again and the command waits (None is
    returned when the command may go ahead). A settings or resume question is closed, saying so.
    """
    if item_of(member.awaiting, SYMPTOM) is not None:
        return [SymptomFirst(), *await current_question(session, flow, member, now)]
    return None


async def expired_button(
    session: AsyncSession, flow: Flow, user_id: int, now: datetime
) -> list[Reply]:
    """Callback data that no button for the open question carries: nothing changes."""
    member = await find_member(session, user_id)
    return [ButtonExpired(), *await current_question(session, flow, member, now)]


def start_symptom_check(member: Member, flow: Flow, items: Sequence[str]) -> list[Reply]:
    """Ask these screen items one at a time, putting aside any settings or resume question
    (`return_to_question` brings it back after the last no)."""
    draft = Draft.of(member)
    already = item_of(member.awaiting, SYMPTOM) is not None
    interrupted = draft.interrupted if already else member.awaiting
    draft.save(member, symptoms=tuple(items), interrupted=interrupted)
    member.awaiting = SYMPTOM + items[0]
    return [symptom_question(flow.screen, items[0], items)]


async def session_kept_open(
    session: AsyncSession, flow: Flow, member: Member, now: datetime
) -> list[Reply]:
    """For a command that leaves today's open session as it is: say so (or nothing)."""
    training = await open_training(session, member, now, flow.default_zone)
    if training is None:
        return []
    return [SessionKeptOpen(training.position + 1, len(training.plan))]


def close_open_question(member: Member, flow: Flow, now: datetime) -> list[Reply]:
    """The settings or resume question a command replaces, closed with a note (or nothing)."""
    if member.awaiting is None:
        return []
    question = awaited_question(member, flow, now)
    member.awaiting = None
    new_draft(member)
    return [] if question is None else [QuestionClosed(question)]

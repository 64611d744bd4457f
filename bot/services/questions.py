"""Every question the bot can have open with a member, and which one is open right now.

The open question is read from the database only (the member's `onboarding_step` or `awaiting`,
or the position of today's session), so after a restart the next answer lands on the same
question, and a button from an old message can be recognised as stale and the current question
shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coaching import Prescription
from bot.coaching.content import Equipment, Library, Variation
from bot.db.models import Member, TrainingSession
from bot.services.members import Flow, Reply, active_group, is_active, today_for

RED_FLAGS = (
    "bladder_bowel",
    "saddle_numbness",
    "leg_weakness",
    "trauma",
    "fever_unwell",
    "weight_loss_cancer",
    "night_pain",
)
# Symptoms that need a doctor urgently, today, not just soon.
URGENT_RED_FLAGS = frozenset({"bladder_bowel", "saddle_numbness"})

Scope = Literal["onb", "set"]  # the callback prefix: onboarding or /settings


class Step(StrEnum):
    """`Member.onboarding_step`: the open onboarding question (red flags are `flag1`…`flag7`)."""

    CONSENT = "consent"
    DECLINED = "declined"
    PAIN = "pain"
    ACTIVITY = "activity"
    EQUIPMENT = "equipment"
    TIME = "time"
    ZONE = "zone"
    ZONE_OK = "zone_ok"


class Awaiting(StrEnum):
    """`Member.awaiting`: the open settings or /resume question after onboarding."""

    TIME = "time"
    ZONE = "zone"
    ZONE_OK = "zone_ok"
    EQUIPMENT = "equipment"
    RESUME_PAIN = "resume_pain"
    RESUME_PROFESSIONAL = "resume_professional"
    RESUME_SETTLED = "resume_settled"


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


def flag_step(number: int) -> str:
    return f"flag{number}"


def flag_number(step: str | None) -> int | None:
    """1-7 for a red-flag step, else None."""
    if step is None or not step.startswith("flag") or not step[4:].isdigit():
        return None
    number = int(step[4:])
    return number if 1 <= number <= len(RED_FLAGS) else None


# ---- onboarding and settings questions ------------------------------------------------------


@dataclass(frozen=True)
class AskConsent:
    first_name: str
    group_id: int | None
    group_title: str | None


@dataclass(frozen=True)
class AskRedFlag:
    number: int  # 1-based

    @property
    def flag(self) -> str:
        return RED_FLAGS[self.number - 1]

    @property
    def total(self) -> int:
        return len(RED_FLAGS)


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
class ConfirmTimezone:
    zone: str
    local_now: datetime
    scope: Scope


@dataclass(frozen=True)
class AskResumePain:
    pass


@dataclass(frozen=True)
class AskResumeProfessional:
    pass


@dataclass(frozen=True)
class AskResumeSettled:
    pass


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


Question = (
    AskConsent
    | AskRedFlag
    | AskBaselinePain
    | AskActivity
    | AskEquipment
    | AskReminderTime
    | AskTimezone
    | ConfirmTimezone
    | AskResumePain
    | AskResumeProfessional
    | AskResumeSettled
    | AskReps
    | AskHold
    | AskPain
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


def exercise_card(training: TrainingSession, library: Library) -> ExerciseCard:
    prescription = planned(training, training.position)
    return ExerciseCard(
        number=training.position + 1,
        total=len(training.plan),
        variation=library.variation(prescription.variation_id),
        prescription=prescription,
    )


def session_question(training: TrainingSession, library: Library) -> Question:
    """The open question of an in-progress session, from its position and step."""
    prescription = planned(training, training.position)
    name = library.variation(prescription.variation_id).name
    if training.step == SessionStep.PAIN:
        return AskPain(training.id, training.position, name)
    if prescription.hold_seconds is not None:
        return AskHold(
            training.id,
            training.position,
            name,
            prescription.sets,
            prescription.hold_seconds,
            prescription.per_side,
        )
    return AskReps(
        training.id, training.position, name, prescription.reps or 0, prescription.per_side
    )


async def onboarding_question(
    session: AsyncSession, member: Member, now: datetime, default_zone: str
) -> Question | DeclinedBefore:
    step = member.onboarding_step
    number = flag_number(step)
    if number is not None:
        return AskRedFlag(number)
    match step:
        case Step.CONSENT:
            group = await active_group(session, member.draft.get("group_id"))
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
            return AskTimezone(default_zone, "onb")
        case Step.ZONE_OK:
            zone = member.draft["zone"]
            return ConfirmTimezone(zone, now.astimezone(ZoneInfo(zone)), "onb")
    return DeclinedBefore()


def awaited_question(member: Member, now: datetime, default_zone: str) -> Question | None:
    """The open settings or /resume question, if any."""
    match member.awaiting:
        case Awaiting.TIME:
            return AskReminderTime("set")
        case Awaiting.ZONE:
            return AskTimezone(default_zone, "set")
        case Awaiting.ZONE_OK:
            zone = member.draft["zone"]
            return ConfirmTimezone(zone, now.astimezone(ZoneInfo(zone)), "set")
        case Awaiting.EQUIPMENT:
            selected = frozenset(Equipment(item) for item in member.draft.get("equipment", []))
            return AskEquipment(selected, "set")
        case Awaiting.RESUME_PAIN:
            return AskResumePain()
        case Awaiting.RESUME_PROFESSIONAL:
            return AskResumeProfessional()
        case Awaiting.RESUME_SETTLED:
            return AskResumeSettled()
    return None


async def current_question(
    session: AsyncSession, flow: Flow, member: Member | None, now: datetime
) -> list[Reply]:
    """What the member is being asked right now, ready to show again."""
    if member is None:
        return [NotStarted()]
    if member.onboarding_step is not None:
        return [await onboarding_question(session, member, now, flow.default_zone)]
    awaited = awaited_question(member, now, flow.default_zone)
    if awaited is not None:
        return [awaited]
    training = await open_training(session, member, now, flow.default_zone)
    if training is not None:
        return [session_question(training, flow.library)]
    return [NothingOpen(enrolled=member.onboarded_at is not None)]

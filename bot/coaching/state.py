"""The member's programme as one immutable value, and the values the coaching functions trade in.

`ProgrammeState` is everything the rules need to decide the next step, kept small and bounded so
it fits in one JSON column; every coaching function takes a state and returns a new one in an
`Outcome`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from bot.coaching.content import Equipment
from bot.coaching.pain import check_pain

# Version 2 (policy v2) adds the dated pain log, per-ladder pacing, reps done and the morning
# answer; version 1 documents are still read (see ProgrammeState.from_json).
STATE_VERSION = 2
# Bounds on the history kept: the largest values content.Rules and PhaseAdvance allow for
# progress_after_green_sessions (10), pause_red_sessions_window (20), recent_sessions (14) and
# pain_persists_weeks (8 weeks of daily sessions, plus the week before them).
RECORDS_KEPT_PER_LADDER = 10
SESSION_PAINS_KEPT = 20
PAIN_LOG_KEPT = 63


class Status(StrEnum):
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED_PAIN = "paused_pain"
    PAUSED_BY_MEMBER = "paused_by_member"
    STOPPED_RED_FLAG = "stopped_red_flag"


class Checkin(StrEnum):
    """The next-morning answer: how the back feels compared with before the last session."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class ActivityLevel(StrEnum):
    LOW = "low"  # mostly sitting
    SOME = "some"  # walks most days
    ACTIVE = "active"  # exercises regularly


class SkipReason(StrEnum):
    """Why the member skipped an exercise: each counts differently (docs/coaching-rules.md)."""

    HURTS = "hurts"
    CANT_DO = "cant_do"
    NO_TIME = "no_time"
    OTHER = "other"


class DecisionKind(StrEnum):
    START = "start"
    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"
    STOP_SESSION = "stop_session"
    PAUSE = "pause"
    RED_FLAG = "red_flag"
    EASIER_AFTER_BREAK = "easier_after_break"
    PHASE_UP = "phase_up"
    RESUME = "resume"
    RESUME_DECLINED = "resume_declined"
    MEMBER_PAUSE = "member_pause"
    EQUIPMENT = "equipment"
    # Pain has stayed amber or above for weeks: review advised, the coach is alerted.
    NOT_IMPROVING = "not_improving"
    # The same exercise skipped session after session: swapped for an easier one, coach alerted.
    KEEPS_SKIPPING = "keeps_skipping"
    # A break long enough (or a pain pause) to restart in an earlier phase.
    PHASE_BACK = "phase_back"
    # Every deload_every_steps step-ups of an exercise, one step back for a lighter week.
    LIGHTER_WEEK = "lighter_week"
    # The member asked for easier sessions during a flare-up (/flare).
    FLARE_EASE = "flare_ease"


@dataclass(frozen=True)
class Prescription:
    """What to do for one ladder: a variation and its dose (reps per side when `per_side`)."""

    ladder_id: str
    variation_id: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "ladder_id": self.ladder_id,
            "variation_id": self.variation_id,
            "sets": self.sets,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
            "per_side": self.per_side,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prescription:
        return cls(
            ladder_id=data["ladder_id"],
            variation_id=data["variation_id"],
            sets=data["sets"],
            reps=data["reps"],
            hold_seconds=data["hold_seconds"],
            per_side=data["per_side"],
        )


@dataclass(frozen=True)
class ExerciseResult:
    """What the member reported for one exercise of a session.

    Rep exercises set `reps_done` (per side for per-side exercises), hold exercises set
    `hold_completed`. A skipped exercise sets `skipped=True`, no pain, and may keep the reps or
    hold the member reported before skipping; `skip_reason` None is read as OTHER.
    """

    ladder_id: str
    variation_id: str
    reps_done: int | None
    hold_completed: bool | None
    pain: int | None
    skipped: bool = False
    skip_reason: SkipReason | None = None

    def __post_init__(self) -> None:
        if self.skipped:
            if self.pain is not None:
                raise ValueError(f"skipped {self.variation_id}: pain must be None")
            if self.reps_done is not None and self.hold_completed is not None:
                raise ValueError(f"{self.variation_id}: give either reps_done or hold_completed")
            return
        if self.skip_reason is not None:
            raise ValueError(f"{self.variation_id}: skip_reason is only for a skipped exercise")
        if self.pain is None:
            raise ValueError(f"{self.variation_id}: pain is required unless skipped")
        check_pain(self.pain)
        if (self.reps_done is None) == (self.hold_completed is None):
            raise ValueError(f"{self.variation_id}: give either reps_done or hold_completed")


@dataclass(frozen=True)
class ExerciseRecord:
    """One exercise as done: the prescription at the time, whether it was completed, the pain,
    and the reps done (None for holds, and in records older than state version 2)."""

    prescription: Prescription
    completed: bool
    pain: int
    reps_done: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "prescription": self.prescription.to_json(),
            "completed": self.completed,
            "pain": self.pain,
            "reps_done": self.reps_done,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExerciseRecord:
        return cls(
            prescription=Prescription.from_json(data["prescription"]),
            completed=data["completed"],
            pain=data["pain"],
            reps_done=data.get("reps_done"),
        )


@dataclass(frozen=True)
class LadderPacing:
    """How one ladder has been moving: when it last stepped, steps since a lighter week, skips."""

    last_step_on: date | None = None
    steps_since_deload: int = 0
    # Sessions in a row the exercise was skipped (for any reason but "no time").
    skips_in_a_row: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "last_step_on": _iso(self.last_step_on),
            "steps_since_deload": self.steps_since_deload,
            "skips_in_a_row": self.skips_in_a_row,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LadderPacing:
        return cls(
            last_step_on=_date(data["last_step_on"]),
            steps_since_deload=data["steps_since_deload"],
            skips_in_a_row=data["skips_in_a_row"],
        )


@dataclass(frozen=True)
class Decision:
    """One coaching decision and its plain-language reason, as `/why` shows it."""

    kind: DecisionKind
    reason: str
    ladder_id: str | None = None
    from_variation: str | None = None
    to_variation: str | None = None


@dataclass(frozen=True)
class ProgrammeState:
    """Where a member is in the programme, and the recent history the rules look back on.

    Mappings are never mutated: every change builds a new state.
    """

    status: Status
    phase: int
    baseline_pain: int
    equipment: frozenset[Equipment]
    prescriptions: Mapping[str, Prescription]
    # Per ladder, the last RECORDS_KEPT_PER_LADDER exercises done, oldest first.
    history: Mapping[str, tuple[ExerciseRecord, ...]]
    # The highest pain of each recent session with at least one exercise done, oldest first.
    session_pains: tuple[int, ...]
    sessions_in_phase: int
    ladders_progressed_in_phase: frozenset[str]
    last_session_date: date | None
    last_checkin_date: date | None
    worse_checkins_in_a_row: int
    # A "worse" check-in came after the last session: the next session does not progress.
    worse_checkin_since_last_session: bool
    # The last_session_date whose following break has already been made easier (once per break).
    eased_after_session_on: date | None
    # The highest pain of each recent session with at least one exercise done, with its date,
    # oldest first: the weekly trend and "pain persists" read it.
    pain_log: tuple[tuple[date, int], ...] = ()
    # A "same" or "better" check-in came after the last session: amber may then progress.
    settled_checkin_since_last_session: bool = False
    pacing: Mapping[str, LadderPacing] = field(default_factory=dict)
    # When the member was last advised to have persisting pain reviewed.
    not_improving_advised_on: date | None = None
    # How far the break after eased_after_session_on has been eased: 1 or 2 steps, or 3 for back
    # a phase, so a break that goes on (sessions of nothing but skips) eases further as it grows.
    break_eased_level: int = 0
    # After /flare: nothing steps up in sessions up to and including this day.
    flare_until: date | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (dates as ISO strings) for the database's JSON column."""
        return {
            "version": STATE_VERSION,
            "status": self.status.value,
            "phase": self.phase,
            "baseline_pain": self.baseline_pain,
            "equipment": sorted(item.value for item in self.equipment),
            "prescriptions": {
                ladder_id: prescription.to_json()
                for ladder_id, prescription in sorted(self.prescriptions.items())
            },
            "history": {
                ladder_id: [record.to_json() for record in records]
                for ladder_id, records in sorted(self.history.items())
            },
            "session_pains": list(self.session_pains),
            "sessions_in_phase": self.sessions_in_phase,
            "ladders_progressed_in_phase": sorted(self.ladders_progressed_in_phase),
            "last_session_date": _iso(self.last_session_date),
            "last_checkin_date": _iso(self.last_checkin_date),
            "worse_checkins_in_a_row": self.worse_checkins_in_a_row,
            "worse_checkin_since_last_session": self.worse_checkin_since_last_session,
            "eased_after_session_on": _iso(self.eased_after_session_on),
            "pain_log": [[day.isoformat(), pain] for day, pain in self.pain_log],
            "settled_checkin_since_last_session": self.settled_checkin_since_last_session,
            "pacing": {
                ladder_id: pacing.to_json() for ladder_id, pacing in sorted(self.pacing.items())
            },
            "not_improving_advised_on": _iso(self.not_improving_advised_on),
            "break_eased_level": self.break_eased_level,
            "flare_until": _iso(self.flare_until),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProgrammeState:
        """The state `to_json` stored; refuses a version this code does not know.

        A version 1 document (before policy v2) reads with an empty pain log and pacing: the
        weekly rules start counting from its next session, and nothing it stored is lost.
        """
        version = data.get("version")
        if version not in (1, STATE_VERSION):
            raise ValueError(f"unknown programme state version {version!r}")
        return cls(
            status=Status(data["status"]),
            phase=data["phase"],
            baseline_pain=data["baseline_pain"],
            equipment=frozenset(Equipment(item) for item in data["equipment"]),
            prescriptions={
                ladder_id: Prescription.from_json(prescription)
                for ladder_id, prescription in data["prescriptions"].items()
            },
            history={
                ladder_id: tuple(ExerciseRecord.from_json(record) for record in records)
                for ladder_id, records in data["history"].items()
            },
            session_pains=tuple(data["session_pains"]),
            sessions_in_phase=data["sessions_in_phase"],
            ladders_progressed_in_phase=frozenset(data["ladders_progressed_in_phase"]),
            last_session_date=_date(data["last_session_date"]),
            last_checkin_date=_date(data["last_checkin_date"]),
            worse_checkins_in_a_row=data["worse_checkins_in_a_row"],
            worse_checkin_since_last_session=data["worse_checkin_since_last_session"],
            eased_after_session_on=_date(data["eased_after_session_on"]),
            pain_log=tuple(
                (date.fromisoformat(day), pain) for day, pain in data.get("pain_log", ())
            ),
            settled_checkin_since_last_session=data.get(
                "settled_checkin_since_last_session", False
            ),
            pacing={
                ladder_id: LadderPacing.from_json(pacing)
                for ladder_id, pacing in data.get("pacing", {}).items()
            },
            not_improving_advised_on=_date(data.get("not_improving_advised_on")),
            flare_until=_date(data.get("flare_until")),
            # Version 1 eased a break by one step, once.
            break_eased_level=data.get(
                "break_eased_level", 0 if data["eased_after_session_on"] is None else 1
            ),
        )


@dataclass(frozen=True)
class Outcome:
    """The new state and the decisions that led to it, in the order they were made."""

    state: ProgrammeState
    decisions: tuple[Decision, ...]

    @property
    def paused(self) -> bool:
        """True when the programme stopped for pain or a red flag (not a member's own pause)."""
        return self.state.status in (Status.PAUSED_PAIN, Status.STOPPED_RED_FLAG)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)

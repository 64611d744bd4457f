"""The exercise library, programme and coaching rules as typed, validated data.

These models are the contract between `content/` (edited by clinicians) and the coaching core:
everything the core reads about exercises and thresholds comes through them, so a typo in a YAML
file is caught at start-up, not in front of a member.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.coaching.screening import Screen

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
Sentence = Annotated[str, Field(min_length=3, max_length=400)]


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Equipment(StrEnum):
    BAND = "band"
    BLOCK_OR_STEP = "block_or_step"
    CHAIR_OR_COUNTER = "chair_or_counter"


class Position(StrEnum):
    SIDE_LYING = "side-lying"
    LYING_ON_BACK = "lying on back"
    HANDS_AND_KNEES = "hands and knees"
    STANDING = "standing"
    SEATED = "seated"


class Dose(Strict):
    """How much of an exercise: sets of a reps range, or sets of a timed hold."""

    sets: int = Field(ge=1, le=5)
    reps_min: int | None = Field(default=None, ge=1, le=30)
    reps_max: int | None = Field(default=None, ge=1, le=30)
    hold_seconds: int | None = Field(default=None, ge=5, le=120)
    per_side: bool

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dose:
        has_reps = self.reps_min is not None or self.reps_max is not None
        if has_reps == (self.hold_seconds is not None):
            raise ValueError("give either reps_min and reps_max, or hold_seconds")
        if has_reps and (self.reps_min is None or self.reps_max is None):
            raise ValueError("reps_min and reps_max go together")
        if has_reps and self.reps_min > self.reps_max:  # type: ignore[operator]
            raise ValueError("reps_min is larger than reps_max")
        return self

    @property
    def is_hold(self) -> bool:
        return self.hold_seconds is not None


class Timing(Strict):
    """How long one rep takes and what surrounds it, so a session's minutes are honest.

    A rep exercise gives `seconds_per_rep` (one rep, one side, one direction, at the tempo its
    steps ask for, holds included); a hold exercise leaves it out (the dose has the seconds).
    """

    seconds_per_rep: int | None = Field(default=None, ge=1, le=30)
    # Moves done in turn for each rep or hold: 3 for 3-way kicks, 5 for the side-lying series.
    directions: int = Field(default=1, ge=1, le=6)
    rest_seconds: int = Field(ge=0, le=180)
    # Reading the card, getting into position, changing sides and answering the questions.
    setup_seconds: int = Field(ge=0, le=300)


class Variation(Strict):
    """One rung of a ladder: a specific way to do an exercise, with its instructions and dose."""

    id: Identifier
    name: Annotated[str, Field(min_length=3, max_length=60)]
    level: int = Field(ge=1, le=10)
    phase: int = Field(ge=1, le=3)
    position: Position
    equipment: tuple[Equipment, ...] = ()
    steps: tuple[Sentence, ...] = Field(min_length=2, max_length=8)
    cues: tuple[Sentence, ...] = Field(min_length=1, max_length=5)
    mistakes: tuple[Sentence, ...] = Field(min_length=1, max_length=5)
    stop_if: tuple[Sentence, ...] = Field(min_length=1, max_length=4)
    dose: Dose
    # "seed" when the sources give this dose; "programme" when hipcoach chose it itself.
    dose_origin: Literal["seed", "programme"] = "seed"
    timing: Timing
    next: Identifier | None = None
    sources: tuple[Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")], ...] = Field(
        min_length=1
    )

    @model_validator(mode="after")
    def _timing_fits_dose(self) -> Variation:
        if self.dose.is_hold == (self.timing.seconds_per_rep is not None):
            raise ValueError(
                "timing.seconds_per_rep is for rep exercises: give it with reps, not with a hold"
            )
        return self


class Ladder(Strict):
    """An exercise family, easiest first; `start` and each variation's `next` give the order."""

    id: Identifier
    name: Annotated[str, Field(min_length=3, max_length=60)]
    summary: Sentence
    start: Identifier
    variations: tuple[Variation, ...] = Field(min_length=1)

    def ordered(self) -> tuple[Variation, ...]:
        """Variations from easiest to hardest, following the `next` links from `start`."""
        by_id = {v.id: v for v in self.variations}
        order: list[Variation] = []
        current: str | None = self.start
        while current is not None and current in by_id and by_id[current] not in order:
            order.append(by_id[current])
            current = by_id[current].next
        return tuple(order)


class PhaseAdvance(Strict):
    """When a member moves on from a phase: enough sessions, and recent ones pain-free enough."""

    min_sessions: int = Field(ge=1, le=60)
    recent_sessions: int = Field(ge=1, le=14)
    max_recent_pain: int = Field(ge=0, le=10)
    min_ladders_progressed: int = Field(ge=0, le=10)


class Phase(Strict):
    number: int = Field(ge=1, le=3)
    name: Identifier
    title: Annotated[str, Field(min_length=3, max_length=60)]
    summary: Sentence
    ladders: tuple[Identifier, ...] = Field(min_length=1)
    advance: PhaseAdvance | None = None


class Programme(Strict):
    session_minutes_min: int = Field(ge=5, le=60)
    session_minutes_max: int = Field(ge=5, le=60)
    phases: tuple[Phase, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _minutes_in_order(self) -> Programme:
        if self.session_minutes_min > self.session_minutes_max:
            raise ValueError("session_minutes_min is larger than session_minutes_max")
        return self


class PainZones(Strict):
    """Traffic-light reading of the 0-10 scale: green up to green_max, amber up to amber_max."""

    green_max: int = Field(ge=0, le=10)
    amber_max: int = Field(ge=0, le=10)

    @model_validator(mode="after")
    def _zones_in_order(self) -> PainZones:
        if self.green_max >= self.amber_max:
            raise ValueError("green_max must be below amber_max")
        return self


class Rules(Strict):
    """The coaching thresholds of DESIGN.md §3; each is documented in content/rules.yaml."""

    pain_zones: PainZones
    progress_after_green_sessions: int = Field(ge=1, le=10)
    reps_step: int = Field(ge=1, le=10)
    regress_rise_over_baseline: int = Field(ge=1, le=10)
    stop_session_pain: int = Field(ge=1, le=10)
    pause_red_sessions_in_a_row: int = Field(ge=1, le=10)
    pause_red_sessions_window: int = Field(ge=1, le=20)
    pause_red_sessions_in_window: int = Field(ge=1, le=20)
    pause_worse_checkins_in_a_row: int = Field(ge=1, le=10)
    missed_days_for_easier_start: int = Field(ge=1, le=30)
    resume_max_pain: int = Field(ge=0, le=10)
    max_reps: int = Field(ge=1, le=1000)
    # Policy v2 (DESIGN.md §3); each is documented in content/rules.yaml.
    usual_pain_sessions: int = Field(ge=1, le=20)
    min_days_between_steps: int = Field(ge=0, le=28)
    deload_every_steps: int = Field(ge=2, le=10)
    weekly_build_up_points: int = Field(ge=1, le=10)
    pain_persists_weeks: int = Field(ge=2, le=8)
    replace_after_skips_in_a_row: int = Field(ge=2, le=10)
    short_session_percent: int = Field(ge=10, le=100)
    short_sessions_in_a_row: int = Field(ge=1, le=5)
    missed_days_for_two_steps: int = Field(ge=2, le=60)
    missed_days_for_phase_back: int = Field(ge=3, le=120)

    @model_validator(mode="after")
    def _window_holds_count(self) -> Rules:
        if self.pause_red_sessions_in_window > self.pause_red_sessions_window:
            raise ValueError("pause_red_sessions_in_window is larger than the window")
        if self.stop_session_pain <= self.pain_zones.amber_max:
            raise ValueError("stop_session_pain must be in the red zone")
        if self.resume_max_pain > self.pain_zones.amber_max:
            raise ValueError("resume_max_pain must not be in the red zone")
        if not (
            self.missed_days_for_easier_start
            < self.missed_days_for_two_steps
            < self.missed_days_for_phase_back
        ):
            raise ValueError(
                "missed days must grow: missed_days_for_easier_start < missed_days_for_two_steps"
                " < missed_days_for_phase_back"
            )
        return self


class Aliases(Strict):
    """`content/aliases.yaml`: variation ids that were renamed, old → new."""

    aliases: dict[Identifier, Identifier] = Field(default_factory=dict)


class Library(Strict):
    """Everything in `content/`, cross-checked: the one object the coaching core is given."""

    ladders: tuple[Ladder, ...]
    programme: Programme
    rules: Rules
    screen: Screen | None = None  # content/red_flags.yaml; None only in small test libraries
    # Renamed variations, old id → new id (`content/aliases.yaml`): stored ids keep working.
    aliases: dict[str, str] = Field(default_factory=dict)

    def ladder(self, ladder_id: str) -> Ladder:
        for ladder in self.ladders:
            if ladder.id == ladder_id:
                return ladder
        raise KeyError(ladder_id)

    def find_ladder(self, ladder_id: str) -> Ladder | None:
        return next((ladder for ladder in self.ladders if ladder.id == ladder_id), None)

    def find_variation(self, variation_id: str) -> Variation | None:
        """The variation, following a rename; None when content no longer has it (a service
        reading stored ids asks this, never `variation`, so a removed rung cannot raise)."""
        variation_id = self.aliases.get(variation_id, variation_id)
        for ladder in self.ladders:
            for variation in ladder.variations:
                if variation.id == variation_id:
                    return variation
        return None

    def variation(self, variation_id: str) -> Variation:
        found = self.find_variation(variation_id)
        if found is None:
            raise KeyError(variation_id)
        return found

    def exercise_name(self, variation_id: str, ladder_id: str) -> str:
        """What a member reads for a stored exercise: its name, or (removed from content) its
        ladder's name, or the ladder id in words."""
        variation = self.find_variation(variation_id)
        if variation is not None:
            return variation.name
        ladder = self.find_ladder(ladder_id)
        return ladder.name if ladder is not None else ladder_id.replace("_", " ")

    def has_variation(self, variation_id: str) -> bool:
        """False for an id that neither exists nor is an alias: content removed it."""
        variation_id = self.aliases.get(variation_id, variation_id)
        return any(v.id == variation_id for ladder in self.ladders for v in ladder.variations)

    def ladder_of(self, variation_id: str) -> Ladder:
        variation_id = self.aliases.get(variation_id, variation_id)
        for ladder in self.ladders:
            if any(v.id == variation_id for v in ladder.variations):
                return ladder
        raise KeyError(variation_id)

    def phase(self, number: int) -> Phase:
        for phase in self.programme.phases:
            if phase.number == number:
                return phase
        raise KeyError(number)

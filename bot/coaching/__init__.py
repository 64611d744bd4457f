"""The coaching core: pure, synchronous, deterministic; `today` is always passed in.

Imports only the standard library and the content models, never Telegram or the database, so the
rules can be tested and reasoned about on their own. This package's public API is re-exported here.
"""

from bot.coaching.decisions import finish_session, record_checkin
from bot.coaching.lifecycle import (
    apply_missed_days,
    change_equipment,
    pause_by_member,
    record_red_flag,
    resume,
    start_programme,
)
from bot.coaching.pain import Zone, is_session_stopping_pain, pain_zone
from bot.coaching.planning import estimate_minutes, plan_session
from bot.coaching.state import (
    ActivityLevel,
    Checkin,
    Decision,
    DecisionKind,
    ExerciseRecord,
    ExerciseResult,
    Outcome,
    Prescription,
    ProgrammeState,
    SkipReason,
    Status,
)

__all__ = [
    "ActivityLevel",
    "Checkin",
    "Decision",
    "DecisionKind",
    "ExerciseRecord",
    "ExerciseResult",
    "Outcome",
    "Prescription",
    "ProgrammeState",
    "SkipReason",
    "Status",
    "Zone",
    "apply_missed_days",
    "change_equipment",
    "estimate_minutes",
    "finish_session",
    "is_session_stopping_pain",
    "pain_zone",
    "pause_by_member",
    "plan_session",
    "record_checkin",
    "record_red_flag",
    "resume",
    "start_programme",
]

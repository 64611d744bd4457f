"""The member's conversation as one declared state machine: every question, what it accepts,
where each answer leads, and the two generic moves every flow shares.

The state lives in the database, never in memory, in one of three columns (see `Column`): so a
restart resumes at the same question, two bot instances never both apply an answer (the member
row is locked), and a button from an old message is recognised as stale. Each state below names
the question dataclass the handlers render (with its re-ask), so `docs/conversation.md` and the
tests are generated from, and checked against, this one table.

No state-machine library: the transitions are applied by the flow modules (`onboarding`,
`preferences`, `sessions`, `symptoms`) against the database row; a library would keep a second
copy of the state in memory, which is exactly what restart safety forbids.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from bot.db.models import Member

# ---- the declared machine -------------------------------------------------------------------


class Column(StrEnum):
    """Where a state is stored; exactly one question is open per member at a time, read in
    this order: a symptom or settings question, then onboarding, then today's session."""

    AWAITING = "members.awaiting"
    ONBOARDING = "members.onboarding_step"
    SESSION = "training_sessions.step"
    # While paused for pain or a red flag: the number of the check-in sent (its buttons carry it).
    PAUSE_CHECKIN = "members.pause_checkins_sent"
    # This week's PEG, answered item by item (`bot.services.outcomes`), read after the session.
    PEG = "peg_scores (this week's row, first unanswered item)"


class Exit(StrEnum):
    """Where the conversation leaves the question states (no question open afterwards)."""

    DECLINED = "declined (nothing kept)"
    ENROLLED = "enrolled"
    STOPPED_RED_FLAG = "programme stopped for a red flag"
    SAVED = "setting saved"
    RESUMED = "resumed or resume declined"
    SESSION_OVER = "session over (summary)"
    BACK = "back to the exact question the member was on"
    STILL_PAUSED = "still paused (the next check-in, or none after the last)"
    PEG_DONE = "weekly check stored (its score shown)"


@dataclass(frozen=True)
class State:
    name: str  # as stored in its column; "screen:<item>" and "symptom:<item>" are one state each
    column: Column
    question: str  # the question dataclass in bot.services.questions
    buttons: str  # callback data its buttons carry (bot.services.buttons parses it)
    accepts: str  # typed or tapped
    transitions: tuple[tuple[str, str], ...]  # (answer, next state or Exit)


_SESSION_WAYS_OUT = (
    ("Skip", "skip_why"),
    ("Stop for today", "stop_why"),
    ("⚠️ New symptom (sym:ask) or a symptom typed", "symptom:<item>"),
)

MACHINE: tuple[State, ...] = (
    State(
        "consent",
        Column.ONBOARDING,
        "AskConsent",
        "onb:consent:<yes|no>:<group id>",
        "yes / no",
        (("yes", "screen:<item>"), ("no", Exit.DECLINED)),
    ),
    State(
        "screen:<item>",
        Column.ONBOARDING,
        "AskScreenItem",
        "onb:screen:<item>:<yes|no>",
        "yes / no",
        (
            ("yes or no, more items left", "screen:<item>"),
            ("last item, nothing or tell-your-clinician", "pain"),
            ("last item, emergency or see a doctor", Exit.STOPPED_RED_FLAG),
        ),
    ),
    State(
        "pain",
        Column.ONBOARDING,
        "AskBaselinePain",
        "onb:pain:<0-10>",
        "0-10",
        (("0-10", "activity"),),
    ),
    State(
        "activity",
        Column.ONBOARDING,
        "AskActivity",
        "onb:activity:<low|some|active>",
        "one of three levels, or 1-3",
        (("a level", "equipment"),),
    ),
    State(
        "equipment",
        Column.ONBOARDING,
        "AskEquipment",
        "onb:equipment:<item|done>",
        "ticks then Done, or typed kit",
        (("a tick", "equipment"), ("Done or typed kit", "time")),
    ),
    State(
        "time",
        Column.ONBOARDING,
        "AskReminderTime",
        "onb:time:<HHMM>",
        "a time 00:00-23:59",
        (("a time", "zone"),),
    ),
    State(
        "zone",
        Column.ONBOARDING,
        "AskTimezone",
        "onb:zone:default, onb:zone:pick:<zone>",
        "a city or zone, or a UTC offset (real zones offered)",
        (("a zone, or one picked", "zone_ok"), ("a UTC offset (ChooseTimezone, cities)", "zone")),
    ),
    State(
        "zone_ok",
        Column.ONBOARDING,
        "ConfirmTimezone",
        "onb:zone_ok:<yes|no>:<zone>",
        "yes / no",
        (("yes", Exit.ENROLLED), ("no", "zone")),
    ),
    State(
        "time",
        Column.AWAITING,
        "AskReminderTime",
        "set:time:<HHMM>",
        "a time 00:00-23:59",
        (("a time", Exit.SAVED),),
    ),
    State(
        "zone",
        Column.AWAITING,
        "AskTimezone",
        "set:zone:default, set:zone:pick:<zone>",
        "a city or zone, or a UTC offset (real zones offered)",
        (("a zone, or one picked", "zone_ok"), ("a UTC offset (ChooseTimezone, cities)", "zone")),
    ),
    State(
        "zone_ok",
        Column.AWAITING,
        "ConfirmTimezone",
        "set:zone_ok:<yes|no>:<zone>",
        "yes / no",
        (("yes", Exit.SAVED), ("no", "zone")),
    ),
    State(
        "equipment",
        Column.AWAITING,
        "AskEquipment",
        "set:equipment:<item|done>",
        "ticks then Done, or typed kit",
        (("a tick", "equipment"), ("Done or typed kit", Exit.SAVED)),
    ),
    State(
        "resume_screen",
        Column.AWAITING,
        "AskRescreen",
        "res:screen:<none|some>",
        "none of these / one of these (or no / yes)",
        (("none of these", "resume_pain"), ("one of these", "symptom:<item>")),
    ),
    State(
        "weekly_screen",
        Column.AWAITING,
        "AskRescreen",
        "res:weekly:<none|some>",
        "none of these / one of these (or no / yes)",
        (("none of these", "reps"), ("one of these", "symptom:<item>")),
    ),
    State(
        "resume_pain",
        Column.AWAITING,
        "AskResumePain",
        "res:pain:<0-10>",
        "0-10",
        (("0-10", "resume_professional"),),
    ),
    State(
        "resume_professional",
        Column.AWAITING,
        "AskResumeProfessional",
        "res:professional:<yes|no>",
        "yes / no",
        (("yes / no", "resume_settled"),),
    ),
    State(
        "resume_settled",
        Column.AWAITING,
        "AskResumeSettled",
        "res:settled:<yes|no>",
        "yes / no",
        (("yes / no", Exit.RESUMED),),
    ),
    State(
        "symptom:<item>",
        Column.AWAITING,
        "AskSymptom",
        "sym:<item>:<yes|no>",
        "yes / no",
        (
            ("yes, emergency or see a doctor", Exit.STOPPED_RED_FLAG),
            ("yes, tell your clinician", Exit.BACK),
            ("no, more matching items", "symptom:<item>"),
            ("no, last matching item", Exit.BACK),
        ),
    ),
    State(
        "pause_checkin:<n>",
        Column.PAUSE_CHECKIN,
        "AskPauseCheckin",
        "pchk:<n>:<resume|keep|worse>",
        "its three buttons (a stale number is refused)",
        (
            ("ready to restart", "resume_screen"),
            ("still resting", Exit.STILL_PAUSED),
            ("it's worse (urgent advice, the coach told)", "symptom:<item>"),
        ),
    ),
    State(
        "reps",
        Column.SESSION,
        "AskReps",
        "sess:<id>:<position>:reps:<0-max|skip|stop>",
        "0 to the most reps, or all",
        (("a number or all", "pain"), *_SESSION_WAYS_OUT),
    ),
    State(
        "hold",
        Column.SESSION,
        "AskHold",
        "sess:<id>:<position>:hold:<yes|no|skip|stop>",
        "yes / not quite",
        (("yes / not quite", "pain"), *_SESSION_WAYS_OUT),
    ),
    State(
        "pain",
        Column.SESSION,
        "AskPain",
        "sess:<id>:<position>:pain:<0-10|skip|stop>",
        "0-10",
        (
            ("green or amber", "reps"),
            ("red, below the stop level", "red_pain"),
            ("at or above the stop level", Exit.SESSION_OVER),
            ("last exercise", Exit.SESSION_OVER),
            *_SESSION_WAYS_OUT,
        ),
    ),
    State(
        "stop_pain",
        Column.SESSION,
        "AskPain",
        "sess:<id>:<position>:stop_pain:<0-10>",
        "0-10",
        (("0-10: a stop for pain in the rules", Exit.SESSION_OVER),),
    ),
    State(
        "stop_why",
        Column.SESSION,
        "AskStopReason",
        "sess:<id>:<position>:stop_why:<pain|symptom|tired|no_time|other>",
        "one of five reasons",
        (
            ("pain", "stop_pain"),
            ("a new symptom", "symptom:<item>"),
            ("tired / no time / other", Exit.SESSION_OVER),
        ),
    ),
    State(
        "skip_why",
        Column.SESSION,
        "AskSkipReason",
        "sess:<id>:<position>:skip_why:<hurts|cant_do|no_time|other>",
        "one of four reasons",
        (("a reason", "reps"), ("a reason, last exercise", Exit.SESSION_OVER)),
    ),
    State(
        "red_pain",
        Column.SESSION,
        "OfferAfterRedPain",
        "sess:<id>:<position>:red_pain:<stop|easier|skip_rest>",
        "stop / easier / skip the rest",
        (
            ("stop for today", Exit.SESSION_OVER),
            ("carry on easier", "reps"),
            ("skip the rest", Exit.SESSION_OVER),
        ),
    ),
    # The weekly PEG (Krebs 2009), opened from the reminder (peg:open); the question dataclass
    # is `bot.services.outcomes.AskPeg`.
    State(
        "peg:<item>",
        Column.PEG,
        "AskPeg",
        "peg:<monday>:<pain|enjoy|activity>:<0-10>",
        "0-10 for the item asked, or three numbers typed (4 5 3)",
        (("0-10, items left", "peg:<item>"), ("the last item, or all three", Exit.PEG_DONE)),
    ),
)


# ---- what a question needs to remember between answers --------------------------------------


@dataclass(frozen=True)
class Draft:
    """`Member.draft`, typed: the answers given so far to the open question's conversation."""

    consent_group: int | None = None  # the group the consent text named
    zone: str | None = None  # the zone waiting for "is that right?"
    kit: tuple[str, ...] = ()  # /settings equipment ticked so far
    resume_pain: int | None = None
    seen_professional: bool | None = None
    invite: int | None = None  # the group of the member's own pending join offer
    screen_yes: tuple[str, ...] = ()  # onboarding screen items answered yes
    symptoms: tuple[str, ...] = ()  # items still to confirm after a reported symptom
    interrupted: str | None = None  # `awaiting` put aside by the symptom question
    session_step: str | None = None  # the session question "Stop" or "Skip" was pressed on

    @staticmethod
    def of(member: Member) -> Draft:
        """Read leniently: a value of the wrong type (an older row) is dropped, never raised."""
        raw = member.draft if isinstance(member.draft, dict) else {}

        def typed(key: str, kind: type | tuple[type, ...]) -> Any:
            value = raw.get(key)
            return value if isinstance(value, kind) and not isinstance(value, bool) else None

        def words(key: str) -> tuple[str, ...]:
            value = raw.get(key)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

        seen = raw.get("seen_professional")
        return Draft(
            consent_group=typed("consent_group", int),
            zone=typed("zone", str),
            kit=words("kit"),
            resume_pain=typed("resume_pain", int),
            seen_professional=seen if isinstance(seen, bool) else None,
            invite=typed("invite", int),
            screen_yes=words("screen_yes"),
            symptoms=words("symptoms"),
            interrupted=typed("interrupted", str),
            session_step=typed("session_step", str),
        )

    def save(self, member: Member, **changes: Any) -> Draft:
        draft = replace(self, **changes)
        values = asdict(draft)
        member.draft = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in values.items()
            if value not in (None, ())
        }
        return draft


def set_draft(member: Member, **changes: Any) -> Draft:
    """Change some of the draft's fields, keeping the others."""
    return Draft.of(member).save(member, **changes)


def new_draft(member: Member, **values: Any) -> Draft:
    """Start the draft afresh (a new question conversation), keeping a pending join offer."""
    return Draft(invite=Draft.of(member).invite).save(member, **values)

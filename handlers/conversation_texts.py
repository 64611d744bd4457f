"""Words all member conversations share: stale buttons, pointers, times, statuses."""

from __future__ import annotations

from datetime import datetime, time

from bot.coaching import Status

MOVED_ON = "That question has moved on"
EXPIRED = "That button has expired"

# A command replaced an open question: what happened to it.
QUESTION_CLOSED = "I've closed the open question about {topic}; nothing was changed."
TOPICS = {
    "AskReminderTime": "your reminder time",
    "AskTimezone": "your time zone",
    "ConfirmTimezone": "your time zone",
    "AskEquipment": "your equipment",
    "AskResumePain": "restarting",
    "AskResumeProfessional": "restarting",
    "AskResumeSettled": "restarting",
    "AskSymptom": "a symptom",
    "AskRescreen": "the safety check",
}
SESSION_KEPT_OPEN = "Today's session waits at exercise {number} of {total}: /today carries on."
SYMPTOM_FIRST = "First, please answer this safety question; then I'll do what you asked."

# A new symptom at any moment.
NEW_SYMPTOM = "⚠️ New symptom"
SYMPTOM_NOTICED = (
    "You mentioned something that may need a doctor, so before anything else, a quick check. "
    "(I haven't saved what you wrote.)"
)
SYMPTOM_CHECK = "Let's check what's new, one quick yes/no question at a time."
SYMPTOM_QUESTION = "{question}"
SYMPTOM_QUESTION_OF = "Check {number}/{total}\n{question}"
SYMPTOM_CLEARED = (
    "Thank you. Nothing here needs a doctor urgently. If it worries you or gets worse, please "
    "talk to your GP or physiotherapist within the next few days. Back to where we were:"
)
RED_FLAG_COACH_TOLD = "I've let your coaches at «{group}» know, so they can support you."
RED_FLAG_RESUME = "When a doctor has checked you and said exercise is OK, send /resume."
YES = "Yes"
NO = "No"
YES_NO_HINT = "Please tap Yes or No (or type yes or no)."

NOT_STARTED = "Hi! I'm hipcoach. Send /start to begin."

NOTHING_OPEN = (
    "I'm not waiting for an answer right now.\n"
    "/today – today's session\n"
    "/help – everything I can do"
)
NOTHING_OPEN_NOT_ENROLLED = "I'm not waiting for an answer right now. /start shows where you are."

DECLINED_BEFORE = (
    "You chose not to share your answers, so I haven't kept anything. "
    "If you change your mind, send /start."
)

EDITS_NOT_READ = (
    "I don't read edited messages as answers. Please send your answer as a new message."
)

PRIVATE_ONLY = "Let's talk in a private chat: open a chat with me and send the command there."

ANSWER_SHOWN = "{question}\n\n✓ {answer}"

STATUS_WORDS = {
    Status.ONBOARDING: "getting set up",
    Status.ACTIVE: "active",
    Status.PAUSED_BY_MEMBER: "paused (you paused it)",
    Status.PAUSED_PAIN: "paused because of pain",
    Status.STOPPED_RED_FLAG: "stopped until a doctor has checked you",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(Status(status), status)


def clock(at: time | datetime) -> str:
    return at.strftime("%H:%M")


def when(instant: datetime, local_now: datetime) -> str:
    """'today at 18:00', 'tomorrow at 07:00', 'on Monday at 07:00' in the member's own zone."""
    days = (instant.date() - local_now.date()).days
    if days == 0:
        return f"today at {clock(instant)}"
    if days == 1:
        return f"tomorrow at {clock(instant)}"
    return f"on {instant:%A} at {clock(instant)}"


def zone_label(zone: str) -> str:
    """'Etc/GMT-2' (POSIX signs are inverted) reads as 'UTC+2'; other zones as they are."""
    if zone.startswith("Etc/GMT") and zone[7:8] in ("+", "-"):
        sign = "-" if zone[7] == "+" else "+"
        return f"UTC{sign}{zone[8:]}"
    return zone

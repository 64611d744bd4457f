"""What the bot says for /settings, /pause, /resume and /why."""

from __future__ import annotations

SETTINGS = (
    "Your settings:\n"
    "Reminder: {time} every day\n"
    "Time zone: {zone}\n"
    "Equipment: {equipment}\n\n"
    "Tap what you'd like to change."
)
NO_EQUIPMENT = "none"
CHANGE_LABELS = (
    ("time", "Change reminder time"),
    ("zone", "Change time zone"),
    ("equipment", "Change equipment"),
)
NOT_ENROLLED = "Settings come once your programme has started. /start shows where you are."

REMINDER_MOVED = "Done. Reminders come at {time} ({zone}); the next one {when}."
REMINDER_MOVED_NONE = "Done. Reminders come at {time} ({zone}) while your programme is active."
EQUIPMENT_CHANGED = "Done. Equipment: {equipment}."
EQUIPMENT_NO_CHANGE = "Your exercises stay the same."

PAUSED = (
    "Paused. I won't send reminders until you come back, and your progress is kept. "
    "Send /resume whenever you're ready."
)
CANNOT_PAUSE = {
    "paused_by_member": "Your programme is already paused. Send /resume to carry on.",
    "paused_pain": (
        "Your programme is already paused because of pain, so there are no reminders. "
        "/resume asks a few quick questions when you're ready."
    ),
    "stopped_red_flag": (
        "Your programme is stopped until a doctor has checked you, so there are no reminders."
    ),
}
ALREADY_ACTIVE = "Your programme is already running. /today starts today's session."

RESCREEN_RESUME = "Before we restart, a quick safety check. Do you have any of these now?"
RESCREEN_WEEKLY = "Your weekly safety check, before today's routine. Do you have any of these now?"
RESCREEN_NONE = "None of these"
RESCREEN_SOME = "Yes, one of these"
RESCREEN_HINT = "Please tap «None of these» or «Yes, one of these» (or type no or yes)."
RESUME_PAIN = (
    "Thank you. Now three quick questions.\n\n"
    "1/3 How much pain do you have in your back or leg right now, from 0 (no pain) to 10 (the "
    "worst)?"
)
RESUME_PROFESSIONAL = "2/3 Have you seen a doctor or physiotherapist about it since the pause?"
RESUME_SETTLED = "3/3 Have the symptoms settled?"
YES = "Yes"
NO = "No"
PAIN_HINT = "Please send a number from 0 to 10, for example 3."
YES_NO_HINT = "Please tap Yes or No (or type yes or no)."

RESUMED = "{reason}\n\nYour next reminder comes {when}. /today starts a session now."
RESUMED_NO_REMINDER = "{reason}\n\n/today starts a session now."
RESUME_DECLINED = "{reason}\n\nWhen things change, send /resume again."
CLEARED_TO_START = "Thank you, and I'm glad you've been checked. Let's set up your programme."

WHY_HEADER = "Phase {phase}: {title}. Programme: {status}."
WHY_HEADER_NO_PROGRAMME = "Programme: {status}."
WHY_LINE = "• {name} ({dose}): {reason}"
WHY_NO_REASON = "your starting level"
WHY_OVERALL = "Latest: {reason}"

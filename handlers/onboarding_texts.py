"""What the bot says while getting a member started, and when they join a coach group by link."""

from __future__ import annotations

from bot.coaching.content import Equipment

WELCOME = (
    "Hi {name}! I'm hipcoach.\n\n"
    "Each day I'll guide you through a short routine, 10–20 minutes, of exercises that "
    "strengthen your hips, which can ease low back pain. I'll adjust it to how your back feels."
)
NOT_MEDICAL_ADVICE = (
    "Please note: I'm not a doctor and this is not medical advice. If you're unsure whether "
    "these exercises suit you, check with a doctor or physiotherapist before starting. If your "
    "pain is severe, getting worse, or you feel unwell, please see your GP within a day or two, "
    "or urgently if it is getting worse quickly."
)
CONSENT = (
    "To coach you I need to store your answers: your pain scores, the exercises you do, and "
    "your reminder time. Is that OK?"
)
CONSENT_WITH_GROUP = (
    "To coach you I need to store your answers: your pain scores, the exercises you do, and "
    "your reminder time. The admins of the group «{group}» (your coaches) will see your pain "
    "scores, sessions and my coaching decisions, in their private chats with me; other people "
    "in that group see nothing about you. Is that OK?"
)
AGREE = "I agree"
NO_THANKS = "No thanks"
CONSENT_HINT = "Please tap «I agree» or «No thanks» (or type yes or no)."

DECLINED = (
    "No problem, and thank you for being clear. I haven't kept any of your answers. "
    "If you change your mind, just send /start."
)
LINK_INVALID = (
    "That coach invite link is no longer valid, so I haven't connected you to a coach group. "
    "You can carry on on your own, or ask your coach for a new link."
)

SCREEN_INTRO = (
    "Thank you. First, a safety check: {total} yes/no questions, one at a time. Please answer "
    "every one; I'll tell you at the end what it means.\n\n"
)
SCREEN_QUESTION = "Safety check {number}/{total}\n{question}"
YES = "Yes"
NO = "No"
YES_NO_HINT = "Please tap Yes or No (or type yes or no)."

SCREEN_CLEAR = "Thank you, that's all clear."
BASELINE_PAIN = (
    "How much pain do you have in your back or leg right now, from 0 (no pain) to 10 (the worst)?"
)
PAIN_HINT = "Please send a number from 0 to 10, for example 3."

ACTIVITY = "How active are you at the moment?"
ACTIVITY_LABELS = {
    "low": "Mostly sitting",
    "some": "I walk most days",
    "active": "I exercise regularly",
}
ACTIVITY_HINT = "Please tap one of the three buttons, or type 1, 2 or 3."

EQUIPMENT = (
    "Which of these do you have at home? Tap each one you have, then «Done». "
    "None is fine too: there are exercises without any."
)
EQUIPMENT_LABELS = {
    Equipment.BAND: "Resistance band",
    Equipment.BLOCK_OR_STEP: "Yoga block or a step",
    Equipment.CHAIR_OR_COUNTER: "Sturdy chair or counter",
}
EQUIPMENT_DONE = "Done"
EQUIPMENT_NONE = "I have none of these"
EQUIPMENT_HINT = (
    "Please tap what you have, then «Done». Or type it, for example «band, chair», or «none»."
)

PROGRAMME_READY = "Thanks! You'll start with: {exercises}."

REMINDER_TIME = (
    "When would you like your daily reminder? Tap a time or type one, for example 07:30."
)
TIME_HINT = "Please send a time like 07:30, 7.30, 7am or 19:00."

TIMEZONE = (
    "Which time zone are you in? Type your city (for example Berlin) or your UTC offset "
    "(for example UTC+2), or tap the button."
)
USE_ZONE = "Use {zone}"
ZONE_HINT = (
    "I couldn't place that. Please type a big city near you (for example Berlin or New York), "
    "or your UTC offset (for example UTC+2)."
)
CHOOSE_ZONE = (
    "Several places have that offset today, and they change their clocks on different days. "
    "Which is yours, or nearest to you? (You can also type your city.)"
)
CONFIRM_ZONE = "{zone}, now {clock} — is that right?"
ZONE_YES = "Yes"
ZONE_AGAIN = "No, let me type it again"

ENROLLED = (
    "You're all set!\n\n"
    "Phase {phase}: {title}. {summary}\n\n"
    "Today's session, about {minutes} minutes:\n{exercises}\n\n"
    "Your first reminder comes {first_reminder}."
)
ENROLLED_NO_REMINDER = "You're all set! Phase {phase}: {title}."
PLANNED_LINE = "{number}. {name} – {dose}"
START_SESSION = "Start today's session"

OVERVIEW = "Hi {name}! Here's where you are.\n\nProgramme: {status}"
OVERVIEW_PHASE = "Phase {phase}: {title}"
OVERVIEW_NEXT = "Next reminder: {when}"
OVERVIEW_NO_SESSION = "Today's session: not started yet"
OVERVIEW_OPEN = "Today's session: in progress, exercise {number} of {total}"
OVERVIEW_DONE = "Today's session: done"
OVERVIEW_GROUP = "Sharing with: «{group}»"
OVERVIEW_COMMANDS = (
    "/today – today's session\n"
    "/settings – reminder time, time zone, equipment\n"
    "/pause, /resume – take a break, or come back\n"
    "/why – why your plan is what it is\n"
    "/help – everything else"
)
OVERVIEW_STOPPED = (
    "Because of the symptom you told me about, please get checked by a doctor first. "
    "When they've said exercise is OK, send /resume."
)

JOIN_OFFER = (
    "This link is from the coaches of «{group}». If you join, your answers (pain scores, "
    "exercises done, pauses) will be shared with them. Would you like to join?"
)
JOIN_OFFER_REPLACES = (
    "This link is from the coaches of «{group}». If you join, your answers (pain scores, "
    "exercises done, pauses) will be shared with them instead of «{current}», who will no "
    "longer see them. Would you like to join?"
)
JOIN = "Join «{group}»"
JOINED = "Done: your answers are now shared with the coaches of «{group}»."
JOINED_REPLACED = (
    "Done: your answers are now shared with the coaches of «{group}», and no longer with "
    "«{previous}»."
)
JOIN_DECLINED = "OK, you haven't joined «{group}». Nothing has been shared."
ALREADY_IN_GROUP = "You're already sharing your answers with the coaches of «{group}»."

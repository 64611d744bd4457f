"""What the bot says in the daily session: how to do each exercise, the questions, the summary."""

from __future__ import annotations

from bot.coaching import Prescription

SKIP = "Skip this one"
STOP = "Stop for today"

OPENING = (
    "Today: {count} exercises, about {minutes} minutes. Take your time, and stop if anything "
    "hurts sharply."
)
EASED = "It's been a while, so today starts a little easier:\n{reasons}"
RESUMED = "Welcome back! Picking up where you left off: exercise {number} of {total}."

CARD = (
    "Exercise {number} of {total}: {name}\n\n{steps}\n\nKey points:\n{cues}\n\n"
    "Do: {dose}\n\nStop if:\n{stop_if}"
)

REPS_QUESTION = "{name}: how many reps did you do?"
REPS_QUESTION_PER_SIDE = "{name}: how many reps did you do? (per side)"
REPS_QUESTION_SETS = "{name}: how many reps did you do in your weakest set?"
REPS_QUESTION_SETS_PER_SIDE = "{name}: how many reps did you do in your weakest set? (per side)"
ALL_REPS = "All {target}"
REPS_HINT = (
    "Please send how many reps you did as a number, for example {example}, or «all» if you "
    "did all {target}. Or tap «Skip this one» or «Stop for today»."
)

HOLD_QUESTION = "{name}: did you manage the full holds?"
HOLD_YES = "Yes"
HOLD_NOT_QUITE = "Not quite"
HOLD_HINT = "Please tap «Yes» or «Not quite» (or type yes or no)."

PAIN_QUESTION = "{name}: pain in your back or leg, right now, 0–10?"
PAIN_HINT = "Please send a number from 0 to 10, for example 3."

NOT_ACTIVE = {
    "paused_by_member": "Your programme is paused. Send /resume when you'd like to carry on.",
    "paused_pain": (
        "Your programme is paused because of pain. Please talk to your GP or a "
        "physiotherapist in the next few days, before you carry on. When you're ready, /resume "
        "asks a few quick questions."
    ),
    "stopped_red_flag": (
        "Your programme is stopped because of a symptom that needs a doctor. Please get "
        "checked first; when a doctor has said exercise is OK, send /resume."
    ),
}
NOTHING_PLANNED = (
    "There's no exercise I can plan for you today with the equipment you have. "
    "/settings lets you change your equipment."
)

SUMMARY_DONE = "Well done, that's today's session finished!"
SUMMARY_STOPPED = "OK, we'll stop there for today. Thank you for what you did."
SUMMARY_STOPPED_BECAUSE = {
    "tired": (
        "OK, we'll stop there for today: rest is part of it. What you did counts, and the "
        "exercise you were on isn't counted as skipped."
    ),
    "no_time": (
        "OK, we'll stop there for today. What you did counts, and the exercise you were on "
        "isn't counted as skipped."
    ),
    "other": "OK, we'll stop there for today. Thank you for what you did.",
    "skip_rest": (
        "OK, we'll leave the rest for today because of the pain. Keep gently active within "
        "comfort, and if the pain stays high, talk to your GP or physiotherapist in the next "
        "few days."
    ),
}

STOP_QUESTION = "Of course. What's the reason for stopping?"
STOP_REASONS = (
    ("pain", "Pain"),
    ("symptom", "A new symptom"),
    ("tired", "I'm tired"),
    ("no_time", "No time"),
    ("other", "Something else"),
)
SKIP_QUESTION = "Skipping {name}. Why, if you don't mind?"
SKIP_REASONS = (
    ("hurts", "It hurts"),
    ("cant_do", "I can't do it"),
    ("no_time", "No time"),
    ("other", "Something else"),
)
RED_PAIN_OFFER = (
    "Pain at {pain}/10 is high. What would you like to do? Whatever you choose, stop straight "
    "away if it gets sharp or spreads down your leg."
)
RED_PAIN_CHOICES = (
    ("stop", "Stop for today"),
    ("easier", "Carry on, easier"),
    ("skip_rest", "Skip the rest"),
)
CHOICE_HINT = "Please tap one of the buttons."
SUMMARY_PAIN_STOP = "Let's stop here for today: pain at {pain}/10 is too high to keep going."
SUMMARY_STOPPED_FOR_PAIN = (
    "Let's stop here for today, because of the pain ({pain}/10). Next time takes it into account."
)
SUMMARY_SEEN_BEFORE = "Today's session is done."
SUMMARY_COUNTS = "Exercises done: {done} of {total}. Skipped: {skipped}."
SUMMARY_MAX_PAIN = "Highest pain: {pain}/10."
SUMMARY_CHANGES = "What changes next time:\n{changes}"
SUMMARY_SAME = "Staying the same next time: {names}."
SUMMARY_NO_CHANGES = "Next time stays the same. /why shows the reasons."
SUMMARY_PAUSED = (
    "{reasons}\n\n"
    "Please talk to your GP or a physiotherapist in the next few days, before you carry on. "
    "If you notice numbness around your groin or bottom, or trouble with your bladder or "
    "bowels, go to an emergency department now; for any other new symptom, tap ⚠️ New symptom "
    "or send /symptom."
)
SUMMARY_COACH_TOLD = "I've let your coaches at «{group}» know."
SUMMARY_NEXT = "See you tomorrow! /today shows this summary again."
SUMMARY_TIP = "💡 {tip}"


def dose(prescription: Prescription) -> str:
    """'3 sets of 12, each side', 'hold 30 seconds, 3 times each side'."""
    sets = prescription.sets
    if prescription.hold_seconds is not None:
        times = "once" if sets == 1 else f"{sets} times"
        text = f"hold {prescription.hold_seconds} seconds, {times}"
        return f"{text} each side" if prescription.per_side else text
    text = f"{sets} set{'s' if sets > 1 else ''} of {prescription.reps}"
    return f"{text}, each side" if prescription.per_side else text

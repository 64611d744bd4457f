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
ALL_REPS = "All {target}"
REPS_HINT = (
    "Please send how many reps you did as a number, for example {example}, or «all» if you "
    "did all {target}. Or tap «Skip this one» or «Stop for today»."
)

HOLD_QUESTION = "{name}: did you manage the full holds?"
HOLD_YES = "Yes"
HOLD_NOT_QUITE = "Not quite"
HOLD_HINT = "Please tap «Yes» or «Not quite» (or type yes or no)."

PAIN_QUESTION = "{name}: pain now, 0–10?"
PAIN_HINT = "Please send a number from 0 to 10, for example 3."

NOT_ACTIVE = {
    "paused_by_member": "Your programme is paused. Send /resume when you'd like to carry on.",
    "paused_pain": (
        "Your programme is paused because of pain. Please talk to your GP or a "
        "physiotherapist before you carry on. When you're ready, /resume asks a few quick "
        "questions."
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
SUMMARY_PAIN_STOP = "Let's stop here for today: pain at {pain}/10 is too high to keep going."
SUMMARY_SEEN_BEFORE = "Today's session is done."
SUMMARY_COUNTS = "Exercises done: {done} of {total}. Skipped: {skipped}."
SUMMARY_MAX_PAIN = "Highest pain: {pain}/10."
SUMMARY_CHANGES = "What changes next time:\n{changes}"
SUMMARY_SAME = "Staying the same next time: {names}."
SUMMARY_NO_CHANGES = "Next time stays the same. /why shows the reasons."
SUMMARY_PAUSED = (
    "{reasons}\n\n"
    "Please talk to your GP or a physiotherapist before you carry on. If the pain is severe or "
    "getting worse, or you notice numbness, weakness, or trouble with your bladder or bowels, "
    "get urgent medical help today."
)
SUMMARY_COACH_TOLD = "I've let your coaches at «{group}» know."
SUMMARY_NEXT = "See you tomorrow! /today shows this summary again."


def dose(prescription: Prescription) -> str:
    """'3 sets of 12, each side', 'hold 30 seconds, 3 times each side'."""
    sets = prescription.sets
    if prescription.hold_seconds is not None:
        times = "once" if sets == 1 else f"{sets} times"
        text = f"hold {prescription.hold_seconds} seconds, {times}"
        return f"{text} each side" if prescription.per_side else text
    text = f"{sets} set{'s' if sets > 1 else ''} of {prescription.reps}"
    return f"{text}, each side" if prescription.per_side else text

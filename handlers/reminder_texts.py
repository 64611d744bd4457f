"""What the daily reminder says, and its buttons: short, warm, one question at a time.

Callback data: `sess:start` belongs to the session flow; the reminder's own buttons are
`rem:<reminder id>:snooze:<minutes>`, `rem:<reminder id>:skip` and `rem:<reminder id>:chk:<answer>`;
a check-in while paused carries `pchk:<number>:<answer>` (see bot.services.buttons).
"""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coaching import Checkin
from bot.services.pause_checkins import PauseCheckinDue
from bot.services.reminders.answers import (
    SNOOZE_MINUTES,
    AnswerOutcome,
    CheckinResult,
    ReminderAnswer,
)
from bot.services.reminders.claims import DueMessage, MessageKind
from handlers import outcome_texts

START_SESSION = "sess:start"

REMINDER = (
    "{hello} {name}! Time for today's hip routine. It's short, and you can stop whenever you "
    "need to."
)
CHECKIN_QUESTION = (
    "{hello} {name}! Before today's routine, one quick question.\n\n"
    "Compared with before your last session, your back is:"
)
# By the member's local hour when the reminder goes out: "Good morning" only before noon.
GREETINGS = ((5, "Good morning"), (12, "Good afternoon"), (18, "Good evening"))
HELLO = "Hi"  # before 05:00, or when the hour is not known
NUDGE = "Just a gentle nudge, {name}: today's routine is still here whenever you're ready."
SNOOZED = "No problem. I'll remind you again at {time}."
SNOOZE_TOMORROW = (
    "That would be after midnight, so let's leave today. I'll remind you tomorrow at {time}."
)
SKIPPED = "Okay, a rest day. I'll be back tomorrow at {time}. Take care of yourself."
CLOSED = "This reminder is no longer open. Send /today whenever you'd like to do today's routine."
CHECKIN_THANKS = {
    Checkin.BETTER: "Good to hear, thank you.",
    Checkin.SAME: "Thanks for letting me know.",
    Checkin.WORSE: "Thank you for telling me.",
}
READY = "Ready for today's routine?"
PAUSED = (
    "Thank you for telling me.\n\n{reasons}\n\n"
    "I won't send reminders for now. Please talk to your GP or a physiotherapist in the next "
    "few days; when you've had it checked, or it has settled, send /resume and we'll start "
    "again gently."
)

PAUSE_CHECKIN = (
    "Hi {name}, just checking in. How is your back now? Have you been able to see someone about it?"
)
PAUSE_CHECKIN_HINT = (
    "Please tap one of the buttons: ready to restart, still resting, or it's worse."
)
PAUSE_CHECKIN_LABELS = (
    ("resume", "Better: ready to restart"),
    ("keep", "Still resting"),
    ("worse", "It's worse"),
)
KEEP_PAUSING = (
    "OK, take your time; your progress is kept. Keep gently active within comfort. I'll check "
    "in once more in a few days."
)
KEEP_PAUSING_LAST = (
    "OK, take your time; your progress is kept. Keep gently active within comfort, and send "
    "/resume whenever you're ready. I won't send more check-ins."
)
WORSE_WHILE_PAUSED = (
    "I'm sorry it's worse. Please contact your GP today, or an urgent care service if you can't "
    "get an appointment. If you have numbness around your groin or bottom, trouble with your "
    "bladder or bowels, or a leg that is getting weaker, go to an emergency department now."
)
WORSE_COACH_TOLD = "I've let your coaches at «{group}» know."

CHECKIN_LABELS = {Checkin.BETTER: "Better", Checkin.SAME: "Same", Checkin.WORSE: "Worse"}
START_LABEL = "▶️ Start"
SKIP_LABEL = "Skip today"
SNOOZE_LABELS = {30: "⏰ 30 min", 60: "⏰ 1 hour"}


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def actions_keyboard(reminder_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(START_LABEL, callback_data=START_SESSION)],
            [
                InlineKeyboardButton(
                    SNOOZE_LABELS[minutes], callback_data=f"rem:{reminder_id}:snooze:{minutes}"
                )
                for minutes in SNOOZE_MINUTES
            ],
            [InlineKeyboardButton(SKIP_LABEL, callback_data=f"rem:{reminder_id}:skip")],
        ]
    )


def checkin_keyboard(reminder_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=f"rem:{reminder_id}:chk:{answer.value}")
                for answer, label in CHECKIN_LABELS.items()
            ]
        ]
    )


def nudge_keyboard(reminder_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(START_LABEL, callback_data=START_SESSION)],
            [InlineKeyboardButton(SKIP_LABEL, callback_data=f"rem:{reminder_id}:skip")],
        ]
    )


def render(message: DueMessage) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder or nudge as sent: the next-morning check first when yesterday had a session."""
    name = message.first_name
    if message.kind is MessageKind.NUDGE:
        return NUDGE.format(name=name), nudge_keyboard(message.reminder_id)
    hello = greeting(message.local_hour)
    if message.ask_checkin:  # the weekly check is offered once this one is answered
        text = CHECKIN_QUESTION.format(hello=hello, name=name)
        return text, checkin_keyboard(message.reminder_id)
    text = REMINDER.format(hello=hello, name=name)
    keyboard = actions_keyboard(message.reminder_id)
    return _with_peg(text, keyboard) if message.offer_peg else (text, keyboard)


def greeting(local_hour: int | None) -> str:
    """Good morning (05-11), afternoon (12-17), evening (18-23); plain "Hi" in the night."""
    chosen = HELLO
    for starts, words in GREETINGS:
        if local_hour is not None and local_hour >= starts:
            chosen = words
    return chosen


def _with_peg(text: str, keyboard: InlineKeyboardMarkup) -> tuple[str, InlineKeyboardMarkup]:
    """Once a week, until answered: the reminder offers the PEG (handlers/outcomes.py)."""
    peg = InlineKeyboardButton(outcome_texts.PEG_OPEN_BUTTON, callback_data="peg:open")
    rows = [*keyboard.inline_keyboard, (peg,)]
    return f"{text}\n\n{outcome_texts.PEG_OFFER}", InlineKeyboardMarkup(rows)


def pause_checkin(due: PauseCheckinDue) -> tuple[str, InlineKeyboardMarkup]:
    return pause_checkin_message(due.number, due.first_name)


def pause_checkin_message(number: int, first_name: str) -> tuple[str, InlineKeyboardMarkup]:
    """The check-in while paused (the `pause_checkin:<n>` state of the conversation machine)."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"pchk:{number}:{choice}")]
            for choice, label in PAUSE_CHECKIN_LABELS
        ]
    )
    return PAUSE_CHECKIN.format(name=first_name or "there"), keyboard


def snoozed(answer: ReminderAnswer) -> str:
    if answer.outcome is AnswerOutcome.CLOSED or answer.next_local_time is None:
        return CLOSED
    if answer.outcome is AnswerOutcome.TOMORROW:
        return SNOOZE_TOMORROW.format(time=_clock(answer.next_local_time))
    return SNOOZED.format(time=_clock(answer.next_local_time))


def skipped(answer: ReminderAnswer) -> str:
    if answer.outcome is AnswerOutcome.CLOSED or answer.next_local_time is None:
        return CLOSED
    return SKIPPED.format(time=_clock(answer.next_local_time))


def checkin_answered(result: CheckinResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """After the check: advice and no buttons if the programme paused, else today's choices."""
    if result.outcome is AnswerOutcome.CLOSED:
        return CLOSED, None
    if result.paused:
        return PAUSED.format(reasons="\n".join(result.reasons)), None
    lines = [CHECKIN_THANKS[result.answer], *result.reasons, "", READY]
    text, keyboard = "\n".join(lines), actions_keyboard(result.reminder_id)
    return _with_peg(text, keyboard) if result.offer_peg else (text, keyboard)

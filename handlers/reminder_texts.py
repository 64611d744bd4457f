"""What the daily reminder says, and its buttons: short, warm, one question at a time.

Callback data: `sess:start` belongs to the session flow; the reminder's own buttons are
`rem:<reminder id>:snooze:<minutes>`, `rem:<reminder id>:skip` and `rem:<reminder id>:chk:<answer>`.
"""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coaching import Checkin
from bot.services.reminders import (
    SNOOZE_MINUTES,
    AnswerOutcome,
    CheckinResult,
    DueMessage,
    MessageKind,
    ReminderAnswer,
)

START_SESSION = "sess:start"

REMINDER = (
    "Hi {name}! Time for today's hip routine. It's short, and you can stop whenever you need to."
)
CHECKIN_QUESTION = (
    "Good morning, {name}! Before today's routine, one quick question.\n\n"
    "Compared with before your last session, your back is:"
)
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
    "I won't send reminders for now. When you've had it checked, or it has settled, "
    "send /resume and we'll start again gently."
)

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
    if message.ask_checkin:
        return CHECKIN_QUESTION.format(name=name), checkin_keyboard(message.reminder_id)
    return REMINDER.format(name=name), actions_keyboard(message.reminder_id)


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
    return "\n".join(lines), actions_keyboard(result.reminder_id)

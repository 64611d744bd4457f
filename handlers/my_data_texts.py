"""Words for `/export` and `/delete`: plain about what happens to a member's data."""

from datetime import date

from bot.services.my_data import Erasure

NO_DATA = "I don't have any data stored about you. Send /start whenever you'd like to begin."

EXPORT_CSV_CAPTION = "Your sessions: one row per exercise, with pain and what changed and why."
EXPORT_JSON_CAPTION = "Your profile and settings, check-ins and every decision, as JSON."


def export_file_names(day: date) -> tuple[str, str]:
    return f"hipcoach-sessions-{day}.csv", f"hipcoach-profile-{day}.json"


CONFIRM_DELETE = (
    "This deletes everything I've stored about you: your profile and settings, every session, "
    "result and pain score, your check-ins, and your link to a coach group. Reminders stop. "
    "It can't be undone.\n\n"
    "Want a copy first? /export sends you all of it."
)
DELETE_BUTTON = "Delete everything"
KEEP_BUTTON = "Keep my data"

DELETED = (
    "Done: everything I stored about you is deleted, and I won't send you any more messages. "
    "If you ever want to start again, just send /start. Look after your back."
)
KEPT = "Nothing was deleted. Your data stays as it was."
OUT_OF_DATE = (
    "That button is out of date, so I didn't change anything. "
    "Send /delete if you'd like to delete your data."
)
ALREADY_DELETED = (
    "There's nothing stored about you any more, so there was nothing left to delete. "
    "Send /start whenever you'd like to begin again."
)

ERASURE_ANSWERS = {
    Erasure.DELETED: DELETED,
    Erasure.NOTHING_STORED: ALREADY_DELETED,
    Erasure.NOT_THEIRS: OUT_OF_DATE,
}

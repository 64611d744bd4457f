"""Daily reminders, one module per concern; import from the module that does what you need.

- `status`: the statuses a day's reminder row moves through.
- `schedule`: when a member's next reminder is due (`reschedule`), no database needed.
- `claims`: claiming due reminders and nudges exactly once, and the messages they become.
- `deliveries`: recording how sending them went.
- `answers`: the member's Snooze, Skip today and next-morning check-in.
- `reachability`: no reminders to a member who blocked the bot, until they write again.

Only the member-facing calls are re-exported, so that a handler reads as `reminders.snooze(...)`.
"""

from __future__ import annotations

from bot.services.reminders.answers import SNOOZE_MINUTES, answer_checkin, skip_today, snooze
from bot.services.reminders.reachability import mark_reachable_again, mark_unreachable

__all__ = [
    "SNOOZE_MINUTES",
    "answer_checkin",
    "mark_reachable_again",
    "mark_unreachable",
    "skip_today",
    "snooze",
]

"""When a member's next reminder is due: the arithmetic every change of time, zone or status calls.

The next reminder of every member is one indexed column, `members.next_reminder_at` (UTC), so
onboarding, preferences, sessions and symptoms only need `reschedule` and no database query;
claiming (`claims`) reads the same column and moves it on by a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.coaching import Status
from bot.db.models import Member
from bot.timekeeping import next_reminder_at

# A member who just finished onboarding (or changed their time) is not reminded within the hour.
QUIET_AFTER_CHANGE = timedelta(hours=1)
# A member who has not started this long after the reminder gets one gentle nudge.
NUDGE_AFTER = timedelta(hours=3)


def reschedule(member: Member, now: datetime) -> None:
    """Set the next reminder from the member's own time and zone; none while not active."""
    if (
        member.status != Status.ACTIVE
        or member.is_reachable is False  # None: a new member not yet flushed, reachable
        or member.reminder_time is None
        or member.timezone is None
    ):
        member.next_reminder_at = None
        return
    member.next_reminder_at = next_reminder_at(
        member.reminder_time, ZoneInfo(member.timezone), after=now + QUIET_AFTER_CHANGE
    )


def remindable(member: Member) -> bool:
    """Whether a reminder claimed for this member should still go out."""
    return (
        member.status == Status.ACTIVE
        and member.is_reachable
        and member.reminder_time is not None
        and member.timezone is not None
    )

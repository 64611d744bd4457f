"""When a member's next daily reminder is due, kept in `members.next_reminder_at` (indexed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Member
from bot.scheduling.times import next_reminder_at

# A member who just finished onboarding (or changed their time) is not reminded within the hour.
QUIET_AFTER_CHANGE = timedelta(hours=1)


def reschedule(member: Member, now: datetime) -> None:
    """Set the next reminder from the member's own time and zone; none while not active."""
    if member.status != "active" or member.reminder_time is None or member.timezone is None:
        member.next_reminder_at = None
        return
    member.next_reminder_at = next_reminder_at(
        member.reminder_time, ZoneInfo(member.timezone), after=now + QUIET_AFTER_CHANGE
    )

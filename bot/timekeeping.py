"""Members' local times to UTC instants and back, correct on daylight-saving change days.

Pure arithmetic (standard library only), used by services, handlers and scheduling alike, so it
belongs to none of them: services never import `bot.scheduling` (an import-linter contract).

A local time that does not exist (spring forward, e.g. 02:30 in Berlin on 2026-03-29) is moved to
the first valid minute after the gap; one that exists twice (fall back) uses its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """When the wall clock in `zone` first shows `at` on `day` (or just after it, in a gap)."""
    wall = datetime.combine(day, at)
    while True:
        candidate = wall.replace(tzinfo=zone, fold=0)
        in_utc = candidate.astimezone(UTC)
        if in_utc.astimezone(zone).replace(tzinfo=None) == wall:
            return in_utc
        # Not a real wall-clock time: step to the next minute until the gap is over.
        wall = (wall + timedelta(minutes=1)).replace(second=0, microsecond=0)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The member's calendar day at `instant`."""
    return instant.astimezone(zone).date()


def next_reminder_at(at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first reminder instant strictly after `after` (an aware datetime)."""
    day = local_date(after, zone)
    while True:
        due = local_instant(day, at, zone)
        if due > after:
            return due
        day += timedelta(days=1)

"""Members' local times to UTC instants and back, correct on daylight-saving change days.

Pure arithmetic (standard library only), used by services, handlers and scheduling alike, so it
belongs to none of them: services never import `bot.scheduling` (an import-linter contract).

A typed UTC offset ("UTC+1") is turned into the real zones that have it now (`zones_for_offset`):
`Etc/GMT-1` has no daylight saving, so a Berlin member who typed "UTC+1" would get reminders an
hour off all summer. The member is offered those zones by city name instead, and their reminders
then follow that zone's daylight saving. Well-known cities come first (a member recognises their
own or a neighbour's); any other zone with the offset follows in name order.

A local time that does not exist (spring forward, e.g. 02:30 in Berlin on 2026-03-29) is moved to
the first valid minute after the gap; one that exists twice (fall back) uses its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


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


# Large cities across every offset, roughly by population; the first matches are offered.
WELL_KNOWN = (
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome",
    "Europe/Warsaw", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Athens", "Europe/Kyiv",
    "Europe/Istanbul", "Europe/Moscow", "Europe/Lisbon", "Europe/Dublin", "Africa/Lagos",
    "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Casablanca",
    "Asia/Kolkata", "Asia/Dubai", "Asia/Karachi", "Asia/Dhaka", "Asia/Kathmandu",
    "Asia/Bangkok", "Asia/Jakarta", "Asia/Shanghai", "Asia/Singapore", "Asia/Manila",
    "Asia/Tokyo", "Asia/Seoul", "Asia/Tehran", "Asia/Kabul", "Asia/Yangon",
    "Australia/Perth", "Australia/Adelaide", "Australia/Darwin", "Australia/Brisbane",
    "Australia/Sydney", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Tongatapu",
    "Pacific/Kiritimati", "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles",
    "America/Vancouver", "America/Denver", "America/Phoenix", "America/Chicago",
    "America/Mexico_City", "America/New_York", "America/Toronto", "America/Bogota",
    "America/Lima", "America/Halifax", "America/Caracas", "America/Santiago",
    "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/St_Johns",
    "Atlantic/Azores", "Atlantic/Cape_Verde", "America/Noronha", "Atlantic/Reykjavik",
)  # fmt: skip
# Zone names that are not cities: fixed offsets, legacy aliases.
NOT_CITIES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
SHOWN = 5


@cache
def _cities() -> tuple[str, ...]:
    """Every city zone the system knows, the well-known ones first."""
    known = set(available_timezones())
    rest = sorted(
        zone for zone in known - set(WELL_KNOWN) if "/" in zone and not zone.startswith(NOT_CITIES)
    )
    return tuple(zone for zone in WELL_KNOWN if zone in known) + tuple(rest)


def zones_for_offset(offset: timedelta, now: datetime, limit: int = SHOWN) -> list[str]:
    """Up to `limit` IANA zones whose UTC offset is `offset` at `now` (daylight saving counts)."""
    return [zone for zone in _cities() if now.astimezone(ZoneInfo(zone)).utcoffset() == offset][
        :limit
    ]


def is_city_zone(name: str) -> bool:
    """A zone `zones_for_offset` can offer (a button's zone is checked against it)."""
    return name in _cities()


def city_name(zone: str) -> str:
    """How a member reads the zone: "America/New_York" → "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")

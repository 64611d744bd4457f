"""A typed UTC offset ("UTC+1") turned into real time zones that have it now.

`Etc/GMT-1` has no daylight saving, so a Berlin member who typed "UTC+1" would get reminders an
hour off all summer. Instead the member is offered the real zones whose offset is that right
now, by city name, and their reminders then follow that zone's daylight saving. Well-known
cities come first (a member recognises their own or a neighbour's); any other zone with the
offset follows in name order, so an unusual offset still finds its zones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

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


def city_name(zone: str) -> str:
    """How a member reads the zone: "America/New_York" → "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")

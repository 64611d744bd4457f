"""A typed UTC offset is answered with real zones that have it now, daylight saving included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.timekeeping import city_name, zones_for_offset

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)  # northern winter, southern summer
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


@pytest.mark.parametrize(
    ("offset", "now", "expected", "not_expected"),
    [
        (hours(1), WINTER, "Europe/Berlin", "Europe/London"),
        (hours(1), SUMMER, "Europe/London", "Europe/Berlin"),  # London on BST, Berlin on +2
        (hours(2), SUMMER, "Europe/Berlin", "Europe/London"),
        (hours(-5), WINTER, "America/New_York", "America/Chicago"),
        (hours(-4), SUMMER, "America/New_York", "America/Chicago"),
        (hours(5.5), WINTER, "Asia/Kolkata", "Asia/Dhaka"),
        (hours(13), WINTER, "Pacific/Auckland", "Australia/Sydney"),  # NZ daylight time
        (hours(12), SUMMER, "Pacific/Auckland", "Pacific/Tongatapu"),
    ],
)
def test_the_zones_offered_have_that_offset_right_now(
    offset: timedelta, now: datetime, expected: str, not_expected: str
) -> None:
    offered = zones_for_offset(offset, now)
    assert expected in offered and not_expected not in offered
    assert 1 <= len(offered) <= 5
    assert all(now.astimezone(ZoneInfo(z)).utcoffset() == offset for z in offered)
    assert not any(zone.startswith("Etc/") for zone in offered)  # never a zone without DST rules


def test_an_offset_no_city_has_finds_nothing() -> None:
    assert zones_for_offset(hours(1) + timedelta(minutes=17), WINTER) == []


def test_zones_read_as_city_names() -> None:
    assert city_name("America/New_York") == "New York"
    assert city_name("America/Argentina/Buenos_Aires") == "Buenos Aires"

"""A member's local reminder time to UTC, on ordinary and daylight-saving days, and rescheduling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Member
from bot.services.reminders.schedule import reschedule
from bot.timekeeping import local_date, local_instant, next_reminder_at


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        ("Europe/Berlin", date(2026, 1, 15), time(7, 30), utc(2026, 1, 15, 6, 30)),
        ("Europe/Berlin", date(2026, 7, 15), time(7, 30), utc(2026, 7, 15, 5, 30)),
        ("America/New_York", date(2026, 1, 15), time(7, 30), utc(2026, 1, 15, 12, 30)),
        ("Asia/Kolkata", date(2026, 1, 15), time(7, 30), utc(2026, 1, 15, 2, 0)),
        ("Pacific/Auckland", date(2026, 1, 15), time(7, 30), utc(2026, 1, 14, 18, 30)),
        ("UTC", date(2026, 1, 15), time(0, 0), utc(2026, 1, 15, 0, 0)),
    ],
)
def test_local_time_in_a_zone_becomes_the_right_utc_instant(
    zone: str, day: date, at: time, expected: datetime
) -> None:
    instant = local_instant(day, at, ZoneInfo(zone))
    assert instant == expected
    assert local_date(instant, ZoneInfo(zone)) == day


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Spring forward (02:00 → 03:00): 02:30 does not exist and moves to 03:00; 01:30 is normal.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 0, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 3, 8), time(1, 30), utc(2026, 3, 8, 6, 30)),
        # Fall back (03:00 → 02:00 in Berlin, 02:00 → 01:00 in New York): the first occurrence.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(1, 30), utc(2026, 10, 24, 23, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), time(2, 30), utc(2026, 11, 1, 7, 30)),
    ],
)
def test_daylight_saving_days_give_one_instant_the_first_valid_one(
    zone: str, day: date, at: time, expected: datetime
) -> None:
    tz = ZoneInfo(zone)
    assert local_instant(day, at, tz) == expected
    # Once only: from just after it, the next reminder is the next day's.
    following = next_reminder_at(at, tz, after=expected)
    assert local_date(following, tz) == day + timedelta(days=1)
    assert following.astimezone(tz).time() == at


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30)),
    ],
)
def test_walking_across_a_daylight_saving_change_gives_one_reminder_a_day(
    zone: str, day: date, at: time
) -> None:
    tz = ZoneInfo(zone)
    instant = datetime.combine(day - timedelta(days=3), time(12), tzinfo=tz).astimezone(UTC)
    days = []
    for _ in range(6):
        instant = next_reminder_at(at, tz, after=instant)
        days.append(local_date(instant, tz))
    first = day - timedelta(days=2)
    assert days == [first + timedelta(days=n) for n in range(6)]


def _member(**fields: object) -> Member:
    values: dict[str, object] = {
        "status": "active",
        "is_reachable": True,
        "timezone": "Europe/Berlin",
        "reminder_time": time(8, 0),
        "next_reminder_at": None,
    }
    values.update(fields)
    return Member(**values)


def test_a_member_onboarded_less_than_an_hour_before_their_time_starts_tomorrow() -> None:
    member = _member()
    reschedule(member, utc(2026, 6, 10, 5, 30))  # 07:30 in Berlin, reminder at 08:00
    assert member.next_reminder_at == utc(2026, 6, 11, 6, 0)


def test_a_member_onboarded_earlier_in_the_day_is_reminded_today() -> None:
    member = _member()
    reschedule(member, utc(2026, 6, 10, 4, 0))  # 06:00 in Berlin
    assert member.next_reminder_at == utc(2026, 6, 10, 6, 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "paused_pain"},
        {"status": "paused_by_member"},
        {"status": "onboarding"},
        {"is_reachable": False},
        {"reminder_time": None},
    ],
)
def test_no_next_reminder_for_a_member_who_is_not_active_or_not_reachable(
    fields: dict[str, object],
) -> None:
    member = _member(next_reminder_at=utc(2026, 6, 10, 6, 0), **fields)
    reschedule(member, utc(2026, 6, 10, 4, 0))
    assert member.next_reminder_at is None

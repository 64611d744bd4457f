"""The one clock: every `now` of the application moves with it, and it never runs backwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import clock
from bot.db.models import utcnow
from handlers import coach, replies


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    yield
    clock.set_offset(timedelta(0))


def test_it_is_the_real_clock_until_moved() -> None:
    assert clock.offset() == timedelta(0)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.now().tzinfo is UTC


def test_every_now_of_the_application_follows_a_jump() -> None:
    clock.advance(timedelta(days=3))
    for now in (clock.now, replies.now, coach._now, utcnow):
        ahead = now() - datetime.now(UTC)
        assert timedelta(days=3) - timedelta(seconds=5) < ahead <= timedelta(days=3)


def test_it_only_moves_forward() -> None:
    clock.advance(timedelta(hours=1))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(minutes=-1))
    assert clock.offset() == timedelta(hours=1)

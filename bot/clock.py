"""The one clock the whole application reads: handlers, services' `now`, stored timestamps, jobs.

In `hipcoach run` it is the real clock. The playground moves it forward (`advance`) so a reminder,
the next-morning check or a missed-days alert can be seen in seconds instead of a day; real time
keeps flowing on top of the jump, so the bot never sees time go backwards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> datetime:
    """Move the clock forward by `delta` (never back: stored times must stay in order)."""
    global _offset
    if delta < timedelta(0):
        raise ValueError("the clock only moves forward")
    _offset += delta
    return now()


def offset() -> timedelta:
    """How far ahead of real time the clock runs (zero outside the playground)."""
    return _offset


def set_offset(delta: timedelta) -> None:
    """Run `delta` ahead of (or behind) real time. Only for the playground while the bot is not
    running: restoring a saved clock, writing simulated history, starting over."""
    global _offset
    _offset = delta

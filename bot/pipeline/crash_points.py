"""Named places where the reliability tests kill the process, as `kill -9` would.

`HIPCOACH_CRASH_AT=<point>:<n>` makes the process SIGKILL itself the n-th time it passes
<point>; unset (always, outside those tests) `reached` is one dictionary lookup. The points sit
where a crash is most likely to lose or repeat something: between fetching and storing an
update, after the inbox commit, inside a handler before its commit, after it, while a reply is
on its way to Telegram, after Telegram took it but before it is marked sent (the one repeat
window), and in the middle of a reminder fan-out.
"""

from __future__ import annotations

import os
import signal

POINTS = frozenset({"fetched", "stored", "handling", "handled", "sending", "sent", "fanout"})
_setting = os.environ.get("HIPCOACH_CRASH_AT", "")
_point, _, _nth = _setting.partition(":")
_remaining = {_point: int(_nth or 1)} if _point in POINTS else {}


def reached(point: str) -> None:
    """Kill this process here if the crash test asked for this point and this is its turn."""
    if point not in _remaining:
        return
    _remaining[point] -= 1
    if _remaining[point] == 0:
        os.kill(os.getpid(), signal.SIGKILL)

"""Turns for outgoing messages: evenly spaced under an overall rate, one a second per private chat
(one every three seconds per group, Telegram's 20 a minute), replies ahead of background sends.

Telegram counts messages per second, so what matters is how many leave in any one second, not
the average. The pacer spaces turns evenly at `rate`, keeps to that schedule when timers fire a
little late (or the rate would drift down), leaves a gap after the event loop was blocked instead
of sending the backlog at once, and never gives more turns in any second than even spacing puts
there (`floor(rate) + 1`). PTB's `AIORateLimiter` is a leaky bucket instead: after a pause it lets
a whole second's allowance out at once, and it knows nothing of the one message per second per
chat.

Every message the process sends takes its turn from one pacer (`bot/pipeline/budget.py`), so
replies, reminders, alerts and dashboards share one budget. A waiting reply gets the next turn
ahead of any waiting reminder: at most one turn (1/30 s) behind an 08:00 fan-out.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import IntEnum

PER_CHAT_INTERVAL = 1.0
# Telegram allows a group 20 messages a minute.
GROUP_INTERVAL_FACTOR = 3.0
PER_GROUP_INTERVAL = PER_CHAT_INTERVAL * GROUP_INTERVAL_FACTOR
# Telegram tolerates short bursts to one private chat: a reply of an edit and two messages
# leaves at once, and the chat still never gets more than one message a second over any longer
# stretch (at most `PER_CHAT_BURST` in any `PER_CHAT_BURST` seconds).
PER_CHAT_BURST = 3
# "Any second" with a little room for the network: turns are counted over a slightly longer window.
COUNTING_WINDOW = 1.005
# Forget a chat's last-send time once this many are kept and most of them are over a second old.
CHATS_BEFORE_PRUNING = 4096


class Priority(IntEnum):
    """Who goes first when several wait: lower values first, then in call order."""

    REPLY = 0  # a member or coach is waiting for this answer
    BACKGROUND = 1  # reminders, nudges, alerts, check-ins: nobody is looking at the chat yet


class _PriorityGate:
    """A lock handed to waiters by (priority, arrival), not by arrival alone."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    async def acquire(self, priority: int) -> None:
        if not self._held and not self._waiting:
            self._held = True
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()  # handed over just as the waiter was cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            *_, granted = heapq.heappop(self._waiting)
            if not granted.done():
                granted.set_result(None)  # the gate stays held, by the next waiter
                return
        self._held = False


class SendPacer:
    """Hands out send turns: `rate` per second overall, evenly spaced, and 1 s apart per chat
    (3 s per group chat, whose ids are negative)."""

    def __init__(
        self,
        rate: float,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        per_group_interval: float = PER_GROUP_INTERVAL,
        burst: int = PER_CHAT_BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._per_chat_interval = per_chat_interval
        self._per_group_interval = per_group_interval
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._next_turn = 0.0
        self._recent_turns: deque[float] = deque(maxlen=math.floor(rate) + 1)
        self._gate = _PriorityGate()
        self._chat_sends: dict[int, deque[float]] = {}
        self._queued_chats: set[int] = set()

    @property
    def rate(self) -> float:
        return 1.0 / self._interval

    async def wait_turn(self, chat_id: int | None, priority: int = Priority.BACKGROUND) -> None:
        """Return when a message to `chat_id` may be sent (None: a call to no chat, such as an
        edit of an inline message); turns go by priority, then in call order."""
        if chat_id is not None:
            await self._reserve_chat(chat_id)
        try:
            await self._gate.acquire(priority)
        except BaseException:
            self._unreserve(chat_id)  # cancelled while queued: the chat is free again
            raise
        try:
            while (wait := (turn := self._earliest_turn()) - self._clock()) > 0:
                await self._sleep(wait)
                woke_late = self._clock() - turn >= self._interval / 2
                if woke_late and self._earliest_turn() == turn:  # not moved by a 429 (`hold`)
                    # The event loop was blocked, and a send granted just before may only now
                    # be leaving: one interval after it, then on from there, not the backlog.
                    self._next_turn = self._clock() + self._interval
            now = self._clock()
            # Timers fire a little late: keep to the schedule, or the rate drifts down. A turn
            # long past (the pacer was idle) counts from now instead.
            on_schedule = now - turn < self._interval / 2
            self._next_turn = (turn if on_schedule else now) + self._interval
            self._recent_turns.append(now)
            if chat_id is not None:
                self._queued_chats.discard(chat_id)
                sends = self._chat_sends.setdefault(chat_id, deque(maxlen=self._burst))
                sends.append(now)
        except BaseException:
            self._unreserve(chat_id)
            raise
        finally:
            self._gate.release()
        if len(self._chat_sends) > CHATS_BEFORE_PRUNING:
            self._forget_idle_chats(now)

    def hold(self, seconds: float) -> None:
        """Give no turn for `seconds`: Telegram answered 429 and asked the bot to wait."""
        self._next_turn = max(self._next_turn, self._clock() + seconds)

    def _unreserve(self, chat_id: int | None) -> None:
        if chat_id is not None:
            self._queued_chats.discard(chat_id)

    def _chat_free_at(self, chat_id: int) -> float:
        if chat_id in self._queued_chats:
            return math.inf
        sends = self._chat_sends.get(chat_id)
        burst = self._burst_for(chat_id)
        if sends is None or len(sends) < burst:
            return 0.0
        return sends[-burst] + burst * self._interval_for(chat_id)

    def _burst_for(self, chat_id: int) -> int:
        """Groups get no burst: 20 evenly spaced a minute is the only way to stay under it."""
        return 1 if chat_id < 0 else self._burst

    def _interval_for(self, chat_id: int) -> float:
        return self._per_group_interval if chat_id < 0 else self._per_chat_interval

    def _earliest_turn(self) -> float:
        if len(self._recent_turns) < (self._recent_turns.maxlen or 0):
            return self._next_turn
        return max(self._next_turn, self._recent_turns[0] + COUNTING_WINDOW)

    async def _reserve_chat(self, chat_id: int) -> None:
        """Wait until the chat may have another message and no other send to it is queued.

        Only that chat waits; the others keep their turns.
        """
        while (free_at := self._chat_free_at(chat_id)) > self._clock():
            await self._sleep(min(free_at - self._clock(), self._interval_for(chat_id)))
        self._queued_chats.add(chat_id)  # queued: sends to one chat leave in call order

    def _forget_idle_chats(self, now: float) -> None:
        longest = self._burst * max(self._per_chat_interval, self._per_group_interval)
        self._chat_sends = {
            chat: sends for chat, sends in self._chat_sends.items() if sends[-1] > now - longest
        }

"""Turns for outgoing messages: evenly spaced under an overall rate, and one a second per chat.

Telegram counts messages per second, so what matters is how many leave in any one second, not
the average. The pacer spaces turns evenly at `rate`, keeps to that schedule when timers fire a
little late (or the rate would drift down), leaves a gap after the event loop was blocked instead
of sending the backlog at once, and never gives more turns in any second than even spacing puts
there (`floor(rate) + 1`). PTB's `AIORateLimiter` is a leaky bucket instead: after a pause it lets
a whole second's allowance out at once, and it knows nothing of the one message per second per
chat.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

PER_CHAT_INTERVAL = 1.0
# "Any second" with a little room for the network: turns are counted over a slightly longer window.
COUNTING_WINDOW = 1.005
# Forget a chat's last-send time once this many are kept and most of them are over a second old.
CHATS_BEFORE_PRUNING = 4096


class SendPacer:
    """Hands out send turns: `rate` per second overall, evenly spaced, and 1 s apart per chat."""

    def __init__(
        self,
        rate: float,
        *,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._per_chat_interval = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_turn = 0.0
        self._recent_turns: deque[float] = deque(maxlen=math.floor(rate) + 1)
        self._gate = asyncio.Lock()
        self._chat_free_at: dict[int, float] = {}

    @property
    def rate(self) -> float:
        return 1.0 / self._interval

    async def wait_turn(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may be sent; turns are given in call order."""
        await self._reserve_chat(chat_id)
        async with self._gate:
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
            self._chat_free_at[chat_id] = now + self._per_chat_interval
        if len(self._chat_free_at) > CHATS_BEFORE_PRUNING:
            self._forget_idle_chats(now)

    def hold(self, seconds: float) -> None:
        """Give no turn for `seconds`: Telegram answered 429 and asked the bot to wait."""
        self._next_turn = max(self._next_turn, self._clock() + seconds)

    def _earliest_turn(self) -> float:
        if len(self._recent_turns) < (self._recent_turns.maxlen or 0):
            return self._next_turn
        return max(self._next_turn, self._recent_turns[0] + COUNTING_WINDOW)

    async def _reserve_chat(self, chat_id: int) -> None:
        """Wait until the chat's last message is a second old and no other send to it is queued.

        Only that chat waits; the others keep their turns.
        """
        while (free_at := self._chat_free_at.get(chat_id, 0.0)) > self._clock():
            await self._sleep(min(free_at - self._clock(), self._per_chat_interval))
        self._chat_free_at[chat_id] = math.inf  # queued: the turn sets the real time

    def _forget_idle_chats(self, now: float) -> None:
        self._chat_free_at = {
            chat: free_at for chat, free_at in self._chat_free_at.items() if free_at > now
        }

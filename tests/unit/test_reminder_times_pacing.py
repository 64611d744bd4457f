"""Send pacing: evenly spaced under the overall rate, one a second per chat, held after a 429.

The pacer runs on virtual time here: its sleep moves the clock instead of waiting, so the
spacing it hands out is exact, the tests take no time, and a loaded machine cannot fail them.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.scheduling.pacing import Priority, SendPacer


class VirtualTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def virtual() -> VirtualTime:
    return VirtualTime()


async def _turns(pacer: SendPacer, clock: VirtualTime, chats: list[int]) -> list[float]:
    turns = []
    for chat in chats:
        await pacer.wait_turn(chat)
        turns.append(clock.now)
    return turns


async def test_turns_are_evenly_spaced_at_the_rate(virtual: VirtualTime) -> None:
    pacer = SendPacer(25, clock=virtual, sleep=virtual.sleep)
    turns = await _turns(pacer, virtual, list(range(100)))
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(turns)}
    assert gaps == {0.04}


async def test_a_chat_gets_a_short_burst_then_one_message_a_second(virtual: VirtualTime) -> None:
    pacer = SendPacer(25, clock=virtual, sleep=virtual.sleep)
    turns = await _turns(pacer, virtual, [7] * 7)
    offsets = [round(t - turns[0], 6) for t in turns]
    assert offsets == [0.0, 0.04, 0.08, 3.0, 3.04, 3.08, 6.0]
    # Never more than three in any three seconds, so one a second over any longer stretch.
    assert all(b - a >= 3.0 for a, b in zip(offsets, offsets[3:], strict=False))


async def test_a_group_gets_at_most_twenty_messages_a_minute(virtual: VirtualTime) -> None:
    pacer = SendPacer(25, clock=virtual, sleep=virtual.sleep)
    turns = await _turns(pacer, virtual, [-100] * 41)
    assert sum(1 for t in turns if t - turns[0] < 60.0) == 20


async def test_a_reply_waiting_goes_before_waiting_background_sends(
    virtual: VirtualTime,
) -> None:
    pacer = SendPacer(25, clock=virtual, sleep=virtual.sleep)
    order: list[str] = []

    async def send(name: str, chat: int, priority: Priority) -> None:
        await pacer.wait_turn(chat, priority)
        order.append(name)

    fanout = [
        asyncio.create_task(send(f"reminder {n}", 1000 + n, Priority.BACKGROUND)) for n in range(5)
    ]
    reply = asyncio.create_task(send("reply", 1, Priority.REPLY))  # asks last
    await asyncio.gather(*fanout, reply)
    # Reminder 0 went at once and reminder 1 was already waiting out its turn; then the reply.
    assert order == ["reminder 0", "reminder 1", "reply", "reminder 2", "reminder 3", "reminder 4"]


async def test_a_429_holds_every_turn_for_the_time_telegram_asked(virtual: VirtualTime) -> None:
    pacer = SendPacer(25, clock=virtual, sleep=virtual.sleep)
    await pacer.wait_turn(1)
    pacer.hold(3.0)
    start = virtual.now
    await pacer.wait_turn(2)
    assert virtual.now - start == pytest.approx(3.0)


async def test_a_busy_event_loop_delays_the_turns_but_never_bunches_them(
    virtual: VirtualTime,
) -> None:
    stall = [0.05]

    async def blocked_once(seconds: float) -> None:
        # The event loop is blocked for 50 ms while the second send waits for its turn.
        await virtual.sleep(seconds + (stall.pop() if stall else 0.0))

    pacer = SendPacer(100, clock=virtual, sleep=blocked_once)  # a turn every 10 ms
    turns: list[tuple[int, float]] = []

    async def send(chat: int) -> None:
        await pacer.wait_turn(chat)
        turns.append((chat, virtual.now))

    await asyncio.gather(*(send(chat) for chat in range(8)))

    assert [chat for chat, _ in turns] == list(range(8))
    gaps = [round(b - a, 6) for (_, a), (_, b) in itertools.pairwise(turns)]
    # Due at +0.01, woken at +0.06: one interval after that, then on at the rate, no backlog.
    assert gaps == [0.07] + [0.01] * 6


async def test_timers_firing_a_little_late_do_not_slow_the_pace(virtual: VirtualTime) -> None:
    async def oversleeping(seconds: float) -> None:
        await virtual.sleep(seconds + 0.003)

    pacer = SendPacer(25, clock=virtual, sleep=oversleeping)
    turns = await _turns(pacer, virtual, list(range(101)))
    assert turns[-1] - turns[0] == pytest.approx(100 * 0.04, abs=0.004)


async def test_never_more_turns_in_a_second_than_the_rate_allows_however_late_timers_fire(
    virtual: VirtualTime,
) -> None:
    lateness = itertools.cycle([0.0, 0.016, 0.0, 0.0, 0.011, 0.0, 0.017, 0.002])

    async def irregular(seconds: float) -> None:
        await virtual.sleep(seconds + next(lateness))

    pacer = SendPacer(28.8, clock=virtual, sleep=irregular)
    turns = await _turns(pacer, virtual, list(range(300)))
    busiest = max(sum(1 for other in turns if start <= other < start + 1.0) for start in turns)
    assert busiest <= 29


async def test_after_the_event_loop_was_blocked_the_next_turn_leaves_a_gap(
    virtual: VirtualTime,
) -> None:
    stall = [0.1]

    async def blocked_once(seconds: float) -> None:
        await virtual.sleep(seconds + (stall.pop() if stall else 0.0))

    pacer = SendPacer(25, clock=virtual, sleep=blocked_once)
    turns = await _turns(pacer, virtual, list(range(4)))
    # The second turn was due at +0.04, the loop woke at +0.14: one interval later, then on.
    assert [round(t - turns[0], 6) for t in turns] == [0.0, 0.18, 0.22, 0.26]

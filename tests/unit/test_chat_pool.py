"""The per-chat pool under the handling workers and the sender: one task a chat, a bounded
number at once, and nothing offered while a chat is busy forgotten."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

from bot.pipeline.chat_pool import ChatPool


class Table:
    """Rows per chat, as the inbox or outbox holds them; a chat's turn takes its oldest row."""

    def __init__(self) -> None:
        self.rows: dict[int, list[int]] = defaultdict(list)
        self.done: dict[int, list[int]] = defaultdict(list)
        self.running: set[int] = set()
        self.most_at_once = 0
        self.release = asyncio.Event()
        self.emptied = asyncio.Event()
        self._changed = asyncio.Condition()

    async def until(self, condition: Callable[[], bool]) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), 5)

    def add(self, chat: int, row: int) -> None:
        self.rows[chat].append(row)
        self.emptied.clear()

    async def find(self, busy: set[int], limit: int) -> list[tuple[int, object]]:
        return [(chat, None) for chat, rows in self.rows.items() if rows and chat not in busy][
            :limit
        ]

    async def work(self, chat: int, _: object) -> None:
        assert chat not in self.running, "two tasks for one chat"
        async with self._changed:
            self.running.add(chat)
            self.most_at_once = max(self.most_at_once, len(self.running))
            self._changed.notify_all()
        try:
            await self.release.wait()
            self.done[chat].append(self.rows[chat].pop(0))
        finally:
            self.running.discard(chat)
        if not any(self.rows.values()):
            self.emptied.set()


@contextlib.asynccontextmanager
async def running(pool: ChatPool) -> AsyncIterator[None]:
    """The pool's loop for the test's duration; its idle poll is long, so stopped by cancel."""
    worker = asyncio.create_task(pool.run(lambda: True))
    await asyncio.sleep(0)  # the loop starts, and takes offers, at its task's first step
    try:
        yield
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def test_a_row_offered_while_its_chat_is_busy_is_taken_when_the_chat_is_free() -> None:
    table = Table()
    # A long idle poll: only the wake-up after the busy chat's turn can find the second row.
    pool = ChatPool("test", 4, find=table.find, work=table.work, idle_poll_seconds=3600)
    async with running(pool):
        table.add(7, 1)
        pool.offer([(7, None)])
        await table.until(lambda: 7 in table.running)
        table.add(7, 2)
        pool.offer([(7, None)])  # busy: held back, not a second task
        table.release.set()
        await asyncio.wait_for(table.emptied.wait(), 5)
    assert table.done[7] == [1, 2]
    assert table.most_at_once == 1


async def test_chats_run_at_once_up_to_the_pool_size_and_the_rest_are_found_later() -> None:
    table = Table()
    pool = ChatPool("test", 3, find=table.find, work=table.work, idle_poll_seconds=3600)
    for chat in range(10):
        table.add(chat, chat * 10)
    async with running(pool):
        await table.until(lambda: len(table.running) == 3)
        pool.offer([(chat, None) for chat in range(10)])  # a full pool starts nothing more
        await asyncio.sleep(0)
        assert len(table.running) == 3
        table.release.set()
        await asyncio.wait_for(table.emptied.wait(), 5)
    assert dict(table.done) == {c: [c * 10] for c in range(10)}
    assert table.most_at_once == 3


async def test_a_failing_turn_is_logged_and_the_chat_is_free_again() -> None:
    attempts: list[int] = []

    async def find(busy: set[int], limit: int) -> list[tuple[int, object]]:
        return []

    async def work(chat: int, _: object) -> None:
        attempts.append(chat)
        raise RuntimeError("the database blinked")

    pool = ChatPool("test", 2, find=find, work=work, idle_poll_seconds=0)
    await pool.in_turn(5, None)
    assert attempts == [5]
    assert pool.busy == set()

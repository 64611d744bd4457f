"""One task per chat and a bounded number at once: what the handling workers and the outbox
sender both are.

Work reaches the pool two ways. Offered: this process has just committed it (an update stored,
a reply queued), so it starts at once without reading the table. Found: a read of the table
turns up what other processes, retries and restarts left. A chat offered while its task is
running is marked and read again when that task ends, so nothing offered is forgotten and no
chat ever has two tasks (two tasks for one chat would handle or send the same row twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable

log = logging.getLogger(__name__)

# (chat key, what to work on) pairs; the second half is the pool user's own (an update id, or
# nothing when the chat's rows are read by the work itself).
Find = Callable[[set[int], int], Awaitable[list[tuple[int, object]]]]
Work = Callable[[int, object], Awaitable[object]]


class ChatPool:
    def __init__(
        self, name: str, size: int, *, find: Find, work: Work, idle_poll_seconds: float
    ) -> None:
        """`find(busy, limit)` reads the table for at most `limit` chats not in `busy`;
        `work(chat, item)` does one chat's turn."""
        self._name = name
        self._size = size
        self._find = find
        self._work = work
        self._idle_poll_seconds = idle_poll_seconds
        self.busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._running = False
        self._held_back: set[int] = set()  # offered while busy: read again once free

    def offer(self, items: Iterable[tuple[int, object]]) -> None:
        """Work this process has just committed: a free chat starts at once; a busy one, or
        any when the pool is full, is found by the next read. Ignored while not running."""
        if not self._running:
            return
        for chat_key, item in items:
            if chat_key in self.busy:
                self._held_back.add(chat_key)
            elif len(self._tasks) >= self._size:
                self._wake.set()
            else:
                self._start(chat_key, item)

    async def run(self, keep_going: Callable[[], bool]) -> None:
        """Read and start work until told to stop, then let the running tasks finish."""
        self._running = True
        try:
            while keep_going():
                self._wake.clear()
                started = 0
                if len(self._tasks) < self._size:
                    started = await self._start_found()
                if not started:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._idle_poll_seconds)
        finally:
            self._running = False
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def in_turn(self, chat_key: int, item: object) -> None:
        """One chat's turn, the chat marked busy meanwhile (also for work started outside
        `run`, such as a drain on stop)."""
        self.busy.add(chat_key)
        try:
            await self._work(chat_key, item)
        except Exception:
            log.exception("%s: chat %s failed; trying again shortly", self._name, chat_key)
        finally:
            self.busy.discard(chat_key)

    async def _start_found(self) -> int:
        try:
            found = await self._find(self.busy, self._size - len(self._tasks))
        except Exception:
            log.exception("%s: cannot read what is waiting; trying again shortly", self._name)
            return 0
        for chat_key, item in found:
            self._start(chat_key, item)
        return len(found)

    def _start(self, chat_key: int, item: object) -> None:
        if chat_key in self.busy:  # offered while a read was on its way: one task a chat
            self._held_back.add(chat_key)
            return
        self.busy.add(chat_key)
        task = asyncio.create_task(self.in_turn(chat_key, item))
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._finished, chat_key))

    def _finished(self, chat_key: int, task: asyncio.Task[None]) -> None:
        """Offered meanwhile, or the pool was full when work may have arrived: read again,
        now that the task is gone and the read has room for it."""
        was_full = len(self._tasks) >= self._size - 1
        self._tasks.discard(task)
        if chat_key in self._held_back or was_full:
            self._held_back.discard(chat_key)
            self._wake.set()

"""Which process polls, runs the jobs and sends: the one holding the leader lock.

PostgreSQL: a session-level advisory lock on a connection of its own. Whoever holds it leads;
the others try again every `RETRY_SECONDS` and handle inbox rows meanwhile. The lock goes with
the connection, so a leader killed outright frees it as soon as PostgreSQL sees the socket
close, and another process leads within one retry. A leader that cannot reach the database
any more steps down (its duties would fail anyway) and tries again like the others.

SQLite: one process only. A second `hipcoach run` on the same file is refused at start-up
(an exclusive lock on a file beside the database), since SQLite cannot share the work safely.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LEADER_LOCK = (14_000, 1)
RETRY_SECONDS = 2.0


class SecondProcessRefused(RuntimeError):
    """Another hipcoach already runs on this SQLite database."""


class SqliteLock:
    """An exclusive lock on `<database>.lock`, held for the life of the process."""

    def __init__(self, database: Path) -> None:
        self._path = database.with_name(database.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise SecondProcessRefused(
                f"another hipcoach is already running on {self._path.with_suffix('')}; SQLite "
                "serves one process (use PostgreSQL through DATABASE_URL to run several)"
            ) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


Duty = Callable[[], Awaitable[None]]


class Leadership:
    """Runs `lead` while this process holds the leader lock; `step_down` when it loses it."""

    def __init__(self, engine: AsyncEngine, lead: Duty, step_down: Duty) -> None:
        self._engine = engine
        self._lead = lead
        self._step_down = step_down
        self._connection: AsyncConnection | None = None
        self.leading = False

    async def run(self, keep_going: Callable[[], bool]) -> None:
        """Until stopped (or cancelled); the caller steps down before this returns, so the
        lock is released only once this process has stopped leading."""
        try:
            while keep_going():
                if self._engine.dialect.name != "postgresql":
                    await self._take_office()  # one process per SQLite file: always the leader
                    await asyncio.Event().wait()  # until the pipeline cancels this task
                if self.leading:
                    if not await self._still_holding():
                        await self._leave_office()
                else:
                    await self._try_lock()
                await asyncio.sleep(RETRY_SECONDS)
        finally:
            self.leading = False
            await self._drop_connection()

    async def _try_lock(self) -> None:
        try:
            if self._connection is None:
                self._connection = await self._engine.connect()
            got = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:a, :b)"),
                {"a": LEADER_LOCK[0], "b": LEADER_LOCK[1]},
            )
            await self._connection.commit()
        except Exception as error:
            log.warning("cannot reach the database to take the leader lock: %s", error)
            await self._drop_connection()
            return
        if got:
            await self._take_office()

    async def _still_holding(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
            return True
        except Exception as error:
            log.error("lost the database connection holding the leader lock: %s", error)
            await self._drop_connection()
            return False

    async def _take_office(self) -> None:
        self.leading = True
        log.info("this process leads: polling (if polling), jobs and sending")
        await self._lead()

    async def _leave_office(self) -> None:
        if self.leading:
            self.leading = False
            log.info("this process stepped down")
            await self._step_down()
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                await connection.invalidate()

"""SQLite has one writer: the process's transactions take turns here instead of in its lock.

Every transaction on SQLite starts with `BEGIN IMMEDIATE` (bot/db/engine.py), so two at once
means one waits in SQLite's busy handler, which polls with growing sleeps. Taking turns on an
asyncio lock first hands the database over the moment it is free. PostgreSQL needs no turns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine


class WriteGate:
    def __init__(self, engine: AsyncEngine) -> None:
        self._lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self._lock is None:
            yield
            return
        async with self._lock:
            yield

"""The async engine and session factory, tuned per database.

SQLite gets WAL (readers never wait for the writer), foreign keys (so deletes cascade) and
`BEGIN IMMEDIATE` (a transaction takes the write lock up front, so a read-then-write never fails
half-way with "database is locked"; the busy timeout makes the others wait their turn instead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import sqlite_path

SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(database_url: str, **engine_options: Any) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # Up to CONCURRENT_CHATS updates hold a connection each while handled; past the pool
        # they wait their turn for one. 40 a process leaves room for two on a default server.
        options = {"pool_size": 10, "max_overflow": 30} | engine_options
        return create_async_engine(url, pool_pre_ping=True, **options)

    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **engine_options
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def insert_for(session: AsyncSession) -> Callable[..., Insert]:
    """The dialect's INSERT, which (unlike the generic one) has ON CONFLICT DO NOTHING.

    Both backends spell "insert unless it exists" the same way through it, which is how
    redeliveries, repeated alerts and second reminders for a day become no-ops.
    """
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert

"""Shared fixtures: fresh SQLite and PostgreSQL databases, the fake Bot API, the real bot process.

PostgreSQL is the scale path, so every database test runs on it as well as on SQLite. Outside CI
a machine without PostgreSQL skips those runs; under CI=true an unreachable server fails the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.coaching.content import Library
from bot.db.engine import create_engine, create_sessionmaker
from tests.botprocess import FAKE_TOKEN, BotProcess
from tests.databases import PostgresFactory, SqliteFactory, admin_url
from tests.fakebotapi import FakeBotAPI


@pytest.fixture(scope="session")
def library() -> Library:
    from bot.coaching.loader import default_content_dir, load_library

    return load_library(default_content_dir())


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[PostgresFactory | None]:
    factory = PostgresFactory(admin_url())
    problem = await factory.reachable()
    if problem is not None:
        await factory.close()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {admin_url()} is unreachable under CI: {problem}")
        yield None
        return
    await factory.drop_leftovers()
    yield factory
    await factory.close()


@pytest.fixture(scope="session")
def sqlite_files(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest,
    sqlite_files: SqliteFactory,
    postgres: PostgresFactory | None,
) -> str:
    """The URL of a fresh, migrated database; the test runs once per backend."""
    if request.param == "sqlite":
        return await sqlite_files.fresh()
    if postgres is None:
        pytest.skip("PostgreSQL is not reachable (set TEST_DATABASE_URL); CI=true makes this fail")
    return await postgres.fresh()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def second_sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Another engine on the same database: a second process, as far as the database can tell."""
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(FAKE_TOKEN)
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def bot(fake_api: FakeBotAPI, database_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real bot, started as `hipcoach run` would be, polling the fake Bot API."""
    process = BotProcess(fake_api, database_url, tmp_path)
    await process.start()
    yield process
    await process.stop()

"""Fresh, migrated databases for tests: a SQLite file or a PostgreSQL database per test.

Each test run migrates one template per backend, then copies it for every test, so tests never
share rows and a crashed run leaves nothing that the next one trips over.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.db.engine import create_engine
from bot.db.migrate import upgrade_to_head

DEFAULT_TEST_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PREFIX = "hc_"


def admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


class PostgresFactory:
    """Creates databases named hc_<pid>_<n> on the test server, and drops them afterwards."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self._admin: AsyncEngine = create_async_engine(self.url, isolation_level="AUTOCOMMIT")
        self._names = itertools.count()
        self._created: list[str] = []
        self._template: str | None = None

    async def reachable(self) -> str | None:
        """None when the server answers, else why not."""
        try:
            async with self._admin.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # any driver or network failure means "not reachable"
            return f"{type(error).__name__}: {error}"
        return None

    async def drop_leftovers(self) -> None:
        """Drop databases of earlier runs whose process is gone (a crash skipped their teardown)."""
        async with self._admin.connect() as connection:
            names = (
                await connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                    {"p": f"{PREFIX}%"},
                )
            ).scalars()
            for name in list(names):
                pid = name.split("_")[1]
                if pid.isdigit() and not _process_alive(int(pid)):
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _create(self, template: str | None) -> str:
        name = f"{PREFIX}{os.getpid()}_{next(self._names)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        async with self._admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self._created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    async def fresh(self) -> str:
        if self._template is None:
            url = await self._create(None)
            engine = create_engine(url)
            await upgrade_to_head(engine)
            await engine.dispose()
            self._template = make_url(url).database
        return await self._create(self._template)

    async def close(self) -> None:
        if self._created:
            async with self._admin.connect() as connection:
                for name in reversed(self._created):
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await self._admin.dispose()


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names = itertools.count()
        self._template: Path | None = None

    async def fresh(self) -> str:
        if self._template is None:
            self._template = self.folder / "template.db"
            engine = create_engine(f"sqlite+aiosqlite:///{self._template}")
            await upgrade_to_head(engine)
            # Closing the last connection folds the WAL into the file, so a copy has the schema.
            await engine.dispose()
        path = self.folder / f"test_{next(self._names)}.db"
        shutil.copyfile(self._template, path)
        return f"sqlite+aiosqlite:///{path}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

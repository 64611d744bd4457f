"""Running Alembic from code, so `hipcoach run`, `hipcoach migrate` and the tests share one path."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.packaged import packaged_dir

MIGRATIONS_DIR = packaged_dir("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


async def downgrade_to_base(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "base"))


async def pending_revisions(engine: AsyncEngine) -> list[str]:
    """Revisions not yet applied, oldest first; empty when the schema is current."""
    script = ScriptDirectory.from_config(alembic_config())

    def _pending(sync: Connection) -> list[str]:
        current = set(MigrationContext.configure(sync).get_current_heads())
        pending = []
        for revision in script.walk_revisions():
            if revision.revision in current:
                break
            pending.append(revision.revision)
        return list(reversed(pending))

    async with engine.connect() as connection:
        return await connection.run_sync(_pending)


async def current_and_head(engine: AsyncEngine) -> tuple[list[str], list[str]]:
    """The revisions the database is at, and the newest the code ships (`hipcoach check`)."""
    heads = list(ScriptDirectory.from_config(alembic_config()).get_heads())

    def _current(sync: Connection) -> list[str]:
        return list(MigrationContext.configure(sync).get_current_heads())

    async with engine.connect() as connection:
        return await connection.run_sync(_current), heads

"""Migrations and models must agree on both databases, and must be reversible."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.migrate import downgrade_to_base, pending_revisions
from bot.db.models import Base


async def test_upgrade_head_gives_exactly_the_models_schema(engine: AsyncEngine) -> None:
    def differences(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await pending_revisions(engine) == []


async def test_downgrade_base_removes_every_table(engine: AsyncEngine) -> None:
    await downgrade_to_base(engine)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    assert await pending_revisions(engine) != []

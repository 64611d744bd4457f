"""Alembic environment for SQLite and PostgreSQL alike.

A caller that already holds a connection (the tests, `hipcoach run`) passes it in
`config.attributes["connection"]`; otherwise the URL comes from `sqlalchemy.url` or the settings.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from dotenv import load_dotenv
from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.models import Base, UtcDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write the UTC column type as a plain DateTime so migrations never import the models."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    load_dotenv()
    return Settings.from_env(os.environ, require_token=False).database_url


async def _run_with_new_engine() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_with_new_engine())


if context.is_offline_mode():
    raise SystemExit("hipcoach migrations run online only: use `hipcoach migrate`.")
run_migrations_online()

"""`hipcoach run | migrate | check`: the entry point, and the only place that reads `.env`.

Operator mistakes (a bad setting, an unreachable database, broken content) end with one line that
names the problem and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, NetworkError

from bot.coaching.content import Library
from bot.coaching.loader import ContentError, default_content_dir, load_library
from bot.config import Settings, SettingsError, TokenFilter
from bot.db.engine import create_engine
from bot.db.migrate import pending_revisions, upgrade_to_head
from bot.services import content_migration

EXIT_CONFIG = 2


class StartupError(Exception):
    """A problem the operator must fix before the bot can start; the message is one line."""


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    token_filter = TokenFilter(settings.bot_token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _load_content() -> Library:
    try:
        return load_library(default_content_dir())
    except ContentError as error:
        raise StartupError(f"content: {error}") from None


async def _migrate(settings: Settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        pending = await pending_revisions(engine)
        if pending:
            await upgrade_to_head(engine)
        return pending
    except (SQLAlchemyError, OSError) as error:
        raise StartupError(
            f"DATABASE_URL: cannot use {settings.safe_db}: {_first_line(error)}"
        ) from None
    finally:
        await engine.dispose()


def _first_line(error: BaseException) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__


def _cmd_run(settings: Settings) -> int:
    from bot.app import run

    library = _load_content()
    applied = asyncio.run(_migrate(settings))
    if applied:
        logging.getLogger(__name__).info("applied migrations: %s", ", ".join(applied))
    try:
        run(settings, library)
    except InvalidToken:
        raise StartupError(
            "BOT_TOKEN: the Bot API server rejected it; check it with @BotFather"
        ) from None
    except NetworkError as error:
        raise StartupError(
            f"TELEGRAM_API_URL: cannot reach {settings.telegram_api_url}: {_first_line(error)}"
        ) from None
    return 0


def _cmd_migrate(settings: Settings) -> int:
    applied = asyncio.run(_migrate(settings))
    print(f"applied: {', '.join(applied)}" if applied else "database is up to date")
    return 0


async def _database_report(settings: Settings) -> tuple[bool, str]:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        pending = await pending_revisions(engine)
    except (SQLAlchemyError, OSError) as error:
        return False, f"cannot connect to {settings.safe_db}: {_first_line(error)}"
    finally:
        await engine.dispose()
    if pending:
        return (
            False,
            f"{settings.safe_db}: {len(pending)} migration(s) pending; run `hipcoach migrate`",
        )
    return True, f"{settings.safe_db}: reachable, schema up to date"


def _cmd_check(settings: Settings) -> int:
    problems = 0
    print(
        f"settings: ok (mode {settings.bot_mode}, API {settings.telegram_api_url}, "
        f"time zone {settings.default_timezone})"
    )
    ok, line = asyncio.run(_database_report(settings))
    problems += not ok
    print(f"database: {line}")
    try:
        library = _load_content()
    except StartupError as error:
        problems += 1
        print(error)
    else:
        variations = sum(len(ladder.variations) for ladder in library.ladders)
        print(
            f"content: ok ({len(library.ladders)} ladders, {variations} variations, "
            f"{len(library.programme.phases)} phases)"
        )
        if ok:  # stored programmes that point to content that is gone (issue 13)
            dangling = asyncio.run(
                content_migration.dangling_report(settings.database_url, library)
            )
            problems += bool(dangling)
            print("\n".join(f"stored content: {line}" for line in dangling) or "stored content: ok")
    return 1 if problems else 0


COMMANDS = {
    "run": ("start the bot (applies pending migrations first)", _cmd_run),
    "migrate": ("upgrade the database to the newest schema", _cmd_migrate),
    "check": ("validate settings, database and content; exit non-zero on any problem", _cmd_check),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hipcoach",
        description="A Telegram coach for a daily hip-strengthening programme. "
        "Settings come from the environment or a .env file in the current folder.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, _) in COMMANDS.items():
        commands.add_parser(name, help=summary, description=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(Path.cwd() / ".env")
    try:
        settings = Settings.from_env(os.environ, require_token=args.command != "migrate")
        _configure_logging(settings)
        return COMMANDS[args.command][1](settings)
    except (SettingsError, StartupError) as error:
        print(f"hipcoach: {error}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())

"""`hipcoach run | migrate | check`: the entry point, and the only place that reads `.env`.

Operator mistakes (a bad setting, an unreachable database, broken content) end `run` and
`migrate` with one line that names the problem and exit code 2, never a traceback; `check`
reports every problem it finds, section by section, and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, NetworkError

from bot.coaching.content import Library
from bot.coaching.loader import ContentError, default_content_dir, load_education, load_library
from bot.config import Settings, SettingsError
from bot.db.engine import create_engine
from bot.db.migrate import pending_revisions, upgrade_to_head
from bot.observability.check import first_line, render_json, render_text, run_checks
from bot.observability.logs import configure_logging
from bot.observability.server import MetricsServerError
from bot.pipeline.leadership import SecondProcessRefused
from bot.playground import command as playground

EXIT_CONFIG = 2


class StartupError(Exception):
    """A problem the operator must fix before the bot can start; the message is one line."""


def _load_content(settings: Settings) -> Library:
    try:
        content_dir = settings.content_dir or default_content_dir()
        library = load_library(content_dir)
        # Tips and the flare-up plan are checked at start too, though read where they are shown.
        load_education(content_dir)
        return library
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
            f"DATABASE_URL: cannot use {settings.safe_db}: {first_line(error)}"
        ) from None
    finally:
        await engine.dispose()


def _cmd_run(settings: Settings) -> int:
    from bot.app import run

    library = _load_content(settings)
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
            f"TELEGRAM_API_URL: cannot reach {settings.telegram_api_url}: {first_line(error)}"
        ) from None
    except MetricsServerError as error:
        raise StartupError(f"METRICS_PORT: {error}") from None
    except SecondProcessRefused as error:
        raise StartupError(f"DATABASE_URL: {error}") from None
    return 0


def _cmd_migrate(settings: Settings) -> int:
    applied = asyncio.run(_migrate(settings))
    print(f"applied: {', '.join(applied)}" if applied else "database is up to date")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Every section, even when one fails; 0 only when all pass, 1 otherwise."""
    settings, problems = Settings.inspect_env(os.environ)
    configure_logging(settings, level="WARNING")  # the report is the output, not the logs
    sections = asyncio.run(
        run_checks(settings, problems, online=args.online, now=datetime.now(UTC))
    )
    print(render_json(sections) if args.json else render_text(sections))
    return 0 if all(section.ok for section in sections) else 1


COMMANDS = {
    "run": ("start the bot (applies pending migrations first)", _cmd_run),
    "migrate": ("upgrade the database to the newest schema", _cmd_migrate),
}
CHECK_SUMMARY = "report on settings, database and content (and the Bot API with --online)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hipcoach",
        description="A Telegram coach for a daily hip-strengthening programme. "
        "Settings come from the environment or a .env file in the current folder.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, _) in COMMANDS.items():
        commands.add_parser(name, help=summary, description=summary)
    check = commands.add_parser(
        "check", help=CHECK_SUMMARY, description=f"{CHECK_SUMMARY}; exit 0 only if all pass"
    )
    check.add_argument("--json", action="store_true", help="one JSON document, for machines")
    check.add_argument("--online", action="store_true", help="also call getMe and getWebhookInfo")
    summary = "try the bot in a browser: local Bot API server, chat page, movable clock"
    playground.add_arguments(commands.add_parser("playground", help=summary, description=summary))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "playground":  # no .env: no token, no real database, no Telegram
        return playground.main(args)
    load_dotenv(Path.cwd() / ".env")
    if args.command == "check":
        return _cmd_check(args)
    try:
        settings = Settings.from_env(os.environ, require_token=args.command != "migrate")
        configure_logging(settings)
        return COMMANDS[args.command][1](settings)
    except (SettingsError, StartupError) as error:
        print(f"hipcoach: {error}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())

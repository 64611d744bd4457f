"""`hipcoach playground [--port 8080] [--fresh] [--seed demo]`: its options and entry point.

Everything listens on 127.0.0.1 only: the page has no login, so anyone who can reach it can read
and type as every persona; another address needs `--i-know`. Kept apart from the runner so that
`hipcoach --help` and a refusal do not load the whole bot.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import sys
from pathlib import Path

from bot.coaching.loader import ContentError, default_content_dir, load_library
from bot.config import SettingsError

DEFAULT_PORT = 8080
EXIT_REFUSED = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default %(default)s")
    parser.add_argument("--host", default="127.0.0.1", help="default %(default)s (loopback)")
    parser.add_argument(
        "--i-know",
        action="store_true",
        help="allow a non-loopback --host although the page has no login",
    )
    parser.add_argument("--fresh", action="store_true", help="start with an empty database")
    parser.add_argument(
        "--seed", choices=["demo"], help="demo: a coach group with simulated members' history"
    )
    parser.add_argument("--folder", type=Path, default=Path("playground"), help=argparse.SUPPRESS)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(args: argparse.Namespace) -> int:
    """Run until Ctrl-C; refuse a non-loopback address unless the operator said they know."""
    if not is_loopback(args.host) and not args.i_know:
        print(
            f"hipcoach: playground: refusing to listen on {args.host}: the page has no login, so "
            "anyone who reaches it can read and type as every persona. Use 127.0.0.1, or add "
            "--i-know.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("bot.playground").setLevel(logging.INFO)  # what it seeded, and errors
    try:
        library = load_library(default_content_dir())
        from bot.playground.runner import Playground

        playground = Playground(args.folder, library, seed_demo=args.seed == "demo")
        asyncio.run(playground.serve(args.host, args.port, fresh=args.fresh))
    except (ContentError, SettingsError) as error:
        print(f"hipcoach: playground: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as error:
        print(
            f"hipcoach: playground: cannot listen on port {args.port}: {error.strerror}; "
            "choose another with --port",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    return 0

"""Pages generated from code or content (`docs/*.md`): write them, or check they are fresh.

Each generator (exercise library, all-green timeline, conversation machine) renders its text;
this is the one place that compares it with the page on disk, so CI's `--check` behaves the same
for every generated page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def page_arguments(parser: argparse.ArgumentParser, default_page: Path) -> None:
    """`--check` and `--output`, the same for every generated page."""
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the page is out of date"
    )
    parser.add_argument("--output", type=Path, default=default_page, help="page to write")


def write_or_check(page: Path, fresh: str, *, check: bool, command: str) -> int:
    """Write `fresh` to `page`, or with `check` exit 1 (saying how to fix it) if they differ."""
    if check:
        current = page.read_text(encoding="utf-8") if page.is_file() else None
        if current != fresh:
            print(f"{page} is out of date; run `{command}`", file=sys.stderr)
            return 1
        return 0
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(fresh, encoding="utf-8")
    return 0

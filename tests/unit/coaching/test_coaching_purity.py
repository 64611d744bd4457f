"""The coaching core stays pure: no Telegram, no database, whatever imports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bot.coaching

COACHING_DIR = Path(bot.coaching.__file__).parent
FORBIDDEN = ("telegram", "sqlalchemy")


def test_no_coaching_module_imports_telegram_or_the_database() -> None:
    submodules = [path.stem for path in COACHING_DIR.glob("*.py") if path.stem != "__init__"]
    modules = ["bot.coaching", *(f"bot.coaching.{name}" for name in sorted(submodules))]
    assert "bot.coaching.decisions" in modules
    script = "\n".join(
        [
            "import importlib, sys",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))",
        ]
    )
    # A fresh interpreter, so imports made by other tests in this process cannot interfere.
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.strip() == "[]", f"forbidden imports in bot/coaching: {run.stdout}"

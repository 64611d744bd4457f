"""The wheel must carry every code package and the shipped data, or an installed bot cannot start.

The CI's wheel check (`.ci/run`) installs the built wheel in a fresh venv and runs it from another
folder; these tests catch the usual cause of a failure there in seconds.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.coaching.loader import default_content_dir
from bot.db.migrate import MIGRATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_code_package_is_listed_for_the_wheel() -> None:
    listed = set(_setuptools()["packages"])  # type: ignore[call-overload]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_shipped_folders_map_onto_the_top_level_ones() -> None:
    mapping = _setuptools()["package-dir"]
    assert mapping == {"bot.content": "content", "bot.migrations": "migrations"}


def test_a_source_checkout_uses_its_top_level_content_and_migrations() -> None:
    assert default_content_dir() == ROOT / "content"
    assert MIGRATIONS_DIR == ROOT / "migrations"

"""Where the data shipped with the code lives: `content/` and `migrations/`.

The repository keeps them at the top level (clinicians and reviewers find them there); the wheel
carries them inside the package as `bot/content` and `bot/migrations` (`pyproject.toml` maps the
folders). This finds the installed copy first, then the source checkout's, so `hipcoach` works
from any folder whichever way it was installed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged_dir(name: str) -> Path:
    """The shipped folder `name` (`content` or `migrations`): in the package, or beside it."""
    package = Path(str(files("bot")))
    installed = package / name
    return installed if installed.is_dir() else package.parent / name

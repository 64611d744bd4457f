"""Fixtures for the content tests: the real library, and a small valid tree to break on purpose."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.coaching.content import Library
from bot.coaching.loader import default_content_dir, load_library

REPO_ROOT = Path(__file__).resolve().parents[3]
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
SOURCE = "000_0000000000000000.txt"

Tree = dict[str, Any]


def _variation(variation_id: str, level: int, phase: int, next_id: str | None) -> dict[str, Any]:
    return {
        "id": variation_id,
        "name": f"Move {variation_id}",
        "level": level,
        "phase": phase,
        "position": "standing",
        "equipment": [],
        "steps": ["Stand tall.", "Move slowly."],
        "cues": ["Breathe."],
        "mistakes": ["Rushing."],
        "stop_if": ["Sharp pain, pain down your leg, or numbness or tingling."],
        "dose": {"sets": 3, "reps_min": 8, "reps_max": 12, "per_side": False},
        "timing": {"seconds_per_rep": 3, "rest_seconds": 30, "setup_seconds": 30},
        "next": next_id,
        "sources": [SOURCE],
    }


MINIMAL_TREE: Tree = {
    "exercises": {
        "alpha": {
            "id": "alpha",
            "name": "Alpha",
            "summary": "The first ladder.",
            "start": "a1",
            "variations": [_variation("a1", 1, 1, "a2"), _variation("a2", 2, 2, None)],
        },
        "beta": {
            "id": "beta",
            "name": "Beta",
            "summary": "The second ladder.",
            "start": "b1",
            "variations": [_variation("b1", 1, 1, None)],
        },
    },
    "programme": {
        "session_minutes_min": 10,
        "session_minutes_max": 20,
        "phases": [
            {
                "number": 1,
                "name": "activate",
                "title": "Activate",
                "summary": "Wake things up.",
                "ladders": ["alpha", "beta"],
                "advance": {
                    "min_sessions": 10,
                    "recent_sessions": 3,
                    "max_recent_pain": 2,
                    "min_ladders_progressed": 1,
                },
            },
            {
                "number": 2,
                "name": "strengthen",
                "title": "Strengthen",
                "summary": "Build up.",
                "ladders": ["alpha"],
            },
        ],
    },
    "rules": {
        "pain_zones": {"green_max": 2, "amber_max": 5},
        "progress_after_green_sessions": 2,
        "reps_step": 2,
        "regress_rise_over_baseline": 2,
        "stop_session_pain": 8,
        "pause_red_sessions_in_a_row": 2,
        "pause_red_sessions_window": 5,
        "pause_red_sessions_in_window": 3,
        "pause_worse_checkins_in_a_row": 2,
        "missed_days_for_easier_start": 3,
        "resume_max_pain": 3,
        "max_reps": 500,
        "usual_pain_sessions": 7,
        "min_days_between_steps": 7,
        "deload_every_steps": 4,
        "weekly_build_up_points": 1,
        "pain_persists_weeks": 3,
        "replace_after_skips_in_a_row": 3,
        "short_session_percent": 70,
        "short_sessions_in_a_row": 2,
        "missed_days_for_two_steps": 7,
        "missed_days_for_phase_back": 21,
    },
}


@pytest.fixture(scope="session")
def library() -> Library:
    """The real content, with sources checked against the seeds when they are present."""
    return load_library(default_content_dir(), SEEDS_DIR if SEEDS_DIR.is_dir() else None)


@pytest.fixture
def tree() -> Tree:
    """A fresh copy of the minimal valid content, for a test to break one thing in."""
    return copy.deepcopy(MINIMAL_TREE)


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[Tree], Path]:
    """Write a tree as `content/` under tmp_path and return that directory."""

    def write(tree: Tree) -> Path:
        content = tmp_path / "content"
        exercises = content / "exercises"
        exercises.mkdir(parents=True, exist_ok=True)
        for stem, ladder in tree["exercises"].items():
            (exercises / f"{stem}.yaml").write_text(yaml.safe_dump(ladder, sort_keys=False))
        for name in ("programme", "rules"):
            (content / f"{name}.yaml").write_text(yaml.safe_dump(tree[name], sort_keys=False))
        screen = default_content_dir() / "red_flags.yaml"  # the real screen: its own tests
        (content / "red_flags.yaml").write_text(screen.read_text(encoding="utf-8"))
        return content

    return write

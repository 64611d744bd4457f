"""The library is written in the project's own words: no run of 8 words lifted from a seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.coaching.loader import default_content_dir

SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
RUN = 8


def _words(text: str) -> list[str]:
    """Lower-case words without punctuation, so a copied phrase matches however punctuated."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_words_finds_runs_across_punctuation_and_line_breaks() -> None:
    assert _runs("Lie on your side,\n  with - knees: BENT and feet") == {
        ("lie", "on", "your", "side", "with", "knees", "bent", "and"),
        ("on", "your", "side", "with", "knees", "bent", "and", "feet"),
    }


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seed articles not present")
def test_no_content_file_copies_eight_words_from_a_seed() -> None:
    seed_runs: dict[tuple[str, ...], str] = {}
    for seed in sorted(SEEDS_DIR.glob("*.txt")):
        for run in _runs(seed.read_text(encoding="utf-8")):
            seed_runs.setdefault(run, seed.name)
    assert seed_runs, "no seed text found"

    copied = [
        f"{path.name}: '{' '.join(run)}' (from {seed_runs[run]})"
        for path in sorted(default_content_dir().rglob("*.yaml"))
        for run in sorted(_runs(path.read_text(encoding="utf-8")))
        if run in seed_runs
    ]
    assert copied == []

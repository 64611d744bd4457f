"""docs/exercises.md is generated from content/ and must not fall behind it."""

from __future__ import annotations

from pathlib import Path

from bot.coaching.content import Dose, Library, PainZones, Rules
from bot.coaching.exercise_docs import (
    RULE_MEANINGS,
    default_docs_path,
    dose_text,
    main,
    render_markdown,
)
from bot.coaching.loader import default_content_dir, load_education


def test_docs_are_not_stale(library: Library) -> None:
    education = load_education(default_content_dir())
    assert default_docs_path().read_text(encoding="utf-8") == render_markdown(library, education), (
        "docs/exercises.md is stale: run python -m bot.coaching.exercise_docs"
    )


def test_check_passes_on_fresh_page_and_fails_on_stale_one(tmp_path: Path) -> None:
    assert main(["--check"]) == 0
    page = tmp_path / "exercises.md"
    assert main(["--check", "--output", str(page)]) == 1
    assert main(["--output", str(page)]) == 0
    assert main(["--check", "--output", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert main(["--check", "--output", str(page)]) == 1


def test_every_rule_has_a_meaning() -> None:
    zones = {f"pain_zones.{name}" for name in PainZones.model_fields}
    assert set(RULE_MEANINGS) == zones | (set(Rules.model_fields) - {"pain_zones"})


def test_page_covers_every_variation_and_its_safety_advice(library: Library) -> None:
    page = render_markdown(library)
    for ladder in library.ladders:
        assert f"### {ladder.name} (`{ladder.id}`)" in page
        for variation in ladder.variations:
            assert f"(`{variation.id}`)" in page
            assert dose_text(variation.dose) in page
            for line in variation.stop_if:
                assert f"- {line}" in page
    assert page.index("## Programme") < page.index("## Coaching rules") < page.index("## Ladders")


def test_dose_text() -> None:
    assert dose_text(Dose(sets=3, reps_min=10, reps_max=15, per_side=True)) == (
        "3 sets × 10–15 reps, each side"
    )
    assert dose_text(Dose(sets=1, reps_min=10, reps_max=10, per_side=False)) == "1 set × 10 reps"
    assert (
        dose_text(Dose(sets=3, hold_seconds=30, per_side=True)) == "3 sets × 30 s hold, each side"
    )

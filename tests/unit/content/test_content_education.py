"""content/education.yaml: the tips and flare-up plan load, and a mistake is located."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.coaching.loader import ContentError, default_content_dir, load_education


def test_the_real_tips_and_plan_load() -> None:
    education = load_education(default_content_dir())
    assert education.flare_plan.seek_help
    assert {tip.source for tip in education.tips} <= set(education.sources)


def test_a_broken_tip_is_reported_with_its_file_tip_and_field(tmp_path: Path) -> None:
    raw = yaml.safe_load((default_content_dir() / "education.yaml").read_text(encoding="utf-8"))
    raw["tips"][1]["text"] = "Too short."
    content = tmp_path / "content"
    content.mkdir()
    (content / "education.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_education(content)
    tip_id = raw["tips"][1]["id"]
    assert [str(problem) for problem in raised.value.problems] == [
        f"content/education.yaml: tip {tip_id}, field 'text': "
        "String should have at least 40 characters"
    ]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"education\.yaml: file not found"):
        load_education(tmp_path)

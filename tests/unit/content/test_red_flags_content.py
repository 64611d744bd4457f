"""content/red_flags.yaml is checked like the rest of content/: every level once, known item
ids everywhere, `only_if` pointing back, check-in days in order; and the real screen covers the
standard low-back-pain red flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.coaching.content import Library
from bot.coaching.loader import ContentError, load_library
from bot.coaching.screening import Urgency

Tree = dict[str, Any]


def _broken(write_tree: Callable[[Tree], Path], tree: Tree, change: Callable[[Tree], None]) -> str:
    content = write_tree(tree)
    screen = yaml.safe_load((content / "red_flags.yaml").read_text(encoding="utf-8"))
    change(screen)
    (content / "red_flags.yaml").write_text(yaml.safe_dump(screen), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_library(content)
    return str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["levels"].pop(), "one level for each urgency"),
        (lambda s: s["items"].append(dict(s["items"][0])), "ids must be unique"),
        (lambda s: s["symptom_words"][0]["items"].append("nosuch"), "unknown item id(s): nosuch"),
        (lambda s: s["items"][0].update(only_if="fever"), "only_if must name an earlier item"),
        (lambda s: s.update(pause_checkin_days=[7, 3]), "increasing whole days"),
        (lambda s: s["symptom_words"][0]["phrases"].append("Numb"), "phrases"),
        (lambda s: s["items"][0].update(urgency="soonish"), "urgency"),
    ],
)
def test_a_broken_screen_is_refused_at_start_up(
    write_tree: Callable[[Tree], Path], tree: Tree, change: Callable[[Tree], None], message: str
) -> None:
    assert message in _broken(write_tree, tree, change)


def test_the_screen_covers_every_standard_group_and_every_level(library: Library) -> None:
    screen = library.screen
    assert screen is not None
    groups = {item.group for item in screen.items}
    assert {"cauda_equina", "neurological", "fracture", "infection", "malignancy"} <= groups
    assert {"inflammatory", "other"} <= groups
    assert {item.urgency for item in screen.items} == set(Urgency)
    for level in screen.levels:
        assert "GP" in level.advice or "emergency" in level.advice  # who, always
    assert all(item.urgency.stops_programme for item in screen.short_form())
